import { html, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import type { MxError } from '../../signaling/errors.js';
import type { MatrixCredentials } from '../../signaling/matrix/session.js';
import type { VisitorCall } from '../../signaling/visitor/visitor-call.js';
import type { CallKind } from '../../signaling/voip/types.js';
import type { MxErrorEvent } from '../internal/error-event.js';
import type { MxCallDialog } from '../call-dialog/call-dialog.js';
import type { MxCallDialogCloseEvent } from '../call-dialog/call-dialog.events.js';
import { hostStyles } from '../internal/host-styles.js';
import { MxElement } from '../internal/mx-element.js';
import { StoreController } from '../internal/store-controller.js';
import { MxCallStartEvent } from './call-button.events.js';
import styles from './call-button.styles.js';

export const CALL_BUTTON_STATUSES = ['idle', 'connecting', 'ringing', 'in-call', 'unavailable'] as const;
export type CallButtonStatus = (typeof CALL_BUTTON_STATUSES)[number];

const USER_ID = /^@[^:\s]+:[^\s]+$/;
/** A room ID (room version 12 IDs have no server part) or an alias. */
const ROOM = /^(?:![^:\s]+(?::\S+)?|#[^:\s]+:\S+)$/;
/** Refusals that no retry will change: the site's set-up, not the moment. */
const LASTING_REFUSALS = new Set(['TARGET_NOT_ALLOWED', 'ROOM_NOT_ALLOWED', 'ORIGIN_NOT_ALLOWED', 'INVALID_CONFIGURATION']);

// Drawn here rather than imported with the kit's icon set: the button loads before anything else.
const phoneIcon = html`<svg viewBox="0 0 24 24" fill="currentColor" aria-hidden="true" focusable="false"><path d="M20.01 15.38c-1.23 0-2.42-.2-3.53-.56-.35-.12-.74-.03-1.01.24l-1.57 1.97c-2.83-1.35-5.48-3.9-6.89-6.83l1.95-1.66c.27-.28.35-.67.24-1.02-.37-1.11-.56-2.3-.56-3.53 0-.54-.45-.99-.99-.99H4.19C3.65 3 3 3.24 3 3.99 3 13.28 10.73 21 20.01 21c.71 0 .99-.63.99-1.18v-3.45c0-.54-.45-.99-.99-.99z"/></svg>`;
const cameraIcon = html`<svg viewBox="0 0 24 24" fill="currentColor" aria-hidden="true" focusable="false"><path d="M17 10.5V7c0-.55-.45-1-1-1H4c-.55 0-1 .45-1 1v10c0 .55.45 1 1 1h12c.55 0 1-.45 1-1v-3.5l4 4v-11l-4 4z"/></svg>`;

/**
 * @summary A "Call us" button: a visitor, often without a Matrix account, calls a Matrix user or joins a room's group call from a web page.
 * @tag mx-call-button
 * @status experimental
 * @since 0.1.0
 *
 * Before a click it loads nothing but itself. The click loads the kit, opens the call in a modal
 * `<mx-call-dialog>` (`<mx-call>` inside; focus stays in it and returns to the button), and asks for the
 * microphone (and the camera for video). Escape or the close button asks before hanging up; closing the dialog ends the call,
 * and so does leaving the page. The visitor's identity is, in order: `credentials`, `getCredentials()`, or a
 * short-lived account from the site's visitor service (`visitor-service`).
 *
 * With `room` instead of `user`, the click joins that room's MatrixRTC group call (the call Element Call joins)
 * and shows it in the dialog as `<mx-group-call>`. The visitor service joins its visitor to the room (an alias
 * or a room ID on its allow-list); page credentials must already be in the room, given by its ID.
 *
 * @slot - The button's label; "Call" or "Video call" by default.
 * @slot icon - The button's icon; a phone or a camera by default.
 *
 * @fires {MxCallStartEvent} mx-call-start - The visitor clicked to call; cancelable (nothing loads or starts).
 * @fires {MxCallEndedEvent} mx-call-ended - The call ended, or could not start (with `mx-error` then).
 * @fires {MxErrorEvent} mx-error - The call could not start, or ended with an error; `detail.error.code` says why.
 *
 * @csspart button - The button itself.
 * @csspart icon - The icon's wrapper.
 * @csspart label - The label's wrapper.
 * @csspart status - The polite live region beside the button: why it is unavailable, how the last call ended.
 * @csspart dialog - The `<mx-call-dialog>` the call opens in.
 * @csspart dialog-box - The native modal dialog inside it; its other parts (`title`, `close`, `message`, `call`,
 *   `confirm`, `end-button`, `keep-button`, `done-button`) are exported under their own names.
 *
 * @cssprop [--mx-call-button-background=#15803d] - The button's background while idle.
 * @cssprop [--mx-call-button-color=#fff] - The button's text and icon colour.
 * @cssprop [--mx-call-button-busy-background=#1d4ed8] - The button's background while connecting, ringing or in a call.
 * @cssprop [--mx-call-button-unavailable-background=#6b7280] - The button's background when no call can be placed.
 * @cssprop [--mx-call-button-radius=999px] - The button's corner radius.
 *
 * @cssstate idle - No call; a click starts one.
 * @cssstate connecting - Getting an account, signing in, opening devices, or connecting after the answer.
 * @cssstate ringing - The callee's devices ring.
 * @cssstate in-call - The call is connected.
 * @cssstate unavailable - No call can be placed (no valid user, no identity, no WebRTC, or the site refused it).
 */
export class MxCallButton extends MxElement {
  static override shadowRootOptions = { ...MxElement.shadowRootOptions, delegatesFocus: true };
  static override styles = [hostStyles, styles];

  private readonly visitorCallStore = new StoreController(this, () => this.visitorCall);

  /** The Matrix user to call, e.g. `@support:example.org`. */
  @property({ reflect: true }) user = '';

  /** Instead of `user`: the room whose group call to join, e.g. `#support-call:example.org` or `!id:example.org`. */
  @property({ reflect: true }) room = '';

  /** `voice` or `video`. */
  @property({ reflect: true }) kind: CallKind = 'video';

  /** The name to show for the callee ("Support"); the user id's name part by default. */
  @property({ attribute: 'callee-name' }) calleeName = '';

  /** The site's visitor service (services/visitor), for visitors without a Matrix account. */
  @property({ attribute: 'visitor-service' }) visitorService = '';

  /** How long the callee's devices ring before the call ends unanswered, in seconds (the kit's default: 90). */
  @property({ attribute: 'ring-timeout', type: Number }) ringTimeout: number | undefined;

  /** Credentials the page supplies for the visitor (a site with its own login); used first. */
  @property({ attribute: false }) credentials: MatrixCredentials | undefined;

  /** Asked on each click when there are no `credentials`; may return undefined to use the visitor service. */
  @property({ attribute: false }) getCredentials: (() => MatrixCredentials | undefined | Promise<MatrixCredentials | undefined>) | undefined;

  @state() private visitorCall: VisitorCall | undefined;
  @state() private loading = false;
  @state() private message = '';
  @state() private lastingRefusal: string | undefined;
  @state() private hasLabel = false;

  @query('.button') private readonly button!: HTMLButtonElement | null;
  @query('mx-call-dialog') private readonly dialog!: MxCallDialog | null;

  private readonly handlePageHide = () => void this.visitorCall?.hangup();
  private lastError: MxError | undefined;

  /** Where the button stands; also a custom state of the same name. */
  get status(): CallButtonStatus {
    if (this.unavailableReason()) return 'unavailable';
    const snapshot = this.visitorCallStore.snapshot;
    if (snapshot && snapshot.status !== 'ended') return snapshot.status;
    return this.loading ? 'connecting' : 'idle';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('pagehide', this.handlePageHide);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('pagehide', this.handlePageHide);
    // Nothing would show a call whose button left the page.
    void this.visitorCall?.hangup();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if (changed.has('user') || changed.has('room') || changed.has('visitorService')) this.lastingRefusal = undefined;
    const status = this.status;
    for (const name of CALL_BUTTON_STATUSES) this.customStates.set(name, name === status);
  }

  private unavailableReason(): string | undefined {
    if (this.room && this.user) return 'Calls are not set up on this button (it names both a user and a room).';
    if (this.room ? !ROOM.test(this.room) : !USER_ID.test(this.user)) return 'Calls are not set up on this button (no Matrix user or room to call).';
    if (!this.credentials && !this.getCredentials && !this.visitorService) return 'Calls are not set up on this button (no way to sign in).';
    if (typeof RTCPeerConnection === 'undefined') return 'This browser cannot make calls.';
    return this.lastingRefusal;
  }

  private async handleClick(): Promise<void> {
    const unavailable = this.unavailableReason();
    if (unavailable) {
      this.message = unavailable;
      return;
    }
    if (this.loading || this.status !== 'idle') return;
    if (!this.dispatchEvent(new MxCallStartEvent({ target: this.room || this.user, kind: this.kind }))) return;
    this.loading = true;
    this.message = '';
    try {
      const { startVisitorCall } = await import('./call-button-runtime.js');
      // Removed while the kit loaded: no dialog would show the call, and no disconnect would end it.
      if (!this.isConnected) return;
      this.visitorCall = startVisitorCall({
        target: this.room ? undefined : this.user,
        room: this.room || undefined,
        kind: this.kind === 'voice' ? 'voice' : 'video',
        credentials: this.credentials,
        getCredentials: this.getCredentials,
        visitorService: this.visitorService || undefined,
        kitOptions: this.ringTimeout !== undefined && this.ringTimeout > 0 ? { voip: { inviteLifetimeMs: this.ringTimeout * 1000 } } : {},
      });
      await this.updateComplete;
      await this.dialog?.show();
    } catch (error) {
      this.message = 'The call could not be loaded. Check your connection and try again.';
      console.error('matrix-call-kit: <mx-call-button> could not load the call', error);
    } finally {
      this.loading = false;
    }
  }

  private handleLabelChange(event: Event): void {
    // The whitespace around a tag's content is slotted too, and would replace the default label with nothing.
    const assigned = (event.target as HTMLSlotElement).assignedNodes();
    this.hasLabel = assigned.some((node) => node.nodeType === Node.ELEMENT_NODE || !!node.textContent?.trim());
  }

  private handleError(event: MxErrorEvent): void {
    this.lastError = event.detail.error;
  }

  private handleDialogClose(event: MxCallDialogCloseEvent): void {
    const { message } = event.detail;
    // The site's set-up refused the call: no click will change that, so the button says so from now on.
    if (this.lastError && LASTING_REFUSALS.has(this.lastError.code)) this.lastingRefusal = message;
    this.lastError = undefined;
    this.message = message;
    this.visitorCall = undefined;
    this.button?.focus();
  }

  protected override render() {
    const status = this.status;
    return html`
      <button
        part="button"
        class="button"
        type="button"
        aria-disabled=${status === 'unavailable' ? 'true' : nothing}
        aria-describedby="status"
        @click=${this.handleClick}
      >
        <span part="icon" class="icon"><slot name="icon">${this.kind === 'voice' ? phoneIcon : cameraIcon}</slot></span>
        <span part="label" class="label"
          ><slot @slotchange=${this.handleLabelChange}></slot>${this.hasLabel ? nothing : this.kind === 'voice' ? 'Call' : 'Video call'}</span
        >
      </button>
      <span part="status" id="status" class="status" role="status" aria-live="polite">${this.message}</span>
      ${this.visitorCall
        ? html`<mx-call-dialog
            part="dialog"
            exportparts="dialog: dialog-box, title, close, message, call, confirm, end-button, keep-button, done-button"
            callee-name=${this.calleeName || (/^[@#]([^:]+):/.exec(this.room || this.user)?.[1] ?? '')}
            .visitorCall=${this.visitorCall}
            @mx-error=${this.handleError}
            @mx-call-dialog-close=${this.handleDialogClose}
          ></mx-call-dialog>`
        : nothing}
    `;
  }
}
