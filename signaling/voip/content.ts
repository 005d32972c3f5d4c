// The edge between the wire and the call manager for 1:1 calls: every inbound `m.call.*` content is
// checked here and turned into a typed, normalised value (or a reason to drop it), and every content we
// send is built here, so both shapes live in one file.
import { HANGUP_REASONS, type HangupReason } from './types.js';
import { STREAM_PURPOSES, type StreamPurpose } from '../media/feed.js';

/** SDPs longer than this (UTF-16 code units) are refused outright. */
export const MAX_SDP_LENGTH = 64 * 1024;
/** An `m.call.candidates` event listing more candidates than this is refused outright. */
export const MAX_CANDIDATES = 1000;
const MAX_ID_LENGTH = 255;
/**
 * The longest `lifetime` an invite or negotiate is taken to have: ten minutes. Clients send 60 s
 * (matrix-js-sdk) or 90 s (the spec's recommended minimum, and ours); the spec sets no upper bound, but a
 * phone that rings for more than ten minutes is a stale invite, and anything beyond 2^31-1 ms (about 24.8
 * days) would overflow setTimeout, which then fires at once and ended the call as expired.
 */
export const MAX_LIFETIME_MS = 10 * 60_000;

/** The event types the call manager handles, under their stable names. */
export const CALL_EVENT_TYPES = [
  'm.call.invite',
  'm.call.candidates',
  'm.call.answer',
  'm.call.select_answer',
  'm.call.reject',
  'm.call.negotiate',
  'm.call.hangup',
  'm.call.sdp_stream_metadata_changed',
  'm.call.asserted_identity',
] as const;
export type CallEventType = (typeof CALL_EVENT_TYPES)[number];

// A Map, not an object literal, so that types such as "constructor" or "__proto__" find nothing.
const STABLE_TYPES: ReadonlyMap<string, CallEventType> = new Map<string, CallEventType>([
  ...CALL_EVENT_TYPES.map((type) => [type, type] as const),
  // The only two unstable names matrix-js-sdk's CallEventHandler dispatches on (EventType.*Prefix);
  // it lets other `org.matrix.call.*` types through its filter but then does nothing with them.
  ['org.matrix.call.sdp_stream_metadata_changed', 'm.call.sdp_stream_metadata_changed'],
  ['org.matrix.call.asserted_identity', 'm.call.asserted_identity'],
]);

export { HANGUP_REASONS, type HangupReason };

// Every value WebRTC accepts; anything else would make setRemoteDescription throw a TypeError.
const SDP_TYPES = ['offer', 'answer', 'pranswer', 'rollback'] as const satisfies readonly RTCSdpType[];

const SDP_STREAM_METADATA = 'sdp_stream_metadata';
const SDP_STREAM_METADATA_UNSTABLE = 'org.matrix.msc3077.sdp_stream_metadata';

export type ParseFailure = {
  readonly ok: false;
  /** `unsupported`: a type the call manager ignores; `malformed`: content it must drop. */
  readonly kind: 'unsupported' | 'malformed';
  /** For the log line; names the offending field. */
  readonly reason: string;
};
export type ParseResult<T> = { readonly ok: true; readonly value: T } | ParseFailure;

export interface SessionDescription {
  readonly type: RTCSdpType;
  readonly sdp: string;
}

export interface StreamMetadata {
  readonly purpose: StreamPurpose;
  readonly audioMuted: boolean;
  readonly videoMuted: boolean;
}

/** MediaStream id → metadata. */
export type SdpStreamMetadata = ReadonlyMap<string, StreamMetadata>;

export interface CallCapabilities {
  readonly transferee: boolean;
  readonly dtmf: boolean;
}

/** An `RTCIceCandidateInit` with every field present; `candidate: ""` is end-of-candidates. */
export interface IceCandidate {
  readonly candidate: string;
  readonly sdpMid: string | null;
  readonly sdpMLineIndex: number | null;
  readonly usernameFragment: string | null;
}

export interface AssertedIdentity {
  readonly id: string | undefined;
  readonly displayName: string | undefined;
  readonly avatarUrl: string | undefined;
}

/** The protocol version as the spec asks receivers to read it: `0` is legacy, everything else is `"1"`. */
export type CallProtocolVersion = '1' | 0;

/** Legacy version 0 had no party ids, so none is reported for it. */
export type CallEventSender =
  | { readonly version: '1'; readonly partyId: string }
  | { readonly version: 0; readonly partyId: undefined };

