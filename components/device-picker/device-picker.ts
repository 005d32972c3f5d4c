import { html, type PropertyValues } from 'lit';
import { property } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import {
  DEVICE_KINDS,
  MEDIA_DEVICES_STATUSES,
  isDeviceKind,
  type DeviceKind,
  type MediaDeviceOption,
  type MediaDevicesSnapshot,
  type MediaDevicesSource,
} from '../../signaling/media/media.types.js';
import type { ReadableStore } from '../../signaling/store/store.js';
import { hostStyles } from '../internal/host-styles.js';
import { MxElement } from '../internal/mx-element.js';
import { StoreController } from '../internal/store-controller.js';
import { MxDeviceChangeEvent } from './device-picker.events.js';
import styles from './device-picker.styles.js';

const TEXT: Record<DeviceKind, { label: string; loading: string; none: string; unavailable: string }> = {
  camera: { label: 'Camera', loading: 'Looking for cameras…', none: 'No camera found', unavailable: 'Cameras unavailable' },
  microphone: {
    label: 'Microphone',
    loading: 'Looking for microphones…',
    none: 'No microphone found',
    unavailable: 'Microphones unavailable',
  },
  speaker: { label: 'Speaker', loading: 'Looking for speakers…', none: 'No speaker found', unavailable: 'Speakers unavailable' },
};

const AVAILABILITIES = ['loading', 'ready', 'unavailable'] as const;
type Availability = (typeof AVAILABILITIES)[number];

interface Field {
  kind: DeviceKind;
  options: { value: string; text: string }[];
  selected: string | undefined;
  /** Shown in a disabled select in place of devices: still loading, none found, or no usable store. */
  message: string | undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

const isDeviceList = (value: unknown): value is readonly MediaDeviceOption[] =>
  Array.isArray(value) && value.every((device) => isRecord(device) && typeof device.deviceId === 'string' && typeof device.label === 'string');

/** Checks the fields this element reads, since the store may come from untyped host-page code. */
function isSnapshot(value: unknown): value is MediaDevicesSnapshot {
  if (!isRecord(value)) return false;
  const { status, devices, selected, speakerSelectionSupported } = value;
  return (
    (MEDIA_DEVICES_STATUSES as readonly unknown[]).includes(status) &&
    isRecord(devices) &&
    isRecord(selected) &&
    typeof speakerSelectionSupported === 'boolean' &&
    DEVICE_KINDS.every((kind) => isDeviceList(devices[kind]) && (selected[kind] === undefined || typeof selected[kind] === 'string'))
  );
}

/**
 * @summary Lets the user choose the camera, microphone and speaker for calls.
 * @tag mx-device-picker
 * @status experimental
 * @since 0.1.0
 *
 * @fires {MxDeviceChangeEvent} mx-device-change - The user chose a device; detail `{ kind, deviceId }`. Cancelable: `preventDefault()` keeps the previous choice.
 *
 * @csspart base - The container of the fields.
 * @csspart field - One label and its select.
 * @csspart label - The visible name of a select ("Camera", "Microphone", "Speaker").
 * @csspart select - The native select listing the devices of one kind.
 *
 * @cssprop [--mx-device-picker-gap=var(--mx-space-s, 0.5rem)] - Space between fields.
 * @cssprop [--mx-device-picker-label-gap=var(--mx-space-xs, 0.25rem)] - Space between a label and its select.
 * @cssprop [--mx-device-picker-label-font-weight=600] - Font weight of the labels.
 * @cssprop [--mx-device-picker-select-inline-size=100%] - Width of the selects.
 *
 * @cssstate loading - The device list has not arrived yet.
 * @cssstate ready - Devices are listed.
 * @cssstate unavailable - No store is set, the store cannot be read, or the browser cannot list devices.
 */
export class MxDevicePicker extends MxElement {
  /** @internal */
  static override shadowRootOptions: ShadowRootInit = { ...MxElement.shadowRootOptions, delegatesFocus: true };
  static override styles = [hostStyles, styles];

  private readonly deviceStore = new StoreController<unknown>(this, () => this.usableStore());

  /** The devices to choose from and where choices go, usually a `MediaDevicesStore`. */
  @property({ attribute: false }) devices: MediaDevicesSource | undefined;

  /**
   * Which selects to show, in order: a space-separated list of `camera`, `microphone` and `speaker`.
   * The speaker select is left out where the browser cannot choose a speaker.
   */
  @property() kinds = 'camera microphone speaker';

  private fields: Field[] = [];
  private readonly warned = new Set<string>();
  private guarded: { source: MediaDevicesSource | undefined; store: ReadableStore<unknown> | undefined } | undefined;

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const { availability, snapshot } = this.read();
    for (const name of AVAILABILITIES) this.customStates.set(name, name === availability);
    this.fields = this.requestedKinds()
      .filter((kind) => kind !== 'speaker' || snapshot?.speakerSelectionSupported !== false)
      .map((kind) => fieldOf(kind, availability, snapshot));
  }

