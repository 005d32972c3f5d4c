import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import type { MxGroupCall } from '../../components/group-call/index.js';
import '../../define/mx-group-call.js';
import { MxError } from '../../signaling/errors.js';
import type { CallFeed } from '../../signaling/media/feed.js';
import { REACTION_SHOWN_MS, type GroupCallHandle, type GroupCallSnapshot, type GroupParticipant } from '../../signaling/rtc/group-call.types.js';
import { createStore } from '../../signaling/store/store.js';
import { paintedStream } from '../fakes/fake-media.js';

// The fake group call of these stories: a real store behind a GroupCallHandle whose buttons work (mute, camera,
// leave), with painted pictures instead of cameras. Kept here, not in stories/fakes, because only these stories use it.

const SCENARIOS = [
  'joining',
  'one',
  'two',
  'four',
  'nine',
  'twenty',
  'indicators',
  'screenshare',
  'hands',
  'reconnecting',
  'failed',
  'left',
] as const;
type Scenario = (typeof SCENARIOS)[number];

const FIRST_NAMES = ['Alice Aalto', 'Bob Tanaka', 'Carol Chen', 'Dan Diaz', 'Esi Mensah', 'Farid Haddad', 'Greta Lund', 'Hiro Sato', 'Ines Costa', 'Jonas Berg'];

const streams: MediaStream[] = [];
function stopFakeMedia(): void {
  for (const stream of streams.splice(0)) for (const track of stream.getTracks()) track.stop();
}

function painted(scene: 'camera' | 'screen', hue: number, label = ''): MediaStream {
  const stream = paintedStream({ scene, hue, label });
  streams.push(stream);
  return stream;
}

function cameraFeed(userId: string, hue: number, isLocal = false): CallFeed {
  const stream = painted('camera', hue);
  return { id: stream.id, purpose: 'm.usermedia', stream, isLocal, userId, audioMuted: false, videoMuted: false };
}

function person(n: number, patch: Partial<GroupParticipant> = {}): GroupParticipant {
  const userId = `@user${n}:example.org`;
  const base = FIRST_NAMES[n % FIRST_NAMES.length] ?? 'Someone';
  return {
    identity: `${userId}:DEVICE`,
    userId,
    deviceId: 'DEVICE',
    memberId: `${userId}:DEVICE`,
    name: n < FIRST_NAMES.length ? base : `${base} ${Math.floor(n / FIRST_NAMES.length) + 1}`,
    avatarUrl: undefined,
    status: 'connected',
    feeds: [cameraFeed(userId, (n * 47) % 360)],
    microphoneMuted: n % 3 === 2,
    cameraMuted: false,
    screenSharing: false,
    speaking: false,
    connectionQuality: n % 5 === 4 ? 'poor' : 'good',
    encrypted: true,
    handRaisedAt: undefined,
    ...patch,
  };
}

const people = (count: number) => Array.from({ length: count }, (_, n) => person(n));

function snapshotFor(scenario: Scenario): Partial<GroupCallSnapshot> {
  switch (scenario) {
    case 'joining':
      return { phase: 'joining' };
    case 'one':
      return { participants: people(1) };
    case 'two':
      return { participants: people(2), activeSpeakers: [person(1).identity] };
    case 'four':
      return { participants: people(4), activeSpeakers: [person(0).identity] };
    case 'nine':
      return { participants: people(9), activeSpeakers: [person(5).identity] };
    case 'twenty':
      return { participants: people(20), activeSpeakers: [person(17).identity] };
    case 'indicators':
      return {
        participants: [
          person(0, { microphoneMuted: true, connectionQuality: 'excellent' }),
          person(1, { speaking: true, connectionQuality: 'good', encrypted: false }),
          person(2, { status: 'connecting', feeds: [], connectionQuality: 'unknown' }),
          person(3, { cameraMuted: true, connectionQuality: 'poor' }),
          person(4, { connectionQuality: 'lost' }),
        ],
        activeSpeakers: [person(1).identity],
      };
    case 'screenshare': {
      const sharer = person(1);
      const screen = painted('screen', 0, 'Roadmap');
      const share: CallFeed = { id: screen.id, purpose: 'm.screenshare', stream: screen, isLocal: false, userId: sharer.userId, audioMuted: false, videoMuted: false };
      return {
        participants: [person(0), { ...sharer, screenSharing: true, feeds: [...sharer.feeds, share] }, person(2), person(3)],
        screenShares: [sharer.identity],
        activeSpeakers: [sharer.identity],
      };
    }
    case 'hands':
      return {
        participants: [person(0, { handRaisedAt: Date.now() - 40_000 }), person(1), person(2, { handRaisedAt: Date.now() - 5_000 }), person(3)],
        reactions: [{ eventId: '$story-reaction', identity: person(1).identity, emoji: '🎉', name: 'party', receivedAt: Date.now() }],
      };
    case 'reconnecting':
      return { phase: 'reconnecting', participants: people(4) };
    case 'failed':
      return {
        phase: 'failed',
        error: new MxError('TOKEN_SERVICE_UNREACHABLE', 'The call service at https://rtc.example.org/livekit/jwt did not answer. Try again later.'),
      };
    case 'left':
      return { phase: 'left' };
  }
}

