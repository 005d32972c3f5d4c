// The page every end-to-end test drives. It exposes real matrix-js-sdk, livekit-client and kit code on
// `window.mx`, plus small in-page routines the tests call through page.evaluate.
import * as livekit from 'livekit-client';
import * as sdk from 'matrix-js-sdk';
import * as kit from '../../../signaling/index.js';
import { clientTransportSources, discoverTransports, type TransportSources } from '../../../signaling/rtc/transports.js';
import { requestSfuToken, type MembershipForm } from '../../../signaling/rtc/token-service.js';
import { CallErrorCode, CallEvent, CallState, type MatrixCall } from 'matrix-js-sdk/lib/webrtc/call.js';
import { CallEventHandlerEvent } from 'matrix-js-sdk/lib/webrtc/callEventHandler.js';
import { rawPeer } from './raw-peer.js';
import { AUDIBLE_ENERGY } from '../../helpers/audible.js';
import { TrackGenerator, TrackProcessor } from '../../helpers/browser/insertable-streams.js';
import { syncUntilPrepared } from '../../helpers/browser/sync-client.js';

export interface PageCredentials {
  homeserverUrl: string;
  userId: string;
  accessToken: string;
  deviceId: string;
}

let client: sdk.MatrixClient | undefined;

/** How long an in-page wait lasts before it fails with a message saying what never happened. */
const WAIT_MS = 45_000;

export async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up after ${WAIT_MS / 1000}s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function requireClient(): sdk.MatrixClient {
  if (!client) throw new Error('call mx.startClient first');
  return client;
}

/** Starts matrix-js-sdk for one user and resolves once the first sync is processed. */
export interface ClientTestOptions {
  /** Start Rust crypto, for encrypted rooms. */
  encryption?: boolean;
  /** MatrixCall only: relay every call through TURN. */
  forceTURN?: boolean;
  /** No MatrixCall at all (matrix-js-sdk's CallEventHandler off): for the raw peer, which handles m.call.* itself. */
  disableVoip?: boolean;
}

export async function startClient(credentials: PageCredentials, options: ClientTestOptions = {}): Promise<string> {
  client = sdk.createClient({
    baseUrl: credentials.homeserverUrl,
    accessToken: credentials.accessToken,
    userId: credentials.userId,
    deviceId: credentials.deviceId,
    forceTURN: options.forceTURN ?? false,
    disableVoip: options.disableVoip ?? false,
  });
  const started = client;
  if (options.encryption) await started.initRustCrypto();
  await syncUntilPrepared(started);
  return started.getSafeUserId();
}

/** Resolves with the body of the next m.room.message another user sends to the room. */
function nextMessage(roomId: string): Promise<{ sender: string; body: string }> {
  const matrix = requireClient();
  return new Promise((resolve) => {
    const onTimeline = (event: sdk.MatrixEvent, room: sdk.Room | undefined): void => {
      if (room?.roomId !== roomId || event.getType() !== 'm.room.message') return;
      if (event.getSender() === matrix.getUserId()) return;
      matrix.off(sdk.RoomEvent.Timeline, onTimeline);
      resolve({ sender: event.getSender() ?? '', body: String(event.getContent().body) });
    };
    matrix.on(sdk.RoomEvent.Timeline, onTimeline);
  });
}

async function sendText(roomId: string, body: string): Promise<string> {
  const { event_id } = await requireClient().sendTextMessage(roomId, body);
  return event_id;
}