export type CallEventCommon = CallEventSender & {
  readonly callId: string;
  /** Parts of the content that were ignored (dropped candidates or streams, odd values); for logs. */
  readonly warnings: readonly string[];
};

export type CallInviteEvent = CallEventCommon & {
  readonly type: 'm.call.invite';
  readonly offer: SessionDescription;
  /** Milliseconds the invite stays valid, counted from the event's age. */
  readonly lifetime: number;
  /** Absent: any member of the room other than the sender may answer. */
  readonly invitee: string | undefined;
  /** Absent: the peer does not support multiple streams (use only its first stream). */
  readonly streamMetadata: SdpStreamMetadata | undefined;
  readonly capabilities: CallCapabilities;
};

export type CallCandidatesEvent = CallEventCommon & {
  readonly type: 'm.call.candidates';
  /** Never empty. */
  readonly candidates: readonly IceCandidate[];
  /** How many malformed entries were left out (each has a warning). */
  readonly dropped: number;
};

export type CallAnswerEvent = CallEventCommon & {
  readonly type: 'm.call.answer';
  readonly answer: SessionDescription;
  readonly streamMetadata: SdpStreamMetadata | undefined;
  readonly capabilities: CallCapabilities;
};

export type CallSelectAnswerEvent = CallEventCommon & {
  readonly type: 'm.call.select_answer';
  readonly selectedPartyId: string;
};

export type CallRejectEvent = CallEventCommon & { readonly type: 'm.call.reject' };

export type CallNegotiateEvent = CallEventCommon & {
  readonly type: 'm.call.negotiate';
  readonly description: SessionDescription;
  /** Absent: the event carries no expiry. */
  readonly lifetime: number | undefined;
  readonly streamMetadata: SdpStreamMetadata | undefined;
};

export type CallHangupEvent = CallEventCommon & {
  readonly type: 'm.call.hangup';
  /** `user_hangup` when the peer sent none; `unknown_error` for reasons we do not know. */
  readonly reason: HangupReason;
  /** The reason as sent, when it was a string. */
  readonly rawReason: string | undefined;
};

export type CallSdpStreamMetadataChangedEvent = CallEventCommon & {
  readonly type: 'm.call.sdp_stream_metadata_changed';
  readonly streamMetadata: SdpStreamMetadata;
};

export type CallAssertedIdentityEvent = CallEventCommon & {
  readonly type: 'm.call.asserted_identity';
  readonly assertedIdentity: AssertedIdentity;
};

export type InboundCallEvent =
  | CallInviteEvent
  | CallCandidatesEvent
  | CallAnswerEvent
  | CallSelectAnswerEvent
  | CallRejectEvent
  | CallNegotiateEvent
  | CallHangupEvent
  | CallSdpStreamMetadataChangedEvent
  | CallAssertedIdentityEvent;

/** Stand-in for the distributive `Omit` TypeScript lacks: the per-type fields of each event. */
type EventFields<T extends InboundCallEvent> = T extends unknown ? Omit<T, keyof CallEventCommon> : never;

/**
 * Checks the content of an inbound call event (already decrypted) and normalises it. Never throws.
 * `type` may be a stable `m.call.*` name or one of the unstable aliases matrix-js-sdk accepts.
 */
export function parseCallEvent(type: string, content: unknown): ParseResult<InboundCallEvent> {
  const stableType = STABLE_TYPES.get(type);
  if (stableType === undefined) {
    return { ok: false, kind: 'unsupported', reason: `unsupported event type ${quote(String(type))}` };
  }
  if (!isObject(content)) return malformed(wrongType('content', 'an object', content));

  const sender = readSender(content);
  if (!sender.ok) return sender;
  const warnings: string[] = [];
  const fields = readFields(stableType, content, warnings);
  if (!fields.ok) return fields;
  return ok({ ...sender.value, ...fields.value, warnings });
}

