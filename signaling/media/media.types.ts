import type { MxError } from '../errors.js';
import type { ReadableStore } from '../store/store.js';

/** The device kinds a call chooses between, in the order pickers show them. */
export const DEVICE_KINDS = ['camera', 'microphone', 'speaker'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export function isDeviceKind(value: unknown): value is DeviceKind {
  return typeof value === 'string' && (DEVICE_KINDS as readonly string[]).includes(value);
}

/** One camera, microphone or speaker, copied from the browser's `MediaDeviceInfo`. */
export interface MediaDeviceOption {
  readonly deviceId: string;
  readonly groupId: string;
  /** Empty until the page has camera or microphone permission; pickers then show "Camera 1" and so on. */
  readonly label: string;
}

/** A device id per kind; a missing id means the browser's default device. */
export type DeviceSelection = Readonly<Partial<Record<DeviceKind, string | undefined>>>;

/** `loading` until the first device list arrives; `error` when the list cannot be read at all. */
export const MEDIA_DEVICES_STATUSES = ['loading', 'ready', 'error'] as const;
export type MediaDevicesStatus = (typeof MEDIA_DEVICES_STATUSES)[number];

export interface MediaDevicesSnapshot {
  readonly status: MediaDevicesStatus;
  /** The devices of each kind, in the browser's order (its default device first). */
  readonly devices: Readonly<Record<DeviceKind, readonly MediaDeviceOption[]>>;
  /** The chosen device of each kind while it is plugged in; `undefined` means the browser's default. */
  readonly selected: Readonly<Record<DeviceKind, string | undefined>>;
  /** False while any listed device has an empty label, as browsers do before media permission is granted. */
  readonly labelsAvailable: boolean;
  /** Whether this browser can route audio to a chosen speaker (`HTMLMediaElement.setSinkId`). */
  readonly speakerSelectionSupported: boolean;
  readonly error: MxError | undefined;
}

/** What a device picker needs: snapshots to render and a way to choose. `MediaDevicesStore` is one. */
export interface MediaDevicesSource extends ReadableStore<MediaDevicesSnapshot> {
  /** Chooses `deviceId` for `kind`; `undefined` or `''` goes back to the browser's default. */
  select(kind: DeviceKind, deviceId: string | undefined): void;
}
