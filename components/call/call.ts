import { html, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import type { MxError } from '../../signaling/errors.js';
import type { CallHandle, CallSnapshot } from '../../signaling/voip/types.js';
import type { CallFeed } from '../../signaling/media/feed.js';
import type { MxCallControls } from '../call-controls/call-controls.js';
import { AvatarController, peerAvatarRequest } from '../internal/avatar-controller.js';
import { CallSnapshotReader } from '../internal/call-snapshot-reader.js';
import { callAnnouncement, formatDuration, isoDuration, peerName, statusText } from '../internal/call-strings.js';
import { MxErrorEvent } from '../internal/error-event.js';
import { hostStyles } from '../internal/host-styles.js';
import { pauseIcon } from '../internal/icons.js';
import { MxElement } from '../internal/mx-element.js';
import { MxCallEndedEvent } from './call.events.js';
import styles from './call.styles.js';
import { DurationClock } from './duration-clock.js';

const CONTROLS_PARTS = [
  'base: controls-base',
  'group: controls-group',
  'button: control-button',
  'mic-button',
  'camera-button',
  'screenshare-button',
  'hold-button',
  'hangup-button',
  'tooltip: control-tooltip',
  'error: controls-error',
].join(', ');

const INCOMING_PARTS = 'base: incoming-call-base, decline-button, accept-voice-button, accept-video-button';

/** The first feed with that purpose; a call has at most one of each per side. */
function feedOf(feeds: readonly CallFeed[], purpose: CallFeed['purpose']): CallFeed | undefined {
  return feeds.find((feed) => feed.purpose === purpose);
}

const STATES = ['empty', 'calling', 'incoming', 'connecting', 'connected', 'on-hold', 'ended', 'voice', 'video', 'presentation', 'error'] as const;
type CallState = (typeof STATES)[number];

/** The coarse states a page styles by, e.g. `mx-call:state(on-hold)`. */
function statesOf(s: CallSnapshot | undefined, presentation: boolean): Set<CallState> {
  const states = new Set<CallState>();
  if (!s) return states.add('empty');
  states.add(s.kind);
  if (presentation) states.add('presentation');
  if (s.error) states.add('error');
  switch (s.phase) {
    case 'ringing':
      states.add(s.direction === 'inbound' ? 'incoming' : 'calling');
      break;
    case 'connected':
      states.add('connected');
      if (s.localOnHold || s.remoteOnHold) states.add('on-hold');
      break;
    case 'ended':
      states.add('ended');
      break;
    case 'create_answer':
    case 'connecting':
      states.add('connecting');
      break;
    default:
      states.add(s.direction === 'outbound' ? 'calling' : 'connecting');
  }
  return states;
}

/**
 * @summary A whole 1:1 call: the other person's video, your self-view, a shared screen, status, duration and controls.
 * @tag mx-call
 * @status experimental
 * @since 0.1.0
 * @dependency mx-video-tile
 * @dependency mx-call-controls
 * @dependency mx-incoming-call
 *
 * Renders whatever phase its call is in; with no call it shows a short empty state. An inbound call that is
 * ringing shows `<mx-incoming-call>` in place of the controls, and focus moves to the controls once it is
 * answered here. The keyboard shortcuts of `<mx-call-controls>` (`M`, `V`, `S`, `H`) work while focus is anywhere
 * inside the element. Phase changes are announced in one polite live region; the ticking duration is not.
 *
 * @fires {MxCallEndedEvent} mx-call-ended - The call ended while shown; `detail.reason` and `detail.endedBy` say how.
 * @fires {MxErrorEvent} mx-error - The call reported a failure (`detail.error`), shown as a message too. The inner controls and incoming-call dialog fire it as well, and it bubbles out of this element.
 * @fires {MxMicToggleRequestEvent} mx-mic-toggle-request - From the inner controls; see `<mx-call-controls>`.
 * @fires {MxCameraToggleRequestEvent} mx-camera-toggle-request - From the inner controls.
 * @fires {MxVideoUpgradeRequestEvent} mx-video-upgrade-request - From the inner controls.
 * @fires {MxScreenshareToggleRequestEvent} mx-screenshare-toggle-request - From the inner controls.
 * @fires {MxHoldToggleRequestEvent} mx-hold-toggle-request - From the inner controls.
 * @fires {MxHangupRequestEvent} mx-hangup-request - From the inner controls.
 * @fires {MxAnswerRequestEvent} mx-answer-request - From the inner incoming-call dialog.
 * @fires {MxRejectRequestEvent} mx-reject-request - From the inner incoming-call dialog.
 * @fires {MxRingStartEvent} mx-ring-start - From the inner incoming-call dialog.
 * @fires {MxRingStopEvent} mx-ring-stop - From the inner incoming-call dialog.
 *
 * @csspart base - The whole call surface.
 * @csspart header - The name and status line.
 * @csspart name - The other person's name.
 * @csspart status - The phase in words.
 * @csspart duration - The call duration (a `<time>`).
 * @csspart stage - The area holding the video tiles.
 * @csspart remote-tile - The other person's camera tile (`<mx-video-tile>`), with their avatar while there is no picture.
 * @csspart local-tile - Your self-view tile, in a corner (video calls only).
 * @csspart screenshare-tile - The shared screen, shown large while either side shares.
 * @csspart remote-video - The `video` part of the remote tile.
 * @csspart local-video - The `video` part of the self-view.
 * @csspart screenshare-video - The `video` part of the screen share tile.
 * @csspart peer-avatar - The other person's avatar inside the remote tile.
 * @csspart overlay - The "on hold" or "call ended" badge over the stage.
 * @csspart error - The message of an error the call reported.
 * @csspart controls - The `<mx-call-controls>`; its parts are exported as `controls-base`, `controls-group`, `control-button`, `mic-button`, `camera-button`, `screenshare-button`, `hold-button`, `hangup-button`, `control-tooltip` and `controls-error`.
 * @csspart incoming-call - The `<mx-incoming-call>`; its parts are exported as `incoming-call-base`, `decline-button`, `accept-voice-button` and `accept-video-button`.
 * @csspart empty - The text shown with no call.
 *
 * @cssprop [--mx-call-background=#0f1217] - Background of the call surface.
 * @cssprop [--mx-call-color=#f5f7fa] - Text colour.
 * @cssprop [--mx-call-secondary-color=#b8c0cc] - Colour of the status line.
 * @cssprop [--mx-call-radius=1rem] - Corner radius of the surface.
 * @cssprop [--mx-call-gap=0.75rem] - Space between and around the tiles.
 * @cssprop [--mx-call-min-block-size=22rem] - Minimum height; give the element a height to fill it instead.
 * @cssprop [--mx-call-self-view-size=clamp(6.5rem, 24cqi, 13rem)] - Width of the self-view in the corner.
 * @cssprop [--mx-call-filmstrip-size=clamp(9rem, 24cqi, 16rem)] - Width of the camera column beside a shared screen.
 * @cssprop [--mx-call-error-background=#3a1414] - Background of the error message.
 * @cssprop [--mx-call-error-color=#fecdca] - Text colour of the error message.
 *
 * @cssstate empty - No call is set.
 * @cssstate calling - An outbound call that is not answered yet.
 * @cssstate incoming - An inbound call that is ringing.
 * @cssstate connecting - Answered, media still connecting.
 * @cssstate connected - Media is connected.
 * @cssstate on-hold - Connected, and either side put the call on hold.
 * @cssstate ended - The call has ended.
 * @cssstate voice - A voice call.
 * @cssstate video - A video call.
 * @cssstate presentation - A screen share is shown large.
 * @cssstate error - The call reports an error.
 */
export class MxCall extends MxElement {
  static override shadowRootOptions = { ...MxElement.shadowRootOptions, delegatesFocus: true };
  static override styles = [hostStyles, styles];

  private readonly reader = new CallSnapshotReader(this, () => this.call, 'mx-call');
  private readonly clock = new DurationClock(this);
  private readonly avatar = new AvatarController(this, () => peerAvatarRequest(this.call, this.reader.snapshot));

  /** The call to show. */
  @property({ attribute: false }) call: CallHandle | undefined;

  /**
   * The speaker the other side's sound plays on (an `audiooutput` device id, such as `selected.speaker` of
   * `kit.devices`); unset is the browser's default. See `<mx-video-tile sink-id>`.
   */
  @property({ attribute: 'sink-id' }) sinkId: string | undefined;

  @state() private announcement = '';

  @query('mx-call-controls') private readonly controls!: MxCallControls | null;

  /** What the last update saw, to tell changes of the same call apart from a newly set call. */
  private seen: { call: CallHandle | undefined; phase?: CallSnapshot['phase']; error?: MxError } = { call: undefined };
  private answeredFromDialog = false;
  private lastAnnounced = '';

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const s = this.reader.snapshot;
    const states = statesOf(s, !!(s && this.presented(s)));
    for (const name of STATES) this.customStates.set(name, states.has(name));
    this.clock.run(s?.phase === 'connected' ? s.connectedAt : undefined);
    const announcement = s ? callAnnouncement(s) : '';
    if (announcement !== this.lastAnnounced) {
      this.lastAnnounced = announcement;
      this.announcement = announcement;
    }
    // Read before rendering: answering removes the dialog that holds focus.
    this.answeredFromDialog =
      this.seen.call === this.call &&
      this.seen.phase === 'ringing' &&
      s?.phase !== 'ringing' &&
      s?.phase !== 'ended' &&
      this.shadowRoot?.activeElement?.localName === 'mx-incoming-call';
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const s = this.reader.snapshot;
    const before = this.seen;
    this.seen = { call: this.call, phase: s?.phase, error: s?.error };
    if (this.answeredFromDialog) {
      this.answeredFromDialog = false;
      const controls = this.controls;
      void controls?.updateComplete.then(() => controls.focus());
    }
    // Only changes seen while shown are events; setting `call` to one that already ended or failed is not.
    if (before.call !== this.call || !s) return;
    if (s.phase === 'ended' && before.phase !== 'ended') {
      this.dispatchEvent(new MxCallEndedEvent({ reason: s.endReason, endedBy: s.endedBy }));
    }
    if (s.error && s.error !== before.error) this.dispatchEvent(new MxErrorEvent({ error: s.error }));
  }

  /** The screen share shown large: the other side's first, since your own screen is already in front of you. */
  private presented(s: CallSnapshot): CallFeed | undefined {
    return feedOf(s.remoteFeeds, 'm.screenshare') ?? feedOf(s.localFeeds, 'm.screenshare');
  }

  private renderDuration(s: CallSnapshot) {
    if (s.connectedAt === undefined || (s.phase !== 'connected' && s.phase !== 'ended')) return nothing;
    const end = s.phase === 'ended' ? (s.endedAt ?? s.connectedAt) : Date.now();
    const elapsed = end - s.connectedAt;
    return html`<span class="separator" aria-hidden="true">·</span
      ><time part="duration" class="duration" datetime=${isoDuration(elapsed)}>${formatDuration(elapsed)}</time>`;
  }

  private renderOverlay(s: CallSnapshot) {
    if (s.phase === 'ended') return html`<div part="overlay" class="overlay">Call ended</div>`;
    if (s.phase === 'connected' && (s.localOnHold || s.remoteOnHold)) {
      return html`<div part="overlay" class="overlay">${pauseIcon}<span>On hold</span></div>`;
    }
    return nothing;
  }

  private renderStage(s: CallSnapshot) {
    const name = peerName(s.peer);
    const remote = feedOf(s.remoteFeeds, 'm.usermedia');
    const local = feedOf(s.localFeeds, 'm.usermedia');
    const shared = this.presented(s);
    const sharedName = shared?.isLocal ? 'Your screen' : `${name} (screen)`;
    // One element per role in a fixed order, whatever the layout, so no <video> is recreated and no audio drops.
    // The header names the other side, so their tile repeats the name only beside a shared screen.
    return html`
      <div part="stage" class="stage">
        <mx-video-tile
          part="remote-tile"
          class="tile remote"
          exportparts="video: remote-video, avatar: peer-avatar"
          ?hide-name=${!shared}
          .feed=${remote}
          .name=${name}
          .avatarUrl=${this.avatar.url}
          .sinkId=${this.sinkId}
        ></mx-video-tile>
        ${shared
          ? html`<mx-video-tile
              part="screenshare-tile"
              class="tile shared"
              exportparts="video: screenshare-video"
              .feed=${shared}
              .name=${sharedName}
              .sinkId=${this.sinkId}
            ></mx-video-tile>`
          : nothing}
        ${s.kind === 'video' && local
          ? html`<mx-video-tile part="local-tile" class="tile local" exportparts="video: local-video" .feed=${local} name="You"></mx-video-tile>`
          : nothing}
        ${this.renderOverlay(s)}
      </div>
    `;
  }

  private renderCall(s: CallSnapshot) {
    const incoming = s.direction === 'inbound' && s.phase === 'ringing';
    return html`
      <div part="header" class="header">
        <span part="name" class="name">${peerName(s.peer)}</span>
        <span class="status-line"><span part="status" class="status">${statusText(s)}</span>${this.renderDuration(s)}</span>
      </div>
      ${this.renderStage(s)}
      <div part="error" class="error" role="alert">${s.error ? s.error.message : nothing}</div>
      ${incoming
        ? nothing
        : html`<div class="dock">
            <mx-call-controls part="controls" class="controls" exportparts=${CONTROLS_PARTS} .call=${this.call} .shortcutScope=${this}></mx-call-controls>
          </div>`}
    `;
  }

  protected override render() {
    const s = this.reader.snapshot;
    const inbound = s?.direction === 'inbound';
    return html`
      <div part="base" class="base">
        ${s ? this.renderCall(s) : html`<p part="empty" class="empty">No call</p>`}
        <mx-incoming-call part="incoming-call" class="incoming" exportparts=${INCOMING_PARTS} .call=${inbound ? this.call : undefined}></mx-incoming-call>
        <div class="visually-hidden" role="status" aria-live="polite">${this.announcement}</div>
      </div>
    `;
  }
}