function readFields(
  type: CallEventType,
  content: object,
  warnings: string[],
): ParseResult<EventFields<InboundCallEvent>> {
  switch (type) {
    case 'm.call.invite':
      return readInvite(content, warnings);
    case 'm.call.candidates':
      return readCandidates(content, warnings);
    case 'm.call.answer':
      return readAnswer(content, warnings);
    case 'm.call.select_answer': {
      const selected = readPartyId(content, 'selected_party_id');
      return selected.ok ? ok({ type, selectedPartyId: selected.value }) : selected;
    }
    case 'm.call.reject':
      return ok({ type });
    case 'm.call.negotiate':
      return readNegotiate(content, warnings);
    case 'm.call.hangup':
      return ok(readHangup(content, warnings));
    case 'm.call.sdp_stream_metadata_changed': {
      const streamMetadata = readStreamMetadata(content, warnings);
      if (!streamMetadata.ok) return streamMetadata;
      if (streamMetadata.value === undefined) return malformed(`${SDP_STREAM_METADATA}: missing`);
      return ok({ type, streamMetadata: streamMetadata.value });
    }
    case 'm.call.asserted_identity':
      return readAssertedIdentity(content);
  }
}

function readSender(content: object): ParseResult<CallEventSender & { readonly callId: string }> {
  const callId = own(content, 'call_id');
  if (typeof callId !== 'string') return malformed(wrongType('call_id', 'a string', callId));
  if (!isVoipId(callId)) {
    return malformed(`call_id: ${quote(callId)} is not 1–255 characters of [0-9a-zA-Z._~-]`);
  }
  // The spec: "If clients see events with version other than 0 or "1" (including, for example, the
  // numeric value 1), they should treat these the same as if they had version == "1"". A missing version
  // is such an "other" value, and matrix-js-sdk agrees: only a numeric 0 is legacy there.
  if (own(content, 'version') === 0) return ok({ callId, version: 0, partyId: undefined });
  const partyId = readPartyId(content, 'party_id');
  return partyId.ok ? ok({ callId, version: '1', partyId: partyId.value }) : partyId;
}

// Party ids are held only to the length limit, not to the spec's VoIP id grammar: matrix-js-sdk sends
// the device id, the spec gives device ids no grammar (they are opaque), and a homeserver keeps
// whatever device id a client asks for at login.
function readPartyId(content: object, field: 'party_id' | 'selected_party_id'): ParseResult<string> {
  const partyId = own(content, field);
  if (typeof partyId !== 'string') return malformed(wrongType(field, 'a string', partyId));
  if (partyId.length === 0 || partyId.length > MAX_ID_LENGTH) {
    return malformed(`${field}: must be 1–${MAX_ID_LENGTH} characters, got ${partyId.length}`);
  }
  return ok(partyId);
}

function readInvite(content: object, warnings: string[]): ParseResult<EventFields<CallInviteEvent>> {
  const offer = readDescription(content, 'offer');
  if (!offer.ok) return offer;
  const lifetime = readLifetime(content, warnings);
  if (!lifetime.ok) return lifetime;
  if (lifetime.value === undefined) return malformed('lifetime: missing');
  const invitee = optional(content, 'invitee');
  if (invitee !== undefined && !isUserId(invitee)) {
    return malformed(
      typeof invitee === 'string' ? `invitee: ${quote(invitee)} is not a Matrix user id` : wrongType('invitee', 'a string', invitee),
    );
  }
  const streamMetadata = readStreamMetadata(content, warnings);
  if (!streamMetadata.ok) return streamMetadata;
  const capabilities = readCapabilities(content, warnings);
  if (!capabilities.ok) return capabilities;
  return ok({
    type: 'm.call.invite',
    offer: offer.value,
    lifetime: lifetime.value,
    invitee,
    streamMetadata: streamMetadata.value,
    capabilities: capabilities.value,
  });
}

function readAnswer(content: object, warnings: string[]): ParseResult<EventFields<CallAnswerEvent>> {
  const answer = readDescription(content, 'answer');
  if (!answer.ok) return answer;
  const streamMetadata = readStreamMetadata(content, warnings);
  if (!streamMetadata.ok) return streamMetadata;
  const capabilities = readCapabilities(content, warnings);
  if (!capabilities.ok) return capabilities;
  return ok({
    type: 'm.call.answer',
    answer: answer.value,
    streamMetadata: streamMetadata.value,
    capabilities: capabilities.value,
  });
}

// The schema requires only `description`; `lifetime` is described in prose but not required, and
// matrix-js-sdk neither needs nor checks it, so an event without one is kept (with no expiry).
function readNegotiate(content: object, warnings: string[]): ParseResult<EventFields<CallNegotiateEvent>> {
  const description = readDescription(content, 'description');
  if (!description.ok) return description;
  const lifetime = readLifetime(content, warnings);
  if (!lifetime.ok) return lifetime;
  const streamMetadata = readStreamMetadata(content, warnings);
  if (!streamMetadata.ok) return streamMetadata;
  return ok({
    type: 'm.call.negotiate',
    description: description.value,
    lifetime: lifetime.value,
    streamMetadata: streamMetadata.value,
  });
}

