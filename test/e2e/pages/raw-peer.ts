// A hand-written 1:1 call peer for the e2e harness: a plain RTCPeerConnection, and a matrix-js-sdk client
// (its own VoIP stack off) that only sends and receives `m.call.*` room events. It plays the peers no
// library here plays: a version "1" client that never sends `sdp_stream_metadata` (it answers renegotiations
// but starts none), and a legacy version 0 client (no party_id, no invitee, no metadata, no reject, no
// negotiate). Spec: "Voice over IP".
import * as sdk from 'matrix-js-sdk';
import { kitCall, requireClient, startClient, waitForFlow, waitUntil, type MediaFlow, type PageCredentials } from './harness.js';

/** The protocol version the raw peer speaks in a call: `"1"` (with party_id) or legacy `0` (without). */
export type RawVersion = '1' | 0;

export interface RawCallOptions {
  version: RawVersion;
  /**
   * `false` (the default): wait for ICE gathering to complete, so every candidate is in the SDP, and send no
   * m.call.candidates. `true`: send the SDP without candidates, then every candidate in one m.call.candidates.
   */
  trickle?: boolean;
  /** Invites only: the `invitee` field (version "1" only; absent by default). */
  invitee?: string;
  /** Invites only: `lifetime` in ms (default 60 s, as matrix-js-sdk sends). */
  lifetime?: number;
}

/** An `m.call.*` event the raw peer's client saw from someone else (the kit). */
export interface RawEvent {
  type: string;
  callId: string;
  sender: string;
  content: Record<string, unknown>;
}

interface RawCall {
  readonly callId: string;
  readonly roomId: string;
  readonly direction: 'outbound' | 'inbound';
  /** The invite's offer, for inbound calls. */
  readonly offer: RTCSessionDescriptionInit | undefined;
  version: RawVersion;
  trickle: boolean;
  pc: RTCPeerConnection | undefined;
  media: MediaStream | undefined;
  /** Remote streams by id, in the order their first track arrived. */
  readonly remoteStreams: Map<string, MediaStream>;
  trackEvents: number;
  /** Candidates from the kit not yet given to the peer connection (no remote description yet). */
  remoteCandidates: RTCIceCandidateInit[];
  candidatesAdded: number;
  candidateErrors: string[];
  answerApplied: boolean;
  ended: boolean;
}

let rawClient: sdk.MatrixClient | undefined;
const rawCalls = new Map<string, RawCall>();
const incomingRawCalls: string[] = [];
const rawEvents: RawEvent[] = [];
/** Inbound events are handled one at a time, in timeline order. */
let handling: Promise<void> = Promise.resolve();

function rawCall(callId: string): RawCall {
  const call = rawCalls.get(callId);
  if (!call) throw new Error(`no raw call ${callId}`);
  return call;
}

/** Starts the raw peer's matrix-js-sdk client (no MatrixCall) and starts recording m.call.* events. */
async function rawStart(credentials: PageCredentials): Promise<string> {
  const userId = await startClient(credentials, { disableVoip: true });
  rawClient = requireClient();
  rawClient.on(sdk.RoomEvent.Timeline, (event, room, toStartOfTimeline) => {
    if (toStartOfTimeline || !room) return;
    const type = event.getType();
    const sender = event.getSender() ?? '';
    if (!type.startsWith('m.call.') || sender === userId) return;
    const content = event.getContent();
    const callId = typeof content.call_id === 'string' ? content.call_id : '';
    rawEvents.push({ type, callId, sender, content: structuredClone(content) });
    handling = handling
      .then(() => onCallEvent(type, callId, room.roomId, content))
      .catch((error: unknown) => console.error(`raw peer: handling ${type} for ${callId} failed: ${error instanceof Error ? error.message : String(error)}`));
  });
  return userId;
}