/** Asks the homeserver for an OpenID token, then the token service for a LiveKit JWT (MatrixRTC's /get_token). */
async function fetchLiveKitToken(rtcAuthUrl: string, roomId: string, memberId: string): Promise<{ url: string; jwt: string }> {
  const matrix = requireClient();
  const openid = await matrix.getOpenIdToken();
  const response = await fetch(`${rtcAuthUrl}/get_token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      room_id: roomId,
      slot_id: 'm.call#ROOM',
      openid_token: openid,
      member: { id: memberId, claimed_user_id: matrix.getUserId(), claimed_device_id: matrix.getDeviceId() },
    }),
  });
  if (!response.ok) throw new Error(`token service answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as { url: string; jwt: string };
}

let liveKitRoom: livekit.Room | undefined;

/** Joins the LiveKit room and publishes the fake camera. */
async function publishCamera(url: string, jwt: string): Promise<string> {
  liveKitRoom = new livekit.Room();
  await liveKitRoom.connect(url, jwt);
  const tracks = await livekit.createLocalTracks({ audio: false, video: { resolution: { width: 320, height: 240, frameRate: 15 } } });
  for (const track of tracks) await liveKitRoom.localParticipant.publishTrack(track);
  return liveKitRoom.localParticipant.identity;
}

/**
 * Joins the LiveKit room, waits for a remote video track from `publisherIdentity`, renders it, and resolves
 * with the number of frames the decoder produced once there are at least `minFrames`.
 */
async function subscribeAndCountFrames(url: string, jwt: string, publisherIdentity: string, minFrames: number): Promise<number> {
  liveKitRoom = new livekit.Room();
  const track = new Promise<livekit.RemoteVideoTrack>((resolve) => {
    liveKitRoom?.on(livekit.RoomEvent.TrackSubscribed, (subscribed, _publication, participant) => {
      if (subscribed.kind === livekit.Track.Kind.Video && participant.identity === publisherIdentity) {
        resolve(subscribed as livekit.RemoteVideoTrack);
      }
    });
  });
  await liveKitRoom.connect(url, jwt);
  const video = document.createElement('video');
  video.muted = true;
  (await track).attach(video);
  document.body.append(video);
  return countDecodedFrames(video, minFrames);
}

/** Counts frames the browser decoded and presented into a <video>, via requestVideoFrameCallback. */
function countDecodedFrames(video: HTMLVideoElement, minFrames: number): Promise<number> {
  return new Promise((resolve) => {
    let frames = 0;
    const onFrame = (): void => {
      frames += 1;
      if (frames >= minFrames) resolve(frames);
      else video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
    void video.play().catch(() => undefined);
  });
}

async function leaveLiveKit(): Promise<void> {
  await liveKitRoom?.disconnect();
  liveKitRoom = undefined;
}

/**
 * Resolves once the connection has received audible audio (the fake microphone beeps about once a second),
 * or after 15 s, so a silent call is reported by the caller's assertion rather than by a hang.
 */
async function receivedAudioEnergy(pc: RTCPeerConnection): Promise<number> {
  const giveUp = Date.now() + 15_000;
  for (;;) {
    let energy = 0;
    (await pc.getStats()).forEach((report: RTCStats & Record<string, unknown>) => {
      if (report.type === 'inbound-rtp' && report.kind === 'audio') energy = Number(report.totalAudioEnergy ?? 0);
    });
    if (energy > AUDIBLE_ENERGY || Date.now() > giveUp) return energy;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export interface RelayResult {
  localCandidateType: string | undefined;
  remoteCandidateType: string | undefined;
  framesDecoded: number;
  audioEnergy: number;
}

/**
 * Connects two RTCPeerConnections in this page with iceTransportPolicy 'relay', so every packet goes through
 * the TURN server, sends fake camera and microphone one way, and reports what the selected pair and the
 * receiver saw.
 */
async function relayCall(iceServers: RTCIceServer[], minFrames: number): Promise<RelayResult> {
  const config: RTCConfiguration = { iceServers, iceTransportPolicy: 'relay' };
  const caller = new RTCPeerConnection(config);
  const callee = new RTCPeerConnection(config);
  caller.onicecandidate = (event) => { if (event.candidate) void callee.addIceCandidate(event.candidate); };
  callee.onicecandidate = (event) => { if (event.candidate) void caller.addIceCandidate(event.candidate); };
  const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } });
  for (const track of media.getTracks()) caller.addTrack(track, media);
  const remoteStream = new Promise<MediaStream>((resolve) => {
    callee.ontrack = (event) => { if (event.track.kind === 'video' && event.streams[0]) resolve(event.streams[0]); };
  });
  await caller.setLocalDescription();
  await callee.setRemoteDescription(caller.localDescription as RTCSessionDescriptionInit);
  await callee.setLocalDescription();
  await caller.setRemoteDescription(callee.localDescription as RTCSessionDescriptionInit);
  // Audio and video play through one unmuted element: Chromium computes receive-side audio energy only for
  // audio it plays out (the browser runs with --mute-audio, so nothing is heard).
  const video = document.createElement('video');
  video.srcObject = await remoteStream;
  document.body.append(video);
  const framesSeen = await countDecodedFrames(video, minFrames);
  await receivedAudioEnergy(callee);

  const stats = await callee.getStats();
  let pair: RTCIceCandidatePairStats | undefined;
  let framesDecoded = framesSeen;
  let audioEnergy = 0;
  stats.forEach((report: RTCStats & Record<string, unknown>) => {
    if (report.type === 'transport' && typeof report.selectedCandidatePairId === 'string') {
      pair = stats.get(report.selectedCandidatePairId) as RTCIceCandidatePairStats | undefined;
    }
    if (report.type === 'inbound-rtp' && report.kind === 'video') framesDecoded = Number(report.framesDecoded ?? 0);
    if (report.type === 'inbound-rtp' && report.kind === 'audio') audioEnergy = Number(report.totalAudioEnergy ?? 0);
  });
  const candidateType = (id: string | undefined): string | undefined =>
    id ? (stats.get(id) as { candidateType?: string } | undefined)?.candidateType : undefined;
  const result = {
    localCandidateType: candidateType(pair?.localCandidateId),
    remoteCandidateType: candidateType(pair?.remoteCandidateId),
    framesDecoded,
    audioEnergy,
  };
  caller.close();
  callee.close();
  for (const track of media.getTracks()) track.stop();
  return result;
}

// ---------------------------------------------------------------------------------------------------
// 1:1 calls: the kit on one side, matrix-js-sdk's MatrixCall (what Element Web uses) or the kit on the other.

let callKit: kit.CallKit | undefined;
let kitVoip: kit.CallManager | undefined;
const kitCalls = new Map<string, kit.CallHandle>();
const incomingKitCalls: kit.CallHandle[] = [];

export function kitCall(callId: string): kit.CallHandle {
  const call = kitCalls.get(callId);
  if (!call) throw new Error(`no kit call ${callId}`);
  return call;
}

export type KitTestOptions = Pick<kit.CallManagerOptions, 'relayOnly' | 'inviteLifetimeMs' | 'whenBusy'> & {
  encryption?: boolean;
  /** The page has yet to allow camera and microphone: see permissionsWillPrompt. */
  permissionsWillPrompt?: boolean;
  /** Neither load 1:1 calls nor listen for incoming ones until kitListenForIncoming. */
  listenLater?: boolean;
  group?: kit.GroupCallsOptions;
};

async function startKit(credentials: PageCredentials, { permissionsWillPrompt: prompting, encryption, listenLater, group, ...voip }: KitTestOptions = {}): Promise<string> {
  if (prompting) permissionsWillPrompt();
  callKit = await kit.createCallKit({ credentials, encryption, voip, group });
  if (!listenLater) await kitListenForIncoming();
  return callKit.session.getSnapshot().userId ?? '';
}

/** Loads the kit's 1:1 calls and group rings, and records every 1:1 call that rings from now on. */
async function kitListenForIncoming(): Promise<void> {
  if (!callKit) throw new Error('call mx.startKit first');
  callKit.onIncomingCall((incoming) => {
    // Group rings are read from kit.groupRings() (kitGroupRinging).
    if (incoming.type !== 'voip') return;
    kitCalls.set(incoming.call.getSnapshot().callId, incoming.call);
    incomingKitCalls.push(incoming.call);
  });
  kitVoip = await callKit.voip();
}

/**
 * Group-call transport discovery over the kit session's client: every source as the client reads it, or with
 * the sources named in `skip` answering as a homeserver without them would. Resolves with the transports or
 * the error's code and message.
 */
async function rtcDiscoverTransports(skip: ('homeserver' | 'well-known')[], configured: string[]): Promise<{ transports: { livekitServiceUrl: string; source: string }[] } | { code: string; message: string }> {
  if (!callKit) throw new Error('call mx.startKit first');
  const real = clientTransportSources(callKit.session.client);
  const absent = () => Promise.reject(new Error('404 (skipped by the test)'));
  const sources: TransportSources = {
    homeserverUrl: real.homeserverUrl,
    homeserverTransports: skip.includes('homeserver') ? absent : real.homeserverTransports,
    wellKnown: skip.includes('well-known') ? absent : real.wellKnown,
  };
  try {
    return { transports: await discoverTransports(sources, configured, kit.consoleLogger('rtc')) };
  } catch (error) {
    const failure = kit.MxError.from(error);
    return { code: failure.code, message: failure.message };
  }
}

/**
 * A LiveKit token for `roomId` from the token service transport discovery finds (or `serviceUrl`), with the
 * session's OpenID token (or a forged one). Resolves with the LiveKit URL and the JWT's claims, or the error.
 */
async function rtcRequestToken(
  roomId: string,
  form: MembershipForm,
  options: { serviceUrl?: string; forgeOpenId?: boolean; memberId?: string } = {},
): Promise<{ url: string; claims: Record<string, unknown>; expiresAt: number | undefined } | { code: string; message: string }> {
  if (!callKit) throw new Error('call mx.startKit first');
  const client = callKit.session.client;
  try {
    const [transport] = options.serviceUrl ? [{ livekitServiceUrl: options.serviceUrl }] : await discoverTransports(clientTransportSources(client), [], kit.consoleLogger('rtc'));
    const issued = await client.getOpenIdToken();
    const openIdToken = { ...issued, access_token: options.forgeOpenId ? 'forged-openid-token' : issued.access_token };
    const token = await requestSfuToken({
      serviceUrl: transport!.livekitServiceUrl, roomId, openIdToken, form, memberId: options.memberId,
      userId: client.getSafeUserId(), deviceId: client.getDeviceId() ?? '',
    });
    const payload = token.jwt.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/');
    return { url: token.url, claims: JSON.parse(atob(payload)) as Record<string, unknown>, expiresAt: token.expiresAt };
  } catch (error) {
    const failure = kit.MxError.from(error);
    return { code: failure.code, message: failure.message };
  }
}

/** A state-event-form LiveKit token for the call in `roomId`, from the discovered token service, as this session. */
async function sfuTokenWithoutMembership(roomId: string, deviceSuffix = ''): Promise<{ url: string; jwt: string }> {
  if (!callKit) throw new Error('call mx.startKit first');
  const client = callKit.session.client;
  const [transport] = await discoverTransports(clientTransportSources(client), [], kit.consoleLogger('rtc'));
  return requestSfuToken({
    serviceUrl: transport!.livekitServiceUrl, roomId, openIdToken: await client.getOpenIdToken(), form: 'state-event',
    userId: client.getSafeUserId(), deviceId: `${client.getDeviceId() ?? ''}${deviceSuffix}`,
  });
}

/**
 * Joins the call's LiveKit room with a valid token of the state-event form (identity `${userId}:${deviceId}`) and
 * publishes the camera and microphone, without any call membership; counts the subscriptions others make to them.
 * With `encryptWithUnsentKey`, the media is end-to-end encrypted with a key nobody is ever sent.
 */
async function rtcPublishWithoutMembership(roomId: string, options: { encryptWithUnsentKey?: boolean } = {}): Promise<string> {
  const token = await sfuTokenWithoutMembership(roomId);
  let keyProvider: livekit.ExternalE2EEKeyProvider | undefined;
  if (options.encryptWithUnsentKey) {
    keyProvider = new livekit.ExternalE2EEKeyProvider();
    await keyProvider.setKey(crypto.randomUUID());
  }
  liveKitRoom = new livekit.Room(keyProvider
    ? { encryption: { keyProvider, worker: new Worker(new URL('./e2ee-worker.js', import.meta.url), { type: 'module' }) } }
    : {});
  liveKitRoom.on(livekit.RoomEvent.LocalTrackSubscribed, () => { subscriptionsToMine += 1; });
  await liveKitRoom.connect(token.url, token.jwt);
  if (keyProvider) await liveKitRoom.setE2EEEnabled(true);
  const tracks = await livekit.createLocalTracks({ audio: true, video: { resolution: { width: 320, height: 240, frameRate: 15 } } });
  for (const track of tracks) await liveKitRoom.localParticipant.publishTrack(track);
  return liveKitRoom.localParticipant.identity;
}

/**
 * A LiveKit participant with a valid token and no membership that subscribes to everyone: with `e2ee`, it runs
 * LiveKit's E2EE worker holding no key (as a client that was never sent any); without, it decodes what arrives.
 */
let eavesdropper: livekit.Room | undefined;
async function rtcEavesdropWithoutKeys(roomId: string, options: { e2ee: boolean }): Promise<void> {
  const token = await sfuTokenWithoutMembership(roomId, '-EAVESDROP');
  class NoKeys extends livekit.BaseKeyProvider {}
  // The page server puts LiveKit's worker beside this bundle.
  eavesdropper = new livekit.Room(options.e2ee
    ? { encryption: { keyProvider: new NoKeys({ keyringSize: 256 }), worker: new Worker(new URL('./e2ee-worker.js', import.meta.url), { type: 'module' }) } }
    : {});
  await eavesdropper.connect(token.url, token.jwt, { autoSubscribe: true });
  if (options.e2ee) await eavesdropper.setE2EEEnabled(true);
  eavesdropper.on(livekit.RoomEvent.TrackSubscribed, (track) => {
    // Attached, so the browser decodes what arrives as a page showing it would.
    if (track.kind === livekit.Track.Kind.Video) document.body.append(track.attach());
  });
}

/** Video frames the eavesdropper decoded, and how many video tracks it is subscribed to. */
async function rtcEavesdropperReceived(): Promise<{ videoTracks: number; framesDecoded: number; bytesReceived: number }> {
  let framesDecoded = 0;
  let bytesReceived = 0;
  let videoTracks = 0;
  for (const participant of eavesdropper?.remoteParticipants.values() ?? []) {
    for (const publication of participant.videoTrackPublications.values()) {
      if (!publication.track) continue;
      videoTracks += 1;
      (await publication.track.getRTCStatsReport())?.forEach((stats: RTCStats & { framesDecoded?: number; bytesReceived?: number }) => {
        if (stats.type !== 'inbound-rtp') return;
        framesDecoded += stats.framesDecoded ?? 0;
        bytesReceived += stats.bytesReceived ?? 0;
      });
    }
  }
  return { videoTracks, framesDecoded, bytesReceived };
}

/** Media keys this device received over to-device (after decryption): who sent which index. */
const mediaKeysSeen: { sender: string; index: number; encrypted: boolean }[] = [];
function kitRecordMediaKeys(): void {
  if (!callKit) throw new Error('call mx.startKit first');
  callKit.session.client.on(sdk.ClientEvent.ToDeviceEvent, (event) => {
    if (event.getType() !== 'io.element.call.encryption_keys') return;
    const index = (event.getContent() as { keys?: { index?: unknown } }).keys?.index;
    if (typeof index === 'number') mediaKeysSeen.push({ sender: event.getSender() ?? '', index, encrypted: event.isEncrypted() });
  });
}
const kitMediaKeysSeen = () => [...mediaKeysSeen];

/** Sends `content` as a media key message, Olm-encrypted from this session's device, to one device. */
async function kitSendMediaKeyMessage(userId: string, deviceId: string, content: Record<string, unknown>): Promise<void> {
  if (!callKit) throw new Error('call mx.startKit first');
  await callKit.session.client.encryptAndSendToDevice('io.element.call.encryption_keys', [{ userId, deviceId }], content);
}

let subscriptionsToMine = 0;
const liveKitSubscriptionsToMine = (): number => subscriptionsToMine;

/** The kit session's user and device. */
function kitIdentity(): { userId: string; deviceId: string } {
  const { userId, deviceId } = callKit?.session.getSnapshot() ?? {};
  return { userId: userId ?? '', deviceId: deviceId ?? '' };
}

/** Whether the kit's Matrix client has received an event of `type` in the room (decrypted, if it was). */
function kitClientHasEvent(roomId: string, type: string): boolean {
  return callKit?.session.client.getRoom(roomId)?.getLiveTimeline().getEvents().some((event) => event.getType() === type) ?? false;
}

let groupCall: kit.GroupCallHandle | undefined;

/** The group calls ringing here now. */
async function kitGroupRinging(): Promise<{ roomId: string; sender: string; notificationType: string; intent: string | undefined }[]> {
  if (!callKit) throw new Error('call mx.startKit first');
  return (await callKit.groupRings()).getSnapshot().ringing.map(({ roomId, sender, notificationType, intent }) => ({ roomId, sender, notificationType, intent }));
}

async function kitDeclineGroupRing(roomId: string): Promise<void> {
  if (!callKit) throw new Error('call mx.startKit first');
  const ring = (await callKit.groupRings()).getSnapshot().ringing.find((candidate) => candidate.roomId === roomId);
  if (!ring) throw new Error(`nothing rings for ${roomId}`);
  await ring.decline();
}

/** Shows the kit's group rings in an <mx-incoming-call>, whose Join joins as an app would (kitJoinGroupCall). */
async function kitShowGroupRings(): Promise<void> {
  if (!callKit) throw new Error('call mx.startKit first');
  await import('../../../define/mx-incoming-call.js');
  const element = document.createElement('mx-incoming-call');
  element.rings = await callKit.groupRings();
  element.addEventListener('mx-ring-join-request', ({ detail }) => void kitJoinGroupCall(detail.roomId, { video: detail.intent !== 'audio' }));
  document.getElementById('root')?.append(element);
}

/** Joins a room's group call with the kit; resolves once joined, or with the join's error. */
async function kitJoinGroupCall(roomId: string, options: kit.GroupJoinOptions = {}): Promise<{ code: string; message: string } | undefined> {
  if (!callKit) throw new Error('call mx.startKit first');
  try {
    groupCall = await callKit.joinGroupCall(roomId, options);
    playGroupFeeds(groupCall);
    recordGroupReactions(groupCall);
    await groupCall.joined;
    return undefined;
  } catch (error) {
    const failure = kit.MxError.from(error);
    return { code: failure.code, message: failure.message };
  }
}

/** Every reaction the call showed, by event id: they leave the snapshot after a few seconds. */
const groupReactionsSeen = new Map<string, kit.GroupReaction>();
function recordGroupReactions(call: kit.GroupCallHandle): void {
  groupReactionsSeen.clear();
  call.subscribe(({ reactions }) => {
    for (const reaction of reactions) groupReactionsSeen.set(reaction.eventId, reaction);
  });
}

function kitGroupReactionsSeen(): kit.GroupReaction[] {
  return [...groupReactionsSeen.values()];
}

/** Raised hands as the snapshot shows them: identity → raised (ours included). */
function kitGroupHands(): Record<string, boolean> {
  const { local, participants } = requireGroupCall().getSnapshot();
  return Object.fromEntries([local, ...participants].map((participant) => [participant.identity, participant.handRaisedAt !== undefined]));
}

async function kitSetGroupHandRaised(raised: boolean): Promise<string | undefined> {
  try {
    await requireGroupCall().setHandRaised(raised);
    return undefined;
  } catch (error) {
    return kit.MxError.from(error).code;
  }
}

async function kitSendGroupReaction(emoji: string, name: string): Promise<string | undefined> {
  try {
    await requireGroupCall().sendReaction({ emoji, name });
    return undefined;
  } catch (error) {
    return kit.MxError.from(error).code;
  }
}

/** Plays every member's feeds as a page would (audio is measured only where it plays). */
function playGroupFeeds(call: kit.GroupCallHandle): void {
  const elements = new Map<MediaStream, HTMLVideoElement>();
  const sync = ({ participants }: kit.GroupCallSnapshot): void => {
    const streams = new Set(participants.flatMap((participant) => participant.feeds.map((feed) => feed.stream)));
    for (const [stream, element] of elements) {
      if (streams.has(stream)) continue;
      element.remove();
      elements.delete(stream);
    }
    for (const stream of streams) {
      if (elements.has(stream)) continue;
      const video = document.createElement('video');
      video.autoplay = true;
      video.srcObject = stream;
      document.body.append(video);
      elements.set(stream, video);
    }
  };
  sync(call.getSnapshot());
  call.subscribe(sync);
}

function requireGroupCall(): kit.GroupCallHandle {
  if (!groupCall) throw new Error('call mx.kitJoinGroupCall first');
  return groupCall;
}

/** The group call's snapshot without its streams. */
function kitGroupSnapshot(): { phase: kit.GroupCallPhase; error: string | undefined; localIdentity: string; ring: kit.OutgoingRing | undefined; participants: (Omit<kit.GroupParticipant, 'feeds'> & { feeds: { purpose: string; tracks: string[] }[] })[] } {
  const { phase, error, participants, local, ring } = requireGroupCall().getSnapshot();
  return {
    phase,
    ring,
    error: error?.code,
    localIdentity: local.identity,
    participants: participants.map(({ feeds, ...rest }) => ({ ...rest, feeds: feeds.map((feed) => ({ purpose: feed.purpose, tracks: feed.stream.getTracks().map((track) => track.kind) })) })),
  };
}

/** Frames decoded and audio energy received from each member so far, by LiveKit identity. */
async function kitGroupReceived(): Promise<Record<string, kit.ReceivedMedia>> {
  return Object.fromEntries(await requireGroupCall().receivedMedia());
}

async function kitSetGroupMicrophoneMuted(muted: boolean): Promise<void> {
  await requireGroupCall().setMicrophoneMuted(muted);
}

/** Shows the group call in an <mx-group-call>, as an app would. */
async function kitShowGroupCall(): Promise<void> {
  await import('../../../define/mx-group-call.js');
  const element = document.createElement('mx-group-call') as HTMLElement & { call: kit.GroupCallHandle | undefined };
  element.call = requireGroupCall();
  element.style.cssText = 'display: block; width: 960px; height: 600px;';
  document.getElementById('root')?.append(element);
}

async function kitShareScreen(sharing: boolean): Promise<{ sharing: boolean; tracks: string[] }> {
  const call = requireGroupCall();
  await call.setScreenSharing(sharing);
  const own = call.getSnapshot().local.feeds.find((feed) => feed.purpose === 'm.screenshare');
  return { sharing: call.getSnapshot().local.screenSharing, tracks: own?.stream.getTracks().map((track) => track.kind) ?? [] };
}

/**
 * What arrives of a member's shared screen, measured as a page would show it: new video frames in a `<video>`
 * over about a second, and the energy of its sound through Web Audio.
 */
async function kitGroupScreenMedia(identity: string): Promise<{ frames: number; audioTracks: number; audioEnergy: number }> {
  const member = requireGroupCall().getSnapshot().participants.find((participant) => participant.identity === identity);
  const stream = member?.feeds.find((feed) => feed.purpose === 'm.screenshare')?.stream;
  if (!stream) return { frames: 0, audioTracks: 0, audioEnergy: 0 };
  const video = document.createElement('video');
  video.muted = true;
  video.srcObject = new MediaStream(stream.getVideoTracks());
  document.body.append(video);
  // play() settles only once a frame shows: not awaited, so a screen that never arrives measures 0 frames.
  video.play().catch(() => undefined);
  const context = new AudioContext();
  const analyser = context.createAnalyser();
  const audioTracks = stream.getAudioTracks();
  if (audioTracks.length > 0) context.createMediaStreamSource(new MediaStream(audioTracks)).connect(analyser);
  const before = video.getVideoPlaybackQuality().totalVideoFrames;
  let audioEnergy = 0;
  const samples = new Float32Array(analyser.fftSize);
  for (let i = 0; i < 10; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    analyser.getFloatTimeDomainData(samples);
    audioEnergy += samples.reduce((sum, sample) => sum + sample * sample, 0);
  }
  const frames = video.getVideoPlaybackQuality().totalVideoFrames - before;
  video.remove();
  await context.close();
  return { frames, audioTracks: audioTracks.length, audioEnergy };
}

async function kitLeaveGroupCall(): Promise<kit.GroupCallPhase> {
  const call = requireGroupCall();
  await call.leave();
  return call.getSnapshot().phase;
}

async function kitPlaceCall(target: { roomId?: string; userId?: string }, kind: kit.CallKind): Promise<string> {
  if (!callKit) throw new Error('call mx.startKit first');
  const call = target.roomId ? await callKit.placeCall({ roomId: target.roomId, userId: target.userId }, kind) : await callKit.placeCall({ userId: target.userId ?? '' }, kind);
  const { callId } = call.getSnapshot();
  kitCalls.set(callId, call);
  attachFeeds(call);
  return callId;
}

/** Resolves with the id of the next call that rings in the kit. */
async function kitNextIncoming(): Promise<string> {
  await waitUntil(() => incomingKitCalls.length > 0, 'no call rang in the kit');
  const call = incomingKitCalls.shift() as kit.CallHandle;
  attachFeeds(call);
  return call.getSnapshot().callId;
}

function kitAction(callId: string, action: 'answer-video' | 'answer-voice' | 'reject' | 'hangup' | 'hold' | 'resume' | 'mute-mic' | 'unmute-mic' | 'mute-camera' | 'unmute-camera' | 'upgrade' | 'screenshare' | 'stop-screenshare' | 'reopen-camera' | 'reopen-microphone'): Promise<void> {
  const call = kitCall(callId);
  switch (action) {
    case 'answer-video': return call.answer('video');
    case 'answer-voice': return call.answer('voice');
    case 'reject': return call.reject();
    case 'hangup': return call.hangup();
    case 'hold': return call.setOnHold(true);
    case 'resume': return call.setOnHold(false);
    case 'mute-mic': return call.setMicMuted(true);
    case 'unmute-mic': return call.setMicMuted(false);
    case 'mute-camera': return call.setCameraMuted(true);
    case 'unmute-camera': return call.setCameraMuted(false);
    case 'upgrade': return call.upgradeToVideo();
    case 'screenshare': return call.setScreensharing(true);
    case 'stop-screenshare': return call.setScreensharing(false);
    case 'reopen-camera': return call.reopenDevice('camera');
    case 'reopen-microphone': return call.reopenDevice('microphone');
  }
}

/** Every call the kit knows of, with its phase: for glare, where calls appear without a test placing them. */
function kitCallList(): { callId: string; phase: kit.CallPhase; direction: string }[] {
  return (kitVoip?.getSnapshot().calls ?? []).map((call) => {
    const { callId, phase, direction } = call.getSnapshot();
    if (!kitCalls.has(callId)) {
      kitCalls.set(callId, call);
      attachFeeds(call);
    }
    return { callId, phase, direction };
  });
}

/** Shows a kit call in an `<mx-call>` (which holds the ringing dialog), as a page would. */
async function kitShowCall(callId: string): Promise<void> {
  await import('../../../define/mx-call.js');
  const element = document.createElement('mx-call') as HTMLElement & { call: kit.CallHandle | undefined };
  element.id = `mx-call-${callId}`;
  element.call = kitCall(callId);
  document.getElementById('root')?.append(element);
}

export interface AvatarView {
  /** The image's src, if an image is shown. */
  src: string | undefined;
  naturalWidth: number;
  /** The initials, when no image is shown. */
  text: string;
}

/** The peer's avatar as the `<mx-call>` of kitShowCall shows it: in its ringing dialog and in its remote tile. */
function kitAvatarView(callId: string): { dialogOpen: boolean; dialog: AvatarView | undefined; tile: AvatarView | undefined } {
  const call = document.getElementById(`mx-call-${callId}`);
  const dialog = call?.shadowRoot?.querySelector('mx-incoming-call');
  const tile = call?.shadowRoot?.querySelector('[part~="remote-tile"]');
  const view = (host: Element | null | undefined): AvatarView | undefined => {
    const avatar = host?.shadowRoot?.querySelector('[part~="avatar"]');
    if (!avatar) return undefined;
    const image = avatar.querySelector('img');
    return { src: image?.getAttribute('src') ?? undefined, naturalWidth: image?.naturalWidth ?? 0, text: avatar.textContent?.trim() ?? '' };
  };
  return { dialogOpen: !!dialog?.matches(':state(open)'), dialog: view(dialog), tile: view(tile) };
}

/** Whether a blob: URL still names its blob in this page (a revoked one does not). */
async function blobUrlLive(url: string): Promise<boolean> {
  return fetch(url).then(() => true, () => false);
}

function kitRingingCount(): number {
  return kitVoip?.getSnapshot().ringing.length ?? 0;
}

function kitSnapshot(callId: string): Omit<kit.CallSnapshot, 'localFeeds' | 'remoteFeeds' | 'error'> & { remoteFeeds: { purpose: string; audioMuted: boolean; videoMuted: boolean }[]; error: string | undefined } {
  const { localFeeds: _local, remoteFeeds, error, ...rest } = kitCall(callId).getSnapshot();
  return { ...rest, remoteFeeds: remoteFeeds.map(({ purpose, audioMuted, videoMuted }) => ({ purpose, audioMuted, videoMuted })), error: error?.message };
}

/** Resolves once the kit call reaches `phase` (or rejects if it ends first). */
function kitWaitForPhase(callId: string, phase: kit.CallPhase): Promise<void> {
  const call = kitCall(callId);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gave up after ${WAIT_MS / 1000}s: kit call ${callId} stayed ${call.getSnapshot().phase}, never ${phase}`)), WAIT_MS);
    const check = (snapshot: kit.CallSnapshot): boolean => {
      if (snapshot.phase === phase) { clearTimeout(timer); resolve(); return true; }
      if (snapshot.phase === 'ended') { clearTimeout(timer); reject(new Error(`call ended (${snapshot.endReason ?? '?'}) before ${phase}`)); return true; }
      return false;
    };
    if (check(call.getSnapshot())) return;
    const unsubscribe = call.subscribe((snapshot) => { if (check(snapshot)) unsubscribe(); });
  });
}

/** Per kit call: how many live local tracks (camera, microphone) it had when it first reached each phase. */
const liveLocalTracksAtPhase = new Map<string, Partial<Record<kit.CallPhase, number>>>();

function kitLiveLocalTracksAtPhase(callId: string): Partial<Record<kit.CallPhase, number>> {
  return liveLocalTracksAtPhase.get(callId) ?? {};
}

/** Per kit call: each phase it entered, in order, with its peer connection's connectionState at that moment. */
const phaseLog = new Map<string, { phase: kit.CallPhase; connectionState: RTCPeerConnectionState | 'none' }[]>();

function kitPhaseLog(callId: string): { phase: kit.CallPhase; connectionState: RTCPeerConnectionState | 'none' }[] {
  return phaseLog.get(callId) ?? [];
}

/** A kit call's ICE and overall (ICE and DTLS) connection states. */
function kitTransportStates(callId: string): { ice: RTCIceConnectionState | 'none'; connection: RTCPeerConnectionState | 'none' } {
  const pc = (kitCall(callId) as unknown as { peerConnection?: RTCPeerConnection }).peerConnection;
  return { ice: pc?.iceConnectionState ?? 'none', connection: pc?.connectionState ?? 'none' };
}

/** Plays every remote feed of a kit call in an unmuted element, so frames decode and audio energy is measured. */
function attachFeeds(call: kit.CallHandle): void {
  const elements = new Map<string, HTMLVideoElement>();
  const sync = (snapshot: kit.CallSnapshot): void => {
    const phases = phaseLog.get(snapshot.callId) ?? [];
    if (phases.at(-1)?.phase !== snapshot.phase) {
      const pc = (call as unknown as { peerConnection?: RTCPeerConnection }).peerConnection;
      phases.push({ phase: snapshot.phase, connectionState: pc?.connectionState ?? 'none' });
    }
    phaseLog.set(snapshot.callId, phases);
    const seen = liveLocalTracksAtPhase.get(snapshot.callId) ?? {};
    seen[snapshot.phase] ??= snapshot.localFeeds.flatMap((feed) => feed.stream.getTracks()).filter((track) => track.readyState === 'live').length;
    liveLocalTracksAtPhase.set(snapshot.callId, seen);
    for (const feed of snapshot.remoteFeeds) {
      const shown = elements.get(feed.id);
      if (shown) {
        // After a hold the browser may hand the stream back as a new object with the same id.
        if (shown.srcObject !== feed.stream) shown.srcObject = feed.stream;
        continue;
      }
      const video = document.createElement('video');
      video.autoplay = true;
      video.srcObject = feed.stream;
      document.body.append(video);
      elements.set(feed.id, video);
    }
  };
  sync(call.getSnapshot());
  call.subscribe(sync);
}

let voipClient: sdk.MatrixClient | undefined;
const sdkCalls = new Map<string, MatrixCall>();
const incomingSdkCalls: MatrixCall[] = [];

/** Starts a matrix-js-sdk client with its own VoIP stack on, as Element Web runs it. */
async function startSdkVoip(credentials: PageCredentials, options: ClientTestOptions = {}): Promise<string> {
  await startClient(credentials, options);
  voipClient = requireClient();
  voipClient.on(CallEventHandlerEvent.Incoming, (call: MatrixCall) => {
    call.on(CallEvent.Error, (error) => console.error(`MatrixCall error: ${error.message}`));
    sdkCalls.set(call.callId, call);
    incomingSdkCalls.push(call);
    sdkIncomingTimes.set(call.callId, Date.now());
    attachSdkFeeds(call);
  });
  return voipClient.getSafeUserId();
}

/** When (Date.now) MatrixCall started ringing for the call: for timing from another page. */
const sdkIncomingTimes = new Map<string, number>();
function sdkIncomingAt(callId: string): number | undefined {
  return sdkIncomingTimes.get(callId);
}

async function sdkNextIncoming(): Promise<string> {
  await waitUntil(() => incomingSdkCalls.length > 0, 'no call rang in MatrixCall');
  return (incomingSdkCalls.shift() as MatrixCall).callId;
}

async function sdkPlaceCall(roomId: string, invitee: string | undefined, kind: 'video' | 'voice'): Promise<string> {
  if (!voipClient) throw new Error('call mx.startSdkVoip first');
  const call = sdk.createNewMatrixCall(voipClient, roomId, invitee ? { invitee } : undefined);
  if (!call) throw new Error('this browser cannot make MatrixCalls');
  call.on(CallEvent.Error, (error) => console.error(`MatrixCall error: ${error.message}`));
  call.on(CallEvent.Replaced, (replacement: MatrixCall) => {
    sdkCalls.set(replacement.callId, replacement);
    attachSdkFeeds(replacement);
  });
  sdkCalls.set(call.callId, call);
  attachSdkFeeds(call);
  if (kind === 'video') await call.placeVideoCall();
  else await call.placeVoiceCall();
  return call.callId;
}

/**
 * Joins every room the signed-in user is invited to, now and from now on: a support desk that accepts every
 * visitor's DM, so the visitor's call can ring it (call events only reach members who joined).
 */
function sdkAutoJoinInvites(): void {
  const client = requireClient();
  const me = client.getSafeUserId();
  // An invite whose room everyone else has left (an ended visitor's) cannot be joined any more.
  const join = (roomId: string) => void client.joinRoom(roomId).catch((error: Error) => console.warn(`joining ${roomId} failed: ${error.message}`));
  for (const room of client.getRooms()) if (room.getMyMembership() === 'invite') join(room.roomId);
  client.on(sdk.RoomMemberEvent.Membership, (_event, member) => {
    if (member.userId === me && member.membership === 'invite') join(member.roomId);
  });
}

function sdkCallList(): { callId: string; state: string }[] {
  return [...sdkCalls.values()].map((call) => ({ callId: call.callId, state: call.state }));
}

function sdkCall(callId: string): MatrixCall {
  const call = sdkCalls.get(callId);
  if (!call) throw new Error(`no MatrixCall ${callId}`);
  return call;
}

async function sdkAction(callId: string, action: 'answer-video' | 'answer-voice' | 'reject' | 'hangup' | 'busy' | 'hold' | 'resume' | 'mute-mic' | 'unmute-mic' | 'mute-camera' | 'unmute-camera' | 'screenshare'): Promise<void> {
  const call = sdkCall(callId);
  switch (action) {
    case 'answer-video': return call.answer(true, true);
    case 'answer-voice': return call.answer(true, false);
    case 'reject': return call.reject();
    case 'hangup': return call.hangup(CallErrorCode.UserHangup, false);
    case 'busy': return call.hangup(CallErrorCode.UserBusy, false);
    case 'hold': return call.setRemoteOnHold(true);
    case 'resume': return call.setRemoteOnHold(false);
    case 'mute-mic': await call.setMicrophoneMuted(true); return;
    case 'unmute-mic': await call.setMicrophoneMuted(false); return;
    case 'mute-camera': await call.setLocalVideoMuted(true); return;
    case 'unmute-camera': await call.setLocalVideoMuted(false); return;
    case 'screenshare': await call.setScreensharingEnabled(true); return;
  }
}

function sdkSnapshot(callId: string): { state: string; hangupReason: string | undefined; hangupParty: string | undefined; remoteFeeds: { purpose: string; audioMuted: boolean; videoMuted: boolean }[]; localOnHold: boolean; remoteOnHold: boolean } {
  const call = sdkCall(callId);
  return {
    state: call.state,
    hangupReason: call.hangupReason ?? undefined,
    hangupParty: call.hangupParty ?? undefined,
    remoteFeeds: call.getRemoteFeeds().map((feed) => ({ purpose: feed.purpose, audioMuted: feed.isAudioMuted(), videoMuted: feed.isVideoMuted() })),
    localOnHold: call.isLocalOnHold(),
    remoteOnHold: call.isRemoteOnHold(),
  };
}

async function sdkWaitForState(callId: string, state: string): Promise<void> {
  const call = sdkCall(callId);
  await waitUntil(() => {
    if (call.state !== state && call.state === CallState.Ended) throw new Error(`MatrixCall ended (${call.hangupReason ?? '?'}) before ${state}`);
    return call.state === state;
  }, `MatrixCall ${callId} stayed ${call.state}, never ${state}`);
}

function attachSdkFeeds(call: MatrixCall): void {
  const elements = new Map<string, HTMLVideoElement>();
  call.on(CallEvent.FeedsChanged, () => {
    for (const feed of call.getRemoteFeeds()) {
      if (elements.has(feed.stream.id)) continue;
      const video = document.createElement('video');
      video.autoplay = true;
      video.srcObject = feed.stream;
      document.body.append(video);
      elements.set(feed.stream.id, video);
    }
  });
}

export interface MediaFlow {
  framesDecoded: number;
  audioEnergy: number;
}

/** What a peer connection has received so far: decoded video frames and audio energy (needs played audio). */
async function receivedMedia(pc: RTCPeerConnection | undefined): Promise<MediaFlow> {
  const flow = { framesDecoded: 0, audioEnergy: 0 };
  if (!pc) return flow;
  (await pc.getStats()).forEach((report: RTCStats & Record<string, unknown>) => {
    if (report.type !== 'inbound-rtp') return;
    if (report.kind === 'video') flow.framesDecoded += Number(report.framesDecoded ?? 0);
    if (report.kind === 'audio') flow.audioEnergy += Number(report.totalAudioEnergy ?? 0);
  });
  return flow;
}

/**
 * Resolves once a call has decoded at least `minFrames` video frames (0 for voice calls) and received audible
 * audio, or after `giveUpMs`, returning what it saw either way so the test's assertion reports it.
 */
function waitForMedia(which: 'kit' | 'sdk', callId: string, minFrames: number, giveUpMs = 20_000): Promise<MediaFlow> {
  const pc = (): RTCPeerConnection | undefined => (which === 'kit' ? (kitCall(callId) as unknown as { peerConnection?: RTCPeerConnection }).peerConnection : sdkCall(callId).peerConn);
  return waitForFlow(pc, minFrames, giveUpMs);
}

/** What a call has received so far, without waiting: for comparing before and after. */
function mediaSoFar(which: 'kit' | 'sdk', callId: string): Promise<MediaFlow> {
  return waitForMedia(which, callId, 0, 0);
}

/** waitForMedia for any peer connection (looked up again on each poll, as it may appear later). */
export async function waitForFlow(pc: () => RTCPeerConnection | undefined, minFrames: number, giveUpMs = 20_000): Promise<MediaFlow> {
  const deadline = Date.now() + giveUpMs;
  for (;;) {
    const flow = await receivedMedia(pc());
    if ((flow.framesDecoded >= minFrames && flow.audioEnergy > AUDIBLE_ENERGY) || Date.now() > deadline) return flow;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The candidate types of the selected ICE pair, local and remote ('host', 'srflx', 'relay'). */
async function selectedCandidateTypes(which: 'kit' | 'sdk', callId: string): Promise<{ local: string | undefined; remote: string | undefined }> {
  const pc = which === 'kit' ? (kitCall(callId) as unknown as { peerConnection?: RTCPeerConnection }).peerConnection : sdkCall(callId).peerConn;
  const result: { local: string | undefined; remote: string | undefined } = { local: undefined, remote: undefined };
  if (!pc) return result;
  const stats = await pc.getStats();
  stats.forEach((report: RTCStats & Record<string, unknown>) => {
    if (report.type !== 'transport' || typeof report.selectedCandidatePairId !== 'string') return;
    const pair = stats.get(report.selectedCandidatePairId) as RTCIceCandidatePairStats | undefined;
    result.local = (stats.get(pair?.localCandidateId ?? '') as { candidateType?: string } | undefined)?.candidateType;
    result.remote = (stats.get(pair?.remoteCandidateId ?? '') as { candidateType?: string } | undefined)?.candidateType;
  });
  return result;
}

/** Which device each local track of the call runs on, in the feed and in the senders, and whether it is live. */
interface LocalTrack {
  id: string;
  deviceId: string | undefined;
  readyState: MediaStreamTrackState;
}

function kitLocalTracks(callId: string): { feed: Record<'audio' | 'video', LocalTrack[]>; senders: Record<'audio' | 'video', LocalTrack[]> } {
  const call = kitCall(callId);
  const feed = call.getSnapshot().localFeeds.find((f) => f.purpose === 'm.usermedia');
  const pc = (call as unknown as { peerConnection?: RTCPeerConnection }).peerConnection;
  const describe = (track: MediaStreamTrack): LocalTrack => ({ id: track.id, deviceId: track.getSettings().deviceId, readyState: track.readyState });
  const senderTracks = pc?.getSenders().flatMap((s) => (s.track ? [s.track] : [])) ?? [];
  return {
    feed: { audio: feed?.stream.getAudioTracks().map(describe) ?? [], video: feed?.stream.getVideoTracks().map(describe) ?? [] },
    senders: { audio: senderTracks.filter((t) => t.kind === 'audio').map(describe), video: senderTracks.filter((t) => t.kind === 'video').map(describe) },
  };
}

/** The kit's camera as the page holds it: the states of the video tracks in its local feed and in its senders. */
function kitCameraTracks(callId: string): { inFeed: string[]; inSenders: string[] } {
  const { feed, senders } = kitLocalTracks(callId);
  return { inFeed: feed.video.map((t) => t.readyState), inSenders: senders.video.map((t) => t.readyState) };
}

/** The microphones (or cameras) the kit's device store lists, once permission has revealed their ids. */
function kitDeviceIds(kind: 'camera' | 'microphone'): string[] {
  return callKit?.devices.getSnapshot().devices[kind].map((d) => d.deviceId) ?? [];
}

/** Chooses a device in the kit's store, as a person does in <mx-device-picker>. */
function kitSelectDevice(kind: 'camera' | 'microphone' | 'speaker', deviceId: string | undefined): void {
  if (!callKit) throw new Error('call mx.startKit first');
  callKit.devices.select(kind, deviceId);
}

const browserGetUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);

let unplugMicrophoneNow: (() => Promise<void>) | undefined;

/**
 * From now on, microphones the page opens can be "unplugged": the real (fake-device) sound is piped through a
 * MediaStreamTrackGenerator, whose track ends, as a device's does when it goes away, when the pipe is closed.
 */
function useUnpluggableMicrophone(): void {
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    const stream = await browserGetUserMedia(constraints);
    const microphone = stream.getAudioTracks()[0];
    if (!microphone) return stream;
    const reader = new TrackProcessor({ track: microphone }).readable.getReader();
    const generator = new TrackGenerator({ kind: 'audio' });
    const writer = generator.writable.getWriter();
    let plugged = true;
    const pumping = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || !value) return;
        if (!plugged) {
          value.close();
          return;
        }
        await writer.write(value);
      }
    })();
    unplugMicrophoneNow = async () => {
      plugged = false;
      await reader.cancel();
      await pumping;
      await writer.close();
      microphone.stop();
    };
    stream.removeTrack(microphone);
    stream.addTrack(generator);
    return stream;
  };
}

/** Ends the last unpluggable microphone's track, and lets the page open real microphones again. */
async function unplugMicrophone(): Promise<void> {
  navigator.mediaDevices.getUserMedia = browserGetUserMedia;
  if (!unplugMicrophoneNow) throw new Error('no unpluggable microphone is open');
  await unplugMicrophoneNow();
  unplugMicrophoneNow = undefined;
}

/**
 * Makes the Permissions API say the browser will still ask for camera and microphone, as for someone who has
 * not allowed them yet (the e2e browser grants them, and its fake prompt accepts at once). The kit reads the
 * states when it starts, so this comes before startKit.
 */
function permissionsWillPrompt(): void {
  const query = navigator.permissions.query.bind(navigator.permissions);
  navigator.permissions.query = (descriptor) => (['camera', 'microphone'].includes(descriptor.name)
    ? Promise.resolve(Object.assign(new EventTarget(), { state: 'prompt', name: descriptor.name, onchange: null }) as PermissionStatus)
    : query(descriptor));
}

/** Makes the browser refuse the camera (as a person who denies permission), or grant it again. */
function refuseCamera(refuse: boolean): void {
  navigator.mediaDevices.getUserMedia = refuse
    ? (constraints) => (constraints?.video ? Promise.reject(new DOMException('Permission denied', 'NotAllowedError')) : browserGetUserMedia(constraints))
    : browserGetUserMedia;
}

/** The ICE username fragment in use: a new one after every ICE restart. */
function localIceUfrag(which: 'kit' | 'sdk', callId: string): string | undefined {
  const pc = which === 'kit' ? (kitCall(callId) as unknown as { peerConnection?: RTCPeerConnection }).peerConnection : sdkCall(callId).peerConn;
  return /a=ice-ufrag:(\S+)/.exec(pc?.localDescription?.sdp ?? '')?.[1];
}

const harness = {
  selectedCandidateTypes,
  localIceUfrag,
  kitCameraTracks,
  kitLocalTracks,
  kitDeviceIds,
  kitSelectDevice,
  useUnpluggableMicrophone,
  unplugMicrophone,
  kitLiveLocalTracksAtPhase,
  kitPhaseLog,
  kitTransportStates,
  refuseCamera,
  startKit,
  kitPlaceCall,
  kitJoinGroupCall,
  kitGroupSnapshot,
  kitGroupReceived,
  kitLeaveGroupCall,
  kitShareScreen,
  kitGroupScreenMedia,
  kitGroupRinging,
  kitShowGroupCall,
  kitSetGroupMicrophoneMuted,
  kitGroupReactionsSeen,
  kitGroupHands,
  kitSetGroupHandRaised,
  kitSendGroupReaction,
  kitDeclineGroupRing,
  kitShowGroupRings,
  rtcDiscoverTransports,
  rtcRequestToken,
  rtcPublishWithoutMembership,
  liveKitSubscriptionsToMine,
  rtcEavesdropWithoutKeys,
  kitRecordMediaKeys,
  kitMediaKeysSeen,
  kitSendMediaKeyMessage,
  rtcEavesdropperReceived,
  kitIdentity,
  kitListenForIncoming,
  kitClientHasEvent,
  kitNextIncoming,
  kitAction,
  kitSnapshot,
  kitRingingCount,
  kitShowCall,
  kitAvatarView,
  blobUrlLive,
  kitCallList,
  sdkCallList,
  kitWaitForPhase,
  startSdkVoip,
  sdkNextIncoming,
  sdkPlaceCall,
  sdkAction,
  sdkSnapshot,
  sdkWaitForState,
  sdkAutoJoinInvites,
  sdkIncomingAt,
  waitForMedia,
  mediaSoFar,
  sdk,
  livekit,
  kit,
  startClient,
  nextMessage,
  sendText,
  fetchLiveKitToken,
  publishCamera,
  subscribeAndCountFrames,
  leaveLiveKit,
  relayCall,
  ...rawPeer,
  ready: true,
};

declare global {
  interface Window {
    mx: typeof harness;
  }
}

window.mx = harness;