function readCandidates(content: object, warnings: string[]): ParseResult<EventFields<CallCandidatesEvent>> {
  const entries = own(content, 'candidates');
  if (!Array.isArray(entries)) return malformed(wrongType('candidates', 'an array', entries));
  if (entries.length === 0) return malformed('candidates: empty');
  if (entries.length > MAX_CANDIDATES) {
    return malformed(`candidates: ${entries.length} entries, more than the ${MAX_CANDIDATES} allowed`);
  }
  // One bad entry (a peer's serialisation quirk) should not cost the others.
  const candidates: IceCandidate[] = [];
  const problems: string[] = [];
  entries.forEach((entry: unknown, index) => {
    const candidate = readCandidate(entry);
    if (typeof candidate === 'string') problems.push(`candidates[${index}]: ${candidate}; dropped`);
    else candidates.push(candidate);
  });
  if (candidates.length === 0) {
    return malformed(`candidates: no valid entry (${problems.slice(0, 3).join('; ')})`);
  }
  warnings.push(...problems);
  return ok({ type: 'm.call.candidates', candidates, dropped: problems.length });
}

/** The candidate, or what is wrong with it. */
function readCandidate(entry: unknown): IceCandidate | string {
  if (!isObject(entry)) return `expected an object, got ${kindOf(entry)}`;
  const candidate = own(entry, 'candidate');
  if (typeof candidate !== 'string') return wrongType('candidate', 'a string', candidate);
  const sdpMid = own(entry, 'sdpMid') ?? null;
  if (sdpMid !== null && typeof sdpMid !== 'string') return wrongType('sdpMid', 'a string', sdpMid);
  const sdpMLineIndex = own(entry, 'sdpMLineIndex') ?? null;
  if (sdpMLineIndex !== null && !isMLineIndex(sdpMLineIndex)) {
    return `sdpMLineIndex: expected an integer from 0 to 65535, got ${describeValue(sdpMLineIndex)}`;
  }
  const usernameFragment = own(entry, 'usernameFragment') ?? null;
  if (usernameFragment !== null && typeof usernameFragment !== 'string') {
    return wrongType('usernameFragment', 'a string', usernameFragment);
  }
  // WebRTC cannot place a candidate without one of them; only end-of-candidates may omit both.
  if (candidate !== '' && sdpMid === null && sdpMLineIndex === null) return 'needs sdpMid or sdpMLineIndex';
  return { candidate, sdpMid, sdpMLineIndex, usernameFragment };
}

function readHangup(content: object, warnings: string[]): EventFields<CallHangupEvent> {
  // A hangup is kept whatever its reason looks like: the peer has left the call either way, and
  // matrix-js-sdk ends the call on any hangup too. Version 0 clients sent no reason for a user hangup.
  const raw = optional(content, 'reason');
  if (raw === undefined) return { type: 'm.call.hangup', reason: 'user_hangup', rawReason: undefined };
  if (typeof raw !== 'string') {
    warnings.push(`reason: expected a string, got ${kindOf(raw)}; read as unknown_error`);
    return { type: 'm.call.hangup', reason: 'unknown_error', rawReason: undefined };
  }
  if (isOneOf(HANGUP_REASONS, raw)) return { type: 'm.call.hangup', reason: raw, rawReason: raw };
  warnings.push(`reason: unknown value ${quote(raw)}; read as unknown_error`);
  return { type: 'm.call.hangup', reason: 'unknown_error', rawReason: raw };
}

function readAssertedIdentity(content: object): ParseResult<EventFields<CallAssertedIdentityEvent>> {
  const identity = own(content, 'asserted_identity');
  if (!isObject(identity)) return malformed(wrongType('asserted_identity', 'an object', identity));
  const values: (string | undefined)[] = [];
  for (const key of ['id', 'display_name', 'avatar_url'] as const) {
    const value = optional(identity, key);
    if (value !== undefined && typeof value !== 'string') {
      return malformed(wrongType(`asserted_identity.${key}`, 'a string', value));
    }
    values.push(value);
  }
  const [id, displayName, avatarUrl] = values;
  return ok({ type: 'm.call.asserted_identity', assertedIdentity: { id, displayName, avatarUrl } });
}