async function onCallEvent(type: string, callId: string, roomId: string, content: Record<string, unknown>): Promise<void> {
  const call = rawCalls.get(callId);
  switch (type) {
    case 'm.call.invite': {
      if (call) return;
      const offer = content.offer as RTCSessionDescriptionInit;
      rawCalls.set(callId, newCall({ callId, roomId, direction: 'inbound', offer, version: '1', trickle: false }));
      incomingRawCalls.push(callId);
      return;
    }
    case 'm.call.answer': {
      if (!call || call.direction !== 'outbound' || call.answerApplied || !call.pc) return;
      await call.pc.setRemoteDescription(content.answer as RTCSessionDescriptionInit);
      call.answerApplied = true;
      await addRemoteCandidates(call, []);
      return;
    }
    case 'm.call.candidates': {
      if (!call) return;
      await addRemoteCandidates(call, (content.candidates as RTCIceCandidateInit[] | undefined) ?? []);
      return;
    }
    case 'm.call.negotiate': {
      // Version "1" has renegotiation: take the kit's offer and answer it, so anything the kit adds (a second
      // stream, a new m-line) shows up here. This peer never starts a renegotiation itself.
      if (!call?.pc || call.version === 0 || call.ended) return;
      const description = content.description as RTCSessionDescriptionInit;
      await call.pc.setRemoteDescription(description);
      if (description.type !== 'offer') return;
      await call.pc.setLocalDescription();
      await send(call, 'm.call.negotiate', { description: { type: 'answer', sdp: call.pc.localDescription?.sdp ?? '' }, lifetime: 60_000 });
      return;
    }
    case 'm.call.hangup':
    case 'm.call.reject':
      if (call) end(call);
      return;
    default:
      // select_answer, sdp_stream_metadata_changed…: recorded only.
      return;
  }
}

function newCall(init: Pick<RawCall, 'callId' | 'roomId' | 'direction' | 'offer' | 'version' | 'trickle'>): RawCall {
  return {
    ...init,
    pc: undefined,
    media: undefined,
    remoteStreams: new Map(),
    trackEvents: 0,
    remoteCandidates: [],
    candidatesAdded: 0,
    candidateErrors: [],
    answerApplied: false,
    ended: false,
  };
}

