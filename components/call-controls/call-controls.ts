import { html, nothing, type PropertyValues, type SVGTemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { CallHandle, CallSnapshot } from '../../signaling/voip/types.js';
import { IntentController } from '../internal/intent-controller.js';
import { CallSnapshotReader } from '../internal/call-snapshot-reader.js';
import { isTyping } from '../internal/focus.js';
import {
  cameraIcon,
  cameraOffIcon,
  closeIcon,
  hangupIcon,
  micIcon,
  micOffIcon,
  pauseIcon,
  playIcon,
  screenShareIcon,
} from '../internal/icons.js';
import { hostStyles } from '../internal/host-styles.js';
import { MxElement } from '../internal/mx-element.js';
import {
  MxCameraToggleRequestEvent,
  MxHangupRequestEvent,
  MxHoldToggleRequestEvent,
  MxMicToggleRequestEvent,
  MxScreenshareToggleRequestEvent,
  MxVideoUpgradeRequestEvent,
} from './call-controls.events.js';
import styles from './call-controls.styles.js';

type Control = 'mic' | 'camera' | 'screenshare' | 'hold' | 'hangup';

interface ControlView {
  readonly label: string;
  readonly icon: SVGTemplateResult;
  readonly disabled: boolean;
  /** `undefined` for an action button, a boolean for a toggle (rendered as `aria-pressed`). */
  readonly pressed?: boolean;
  readonly shortcut?: string;
}

const SHORTCUTS: Readonly<Record<string, Control>> = { m: 'mic', v: 'camera', s: 'screenshare', h: 'hold' };

function canShareScreen(): boolean {
  return typeof navigator.mediaDevices?.getDisplayMedia === 'function';
}

/**
 * @summary The buttons of a 1:1 call: microphone, camera, screen share, hold and hang up.
 * @tag mx-call-controls
 * @status experimental
 * @since 0.1.0
 *
 * Keyboard shortcuts, active while focus is inside the controls or inside `shortcutScope`, and never while
 * typing in a text field or with Ctrl, Alt or Meta held: `M` mutes or unmutes the microphone, `V` turns the
 * camera off or on (starts video in a voice call), `S` starts or stops sharing the screen, `H` holds or
 * resumes the call. Hanging up has no shortcut, so a stray key cannot end a call. A shortcut does nothing while
 * its button is disabled, and its outcome is announced, since focus is not on the button that changed.
 *
 * @fires {MxMicToggleRequestEvent} mx-mic-toggle-request - The microphone button or `M` was pressed; `detail.muted` is the state asked for. Cancelable.
 * @fires {MxCameraToggleRequestEvent} mx-camera-toggle-request - The camera button or `V` was pressed in a video call; `detail.muted` is the state asked for. Cancelable.
 * @fires {MxVideoUpgradeRequestEvent} mx-video-upgrade-request - "Start video" or `V` was pressed in a voice call. Cancelable.
 * @fires {MxScreenshareToggleRequestEvent} mx-screenshare-toggle-request - The screen share button or `S` was pressed; `detail.enabled` is the state asked for. Cancelable.
 * @fires {MxHoldToggleRequestEvent} mx-hold-toggle-request - The hold button or `H` was pressed; `detail.onHold` is the state asked for. Cancelable.
 * @fires {MxHangupRequestEvent} mx-hangup-request - The hang-up button was pressed. Cancelable.
 * @fires {MxErrorEvent} mx-error - The call refused a request; `detail.error` is an `MxError`. The message is shown above the buttons.
 *
 * @csspart base - The wrapper around the error message and the button group.
 * @csspart group - The group of buttons.
 * @csspart button - Every button.
 * @csspart mic-button - The microphone toggle.
 * @csspart camera-button - The camera toggle, or "Start video" in a voice call.
 * @csspart screenshare-button - The screen share toggle; absent where the browser cannot share a screen.
 * @csspart hold-button - The hold toggle.
 * @csspart hangup-button - The hang-up button.
 * @csspart tooltip - The label shown above a button on hover and keyboard focus.
 * @csspart error - The message of the last failed request.
 *
 * @cssprop [--mx-call-controls-background=rgb(22 25 31 / 0.88)] - Background of the bar.
 * @cssprop [--mx-call-controls-gap=0.75rem] - Space between buttons.
 * @cssprop [--mx-call-controls-button-size=3.25rem] - Diameter of a button.
 * @cssprop [--mx-call-controls-button-background=rgb(255 255 255 / 0.14)] - Button background.
 * @cssprop [--mx-call-controls-button-color=#f5f7fa] - Icon colour.
 * @cssprop [--mx-call-controls-pressed-background=#f5f7fa] - Background of a pressed toggle (muted, sharing, holding).
 * @cssprop [--mx-call-controls-pressed-color=#16191f] - Icon colour of a pressed toggle.
 * @cssprop [--mx-call-controls-hangup-background=#d92d20] - Background of the hang-up button.
 * @cssprop [--mx-call-controls-focus-ring-color=#8ab4f8] - Keyboard focus outline.
 *
 * @cssstate mic-muted - The microphone is muted.
 * @cssstate camera-muted - The camera is off.
 * @cssstate screensharing - The screen is being shared.
 * @cssstate on-hold - You put the call on hold.
 * @cssstate voice - The call is a voice call.
 * @cssstate ended - The call has ended, or there is no call; every button is disabled.
 */
export class MxCallControls extends MxElement {
  static override shadowRootOptions = { ...MxElement.shadowRootOptions, delegatesFocus: true };
  static override styles = [hostStyles, styles];

  private readonly reader = new CallSnapshotReader(this, () => this.call, 'mx-call-controls');
  private readonly intents = new IntentController(this);

  /** The call to control. */
  @property({ attribute: false }) call: CallHandle | undefined;

  /**
   * Another element whose keyboard focus also enables the shortcuts, typically the element that owns the
   * controls (`<mx-call>` sets itself). Focus inside the controls always does.
   */
  @property({ attribute: false }) shortcutScope: HTMLElement | undefined;

  /** Turns the keyboard shortcuts off, for pages that use those keys themselves. */
  @property({ type: Boolean, attribute: 'no-shortcuts', reflect: true }) noShortcuts = false;

  @state() private announcement = '';

  private listeningOn: HTMLElement | undefined;

  constructor() {
    super();
    this.addEventListener('keydown', this.handleKeydown);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.syncScopeListener();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.syncScopeListener();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const s = this.reader.snapshot;
    this.customStates.set('mic-muted', !!s?.micMuted);
    this.customStates.set('camera-muted', !!s?.cameraMuted);
    this.customStates.set('screensharing', !!s?.screensharing);
    this.customStates.set('on-hold', !!s?.localOnHold);
    this.customStates.set('voice', s?.kind === 'voice');
    this.customStates.set('ended', !s || s.phase === 'ended');
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    if (changed.has('shortcutScope')) this.syncScopeListener();
  }

  private syncScopeListener(): void {
    const wanted = this.isConnected && this.shortcutScope !== this ? this.shortcutScope : undefined;
    if (wanted === this.listeningOn) return;
    this.listeningOn?.removeEventListener('keydown', this.handleKeydown);
    wanted?.addEventListener('keydown', this.handleKeydown);
    this.listeningOn = wanted;
  }

  private views(s: CallSnapshot | undefined): Record<Control, ControlView> {
    const over = !s || s.phase === 'ended';
    const connected = s?.phase === 'connected';
    const camera: ControlView =
      s?.kind === 'voice'
        ? { label: 'Start video', icon: cameraIcon, disabled: !connected || s.localOnHold, shortcut: 'V' }
        : {
            label: s?.cameraMuted ? 'Turn on camera' : 'Turn off camera',
            icon: s?.cameraMuted ? cameraOffIcon : cameraIcon,
            pressed: !!s?.cameraMuted,
            disabled: over,
            shortcut: 'V',
          };
    return {
      mic: {
        label: s?.micMuted ? 'Unmute microphone' : 'Mute microphone',
        icon: s?.micMuted ? micOffIcon : micIcon,
        pressed: !!s?.micMuted,
        disabled: over,
        shortcut: 'M',
      },
      camera,
      screenshare: {
        label: s?.screensharing ? 'Stop sharing screen' : 'Share screen',
        icon: screenShareIcon,
        pressed: !!s?.screensharing,
        disabled: !connected || !!s?.localOnHold,
        shortcut: 'S',
      },
      hold: {
        label: s?.localOnHold ? 'Resume call' : 'Hold call',
        icon: s?.localOnHold ? playIcon : pauseIcon,
        pressed: !!s?.localOnHold,
        disabled: !connected,
        shortcut: 'H',
      },
      hangup: { label: 'Hang up', icon: hangupIcon, disabled: over },
    };
  }

  /** Runs `control`'s intent for the snapshot the person saw; resolves to whether it succeeded. */
  private activate(control: Control): Promise<boolean> {
    const call = this.call;
    const s = this.reader.snapshot;
    if (!call || !s) return Promise.resolve(false);
    switch (control) {
      case 'mic': {
        const muted = !s.micMuted;
        return this.intents.run(
          new MxMicToggleRequestEvent({ muted }),
          () => call.setMicMuted(muted),
          muted ? 'Could not mute the microphone' : 'Could not unmute the microphone',
        );
      }
      case 'camera': {
        if (s.kind === 'voice') {
          return this.intents.run(new MxVideoUpgradeRequestEvent(), () => call.upgradeToVideo(), 'Could not start video');
        }
        const muted = !s.cameraMuted;
        return this.intents.run(
          new MxCameraToggleRequestEvent({ muted }),
          () => call.setCameraMuted(muted),
          muted ? 'Could not turn off the camera' : 'Could not turn on the camera',
        );
      }
      case 'screenshare': {
        const enabled = !s.screensharing;
        return this.intents.run(
          new MxScreenshareToggleRequestEvent({ enabled }),
          () => call.setScreensharing(enabled),
          enabled ? 'Could not share your screen' : 'Could not stop sharing your screen',
        );
      }
      case 'hold': {
        const onHold = !s.localOnHold;
        return this.intents.run(
          new MxHoldToggleRequestEvent({ onHold }),
          () => call.setOnHold(onHold),
          onHold ? 'Could not put the call on hold' : 'Could not resume the call',
        );
      }
      case 'hangup':
        return this.intents.run(new MxHangupRequestEvent(), () => call.hangup(), 'Could not hang up');
    }
  }

  private readonly handleKeydown = (event: KeyboardEvent): void => {
    // A key some other handler (or the other of our two listeners) already used is not ours.
    if (this.noShortcuts || event.defaultPrevented || event.repeat || event.isComposing) return;
    if (event.ctrlKey || event.altKey || event.metaKey) return;
    if (isTyping(event.composedPath()[0])) return;
    const control = SHORTCUTS[event.key.toLowerCase()];
    if (!control) return;
    const s = this.reader.snapshot;
    const view = this.views(s)[control];
    if (view.disabled || (control === 'screenshare' && !this.showsScreenshare(s))) return;
    event.preventDefault();
    // Emptied first, so the same outcome twice in a row is still a change the screen reader announces.
    this.announcement = '';
    void this.activate(control).then((done) => {
      if (done) this.announcement = this.shortcutOutcome(control, s);
    });
  };

  /** What a shortcut did, in words, from the snapshot it acted on. */
  private shortcutOutcome(control: Control, s: CallSnapshot | undefined): string {
    switch (control) {
      case 'mic':
        return s?.micMuted ? 'Microphone unmuted' : 'Microphone muted';
      case 'camera':
        if (s?.kind === 'voice') return 'Video started';
        return s?.cameraMuted ? 'Camera on' : 'Camera off';
      case 'screenshare':
        return s?.screensharing ? 'Screen sharing stopped' : 'Screen sharing started';
      case 'hold':
        return s?.localOnHold ? 'Call resumed' : 'Call on hold';
      case 'hangup':
        return '';
    }
  }

  private showsScreenshare(s: CallSnapshot | undefined): boolean {
    return canShareScreen() || !!s?.screensharing;
  }

  private async handleDismiss(): Promise<void> {
    this.intents.dismiss();
    // The dismiss button is gone after this update; keep keyboard focus inside the controls.
    await this.updateComplete;
    this.focus();
  }

  private renderButton(control: Control, view: ControlView) {
    const danger = control === 'hangup';
    return html`
      <button
        part="button ${control}-button"
        class="button ${danger ? 'danger' : ''}"
        type="button"
        aria-label=${view.label}
        aria-pressed=${view.pressed === undefined ? nothing : String(view.pressed)}
        aria-keyshortcuts=${view.shortcut ?? nothing}
        ?disabled=${view.disabled}
        @click=${() => void this.activate(control)}
      >
        ${view.icon}
        <span part="tooltip" class="tooltip" aria-hidden="true">
          ${view.label}${view.shortcut ? html`<kbd>${view.shortcut}</kbd>` : nothing}
        </span>
      </button>
    `;
  }

  protected override render() {
    const s = this.reader.snapshot;
    const views = this.views(s);
    const failure = this.intents.failure;
    return html`
      <div part="base" class="base">
        <div part="error" class="error" role="alert">${failure
          ? html`<span class="error-text">${failure.message}</span>
              <button class="dismiss" type="button" aria-label="Dismiss" @click=${this.handleDismiss}>${closeIcon}</button>`
          : nothing}</div>
        <div part="group" class="group" role="group" aria-label="Call controls">
          ${this.renderButton('mic', views.mic)} ${this.renderButton('camera', views.camera)}
          ${this.showsScreenshare(s) ? this.renderButton('screenshare', views.screenshare) : nothing}
          ${this.renderButton('hold', views.hold)} ${this.renderButton('hangup', views.hangup)}
        </div>
        <div class="visually-hidden" role="status" aria-live="polite">${this.announcement}</div>
      </div>
    `;
  }
}
