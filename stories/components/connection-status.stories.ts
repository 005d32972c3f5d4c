import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import type { MxConnectionStatus } from '../../components/connection-status/index.js';
import '../../define/mx-connection-status.js';
import { MxError } from '../../signaling/errors.js';
import type { MatrixSessionSnapshot, MatrixSessionStatus } from '../../signaling/matrix/session.js';
import { createStore } from '../../signaling/store/store.js';

interface Args {
  status: MatrixSessionStatus;
  userId: string;
  errorMessage: string;
}

/** The story's own controls, plus the element's property that Storybook lists from the manifest. */
type StoryArgs = Args & Pick<MxConnectionStatus, 'session'>;

/** A stand-in for `MatrixSession`: the same snapshots, with no homeserver behind them. */
const fakeSession = ({ status, userId, errorMessage }: Args) =>
  createStore<MatrixSessionSnapshot>({
    status,
    homeserverUrl: 'https://matrix.example.org',
    userId: userId || undefined,
    deviceId: 'STORYBOOK',
    error: status === 'error' ? new MxError('HOMESERVER_UNREACHABLE', errorMessage) : undefined,
  });

const statuses: MatrixSessionStatus[] = ['idle', 'connecting', 'online', 'reconnecting', 'stopped', 'error'];

/**
 * `<mx-connection-status>` shows the state of a Matrix session as a coloured dot and a short label, inside a
 * polite live region so screen readers announce each change. Give it a session through the `.session`
 * property; these stories use a fake one.
 */
const meta = {
  title: 'Components/Connection status',
  component: 'mx-connection-status',
  args: {
    status: 'online',
    userId: '@alice:example.org',
    errorMessage: 'The homeserver at https://matrix.example.org could not be reached.',
  },
  argTypes: {
    status: { control: 'select', options: statuses, description: 'Status of the fake session.' },
    userId: { control: 'text', description: 'User id of the fake session.' },
    errorMessage: { control: 'text', description: 'Message of the error, shown while the status is `error`.' },
    session: { table: { disable: true } },
  },
  render: (args) => html`<mx-connection-status .session=${fakeSession(args)}></mx-connection-status>`,
} satisfies Meta<StoryArgs>;

export default meta;

type Story = StoryObj<StoryArgs>;

/** Every input of the fake session as a control. */
export const Playground: Story = {};

/** The session exists but has not been started. */
export const Idle: Story = { args: { status: 'idle' } };

/** The session is loading the Matrix client and waiting for its first sync. */
export const Connecting: Story = { args: { status: 'connecting' } };

/** The session is syncing; the label names the signed-in user. */
export const Online: Story = { args: { status: 'online' } };

/** The sync connection dropped and the client is retrying. */
export const Reconnecting: Story = { args: { status: 'reconnecting' } };

/** The session was stopped. */
export const Stopped: Story = { args: { status: 'stopped' } };

/** The session failed; the label is the error's message. */
export const Failed: Story = { name: 'Error', args: { status: 'error' } };

/** With no session set, the element reads "Not connected". */
export const NoSession: Story = {
  argTypes: { status: { table: { disable: true } }, userId: { table: { disable: true } }, errorMessage: { table: { disable: true } } },
  render: () => html`<mx-connection-status></mx-connection-status>`,
};
