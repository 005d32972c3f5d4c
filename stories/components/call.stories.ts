import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import type { MxCall } from '../../components/call/index.js';
import '../../define/mx-call.js';
import { SCENARIOS, scenarioCall, stopFakeMedia, type Scenario } from '../fakes/call-scenarios.js';

interface Args {
  scenario: Scenario;
  width: number;
  height: number;
}

type StoryArgs = Args & Pick<MxCall, 'call'>;

/**
 * `<mx-call>` is the whole 1:1 call: the other person's video (or avatar), your self-view in a corner, a shared
 * screen shown large, a status line with the duration, the controls, and the incoming-call dialog while a call
 * rings. Give it a `CallHandle` through `.call`; these stories use a fake one that reacts to the buttons, so you
 * can mute, hold, share and hang up. Keyboard: `M`, `V`, `S`, `H` with focus inside the call.
 */
const meta = {
  title: 'Components/Call',
  component: 'mx-call',
  args: { scenario: 'connected-video', width: 880, height: 540 },
  argTypes: {
    scenario: { control: 'select', options: SCENARIOS, description: 'State of the fake call.' },
    width: { control: { type: 'range', min: 280, max: 1280, step: 20 }, description: 'Width of the container, px.' },
    height: { control: { type: 'range', min: 320, max: 900, step: 20 }, description: 'Height of the container, px.' },
    call: { table: { disable: true } },
  },
  beforeEach: () => stopFakeMedia,
  render: ({ scenario, width, height }) =>
    html`<mx-call style="width: min(100%, ${width}px); height: ${height}px" .call=${scenarioCall(scenario)}></mx-call>`,
} satisfies Meta<StoryArgs>;

export default meta;

type Story = StoryObj<StoryArgs>;

/** Every state of the fake call as a control. */
export const Playground: Story = {};

/** You started a video call; the invite is being sent. Your camera shows in the corner. */
export const OutgoingCalling: Story = { args: { scenario: 'outgoing-calling' } };

/** Bob's devices are ringing. */
export const OutgoingRinging: Story = { args: { scenario: 'outgoing-ringing' } };

/** Bob is calling you with video; the dialog offers video, voice only, or decline. */
export const IncomingVideo: Story = { args: { scenario: 'incoming-video' } };

/** Bob is calling you without video. */
export const IncomingVoice: Story = { args: { scenario: 'incoming-voice' } };

/** Answered; media is connecting. */
export const Connecting: Story = { args: { scenario: 'connecting' } };

/** A connected video call, the duration ticking. */
export const ConnectedVideo: Story = { args: { scenario: 'connected-video' } };

/** A connected voice call: Bob's avatar, no self-view, and "Start video" in the controls. */
export const ConnectedVoice: Story = { args: { scenario: 'connected-voice' } };

/** Bob turned his camera off and muted his microphone. */
export const RemoteVideoOff: Story = { args: { scenario: 'remote-video-off' } };

/** Bob shares his screen: it fills the stage and the cameras move beside it. */
export const RemoteScreenShare: Story = { args: { scenario: 'remote-screenshare' } };

/** You share your screen. */
export const LocalScreenShare: Story = { args: { scenario: 'local-screenshare' } };

/** You put the call on hold. */
export const HeldByYou: Story = { args: { scenario: 'held-by-you' } };

/** Bob put the call on hold. */
export const HeldByPeer: Story = { args: { scenario: 'held-by-peer' } };

/** Your microphone and camera are off. */
export const Muted: Story = { args: { scenario: 'muted' } };

/** Bob hung up; the duration stays at its final value. */
export const EndedHungUp: Story = { args: { scenario: 'ended-hung-up' } };

/** Bob declined your call. */
export const EndedDeclined: Story = { args: { scenario: 'ended-declined' } };

/** Nobody answered. */
export const EndedNoAnswer: Story = { args: { scenario: 'ended-no-answer' } };

/** Bob was busy. */
export const EndedBusy: Story = { args: { scenario: 'ended-busy' } };

/** An incoming call you answered on another device. */
export const EndedAnsweredElsewhere: Story = { args: { scenario: 'ended-answered-elsewhere' } };

/** The media connection failed; the call shows the error's message. */
export const Failed: Story = { name: 'Error', args: { scenario: 'failed' } };

/** A phone-sized container: the self-view turns portrait and a shared screen stacks above the cameras. */
export const Narrow: Story = { args: { scenario: 'remote-screenshare', width: 360, height: 640 } };

/** With no call set, the element shows a short empty state. */
export const NoCall: Story = {
  argTypes: { scenario: { table: { disable: true } } },
  render: ({ width, height }) => html`<mx-call style="width: min(100%, ${width}px); height: ${height}px"></mx-call>`,
};