/** Buffers candidates until the peer connection has a remote description, then adds every buffered one. */
async function addRemoteCandidates(call: RawCall, candidates: readonly RTCIceCandidateInit[]): Promise<void> {
  call.remoteCandidates.push(...candidates);
  const pc = call.pc;
  if (!pc?.remoteDescription || call.ended) return;
  for (const candidate of call.remoteCandidates.splice(0)) {
    try {
      await pc.addIceCandidate(candidate.candidate ? candidate : { candidate: '' });
      call.candidatesAdded += 1;
    } catch (error) {
      call.candidateErrors.push(`${candidate.candidate ?? '(none)'}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** Camera and microphone in one MediaStream, and a peer connection that plays what it receives. */
async function prepare(call: RawCall): Promise<{ pc: RTCPeerConnection; gathered: Promise<RTCIceCandidate[]> }> {
  const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: { ideal: 640 }, height: { ideal: 360 } } });
  const pc = new RTCPeerConnection({ iceServers: [] });
  call.media = media;
  call.pc = pc;
  const local: RTCIceCandidate[] = [];
  const gathered = new Promise<RTCIceCandidate[]>((resolve) => {
    pc.addEventListener('icecandidate', (event) => {
      if (event.candidate) local.push(event.candidate);
      else resolve(local);
    });
  });
  pc.addEventListener('track', (event) => {
    call.trackEvents += 1;
    for (const stream of event.streams) {
      if (call.remoteStreams.has(stream.id)) continue;
      call.remoteStreams.set(stream.id, stream);
      // Played through an unmuted element: Chromium measures received audio energy only for audio it plays.
      const video = document.createElement('video');
      video.autoplay = true;
      video.srcObject = stream;
      document.body.append(video);
    }
  });
  return { pc, gathered };
}

/** The local SDP to send: without candidates when trickling, else once gathering has put them all in. */
async function localSdp(call: RawCall, pc: RTCPeerConnection, gathered: Promise<unknown>): Promise<string> {
  if (call.trickle) {
    return (pc.localDescription?.sdp ?? '').split('\r\n').filter((line) => !/^a=(candidate:|end-of-candidates)/.test(line)).join('\r\n');
  }
  await gathered;
  return pc.localDescription?.sdp ?? '';
}

function baseContent(call: RawCall): Record<string, unknown> {
  const client = rawClient;
  if (!client) throw new Error('call mx.rawStart first');
  return call.version === 0
    ? { call_id: call.callId, version: 0 }
    : { call_id: call.callId, version: '1', party_id: client.getDeviceId() };
}

async function send(call: RawCall, type: string, fields: Record<string, unknown>): Promise<void> {
  const client = rawClient;
  if (!client) throw new Error('call mx.rawStart first');
  const sendEvent = client.sendEvent.bind(client) as (roomId: string, type: string, content: Record<string, unknown>) => Promise<unknown>;
  await sendEvent(call.roomId, type, { ...baseContent(call), ...fields });
}

/** Trickle mode: every gathered candidate in one m.call.candidates (version 1 adds end-of-candidates). */
async function sendGatheredCandidates(call: RawCall, gathered: Promise<RTCIceCandidate[]>): Promise<void> {
  if (!call.trickle) return;
  const candidates: Record<string, unknown>[] = (await gathered).map(({ candidate, sdpMid, sdpMLineIndex }) => ({ candidate, sdpMid, sdpMLineIndex }));
  if (call.version !== 0) candidates.push({ candidate: '' });
  if (call.ended) return;
  await send(call, 'm.call.candidates', { candidates });
}

/** Places a video call in `roomId`: one MediaStream with audio and video, and never any stream metadata. */
async function rawPlaceCall(roomId: string, options: RawCallOptions): Promise<string> {
  const random = [...crypto.getRandomValues(new Uint8Array(8))].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  const call = newCall({ callId: `${Date.now()}raw${random}`, roomId, direction: 'outbound', offer: undefined, version: options.version, trickle: options.trickle ?? false });
  rawCalls.set(call.callId, call);
  const { pc, gathered } = await prepare(call);
  for (const track of call.media?.getTracks() ?? []) pc.addTrack(track, call.media as MediaStream);
  await pc.setLocalDescription();
  const sdp = await localSdp(call, pc, gathered);
  await send(call, 'm.call.invite', {
    offer: { type: 'offer', sdp },
    lifetime: options.lifetime ?? 60_000,
    ...(options.invitee !== undefined && options.version !== 0 ? { invitee: options.invitee } : {}),
  });
  await sendGatheredCandidates(call, gathered);
  return call.callId;
}

/** Resolves with the call id of the next invite the raw peer receives. */
async function rawNextIncoming(): Promise<string> {
  await waitUntil(() => incomingRawCalls.length > 0, 'no invite reached the raw peer');
  return incomingRawCalls.shift() as string;
}

/** Answers an invite with camera and microphone in one stream, speaking `options.version`, without metadata. */
async function rawAnswer(callId: string, options: RawCallOptions): Promise<void> {
  const call = rawCall(callId);
  if (call.direction !== 'inbound' || !call.offer) throw new Error(`raw call ${callId} is not an incoming call`);
  call.version = options.version;
  call.trickle = options.trickle ?? false;
  const { pc, gathered } = await prepare(call);
  await pc.setRemoteDescription(call.offer);
  // addTrack reuses the transceivers the offer made, so the answer sends on the kit's m-lines.
  for (const track of call.media?.getTracks() ?? []) pc.addTrack(track, call.media as MediaStream);
  await pc.setLocalDescription();
  await addRemoteCandidates(call, []);
  const sdp = await localSdp(call, pc, gathered);
  await send(call, 'm.call.answer', { answer: { type: 'answer', sdp } });
  await sendGatheredCandidates(call, gathered);
}

/**
 * Sends m.call.hangup (in any state: a legacy peer declines and cancels with it too) and closes the call.
 * Version 0 sends no reason unless given one, as legacy clients did; version "1" sends `user_hangup`.
 * `version` is for declining an invite, before an answer has said which version this peer speaks.
 */
async function rawHangup(callId: string, options: { version?: RawVersion; reason?: string } = {}): Promise<void> {
  const call = rawCall(callId);
  if (options.version !== undefined) call.version = options.version;
  const why = options.reason ?? (call.version === 0 ? undefined : 'user_hangup');
  await send(call, 'm.call.hangup', why === undefined ? {} : { reason: why });
  end(call);
}

function end(call: RawCall): void {
  call.ended = true;
  call.pc?.close();
  for (const track of call.media?.getTracks() ?? []) track.stop();
}

/** Every m.call.* event the raw peer saw from others for `callId`, in timeline order (SDPs left out). */
function rawEventsFor(callId: string): RawEvent[] {
  return rawEvents.filter((event) => event.callId === callId).map((event) => ({ ...event, content: withoutSdp(event.content) }));
}

function withoutSdp(content: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...content };
  for (const key of ['offer', 'answer', 'description']) {
    const description = copy[key] as { type?: unknown } | undefined;
    if (description && typeof description === 'object') copy[key] = { type: description.type, sdp: '…' };
  }
  return copy;
}

/** Resolves with the content (SDP left out) of the first event of `type` for `callId` the raw peer saw. */
async function rawWaitForEvent(callId: string, type: string): Promise<Record<string, unknown>> {
  await waitUntil(() => rawEvents.some((event) => event.callId === callId && event.type === type), `the raw peer never saw ${type} for ${callId}`);
  return withoutSdp((rawEvents.find((event) => event.callId === callId && event.type === type) as RawEvent).content);
}

export interface RawSnapshot {
  version: RawVersion;
  answerApplied: boolean;
  ended: boolean;
  signalingState: RTCSignalingState | 'none';
  iceConnectionState: RTCIceConnectionState | 'none';
  /** Ids of the remote streams tracks arrived in, and how many track events there were. */
  remoteStreamIds: string[];
  trackEvents: number;
  transceivers: number;
  /** m-lines in the remote and local descriptions. */
  remoteMLines: number;
  localMLines: number;
  candidatesAdded: number;
  candidateErrors: string[];
  /** The last decoded video frame's size (0 before the first), and how many frames were decoded. */
  video: { width: number; height: number; framesDecoded: number };
}

async function rawSnapshot(callId: string): Promise<RawSnapshot> {
  const call = rawCall(callId);
  const pc = call.pc;
  const mLines = (sdp: string | undefined): number => (sdp?.match(/^m=/gm) ?? []).length;
  const video = { width: 0, height: 0, framesDecoded: 0 };
  if (pc && pc.connectionState !== 'closed') {
    (await pc.getStats()).forEach((report: RTCStats & Record<string, unknown>) => {
      if (report.type !== 'inbound-rtp' || report.kind !== 'video') return;
      video.width = Number(report.frameWidth ?? 0);
      video.height = Number(report.frameHeight ?? 0);
      video.framesDecoded = Number(report.framesDecoded ?? 0);
    });
  }
  return {
    version: call.version,
    answerApplied: call.answerApplied,
    ended: call.ended,
    signalingState: pc?.signalingState ?? 'none',
    iceConnectionState: pc?.iceConnectionState ?? 'none',
    remoteStreamIds: [...call.remoteStreams.keys()],
    trackEvents: call.trackEvents,
    transceivers: pc?.getTransceivers().length ?? 0,
    remoteMLines: mLines(pc?.remoteDescription?.sdp),
    localMLines: mLines(pc?.localDescription?.sdp),
    candidatesAdded: call.candidatesAdded,
    candidateErrors: call.candidateErrors,
    video,
  };
}

/** Like mx.waitForMedia, for the raw peer's connection: decoded frames and received audio energy. */
function rawWaitForMedia(callId: string, minFrames: number, giveUpMs?: number): Promise<MediaFlow> {
  return waitForFlow(() => rawCall(callId).pc, minFrames, giveUpMs);
}

/**
 * What the kit sends, from its side of a call: the purposes of its local feeds, the labels of the video
 * tracks on its senders (the fake camera is `fake_device_0`, a fake screen `screen:…`), and its transceivers.
 */
function kitSentVideo(callId: string): { localFeeds: string[]; videoSenderLabels: string[]; transceivers: number } {
  const call = kitCall(callId);
  const pc = (call as unknown as { peerConnection?: RTCPeerConnection }).peerConnection;
  return {
    localFeeds: call.getSnapshot().localFeeds.map((feed) => feed.purpose),
    videoSenderLabels: (pc?.getTransceivers() ?? []).map(({ sender }) => sender.track).filter((track) => track?.kind === 'video').map((track) => track?.label ?? ''),
    transceivers: pc?.getTransceivers().length ?? 0,
  };
}

export const rawPeer = {
  rawStart,
  rawPlaceCall,
  rawNextIncoming,
  rawAnswer,
  rawHangup,
  rawEvents: rawEventsFor,
  rawWaitForEvent,
  rawSnapshot,
  rawWaitForMedia,
  kitSentVideo,
};