function readDescription(content: object, field: 'offer' | 'answer' | 'description'): ParseResult<SessionDescription> {
  const description = own(content, field);
  if (!isObject(description)) return malformed(wrongType(field, 'an object', description));
  const type = own(description, 'type');
  if (typeof type !== 'string') return malformed(wrongType(`${field}.type`, 'a string', type));
  // The spec asks receivers not to check that the type fits the event (an "offer" in an invite), and we
  // don't; a value outside RTCSdpType, though, could only fail later inside setRemoteDescription.
  if (!isOneOf(SDP_TYPES, type)) return malformed(`${field}.type: ${quote(type)} is not an RTCSdpType`);
  const sdp = own(description, 'sdp');
  if (typeof sdp !== 'string') return malformed(wrongType(`${field}.sdp`, 'a string', sdp));
  if (sdp.length === 0) return malformed(`${field}.sdp: empty`);
  if (sdp.length > MAX_SDP_LENGTH) {
    return malformed(`${field}.sdp: huge SDP (${sdp.length} characters, more than ${MAX_SDP_LENGTH})`);
  }
  return ok({ type, sdp });
}

function readLifetime(content: object, warnings: string[]): ParseResult<number | undefined> {
  const lifetime = optional(content, 'lifetime');
  if (lifetime === undefined) return ok(undefined);
  if (typeof lifetime !== 'number' || !Number.isFinite(lifetime) || lifetime <= 0) {
    return malformed(`lifetime: expected a positive number of milliseconds, got ${describeValue(lifetime)}`);
  }
  if (lifetime > MAX_LIFETIME_MS) {
    warnings.push(`lifetime: ${describeValue(lifetime)} ms is more than the ${MAX_LIFETIME_MS} ms we allow; read as ${MAX_LIFETIME_MS}`);
    return ok(MAX_LIFETIME_MS);
  }
  return ok(lifetime);
}

// matrix-js-sdk reads the stable key first and the MSC3077 one only when the stable one is absent.
function readStreamMetadata(content: object, warnings: string[]): ParseResult<SdpStreamMetadata | undefined> {
  const stable = optional(content, SDP_STREAM_METADATA);
  const field = stable === undefined ? SDP_STREAM_METADATA_UNSTABLE : SDP_STREAM_METADATA;
  const metadata = stable ?? optional(content, SDP_STREAM_METADATA_UNSTABLE);
  if (metadata === undefined) return ok(undefined);
  if (!isObject(metadata)) return malformed(wrongType(field, 'an object', metadata));
  // Keyed by whatever the peer sent, "__proto__" included, hence a Map rather than an object.
  const streams = new Map<string, StreamMetadata>();
  for (const streamId of Object.keys(metadata)) {
    const stream = readStream(streamId, own(metadata, streamId));
    // The spec: a stream with an unknown purpose is ignored, like one not listed at all.
    if (typeof stream === 'string') warnings.push(`${field}[${quote(streamId)}]: ${stream}; stream ignored`);
    else streams.set(streamId, stream);
  }
  return ok(streams);
}

/**
 * The stream's metadata, or what is wrong with it. The spec's `sdp_stream_metadata_changed` example
 * spells a key `"audio_muted:"`; that is a typo no implementation sends, so it is not read (an
 * unknown key, like any other) and `audio_muted` takes its default.
 */
function readStream(streamId: string, entry: unknown): StreamMetadata | string {
  if (streamId.length === 0 || streamId.length > MAX_ID_LENGTH) {
    return `stream id must be 1–${MAX_ID_LENGTH} characters, got ${streamId.length}`;
  }
  if (!isObject(entry)) return `expected an object, got ${kindOf(entry)}`;
  const purpose = own(entry, 'purpose');
  if (typeof purpose !== 'string') return wrongType('purpose', 'a string', purpose);
  if (!isOneOf(STREAM_PURPOSES, purpose)) return `unknown purpose ${quote(purpose)}`;
  const audioMuted = own(entry, 'audio_muted') ?? false;
  if (typeof audioMuted !== 'boolean') return wrongType('audio_muted', 'a boolean', audioMuted);
  const videoMuted = own(entry, 'video_muted') ?? false;
  if (typeof videoMuted !== 'boolean') return wrongType('video_muted', 'a boolean', videoMuted);
  return { purpose, audioMuted, videoMuted };
}

