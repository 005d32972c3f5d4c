import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import type { MxParticipantList } from '../../components/participant-list/index.js';
import '../../define/mx-participant-list.js';
import type { GroupCallHandle, GroupCallSnapshot, GroupParticipant } from '../../signaling/rtc/group-call.types.js';
import { createStore } from '../../signaling/store/store.js';

const NAMES = ['Alice Aalto', 'Bob Tanaka', 'Carol Chen', 'Dan Diaz'];

function person(n: number, patch: Partial<GroupParticipant> = {}): GroupParticipant {
  const userId = `@${(NAMES[n] ?? 'someone').split(' ')[0]?.toLowerCase()}:example.org`;
  return {
    identity: `${userId}:DEVICE${n}`,
    userId,
    deviceId: `DEVICE${n}`,
    memberId: `${userId}:DEVICE${n}`,
    name: NAMES[n] ?? userId,
    avatarUrl: undefined,
    status: 'connected',
    feeds: [],
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

const SCENARIOS = {
  empty: { phase: 'joining' },
  three: {
    participants: [person(0, { speaking: true }), person(1, { microphoneMuted: true }), person(2, { status: 'connecting' })],
    activeSpeakers: [person(0).identity],
  },
  hands: {
    participants: [person(0), person(1, { handRaisedAt: 2 }), person(2, { handRaisedAt: 1 }), person(3, { encrypted: false, connectionQuality: 'poor' })],
  },
} satisfies Record<string, Partial<GroupCallSnapshot>>;

type Scenario = keyof typeof SCENARIOS;

/** A read-only stand-in for `kit.joinGroupCall(roomId)`: the list only reads the call. */
function fakeGroupCall(scenario: Scenario): GroupCallHandle {
  const store = createStore<GroupCallSnapshot>({
    roomId: '!team:example.org',
    phase: 'connected',
    local: { userId: '@me:example.org', deviceId: 'MINE', identity: '@me:example.org:MINE', feeds: [], microphoneMuted: false, cameraMuted: false, screenSharing: false, speaking: false, handRaisedAt: undefined },
    participants: [],
    activeSpeakers: [],
    screenShares: [],
    reactions: [],
    error: undefined,
    ...SCENARIOS[scenario],
  });
  const unused = () => Promise.resolve();
  return {
    roomId: '!team:example.org',
    joined: Promise.resolve(),
    getSnapshot: store.getSnapshot,
    subscribe: store.subscribe,
    setMicrophoneMuted: unused,
    setCameraMuted: unused,
    setScreenSharing: unused,
    setHandRaised: unused,
    sendReaction: unused,
    leave: unused,
    receivedMedia: async () => new Map(),
  };
}

interface Args {
  scenario: Scenario;
  announce: boolean;
}

type StoryArgs = Args & Pick<MxParticipantList, 'call'>;

/**
 * `<mx-participant-list>` lists the people in a group call: you first, raised hands in the order they went up,
 * then everyone by name, each with their microphone, speaking, hand, encryption and connection. Give it the same
 * `GroupCallHandle` as `<mx-group-call>`; these stories use a fake one.
 */
const meta = {
  title: 'Components/Participant list',
  component: 'mx-participant-list',
  args: { scenario: 'three', announce: false },
  argTypes: {
    scenario: { control: 'select', options: Object.keys(SCENARIOS), description: 'State of the fake group call.' },
    announce: { control: 'boolean', description: 'The `announce` attribute: read joins and leaves out.' },
    call: { table: { disable: true } },
  },
  render: ({ scenario, announce }) =>
    html`<mx-participant-list style="max-inline-size: 20rem" ?announce=${announce} .call=${fakeGroupCall(scenario)}></mx-participant-list>`,
} satisfies Meta<StoryArgs>;

export default meta;

type Story = StoryObj<StoryArgs>;

/** Not joined yet: no one is listed. */
export const Empty: Story = { args: { scenario: 'empty' } };

/** Three others: Alice speaking, Bob muted, Carol still connecting. */
export const ThreePeople: Story = { args: { scenario: 'three' } };

/** Carol raised her hand first and Bob second, so they lead the list; Dan's media is not encrypted. */
export const RaisedHands: Story = { args: { scenario: 'hands' } };
