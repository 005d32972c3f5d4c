import { html, nothing, type PropertyValues } from 'lit';
import { property } from 'lit/decorators.js';
import type { MxError } from '../../signaling/errors.js';
import type { MediaDevicesSnapshot, MediaDevicesSource } from '../../signaling/media/media.types.js';
import type { UserMediaRequest } from '../../signaling/media/user-media.js';
import { MxErrorEvent } from '../internal/error-event.js';
import { hostStyles } from '../internal/host-styles.js';
import { cameraIcon, cameraOffIcon, micIcon, micOffIcon } from '../internal/icons.js';
import { MxElement } from '../internal/mx-element.js';
import { StoreController } from '../internal/store-controller.js';
import { CameraPreviewController, type PreviewWish } from './camera-preview.js';
import { joinTitle, participantCountText } from './lobby-strings.js';
import { MxJoinRequestEvent } from './lobby.events.js';
import styles from './lobby.styles.js';

/** What the lobby needs of `kit.devices` (a `MediaDevicesStore`): the device choices, and the camera they choose. */
export interface LobbyDevices extends MediaDevicesSource {
  getUserMedia(request: UserMediaRequest): Promise<MediaStream>;
}

const STATES = ['previewing', 'camera-off', 'camera-failed', 'mic-muted', 'unavailable', 'joining'] as const;

/**
 * The step before joining a group call: a mirrored preview of your camera, the microphone and camera toggles, the
 * choice of camera, microphone and speaker (an `<mx-device-picker>`), and the Join button, or the reason joining is
 * not possible. The preview opens the chosen camera through `devices.getUserMedia()`, opens it again when another
 * camera is chosen, and closes it when the camera is turned off or the lobby leaves the page. A camera that cannot
 * be opened (refused, missing, in use) shows why in place of the picture, and Join then joins with the camera off.
 *
 * The lobby does not join: Join fires `mx-join-request` with the toggles' state, and the page joins, for instance
 * `kit.joinGroupCall(roomId, event.detail)`, setting `joining` while it does and `unavailable` when it cannot.
 *
 * @summary Camera preview, device choice and the Join button before a group call.
 * @tag mx-lobby
 * @status experimental
 * @since 0.2.0
 * @dependency mx-device-picker
 *
 * @fires {MxJoinRequestEvent} mx-join-request - Join was pressed; `detail` is `{ microphoneMuted, cameraMuted }`. Not cancelable.
 * @fires {MxErrorEvent} mx-error - The camera preview could not be opened (`detail.error`, e.g. `MEDIA_PERMISSION_DENIED`); the message is shown too.
 * @fires {MxDeviceChangeEvent} mx-device-change - From the device picker inside: a device was chosen. Cancelable.
 *
 * @csspart base - The whole lobby.
 * @csspart preview - The camera preview area, with the toggles over it.
 * @csspart video - The mirrored self-view.
 * @csspart placeholder - What the preview shows without a picture.
 * @csspart camera-message - Why there is no picture: camera off, starting, or the camera's error.
 * @csspart toggles - The group of the microphone and camera toggles.
 * @csspart button - Every toggle.
 * @csspart mic-button - The microphone toggle.
 * @csspart camera-button - The camera toggle.
 * @csspart panel - The side with the title, the device picker and Join.
 * @csspart title - "Join <room name>".
 * @csspart participants - How many people are in the call already.
 * @csspart device-picker - The `<mx-device-picker>`; its `label` and `select` parts are exported as `device-label` and `device-select`.
 * @csspart reason - Why joining is not possible (an alert region, empty when it is possible).
 * @csspart join-button - The Join button.
 *
 * @cssprop [--mx-lobby-background=#0f1217] - Background of the lobby.
 * @cssprop [--mx-lobby-color=#f5f7fa] - Text colour.
 * @cssprop [--mx-lobby-radius=1rem] - Corner radius of the lobby.
 * @cssprop [--mx-lobby-gap=1rem] - Space between and around the preview and the panel.
 * @cssprop [--mx-lobby-preview-background=#1f232b] - Background of the preview without a picture.
 * @cssprop [--mx-lobby-preview-radius=0.75rem] - Corner radius of the preview.
 * @cssprop [--mx-lobby-button-size=3rem] - Diameter of a toggle.
 * @cssprop [--mx-lobby-button-background=rgb(0 0 0 / 0.55)] - Background of a toggle.
 * @cssprop [--mx-lobby-pressed-background=#f5f7fa] - Background of a toggle that is off (muted).
 * @cssprop [--mx-lobby-pressed-color=#16191f] - Icon colour of a toggle that is off.
 * @cssprop [--mx-lobby-join-background=#0b7a4b] - Background of the Join button.
 * @cssprop [--mx-lobby-join-color=#ffffff] - Text colour of the Join button.
 * @cssprop [--mx-lobby-focus-ring-color=#8ab4f8] - Keyboard focus outline.
 * @cssprop [--mx-lobby-error-background=#3a1414] - Background of the reason joining is not possible.
 * @cssprop [--mx-lobby-error-color=#fecdca] - Text colour of that reason and of a camera error.
 *
 * @cssstate previewing - The camera preview shows a picture.
 * @cssstate camera-off - Joining would be with the camera off (turned off, or it could not be opened).
 * @cssstate camera-failed - The camera could not be opened; its error is shown.
 * @cssstate mic-muted - Joining would be with the microphone muted.
 * @cssstate unavailable - Joining is not possible; the reason is shown.
 * @cssstate joining - The page is joining; Join is busy.
 */
