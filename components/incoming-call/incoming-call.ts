import { html, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import type { GroupRing, GroupRingsSnapshot } from '../../signaling/rtc/rings.js';
import type { ReadableStore } from '../../signaling/store/store.js';
import type { CallHandle, CallKind, CallSnapshot } from '../../signaling/voip/types.js';
import { IntentController } from '../internal/intent-controller.js';
import { CallSnapshotReader } from '../internal/call-snapshot-reader.js';
import { groupRingRoom, groupRingText, incomingEndNotice, incomingText, peerName, visibleName } from '../internal/call-strings.js';
import { deepActiveElement, isTyping } from '../internal/focus.js';
import { cameraIcon, closeIcon, hangupIcon, phoneIcon } from '../internal/icons.js';
import { AvatarController, peerAvatarRequest } from '../internal/avatar-controller.js';
import { avatarStyles, renderAvatar } from '../internal/avatar.js';
import { hostStyles } from '../internal/host-styles.js';
import { MxElement } from '../internal/mx-element.js';
import { StoreController } from '../internal/store-controller.js';
import { MxAnswerRequestEvent, MxRejectRequestEvent, MxRingJoinRequestEvent, MxRingStartEvent, MxRingStopEvent } from './incoming-call.events.js';
import styles from './incoming-call.styles.js';

/** What the dialog shows: a 1:1 call's ringing snapshot, or a group call's ring. */
type Offer = { readonly type: 'voip'; readonly snapshot: CallSnapshot } | { readonly type: 'group'; readonly ring: GroupRing };

interface Caller {
  readonly name: string;
  readonly userId: string;
  readonly description: string;
  /** The group call's room, when it is not a DM. */
  readonly room: string | undefined;
}

function offerId(offer: Offer): string {
  return offer.type === 'voip' ? offer.snapshot.callId : offer.ring.eventId;
}

function callerOf(offer: Offer): Caller {
  if (offer.type === 'voip') {
    const { peer, kind } = offer.snapshot;
    return { name: peerName(peer), userId: peer.userId, description: incomingText(kind), room: undefined };
  }
  const { ring } = offer;
  const name = visibleName(ring.senderName, ring.sender);
  return { name, userId: ring.sender, description: groupRingText(ring.intent, ring.notificationType), room: groupRingRoom(ring.roomName, name, ring.sender) };
}

/**
 * @summary Asks the person to accept or decline an incoming 1:1 call, or to join or decline a group call that rings.
 * @tag mx-incoming-call
 * @status experimental
 * @since 0.1.0
 *
 * Shown only while its call is an inbound call that is ringing, or while its group call's ring (`ring`, or the
 * oldest of `rings`) has neither expired nor been joined or declined here; a ringing 1:1 call is shown first.
 * When it appears, keyboard focus moves to the primary button, unless the person is typing in a text field:
 * there, the Enter meant to send a message would answer the call. It announces itself in a polite live region
 * either way, and gives focus back where it was when it closes. Escape deliberately does not decline: Escape is
 * what people press to close whatever popup they were in, declining cannot be undone, and the caller sees it;
 * declining takes the Decline button. If the call stops ringing without an answer from this device (answered or
 * declined on another device, the caller gave up, a group ring expired), a short notice replaces the buttons for
 * `notice-duration` milliseconds before the element hides; a ring the page removes before it expires just closes.
 *
 * A group ring's Join differs from a 1:1 call's Accept: a `CallHandle` answers itself, but joining a group call
 * takes the session (`kit.joinGroupCall`) and a view for the call, which are the page's. So Join only fires
 * `mx-ring-join-request`, and the page joins. Decline calls `ring.decline()` itself, as Decline calls
 * `call.reject()`. A ring whose `notificationType` is `notification` (the caller started a call without ringing)
 * is a quieter notice: no `mx-ring-start` (so no ring tone), no pulsing avatar, and it does not take focus.
 *
 * @fires {MxAnswerRequestEvent} mx-answer-request - An accept button was pressed; `detail.kind` is `video` or `voice`. Cancelable.
 * @fires {MxRejectRequestEvent} mx-reject-request - Decline was pressed (for a 1:1 call or a group ring). Cancelable.
 * @fires {MxRingJoinRequestEvent} mx-ring-join-request - Join was pressed on a group ring; `detail` is `{ roomId, intent }`: join with `kit.joinGroupCall(detail.roomId)`. Cancelable: cancelled, the ring stays; otherwise the element closes.
 * @fires {MxRingStartEvent} mx-ring-start - The call or group ring started ringing here; play a ring tone from here if you want one. Not fired for a ring of `notificationType` `notification`.
 * @fires {MxRingStopEvent} mx-ring-stop - The call stopped ringing here; stop the ring tone. Also fired, on the element itself, when it is removed while ringing.
 * @fires {MxErrorEvent} mx-error - Answering or declining failed; `detail.error` is an `MxError`. The message is shown under the buttons (for a group ring, with a Dismiss button).
 *
 * @csspart base - The dialog.
 * @csspart avatar - The caller's avatar image or initials.
 * @csspart name - The caller's name.
 * @csspart description - "Incoming video call", "Incoming voice call", "Incoming call" or, for a quiet group notice, "Call started".
 * @csspart room - "in" and the group call's room name, when the room is not a DM.
 * @csspart user-id - The caller's Matrix user id, shown when it differs from the name.
 * @csspart actions - The row of buttons.
 * @csspart decline-button - Declines the call or the group ring.
 * @csspart accept-voice-button - Answers with the microphone only ("Accept" for a voice call).
 * @csspart accept-video-button - Answers with camera and microphone; only for video calls.
 * @csspart join-button - Asks the page to join the ringing group call.
 * @csspart dismiss-button - Closes the message of a group ring's failed decline.
 * @csspart notice - Why the call stopped ringing, shown briefly.
 * @csspart error - The message of a failed answer or decline.
 *
 * @cssprop [--mx-incoming-call-background=#1b1f27] - Background of the dialog.
 * @cssprop [--mx-incoming-call-color=#f5f7fa] - Text colour.
 * @cssprop [--mx-incoming-call-secondary-color=#b8c0cc] - Colour of the description and user id.
 * @cssprop [--mx-incoming-call-radius=1rem] - Corner radius.
 * @cssprop [--mx-incoming-call-shadow=0 12px 32px rgb(0 0 0 / 0.35)] - Shadow around the dialog.
 * @cssprop [--mx-incoming-call-accept-background=#1f8a4c] - Background of the accept and join buttons.
 * @cssprop [--mx-incoming-call-decline-background=#d92d20] - Background of the decline button.
 * @cssprop [--mx-incoming-call-focus-ring-color=#8ab4f8] - Keyboard focus outline.
 *
 * @cssstate open - The dialog is shown (ringing, or showing its closing notice).
 * @cssstate video - The call is a video call (for a group ring: the caller said so).
 * @cssstate group - A group call's ring is shown.
 * @cssstate quiet - A group ring of `notificationType` `notification` is shown: no ring tone, no pulsing avatar.
 * @cssstate notice - The closing notice is shown.
 */
export class MxIncomingCall extends MxElement {
  static override shadowRootOptions = { ...MxElement.shadowRootOptions, delegatesFocus: true };
  static override styles = [hostStyles, avatarStyles, styles];

  private readonly reader = new CallSnapshotReader(this, () => this.call, 'mx-incoming-call');
  private readonly ringsReader = new StoreController(this, () => this.rings);
  private readonly intents = new IntentController(this);
  // Only while a 1:1 call rings: the caller's avatar is fetched (from our own homeserver) once the call rings here.
  // A group ring carries no avatar, and fetching one would take the room's state: initials stand in.
  private readonly avatar = new AvatarController(this, () =>
    this.ringingId !== undefined && this.shown?.type === 'voip' ? peerAvatarRequest(this.call, this.reader.snapshot) : undefined,
  );

  /** The 1:1 call to offer; the element shows it only while it is an inbound call that is ringing. */
  @property({ attribute: false }) call: CallHandle | undefined;

  /**
   * A group call ringing here (from `kit.onIncomingCall`'s `{ type: 'group', ring }`), shown until it expires or
   * is joined or declined here; set it to `undefined` when it stops ringing elsewhere.
   */
  @property({ attribute: false }) ring: GroupRing | undefined;

  /** Instead of `ring`: the kit's group rings (`await kit.groupRings()`); the oldest one still ringing is shown. */
  @property({ attribute: false }) rings: ReadableStore<GroupRingsSnapshot> | undefined;

  /** How long, in milliseconds, the notice stays after a call stops ringing unanswered. */
  @property({ type: Number, attribute: 'notice-duration' }) noticeDuration = 4000;

  @state() private notice: string | undefined;
  @state() private announcement = '';
  /** A group ring whose decline failed: its message stays, with a Dismiss button, though the ring is gone. */
  @state() private declineFailed: GroupRing | undefined;

  @query('.primary') private readonly primaryButton!: HTMLButtonElement | null;

  /** The offer on show: the ringing one, kept while the notice is up even if `call` or `ring` changes. */
  private shown: Offer | undefined;
  /** The id (call id, or the ring's event id) ringing now, from the last update. */
  private ringingId: string | undefined;
  /** The id `mx-ring-start` was fired for and `mx-ring-stop` not yet. */
  private ringAnnounced: string | undefined;
  /** Group rings joined or declined here: they close without a notice even while the page still sets them. */
  private readonly handledRings = new WeakSet<GroupRing>();
  private focusedFor: string | undefined;
  private hadFocus = false;
  private returnFocus: HTMLElement | undefined;
  private noticeTimer: ReturnType<typeof setTimeout> | undefined;
  private noticeScheduledFor: string | undefined;
  private expiryTimer: ReturnType<typeof setTimeout> | undefined;
  private expiryScheduledFor: GroupRing | undefined;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.noticeTimer);
    this.noticeTimer = undefined;
    this.noticeScheduledFor = undefined;
    this.notice = undefined;
    clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    this.expiryScheduledFor = undefined;
    this.syncRing(undefined);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const s = this.reader.snapshot;
    const ring = this.currentRing();
    const offer: Offer | undefined =
      s?.direction === 'inbound' && s.phase === 'ringing' ? { type: 'voip', snapshot: s } : ring ? { type: 'group', ring } : undefined;
    if (offer) {
      const id = offerId(offer);
      if (id !== this.ringingId) {
        const { description, name, room } = callerOf(offer);
        this.announcement = `${description} from ${name}${room ? ` in ${room}` : ''}`;
        this.intents.dismiss();
        this.declineFailed = undefined;
      }
      this.ringingId = id;
      this.shown = offer;
      this.notice = undefined;
    } else if (this.ringingId !== undefined) {
      // Read before rendering: the buttons holding focus are about to go.
      this.hadFocus = this.matches(':focus-within');
      const notice = this.endNotice(s);
      this.ringingId = undefined;
      this.notice = notice;
      if (notice) this.announcement = notice;
    }
    const shown = this.shown;
    this.customStates.set('open', this.isOpen());
    this.customStates.set('video', shown?.type === 'voip' ? shown.snapshot.kind === 'video' : shown?.ring.intent === 'video');
    this.customStates.set('group', shown?.type === 'group');
    this.customStates.set('quiet', this.isQuiet());
    this.customStates.set('notice', this.notice !== undefined);
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const ringing = this.ringingId !== undefined && !this.isQuiet() ? this.ringingId : undefined;
    this.syncRing(ringing);
    const focusFor = this.declineFailed ? `declined ${this.declineFailed.eventId}` : ringing;
    if (focusFor !== undefined && this.focusedFor !== focusFor) {
      this.focusedFor = focusFor;
      this.takeFocus();
    } else if (focusFor === undefined && this.focusedFor !== undefined) {
      this.focusedFor = undefined;
      this.giveBackFocus();
    }
    if (this.notice !== this.noticeScheduledFor) this.scheduleNoticeEnd();
    this.scheduleExpiry();
  }

  /** The group ring to offer: `ring`, else the oldest of `rings`, unless it expired or was handled here. */
  private currentRing(): GroupRing | undefined {
    const candidates = this.ring ? [this.ring] : (this.ringsReader.snapshot?.ringing ?? []);
    const now = Date.now();
    return candidates.find((ring) => !this.handledRings.has(ring) && now < ring.expiresAt);
  }

  private isOpen(): boolean {
    return this.ringingId !== undefined || this.notice !== undefined || this.declineFailed !== undefined;
  }

  private isQuiet(): boolean {
    return this.shown?.type === 'group' && this.shown.ring.notificationType === 'notification';
  }

  /** The notice for what was ringing and stopped without an answer here, or `undefined` to just close. */
  private endNotice(s: CallSnapshot | undefined): string | undefined {
    const shown = this.shown;
    if (shown?.type === 'group') {
      // A ring the page removed early was answered, declined or given up elsewhere: the element cannot tell which.
      const missed = !this.handledRings.has(shown.ring) && Date.now() >= shown.ring.expiresAt;
      return missed ? `Missed call from ${callerOf(shown).name}` : undefined;
    }
    return s && s.callId === this.ringingId ? incomingEndNotice(s) : undefined;
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

  /** A group ring ends by itself at `expiresAt`: an update then turns it into the missed-call notice. */
  private scheduleExpiry(): void {
    const ring = this.ringingId !== undefined && this.shown?.type === 'group' ? this.shown.ring : undefined;
    if (ring === this.expiryScheduledFor) return;
    clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    this.expiryScheduledFor = ring;
    if (!ring) return;
    this.expiryTimer = setTimeout(() => {
      this.expiryTimer = undefined;
      this.expiryScheduledFor = undefined;
      this.requestUpdate();
    }, Math.max(0, ring.expiresAt - Date.now()));
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

  private joinRing(ring: GroupRing): void {
    if (!this.dispatchEvent(new MxRingJoinRequestEvent({ roomId: ring.roomId, intent: ring.intent }))) return;
    this.handledRings.add(ring);
    this.requestUpdate();
  }

  private declineRing(ring: GroupRing): void {
    void this.intents.run(
      new MxRejectRequestEvent(),
      async () => {
        // The ring closes at once, as it does in the kit's list; a failure brings its message back.
        this.handledRings.add(ring);
        this.requestUpdate();
        try {
          await ring.decline();
        } catch (error) {
          this.declineFailed = ring;
          throw error;
        }
      },
      'Could not decline the call',
    );
  }

  private dismissFailure(): void {
    this.hadFocus = this.matches(':focus-within');
    this.declineFailed = undefined;
    this.intents.dismiss();
  }

  private renderAction(part: string, label: string, icon: unknown, onClick: () => void, primary = false) {
    return html`
      <button part=${part} class="action ${part} ${primary ? 'primary' : ''}" type="button" @click=${onClick}>
        <span class="action-icon">${icon}</span>
        <span class="action-label">${label}</span>
      </button>
    `;
  }

  private renderActions(offer: Offer) {
    if (offer.type === 'group') {
      const { ring } = offer;
      if (this.declineFailed === ring && this.ringingId === undefined) {
        return html`<div part="actions" class="actions">${this.renderAction('dismiss-button', 'Dismiss', closeIcon, () => this.dismissFailure(), true)}</div>`;
      }
      return html`
        <div part="actions" class="actions">
          ${this.renderAction('decline-button', 'Decline', hangupIcon, () => this.declineRing(ring))}
          ${this.renderAction('join-button', 'Join', ring.intent === 'video' ? cameraIcon : phoneIcon, () => this.joinRing(ring), true)}
        </div>
      `;
    }
    const video = offer.snapshot.kind === 'video';
    return html`
      <div part="actions" class="actions">
        ${this.renderAction('decline-button', 'Decline', hangupIcon, () => this.decline())}
        ${this.renderAction('accept-voice-button', video ? 'Accept with voice' : 'Accept', phoneIcon, () => this.answer('voice'), !video)}
        ${video ? this.renderAction('accept-video-button', 'Accept with video', cameraIcon, () => this.answer('video'), true) : nothing}
      </div>
    `;
  }

  protected override render() {
    const offer = this.shown;
    const caller = offer && callerOf(offer);
    const showUserId = !!caller && caller.name !== caller.userId;
    const describedBy = ['description', ...(caller?.room ? ['room'] : []), ...(showUserId ? ['user-id'] : [])].join(' ');
    const failure = this.intents.failure;
    return html`
      <div
        part="base"
        class="base"
        role=${this.isQuiet() ? 'dialog' : 'alertdialog'}
        aria-labelledby="name"
        aria-describedby=${describedBy}
        ?hidden=${!this.isOpen() || !offer}
      >
        ${offer && caller
          ? html`
              <div class="caller">
                ${renderAvatar({ name: caller.name, fallbackName: caller.userId, key: caller.name, src: offer.type === 'voip' ? this.avatar.url : undefined, onError: () => this.avatar.imageFailed() })}
                <div class="text">
                  <div id="name" part="name" class="name">${caller.name}</div>
                  <div id="description" part="description" class="description">${caller.description}</div>
                  ${caller.room ? html`<div id="room" part="room" class="description">in ${caller.room}</div>` : nothing}
                  ${showUserId ? html`<div id="user-id" part="user-id" class="user-id">${caller.userId}</div>` : nothing}
                </div>
              </div>
              ${this.notice ? html`<p part="notice" class="notice">${this.notice}</p>` : this.renderActions(offer)}
            `
          : nothing}
        <div part="error" class="error" role="alert">${failure ? failure.message : nothing}</div>
      </div>
      <div class="visually-hidden" role="status" aria-live="polite">${this.announcement}</div>
    `;
  }
}
