// A CallHandle with no signalling behind it, shared by the stories and the unit tests: it records every intent,
// lets the caller set any snapshot, and (by default) applies intents to its snapshot the way a real call would,
// so the stories stay interactive.
import type { CallHandle, CallKind, CallSnapshot, PeerAvatarOptions, ReopenableDevice } from '../../signaling/voip/types.js';
import type { CallFeed } from '../../signaling/media/feed.js';
import { createStore } from '../../signaling/store/store.js';

export type CallIntent = 'answer' | 'reject' | 'hangup' | 'setMicMuted' | 'setCameraMuted' | 'setOnHold' | 'setScreensharing' | 'upgradeToVideo' | 'reopenDevice';

export interface RecordedIntent {
  readonly method: CallIntent;
  readonly args: readonly unknown[];
}

export interface FakeCall extends CallHandle {
  /** Every intent called, oldest first. */
  readonly intents: RecordedIntent[];
  /** Replaces the snapshot; `set` merges into the current one. */
  replace(snapshot: CallSnapshot): void;
  set(patch: Partial<CallSnapshot>): void;
  /** Makes the next call of `method` reject with `error`, leaving the snapshot as it is. */
  failNext(method: CallIntent, error: unknown): void;
  /** How many listeners are subscribed now, to catch leaks. */
  readonly listeners: number;
}

export interface FakeCallOptions {
  /** Apply intents to the snapshot (default `true`); `false` only records them. */
  readonly apply?: boolean;
  /** The stream a screen share started through `setScreensharing(true)` shows; none without it. */
  readonly screenStream?: () => MediaStream;
  /** The stream the local camera feed gets when `upgradeToVideo()` or `answer('video')` turns the camera on. */
  readonly cameraStream?: () => MediaStream;
  /**
   * What `loadPeerAvatar` answers for the snapshot's `peer.avatarUrl` (default: `undefined`, initials). It
   * stands in for the homeserver, so it may answer for any URL the story or test chooses.
   */
  readonly avatar?: (avatarUrl: string, options: PeerAvatarOptions) => Promise<Blob | undefined>;
}

let feedCount = 0;

/** A feed with a fresh empty stream unless one is given. */
export function fakeFeed(feed: Partial<CallFeed> = {}): CallFeed {
  feedCount += 1;
  const stream = feed.stream ?? new MediaStream();
  return {
    id: stream.id || `feed-${feedCount}`,
    purpose: 'm.usermedia',
    isLocal: false,
    userId: feed.isLocal ? '@alice:example.org' : '@bob:example.org',
    audioMuted: false,
    videoMuted: false,
    ...feed,
    stream,
  };
}

let callCount = 0;

/** A complete snapshot: an outbound video call with Bob, connected, unless `patch` says otherwise. */
export function fakeSnapshot(patch: Partial<CallSnapshot> = {}): CallSnapshot {
  callCount += 1;
  const phase = patch.phase ?? 'connected';
  return {
    callId: `fake-call-${callCount}`,
    roomId: '!room:example.org',
    direction: 'outbound',
    kind: 'video',
    phase,
    peer: { userId: '@bob:example.org', displayName: 'Bob Tanaka', avatarUrl: undefined },
    localFeeds: [],
    remoteFeeds: [],
    micMuted: false,
    cameraMuted: false,
    screensharing: false,
    localOnHold: false,
    remoteOnHold: false,
    connectedAt: phase === 'connected' || phase === 'ended' ? Date.now() : undefined,
    endedAt: phase === 'ended' ? Date.now() : undefined,
    endReason: undefined,
    endedBy: undefined,
    error: undefined,
    ...patch,
  };
}