export class MxLobby extends MxElement {
  static override shadowRootOptions = { ...MxElement.shadowRootOptions, delegatesFocus: true };
  static override styles = [hostStyles, styles];

  private readonly deviceStore = new StoreController<MediaDevicesSnapshot>(this, () => this.devices ?? undefined);
  private readonly preview = new CameraPreviewController(
    this,
    () => this.previewWish(),
    (error) => this.dispatchEvent(new MxErrorEvent({ error })),
  );

  /** Where the devices and the person's choices come from, and the camera opens: `kit.devices`. */
  @property({ attribute: false }) devices: LobbyDevices | undefined;

  /** The room's name, shown as "Join <room-name>". */
  @property({ attribute: 'room-name' }) roomName = '';

  /** How many people are in the call already; unset shows nothing. */
  @property({ attribute: 'participant-count', type: Number }) participantCount: number | undefined;

  /** Why joining is not possible now (for example an `MxError`'s message); set, it disables Join and is announced. */
  @property() unavailable = '';

  /** The page is joining: Join shows it is busy and does nothing more. */
  @property({ type: Boolean, reflect: true }) joining = false;

  /** Join with the microphone muted; the microphone toggle changes it. */
  @property({ attribute: 'microphone-muted', type: Boolean, reflect: true }) microphoneMuted = false;

  /** Join with the camera off, and show no preview; the camera toggle changes it. */
  @property({ attribute: 'camera-muted', type: Boolean, reflect: true }) cameraMuted = false;

