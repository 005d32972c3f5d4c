import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import type { MxCallControls } from '../../components/call-controls/index.js';
import '../../define/mx-call-controls.js';
import { MxError } from '../../signaling/errors.js';
import { scenarioCall, stopFakeMedia, type Scenario } from '../fakes/call-scenarios.js';

interface Args {
  scenario: Scenario;
  noShortcuts: boolean;
}

type StoryArgs = Args & Pick<MxCallControls, 'call'>;

const scenarios: Scenario[] = ['connected-video', 'connected-voice', 'muted', 'held-by-you', 'local-screenshare', 'connecting', 'ended-hung-up'];

/**
 * `<mx-call-controls>` holds the buttons of a call: microphone, camera, screen share, hold and hang up. Toggles
 * use `aria-pressed` and swap their label; each button has a tooltip naming it and its key. Keyboard shortcuts
 * with focus inside: `M` microphone, `V` camera, `S` screen share, `H` hold. Buttons a phase cannot use are
 * disabled. The fake call reacts to every press.
 */
const meta = {
  title: 'Components/Call controls',
  component: 'mx-call-controls',
  args: { scenario: 'connected-video', noShortcuts: false },
  argTypes: {
    scenario: { control: 'select', options: scenarios, description: 'State of the fake call.' },
    noShortcuts: { control: 'boolean', description: 'Turns the keyboard shortcuts off.' },
    call: { table: { disable: true } },
  },
  beforeEach: () => stopFakeMedia,
  // Room above the buttons for their tooltips.
  decorators: [(story) => html`<div style="padding-block-start: 2.5rem">${story()}</div>`],
  render: ({ scenario, noShortcuts }) =>
    html`<mx-call-controls ?no-shortcuts=${noShortcuts} .call=${scenarioCall(scenario)}></mx-call-controls>`,
} satisfies Meta<StoryArgs>;

export default meta;

type Story = StoryObj<StoryArgs>;

/** Every state of the fake call as a control. */
export const Playground: Story = {};

/** A connected video call: everything available. */
export const Connected: Story = { args: { scenario: 'connected-video' } };

/** A voice call: the camera button offers "Start video". */
export const VoiceCall: Story = { args: { scenario: 'connected-voice' } };

/** Microphone and camera off: both toggles pressed. */
export const Muted: Story = { args: { scenario: 'muted' } };

/** You put the call on hold: screen sharing waits until you resume. */
export const OnHold: Story = { args: { scenario: 'held-by-you' } };

/** You are sharing your screen. */
export const Sharing: Story = { args: { scenario: 'local-screenshare' } };

/** Still connecting: hold and screen share wait for the media. */
export const Connecting: Story = { args: { scenario: 'connecting' } };

/** The call ended: every button is disabled. */
export const Ended: Story = { args: { scenario: 'ended-hung-up' } };

/** The call refused to turn the camera on; the message sits above the buttons until dismissed or the next success. */
export const Failed: Story = {
  name: 'Error',
  args: { scenario: 'muted' },
  render: ({ scenario }) => {
    const call = scenarioCall(scenario);
    call.failNext(
      'setCameraMuted',
      new MxError('MEDIA_PERMISSION_DENIED', 'The browser blocked the camera. Allow it in the address bar and try again.'),
    );
    return html`<mx-call-controls .call=${call}></mx-call-controls>`;
  },
  play: async ({ canvasElement }) => {
    const controls = canvasElement.querySelector('mx-call-controls');
    await controls?.updateComplete;
    controls?.shadowRoot?.querySelector<HTMLButtonElement>('[part~="camera-button"]')?.click();
  },
};

/** With no call, every button is disabled. */
export const NoCall: Story = {
  argTypes: { scenario: { table: { disable: true } } },
  render: () => html`<mx-call-controls></mx-call-controls>`,
};
