// The pure 1:1 call machine, tested with transition tables (style guide §7.3): each row starts from a state
// reached by replaying a realistic event sequence from `initialCallState`, applies one event, and states what
// the machine must do. Every transition also goes through invariants that hold for all rows (the wire
// fields of everything sent, timer bookkeeping, how a call ends, purity).
//
// Spec: "Voice over IP" (matrix-spec content/client-server-api/modules/voip_events.md, version "1");
// interop peer: matrix-js-sdk MatrixCall (see /work/shared/docs/protocol.md, sections A and B).
import { expect } from '@open-wc/testing';
import {
  CANDIDATE_BATCH_MS,
  ICE_GIVE_UP_AFTER_MS,
  ICE_RESTART_AFTER_MS,
  INVITE_LIFETIME_MS,
  MAX_REMOTE_CANDIDATES,
  MAX_UNCHOSEN_PARTIES,
  NEGOTIATE_LIFETIME_MS,
  initialCallState,
  transition,
  type CallEffect,
  type CallMachineEvent,
  type CallMachineState,
  type TimerName,
  type Transition,
} from '../../../signaling/voip/call-machine.js';
import type {
  IceCandidate,
  SdpStreamMetadata,
  SessionDescription,
  WireIceCandidate,
} from '../../../signaling/voip/content.js';
import type { CallDirection, CallEndReason, CallKind, CallPhase, ReopenableDevice } from '../../../signaling/voip/types.js';

// --- Fixtures -------------------------------------------------------------------------------------

const CALL_ID = '1721234567890aB3dE5fG7hI9jK1l';
const ROOM_ID = '!dm:example.org';
const ME = '@alice:example.org';
const PEER = '@bob:example.org';
const STRANGER = '@carol:example.org';
const OUR_PARTY = 'ALICEDESKTOP';
/** Another device of ours (same user, other party). */
const OUR_OTHER_PARTY = 'ALICEPHONE';
/** The peer's device that answers (outbound) or invites (inbound). */
const PEER_PARTY = 'BOBPHONE01';
/** The peer's other device. */
const PEER_OTHER_PARTY = 'BOBLAPTOP2';

const T0 = 1_721_234_567_890;
const T_CONNECTED = T0 + 4_000;

const sdp = (type: 'offer' | 'answer', tag: string): SessionDescription => ({
  type,
  sdp: `v=0\r\no=- ${tag} 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n`,
});
/** `description` with an ICE username fragment, as a real one has (a new one means an ICE restart). */
const withIceUfrag = (description: SessionDescription, ufrag: string): SessionDescription => ({ ...description, sdp: `${description.sdp}a=ice-ufrag:${ufrag}\r\n` });
const OFFER = sdp('offer', 'our-offer');
const ANSWER = sdp('answer', 'our-answer');
const REMOTE_OFFER = sdp('offer', 'their-offer');
const REMOTE_ANSWER = sdp('answer', 'their-answer');
const REMOTE_ANSWER_2 = sdp('answer', 'their-other-answer');

const USERMEDIA_STREAM = '6f1c7a52-2c4e-4b1a-9d8e-3f5a7b9c1d2e';
const METADATA: SdpStreamMetadata = new Map([[USERMEDIA_STREAM, { purpose: 'm.usermedia', audioMuted: false, videoMuted: false }]]);
const MUTED_METADATA: SdpStreamMetadata = new Map([[USERMEDIA_STREAM, { purpose: 'm.usermedia', audioMuted: true, videoMuted: false }]]);
const WIRE_METADATA = { [USERMEDIA_STREAM]: { purpose: 'm.usermedia', audio_muted: false, video_muted: false } };
const WIRE_MUTED_METADATA = { [USERMEDIA_STREAM]: { purpose: 'm.usermedia', audio_muted: true, video_muted: false } };
const WIRE_CAPABILITIES = { 'm.call.transferee': false, 'm.call.dtmf': false };

const LOCAL_HOST: WireIceCandidate = { candidate: 'candidate:1 1 udp 2122260223 192.0.2.10 54321 typ host generation 0', sdpMid: '0', sdpMLineIndex: 0 };
const LOCAL_SRFLX: WireIceCandidate = { candidate: 'candidate:2 1 udp 1686052607 203.0.113.7 46154 typ srflx raddr 0.0.0.0 rport 0', sdpMid: '0', sdpMLineIndex: 0 };
const LOCAL_RELAY: WireIceCandidate = { candidate: 'candidate:3 1 udp 41885439 198.51.100.3 3478 typ relay raddr 203.0.113.7 rport 46154', sdpMid: '0', sdpMLineIndex: 0 };
const END_OF_CANDIDATES = { candidate: '' };

const remoteCandidate = (n: number): IceCandidate => ({
  candidate: `candidate:${n} 1 udp 2122260223 192.0.2.${n} 5000${n} typ host`,
  sdpMid: '0',
  sdpMLineIndex: 0,
  usernameFragment: null,
});
/** `count` distinct remote candidates from number `first` on. */
const remoteCandidates = (count: number, first = 1): IceCandidate[] => Array.from({ length: count }, (_, i) => remoteCandidate(first + i));
const R1 = remoteCandidate(1);
const R2 = remoteCandidate(2);
const R3 = remoteCandidate(3);

// --- Events ---------------------------------------------------------------------------------------

type EventType = CallMachineEvent['type'];
type EventOf<K extends EventType> = Extract<CallMachineEvent, { type: K }>;
type Envelope = { sender: string; partyId: string; version: '1' } | { sender: string; partyId: undefined; version: 0 };

/** A version "1" sender: the peer's answering/inviting device unless told otherwise. */
const v1 = (partyId: string = PEER_PARTY, sender: string = PEER): Envelope => ({ sender, partyId, version: '1' });
/** A legacy version 0 sender: no party id. */
const v0 = (sender: string = PEER): Envelope => ({ sender, partyId: undefined, version: 0 });

const ev = {
  place: (kind: CallKind = 'video'): EventOf<'place'> => ({ type: 'place', kind }),
  answer: (kind: CallKind = 'video'): EventOf<'answer'> => ({ type: 'answer', kind }),
  reject: (): EventOf<'reject'> => ({ type: 'reject' }),
  hangup: (reason?: CallEndReason): EventOf<'hangup'> => (reason === undefined ? { type: 'hangup' } : { type: 'hangup', reason }),
  micMuted: (muted: boolean): EventOf<'set_mic_muted'> => ({ type: 'set_mic_muted', muted }),
  cameraMuted: (muted: boolean): EventOf<'set_camera_muted'> => ({ type: 'set_camera_muted', muted }),
  hold: (onHold: boolean): EventOf<'set_on_hold'> => ({ type: 'set_on_hold', onHold }),
  screenshare: (enabled: boolean): EventOf<'set_screensharing'> => ({ type: 'set_screensharing', enabled }),
  upgrade: (): EventOf<'upgrade_to_video'> => ({ type: 'upgrade_to_video' }),
  reopen: (device: ReopenableDevice = 'microphone'): EventOf<'reopen_device'> => ({ type: 'reopen_device', device }),
  mediaReady: (): EventOf<'media_ready'> => ({ type: 'media_ready' }),
  mediaGranted: (): EventOf<'media_granted'> => ({ type: 'media_granted' }),
  offerApplied: (): EventOf<'remote_offer_applied'> => ({ type: 'remote_offer_applied' }),
  mediaFailed: (): EventOf<'media_failed'> => ({ type: 'media_failed', message: 'NotAllowedError: Permission denied' }),
  offerReady: (): EventOf<'offer_ready'> => ({ type: 'offer_ready', description: OFFER, metadata: METADATA }),
  answerReady: (): EventOf<'answer_ready'> => ({ type: 'answer_ready', description: ANSWER, metadata: METADATA }),
  negotiationOfferReady: (): EventOf<'negotiation_offer_ready'> => ({ type: 'negotiation_offer_ready', description: OFFER, metadata: METADATA }),
  negotiationAnswerReady: (): EventOf<'negotiation_answer_ready'> => ({ type: 'negotiation_answer_ready', description: ANSWER, metadata: METADATA }),
  localMetadata: (metadata: SdpStreamMetadata = MUTED_METADATA): EventOf<'local_metadata_changed'> => ({ type: 'local_metadata_changed', metadata }),
  candidate: (candidate: WireIceCandidate): EventOf<'local_candidate'> => ({ type: 'local_candidate', candidate }),
  gatheringComplete: (): EventOf<'local_gathering_complete'> => ({ type: 'local_gathering_complete' }),
  connection: (state: RTCPeerConnectionState, now: number = T_CONNECTED): EventOf<'connection_state'> => ({ type: 'connection_state', state, now }),
  remoteHold: (onHold: boolean): EventOf<'remote_hold_changed'> => ({ type: 'remote_hold_changed', onHold }),
  localMedia: (kind: CallKind, screensharing: boolean): EventOf<'local_media_changed'> => ({ type: 'local_media_changed', kind, screensharing }),
  driverFailed: (): EventOf<'driver_failed'> => ({ type: 'driver_failed', message: 'create_answer: InvalidStateError' }),
  remoteInvite: (from: Envelope = v1(), opts: { metadata?: SdpStreamMetadata | undefined; remainingMs?: number; kind?: CallKind } = {}): EventOf<'remote_invite'> => ({
    ...from,
    type: 'remote_invite',
    offer: REMOTE_OFFER,
    metadata: 'metadata' in opts ? opts.metadata : from.version === 0 ? undefined : METADATA,
    remainingMs: opts.remainingMs ?? 57_000,
    kind: opts.kind ?? 'video',
  }),
  remoteAnswer: (from: Envelope = v1(), opts: { metadata?: SdpStreamMetadata | undefined; answer?: SessionDescription } = {}): EventOf<'remote_answer'> => ({
    ...from,
    type: 'remote_answer',
    answer: opts.answer ?? REMOTE_ANSWER,
    metadata: 'metadata' in opts ? opts.metadata : from.version === 0 ? undefined : METADATA,
  }),
  remoteSelectAnswer: (selectedPartyId: string, from: Envelope = v1()): EventOf<'remote_select_answer'> => ({ ...from, type: 'remote_select_answer', selectedPartyId }),
  remoteReject: (from: Envelope = v1()): EventOf<'remote_reject'> => ({ ...from, type: 'remote_reject' }),
  remoteHangup: (from: Envelope = v1(), reason: CallEndReason = 'user_hangup'): EventOf<'remote_hangup'> => ({ ...from, type: 'remote_hangup', reason }),
  remoteNegotiate: (from: Envelope = v1(), metadata: SdpStreamMetadata | undefined = METADATA): EventOf<'remote_negotiate'> => ({
    ...from,
    type: 'remote_negotiate',
    description: REMOTE_OFFER,
    metadata,
  }),
  remoteCandidates: (from: Envelope = v1(), candidates: readonly IceCandidate[] = [R1]): EventOf<'remote_candidates'> => ({ ...from, type: 'remote_candidates', candidates }),
  remoteMetadata: (from: Envelope = v1(), metadata: SdpStreamMetadata = MUTED_METADATA): EventOf<'remote_metadata_changed'> => ({ ...from, type: 'remote_metadata_changed', metadata }),
  peerLeft: (): EventOf<'peer_left_room'> => ({ type: 'peer_left_room' }),
  timer: (name: TimerName): EventOf<'timer'> => ({ type: 'timer', name }),
};

/** One event of every type; the mapped type makes the compiler demand a new entry for each new event. */
const ONE_OF_EACH: { readonly [K in EventType]: EventOf<K> } = {
  place: ev.place(),
  answer: ev.answer(),
  reject: ev.reject(),
  hangup: ev.hangup(),
  set_mic_muted: ev.micMuted(true),
  set_camera_muted: ev.cameraMuted(true),
  set_on_hold: ev.hold(true),
  set_screensharing: ev.screenshare(true),
  upgrade_to_video: ev.upgrade(),
  reopen_device: ev.reopen(),
  media_ready: ev.mediaReady(),
  media_granted: ev.mediaGranted(),
  media_failed: ev.mediaFailed(),
  offer_ready: ev.offerReady(),
  answer_ready: ev.answerReady(),
  negotiation_offer_ready: ev.negotiationOfferReady(),
  negotiation_answer_ready: ev.negotiationAnswerReady(),
  local_metadata_changed: ev.localMetadata(),
  local_candidate: ev.candidate(LOCAL_SRFLX),
  local_gathering_complete: ev.gatheringComplete(),
  connection_state: ev.connection('disconnected'),
  remote_hold_changed: ev.remoteHold(true),
  local_media_changed: ev.localMedia('video', true),
  driver_failed: ev.driverFailed(),
  remote_invite: ev.remoteInvite(),
  remote_offer_applied: ev.offerApplied(),
  remote_answer: ev.remoteAnswer(),
  remote_select_answer: ev.remoteSelectAnswer(PEER_OTHER_PARTY),
  remote_reject: ev.remoteReject(),
  remote_hangup: ev.remoteHangup(),
  remote_negotiate: ev.remoteNegotiate(),
  remote_candidates: ev.remoteCandidates(),
  remote_metadata_changed: ev.remoteMetadata(),
  peer_left_room: ev.peerLeft(),
  timer: ev.timer('ice_give_up'),
};