const NO_CAPABILITIES: CallCapabilities = { transferee: false, dtmf: false };

function readCapabilities(content: object, warnings: string[]): ParseResult<CallCapabilities> {
  const capabilities = optional(content, 'capabilities');
  if (capabilities === undefined) return ok(NO_CAPABILITIES);
  if (!isObject(capabilities)) return malformed(wrongType('capabilities', 'an object', capabilities));
  // Advisory flags: a malformed one means "not supported" rather than a dropped call.
  const flag = (key: string): boolean => {
    const value = own(capabilities, key) ?? false;
    if (typeof value === 'boolean') return value;
    warnings.push(`capabilities[${quote(key)}]: expected a boolean, got ${kindOf(value)}; read as false`);
    return false;
  };
  return ok({ transferee: flag('m.call.transferee'), dtmf: flag('m.call.dtmf') });
}

// --- Outbound -------------------------------------------------------------------------------------

export interface CallEventContentBase {
  readonly version: '1';
  readonly call_id: string;
  readonly party_id: string;
}

export interface WireStreamMetadata {
  readonly purpose: StreamPurpose;
  readonly audio_muted: boolean;
  readonly video_muted: boolean;
}
export type WireSdpStreamMetadata = Readonly<Record<string, WireStreamMetadata>>;

export interface WireCallCapabilities {
  readonly 'm.call.transferee': boolean;
  readonly 'm.call.dtmf': boolean;
}

export interface WireIceCandidate {
  readonly candidate: string;
  readonly sdpMid?: string | null;
  readonly sdpMLineIndex?: number | null;
  readonly usernameFragment?: string | null;
}

export interface CallInviteContent extends CallEventContentBase {
  readonly offer: SessionDescription;
  readonly lifetime: number;
  readonly invitee?: string;
  readonly sdp_stream_metadata?: WireSdpStreamMetadata;
  readonly capabilities?: WireCallCapabilities;
}
export interface CallCandidatesContent extends CallEventContentBase {
  readonly candidates: readonly WireIceCandidate[];
}
export interface CallAnswerContent extends CallEventContentBase {
  readonly answer: SessionDescription;
  readonly sdp_stream_metadata?: WireSdpStreamMetadata;
  readonly capabilities?: WireCallCapabilities;
}
export interface CallSelectAnswerContent extends CallEventContentBase {
  readonly selected_party_id: string;
}
export type CallRejectContent = CallEventContentBase;
export interface CallNegotiateContent extends CallEventContentBase {
  readonly description: SessionDescription;
  readonly lifetime: number;
  readonly sdp_stream_metadata?: WireSdpStreamMetadata;
}
export interface CallHangupContent extends CallEventContentBase {
  readonly reason: HangupReason;
}
export interface CallSdpStreamMetadataChangedContent extends CallEventContentBase {
  readonly sdp_stream_metadata: WireSdpStreamMetadata;
}

export interface OutboundCallIds {
  readonly callId: string;
  readonly partyId: string;
}

export function buildInvite(init: OutboundCallIds & {
  readonly offer: SessionDescription;
  readonly lifetime: number;
  readonly invitee?: string | undefined;
  readonly streamMetadata?: SdpStreamMetadata | undefined;
  readonly capabilities?: CallCapabilities | undefined;
}): CallInviteContent {
  return {
    ...base(init),
    offer: plainDescription(init.offer),
    lifetime: init.lifetime,
    ...(init.invitee === undefined ? {} : { invitee: init.invitee }),
    ...wireStreamMetadata(init.streamMetadata),
    ...wireCapabilities(init.capabilities),
  };
}

/** `candidate: ""` (or no `candidate`) is end-of-candidates. */
export function buildCandidates(
  init: OutboundCallIds & { readonly candidates: readonly RTCIceCandidateInit[] },
): CallCandidatesContent {
  return {
    ...base(init),
    candidates: init.candidates.map(({ candidate = '', sdpMid, sdpMLineIndex, usernameFragment }) => ({
      candidate,
      ...(sdpMid === undefined ? {} : { sdpMid }),
      ...(sdpMLineIndex === undefined ? {} : { sdpMLineIndex }),
      ...(usernameFragment === undefined ? {} : { usernameFragment }),
    })),
  };
}