  private read(): { availability: Availability; snapshot?: MediaDevicesSnapshot } {
    if (!this.usableStore()) return { availability: 'unavailable' };
    let snapshot: unknown;
    try {
      snapshot = this.deviceStore.snapshot;
    } catch (error) {
      this.warnOnce('snapshot', 'cannot read its device snapshot; showing a fallback.', error);
      return { availability: 'unavailable' };
    }
    if (!isSnapshot(snapshot)) {
      this.warnOnce('snapshot', 'cannot read its device snapshot; showing a fallback.', snapshot);
      return { availability: 'unavailable' };
    }
    const availability = snapshot.status === 'error' ? 'unavailable' : snapshot.status;
    return { availability, snapshot };
  }

  private requestedKinds(): DeviceKind[] {
    // Removing the attribute sets the property to null: back to every kind.
    if (this.kinds === null || this.kinds === undefined) return [...DEVICE_KINDS];
    const tokens = String(this.kinds).split(/\s+/).filter(Boolean);
    const unknown = tokens.filter((token) => !isDeviceKind(token));
    if (unknown.length > 0) {
      this.warnOnce('kinds', `ignores unknown kinds (${unknown.join(', ')}); use ${DEVICE_KINDS.join(', ')}.`, this.kinds);
    }
    return [...new Set(tokens.filter(isDeviceKind))];
  }

  /**
   * `devices` wrapped so that a store from untyped page code which lacks methods, or whose `subscribe`
   * throws, leaves the picker showing "unavailable" instead of throwing out of Lit's update. The wrapper
   * is kept per store so the controller sees the same object and does not resubscribe on every update.
   */
  private usableStore(): ReadableStore<unknown> | undefined {
    const source = this.devices;
    if (this.guarded && this.guarded.source === source) return this.guarded.store;
    const store = this.guard(source);
    this.guarded = { source, store };
    return store;
  }

  private guard(source: MediaDevicesSource | undefined): ReadableStore<unknown> | undefined {
    if (source === undefined || source === null) return undefined;
    const { getSnapshot, subscribe } = Object(source) as Partial<MediaDevicesSource>;
    if (typeof getSnapshot !== 'function' || typeof subscribe !== 'function') {
      this.warnOnce('store', 'needs a store with getSnapshot() and subscribe(), such as a MediaDevicesStore.', source);
      return undefined;
    }
    return {
      // A throwing getSnapshot is caught where the snapshot is read.
      getSnapshot: () => source.getSnapshot(),
      subscribe: (listener) => {
        try {
          const unsubscribe: unknown = source.subscribe(listener);
          return typeof unsubscribe === 'function' ? () => void unsubscribe() : () => undefined;
        } catch (error) {
          this.warnOnce('subscribe', 'cannot subscribe to its store; it will not follow device changes.', error);
          return () => undefined;
        }
      },
    };
  }

  private warnOnce(topic: string, message: string, detail: unknown): void {
    // Stores are read on every change; one warning per problem is enough to point the page author at it.
    if (this.warned.has(topic)) return;
    this.warned.add(topic);
    console.warn(`matrix-call-kit: <mx-device-picker> ${message}`, detail);
  }

  private handleChange(kind: DeviceKind, event: Event): void {
    const deviceId = (event.target as HTMLSelectElement).value;
    const request = new MxDeviceChangeEvent({ kind, deviceId });
    this.dispatchEvent(request);
    if (!request.defaultPrevented) {
      try {
        this.devices?.select(kind, deviceId);
      } catch (error) {
        this.warnOnce('select', 'could not pass the choice to its store.', error);
      }
    }
    // Renders what the store now holds, which puts the old choice back when the change was prevented or refused.
    this.requestUpdate();
  }

  protected override render() {
    return html`<div part="base" class="base">${this.fields.map((field) => this.renderField(field))}</div>`;
  }

  private renderField({ kind, options, selected, message }: Field) {
    const id = `select-${kind}`;
    return html`
      <div part="field" class="field">
        <label part="label" class="label" for=${id}>${TEXT[kind].label}</label>
        ${message === undefined
          ? html`<select part="select" class="select" id=${id} @change=${(event: Event) => this.handleChange(kind, event)}>
              ${options.map(({ value, text }) => html`<option value=${value} .selected=${live(value === selected)}>${text}</option>`)}
            </select>`
          : html`<select part="select" class="select" id=${id} disabled>
              <option>${message}</option>
            </select>`}
      </div>
    `;
  }
}

function fieldOf(kind: DeviceKind, availability: Availability, snapshot: MediaDevicesSnapshot | undefined): Field {
  const devices = availability === 'ready' ? (snapshot?.devices[kind] ?? []) : [];
  const options = devices.map(({ deviceId, label }, i) => ({ value: deviceId, text: label || `${TEXT[kind].label} ${i + 1}` }));
  const message = availability === 'ready' ? (options.length === 0 ? TEXT[kind].none : undefined) : TEXT[kind][availability];
  // With no choice the browser uses its default device, which it lists first.
  return { kind, options, selected: snapshot?.selected[kind] ?? options[0]?.value, message };
}