// --- Reaching a phase -----------------------------------------------------------------------------

type LivePhase = Exclude<CallPhase, 'ended'>;

interface Start {
  readonly label: string;
  readonly direction: CallDirection;
  readonly events: readonly CallMachineEvent[];
  /** Options for `initialCallState` beyond the fixed ids. */
  readonly init?: { readonly inviteLifetimeMs?: number };
  /** Applied after the replay; for the rare state no event sequence can produce. */
  readonly patch?: Partial<CallMachineState>;
}

/** The realistic path to each phase; a phase is reached by replaying the path up to it. */
const OUTBOUND_STEPS: readonly (readonly [LivePhase, (legacy: boolean) => CallMachineEvent | undefined])[] = [
  ['fledgling', () => undefined],
  ['wait_local_media', () => ev.place()],
  ['create_offer', () => ev.mediaReady()],
  ['invite_sent', () => ev.offerReady()],
  ['connecting', (legacy) => ev.remoteAnswer(legacy ? v0() : v1())],
  ['connected', () => ev.connection('connected')],
];
const INBOUND_STEPS: readonly (readonly [LivePhase, (legacy: boolean) => CallMachineEvent | readonly CallMachineEvent[] | undefined])[] = [
  ['fledgling', () => undefined],
  ['ringing', (legacy) => [ev.remoteInvite(legacy ? v0() : v1()), ev.offerApplied()]],
  ['wait_local_media', () => ev.answer()],
  ['create_answer', () => ev.mediaReady()],
  ['connecting', () => ev.answerReady()],
  ['connected', () => ev.connection('connected')],
];
const OUTBOUND_PHASES = OUTBOUND_STEPS.map(([phase]) => phase);
const INBOUND_PHASES = INBOUND_STEPS.map(([phase]) => phase);

interface AtOptions {
  /** The peer speaks legacy version 0 (its answer or invite has no party id). */
  readonly legacy?: boolean;
  /** Events replayed after the phase is reached. */
  readonly then?: readonly CallMachineEvent[];
  readonly init?: { readonly inviteLifetimeMs?: number };
  readonly patch?: Partial<CallMachineState>;
}

/** `at('outbound', 'connected')`: the call as a realistic sequence of events leaves it in that phase. */
function at(direction: CallDirection, phase: CallPhase, options: AtOptions = {}): Start {
  const steps = direction === 'outbound' ? OUTBOUND_STEPS : INBOUND_STEPS;
  const target: LivePhase = phase === 'ended' ? 'connected' : phase;
  const index = steps.findIndex(([p]) => p === target);
  if (index < 0) throw new Error(`no ${direction} phase ${phase}`);
  const legacy = options.legacy ?? false;
  const events = steps
    .slice(0, index + 1)
    .flatMap(([, make]) => make(legacy) ?? []);
  if (phase === 'ended') events.push(ev.hangup());
  const then = options.then ?? [];
  const label = `${direction}${legacy ? ' (v0 peer)' : ''} ${phase}${then.length > 0 ? ` +${then.map((e) => e.type).join('+')}` : ''}`;
  return {
    label: options.init ? `${label} (${JSON.stringify(options.init)})` : label,
    direction,
    events: [...events, ...then],
    ...(options.init ? { init: options.init } : {}),
    ...(options.patch ? { patch: options.patch } : {}),
  };
}

function fresh(direction: CallDirection, init: Start['init'] = {}): CallMachineState {
  return initialCallState({ callId: CALL_ID, roomId: ROOM_ID, ourUserId: ME, ourPartyId: OUR_PARTY, peerUserId: PEER, direction, kind: 'video', ...init });
}

/** Freezes a value and everything reachable from it, so any mutation by the machine throws (ES modules are strict). */
function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  if (value instanceof Map) for (const [k, v] of value) { deepFreeze(k); deepFreeze(v); }
  return value;
}

/** One transition with frozen inputs, checked against the invariants every transition must keep. */
function step(state: CallMachineState, event: CallMachineEvent): Transition {
  deepFreeze(state);
  deepFreeze(event);
  const snapshot = JSON.stringify(state);
  const result = transition(state, event);
  expect(JSON.stringify(state), `${event.type} changed its input state`).to.equal(snapshot);
  checkInvariants(state, event, result);
  return result;
}

/** Replays a start, failing loudly if any step of the realistic path is not acted on. */
function reach(start: Start): CallMachineState {
  let state = fresh(start.direction, start.init);
  for (const event of start.events) {
    const result = step(state, event);
    const ignoredEffect = result.effects.find((effect) => effect.type === 'ignored');
    if (ignoredEffect) throw new Error(`setup for "${start.label}": ${event.type} was ignored (${ignoredEffect.type === 'ignored' ? ignoredEffect.reason : ''})`);
    state = result.state;
  }
  return start.patch ? { ...state, ...start.patch } : state;
}

/** Replays events from a state and returns every effect, for scenario tests. */
function play(state: CallMachineState, events: readonly CallMachineEvent[]): { state: CallMachineState; effects: CallEffect[] } {
  const effects: CallEffect[] = [];
  for (const event of events) {
    const result = step(state, event);
    effects.push(...result.effects);
    state = result.state;
  }
  return { state, effects };
}

// --- Invariants and expectations ------------------------------------------------------------------

type Sent = Extract<CallEffect, { type: 'send' }>;
const sendsOf = (effects: readonly CallEffect[]): Sent[] => effects.filter((e): e is Sent => e.type === 'send');
const isIgnored = (effects: readonly CallEffect[]): boolean => effects.some((e) => e.type === 'ignored');

function checkInvariants(before: CallMachineState, event: CallMachineEvent, result: Transition): void {
  const { state: after, effects } = result;
  const what = `${event.type} in ${before.direction} ${before.phase}`;

  // Everything we send is version "1" with our call and party ids (js-sdk does the same, even to v0 peers).
  for (const sent of sendsOf(effects)) {
    expect(sent.eventType, `${what}: event type`).to.match(/^m\.call\./);
    expect(sent.content, `${what}: ${sent.eventType} common fields`).to.deep.include({ version: '1', call_id: CALL_ID, party_id: OUR_PARTY });
  }

  // An ignored event is only logged: no other effect, and the state object is handed back untouched.
  if (isIgnored(effects)) {
    expect(effects, `${what}: an ignored event has no other effect`).to.have.lengthOf(1);
    expect(after, `${what}: an ignored event leaves the state as it was`).to.equal(before);
    const [only] = effects;
    expect(only?.type === 'ignored' && only.reason.length > 0, `${what}: ignored without a reason`).to.equal(true);
  }

  // The state's timer list follows the start/cancel effects exactly (a firing timer removes itself).
  const timers = new Set(before.timers);
  if (event.type === 'timer') timers.delete(event.name);
  for (const effect of effects) {
    if (effect.type === 'start_timer') {
      expect(effect.ms, `${what}: timer ${effect.name} delay`).to.be.at.least(0);
      timers.add(effect.name);
    }
    if (effect.type === 'cancel_timer') {
      expect(timers.has(effect.name), `${what}: cancels ${effect.name}, which is not running`).to.equal(true);
      timers.delete(effect.name);
    }
  }
  expect([...after.timers].sort(), `${what}: timers in state vs. timer effects`).to.deep.equal([...timers].sort());

  // Ending: exactly one close, last; nothing left running or pending. Never a close otherwise.
  const closes = effects.filter((e) => e.type === 'close').length;
  if (after.phase === 'ended' && before.phase !== 'ended') {
    expect(closes, `${what}: close effects`).to.equal(1);
    expect(effects[effects.length - 1]?.type, `${what}: close comes last`).to.equal('close');
    expect(after.timers, `${what}: timers after the end`).to.deep.equal([]);
    expect(after.pendingCandidates, `${what}: pending candidates after the end`).to.deep.equal([]);
    expect(after.endReason, `${what}: end reason`).to.not.equal(undefined);
    expect(after.endedBy, `${what}: ended by`).to.not.equal(undefined);
  } else {
    expect(closes, `${what}: close without ending`).to.equal(0);
  }

  // Identity never changes.
  for (const key of ['callId', 'roomId', 'ourUserId', 'ourPartyId', 'peerUserId', 'direction'] as const) {
    expect(after[key], `${what}: ${key}`).to.equal(before[key]);
  }
}

interface Expectation {
  readonly phase?: CallPhase;
  readonly endReason?: CallEndReason;
  readonly endedBy?: 'local' | 'remote';
  /** Event types sent, in order; `[]` means nothing is sent. */
  readonly sends?: readonly string[];
  /** Each sent content, in order, must include these fields (deeply). */
  readonly contents?: readonly Record<string, unknown>[];
  /** Every effect's type, in order. */
  readonly effects?: readonly CallEffect['type'][];
  /** The `start_timer` effects, in order. */
  readonly starts?: readonly (readonly [TimerName, number])[];
  /** The `cancel_timer` effects, in order. */
  readonly cancels?: readonly TimerName[];
  /** The event is ignored: one `ignored` effect, the state untouched. */
  readonly ignored?: true;
  /** Fields of the resulting state. */
  readonly state?: Partial<CallMachineState>;
  /** Anything a table cell cannot say. */
  readonly check?: (result: Transition, before: CallMachineState) => void;
}

interface Row {
  readonly name: string;
  readonly from: Start;
  readonly event: CallMachineEvent;
  readonly expect: Expectation;
}

