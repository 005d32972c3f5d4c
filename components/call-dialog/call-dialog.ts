import { html, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import type { VisitorCall, VisitorCallSnapshot } from '../../signaling/visitor/visitor-call.js';
import { MxCallEndedEvent } from '../call/call.events.js';
import { MxErrorEvent } from '../internal/error-event.js';
import { closeIcon } from '../internal/icons.js';
import { hostStyles } from '../internal/host-styles.js';
import { MxElement } from '../internal/mx-element.js';
import { StoreController } from '../internal/store-controller.js';
import { endMessage, progressMessage, refusalMessage } from './call-dialog-text.js';
import { MxCallDialogCloseEvent } from './call-dialog.events.js';
import styles from './call-dialog.styles.js';

/**
 * @summary A modal dialog around one visitor call: its progress, `<mx-call>` (or `<mx-group-call>` for a room's call), and why it ended.
 * @tag mx-call-dialog
 * @status experimental
 * @since 0.1.0
 *
 * `<mx-call-button>` opens one on a click; a page can also open one for a call it started with
 * `startVisitorCall`. Focus stays inside while it is open (a native modal `<dialog>`). Escape and the close
 * button ask "End the call?" while the call goes on; however the dialog closes, the call ends. After a call
 * that the other side ended or that could not start, it stays open saying why, until closed.
 *
 * @fires {MxCallEndedEvent} mx-call-ended - The call ended, or could not start.
 * @fires {MxErrorEvent} mx-error - The call could not start, or ended with an error; `detail.error.code` says why.
 * @fires {MxCallDialogCloseEvent} mx-call-dialog-close - The dialog closed; `detail.message` is its last message.
 *
 * @csspart dialog - The native modal dialog.
 * @csspart title - The heading.
 * @csspart close - The close button (asks first while a call goes on).
 * @csspart message - The polite live region: progress, and why the call ended or could not start.
 * @csspart call - The `<mx-call>` showing a call to a user, or the `<mx-group-call>` showing a room's group call.
 * @csspart confirm - The "End the call?" question.
 * @csspart end-button - The button that ends the call from the question.
 * @csspart keep-button - The button that keeps the call from the question.
 * @csspart done-button - The button that closes the dialog after the call.
 *
 * @cssprop [--mx-call-dialog-width=min(56rem, 100vw)] - The dialog's width.
 * @cssprop [--mx-call-dialog-height=min(40rem, 100dvh)] - The dialog's height.
 * @cssprop [--mx-call-dialog-background=#111827] - The dialog's background.
 * @cssprop [--mx-call-dialog-color=#f9fafb] - The dialog's text colour.
 *
 * @cssstate open - The dialog is open.
 * @cssstate ended - The call has ended (or could not start).
 */
export class MxCallDialog extends MxElement {
  static override styles = [hostStyles, styles];

  private readonly callStore = new StoreController(this, () => this.visitorCall);

  /** The call to show. */
  @property({ attribute: false }) visitorCall: VisitorCall | undefined;

  /** The name to show for the callee. */
  @property({ attribute: 'callee-name' }) calleeName = '';

  @state() private confirming = false;
  @state() private message = '';

  @query('dialog') private readonly dialog!: HTMLDialogElement | null;

  private reportedEnd: VisitorCall | undefined;

  /** Whether the dialog is open. */
  get open(): boolean {
    return this.dialog?.open ?? false;
  }

  /** Opens the dialog as a modal. */
  async show(): Promise<void> {
    await this.updateComplete;
    if (this.dialog && !this.dialog.open) this.dialog.showModal();
    this.customStates.set('open', true);
  }

  /** Closes the dialog, which ends the call. */
  close(): void {
    if (this.dialog?.open) this.dialog.close();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    void this.visitorCall?.hangup();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const snapshot = this.callStore.snapshot;
    this.customStates.set('ended', snapshot?.status === 'ended');
    if (snapshot) this.follow(snapshot);
  }

  private get callee(): string {
    return this.calleeName || (this.callStore.snapshot?.call?.getSnapshot().peer.displayName ?? '');
  }

  private follow(snapshot: VisitorCallSnapshot): void {
    if (snapshot.status !== 'ended') {
      this.message = progressMessage(snapshot.status, this.callee, snapshot.groupCall !== undefined);
      return;
    }
    if (this.reportedEnd === this.visitorCall) return;
    this.reportedEnd = this.visitorCall;
    this.confirming = false;
    const { error, endReason, endedBy } = snapshot;
    const said = error && !snapshot.call ? refusalMessage(error) : endMessage(endReason, endedBy, this.callee);
    this.message = said ?? '';
    void this.updateComplete.then(() => {
      if (error) this.dispatchEvent(new MxErrorEvent({ error }));
      this.dispatchEvent(new MxCallEndedEvent({ reason: endReason, endedBy }));
      // The visitor ended it: nothing to read, so the dialog goes. Otherwise it stays, saying why, until closed.
      if (said === undefined) this.close();
      else this.shadowRoot?.querySelector<HTMLButtonElement>('.done')?.focus();
    });
  }

  private get going(): boolean {
    const status = this.callStore.snapshot?.status;
    return status !== undefined && status !== 'ended';
  }

  private handleKeyDown(event: KeyboardEvent): void {
    // Chromium lets a page refuse a modal dialog's `cancel` once, then closes it on the next Escape whatever the page
    // does, which would end the call unasked; a prevented keydown makes no close request, so the question comes each time.
    if (event.key !== 'Escape' || event.defaultPrevented || !this.going) return;
    event.preventDefault();
    this.askToClose();
  }

  private handleCancel(event: Event): void {
    // Escape: a call going on is only ended once the visitor says so.
    event.preventDefault();
    this.askToClose();
  }

  private askToClose(): void {
    if (!this.going) return this.close();
    this.confirming = true;
    void this.updateComplete.then(() => this.shadowRoot?.querySelector<HTMLButtonElement>('.end')?.focus());
  }

  private keepCalling(): void {
    this.confirming = false;
    void this.updateComplete.then(() => this.shadowRoot?.querySelector<HTMLButtonElement>('.close')?.focus());
  }

  private async endCall(): Promise<void> {
    this.confirming = false;
    await this.visitorCall?.hangup();
    this.close();
  }

  private handleClose(): void {
    // Closed while the call went on, the visitor ended it: the progress message no longer holds, and there is
    // nothing else to tell them. Read before hanging up, which ends the call's store at once.
    const message = this.going ? '' : this.message;
    // However the dialog closed (a page calling close(), a back gesture), the call ends.
    void this.visitorCall?.hangup();
    this.confirming = false;
    this.customStates.set('open', false);
    this.dispatchEvent(new MxCallDialogCloseEvent({ message }));
  }

  protected override render() {
    const snapshot = this.callStore.snapshot;
    const going = this.going;
    return html`
      <dialog part="dialog" class="dialog" aria-labelledby="title" @keydown=${this.handleKeyDown} @cancel=${this.handleCancel} @close=${this.handleClose}>
        <header class="header">
          <h2 part="title" id="title" class="title">${this.callee ? `Call with ${this.callee}` : 'Call'}</h2>
          <button part="close" class="close" type="button" aria-label=${going ? 'End the call and close' : 'Close dialog'} @click=${this.askToClose}>
            ${closeIcon}
          </button>
        </header>
        <p part="message" class="message" role="status" aria-live="polite">${this.message}</p>
        ${this.confirming
          ? html`<div part="confirm" class="confirm" role="group" aria-labelledby="confirm-question">
              <span id="confirm-question">End the call?</span>
              <button part="end-button" class="end" type="button" @click=${this.endCall}>End call</button>
              <button part="keep-button" class="keep" type="button" @click=${this.keepCalling}>Keep calling</button>
            </div>`
          : nothing}
        ${going && snapshot?.call ? html`<mx-call part="call" class="call" .call=${snapshot.call}></mx-call>` : nothing}
        ${going && snapshot?.groupCall ? html`<mx-group-call part="call" class="call" .call=${snapshot.groupCall}></mx-group-call>` : nothing}
        ${snapshot?.status === 'ended' ? html`<button part="done-button" class="done" type="button" @click=${this.close}>Close</button>` : nothing}
      </dialog>
    `;
  }
}
