import { html, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import type { CallHandle, CallKind, CallSnapshot } from '../../signaling/voip/types.js';
import { IntentController } from '../internal/intent-controller.js';
import { CallSnapshotReader } from '../internal/call-snapshot-reader.js';
import { incomingEndNotice, incomingText, peerName } from '../internal/call-strings.js';
import { deepActiveElement, isTyping } from '../internal/focus.js';
import { cameraIcon, hangupIcon, phoneIcon } from '../internal/icons.js';
import { AvatarController, peerAvatarRequest } from '../internal/avatar-controller.js';
import { avatarStyles, renderAvatar } from '../internal/avatar.js';
import { hostStyles } from '../internal/host-styles.js';
import { MxElement } from '../internal/mx-element.js';
import { MxAnswerRequestEvent, MxRejectRequestEvent, MxRingStartEvent, MxRingStopEvent } from './incoming-call.events.js';
import styles from './incoming-call.styles.js';

/**
 * @summary Asks the person to accept or decline an incoming 1:1 call.
 * @tag mx-incoming-call
 * @status experimental
 * @since 0.1.0
 *
 * Shown only while its call is an inbound call that is ringing. When it appears, keyboard focus moves to the
 * primary accept button, unless the person is typing in a text field: there, the Enter meant to send a message
 * would answer the call. It announces itself in a polite live region either way, and gives focus back where it
 * was when it closes. Escape deliberately does not decline: Escape is what people press to close whatever popup
 * they were in, declining cannot be undone, and the caller sees it; declining takes the Decline button. If the
 * call stops ringing without an answer from this device (answered or declined on another device, the caller gave
 * up), a short notice replaces the buttons for `notice-duration` milliseconds before the element hides.
 *
 * @fires {MxAnswerRequestEvent} mx-answer-request - An accept button was pressed; `detail.kind` is `video` or `voice`. Cancelable.
 * @fires {MxRejectRequestEvent} mx-reject-request - Decline was pressed. Cancelable.
 * @fires {MxRingStartEvent} mx-ring-start - The call started ringing here; play a ring tone from here if you want one.
 * @fires {MxRingStopEvent} mx-ring-stop - The call stopped ringing here; stop the ring tone. Also fired, on the element itself, when it is removed while ringing.
 * @fires {MxErrorEvent} mx-error - Answering or declining failed; `detail.error` is an `MxError`. The message is shown under the buttons.
 *
 * @csspart base - The dialog.
 * @csspart avatar - The caller's avatar image or initials.
 * @csspart name - The caller's name.
 * @csspart description - "Incoming video call" or "Incoming voice call".
 * @csspart user-id - The caller's Matrix user id, shown when it differs from the name.
 * @csspart actions - The row of buttons.
 * @csspart decline-button - Declines the call.
 * @csspart accept-voice-button - Answers with the microphone only ("Accept" for a voice call).
 * @csspart accept-video-button - Answers with camera and microphone; only for video calls.
 * @csspart notice - Why the call stopped ringing, shown briefly.
 * @csspart error - The message of a failed answer or decline.
 *
 * @cssprop [--mx-incoming-call-background=#1b1f27] - Background of the dialog.
 * @cssprop [--mx-incoming-call-color=#f5f7fa] - Text colour.
 * @cssprop [--mx-incoming-call-secondary-color=#b8c0cc] - Colour of the description and user id.
 * @cssprop [--mx-incoming-call-radius=1rem] - Corner radius.
 * @cssprop [--mx-incoming-call-shadow=0 12px 32px rgb(0 0 0 / 0.35)] - Shadow around the dialog.
 * @cssprop [--mx-incoming-call-accept-background=#1f8a4c] - Background of the accept buttons.
 * @cssprop [--mx-incoming-call-decline-background=#d92d20] - Background of the decline button.
 * @cssprop [--mx-incoming-call-focus-ring-color=#8ab4f8] - Keyboard focus outline.
 *
 * @cssstate open - The dialog is shown (ringing, or showing its closing notice).
 * @cssstate video - The call is a video call.
 * @cssstate notice - The closing notice is shown.
 */
export class MxIncomingCall extends MxElement {
  static override shadowRootOptions = { ...MxElement.shadowRootOptions, delegatesFocus: true };
  static override styles = [hostStyles, avatarStyles, styles];

  private readonly reader = new CallSnapshotReader(this, () => this.call, 'mx-incoming-call');
  private readonly intents = new IntentController(this);
  // Only while ringing: the caller's avatar is fetched (from our own homeserver) once the call rings here.
  private readonly avatar = new AvatarController(this, () => (this.ringingId !== undefined ? peerAvatarRequest(this.call, this.reader.snapshot) : undefined));

  /** The call to offer; the element shows only while it is an inbound call that is ringing. */
  @property({ attribute: false }) call: CallHandle | undefined;

  /** How long, in milliseconds, the notice stays after a call stops ringing unanswered. */
  @property({ type: Number, attribute: 'notice-duration' }) noticeDuration = 4000;

  @state() private notice: string | undefined;
  @state() private announcement = '';

  @query('.primary') private readonly primaryButton!: HTMLButtonElement | null;

  /** The snapshot on show: the ringing one, kept while the notice is up even if `call` changes. */
  private shown: CallSnapshot | undefined;
  /** The call id ringing now, from the last update. */
  private ringingId: string | undefined;
  /** The call id `mx-ring-start` was fired for and `mx-ring-stop` not yet. */
  private ringAnnounced: string | undefined;
  private focusedFor: string | undefined;
  private hadFocus = false;
  private returnFocus: HTMLElement | undefined;
  private noticeTimer: ReturnType<typeof setTimeout> | undefined;
  private noticeScheduledFor: string | undefined;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.noticeTimer);
    this.noticeTimer = undefined;
    this.noticeScheduledFor = undefined;
    this.notice = undefined;
    this.syncRing(undefined);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const s = this.reader.snapshot;
    if (s?.direction === 'inbound' && s.phase === 'ringing') {
      if (s.callId !== this.ringingId) {
        this.announcement = `${incomingText(s.kind)} from ${peerName(s.peer)}`;
        this.intents.dismiss();
      }
      this.ringingId = s.callId;
      this.shown = s;
      this.notice = undefined;
    } else if (this.ringingId !== undefined) {
      // Read before rendering: the buttons holding focus are about to go.
      this.hadFocus = this.matches(':focus-within');
      const notice = s?.callId === this.ringingId ? incomingEndNotice(s) : undefined;
      this.ringingId = undefined;
      this.notice = notice;
      if (notice) this.announcement = notice;
    }
    const open = this.ringingId !== undefined || this.notice !== undefined;
    this.customStates.set('open', open);
    this.customStates.set('video', this.shown?.kind === 'video');
    this.customStates.set('notice', this.notice !== undefined);
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    this.syncRing(this.ringingId);
    if (this.ringingId !== undefined && this.focusedFor !== this.ringingId) {
      this.focusedFor = this.ringingId;
      this.takeFocus();
    } else if (this.ringingId === undefined && this.focusedFor !== undefined) {
      this.focusedFor = undefined;
      this.giveBackFocus();
    }
    if (this.notice !== this.noticeScheduledFor) this.scheduleNoticeEnd();
  }

  private syncRing(callId: string | undefined): void {
    if (callId === this.ringAnnounced) return;
    const stopped = this.ringAnnounced;
    this.ringAnnounced = callId;
    if (stopped !== undefined) this.dispatchEvent(new MxRingStopEvent({ callId: stopped }));
    if (callId !== undefined) this.dispatchEvent(new MxRingStartEvent({ callId }));
  }

  private takeFocus(): void {
    const active = deepActiveElement();
    if (isTyping(active)) return;
    this.returnFocus = active instanceof HTMLElement && active !== document.body ? active : undefined;
    this.primaryButton?.focus();
  }

  private giveBackFocus(): void {
    const target = this.returnFocus;
    this.returnFocus = undefined;
    if (this.hadFocus && target?.isConnected) target.focus();
    this.hadFocus = false;
  }

  private scheduleNoticeEnd(): void {
    clearTimeout(this.noticeTimer);
    this.noticeTimer = undefined;
    this.noticeScheduledFor = this.notice;
    if (this.notice === undefined) return;
    this.noticeTimer = setTimeout(() => {
      this.noticeTimer = undefined;
      this.notice = undefined;
    }, this.noticeDuration);
  }

  private answer(kind: CallKind): void {
    const call = this.call;
    if (!call) return;
    void this.intents.run(new MxAnswerRequestEvent({ kind }), () => call.answer(kind), 'Could not answer the call');
  }

  private decline(): void {
    const call = this.call;
    if (!call) return;
    void this.intents.run(new MxRejectRequestEvent(), () => call.reject(), 'Could not decline the call');
  }

  private renderAction(part: string, label: string, icon: unknown, onClick: () => void, primary = false) {
    return html`
      <button part=${part} class="action ${part} ${primary ? 'primary' : ''}" type="button" @click=${onClick}>
        <span class="action-icon">${icon}</span>
        <span class="action-label">${label}</span>
      </button>
    `;
  }

  private renderActions(s: CallSnapshot) {
    const video = s.kind === 'video';
    return html`
      <div part="actions" class="actions">
        ${this.renderAction('decline-button', 'Decline', hangupIcon, () => this.decline())}
        ${this.renderAction('accept-voice-button', video ? 'Accept with voice' : 'Accept', phoneIcon, () => this.answer('voice'), !video)}
        ${video ? this.renderAction('accept-video-button', 'Accept with video', cameraIcon, () => this.answer('video'), true) : nothing}
      </div>
    `;
  }

  protected override render() {
    const s = this.shown;
    const open = this.ringingId !== undefined || this.notice !== undefined;
    const name = s ? peerName(s.peer) : '';
    const showUserId = !!s && name !== s.peer.userId;
    const failure = this.intents.failure;
    return html`
      <div
        part="base"
        class="base"
        role="alertdialog"
        aria-labelledby="name"
        aria-describedby=${showUserId ? 'description user-id' : 'description'}
        ?hidden=${!open || !s}
      >
        ${s
          ? html`
              <div class="caller">
                ${renderAvatar({ name, fallbackName: s.peer.userId, key: name, src: this.avatar.url, onError: () => this.avatar.imageFailed() })}
                <div class="text">
                  <div id="name" part="name" class="name">${name}</div>
                  <div id="description" part="description" class="description">${incomingText(s.kind)}</div>
                  ${showUserId ? html`<div id="user-id" part="user-id" class="user-id">${s.peer.userId}</div>` : nothing}
                </div>
              </div>
              ${this.notice ? html`<p part="notice" class="notice">${this.notice}</p>` : this.renderActions(s)}
            `
          : nothing}
        <div part="error" class="error" role="alert">${failure ? failure.message : nothing}</div>
      </div>
      <div class="visually-hidden" role="status" aria-live="polite">${this.announcement}</div>
    `;
  }
}
