// Ready-made fake calls for every visual state the call elements have, with moving pictures, so each story is
// one line and all stories agree on what a state looks like.
import { MxError } from '../../signaling/errors.js';
import type { CallSnapshot } from '../../signaling/voip/types.js';
import { createFakeCall, fakeFeed, type FakeCall, type FakeCallOptions } from './fake-call.js';
import { paintedStream } from './fake-media.js';

const live = new Set<MediaStream>();

/** A painted stream that `stopFakeMedia()` will stop. */
function painted(...args: Parameters<typeof paintedStream>): MediaStream {
  const stream = paintedStream(...args);
  live.add(stream);
  return stream;
}

/** Stops every stream the scenarios painted; a story's cleanup, so hidden stories stop repainting. */
export function stopFakeMedia(): void {
  for (const stream of live) for (const track of stream.getTracks()) track.stop();
  live.clear();
}

const remoteCamera = () => painted({ scene: 'camera', hue: 205 });
const localCamera = () => painted({ scene: 'camera', hue: 150 });
const screen = (label?: string) => painted({ scene: 'screen', label });

export const SCENARIOS = [
  'outgoing-calling',
  'outgoing-ringing',
  'incoming-video',
  'incoming-voice',
  'connecting',
  'connected-video',
  'connected-voice',
  'remote-video-off',
  'remote-screenshare',
  'local-screenshare',
  'held-by-you',
  'held-by-peer',
  'muted',
  'ended-hung-up',
  'ended-declined',
  'ended-no-answer',
  'ended-busy',
  'ended-answered-elsewhere',
  'failed',
] as const;
export type Scenario = (typeof SCENARIOS)[number];

const MINUTES = 60_000;

function connectedVideo(patch: Partial<CallSnapshot> = {}): Partial<CallSnapshot> {
  return {
    phase: 'connected',
    kind: 'video',
    connectedAt: Date.now() - 12 * MINUTES - 34_000,
    localFeeds: [fakeFeed({ isLocal: true, stream: localCamera() })],
    remoteFeeds: [fakeFeed({ stream: remoteCamera() })],
    ...patch,
  };
}

function ended(patch: Partial<CallSnapshot>): Partial<CallSnapshot> {
  const now = Date.now();
  return {
    ...connectedVideo(),
    phase: 'ended',
    endedAt: now,
    connectedAt: now - 4 * MINUTES - 12_000,
    endedBy: 'remote',
    ...patch,
  };
}

/** Ended before any media flowed: no duration, and nothing from the other side. */
function neverAnswered(patch: Partial<CallSnapshot>): Partial<CallSnapshot> {
  return ended({ connectedAt: undefined, remoteFeeds: [], ...patch });
}

const SNAPSHOTS: Record<Scenario, () => Partial<CallSnapshot>> = {
  'outgoing-calling': () => ({
    phase: 'create_offer',
    connectedAt: undefined,
    localFeeds: [fakeFeed({ isLocal: true, stream: localCamera() })],
  }),
  'outgoing-ringing': () => ({
    phase: 'invite_sent',
    connectedAt: undefined,
    localFeeds: [fakeFeed({ isLocal: true, stream: localCamera() })],
  }),
  'incoming-video': () => ({ direction: 'inbound', phase: 'ringing', kind: 'video', connectedAt: undefined }),
  'incoming-voice': () => ({ direction: 'inbound', phase: 'ringing', kind: 'voice', connectedAt: undefined }),
  connecting: () => ({
    ...connectedVideo(),
    phase: 'connecting',
    connectedAt: undefined,
    remoteFeeds: [fakeFeed({ stream: new MediaStream() })],
  }),
  'connected-video': () => connectedVideo(),
  'connected-voice': () => ({
    phase: 'connected',
    kind: 'voice',
    connectedAt: Date.now() - 3 * MINUTES - 7_000,
    localFeeds: [fakeFeed({ isLocal: true })],
    remoteFeeds: [fakeFeed()],
  }),
  'remote-video-off': () =>
    connectedVideo({ remoteFeeds: [fakeFeed({ stream: remoteCamera(), videoMuted: true, audioMuted: true })] }),
  'remote-screenshare': () =>
    connectedVideo({
      remoteFeeds: [fakeFeed({ stream: remoteCamera() }), fakeFeed({ purpose: 'm.screenshare', stream: screen() })],
    }),
  'local-screenshare': () =>
    connectedVideo({
      screensharing: true,
      localFeeds: [
        fakeFeed({ isLocal: true, stream: localCamera() }),
        fakeFeed({ isLocal: true, purpose: 'm.screenshare', stream: screen('Release plan') }),
      ],
    }),
  'held-by-you': () => connectedVideo({ localOnHold: true }),
  'held-by-peer': () => connectedVideo({ remoteOnHold: true }),
  muted: () =>
    connectedVideo({
      micMuted: true,
      cameraMuted: true,
      localFeeds: [fakeFeed({ isLocal: true, stream: localCamera(), audioMuted: true, videoMuted: true })],
    }),
  'ended-hung-up': () => ended({ endReason: 'user_hangup' }),
  'ended-declined': () => neverAnswered({ endReason: 'rejected' }),
  'ended-no-answer': () => neverAnswered({ endReason: 'invite_timeout', endedBy: 'local' }),
  'ended-busy': () => neverAnswered({ endReason: 'user_busy' }),
  'ended-answered-elsewhere': () => neverAnswered({ direction: 'inbound', endReason: 'answered_elsewhere', localFeeds: [] }),
  failed: () =>
    ended({
      endReason: 'ice_failed',
      endedBy: 'local',
      error: new MxError('ICE_FAILED', 'The media connection to Bob failed. A firewall may be blocking calls; try another network.'),
    }),
};

/** A fake call in `scenario`, reacting to its controls like a real one (muting, holding, sharing, hanging up). */
export function scenarioCall(scenario: Scenario, patch: Partial<CallSnapshot> = {}, options: FakeCallOptions = {}): FakeCall {
  return createFakeCall({ ...SNAPSHOTS[scenario](), ...patch }, { screenStream: () => screen('Release plan'), cameraStream: localCamera, ...options });
}