function fakeGroupCall(scenario: Scenario): GroupCallHandle {
  const me = '@me:example.org';
  const store = createStore<GroupCallSnapshot>({
    roomId: '!team:example.org',
    phase: 'connected',
    local: {
      userId: me,
      deviceId: 'MINE',
      identity: `${me}:MINE`,
      feeds: [cameraFeed(me, 150, true)],
      microphoneMuted: false,
      cameraMuted: false,
      screenSharing: false,
      speaking: false,
      handRaisedAt: undefined,
    },
    participants: [],
    activeSpeakers: [],
    screenShares: [],
    reactions: [],
    error: undefined,
    ...snapshotFor(scenario),
  });
  const local = (change: Partial<GroupCallSnapshot['local']>) => store.update((s) => ({ ...s, local: { ...s.local, ...change } }));
  return {
    roomId: '!team:example.org',
    joined: Promise.resolve(),
    getSnapshot: store.getSnapshot,
    subscribe: store.subscribe,
    setMicrophoneMuted: async (muted) => local({ microphoneMuted: muted }),
    setCameraMuted: async (muted) => local({ cameraMuted: muted }),
    setScreenSharing: async (sharing) => local({ screenSharing: sharing }),
    setHandRaised: async (raised) => local({ handRaisedAt: raised ? Date.now() : undefined }),
    sendReaction: async ({ emoji, name }) => {
      const own = { eventId: `$story-${Date.now()}`, identity: `${me}:MINE`, emoji, name, receivedAt: Date.now() };
      store.update((s) => ({ ...s, reactions: [...s.reactions, own] }));
      setTimeout(() => store.update((s) => ({ ...s, reactions: s.reactions.filter((r) => r !== own) })), REACTION_SHOWN_MS);
    },
    leave: async () => store.update((s) => ({ ...s, phase: 'left', participants: [], activeSpeakers: [], screenShares: [] })),
    receivedMedia: async () => new Map(),
  };
}

interface Args {
  scenario: Scenario;
  layout: 'grid' | 'spotlight';
  width: number;
  height: number;
}

type StoryArgs = Args & Pick<MxGroupCall, 'call'>;

/**
 * `<mx-group-call>` is a whole group call: a tile per member and your self-view, in a grid that picks its columns
 * from its size and pages past what fits, or in a spotlight that shows a shared screen or the speaker large. Give it
 * the `GroupCallHandle` of `kit.joinGroupCall(roomId)` through `.call`; these stories use a fake one whose
 * microphone, camera and leave buttons work.
 */
const meta = {
  title: 'Components/Group call',
  component: 'mx-group-call',
  args: { scenario: 'four', layout: 'grid', width: 960, height: 600 },
  argTypes: {
    scenario: { control: 'select', options: SCENARIOS, description: 'State of the fake group call.' },
    layout: { control: 'inline-radio', options: ['grid', 'spotlight'], description: 'The `layout` attribute.' },
    width: { control: { type: 'range', min: 320, max: 1440, step: 20 }, description: 'Width of the container, px.' },
    height: { control: { type: 'range', min: 360, max: 960, step: 20 }, description: 'Height of the container, px.' },
    call: { table: { disable: true } },
  },
  beforeEach: () => stopFakeMedia,
  render: ({ scenario, layout, width, height }) =>
    html`<mx-group-call style="width: min(100%, ${width}px); height: ${height}px" layout=${layout} .call=${fakeGroupCall(scenario)}></mx-group-call>`,
} satisfies Meta<StoryArgs>;

export default meta;

type Story = StoryObj<StoryArgs>;

/** Every state of the fake call as a control. */
export const Playground: Story = {};

/** Joining: the membership is being published and the media server connected. The controls already work. */
export const Joining: Story = { args: { scenario: 'joining' } };

/** One other member and your self-view, side by side. */
export const OneParticipant: Story = { args: { scenario: 'one' } };

/** Two others; the one speaking has the green outline. */
export const TwoParticipants: Story = { args: { scenario: 'two' } };

/** Four others and you: a grid of three columns on a wide screen. */
export const FourParticipants: Story = { args: { scenario: 'four' } };

/** Nine others: the grid fills the stage, every tile still readable. */
export const NineParticipants: Story = { args: { scenario: 'nine' } };

/** Twenty others: more than a page holds. The speaker and your self-view are on the first page; the pager turns it. */
export const TwentyParticipants: Story = { args: { scenario: 'twenty' } };

/**
 * Each indicator once: a muted microphone, the speaking outline, a member still connecting (no picture, never a
 * frozen one), a camera turned off (initials), the connection bars from excellent to lost, and the lock on every
 * member whose media is end-to-end encrypted (Bob's is not).
 */
export const TileIndicators: Story = { args: { scenario: 'indicators' } };

/** Bob shares his screen: it takes the spotlight, and its sound plays like a member's; the cameras go to the strip. */
export const SpotlightScreenShare: Story = { args: { scenario: 'screenshare', layout: 'spotlight' } };

/**
 * Alice raised her hand first and Carol second, so their badges say 1 and 2; Bob just reacted 🎉. The hand and the
 * reactions buttons work: raise yours (number 3) or choose a reaction from Element Call's catalogue.
 */
export const HandsAndReactions: Story = { args: { scenario: 'hands' } };

/** The spotlight without a shared screen: whoever speaks is large. */
export const SpotlightSpeaker: Story = { args: { scenario: 'four', layout: 'spotlight' } };

/** The connection dropped: a banner says so while the tiles stay; the call comes back by itself. */
export const Reconnecting: Story = { args: { scenario: 'reconnecting' } };

/** The call could not be joined: the reason is shown, in words an administrator can act on. */
export const Failed: Story = { args: { scenario: 'failed' } };

/** You left the call. */
export const Left: Story = { args: { scenario: 'left' } };

/** A phone held upright: tiles stack, smaller buttons, and the pager takes over past what fits. */
export const PhoneWidth: Story = { args: { scenario: 'nine', width: 360, height: 720 } };

/** A phone in a screen share: the shared screen on top, the cameras in a strip you can scroll. */
export const PhoneScreenShare: Story = { args: { scenario: 'screenshare', layout: 'spotlight', width: 360, height: 720 } };
