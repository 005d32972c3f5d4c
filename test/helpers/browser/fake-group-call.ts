// A GroupCallHandle over a real store, for the unit tests of the elements that show group calls, with real
// streams from a canvas and an audio graph.
import { MxError } from '../../../signaling/errors.js';
import type { CallFeed } from '../../../signaling/media/feed.js';
import type { GroupCallHandle, GroupCallSnapshot, GroupParticipant, GroupReaction, LocalGroupParticipant } from '../../../signaling/rtc/group-call.types.js';
import { createStore, type WritableStore } from '../../../signaling/store/store.js';

const tracks: MediaStreamTrack[] = [];

/** Stops every track the fakes made; call it after each test. */
export function stopFakeTracks(): void {
  for (const track of tracks.splice(0)) track.stop();
}
let audioContext: AudioContext | undefined;

/** A stream with a live video track painted on a canvas, and a live audio track when `audio`. */
export function liveStream(audio = false): MediaStream {
  const canvas = document.createElement('canvas');
  canvas.width = 64;
  canvas.height = 36;
  canvas.getContext('2d')?.fillRect(0, 0, 64, 36);
  const stream = canvas.captureStream(5);
  if (audio) {
    audioContext ??= new AudioContext();
    for (const track of audioContext.createMediaStreamDestination().stream.getAudioTracks()) stream.addTrack(track);
  }
  tracks.push(...stream.getTracks());
  return stream;
}

export function feed(purpose: CallFeed['purpose'], patch: Partial<CallFeed> = {}): CallFeed {
  const stream = patch.stream ?? liveStream(true);
  return { id: stream.id, purpose, stream, isLocal: false, userId: '@someone:example.org', audioMuted: false, videoMuted: false, ...patch };
}

const NAMES = ['Alice Aalto', 'Bob Tanaka', 'Carol Chen', 'Dan Diaz', 'Eve Ek', 'Fay Fox', 'Gus Gray', 'Hal Hu', 'Ivy Iyer', 'Jon Jung'];

export function participant(n: number, patch: Partial<GroupParticipant> = {}): GroupParticipant {
  const name = NAMES[n % NAMES.length] ?? 'Someone';
  const userId = `@user${n}:example.org`;
  return {
    identity: `${userId}:DEVICE${n}`,
    userId,
    deviceId: `DEVICE${n}`,
    memberId: `${userId}:DEVICE${n}`,
    name: n < NAMES.length ? name : `${name} ${n}`,
    avatarUrl: undefined,
    status: 'connected',
    feeds: patch.feeds ?? [feed('m.usermedia', { userId })],
    microphoneMuted: false,
    cameraMuted: false,
    screenSharing: false,
    speaking: false,
    connectionQuality: 'good',
    encrypted: true,
    handRaisedAt: undefined,
    ...patch,
  };
}

/** A reaction from participant `n`. */
export function reaction(n: number, eventId: string, emoji: string, name: string): GroupReaction {
  return { eventId, identity: `@user${n}:example.org:DEVICE${n}`, emoji, name, receivedAt: Date.now() };
}

export const people = (count: number) => Array.from({ length: count }, (_, n) => participant(n));

export function local(patch: Partial<LocalGroupParticipant> = {}): LocalGroupParticipant {
  return {
    userId: '@me:example.org',
    deviceId: 'MYDEVICE',
    identity: '@me:example.org:MYDEVICE',
    feeds: [feed('m.usermedia', { isLocal: true, userId: '@me:example.org' })],
    microphoneMuted: false,
    cameraMuted: false,
    screenSharing: false,
    speaking: false,
    handRaisedAt: undefined,
    ...patch,
  };
}

export interface FakeGroupCall extends GroupCallHandle {
  readonly store: WritableStore<GroupCallSnapshot>;
  /** The handle's methods called, in order: `mic:true`, `camera:false`, `leave`. */
  readonly calls: string[];
  patch(change: Partial<GroupCallSnapshot>): void;
  /** Makes the next call of that method reject. */
  failNext(method: 'mic' | 'camera' | 'screen' | 'leave' | 'hand' | 'reaction'): void;
}

export function fakeCall(patch: Partial<GroupCallSnapshot> = {}): FakeGroupCall {
  const store = createStore<GroupCallSnapshot>({
    roomId: '!room:example.org',
    phase: 'connected',
    local: local(),
    participants: [],
    activeSpeakers: [],
    screenShares: [],
    reactions: [],
    error: undefined,
    ...patch,
  });
  const calls: string[] = [];
  const failing = new Set<string>();
  const act = async (name: string, change: (s: GroupCallSnapshot) => GroupCallSnapshot) => {
    calls.push(name);
    const method = name.split(':')[0] ?? name;
    if (failing.delete(method)) throw new MxError('MEDIA_DEVICE_IN_USE', 'The camera is busy.');
    store.update(change);
  };
  return {
    roomId: '!room:example.org',
    joined: Promise.resolve(),
    getSnapshot: store.getSnapshot,
    subscribe: store.subscribe,
    setMicrophoneMuted: (muted) => act(`mic:${muted}`, (s) => ({ ...s, local: { ...s.local, microphoneMuted: muted } })),
    setCameraMuted: (muted) => act(`camera:${muted}`, (s) => ({ ...s, local: { ...s.local, cameraMuted: muted } })),
    setScreenSharing: (sharing) => act(`screen:${sharing}`, (s) => ({
      ...s,
      local: {
        ...s.local,
        screenSharing: sharing,
        feeds: [...s.local.feeds.filter((f) => f.purpose !== 'm.screenshare'), ...(sharing ? [feed('m.screenshare', { isLocal: true, userId: s.local.userId })] : [])],
      },
    })),
    setHandRaised: (raised) => act(`hand:${raised}`, (s) => ({ ...s, local: { ...s.local, handRaisedAt: raised ? Date.now() : undefined } })),
    sendReaction: (reaction) => act(`reaction:${reaction.name}`, (s) => s),
    leave: () => act('leave', (s) => ({ ...s, phase: 'left', participants: [] })),
    receivedMedia: () => Promise.resolve(new Map()),
    store,
    calls,
    patch: (change) => store.update((s) => ({ ...s, ...change })),
    failNext: (method) => failing.add(method),
  };
}
