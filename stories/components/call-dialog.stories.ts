import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import type { MxCallDialog } from '../../components/call-dialog/index.js';
import '../../define/mx-call-dialog.js';
import { stopFakeMedia } from '../fakes/call-scenarios.js';
import { VISITOR_SCENARIOS, visitorScenarioCall, type VisitorScenario } from '../fakes/visitor-call.js';

interface Args {
  scenario: VisitorScenario;
  calleeName: string;
}

type StoryArgs = Args & Pick<MxCallDialog, 'visitorCall'>;

const openDialog = (event: Event) => {
  void (event.currentTarget as HTMLElement).parentElement?.querySelector('mx-call-dialog')?.show();
};

/**
 * `<mx-call-dialog>` is where a visitor's call happens once `<mx-call-button>` is clicked: a native modal dialog
 * with the call's progress in a polite live region, `<mx-call>` once the call is placed, and, when the call ends
 * or cannot start, a sentence saying why and a Close button. Escape and the close button ask "End the call?" while
 * the call goes on; however the dialog closes, the call ends. These stories give it a fake visitor call in each
 * state; the dialog opens by itself in the canvas, and the button above it reopens it.
 */
const meta = {
  title: 'Components/Call dialog',
  component: 'mx-call-dialog',
  args: { scenario: 'ringing', calleeName: 'Support' },
  argTypes: {
    scenario: { control: 'select', options: VISITOR_SCENARIOS, description: 'State of the fake visitor call.' },
    calleeName: { control: 'text', description: "The callee's name; empty uses the call's peer, or none before the call is placed." },
    visitorCall: { table: { disable: true } },
  },
  beforeEach: () => stopFakeMedia,
  render: ({ scenario, calleeName }) => html`
    <div>
      <button type="button" @click=${openDialog}>Open the call dialog</button>
      <mx-call-dialog callee-name=${calleeName} .visitorCall=${visitorScenarioCall(scenario)}></mx-call-dialog>
    </div>
  `,
  play: async ({ canvasElement }) => {
    await canvasElement.querySelector('mx-call-dialog')?.show();
  },
} satisfies Meta<StoryArgs>;

export default meta;

type Story = StoryObj<StoryArgs>;

/** Every state of the fake visitor call as a control. */
export const Playground: Story = {};

/** Getting the visitor an account, signing in and opening the microphone and camera: "Calling Support…". */
export const Connecting: Story = { args: { scenario: 'connecting' } };

/** The invite is out and Support's devices ring; the call shows your camera. */
export const Ringing: Story = { args: { scenario: 'ringing' } };

/** Support answered: the whole call, with its controls, inside the dialog. */
export const InCall: Story = { args: { scenario: 'in-call' } };

/** Support hung up. */
export const EndedHungUp: Story = { args: { scenario: 'ended-hung-up' } };

/** Support was busy on another call. */
export const EndedBusy: Story = { args: { scenario: 'ended-busy' } };

/** Support declined the call. */
export const EndedDeclined: Story = { args: { scenario: 'ended-declined' } };

/** Nobody answered before the call stopped ringing. */
export const EndedNoAnswer: Story = { args: { scenario: 'ended-no-answer' } };

/** The media connection failed, often a network that blocks calls. */
export const EndedNetwork: Story = { args: { scenario: 'ended-network' } };

/** The visitor service refused: too many calls from this visitor; it says when to try again. */
export const RefusedRateLimited: Story = { args: { scenario: 'refused-rate-limited' } };

/** The visitor service does not let visitors call this user. */
export const RefusedTarget: Story = { args: { scenario: 'refused-target' } };

/** The visitor service does not serve this website. */
export const RefusedOrigin: Story = { args: { scenario: 'refused-origin' } };

/** The homeserver or the visitor service could not be reached. */
export const RefusedUnreachable: Story = { args: { scenario: 'refused-unreachable' } };

/** The browser refused the microphone (and the camera for a video call). */
export const RefusedMedia: Story = { args: { scenario: 'refused-media' } };

/** The callee never joined the conversation the call needs. */
export const RefusedNobodyAvailable: Story = { args: { scenario: 'refused-nobody-available' } };

/** With no callee name before the call is placed, the dialog says "Calling…". */
export const NoCalleeName: Story = { args: { scenario: 'connecting', calleeName: '' } };