export function createFakeCall(patch: Partial<CallSnapshot> = {}, options: FakeCallOptions = {}): FakeCall {
  const store = createStore(fakeSnapshot(patch));
  const intents: RecordedIntent[] = [];
  const failures = new Map<CallIntent, unknown>();
  const apply = options.apply ?? true;
  let listeners = 0;

  const update = (change: (s: CallSnapshot) => Partial<CallSnapshot>) => {
    if (apply) store.update((s) => ({ ...s, ...change(s) }));
  };

  const withLocal = (s: CallSnapshot, purpose: CallFeed['purpose'], change: (feed: CallFeed) => CallFeed | undefined) => {
    const others = s.localFeeds.filter((feed) => feed.purpose !== purpose);
    const current = s.localFeeds.find((feed) => feed.purpose === purpose);
    const next = current ? change(current) : undefined;
    return next ? [...others, next] : others;
  };

  const cameraOn = (s: CallSnapshot): Partial<CallSnapshot> => {
    const stream = options.cameraStream?.();
    const localFeeds = stream
      ? [...s.localFeeds.filter((f) => f.purpose !== 'm.usermedia'), fakeFeed({ isLocal: true, stream, audioMuted: s.micMuted })]
      : s.localFeeds;
    return { kind: 'video', cameraMuted: false, localFeeds };
  };

  const ended = (endReason: CallSnapshot['endReason']): Partial<CallSnapshot> => ({
    phase: 'ended',
    endReason,
    endedBy: 'local',
    endedAt: Date.now(),
  });

  const intent =
    <A extends unknown[]>(method: CallIntent, effect: (...args: A) => void) =>
    async (...args: A): Promise<void> => {
      intents.push({ method, args });
      if (failures.has(method)) {
        const error = failures.get(method);
        failures.delete(method);
        throw error;
      }
      effect(...args);
    };

  return {
    intents,
    get listeners() {
      return listeners;
    },
    getSnapshot: store.getSnapshot,
    subscribe(listener) {
      listeners += 1;
      const off = store.subscribe(listener);
      return () => {
        listeners -= 1;
        off();
      };
    },
    replace: store.set,
    set: (patch) => store.update((s) => ({ ...s, ...patch })),
    failNext: (method, error) => failures.set(method, error),
    answer: intent('answer', (kind?: CallKind) =>
      update((s) => ({
        ...(kind === 'video' && s.kind === 'video' ? cameraOn(s) : { cameraMuted: true }),
        phase: 'connected',
        connectedAt: Date.now(),
      })),
    ),
    reject: intent('reject', () => update(() => ended('rejected'))),
    hangup: intent('hangup', () => update(() => ended('user_hangup'))),
    setMicMuted: intent('setMicMuted', (muted: boolean) =>
      update((s) => ({ micMuted: muted, localFeeds: withLocal(s, 'm.usermedia', (f) => ({ ...f, audioMuted: muted })) })),
    ),
    setCameraMuted: intent('setCameraMuted', (muted: boolean) =>
      update((s) => ({ cameraMuted: muted, localFeeds: withLocal(s, 'm.usermedia', (f) => ({ ...f, videoMuted: muted })) })),
    ),
    setOnHold: intent('setOnHold', (onHold: boolean) => update(() => ({ localOnHold: onHold }))),
    setScreensharing: intent('setScreensharing', (enabled: boolean) =>
      update((s) => {
        const stream = enabled ? options.screenStream?.() : undefined;
        const others = s.localFeeds.filter((f) => f.purpose !== 'm.screenshare');
        const feed = stream ? fakeFeed({ isLocal: true, purpose: 'm.screenshare', stream }) : undefined;
        return { screensharing: enabled, localFeeds: feed ? [...others, feed] : others };
      }),
    ),
    upgradeToVideo: intent('upgradeToVideo', () => update(cameraOn)),
    // The stream stays the same object when a device is switched, so the snapshot does not change.
    reopenDevice: intent('reopenDevice', (_device: ReopenableDevice) => undefined),
    loadPeerAvatar: async (avatarOptions) => {
      const url = store.getSnapshot().peer.avatarUrl;
      return url === undefined || !options.avatar ? undefined : options.avatar(url, avatarOptions);
    },
  };
}