function verify(result: Transition, before: CallMachineState, want: Expectation): void {
  const { state, effects } = result;
  if (want.ignored) {
    expect(effects.map((e) => e.type), 'effects of an ignored event').to.deep.equal(['ignored']);
    expect(state, 'state after an ignored event').to.equal(before);
  } else {
    expect(isIgnored(effects), `ignored: ${JSON.stringify(effects.find((e) => e.type === 'ignored'))}`).to.equal(false);
  }
  if (want.phase !== undefined) expect(state.phase, 'phase').to.equal(want.phase);
  if (want.endReason !== undefined) expect(state.endReason, 'endReason').to.equal(want.endReason);
  if (want.endedBy !== undefined) expect(state.endedBy, 'endedBy').to.equal(want.endedBy);
  if (want.sends !== undefined) expect(sendsOf(effects).map((s) => s.eventType), 'sent event types').to.deep.equal(want.sends);
  if (want.contents !== undefined) {
    const sent = sendsOf(effects);
    expect(sent.length, 'number of sent events').to.equal(want.contents.length);
    want.contents.forEach((fields, i) => expect(sent[i]?.content, `content of ${sent[i]?.eventType ?? `send #${i}`}`).to.deep.include(fields));
  }
  if (want.effects !== undefined) expect(effects.map((e) => e.type), 'effect types').to.deep.equal(want.effects);
  if (want.starts !== undefined) {
    const starts = effects.flatMap((e) => (e.type === 'start_timer' ? [[e.name, e.ms]] : []));
    expect(starts, 'timers started').to.deep.equal(want.starts);
  }
  if (want.cancels !== undefined) {
    expect(effects.flatMap((e) => (e.type === 'cancel_timer' ? [e.name] : [])), 'timers cancelled').to.deep.equal(want.cancels);
  }
  if (want.state !== undefined) {
    for (const [key, value] of Object.entries(want.state)) {
      expect(state[key as keyof CallMachineState], `state.${key}`).to.deep.equal(value);
    }
  }
  want.check?.(result, before);
}

/** Mocha has no `test.each`: one `it` per row, named after the row and where it starts. */
function table(rows: readonly Row[]): void {
  for (const row of rows) {
    it(`${row.name} [from ${row.from.label}]`, () => {
      const before = reach(row.from);
      verify(step(before, row.event), before, row.expect);
    });
  }
}

const effectOf = <K extends CallEffect['type']>(effects: readonly CallEffect[], type: K): Extract<CallEffect, { type: K }> => {
  const found = effects.find((e): e is Extract<CallEffect, { type: K }> => e.type === type);
  if (!found) throw new Error(`no ${type} effect in ${JSON.stringify(effects.map((e) => e.type))}`);
  return found;
};

const COMMON = { version: '1', call_id: CALL_ID, party_id: OUR_PARTY };
const ENDED = (endReason: CallEndReason, endedBy: 'local' | 'remote'): Expectation => ({ phase: 'ended', endReason, endedBy });

// --- Tables ---------------------------------------------------------------------------------------

describe('call machine', () => {
  describe('constants', () => {
    it('sends invites that live the spec\'s recommended minimum of 90 s by default', () => {
      expect(INVITE_LIFETIME_MS).to.equal(90_000);
      expect(fresh('outbound').inviteLifetimeMs).to.equal(90_000);
      expect(fresh('outbound', { inviteLifetimeMs: 120_000 }).inviteLifetimeMs).to.equal(120_000);
    });

    it('uses matrix-js-sdk\'s ICE timings (restart after 2 s disconnected, give up after 30 s) and negotiate lifetime (60 s)', () => {
      expect(ICE_RESTART_AFTER_MS).to.equal(2_000);
      expect(ICE_GIVE_UP_AFTER_MS).to.equal(30_000);
      expect(NEGOTIATE_LIFETIME_MS).to.equal(60_000);
    });

    it('uses the spec\'s suggested candidate batching windows: 2 s after the invite, 500 ms after the answer', () => {
      expect(CANDIDATE_BATCH_MS).to.deep.equal({ outbound: 2_000, inbound: 500 });
    });
  });

  describe('initial state', () => {
    it('starts fledgling, with nothing running and no peer party', () => {
      for (const direction of ['outbound', 'inbound'] as const) {
        const state = fresh(direction);
        expect(state).to.deep.include({
          phase: 'fledgling',
          direction,
          callId: CALL_ID,
          peerPartyId: undefined,
          peerVersion: undefined,
          timers: [],
          pendingCandidates: [],
          unchosenCandidates: {},
          remoteCandidatesTaken: 0,
          remoteIceUfrag: undefined,
          endReason: undefined,
          endedBy: undefined,
          wasConnected: false,
        });
      }
    });

    it('is polite for inbound calls and impolite for outbound ones (spec "Politeness": the callee is polite)', () => {
      expect(fresh('inbound').polite).to.equal(true);
      expect(fresh('outbound').polite).to.equal(false);
    });
  });

  describe('local intents in every phase', () => {
    const intents = { place: ev.place(), answer: ev.answer(), reject: ev.reject() } as const;
    // Only one phase accepts each of these; everywhere else they are ignored.
    const accepts: Record<keyof typeof intents, readonly [CallDirection, CallPhase]> = {
      place: ['outbound', 'fledgling'],
      answer: ['inbound', 'ringing'],
      reject: ['inbound', 'ringing'],
    };
    const ignoredRows: Row[] = [];
    for (const direction of ['outbound', 'inbound'] as const) {
      for (const phase of [...(direction === 'outbound' ? OUTBOUND_PHASES : INBOUND_PHASES), 'ended'] as const) {
        for (const intent of Object.keys(intents) as (keyof typeof intents)[]) {
          const [d, p] = accepts[intent];
          if (d === direction && p === phase) continue;
          ignoredRows.push({ name: `${intent} is ignored`, from: at(direction, phase), event: intents[intent], expect: { ignored: true } });
        }
      }
    }

    table([
      {
        name: 'place starts an outbound call: wait for media of the kind asked for',
        from: at('outbound', 'fledgling'),
        event: ev.place('voice'),
        expect: { phase: 'wait_local_media', effects: ['acquire_media'], state: { kind: 'voice' }, check: ({ effects }) => expect(effectOf(effects, 'acquire_media').kind).to.equal('voice') },
      },
      {
        name: 'answer stops the ring timer and acquires media of the kind asked for',
        from: at('inbound', 'ringing'),
        event: ev.answer('voice'),
        expect: { phase: 'wait_local_media', effects: ['cancel_timer', 'acquire_media'], cancels: ['ring'], sends: [], state: { kind: 'voice' }, check: ({ effects }) => expect(effectOf(effects, 'acquire_media').kind).to.equal('voice') },
      },
      {
        name: 'reject declines with m.call.reject (common fields only, no reason) and stops the ring timer',
        from: at('inbound', 'ringing'),
        event: ev.reject(),
        expect: {
          ...ENDED('rejected', 'local'),
          effects: ['send', 'cancel_timer', 'close'],
          sends: ['m.call.reject'],
          check: ({ effects }) => expect(sendsOf(effects)[0]?.content).to.deep.equal(COMMON),
        },
      },
      ...ignoredRows,
    ]);

    // Hangup is accepted in every live phase; what goes on the wire depends on what the peer knows.
    table([
      { name: 'hangup before anything happened sends nothing', from: at('outbound', 'fledgling'), event: ev.hangup(), expect: { ...ENDED('user_hangup', 'local'), effects: ['close'] } },
      { name: 'hangup while waiting for media sends nothing (no invite went out)', from: at('outbound', 'wait_local_media'), event: ev.hangup(), expect: { ...ENDED('user_hangup', 'local'), effects: ['close'] } },
      { name: 'hangup while creating the offer sends nothing (no invite went out)', from: at('outbound', 'create_offer'), event: ev.hangup(), expect: { ...ENDED('user_hangup', 'local'), effects: ['close'] } },
      {
        name: 'hangup after the invite cancels it with m.call.hangup user_hangup and stops the invite timer',
        from: at('outbound', 'invite_sent'),
        event: ev.hangup(),
        expect: { ...ENDED('user_hangup', 'local'), effects: ['send', 'cancel_timer', 'close'], cancels: ['invite'], sends: ['m.call.hangup'], contents: [{ ...COMMON, reason: 'user_hangup' }] },
      },
      {
        name: 'hangup while connecting sends m.call.hangup user_hangup',
        from: at('outbound', 'connecting'),
        event: ev.hangup(),
        expect: { ...ENDED('user_hangup', 'local'), sends: ['m.call.hangup'], contents: [{ ...COMMON, reason: 'user_hangup' }] },
      },
      {
        name: 'hangup while connected sends m.call.hangup user_hangup',
        from: at('outbound', 'connected'),
        event: ev.hangup(),
        expect: { ...ENDED('user_hangup', 'local'), effects: ['send', 'close'], sends: ['m.call.hangup'], contents: [{ ...COMMON, reason: 'user_hangup' }] },
      },
      { name: 'hangup after the end is ignored', from: at('outbound', 'ended'), event: ev.hangup(), expect: { ignored: true } },
      {
        name: 'hangup of a ringing call declines it with m.call.reject, not a hangup a js-sdk caller would ignore',
        from: at('inbound', 'ringing'),
        event: ev.hangup(),
        expect: { ...ENDED('user_hangup', 'local'), sends: ['m.call.reject'], cancels: ['ring'], check: ({ effects }) => expect(sendsOf(effects)[0]?.content).to.deep.equal(COMMON) },
      },
      {
        name: 'busy: hangup user_busy of a ringing call declines with m.call.reject (a js-sdk caller ignores a busy hangup)',
        from: at('inbound', 'ringing'),
        event: ev.hangup('user_busy'),
        expect: { ...ENDED('user_busy', 'local'), sends: ['m.call.reject'], check: ({ effects }) => expect(sendsOf(effects)[0]?.content).to.deep.equal(COMMON) },
      },
      {
        name: 'hangup after pressing answer but before the answer is out declines with m.call.reject',
        from: at('inbound', 'wait_local_media'),
        event: ev.hangup(),
        expect: { ...ENDED('user_hangup', 'local'), sends: ['m.call.reject'] },
      },
      {
        name: 'hangup while creating the answer declines with m.call.reject',
        from: at('inbound', 'create_answer'),
        event: ev.hangup(),
        expect: { ...ENDED('user_hangup', 'local'), sends: ['m.call.reject'] },
      },
      {
        name: 'hangup after our answer is out sends m.call.hangup user_hangup',
        from: at('inbound', 'connecting'),
        event: ev.hangup(),
        expect: { ...ENDED('user_hangup', 'local'), sends: ['m.call.hangup'], contents: [{ ...COMMON, reason: 'user_hangup' }] },
      },
      {
        name: 'hangup while connected (inbound) sends m.call.hangup user_hangup',
        from: at('inbound', 'connected'),
        event: ev.hangup(),
        expect: { ...ENDED('user_hangup', 'local'), sends: ['m.call.hangup'], contents: [{ ...COMMON, reason: 'user_hangup' }] },
      },
      { name: 'hangup after the end is ignored (inbound)', from: at('inbound', 'ended'), event: ev.hangup(), expect: { ignored: true } },
      // Reasons
      {
        name: 'hangup with a spec reason sends that reason',
        from: at('outbound', 'connected'),
        event: ev.hangup('user_busy'),
        expect: { ...ENDED('user_busy', 'local'), contents: [{ reason: 'user_busy' }] },
      },
      {
        name: 'glare: hangup "replaced" after the invite sends reason replaced (js-sdk sends it on glare)',
        from: at('outbound', 'invite_sent'),
        event: ev.hangup('replaced'),
        expect: { ...ENDED('replaced', 'local'), contents: [{ reason: 'replaced' }] },
      },
      {
        name: 'glare: hangup "replaced" while still preparing the invite sends nothing',
        from: at('outbound', 'create_offer'),
        event: ev.hangup('replaced'),
        expect: { ...ENDED('replaced', 'local'), sends: [] },
      },
      {
        name: 'hangup with an end reason that is not a hangup reason goes on the wire as user_hangup',
        from: at('outbound', 'connected'),
        event: ev.hangup('answered_elsewhere'),
        expect: { ...ENDED('answered_elsewhere', 'local'), contents: [{ reason: 'user_hangup' }] },
      },
      {
        name: 'hangup flushes candidates still waiting for their batch before the hangup',
        from: at('outbound', 'invite_sent', { then: [ev.candidate(LOCAL_SRFLX)] }),
        event: ev.hangup(),
        expect: { ...ENDED('user_hangup', 'local'), sends: ['m.call.candidates', 'm.call.hangup'], contents: [{ candidates: [LOCAL_SRFLX] }, { reason: 'user_hangup' }], cancels: ['candidates', 'invite'] },
      },
    ]);

    describe('legacy version 0 peers', () => {
      table([
        {
          name: 'reject declines a v0 call with m.call.hangup (v0 has no m.call.reject)',
          from: at('inbound', 'ringing', { legacy: true }),
          event: ev.reject(),
          expect: { ...ENDED('rejected', 'local'), sends: ['m.call.hangup'], contents: [{ ...COMMON, reason: 'user_hangup' }] },
        },
        {
          name: 'hangup of a ringing v0 call sends m.call.hangup',
          from: at('inbound', 'ringing', { legacy: true }),
          event: ev.hangup(),
          expect: { ...ENDED('user_hangup', 'local'), sends: ['m.call.hangup'], contents: [{ reason: 'user_hangup' }] },
        },
        {
          // v0 has no reject, so the hangup's reason is all a legacy caller learns; js-sdk's hangup(reason)
          // keeps every reason but user_hangup for v0 opponents.
          name: 'busy: hangup user_busy of a ringing v0 call sends m.call.hangup with reason user_busy',
          from: at('inbound', 'ringing', { legacy: true }),
          event: ev.hangup('user_busy'),
          expect: { ...ENDED('user_busy', 'local'), sends: ['m.call.hangup'], contents: [{ ...COMMON, reason: 'user_busy' }] },
        },
        {
          name: 'hangup of a connected v0 call sends m.call.hangup (version "1", as js-sdk does)',
          from: at('outbound', 'connected', { legacy: true }),
          event: ev.hangup(),
          expect: { ...ENDED('user_hangup', 'local'), sends: ['m.call.hangup'], contents: [{ ...COMMON, reason: 'user_hangup' }] },
        },
      ]);
    });
  });

  describe('setting up the call', () => {
    table([
      {
        name: 'media_ready on an outbound call creates the offer',
        from: at('outbound', 'wait_local_media'),
        event: ev.mediaReady(),
        expect: { phase: 'create_offer', effects: ['create_offer'] },
      },
      {
        name: 'media_ready on an inbound call creates the answer',
        from: at('inbound', 'wait_local_media'),
        event: ev.mediaReady(),
        expect: { phase: 'create_answer', effects: ['create_answer'] },
      },
      { name: 'media_ready when not waiting for media is ignored', from: at('outbound', 'invite_sent'), event: ev.mediaReady(), expect: { ignored: true } },
      {
        name: 'media_granted (permission held, camera still opening) on an outbound call creates the offer, media pending',
        from: at('outbound', 'wait_local_media'),
        event: ev.mediaGranted(),
        expect: { phase: 'create_offer', effects: ['create_offer'], state: { mediaPending: true } },
      },
      {
        name: 'media_granted on an inbound call creates the answer, media pending',
        from: at('inbound', 'wait_local_media'),
        event: ev.mediaGranted(),
        expect: { phase: 'create_answer', effects: ['create_answer'], state: { mediaPending: true } },
      },
      { name: 'media_granted when not waiting for media is ignored', from: at('inbound', 'create_answer'), event: ev.mediaGranted(), expect: { ignored: true } },
      {
        name: 'media_ready after media_granted (invite already out) only clears the pending flag',
        from: at('outbound', 'wait_local_media', { then: [ev.mediaGranted(), ev.offerReady()] }),
        event: ev.mediaReady(),
        expect: { phase: 'invite_sent', effects: [], state: { mediaPending: false } },
      },
      {
        name: 'media_ready after media_granted while the answer is prepared only clears the pending flag',
        from: at('inbound', 'wait_local_media', { then: [ev.mediaGranted()] }),
        event: ev.mediaReady(),
        expect: { phase: 'create_answer', effects: [], state: { mediaPending: false } },
      },
      {
        name: 'offer_ready sends the invite (90 s lifetime, invitee, metadata, capabilities) and starts the invite timer',
        from: at('outbound', 'create_offer'),
        event: ev.offerReady(),
        expect: {
          phase: 'invite_sent',
          effects: ['send', 'start_timer'],
          sends: ['m.call.invite'],
          starts: [['invite', INVITE_LIFETIME_MS]],
          contents: [{ ...COMMON, offer: OFFER, lifetime: 90_000, invitee: PEER, sdp_stream_metadata: WIRE_METADATA, capabilities: WIRE_CAPABILITIES }],
        },
      },
      {
        name: 'a configured invite lifetime is both the invite\'s lifetime and the invite timer',
        from: at('outbound', 'create_offer', { init: { inviteLifetimeMs: 120_000 } }),
        event: ev.offerReady(),
        expect: { phase: 'invite_sent', starts: [['invite', 120_000]], contents: [{ lifetime: 120_000 }] },
      },
      { name: 'offer_ready when not creating an offer is ignored', from: at('outbound', 'invite_sent'), event: ev.offerReady(), expect: { ignored: true } },
      {
        name: 'remote_invite applies the offer politely and starts the ring timer for what is left of the lifetime; it rings once the offer is applied',
        from: at('inbound', 'fledgling'),
        event: ev.remoteInvite(v1(), { remainingMs: 41_500, kind: 'voice' }),
        expect: {
          phase: 'fledgling',
          effects: ['apply_remote_description', 'start_timer'],
          sends: [],
          starts: [['ring', 41_500]],
          state: { peerPartyId: PEER_PARTY, peerVersion: '1', peerSupportsMetadata: true, kind: 'voice', polite: true },
          check: ({ effects }) => expect(effectOf(effects, 'apply_remote_description')).to.deep.equal({ type: 'apply_remote_description', description: REMOTE_OFFER, metadata: METADATA, polite: true }),
        },
      },
      {
        name: 'remote_invite without sdp_stream_metadata: the peer does not support it',
        from: at('inbound', 'fledgling'),
        event: ev.remoteInvite(v1(), { metadata: undefined }),
        expect: { phase: 'fledgling', state: { peerSupportsMetadata: false } },
      },
      {
        name: 'remote_invite from a v0 caller: no party id, version 0',
        from: at('inbound', 'fledgling'),
        event: ev.remoteInvite(v0()),
        expect: { phase: 'fledgling', state: { peerPartyId: undefined, peerVersion: 0, peerSupportsMetadata: false } },
      },
      {
        name: 'the invite\'s offer applied: the call rings',
        from: at('inbound', 'fledgling', { then: [ev.remoteInvite()] }),
        event: ev.offerApplied(),
        expect: { phase: 'ringing', effects: [], sends: [] },
      },
      {
        name: 'an offer applied with no invite (a new call) changes nothing',
        from: at('inbound', 'fledgling'),
        event: ev.offerApplied(),
        expect: { phase: 'fledgling', effects: [] },
      },
      {
        name: 'an offer applied again while ringing changes nothing',
        from: at('inbound', 'ringing'),
        event: ev.offerApplied(),
        expect: { phase: 'ringing', effects: [] },
      },
      {
        name: 'a second invite before the first offer is applied is ignored',
        from: at('inbound', 'fledgling', { then: [ev.remoteInvite()] }),
        event: ev.remoteInvite(v1(PEER_OTHER_PARTY)),
        expect: { ignored: true },
      },
      {
        name: 'glare answers an invite before its offer is applied: media is acquired at once',
        from: at('inbound', 'fledgling', { then: [ev.remoteInvite()] }),
        event: ev.answer(),
        expect: { phase: 'wait_local_media', effects: ['cancel_timer', 'acquire_media'] },
      },
      {
        name: 'busy declines an invite before its offer is applied with m.call.reject',
        from: at('inbound', 'fledgling', { then: [ev.remoteInvite()] }),
        event: ev.reject(),
        expect: { phase: 'ended', endReason: 'rejected', sends: ['m.call.reject'] },
      },
      { name: 'a second remote_invite for the same call is ignored', from: at('inbound', 'ringing'), event: ev.remoteInvite(v1(PEER_OTHER_PARTY)), expect: { ignored: true } },
      { name: 'remote_invite on an outbound call is ignored (glare is the manager\'s business)', from: at('outbound', 'invite_sent'), event: ev.remoteInvite(), expect: { ignored: true } },
      {
        name: 'answer_ready sends the answer (metadata, capabilities) and moves to connecting',
        from: at('inbound', 'create_answer'),
        event: ev.answerReady(),
        expect: {
          phase: 'connecting',
          effects: ['send'],
          sends: ['m.call.answer'],
          contents: [{ ...COMMON, answer: ANSWER, sdp_stream_metadata: WIRE_METADATA, capabilities: WIRE_CAPABILITIES }],
        },
      },
      { name: 'answer_ready when not creating an answer is ignored', from: at('inbound', 'connecting'), event: ev.answerReady(), expect: { ignored: true } },
    ]);
  });

  describe('remote events', () => {
    describe('answers and select_answer', () => {
      table([
        {
          name: 'the first answer wins: SRD (impolite caller), then select_answer naming its party',
          from: at('outbound', 'invite_sent'),
          event: ev.remoteAnswer(v1(PEER_PARTY)),
          expect: {
            phase: 'connecting',
            effects: ['cancel_timer', 'apply_remote_description', 'send'],
            cancels: ['invite'],
            sends: ['m.call.select_answer'],
            contents: [{ ...COMMON, selected_party_id: PEER_PARTY }],
            state: { peerPartyId: PEER_PARTY, peerVersion: '1', peerSupportsMetadata: true },
            check: ({ effects }) => expect(effectOf(effects, 'apply_remote_description')).to.deep.equal({ type: 'apply_remote_description', description: REMOTE_ANSWER, metadata: METADATA, polite: false }),
          },
        },
        {
          name: 'an answer without sdp_stream_metadata: the peer does not support it',
          from: at('outbound', 'invite_sent'),
          event: ev.remoteAnswer(v1(), { metadata: undefined }),
          expect: { phase: 'connecting', state: { peerSupportsMetadata: false } },
        },
        {
          name: 'a v0 answer is accepted without select_answer (v0 does not know it)',
          from: at('outbound', 'invite_sent'),
          event: ev.remoteAnswer(v0()),
          expect: { phase: 'connecting', sends: [], effects: ['cancel_timer', 'apply_remote_description'], state: { peerVersion: 0, peerPartyId: undefined } },
        },
        {
          name: 'a second answer from another party of the peer is ignored',
          from: at('outbound', 'connecting'),
          event: ev.remoteAnswer(v1(PEER_OTHER_PARTY), { answer: REMOTE_ANSWER_2 }),
          expect: { ignored: true },
        },
        { name: 'a second answer after connecting is ignored', from: at('outbound', 'connected'), event: ev.remoteAnswer(v1(PEER_OTHER_PARTY)), expect: { ignored: true } },
        { name: 'an answer from someone who was not invited is ignored', from: at('outbound', 'invite_sent'), event: ev.remoteAnswer(v1('CAROLDEV', STRANGER)), expect: { ignored: true } },
        { name: 'an answer from our own other device on our own outbound call is ignored', from: at('outbound', 'invite_sent'), event: ev.remoteAnswer(v1(OUR_OTHER_PARTY, ME)), expect: { ignored: true } },
        { name: 'an answer before our invite is out is ignored', from: at('outbound', 'create_offer'), event: ev.remoteAnswer(), expect: { ignored: true } },
        {
          name: 'our own other device answering while we ring: answered elsewhere, nothing sent',
          from: at('inbound', 'ringing'),
          event: ev.remoteAnswer(v1(OUR_OTHER_PARTY, ME)),
          expect: { ...ENDED('answered_elsewhere', 'remote'), sends: [], effects: ['cancel_timer', 'close'] },
        },
        { name: 'our other device answering after we pressed answer is ignored (the caller\'s select_answer decides)', from: at('inbound', 'wait_local_media'), event: ev.remoteAnswer(v1(OUR_OTHER_PARTY, ME)), expect: { ignored: true } },
        { name: 'an answer from the caller on an inbound call is ignored', from: at('inbound', 'ringing'), event: ev.remoteAnswer(), expect: { ignored: true } },
        {
          name: 'select_answer naming another party: answered elsewhere, nothing sent',
          from: at('inbound', 'connecting'),
          event: ev.remoteSelectAnswer(OUR_OTHER_PARTY),
          expect: { ...ENDED('answered_elsewhere', 'remote'), sends: [], effects: ['close'] },
        },
        {
          name: 'select_answer naming another party while still ringing: answered elsewhere, ring timer stopped',
          from: at('inbound', 'ringing'),
          event: ev.remoteSelectAnswer(OUR_OTHER_PARTY),
          expect: { ...ENDED('answered_elsewhere', 'remote'), sends: [], cancels: ['ring'] },
        },
        { name: 'select_answer naming us changes nothing', from: at('inbound', 'connecting'), event: ev.remoteSelectAnswer(OUR_PARTY), expect: { ignored: true } },
        { name: 'select_answer from another device of the caller is ignored', from: at('inbound', 'connecting'), event: ev.remoteSelectAnswer(OUR_OTHER_PARTY, v1(PEER_OTHER_PARTY)), expect: { ignored: true } },
        { name: 'select_answer from a stranger is ignored', from: at('inbound', 'connecting'), event: ev.remoteSelectAnswer(OUR_OTHER_PARTY, v1(PEER_PARTY, STRANGER)), expect: { ignored: true } },
        { name: 'select_answer on an outbound call is ignored', from: at('outbound', 'connecting'), event: ev.remoteSelectAnswer(PEER_OTHER_PARTY), expect: { ignored: true } },
      ]);
    });

    describe('rejects', () => {
      table([
        {
          name: 'a reject before any answer ends the call "rejected"; the caller selects it (spec)',
          from: at('outbound', 'invite_sent'),
          event: ev.remoteReject(v1(PEER_PARTY)),
          expect: { ...ENDED('rejected', 'remote'), sends: ['m.call.select_answer'], contents: [{ ...COMMON, selected_party_id: PEER_PARTY }], cancels: ['invite'] },
        },
        { name: 'a reject after an answer was chosen is disregarded (spec)', from: at('outbound', 'connecting'), event: ev.remoteReject(v1(PEER_OTHER_PARTY)), expect: { ignored: true } },
        { name: 'a reject from a stranger is ignored', from: at('outbound', 'invite_sent'), event: ev.remoteReject(v1('CAROLDEV', STRANGER)), expect: { ignored: true } },
        {
          name: 'our own other device rejecting while we ring: rejected elsewhere, nothing sent',
          from: at('inbound', 'ringing'),
          event: ev.remoteReject(v1(OUR_OTHER_PARTY, ME)),
          expect: { ...ENDED('rejected_elsewhere', 'remote'), sends: [], cancels: ['ring'] },
        },
        { name: 'our own other device rejecting after we answered is ignored', from: at('inbound', 'connecting'), event: ev.remoteReject(v1(OUR_OTHER_PARTY, ME)), expect: { ignored: true } },
        { name: 'a reject from the caller on an inbound call is ignored', from: at('inbound', 'ringing'), event: ev.remoteReject(), expect: { ignored: true } },
      ]);
    });

    describe('hangups', () => {
      table([
        {
          name: 'a hangup from the chosen party ends the call with its reason, nothing sent',
          from: at('outbound', 'connected'),
          event: ev.remoteHangup(v1(PEER_PARTY), 'user_hangup'),
          expect: { ...ENDED('user_hangup', 'remote'), sends: [], effects: ['close'] },
        },
        {
          name: 'a hangup from the chosen party while connecting ends the call (ice_failed)',
          from: at('outbound', 'connecting'),
          event: ev.remoteHangup(v1(PEER_PARTY), 'ice_failed'),
          expect: { ...ENDED('ice_failed', 'remote'), sends: [] },
        },
        { name: 'a hangup from an unchosen party is ignored (js-sdk semantics)', from: at('outbound', 'connected'), event: ev.remoteHangup(v1(PEER_OTHER_PARTY)), expect: { ignored: true } },
        { name: 'a v1 hangup before any answer is chosen is ignored (a v1 callee declines with reject)', from: at('outbound', 'invite_sent'), event: ev.remoteHangup(v1(PEER_PARTY)), expect: { ignored: true } },
        {
          name: 'a legacy v0 callee declining with a hangup ends the call',
          from: at('outbound', 'invite_sent'),
          event: ev.remoteHangup(v0(), 'user_hangup'),
          expect: { ...ENDED('user_hangup', 'remote'), sends: [], cancels: ['invite'] },
        },
        {
          name: 'a busy callee device declining with hangup user_busy before an answer ends the call user_busy',
          from: at('outbound', 'invite_sent'),
          event: ev.remoteHangup(v1(PEER_OTHER_PARTY), 'user_busy'),
          expect: { ...ENDED('user_busy', 'remote'), sends: [], cancels: ['invite'] },
        },
        { name: 'a user_busy hangup from an unchosen party after an answer was chosen is ignored', from: at('outbound', 'connecting'), event: ev.remoteHangup(v1(PEER_OTHER_PARTY), 'user_busy'), expect: { ignored: true } },
        { name: 'a user_busy hangup from a stranger is ignored', from: at('outbound', 'invite_sent'), event: ev.remoteHangup(v1('CAROLDEV', STRANGER), 'user_busy'), expect: { ignored: true } },
        { name: 'a v0 hangup from a stranger is not a legacy decline', from: at('outbound', 'invite_sent'), event: ev.remoteHangup(v0(STRANGER)), expect: { ignored: true } },
        {
          name: 'a hangup from a chosen v0 peer ends the call (no party ids to match)',
          from: at('outbound', 'connected', { legacy: true }),
          event: ev.remoteHangup(v0()),
          expect: { ...ENDED('user_hangup', 'remote'), sends: [] },
        },
        {
          name: 'the caller cancelling while we ring ends the call, nothing sent, ring timer stopped',
          from: at('inbound', 'ringing'),
          event: ev.remoteHangup(v1(PEER_PARTY), 'user_hangup'),
          expect: { ...ENDED('user_hangup', 'remote'), sends: [], effects: ['cancel_timer', 'close'], cancels: ['ring'] },
        },
        {
          name: 'the caller timing its invite out while we ring ends the call invite_timeout',
          from: at('inbound', 'ringing'),
          event: ev.remoteHangup(v1(PEER_PARTY), 'invite_timeout'),
          expect: { ...ENDED('invite_timeout', 'remote'), sends: [] },
        },
        {
          name: 'a v0 caller cancelling while we ring ends the call',
          from: at('inbound', 'ringing', { legacy: true }),
          event: ev.remoteHangup(v0()),
          expect: { ...ENDED('user_hangup', 'remote'), sends: [] },
        },
        { name: 'a hangup from another device of the caller is ignored', from: at('inbound', 'ringing'), event: ev.remoteHangup(v1(PEER_OTHER_PARTY)), expect: { ignored: true } },
        { name: 'a hangup from a stranger is ignored', from: at('inbound', 'connected'), event: ev.remoteHangup(v1(PEER_PARTY, STRANGER)), expect: { ignored: true } },
        {
          name: 'the peer leaving the room counts as a hangup (spec "Behaviour on Room Leave")',
          from: at('outbound', 'connected', { then: [ev.connection('disconnected')] }),
          event: ev.peerLeft(),
          expect: { ...ENDED('user_hangup', 'remote'), sends: [], cancels: ['ice_restart', 'ice_give_up'] },
        },
      ]);
    });

    describe('negotiate', () => {
      table([
        {
          name: 'a negotiate from the chosen party while connected is applied, impolitely on an outbound call',
          from: at('outbound', 'connected'),
          event: ev.remoteNegotiate(v1(PEER_PARTY)),
          expect: { effects: ['apply_remote_description'], sends: [], check: ({ effects }) => expect(effectOf(effects, 'apply_remote_description')).to.deep.equal({ type: 'apply_remote_description', description: REMOTE_OFFER, metadata: METADATA, polite: false }) },
        },
        {
          name: 'a negotiate from the caller while connected is applied politely on an inbound call',
          from: at('inbound', 'connected'),
          event: ev.remoteNegotiate(v1(PEER_PARTY)),
          expect: { effects: ['apply_remote_description'], check: ({ effects }) => expect(effectOf(effects, 'apply_remote_description').polite).to.equal(true) },
        },
        { name: 'a negotiate while connecting is applied', from: at('inbound', 'connecting'), event: ev.remoteNegotiate(), expect: { effects: ['apply_remote_description'] } },
        {
          name: 'a negotiate carrying metadata marks a peer whose answer had none as supporting it (as js-sdk does)',
          from: at('outbound', 'invite_sent', { then: [ev.remoteAnswer(v1(), { metadata: undefined }), ev.connection('connected')] }),
          event: ev.remoteNegotiate(v1(), METADATA),
          expect: { effects: ['apply_remote_description'], state: { peerSupportsMetadata: true } },
        },
        { name: 'a negotiate from an unchosen party is ignored', from: at('outbound', 'connected'), event: ev.remoteNegotiate(v1(PEER_OTHER_PARTY)), expect: { ignored: true } },
        { name: 'a negotiate from a stranger is ignored', from: at('outbound', 'connected'), event: ev.remoteNegotiate(v1(PEER_PARTY, STRANGER)), expect: { ignored: true } },
        { name: 'a negotiate before any answer is chosen is ignored', from: at('outbound', 'invite_sent'), event: ev.remoteNegotiate(), expect: { ignored: true } },
        { name: 'a negotiate while ringing is ignored', from: at('inbound', 'ringing'), event: ev.remoteNegotiate(), expect: { ignored: true } },
        { name: 'a negotiate while creating our answer is ignored', from: at('inbound', 'create_answer'), event: ev.remoteNegotiate(), expect: { ignored: true } },
        { name: 'a negotiate from a v0 peer is ignored (v0 cannot renegotiate)', from: at('outbound', 'connected', { legacy: true }), event: ev.remoteNegotiate(v0()), expect: { ignored: true } },
      ]);
    });

    describe('remote candidates', () => {
      table([
        {
          name: 'candidates before an answer are held per party, nothing applied',
          from: at('outbound', 'invite_sent', { then: [ev.remoteCandidates(v1(PEER_PARTY), [R1])] }),
          event: ev.remoteCandidates(v1(PEER_OTHER_PARTY), [R2]),
          expect: { effects: [], state: { unchosenCandidates: { [PEER_PARTY]: [R1], [PEER_OTHER_PARTY]: [R2] } } },
        },
        {
          name: 'more candidates from the same unchosen party are appended in order',
          from: at('outbound', 'invite_sent', { then: [ev.remoteCandidates(v1(PEER_PARTY), [R1])] }),
          event: ev.remoteCandidates(v1(PEER_PARTY), [R2, R3]),
          expect: { effects: [], state: { unchosenCandidates: { [PEER_PARTY]: [R1, R2, R3] } } },
        },
        {
          name: 'the chosen party\'s held candidates are replayed after its answer is applied; the other party\'s are dropped',
          from: at('outbound', 'invite_sent', { then: [ev.remoteCandidates(v1(PEER_OTHER_PARTY), [R3]), ev.remoteCandidates(v1(PEER_PARTY), [R1]), ev.remoteCandidates(v1(PEER_PARTY), [R2])] }),
          event: ev.remoteAnswer(v1(PEER_PARTY)),
          expect: {
            phase: 'connecting',
            effects: ['cancel_timer', 'apply_remote_description', 'add_remote_candidates', 'send'],
            state: { unchosenCandidates: {} },
            check: ({ effects }) => expect(effectOf(effects, 'add_remote_candidates').candidates).to.deep.equal([R1, R2]),
          },
        },
        {
          name: 'an answer from a party that sent no candidates replays none',
          from: at('outbound', 'invite_sent', { then: [ev.remoteCandidates(v1(PEER_OTHER_PARTY), [R3])] }),
          event: ev.remoteAnswer(v1(PEER_PARTY)),
          expect: { effects: ['cancel_timer', 'apply_remote_description', 'send'], state: { unchosenCandidates: {} } },
        },
        { name: 'candidates without a party id before an answer are dropped', from: at('outbound', 'invite_sent'), event: ev.remoteCandidates(v0()), expect: { ignored: true } },
        { name: 'candidates from a stranger are ignored', from: at('outbound', 'invite_sent'), event: ev.remoteCandidates(v1('CAROLDEV', STRANGER)), expect: { ignored: true } },
        {
          name: 'candidates from the chosen party are applied',
          from: at('outbound', 'connecting'),
          event: ev.remoteCandidates(v1(PEER_PARTY), [R1, R2]),
          expect: { effects: ['add_remote_candidates'], check: ({ effects }) => expect(effectOf(effects, 'add_remote_candidates').candidates).to.deep.equal([R1, R2]) },
        },
        { name: 'candidates from an unchosen party after the answer are ignored', from: at('outbound', 'connected'), event: ev.remoteCandidates(v1(PEER_OTHER_PARTY)), expect: { ignored: true } },
        {
          name: 'candidates from a chosen v0 peer are applied (no party ids)',
          from: at('outbound', 'connecting', { legacy: true }),
          event: ev.remoteCandidates(v0()),
          expect: { effects: ['add_remote_candidates'] },
        },
        {
          name: 'candidates from the caller while we ring are applied (its offer is already set)',
          from: at('inbound', 'ringing'),
          event: ev.remoteCandidates(v1(PEER_PARTY), [R1]),
          expect: { effects: ['add_remote_candidates'] },
        },
        { name: 'candidates from another device of the caller are ignored', from: at('inbound', 'ringing'), event: ev.remoteCandidates(v1(PEER_OTHER_PARTY)), expect: { ignored: true } },
        { name: 'our own candidates echoed back are ignored', from: at('inbound', 'connected'), event: ev.remoteCandidates(v1(OUR_PARTY, ME)), expect: { ignored: true } },

        // Bounds: a peer that floods candidates cannot stall its call's ICE or fill our memory.
        {
          name: 'candidates up to the bound are taken, and counted',
          from: at('inbound', 'connected', { then: [ev.remoteCandidates(v1(), remoteCandidates(MAX_REMOTE_CANDIDATES - 2))] }),
          event: ev.remoteCandidates(v1(), [R1, R2]),
          expect: { effects: ['add_remote_candidates'], state: { remoteCandidatesTaken: MAX_REMOTE_CANDIDATES } },
        },
        {
          name: 'an event that would go beyond the bound is ignored whole',
          from: at('inbound', 'connected', { then: [ev.remoteCandidates(v1(), remoteCandidates(MAX_REMOTE_CANDIDATES - 1))] }),
          event: ev.remoteCandidates(v1(), [R1, R2]),
          expect: { ignored: true },
        },
        {
          name: 'candidates after the bound is reached are ignored',
          from: at('outbound', 'connected', { then: [ev.remoteCandidates(v1(), remoteCandidates(MAX_REMOTE_CANDIDATES))] }),
          event: ev.remoteCandidates(v1(), [R1]),
          expect: { ignored: true },
        },
        {
          name: 'candidates held for an unchosen party count towards the bound once it is chosen',
          from: at('outbound', 'invite_sent', { then: [ev.remoteCandidates(v1(PEER_PARTY), remoteCandidates(MAX_REMOTE_CANDIDATES)), ev.remoteAnswer(v1(PEER_PARTY))] }),
          event: ev.remoteCandidates(v1(PEER_PARTY), [R1]),
          expect: { ignored: true },
        },
        {
          name: 'an unchosen party\'s candidates beyond the bound are not held',
          from: at('outbound', 'invite_sent', { then: [ev.remoteCandidates(v1(PEER_PARTY), remoteCandidates(MAX_REMOTE_CANDIDATES))] }),
          event: ev.remoteCandidates(v1(PEER_PARTY), [R1]),
          expect: { ignored: true },
        },
        {
          name: 'candidates are held for a bounded number of unchosen parties',
          from: at('outbound', 'invite_sent', { then: Array.from({ length: MAX_UNCHOSEN_PARTIES }, (_, i) => ev.remoteCandidates(v1(`PARTY${i}`), [R1])) }),
          event: ev.remoteCandidates(v1('ONEMOREPARTY'), [R2]),
          expect: { ignored: true },
        },
        {
          name: 'a renegotiation that restarts ICE (a new ufrag) starts the count again',
          from: at('outbound', 'connected', { then: [ev.remoteCandidates(v1(), remoteCandidates(MAX_REMOTE_CANDIDATES))] }),
          event: { ...ev.remoteNegotiate(), description: withIceUfrag(REMOTE_OFFER, 'restart1') },
          expect: { effects: ['apply_remote_description'], state: { remoteCandidatesTaken: 0, remoteIceUfrag: 'restart1' } },
        },
        {
          name: 'after an ICE restart the call takes candidates again',
          from: at('outbound', 'connected', { then: [ev.remoteCandidates(v1(), remoteCandidates(MAX_REMOTE_CANDIDATES)), { ...ev.remoteNegotiate(), description: withIceUfrag(REMOTE_OFFER, 'restart1') }] }),
          event: ev.remoteCandidates(v1(), [R1]),
          expect: { effects: ['add_remote_candidates'], state: { remoteCandidatesTaken: 1 } },
        },
        {
          name: 'a renegotiation that keeps the ufrag (no ICE restart) keeps the count',
          from: at('inbound', 'connected', { then: [ev.remoteCandidates(v1(), remoteCandidates(MAX_REMOTE_CANDIDATES))] }),
          event: ev.remoteNegotiate(),
          expect: { effects: ['apply_remote_description'], state: { remoteCandidatesTaken: MAX_REMOTE_CANDIDATES } },
        },
        {
          name: 'a party already held may still add candidates when the parties are at their bound',
          from: at('outbound', 'invite_sent', { then: Array.from({ length: MAX_UNCHOSEN_PARTIES }, (_, i) => ev.remoteCandidates(v1(`PARTY${i}`), [R1])) }),
          event: ev.remoteCandidates(v1('PARTY0'), [R2]),
          expect: { effects: [], check: ({ state }) => expect(state.unchosenCandidates.PARTY0).to.deep.equal([R1, R2]) },
        },
      ]);
    });

    describe('stream metadata changes', () => {
      table([
        {
          name: 'metadata_changed from the peer updates the remote feeds',
          from: at('outbound', 'connected'),
          event: ev.remoteMetadata(v1(PEER_PARTY), MUTED_METADATA),
          expect: { effects: ['update_remote_metadata'], state: { peerSupportsMetadata: true }, check: ({ effects }) => expect(effectOf(effects, 'update_remote_metadata').metadata).to.equal(MUTED_METADATA) },
        },
        {
          name: 'metadata_changed from a peer whose answer had none marks it as supporting metadata (as js-sdk does)',
          from: at('outbound', 'invite_sent', { then: [ev.remoteAnswer(v1(), { metadata: undefined })] }),
          event: ev.remoteMetadata(),
          expect: { effects: ['update_remote_metadata'], state: { peerSupportsMetadata: true } },
        },
        { name: 'metadata_changed from the caller while ringing is applied', from: at('inbound', 'ringing'), event: ev.remoteMetadata(), expect: { effects: ['update_remote_metadata'] } },
        { name: 'metadata_changed from an unchosen party is ignored', from: at('outbound', 'connected'), event: ev.remoteMetadata(v1(PEER_OTHER_PARTY)), expect: { ignored: true } },
        { name: 'metadata_changed before an answer is chosen is ignored', from: at('outbound', 'invite_sent'), event: ev.remoteMetadata(), expect: { ignored: true } },
        { name: 'metadata_changed from our own other device is ignored', from: at('inbound', 'connected'), event: ev.remoteMetadata(v1(OUR_OTHER_PARTY, ME)), expect: { ignored: true } },
        { name: 'metadata_changed from a stranger is ignored', from: at('inbound', 'connected'), event: ev.remoteMetadata(v1(PEER_PARTY, STRANGER)), expect: { ignored: true } },
      ]);
    });
  });

  describe('local candidates (spec "ICE Candidate Batching", "End-of-candidates")', () => {
    table([
      {
        name: 'a candidate before the invite waits, no timer (it will be in the offer SDP)',
        from: at('outbound', 'create_offer'),
        event: ev.candidate(LOCAL_HOST),
        expect: { effects: [], state: { pendingCandidates: [LOCAL_HOST] } },
      },
      {
        name: 'offer_ready drops candidates gathered so far (they are in the SDP) and sends only the invite',
        from: at('outbound', 'create_offer', { then: [ev.candidate(LOCAL_HOST), ev.candidate(LOCAL_SRFLX)] }),
        event: ev.offerReady(),
        expect: { phase: 'invite_sent', sends: ['m.call.invite'], state: { pendingCandidates: [], timers: ['invite'] } },
      },
      {
        name: 'the first candidate after the invite starts the 2000 ms outbound batch timer',
        from: at('outbound', 'invite_sent'),
        event: ev.candidate(LOCAL_SRFLX),
        expect: { effects: ['start_timer'], starts: [['candidates', CANDIDATE_BATCH_MS.outbound]], sends: [], state: { pendingCandidates: [LOCAL_SRFLX] } },
      },
      {
        name: 'a further candidate joins the running batch without restarting the timer',
        from: at('outbound', 'invite_sent', { then: [ev.candidate(LOCAL_SRFLX)] }),
        event: ev.candidate(LOCAL_RELAY),
        expect: { effects: [], state: { pendingCandidates: [LOCAL_SRFLX, LOCAL_RELAY] } },
      },
      {
        name: 'the batch timer flushes one m.call.candidates with the batch in order',
        from: at('outbound', 'invite_sent', { then: [ev.candidate(LOCAL_SRFLX), ev.candidate(LOCAL_RELAY)] }),
        event: ev.timer('candidates'),
        expect: { effects: ['send'], sends: ['m.call.candidates'], contents: [{ ...COMMON, candidates: [LOCAL_SRFLX, LOCAL_RELAY] }], state: { pendingCandidates: [], timers: ['invite'] } },
      },
      {
        name: 'after a flush the next candidate starts a new batch',
        from: at('outbound', 'invite_sent', { then: [ev.candidate(LOCAL_SRFLX), ev.timer('candidates')] }),
        event: ev.candidate(LOCAL_RELAY),
        expect: { starts: [['candidates', CANDIDATE_BATCH_MS.outbound]] },
      },
      {
        name: 'gathering complete appends end-of-candidates to the running batch, sending nothing yet',
        from: at('outbound', 'invite_sent', { then: [ev.candidate(LOCAL_SRFLX), ev.candidate(LOCAL_RELAY)] }),
        event: ev.gatheringComplete(),
        expect: { effects: [], sends: [], state: { pendingCandidates: [LOCAL_SRFLX, LOCAL_RELAY, END_OF_CANDIDATES], localGatheringComplete: true, timers: ['invite', 'candidates'] } },
      },
      {
        name: 'the batch timer then sends the candidates with end-of-candidates last',
        from: at('outbound', 'invite_sent', { then: [ev.candidate(LOCAL_SRFLX), ev.candidate(LOCAL_RELAY), ev.gatheringComplete()] }),
        event: ev.timer('candidates'),
        expect: { sends: ['m.call.candidates'], contents: [{ ...COMMON, candidates: [LOCAL_SRFLX, LOCAL_RELAY, END_OF_CANDIDATES] }], state: { pendingCandidates: [] } },
      },
      {
        name: 'gathering complete with nothing pending starts a batch for end-of-candidates alone',
        from: at('outbound', 'connected'),
        event: ev.gatheringComplete(),
        expect: { effects: ['start_timer'], sends: [], starts: [['candidates', CANDIDATE_BATCH_MS.outbound]], state: { pendingCandidates: [END_OF_CANDIDATES] } },
      },
      {
        name: 'an inbound call batches end-of-candidates for the shorter inbound delay',
        from: at('inbound', 'connected'),
        event: ev.gatheringComplete(),
        expect: { starts: [['candidates', CANDIDATE_BATCH_MS.inbound]], state: { pendingCandidates: [END_OF_CANDIDATES] } },
      },
      {
        name: 'gathering complete before the invite sends nothing yet',
        from: at('outbound', 'create_offer', { then: [ev.candidate(LOCAL_HOST)] }),
        event: ev.gatheringComplete(),
        expect: { effects: [], state: { localGatheringComplete: true } },
      },
      {
        name: 'gathering complete before the invite: end-of-candidates is the first batch after the invite',
        from: at('outbound', 'create_offer', { then: [ev.candidate(LOCAL_HOST), ev.gatheringComplete()] }),
        event: ev.offerReady(),
        expect: { sends: ['m.call.invite'], contents: [{ lifetime: INVITE_LIFETIME_MS }], starts: [['candidates', CANDIDATE_BATCH_MS.outbound], ['invite', INVITE_LIFETIME_MS]], state: { pendingCandidates: [END_OF_CANDIDATES] } },
      },
      {
        name: 'no candidates go out while ringing (we have not answered): no timer',
        from: at('inbound', 'ringing'),
        event: ev.candidate(LOCAL_HOST),
        expect: { effects: [] },
      },
      {
        name: 'a candidate while creating the answer waits, no timer',
        from: at('inbound', 'create_answer'),
        event: ev.candidate(LOCAL_HOST),
        expect: { effects: [], state: { pendingCandidates: [LOCAL_HOST] } },
      },
      {
        name: 'answer_ready drops candidates gathered so far (they are in the SDP) and sends only the answer',
        from: at('inbound', 'create_answer', { then: [ev.candidate(LOCAL_HOST)] }),
        event: ev.answerReady(),
        expect: { sends: ['m.call.answer'], state: { pendingCandidates: [], timers: [] } },
      },
      {
        name: 'gathering complete before the answer: end-of-candidates is the first batch after the answer',
        from: at('inbound', 'create_answer', { then: [ev.candidate(LOCAL_HOST), ev.gatheringComplete()] }),
        event: ev.answerReady(),
        expect: { sends: ['m.call.answer'], contents: [{ answer: ANSWER }], starts: [['candidates', CANDIDATE_BATCH_MS.inbound]], state: { pendingCandidates: [END_OF_CANDIDATES] } },
      },
      {
        name: 'the first candidate after the answer starts the 500 ms inbound batch timer',
        from: at('inbound', 'connecting'),
        event: ev.candidate(LOCAL_SRFLX),
        expect: { effects: ['start_timer'], starts: [['candidates', CANDIDATE_BATCH_MS.inbound]] },
      },
      {
        name: 'the inbound batch timer flushes one m.call.candidates',
        from: at('inbound', 'connecting', { then: [ev.candidate(LOCAL_SRFLX), ev.candidate(LOCAL_RELAY)] }),
        event: ev.timer('candidates'),
        expect: { sends: ['m.call.candidates'], contents: [{ candidates: [LOCAL_SRFLX, LOCAL_RELAY] }] },
      },
    ]);
  });

  describe('timers', () => {
    table([
      {
        name: 'the invite timing out hangs up with invite_timeout',
        from: at('outbound', 'invite_sent'),
        event: ev.timer('invite'),
        expect: { ...ENDED('invite_timeout', 'local'), effects: ['send', 'close'], sends: ['m.call.hangup'], contents: [{ ...COMMON, reason: 'invite_timeout' }] },
      },
      {
        name: 'the invite timing out flushes pending candidates first',
        from: at('outbound', 'invite_sent', { then: [ev.candidate(LOCAL_SRFLX)] }),
        event: ev.timer('invite'),
        expect: { ...ENDED('invite_timeout', 'local'), sends: ['m.call.candidates', 'm.call.hangup'], cancels: ['candidates'] },
      },
      {
        name: 'the ring timer ends the call quietly with invite_timeout (the caller ends its own side)',
        from: at('inbound', 'ringing'),
        event: ev.timer('ring'),
        expect: { ...ENDED('invite_timeout', 'remote'), effects: ['close'], sends: [] },
      },
      { name: 'the invite timer firing after the answer (cancelled) is ignored', from: at('outbound', 'connecting'), event: ev.timer('invite'), expect: { ignored: true } },
      { name: 'the ring timer firing after answering (cancelled) is ignored', from: at('inbound', 'wait_local_media'), event: ev.timer('ring'), expect: { ignored: true } },
      { name: 'a candidates timer that was never started is ignored', from: at('outbound', 'connected'), event: ev.timer('candidates'), expect: { ignored: true } },
      { name: 'the candidates timer firing after a flush is ignored', from: at('outbound', 'invite_sent', { then: [ev.candidate(LOCAL_SRFLX), ev.gatheringComplete(), ev.timer('candidates')] }), event: ev.timer('candidates'), expect: { ignored: true } },
      { name: 'ICE timers firing after the connection came back are ignored', from: at('outbound', 'connected', { then: [ev.connection('disconnected', T_CONNECTED + 1), ev.connection('connected', T_CONNECTED + 2)] }), event: ev.timer('ice_give_up'), expect: { ignored: true } },
    ]);

    describe('the connection (ICE and DTLS: connectionState)', () => {
      table([
        {
          name: 'the connection up (ICE and DTLS) while connecting: connected, with the time',
          from: at('outbound', 'connecting'),
          event: ev.connection('connected', T0 + 9),
          expect: { phase: 'connected', effects: [], state: { wasConnected: true, connectedAt: T0 + 9, transportConnectedAt: T0 + 9 } },
        },
        {
          name: 'ICE up but DTLS still connecting (another device of the callee answered at the same moment): still connecting',
          from: at('outbound', 'connecting'),
          event: ev.connection('connecting', T0 + 9),
          expect: { phase: 'connecting', effects: [], state: { wasConnected: false, connectedAt: undefined, transportConnectedAt: undefined } },
        },
        {
          name: 'ICE up but DTLS still connecting before our answer is out: answer_ready goes to connecting, not connected',
          from: at('inbound', 'create_answer', { then: [ev.connection('connecting', T0 + 7)] }),
          event: ev.answerReady(),
          expect: { phase: 'connecting', sends: ['m.call.answer'], state: { wasConnected: false, connectedAt: undefined } },
        },
        {
          name: 'the connection disconnected: back to connecting, restart after 2 s, give up after 30 s',
          from: at('outbound', 'connected'),
          event: ev.connection('disconnected', T_CONNECTED + 60_000),
          expect: { phase: 'connecting', effects: ['start_timer', 'start_timer'], starts: [['ice_restart', ICE_RESTART_AFTER_MS], ['ice_give_up', ICE_GIVE_UP_AFTER_MS]], sends: [], state: { transportConnectedAt: undefined, connectedAt: T_CONNECTED } },
        },
        {
          name: 'disconnected again does not restart the timers',
          from: at('outbound', 'connected', { then: [ev.connection('disconnected', T_CONNECTED + 1)] }),
          event: ev.connection('disconnected', T_CONNECTED + 2),
          expect: { phase: 'connecting', effects: [] },
        },
        {
          name: 'the connection failed: restarts ICE at once and starts the give-up timer',
          from: at('inbound', 'connected'),
          event: ev.connection('failed', T_CONNECTED + 1),
          expect: { phase: 'connecting', effects: ['restart_ice', 'start_timer'], starts: [['ice_give_up', ICE_GIVE_UP_AFTER_MS]] },
        },
        {
          name: 'failed after disconnected: restart now instead of at 2 s; the give-up timer keeps running',
          from: at('outbound', 'connected', { then: [ev.connection('disconnected', T_CONNECTED + 1)] }),
          event: ev.connection('failed', T_CONNECTED + 2),
          expect: { phase: 'connecting', effects: ['cancel_timer', 'restart_ice'], cancels: ['ice_restart'], state: { timers: ['ice_give_up'] } },
        },
        {
          name: 'failed while first connecting restarts ICE too',
          from: at('outbound', 'connecting'),
          event: ev.connection('failed', T0 + 3),
          expect: { phase: 'connecting', effects: ['restart_ice', 'start_timer'] },
        },
        {
          name: 'the restart timer restarts ICE',
          from: at('outbound', 'connected', { then: [ev.connection('disconnected', T_CONNECTED + 1)] }),
          event: ev.timer('ice_restart'),
          expect: { phase: 'connecting', effects: ['restart_ice'], state: { timers: ['ice_give_up'] } },
        },
        {
          name: 'the connection coming back cancels both timers and keeps the original connect time',
          from: at('outbound', 'connected', { then: [ev.connection('disconnected', T_CONNECTED + 1)] }),
          event: ev.connection('connected', T_CONNECTED + 5_000),
          expect: { phase: 'connected', effects: ['cancel_timer', 'cancel_timer'], cancels: ['ice_restart', 'ice_give_up'], state: { connectedAt: T_CONNECTED, transportConnectedAt: T_CONNECTED + 5_000, timers: [] } },
        },
        {
          name: 'giving up after media had connected hangs up ice_timeout',
          from: at('outbound', 'connected', { then: [ev.connection('disconnected', T_CONNECTED + 1), ev.timer('ice_restart')] }),
          event: ev.timer('ice_give_up'),
          expect: { ...ENDED('ice_timeout', 'local'), sends: ['m.call.hangup'], contents: [{ ...COMMON, reason: 'ice_timeout' }] },
        },
        {
          name: 'giving up when media never connected hangs up ice_failed',
          from: at('outbound', 'connecting', { then: [ev.connection('failed', T0 + 3)] }),
          event: ev.timer('ice_give_up'),
          expect: { ...ENDED('ice_failed', 'local'), sends: ['m.call.hangup'], contents: [{ reason: 'ice_failed' }] },
        },
        {
          name: 'disconnected before the call is set up changes nothing',
          from: at('inbound', 'create_answer'),
          event: ev.connection('disconnected', T0 + 1),
          expect: { phase: 'create_answer', effects: [] },
        },
        {
          name: 'the connection up while creating the answer is remembered, the phase stays',
          from: at('inbound', 'create_answer'),
          event: ev.connection('connected', T0 + 7),
          expect: { phase: 'create_answer', effects: [], state: { transportConnectedAt: T0 + 7, wasConnected: false } },
        },
        {
          name: 'the connection up before our answer is out: answer_ready goes straight to connected',
          from: at('inbound', 'create_answer', { then: [ev.connection('connected', T0 + 7)] }),
          event: ev.answerReady(),
          expect: { phase: 'connected', sends: ['m.call.answer'], state: { wasConnected: true, connectedAt: T0 + 7 } },
        },
        {
          name: 'the connection up then lost before our answer is out: answer_ready goes to connecting',
          from: at('inbound', 'create_answer', { then: [ev.connection('connected', T0 + 7), ev.connection('disconnected', T0 + 8)] }),
          event: ev.answerReady(),
          expect: { phase: 'connecting', sends: ['m.call.answer'], state: { wasConnected: false, connectedAt: undefined } },
        },
      ]);
    });
  });

  describe('in-call intents', () => {
    table([
      // Mute: track enablement only (no renegotiation); the driver reports the metadata change.
      { name: 'mute the mic', from: at('outbound', 'connected'), event: ev.micMuted(true), expect: { effects: ['set_mic_muted'], sends: [], state: { micMuted: true } } },
      { name: 'muting the mic again does nothing', from: at('outbound', 'connected', { then: [ev.micMuted(true)] }), event: ev.micMuted(true), expect: { effects: [] } },
      { name: 'unmute the mic', from: at('outbound', 'connected', { then: [ev.micMuted(true)] }), event: ev.micMuted(false), expect: { effects: ['set_mic_muted'], state: { micMuted: false } } },
      { name: 'mute the camera', from: at('inbound', 'connecting'), event: ev.cameraMuted(true), expect: { effects: ['set_camera_muted'], state: { cameraMuted: true } } },
      { name: 'muting works with a v0 peer (no renegotiation needed)', from: at('outbound', 'connected', { legacy: true }), event: ev.micMuted(true), expect: { effects: ['set_mic_muted'] } },
      { name: 'muting before answering is kept for when media starts, nothing sent', from: at('inbound', 'ringing'), event: ev.micMuted(true), expect: { effects: ['set_mic_muted'], sends: [], state: { micMuted: true } } },
      { name: 'muting an ended call is ignored', from: at('outbound', 'ended'), event: ev.micMuted(true), expect: { ignored: true } },
      // Hold: renegotiation.
      { name: 'hold while connected', from: at('outbound', 'connected'), event: ev.hold(true), expect: { effects: ['set_on_hold'], state: { localOnHold: true }, check: ({ effects }) => expect(effectOf(effects, 'set_on_hold').onHold).to.equal(true) } },
      { name: 'resume', from: at('outbound', 'connected', { then: [ev.hold(true)] }), event: ev.hold(false), expect: { effects: ['set_on_hold'], state: { localOnHold: false } } },
      { name: 'hold twice does nothing', from: at('inbound', 'connected', { then: [ev.hold(true)] }), event: ev.hold(true), expect: { effects: [] } },
      { name: 'hold while ringing is ignored', from: at('inbound', 'ringing'), event: ev.hold(true), expect: { ignored: true } },
      { name: 'hold before an answer is ignored', from: at('outbound', 'invite_sent'), event: ev.hold(true), expect: { ignored: true } },
      { name: 'hold with a v0 peer is refused (needs renegotiation)', from: at('outbound', 'connected', { legacy: true }), event: ev.hold(true), expect: { ignored: true } },
      { name: 'hold after the end is ignored', from: at('inbound', 'ended'), event: ev.hold(true), expect: { ignored: true } },
      // Screen sharing.
      {
        name: 'screen share with a metadata-capable peer: a second stream',
        from: at('outbound', 'connected'),
        event: ev.screenshare(true),
        expect: { effects: ['set_screensharing'], check: ({ effects }) => expect(effectOf(effects, 'set_screensharing')).to.deep.equal({ type: 'set_screensharing', enabled: true, singleStream: false }) },
      },
      {
        name: 'screen share with a peer without metadata: replaces the camera in its single stream',
        from: at('outbound', 'invite_sent', { then: [ev.remoteAnswer(v1(), { metadata: undefined }), ev.connection('connected')] }),
        event: ev.screenshare(true),
        expect: { effects: ['set_screensharing'], check: ({ effects }) => expect(effectOf(effects, 'set_screensharing').singleStream).to.equal(true) },
      },
      { name: 'stopping a screen share that is on', from: at('inbound', 'connected', { then: [ev.localMedia('video', true)] }), event: ev.screenshare(false), expect: { effects: ['set_screensharing'] } },
      { name: 'starting a screen share that is already on does nothing', from: at('inbound', 'connected', { then: [ev.localMedia('video', true)] }), event: ev.screenshare(true), expect: { effects: [] } },
      { name: 'screen share while ringing is ignored', from: at('inbound', 'ringing'), event: ev.screenshare(true), expect: { ignored: true } },
      { name: 'screen share before an answer is ignored', from: at('outbound', 'invite_sent'), event: ev.screenshare(true), expect: { ignored: true } },
      {
        name: 'screen share on a voice call with a v0 peer is refused (adding a video track needs renegotiation)',
        from: at('outbound', 'connected', { legacy: true, patch: { kind: 'voice' } }),
        event: ev.screenshare(true),
        expect: { ignored: true },
      },
      {
        // js-sdk setScreensharingEnabledWithoutMetadataSupport: replaceTrack on the camera sender, no negotiate.
        name: 'screen share on a video call with a v0 peer replaces the camera track, which needs no renegotiation',
        from: at('outbound', 'connected', { legacy: true }),
        event: ev.screenshare(true),
        expect: { effects: ['set_screensharing'], check: ({ effects }) => expect(effectOf(effects, 'set_screensharing').singleStream).to.equal(true) },
      },
      // Upgrade to video: renegotiation.
      { name: 'upgrade a voice call to video', from: at('outbound', 'connected', { patch: { kind: 'voice' } }), event: ev.upgrade(), expect: { effects: ['upgrade_to_video'] } },
      { name: 'upgrade a voice call answered as voice', from: at('inbound', 'ringing', { then: [ev.answer('voice'), ev.mediaReady(), ev.answerReady()] }), event: ev.upgrade(), expect: { effects: ['upgrade_to_video'] } },
      { name: 'upgrading a video call does nothing', from: at('outbound', 'connected'), event: ev.upgrade(), expect: { effects: [] } },
      { name: 'upgrade while ringing is ignored', from: at('inbound', 'ringing', { patch: { kind: 'voice' } }), event: ev.upgrade(), expect: { ignored: true } },
      { name: 'upgrade with a v0 peer is refused (needs renegotiation)', from: at('inbound', 'ringing', { legacy: true, then: [ev.answer('voice'), ev.mediaReady(), ev.answerReady()] }), event: ev.upgrade(), expect: { ignored: true } },
      // Switching the camera or microphone: the driver swaps tracks in place, nothing is signalled.
      { name: 'switch the microphone of a connected call', from: at('outbound', 'connected'), event: ev.reopen('microphone'), expect: { effects: ['reopen_device'], check: ({ effects }) => expect(effectOf(effects, 'reopen_device').device).to.equal('microphone') } },
      { name: 'switch the camera while the invite rings at the peer', from: at('outbound', 'invite_sent'), event: ev.reopen('camera'), expect: { effects: ['reopen_device'] } },
      { name: 'switch the camera while answering', from: at('inbound', 'ringing', { then: [ev.answer('video'), ev.mediaReady()] }), event: ev.reopen('camera'), expect: { effects: ['reopen_device'] } },
      { name: 'switching while our media is still opening is ignored (getUserMedia opens the new choice)', from: at('outbound', 'wait_local_media'), event: ev.reopen('camera'), expect: { ignored: true } },
      { name: 'switching while ringing is ignored (no media of ours yet)', from: at('inbound', 'ringing'), event: ev.reopen('microphone'), expect: { ignored: true } },
      { name: 'switching after the call ended is ignored', from: at('outbound', 'ended'), event: ev.reopen('microphone'), expect: { ignored: true } },
      // Reports from the driver.
      { name: 'local_media_changed records kind and screen sharing', from: at('outbound', 'connected'), event: ev.localMedia('video', true), expect: { effects: [], state: { kind: 'video', screensharing: true } } },
      { name: 'remote_hold_changed records the peer\'s hold', from: at('inbound', 'connected'), event: ev.remoteHold(true), expect: { effects: [], state: { remoteOnHold: true } } },
    ]);

    describe('renegotiation and metadata we send', () => {
      table([
        {
          name: 'our renegotiation offer goes out as m.call.negotiate with lifetime and metadata',
          from: at('outbound', 'connected'),
          event: ev.negotiationOfferReady(),
          expect: { effects: ['send'], sends: ['m.call.negotiate'], contents: [{ ...COMMON, description: OFFER, lifetime: NEGOTIATE_LIFETIME_MS, sdp_stream_metadata: WIRE_METADATA }] },
        },
        {
          name: 'our renegotiation answer goes out as m.call.negotiate (js-sdk puts lifetime on answers too)',
          from: at('inbound', 'connected'),
          event: ev.negotiationAnswerReady(),
          expect: { sends: ['m.call.negotiate'], contents: [{ description: ANSWER, lifetime: NEGOTIATE_LIFETIME_MS }] },
        },
        { name: 'a renegotiation offer to a v0 peer is dropped', from: at('outbound', 'connected', { legacy: true }), event: ev.negotiationOfferReady(), expect: { ignored: true } },
        { name: 'a renegotiation offer before the call is set up is dropped', from: at('outbound', 'invite_sent'), event: ev.negotiationOfferReady(), expect: { ignored: true } },
        { name: 'a renegotiation answer while ringing is dropped', from: at('inbound', 'ringing'), event: ev.negotiationAnswerReady(), expect: { ignored: true } },
        {
          name: 'local_metadata_changed is sent when the peer supports metadata',
          from: at('outbound', 'connected'),
          event: ev.localMetadata(MUTED_METADATA),
          expect: { effects: ['send'], sends: ['m.call.sdp_stream_metadata_changed'], contents: [{ ...COMMON, sdp_stream_metadata: WIRE_MUTED_METADATA }] },
        },
        { name: 'local_metadata_changed is sent while connecting (inbound)', from: at('inbound', 'connecting'), event: ev.localMetadata(), expect: { sends: ['m.call.sdp_stream_metadata_changed'] } },
        {
          name: 'local_metadata_changed is not sent to a peer without metadata support',
          from: at('outbound', 'invite_sent', { then: [ev.remoteAnswer(v1(), { metadata: undefined }), ev.connection('connected')] }),
          event: ev.localMetadata(),
          expect: { effects: [] },
        },
        { name: 'local_metadata_changed is not sent to a v0 peer', from: at('outbound', 'connected', { legacy: true }), event: ev.localMetadata(), expect: { effects: [] } },
        { name: 'local_metadata_changed is not sent while ringing (we have not answered)', from: at('inbound', 'ringing'), event: ev.localMetadata(), expect: { effects: [] } },
        { name: 'local_metadata_changed is not sent before an answer is chosen', from: at('outbound', 'invite_sent'), event: ev.localMetadata(), expect: { effects: [] } },
      ]);
    });
  });

  describe('failures', () => {
    table([
      {
        name: 'media failing on an outbound call ends it user_media_failed, nothing sent (no invite went out)',
        from: at('outbound', 'wait_local_media'),
        event: ev.mediaFailed(),
        expect: { ...ENDED('user_media_failed', 'local'), effects: ['close'] },
      },
      {
        // Spec "Client behaviour": besides answering, a callee either rejects *everywhere* (m.call.reject, a
        // person's decision) or ignores the call (sends nothing; other devices keep ringing; the caller times
        // out). A device that cannot capture media has made no decision for the user's other devices, and
        // matrix-js-sdk (getUserMediaFailed -> terminate(Local, NoUserMedia), no event) sends nothing.
        name: 'media failing after answering (answer not sent) ends user_media_failed and sends nothing: our other devices keep ringing',
        from: at('inbound', 'wait_local_media'),
        event: ev.mediaFailed(),
        expect: { ...ENDED('user_media_failed', 'local'), sends: [] },
      },
      {
        name: 'media failing after answering a v0 call ends user_media_failed and sends nothing',
        from: at('inbound', 'wait_local_media', { legacy: true }),
        event: ev.mediaFailed(),
        expect: { ...ENDED('user_media_failed', 'local'), sends: [] },
      },
      { name: 'media_failed when not waiting for media is ignored', from: at('outbound', 'connected'), event: ev.mediaFailed(), expect: { ignored: true } },
      { name: 'media_failed once media arrived after media_granted is ignored', from: at('outbound', 'wait_local_media', { then: [ev.mediaGranted(), ev.offerReady(), ev.mediaReady()] }), event: ev.mediaFailed(), expect: { ignored: true } },
      {
        name: 'the camera failing after media_granted, invite out: hangup user_media_failed',
        from: at('outbound', 'wait_local_media', { then: [ev.mediaGranted(), ev.offerReady()] }),
        event: ev.mediaFailed(),
        expect: { ...ENDED('user_media_failed', 'local'), sends: ['m.call.hangup'], contents: [{ ...COMMON, reason: 'user_media_failed' }] },
      },
      {
        name: 'the camera failing after media_granted, before the invite: nothing sent',
        from: at('outbound', 'wait_local_media', { then: [ev.mediaGranted()] }),
        event: ev.mediaFailed(),
        expect: { ...ENDED('user_media_failed', 'local'), sends: [] },
      },
      {
        name: 'the camera failing after media_granted, answer not yet out: nothing sent, our other devices keep ringing',
        from: at('inbound', 'wait_local_media', { then: [ev.mediaGranted()] }),
        event: ev.mediaFailed(),
        expect: { ...ENDED('user_media_failed', 'local'), sends: [] },
      },
      {
        name: 'the camera failing after media_granted, answer out: hangup user_media_failed',
        from: at('inbound', 'wait_local_media', { then: [ev.mediaGranted(), ev.answerReady()] }),
        event: ev.mediaFailed(),
        expect: { ...ENDED('user_media_failed', 'local'), sends: ['m.call.hangup'], contents: [{ reason: 'user_media_failed' }] },
      },
      {
        name: 'the driver failing before the invite ends unknown_error, nothing sent',
        from: at('outbound', 'create_offer'),
        event: ev.driverFailed(),
        expect: { ...ENDED('unknown_error', 'local'), sends: [] },
      },
      {
        // As above: js-sdk ends a failed createAnswer with terminate(Local, CreateAnswer), sending nothing.
        name: 'the driver failing before our answer is out ends unknown_error and sends nothing (not a reject for every device)',
        from: at('inbound', 'create_answer'),
        event: ev.driverFailed(),
        expect: { ...ENDED('unknown_error', 'local'), sends: [] },
      },
      {
        name: 'the driver failing mid-call hangs up unknown_error',
        from: at('inbound', 'connected'),
        event: ev.driverFailed(),
        expect: { ...ENDED('unknown_error', 'local'), sends: ['m.call.hangup'], contents: [{ reason: 'unknown_error' }] },
      },
    ]);
  });

  describe('ended is terminal', () => {
    const endedStarts = [
      at('outbound', 'ended'),
      at('inbound', 'ringing', { then: [ev.remoteHangup()] }),
    ];
    for (const from of endedStarts) {
      table(
        (Object.keys(ONE_OF_EACH) as EventType[]).map((type) => ({
          name: `${type} after the end is ignored`,
          from,
          event: ONE_OF_EACH[type],
          expect: { ignored: true, check: ({ state }) => expect(state.phase).to.equal('ended') },
        })),
      );
    }

    it('keeps the end reason and who ended it, whatever comes after', () => {
      const ended = reach(at('inbound', 'ringing', { then: [ev.reject()] }));
      const { state, effects } = play(ended, Object.values(ONE_OF_EACH));
      expect(state).to.equal(ended);
      expect(state).to.deep.include({ phase: 'ended', endReason: 'rejected', endedBy: 'local' });
      expect(effects.every((effect) => effect.type === 'ignored')).to.equal(true);
    });
  });

  describe('whole calls', () => {
    it('outbound: invite, trickled candidates, select_answer, end-of-candidates, hangup, in that order on the wire', () => {
      const { state, effects } = play(fresh('outbound'), [
        ev.place(),
        ev.mediaReady(),
        ev.candidate(LOCAL_HOST), // in the offer SDP
        ev.offerReady(),
        ev.candidate(LOCAL_SRFLX),
        ev.remoteCandidates(v1(PEER_OTHER_PARTY), [R2]),
        ev.remoteCandidates(v1(PEER_PARTY), [R1]),
        ev.timer('candidates'),
        ev.remoteAnswer(v1(PEER_PARTY)),
        ev.remoteAnswer(v1(PEER_OTHER_PARTY)),
        ev.candidate(LOCAL_RELAY),
        ev.gatheringComplete(),
        ev.connection('connected', T_CONNECTED),
        ev.hangup(),
      ]);
      expect(sendsOf(effects).map((s) => [s.eventType, s.content])).to.deep.equal([
        ['m.call.invite', { ...COMMON, offer: OFFER, lifetime: INVITE_LIFETIME_MS, invitee: PEER, sdp_stream_metadata: WIRE_METADATA, capabilities: WIRE_CAPABILITIES }],
        ['m.call.candidates', { ...COMMON, candidates: [LOCAL_SRFLX] }],
        ['m.call.select_answer', { ...COMMON, selected_party_id: PEER_PARTY }],
        ['m.call.candidates', { ...COMMON, candidates: [LOCAL_RELAY, END_OF_CANDIDATES] }],
        ['m.call.hangup', { ...COMMON, reason: 'user_hangup' }],
      ]);
      expect(effects.filter((e) => e.type === 'add_remote_candidates')).to.deep.equal([{ type: 'add_remote_candidates', candidates: [R1] }]);
      expect(state).to.deep.include({ phase: 'ended', endReason: 'user_hangup', endedBy: 'local', connectedAt: T_CONNECTED, wasConnected: true });
    });

    it('inbound: ring, answer, end-of-candidates in the first batch after it, connected, remote hangup', () => {
      const { state, effects } = play(fresh('inbound'), [
        ev.remoteInvite(v1(PEER_PARTY)),
        ev.remoteCandidates(v1(PEER_PARTY), [R1]),
        ev.answer(),
        ev.mediaReady(),
        ev.candidate(LOCAL_HOST),
        ev.gatheringComplete(),
        ev.answerReady(),
        ev.timer('candidates'),
        ev.remoteSelectAnswer(OUR_PARTY),
        ev.connection('connected', T_CONNECTED),
        ev.remoteHangup(v1(PEER_PARTY)),
      ]);
      expect(sendsOf(effects).map((s) => s.eventType)).to.deep.equal(['m.call.answer', 'm.call.candidates']);
      expect(effects.map((e) => e.type)).to.include.members(['apply_remote_description', 'add_remote_candidates', 'create_answer', 'close']);
      expect(state).to.deep.include({ phase: 'ended', endReason: 'user_hangup', endedBy: 'remote', connectedAt: T_CONNECTED });
    });
  });

  describe('purity', () => {
    it('freezes inputs deeply in the helper, so a mutating machine would throw', () => {
      const state = reach(at('outbound', 'invite_sent', { then: [ev.candidate(LOCAL_SRFLX), ev.remoteCandidates(v1(PEER_PARTY), [R1])] }));
      deepFreeze(state);
      expect(Object.isFrozen(state)).to.equal(true);
      expect(Object.isFrozen(state.timers)).to.equal(true);
      expect(Object.isFrozen(state.pendingCandidates)).to.equal(true);
      expect(Object.isFrozen(state.pendingCandidates[0])).to.equal(true);
      expect(Object.isFrozen(state.unchosenCandidates)).to.equal(true);
      expect(Object.isFrozen(state.unchosenCandidates[PEER_PARTY])).to.equal(true);
      expect(() => (state.timers as TimerName[]).push('ring')).to.throw(TypeError);
    });

    it('never changes its input and gives the same answer twice, along a whole call with every kind of event', () => {
      let state = fresh('outbound');
      const events: CallMachineEvent[] = [
        ev.place(), ev.micMuted(true), ev.mediaReady(), ev.candidate(LOCAL_HOST), ev.gatheringComplete(), ev.offerReady(),
        ev.remoteCandidates(v1(PEER_PARTY), [R1]), ev.remoteCandidates(v1(PEER_OTHER_PARTY), [R2]), ev.candidate(LOCAL_SRFLX),
        ev.remoteAnswer(v1(PEER_PARTY)), ev.connection('connected', T_CONNECTED), ev.localMetadata(), ev.hold(true), ev.hold(false),
        ev.remoteNegotiate(), ev.negotiationAnswerReady(), ev.connection('disconnected', T_CONNECTED + 1), ev.timer('ice_restart'),
        ev.connection('failed', T_CONNECTED + 2), ev.timer('ice_give_up'), ev.hangup(),
      ];
      for (const event of events) {
        const copy = structuredClone(state);
        const first = step(state, event); // step() freezes `state` and `event` deeply
        const second = transition(state, event);
        expect(state, `${event.type}: input state`).to.deep.equal(copy);
        expect(second, `${event.type}: deterministic`).to.deep.equal(first);
        state = first.state;
      }
      expect(state.phase).to.equal('ended');
      expect(state.endReason).to.equal('ice_timeout');
    });
  });
});
