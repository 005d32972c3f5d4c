import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import type { MxIncomingCall } from '../../components/incoming-call/index.js';
import '../../define/mx-incoming-call.js';
import { MxError } from '../../signaling/errors.js';
import type { GroupRing } from '../../signaling/rtc/rings.js';
import type { CallPeer } from '../../signaling/voip/types.js';
import { scenarioCall } from '../fakes/call-scenarios.js';
import type { FakeCallOptions } from '../fakes/fake-call.js';

interface Args {
  kind: 'video' | 'voice';
  displayName: string;
  withAvatar: boolean;
}

type StoryArgs = Args & Pick<MxIncomingCall, 'call' | 'ring' | 'rings'>;

// What the story's stand-in homeserver answers for the caller's mxc avatar.
const AVATAR_IMAGE = new Blob([
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 96 96"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#f4a261"/><stop offset="1" stop-color="#e76f51"/></linearGradient></defs><rect width="96" height="96" fill="url(#g)"/><circle cx="48" cy="38" r="17" fill="#fde2c8"/><path d="M14 96c4-22 18-32 34-32s30 10 34 32z" fill="#264653"/><path d="M30 36c0-14 8-22 18-22s19 8 18 22c-5-8-12-10-18-10s-13 2-18 10z" fill="#3d2b1f"/></svg>`,
], { type: 'image/svg+xml' });
const avatar: FakeCallOptions = { avatar: () => Promise.resolve(AVATAR_IMAGE) };

const peer = ({ displayName, withAvatar }: Args): CallPeer => ({
  userId: '@bob:example.org',
  displayName: displayName || undefined,
  avatarUrl: withAvatar ? 'mxc://example.org/bob-avatar' : undefined,
});

/**
 * `<mx-incoming-call>` asks whether to take a call: the caller's name, avatar and user id, and buttons to accept
 * with video, accept with voice only, or decline. It shows only while its call rings, moves focus to the main
 * accept button (unless you are typing), and fires `mx-ring-start` / `mx-ring-stop` so a page can play a ring
 * tone. Escape does not decline. If the call is answered on another device, a short notice replaces the buttons.
 * It also shows a group call's ring (`ring`): the caller, the room unless it is a DM, Decline and Join; Join fires
 * `mx-ring-join-request` and the page joins with `kit.joinGroupCall`.
 */
const meta = {
  title: 'Components/Incoming call',
  component: 'mx-incoming-call',
  args: { kind: 'video', displayName: 'Bob Tanaka', withAvatar: false },
  argTypes: {
    kind: { control: 'inline-radio', options: ['video', 'voice'], description: 'What kind of call rings.' },
    displayName: { control: 'text', description: 'The caller display name; empty shows the user id.' },
    withAvatar: { control: 'boolean', description: 'Whether the caller has an avatar image.' },
    call: { table: { disable: true } },
    ring: { table: { disable: true } },
    rings: { table: { disable: true } },
  },
  render: (args) =>
    html`<mx-incoming-call
      .call=${scenarioCall(args.kind === 'video' ? 'incoming-video' : 'incoming-voice', { peer: peer(args) }, avatar)}
    ></mx-incoming-call>`,
} satisfies Meta<StoryArgs>;

export default meta;

type Story = StoryObj<StoryArgs>;

/** Every input as a control. */
export const Playground: Story = {};

/** A video call rings: accept with video (focused), accept with voice, or decline. */
export const VideoCall: Story = { args: { kind: 'video' } };

/** A voice call rings: accept or decline. */
export const VoiceCall: Story = { args: { kind: 'voice' } };

/** The caller has an avatar image. */
export const WithAvatar: Story = { args: { withAvatar: true } };

/** The caller has no display name; the user id stands in. */
export const NoDisplayName: Story = { args: { displayName: '' } };

/** You answered on another device: a notice replaces the buttons, then the dialog hides. */
export const AnsweredElsewhere: Story = {
  render: (args) => {
    const call = scenarioCall('incoming-video', { peer: peer(args) }, avatar);
    // Ends after the first render, as it would when another device answers; long notice so it stays on screen.
    requestAnimationFrame(() => call.set({ phase: 'ended', endReason: 'answered_elsewhere', endedBy: 'remote' }));
    return html`<mx-incoming-call notice-duration="600000" .call=${call}></mx-incoming-call>`;
  },
};

/** Answering failed: the message shows under the buttons and the call keeps ringing. */
export const Failed: Story = {
  name: 'Error',
  render: (args) => {
    const call = scenarioCall('incoming-video', { peer: peer(args) }, avatar);
    call.failNext('answer', new MxError('MEDIA_PERMISSION_DENIED', 'The browser blocked the camera and microphone.'));
    return html`<mx-incoming-call .call=${call}></mx-incoming-call>`;
  },
  play: async ({ canvasElement }) => {
    const dialog = canvasElement.querySelector('mx-incoming-call');
    await dialog?.updateComplete;
    dialog?.shadowRoot?.querySelector<HTMLButtonElement>('[part~="accept-video-button"]')?.click();
  },
};

// A group call's ring as the kit hands it over (`kit.onIncomingCall`'s `{ type: 'group', ring }`).
const groupRing = (fields: Partial<GroupRing> = {}, decline: () => Promise<void> = () => Promise.resolve()): GroupRing => ({
  roomId: '!standup:example.org',
  eventId: `$ring-${Math.random().toString(36).slice(2)}`,
  sender: '@carol:example.org',
  senderName: 'Carol Diaz',
  roomName: 'Standup',
  intent: 'video',
  notificationType: 'ring',
  // Long enough to look at; the Missed call story shortens it.
  expiresAt: Date.now() + 3_600_000,
  ...fields,
  decline,
});

/** A group call rings in a room: the room is named under the caller, and Join asks the page to join it. */
export const GroupRingInRoom: Story = {
  render: () => html`<mx-incoming-call .ring=${groupRing()}></mx-incoming-call>`,
};

/** A voice call rings in a DM: the room is named after the caller, so it is not repeated. */
export const GroupRingInDm: Story = {
  render: () => html`<mx-incoming-call .ring=${groupRing({ intent: 'audio', roomName: 'Carol Diaz' })}></mx-incoming-call>`,
};

/** The caller started a call with a notification instead of a ring: a quieter notice, no pulse, no ring tone. */
export const GroupNotification: Story = {
  render: () => html`<mx-incoming-call .ring=${groupRing({ notificationType: 'notification' })}></mx-incoming-call>`,
};

/** Nobody answered before the ring's lifetime ran out: "Missed call" replaces the buttons, then the dialog hides. */
export const GroupRingMissed: Story = {
  render: () => html`<mx-incoming-call notice-duration="600000" .ring=${groupRing({ expiresAt: Date.now() + 1500 })}></mx-incoming-call>`,
};

/** Declining failed: the message shows with a Dismiss button. */
export const GroupRingDeclineFailed: Story = {
  render: () =>
    html`<mx-incoming-call
      .ring=${groupRing({}, () => Promise.reject(new MxError('HOMESERVER_UNREACHABLE', 'The homeserver did not answer.')))}
    ></mx-incoming-call>`,
  play: async ({ canvasElement }) => {
    const dialog = canvasElement.querySelector('mx-incoming-call');
    await dialog?.updateComplete;
    dialog?.shadowRoot?.querySelector<HTMLButtonElement>('[part~="decline-button"]')?.click();
  },
};
