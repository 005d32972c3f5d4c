import { html, type PropertyValues } from 'lit';
import { property } from 'lit/decorators.js';
import type { MatrixSessionSnapshot, MatrixSessionStatus } from '../../signaling/matrix/session.js';
import type { ReadableStore } from '../../signaling/store/store.js';
import { hostStyles } from '../internal/host-styles.js';
import { MxElement } from '../internal/mx-element.js';
import { StoreController } from '../internal/store-controller.js';
import styles from './connection-status.styles.js';

const NOT_CONNECTED = 'Not connected';
const UNAVAILABLE = 'Connection status unavailable';

// Keyed by status so the compiler flags a status added to the session but not handled here.
const LABELS: Record<MatrixSessionStatus, (snapshot: MatrixSessionSnapshot) => string> = {
  idle: () => NOT_CONNECTED,
  connecting: () => 'Connecting…',
  online: ({ userId }) => (userId ? `Connected as ${userId}` : 'Connected'),
  reconnecting: () => 'Connection lost, retrying…',
  stopped: () => 'Disconnected',
  error: ({ error }) => error?.message || 'Connection failed',
};

const STATUSES = Object.keys(LABELS) as MatrixSessionStatus[];

function isStatus(value: unknown): value is MatrixSessionStatus {
  return typeof value === 'string' && Object.hasOwn(LABELS, value);
}

/** Checks the fields this element reads, since the store may come from untyped host-page code. */
function isSnapshot(value: unknown): value is MatrixSessionSnapshot {
  if (typeof value !== 'object' || value === null) return false;
  const { status, userId, error } = value as Record<string, unknown>;
  return (
    isStatus(status) &&
    (userId === undefined || typeof userId === 'string') &&
    (error === undefined ||
      (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string'))
  );
}

/**
 * @summary Shows whether a Matrix session is connected, and announces each change politely.
 * @tag mx-connection-status
 * @status experimental
 * @since 0.1.0
 *
 * @csspart base - The polite live region holding the indicator and the label.
 * @csspart indicator - The coloured dot; decorative, since the label says the same.
 * @csspart label - The text describing the connection.
 *
 * @cssprop [--mx-connection-status-idle-color=var(--mx-color-neutral, #6b7280)] - Dot colour before the session starts, and with no session.
 * @cssprop [--mx-connection-status-connecting-color=var(--mx-color-warning, #b45309)] - Dot colour while connecting.
 * @cssprop [--mx-connection-status-online-color=var(--mx-color-success, #15803d)] - Dot colour while online.
 * @cssprop [--mx-connection-status-reconnecting-color=var(--mx-color-warning, #b45309)] - Dot colour while the connection is being retried.
 * @cssprop [--mx-connection-status-stopped-color=var(--mx-color-neutral, #6b7280)] - Dot colour once the session has stopped.
 * @cssprop [--mx-connection-status-error-color=var(--mx-color-danger, #b91c1c)] - Dot colour after a failure.
 * @cssprop [--mx-connection-status-indicator-size=0.625rem] - Diameter of the dot.
 *
 * @cssstate idle - The session has not started, or no session is set.
 * @cssstate connecting - The session is connecting.
 * @cssstate online - The session is connected and syncing.
 * @cssstate reconnecting - The connection dropped and is being retried.
 * @cssstate stopped - The session has stopped.
 * @cssstate error - The session failed; the label shows the error message.
 */
export class MxConnectionStatus extends MxElement {
  static override styles = [hostStyles, styles];

  private readonly sessionStore = new StoreController(this, () => this.session);

  /** The Matrix session to show, usually a `MatrixSession`; any store of session snapshots works. */
  @property({ attribute: false }) session: ReadableStore<MatrixSessionSnapshot> | undefined;

  private labelText = '';
  private warnedMalformed = false;

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const { status, label } = this.describe();
    for (const name of STATUSES) this.customStates.set(name, name === status);
    this.labelText = label;
  }

  private describe(): { status?: MatrixSessionStatus; label: string } {
    if (!this.session) return { status: 'idle', label: NOT_CONNECTED };
    let snapshot: unknown;
    try {
      snapshot = this.sessionStore.snapshot;
    } catch (error) {
      this.warnMalformed(error);
      return { label: UNAVAILABLE };
    }
    if (!isSnapshot(snapshot)) {
      this.warnMalformed(snapshot);
      return { label: UNAVAILABLE };
    }
    return { status: snapshot.status, label: LABELS[snapshot.status](snapshot) };
  }

  private warnMalformed(detail: unknown): void {
    // A store is read on every change; one warning is enough to point the page author at the problem.
    if (this.warnedMalformed) return;
    this.warnedMalformed = true;
    console.warn('matrix-call-kit: <mx-connection-status> cannot read its session snapshot; showing a fallback.', detail);
  }

  protected override render() {
    return html`
      <div part="base" class="base" role="status" aria-live="polite">
        <span part="indicator" class="indicator" aria-hidden="true"></span>
        <span part="label" class="label">${this.labelText}</span>
      </div>
    `;
  }
}
