// Records, with one clock, what the browser does for a call no matter which library drives it: camera and
// microphone, RTCPeerConnection (descriptions, candidates, ICE and DTLS states) and the Matrix HTTP traffic
// (call events sent, call events arriving in /sync, TURN credentials). It patches the page's globals, so it
// must be imported before anything that captures them. Both libraries are measured through the same hooks.

export interface Mark {
  /** Epoch milliseconds (fractional): performance.timeOrigin + performance.now(), comparable across pages. */
  t: number;
  what: string;
  detail?: string;
}

const marks: Mark[] = [];

/**
 * What-if switches for `--kit-experiment` runs only (never in the default comparison): each emulates, from
 * outside the library, one change the kit could make, so its effect can be measured before anyone makes it.
 */
export const overrides = {
  /** RTCPeerConnection gets bundlePolicy 'max-bundle' (MatrixCall's setting). */
  maxBundle: false,
  /** iceGatheringState reads 'complete', so the library sends its invite/answer right after setLocalDescription. */
  gatheringLooksComplete: false,
};

/**
 * Milliseconds a camera takes to start, added to every getUserMedia that asks for video (`--camera-start`, for
 * both libraries alike). Chromium's fake camera starts in about 20 ms; a webcam takes hundreds.
 */
export const camera = { startMs: 0 };

export const now = (): number => performance.timeOrigin + performance.now();

export function mark(what: string, detail?: string, t = now()): void {
  marks.push(detail === undefined ? { t, what } : { t, what, detail });
}

export function allMarks(): Mark[] {
  return [...marks];
}

// ---------------------------------------------------------------------------------------------------------
// Matrix HTTP: which call events go out when, and which /sync response brings them in.

let pendingSyncs = 0;

/** Whether a /sync long-poll is waiting at the homeserver right now, i.e. the client is idle and listening. */
export function syncPending(): boolean {
  return pendingSyncs > 0;
}

function callEventTypesIn(body: unknown): string[] {
  const rooms = (body as { rooms?: { join?: Record<string, { timeline?: { events?: { type?: unknown }[] } }> } } | null)?.rooms?.join ?? {};
  const types: string[] = [];
  for (const room of Object.values(rooms)) {
    for (const event of room.timeline?.events ?? []) {
      if (typeof event.type === 'string' && (event.type.startsWith('m.call.') || event.type === 'm.room.encrypted')) types.push(event.type);
    }
  }
  return types;
}

const nativeFetch = globalThis.fetch.bind(globalThis);
globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  const path = url.replace(/^https?:\/\/[^/]+/, '').split('?')[0] ?? '';
  const send = /\/rooms\/[^/]+\/send\/([^/]+)\//.exec(path);
  const isSync = path.endsWith('/sync');
  const isTurn = path.endsWith('/voip/turnServer');
  const sendType = send ? decodeURIComponent(send[1] ?? '') : undefined;
  if (sendType !== undefined) mark('send_start', sendType);
  if (isTurn) mark('turn_start');
  if (isSync) pendingSyncs += 1;
  try {
    const response = await nativeFetch(input, init);
    if (sendType !== undefined) mark('send_done', sendType);
    if (isTurn) mark('turn_done');
    if (isSync) {
      const arrived = now();
      // A copy of the body, so the client reads its own untouched; the types are filed under the arrival time.
      void response.clone().json().then((body: unknown) => {
        for (const type of callEventTypesIn(body)) mark('sync_recv', type, arrived);
      }, () => undefined);
    }
    return response;
  } finally {
    if (isSync) pendingSyncs -= 1;
  }
};

// ---------------------------------------------------------------------------------------------------------
// Camera and microphone.

const mediaDevices = navigator.mediaDevices;
const nativeGetUserMedia = mediaDevices.getUserMedia.bind(mediaDevices);
mediaDevices.getUserMedia = async (constraints?: MediaStreamConstraints): Promise<MediaStream> => {
  mark('gum_start');
  const stream = await nativeGetUserMedia(constraints);
  if (camera.startMs > 0 && constraints?.video) await new Promise((resolve) => setTimeout(resolve, camera.startMs));
  const settings = stream.getVideoTracks()[0]?.getSettings();
  mark('gum_done', settings ? `${settings.width ?? '?'}x${settings.height ?? '?'}@${settings.frameRate ?? '?'}` : 'audio');
  return stream;
};
const nativeEnumerateDevices = mediaDevices.enumerateDevices.bind(mediaDevices);
mediaDevices.enumerateDevices = async (): Promise<MediaDeviceInfo[]> => {
  mark('enumerate_start');
  const devices = await nativeEnumerateDevices();
  mark('enumerate_done');
  return devices;
};

// ---------------------------------------------------------------------------------------------------------
// RTCPeerConnection. A Proxy keeps the constructor's identity, prototype and statics; the prototype methods
// are wrapped once, so the libraries' own calls are timed where they happen.

/** The connection a description was last set on: the call's, even where a library keeps a spare ready. */
let lastUsedPeerConnection: RTCPeerConnection | undefined;