  /** Counts the `devices` objects set, so that a new one opens its own camera even with the same device id. */
  private devicesGeneration = 0;

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if (changed.has('devices')) this.devicesGeneration += 1;
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const failed = this.preview.error !== undefined;
    const active: Record<(typeof STATES)[number], boolean> = {
      previewing: this.preview.stream !== undefined,
      'camera-off': this.cameraOff,
      'camera-failed': failed,
      'mic-muted': this.microphoneMuted,
      unavailable: this.reason !== '',
      joining: this.joining,
    };
    for (const name of STATES) this.customStates.set(name, active[name]);
  }

  /** Joining would be with the camera off: turned off, or refused. */
  private get cameraOff(): boolean {
    return this.cameraMuted || this.preview.error !== undefined;
  }

  private get reason(): string {
    return typeof this.unavailable === 'string' ? this.unavailable.trim() : '';
  }

  private previewWish(): PreviewWish | undefined {
    const devices = this.devices;
    if (this.cameraMuted || !devices || typeof devices.getUserMedia !== 'function') return undefined;
    const camera = this.readSnapshot()?.selected.camera ?? '';
    return { key: `${this.devicesGeneration}\n${camera}`, open: (request) => devices.getUserMedia(request) };
  }

  private readSnapshot(): MediaDevicesSnapshot | undefined {
    try {
      return this.deviceStore.snapshot;
    } catch {
      // The device picker reports a store it cannot read; the preview just uses the browser's default camera.
      return undefined;
    }
  }

  private toggleMicrophone(): void {
    this.microphoneMuted = !this.microphoneMuted;
  }

  private toggleCamera(): void {
    if (this.cameraMuted) this.cameraMuted = false;
    else if (this.preview.error) this.preview.retry();
    else this.cameraMuted = true;
  }

  private join(): void {
    if (this.joining || this.reason) return;
    this.dispatchEvent(new MxJoinRequestEvent({ microphoneMuted: this.microphoneMuted, cameraMuted: this.cameraOff }));
  }

  private cameraMessage(error: MxError | undefined): string {
    if (error) return error.message;
    if (this.cameraMuted) return 'Your camera is off';
    if (this.preview.opening) return 'Starting camera…';
    return 'No camera preview';
  }

  private renderPreview() {
    const stream = this.preview.stream;
    const error = this.preview.error;
    const micMuted = this.microphoneMuted;
    const cameraOff = this.cameraOff;
    return html`
      <div part="preview" class="preview" role="group" aria-label="Camera preview">
        <video
          part="video"
          class="video"
          aria-hidden="true"
          ?hidden=${!stream}
          autoplay
          playsinline
          disablepictureinpicture
          muted
          .muted=${true}
          .srcObject=${stream ?? null}
        ></video>
        ${stream
          ? nothing
          : html`<div part="placeholder" class="placeholder">
              <span class="placeholder-icon">${cameraOffIcon}</span>
              <p part="camera-message" class="camera-message ${error ? 'failed' : ''}" role="status">${this.cameraMessage(error)}</p>
            </div>`}
        <div part="toggles" class="toggles" role="group" aria-label="Microphone and camera">
          <button part="button mic-button" class="button" type="button" aria-label=${micMuted ? 'Unmute microphone' : 'Mute microphone'} aria-pressed=${String(micMuted)} @click=${this.toggleMicrophone}>
            ${micMuted ? micOffIcon : micIcon}
          </button>
          <button part="button camera-button" class="button" type="button" aria-label=${cameraOff ? 'Turn on camera' : 'Turn off camera'} aria-pressed=${String(cameraOff)} @click=${this.toggleCamera}>
            ${cameraOff ? cameraOffIcon : cameraIcon}
          </button>
        </div>
      </div>
    `;
  }

  protected override render() {
    const count = participantCountText(this.participantCount);
    const reason = this.reason;
    const blocked = this.joining || reason !== '';
    return html`
      <div part="base" class="base">
        ${this.renderPreview()}
        <div part="panel" class="panel">
          <h2 part="title" class="title">${joinTitle(this.roomName)}</h2>
          ${count ? html`<p part="participants" class="participants">${count}</p>` : nothing}
          <mx-device-picker part="device-picker" class="device-picker" exportparts="label: device-label, select: device-select" .devices=${this.devices}></mx-device-picker>
          <div part="reason" class="reason" id="reason" role="alert">${reason}</div>
          <button
            part="join-button"
            class="join"
            type="button"
            aria-disabled=${String(blocked)}
            aria-busy=${String(this.joining)}
            aria-describedby=${reason ? 'reason' : nothing}
            @click=${this.join}
          >
            ${this.joining ? 'Joining…' : 'Join'}
          </button>
        </div>
      </div>
    `;
  }
}
