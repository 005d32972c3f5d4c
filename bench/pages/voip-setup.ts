// The page the call-setup benchmark drives (bench/voip-setup.ts): one party of a 1:1 video call, run by
// the kit or by matrix-js-sdk's MatrixCall. The callee answers in the page the moment it rings, and the first
// remote video frame is timed here, so no Playwright round trip sits inside the measured interval.
import { allMarks, camera, mark, now, overrides, selectedPair, syncPending } from './instrument.js';
import * as sdk from 'matrix-js-sdk';
import { CallErrorCode, CallEvent, type MatrixCall } from 'matrix-js-sdk/lib/webrtc/call.js';
import { CallEventHandlerEvent } from 'matrix-js-sdk/lib/webrtc/callEventHandler.js';
import * as kit from '../../signaling/index.js';
import { syncUntilPrepared } from '../../test/helpers/browser/sync-client.js';

export type Implementation = 'kit' | 'sdk';
export type Role = 'caller' | 'callee';

/** Changes to the kit emulated from outside it, for `--kit-experiment` runs; see `overrides` in instrument.ts. */
export const KIT_EXPERIMENTS = ['no-candidate-wait', 'max-bundle'] as const;
export type KitExperiment = (typeof KIT_EXPERIMENTS)[number];

export interface BenchCredentials {
  homeserverUrl: string;
  userId: string;
  accessToken: string;
  deviceId: string;
}

export interface FirstFrame {
  /** Epoch ms at which the first remote frame was handed to the compositor (rVFC presentationTime). */
  presented: number;
  /** Epoch ms at which the last packet of that frame arrived, when the browser reports it. */
  received: number | undefined;
  /** Decode time of that frame in ms, when reported. */
  decodeMs: number | undefined;
  width: number;
  height: number;
}

let role: Role = 'caller';
let hangupCall: (() => void) | undefined;
let firstFrameSeen: FirstFrame | undefined;
const firstFrameWaiters: ((frame: FirstFrame) => void)[] = [];
let failure: string | undefined;
const failureWaiters: ((reason: string) => void)[] = [];

function fail(reason: string): void {
  if (failure !== undefined) return;
  failure = reason;
  mark('failed', reason);
  for (const waiter of failureWaiters.splice(0)) waiter(reason);
}

/**
 * Plays a remote stream in a <video> and takes the first frame's timing from requestVideoFrameCallback: it
 * fires for the first frame the decoder produced and the page could show, with the browser's own timestamps,
 * where polling getStats would add its interval and its cost on both pages of a two-core machine.
 */
const attached = new Set<string>();
function showRemote(stream: MediaStream): void {
  if (attached.has(stream.id) || stream.getVideoTracks().length === 0) return;
  attached.add(stream.id);
  mark('remote_feed');
  const video = document.createElement('video');
  video.muted = true;
  video.autoplay = true;
  video.playsInline = true;
  video.srcObject = stream;
  document.body.append(video);
  video.requestVideoFrameCallback((_now, metadata) => {
    if (firstFrameSeen) return;
    const frame: FirstFrame = {
      presented: performance.timeOrigin + metadata.presentationTime,
      received: metadata.receiveTime === undefined ? undefined : performance.timeOrigin + metadata.receiveTime,
      decodeMs: metadata.processingDuration === undefined ? undefined : metadata.processingDuration * 1000,
      width: metadata.width,
      height: metadata.height,
    };
    firstFrameSeen = frame;
    mark('first_frame', `${frame.width}x${frame.height}`, frame.presented);
    if (frame.received !== undefined) mark('first_frame_received', undefined, frame.received);
    for (const waiter of firstFrameWaiters.splice(0)) waiter(frame);
  });
  void video.play().catch(() => undefined);
}

// ---------------------------------------------------------------------------------------------------------
// The kit

let callKit: kit.CallKit | undefined;

function followKitCall(call: kit.CallHandle): void {
  let phase: kit.CallPhase | undefined;
  const onSnapshot = (snapshot: kit.CallSnapshot): void => {
    if (snapshot.phase !== phase) {
      phase = snapshot.phase;
      mark('phase', phase);
      if (phase === 'ended') fail(`call ended: ${snapshot.endReason ?? '?'} (${snapshot.endedBy ?? '?'})`);
    }
    for (const feed of snapshot.remoteFeeds) if (feed.purpose === 'm.usermedia') showRemote(feed.stream);
  };
  onSnapshot(call.getSnapshot());
  call.subscribe(onSnapshot);
  hangupCall = () => void call.hangup();
}