export function buildAnswer(init: OutboundCallIds & {
  readonly answer: SessionDescription;
  readonly streamMetadata?: SdpStreamMetadata | undefined;
  readonly capabilities?: CallCapabilities | undefined;
}): CallAnswerContent {
  return {
    ...base(init),
    answer: plainDescription(init.answer),
    ...wireStreamMetadata(init.streamMetadata),
    ...wireCapabilities(init.capabilities),
  };
}

export function buildSelectAnswer(init: OutboundCallIds & { readonly selectedPartyId: string }): CallSelectAnswerContent {
  return { ...base(init), selected_party_id: init.selectedPartyId };
}

export function buildReject(init: OutboundCallIds): CallRejectContent {
  return base(init);
}

export function buildNegotiate(init: OutboundCallIds & {
  readonly description: SessionDescription;
  readonly lifetime: number;
  readonly streamMetadata?: SdpStreamMetadata | undefined;
}): CallNegotiateContent {
  return {
    ...base(init),
    description: plainDescription(init.description),
    lifetime: init.lifetime,
    ...wireStreamMetadata(init.streamMetadata),
  };
}

export function buildHangup(init: OutboundCallIds & { readonly reason: HangupReason }): CallHangupContent {
  return { ...base(init), reason: init.reason };
}

export function buildSdpStreamMetadataChanged(
  init: OutboundCallIds & { readonly streamMetadata: SdpStreamMetadata },
): CallSdpStreamMetadataChangedContent {
  return { ...base(init), sdp_stream_metadata: toWireStreamMetadata(init.streamMetadata) };
}

function base({ callId, partyId }: OutboundCallIds): CallEventContentBase {
  return { version: '1', call_id: callId, party_id: partyId };
}

// An RTCSessionDescription is a platform object; the event needs the two plain fields.
function plainDescription({ type, sdp }: SessionDescription): SessionDescription {
  return { type, sdp };
}

function wireStreamMetadata(metadata: SdpStreamMetadata | undefined): { sdp_stream_metadata?: WireSdpStreamMetadata } {
  return metadata === undefined ? {} : { sdp_stream_metadata: toWireStreamMetadata(metadata) };
}

function toWireStreamMetadata(metadata: SdpStreamMetadata): WireSdpStreamMetadata {
  // fromEntries defines own properties, so a "__proto__" stream id stays a key.
  return Object.fromEntries(
    [...metadata].map(([streamId, { purpose, audioMuted, videoMuted }]) => [
      streamId,
      { purpose, audio_muted: audioMuted, video_muted: videoMuted },
    ]),
  );
}

function wireCapabilities(capabilities: CallCapabilities | undefined): { capabilities?: WireCallCapabilities } {
  return capabilities === undefined
    ? {}
    : { capabilities: { 'm.call.transferee': capabilities.transferee, 'm.call.dtmf': capabilities.dtmf } };
}

// --- Reading unknown values -----------------------------------------------------------------------

function ok<T>(value: T): ParseResult<T> {
  return { ok: true, value };
}

function malformed(reason: string): ParseFailure {
  return { ok: false, kind: 'malformed', reason };
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Own data properties only: inherited keys (a polluted Object.prototype, a JSON "__proto__" key that
// became the prototype) never supply a field, and accessors are never run.
function own(value: object, key: string): unknown {
  const descriptor = Object.getOwnPropertyDescriptor(value, key);
  return descriptor === undefined ? undefined : (descriptor.value as unknown);
}

// Some serialisers write null for an absent optional field; matrix-js-sdk reads those as absent too.
function optional(value: object, key: string): unknown {
  return own(value, key) ?? undefined;
}

function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}

function isVoipId(value: string): boolean {
  return value.length <= MAX_ID_LENGTH && /^[0-9a-zA-Z._~-]+$/.test(value);
}

// Historical user ids allow almost anything in the localpart, so only the sigil, the first-colon split
// and the spec's 255 limit are checked.
function isUserId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_ID_LENGTH && /^@[^:]*:.+$/s.test(value);
}

function isMLineIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffff;
}

function wrongType(field: string, expected: string, value: unknown): string {
  return value === undefined ? `${field}: missing` : `${field}: expected ${expected}, got ${kindOf(value)}`;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function describeValue(value: unknown): string {
  return typeof value === 'number' ? String(value) : kindOf(value);
}

// Peer-controlled strings go into log lines: quoted, and cut short.
function quote(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
}
