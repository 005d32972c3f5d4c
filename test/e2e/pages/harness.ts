// The page every end-to-end test drives. It exposes real matrix-js-sdk, livekit-client and kit code on
// `window.mx`, plus small in-page routines the tests call through page.evaluate.
import * as livekit from 'livekit-client';
import * as sdk from 'matrix-js-sdk';
import * as kit from '../../../signaling/index.js';

export interface PageCredentials {
  homeserverUrl: string;
  userId: string;
  accessToken: string;
  deviceId: string;
}

let client: sdk.MatrixClient | undefined;

function requireClient(): sdk.MatrixClient {
  if (!client) throw new Error('call mx.startClient first');
  return client;
}

/** Starts matrix-js-sdk for one user and resolves once the first sync is processed. */
async function startClient(credentials: PageCredentials): Promise<string> {
  client = sdk.createClient({
    baseUrl: credentials.homeserverUrl,
    accessToken: credentials.accessToken,
    userId: credentials.userId,
    deviceId: credentials.deviceId,
  });
  const started = client;
  const prepared = new Promise<void>((resolve, reject) => {
    started.on(sdk.ClientEvent.Sync, (state) => {
      if (state === sdk.SyncState.Prepared) resolve();
      if (state === sdk.SyncState.Error) reject(new Error('sync failed'));
    });
  });
  await started.startClient({ initialSyncLimit: 1 });
  await prepared;
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
    if (energy > 0 || Date.now() > giveUp) return energy;
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

const harness = {
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
  ready: true,
};

declare global {
  interface Window {
    mx: typeof harness;
  }
}

window.mx = harness;