async function startKit(credentials: BenchCredentials, encryption: boolean, experiments: readonly KitExperiment[]): Promise<void> {
  overrides.maxBundle = experiments.includes('max-bundle');
  overrides.gatheringLooksComplete = experiments.includes('no-candidate-wait');
  callKit = await kit.createCallKit({ credentials, encryption });
  const seen = new Set<kit.CallHandle>();
  // Every call the manager publishes, from its first snapshot on, so no phase change is missed.
  (await callKit.voip()).subscribe(({ calls }) => {
    for (const call of calls) {
      if (seen.has(call)) continue;
      seen.add(call);
      followKitCall(call);
    }
  });
  if (role === 'callee') {
    callKit.onIncomingCall((incoming) => {
      if (incoming.type !== 'voip') return;
      const { call } = incoming;
      mark('ringing');
      // Answered in a microtask, outside the manager's notification, as a click handler would be.
      queueMicrotask(() => {
        mark('answer');
        call.answer('video').catch((error: unknown) => fail(`answer failed: ${String(error)}`));
      });
    });
  }
}

// ---------------------------------------------------------------------------------------------------------
// matrix-js-sdk's MatrixCall, as Element Web runs it

let client: sdk.MatrixClient | undefined;

function followSdkCall(call: MatrixCall): void {
  mark('phase', call.state);
  call.on(CallEvent.State, (state) => {
    mark('phase', state);
    if (state === 'ended') fail(`call ended: ${call.hangupReason ?? '?'} (${call.hangupParty ?? '?'})`);
  });
  call.on(CallEvent.Error, (error) => fail(`MatrixCall error: ${error.message}`));
  call.on(CallEvent.FeedsChanged, () => {
    for (const feed of call.getRemoteFeeds()) if (feed.purpose === 'm.usermedia') showRemote(feed.stream);
  });
  hangupCall = () => call.hangup(CallErrorCode.UserHangup, false);
}

async function startSdk(credentials: BenchCredentials, encryption: boolean): Promise<void> {
  const started = sdk.createClient({
    baseUrl: credentials.homeserverUrl,
    accessToken: credentials.accessToken,
    userId: credentials.userId,
    deviceId: credentials.deviceId,
  });
  client = started;
  if (encryption) await started.initRustCrypto();
  if (role === 'callee') {
    started.on(CallEventHandlerEvent.Incoming, (call: MatrixCall) => {
      mark('ringing');
      followSdkCall(call);
      queueMicrotask(() => {
        mark('answer');
        call.answer(true, true).catch((error: unknown) => fail(`answer failed: ${String(error)}`));
      });
    });
  }
  await syncUntilPrepared(started);
}

// ---------------------------------------------------------------------------------------------------------
// What the Node side calls

let implementation: Implementation = 'kit';

async function start(which: Implementation, as: Role, credentials: BenchCredentials, options: { encryption: boolean; kitExperiments: readonly KitExperiment[]; cameraStartMs: number }): Promise<void> {
  camera.startMs = options.cameraStartMs;
  implementation = which;
  role = as;
  if (which === 'kit') await startKit(credentials, options.encryption, options.kitExperiments);
  else await startSdk(credentials, options.encryption);
  mark('started');
}

/** Starts the call and returns its t0: the moment the app asked the library to place it. */
function place(roomId: string, peerUserId: string): number {
  const t0 = now();
  mark('place', undefined, t0);
  if (implementation === 'kit') {
    if (!callKit) throw new Error('start the kit first');
    callKit.placeCall({ roomId, userId: peerUserId }, 'video').catch((error: unknown) => fail(`placeCall failed: ${String(error)}`));
  } else {
    if (!client) throw new Error('start the client first');
    const call = sdk.createNewMatrixCall(client, roomId, { invitee: peerUserId });
    if (!call) throw new Error('this browser cannot make MatrixCalls');
    followSdkCall(call);
    call.placeVideoCall().catch((error: unknown) => fail(`placeVideoCall failed: ${String(error)}`));
  }
  return t0;
}

/** Resolves with the first remote frame, or rejects when the call fails or `timeoutMs` passes first. */
function firstFrame(timeoutMs: number): Promise<FirstFrame> {
  if (firstFrameSeen) return Promise.resolve(firstFrameSeen);
  if (failure !== undefined) return Promise.reject(new Error(failure));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no remote frame within ${timeoutMs} ms`)), timeoutMs);
    firstFrameWaiters.push((frame) => { clearTimeout(timer); resolve(frame); });
    failureWaiters.push((reason) => { clearTimeout(timer); reject(new Error(reason)); });
  });
}

function hangup(): void {
  hangupCall?.();
}

function stop(): void {
  callKit?.dispose();
  client?.stopClient();
}

const bench = { ready: true, start, place, firstFrame, hangup, stop, syncPending, selectedPair, marks: allMarks };

declare global {
  interface Window {
    bench: typeof bench;
  }
}

window.bench = bench;
