import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html, nothing } from 'lit';
import type { MxCallButton } from '../../components/call-button/index.js';
import '../../define/mx-call-button.js';
import { MxError, type MxErrorCode } from '../../signaling/errors.js';
import type { MatrixCredentials } from '../../signaling/matrix/session.js';

/** What the story's stand-in for a site's login answers when the button asks for the visitor's credentials. */
const ANSWERS = ['never', 'VISITOR_SERVICE_UNREACHABLE', 'RATE_LIMITED', 'TARGET_NOT_ALLOWED', 'ORIGIN_NOT_ALLOWED'] as const;
type Answer = (typeof ANSWERS)[number];

interface Args {
  user: string;
  kind: 'video' | 'voice';
  calleeName: string;
  label: string;
  answer: Answer;
}

type StoryArgs = Args & Pick<MxCallButton, 'credentials' | 'getCredentials' | 'visitorService' | 'ringTimeout'>;

/**
 * Storybook runs no homeserver and no visitor service, so the button gets its identity from `getCredentials`,
 * which either never answers (the call stays "Calling…") or refuses as a visitor service would.
 */
const credentialsFor =
  (answer: Answer) =>
  (): Promise<MatrixCredentials> => {
    if (answer === 'never') return new Promise<MatrixCredentials>(() => undefined);
    const refusal = new MxError(answer satisfies MxErrorCode, `Storybook refused the call with ${answer}`);
    // The visitor service says when a rate-limited visitor may try again.
    return Promise.reject(answer === 'RATE_LIMITED' ? Object.assign(refusal, { retryAfterMs: 2 * 60_000 }) : refusal);
  };

const button = ({ user, kind, calleeName, label, answer }: Args) => html`
  <mx-call-button user=${user} kind=${kind} callee-name=${calleeName} .getCredentials=${credentialsFor(answer)}>
    ${label || nothing}
  </mx-call-button>
`;

/**
 * `<mx-call-button>` is a "Call us" button for a website: a visitor, usually without a Matrix account, calls a
 * Matrix user (a support desk, say). Before a click it loads nothing but itself; the click loads the kit and opens
 * the call in `<mx-call-dialog>`. The visitor's identity comes from `credentials`, `getCredentials()` or the site's
 * visitor service (`visitor-service`). Its states (`idle`, `connecting`, `ringing`, `in-call`, `unavailable`) are
 * custom states for `:state()`, and the status line beside it says why it is unavailable or how the last call ended.
 * Click it here to see the dialog: the story's `getCredentials` never answers, or refuses as chosen.
 */
const meta = {
  title: 'Components/Call button',
  component: 'mx-call-button',
  args: { user: '@support:example.org', kind: 'video', calleeName: 'Support', label: '', answer: 'VISITOR_SERVICE_UNREACHABLE' },
  argTypes: {
    user: { control: 'text', description: 'The Matrix user to call; anything but @name:server makes the button unavailable.' },
    kind: { control: 'inline-radio', options: ['video', 'voice'], description: 'Video or voice call.' },
    calleeName: { control: 'text', description: 'The name the dialog shows for the callee.' },
    label: { control: 'text', description: 'Slotted label; empty keeps the default ("Video call" or "Call").' },
    answer: { control: 'select', options: ANSWERS, description: "What the story's getCredentials does on a click." },
    credentials: { table: { disable: true } },
    getCredentials: { table: { disable: true } },
    visitorService: { table: { disable: true } },
    ringTimeout: { table: { disable: true } },
  },
  render: button,
} satisfies Meta<StoryArgs>;

export default meta;

type Story = StoryObj<StoryArgs>;

/** Every input as a control. */
export const Playground: Story = {};

/** Ready to place a video call, its default. A click opens the dialog, which says the call service is unreachable. */
export const Idle: Story = {};

/** A voice call: a phone icon and the label "Call". */
export const Voice: Story = { args: { kind: 'voice' } };

/** The click went through and the call is starting: the button turns blue, and the dialog says "Calling Support…". */
export const Connecting: Story = {
  args: { answer: 'never' },
  play: async ({ canvasElement }) => {
    const el = canvasElement.querySelector('mx-call-button');
    await el?.updateComplete;
    el?.shadowRoot?.querySelector<HTMLButtonElement>('[part~="button"]')?.click();
  },
};

/** The site does not let visitors call this user: after the dialog closes, the button stays unavailable and says why. */
export const RefusedForGood: Story = { args: { answer: 'TARGET_NOT_ALLOWED' } };

/** No valid user to call: grey, `aria-disabled`, and a click says why instead of calling. */
export const Unavailable: Story = {
  args: { user: '' },
  play: async ({ canvasElement }) => {
    const el = canvasElement.querySelector('mx-call-button');
    await el?.updateComplete;
    el?.shadowRoot?.querySelector<HTMLButtonElement>('[part~="button"]')?.click();
  },
};

/** The default slot replaces the label, and the `icon` slot the icon. */
export const CustomLabelAndIcon: Story = {
  render: (args) => html`
    <mx-call-button user=${args.user} kind=${args.kind} callee-name=${args.calleeName} .getCredentials=${credentialsFor(args.answer)}>
      <svg slot="icon" viewBox="0 0 24 24" fill="currentColor" aria-hidden="true">
        <path d="M12 2a7 7 0 0 0-7 7v4l-2 3v1h18v-1l-2-3V9a7 7 0 0 0-7-7zm0 20a3 3 0 0 0 3-3H9a3 3 0 0 0 3 3z" />
      </svg>
      Talk to our support team
    </mx-call-button>
  `,
};

/** Themed with its `--mx-call-button-*` properties and parts: square corners, the site's colours, a bold label. */
export const Themed: Story = {
  render: (args) => html`
    <style>
      .themed-call-button {
        --mx-call-button-background: #7c3aed;
        --mx-call-button-color: #fefce8;
        --mx-call-button-busy-background: #b45309;
        --mx-call-button-unavailable-background: #57534e;
        --mx-call-button-radius: 0.25rem;
        font-family: Georgia, serif;
      }
      .themed-call-button::part(label) {
        letter-spacing: 0.04em;
        text-transform: uppercase;
      }
      .themed-call-button::part(status) {
        color: #7c3aed;
      }
    </style>
    <mx-call-button
      class="themed-call-button"
      user=${args.user}
      kind=${args.kind}
      callee-name=${args.calleeName}
      .getCredentials=${credentialsFor(args.answer)}
    >${args.label || nothing}</mx-call-button>
  `,
};