export function lastPeerConnection(): RTCPeerConnection | undefined {
  return lastUsedPeerConnection;
}

function noteUse(pc: RTCPeerConnection): void {
  lastUsedPeerConnection = pc;
}

/** "host udp 127.20.0.1 mid=0": the type first, so milestones can match on it alone. */
function describeCandidate(candidate: RTCIceCandidateInit | RTCIceCandidate | null | undefined): string {
  if (!candidate?.candidate) return 'end-of-candidates';
  const parts = candidate.candidate.split(' ');
  const type = / typ (\w+)/.exec(candidate.candidate)?.[1] ?? '?';
  return `${type} ${parts[2]?.toLowerCase() ?? '?'} ${parts[4] ?? '?'} mid=${candidate.sdpMid ?? '?'}`;
}

const nativeGatheringState = Object.getOwnPropertyDescriptor(RTCPeerConnection.prototype, 'iceGatheringState')?.get as (this: RTCPeerConnection) => RTCIceGatheringState;
Object.defineProperty(RTCPeerConnection.prototype, 'iceGatheringState', {
  configurable: true,
  enumerable: true,
  get(this: RTCPeerConnection): RTCIceGatheringState {
    if (overrides.gatheringLooksComplete) return 'complete';
    return nativeGatheringState.call(this);
  },
});

function instrument(pc: RTCPeerConnection): void {
  mark('pc_created', JSON.stringify({ bundlePolicy: pc.getConfiguration().bundlePolicy, iceServers: pc.getConfiguration().iceServers?.length ?? 0 }));
  pc.addEventListener('icegatheringstatechange', () => mark('gathering', nativeGatheringState.call(pc)));
  pc.addEventListener('iceconnectionstatechange', () => mark('ice', pc.iceConnectionState));
  pc.addEventListener('connectionstatechange', () => mark('connection', pc.connectionState));
  pc.addEventListener('icecandidate', (event) => mark('local_candidate', describeCandidate(event.candidate)));
  pc.addEventListener('track', (event) => mark('track', event.track.kind));
}

const NativePeerConnection = window.RTCPeerConnection;
window.RTCPeerConnection = new Proxy(NativePeerConnection, {
  construct(target, args: ConstructorParameters<typeof RTCPeerConnection>, newTarget) {
    const [configuration] = args;
    const effective = overrides.maxBundle ? { ...configuration, bundlePolicy: 'max-bundle' as const } : configuration;
    const pc = Reflect.construct(target, [effective], newTarget) as RTCPeerConnection;
    instrument(pc);
    return pc;
  },
});

const proto = NativePeerConnection.prototype;
// The promise forms only: the DOM types list the legacy callback overloads last, which `.call` would pick.
const nativeSetLocal = proto.setLocalDescription as (this: RTCPeerConnection, description?: RTCLocalSessionDescriptionInit) => Promise<void>;
const nativeSetRemote = proto.setRemoteDescription as (this: RTCPeerConnection, description: RTCSessionDescriptionInit) => Promise<void>;
const nativeAddCandidate = proto.addIceCandidate as (this: RTCPeerConnection, candidate?: RTCIceCandidateInit) => Promise<void>;

proto.setLocalDescription = async function setLocalDescription(this: RTCPeerConnection, description?: RTCLocalSessionDescriptionInit): Promise<void> {
  noteUse(this);
  mark('sld_start', description?.type ?? 'implicit');
  await nativeSetLocal.call(this, description);
  mark('sld_done', this.localDescription?.type ?? '?');
};

proto.setRemoteDescription = async function setRemoteDescription(this: RTCPeerConnection, description: RTCSessionDescriptionInit): Promise<void> {
  noteUse(this);
  mark('srd_start', description.type);
  await nativeSetRemote.call(this, description);
  mark('srd_done', description.type);
};

proto.addIceCandidate = async function addIceCandidate(this: RTCPeerConnection, candidate?: RTCIceCandidateInit | null): Promise<void> {
  mark('add_remote_candidate', describeCandidate(candidate));
  await nativeAddCandidate.call(this, candidate ?? undefined);
};

/** The selected candidate pair's local and remote types, e.g. "host/host". */
export async function selectedPair(): Promise<string | undefined> {
  const pc = lastPeerConnection();
  if (!pc) return undefined;
  const stats = await pc.getStats();
  let result: string | undefined;
  stats.forEach((report: RTCStats & Record<string, unknown>) => {
    if (report.type !== 'transport' || typeof report.selectedCandidatePairId !== 'string') return;
    const pair = stats.get(report.selectedCandidatePairId) as { localCandidateId?: string; remoteCandidateId?: string } | undefined;
    const type = (id: string | undefined): string => (stats.get(id ?? '') as { candidateType?: string } | undefined)?.candidateType ?? '?';
    result = `${type(pair?.localCandidateId)}/${type(pair?.remoteCandidateId)}`;
  });
  return result;
}
