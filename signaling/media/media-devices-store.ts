import { MxError } from '../errors.js';
import { createStore, type WritableStore } from '../store/store.js';
import { browserMediaDevices, browserStorage, insecureContext, speakerSelectionSupported } from './environment.js';
import {
  DEVICE_KINDS,
  isDeviceKind,
  type DeviceKind,
  type MediaDeviceOption,
  type MediaDevicesSnapshot,
  type MediaDevicesSource,
} from './media.types.js';
import { getUserMedia, type UserMediaRequest } from './user-media.js';

/** The localStorage key under which device choices are remembered, unless `storageKey` says otherwise. */
export const MEDIA_DEVICES_STORAGE_KEY = 'matrix-call-kit:devices';

export type MediaDevicesPort = Pick<MediaDevices, 'enumerateDevices' | 'getUserMedia' | 'addEventListener' | 'removeEventListener'>;
export type DeviceChoiceStorage = Pick<Storage, 'getItem' | 'setItem'>;

export interface MediaDevicesStoreOptions {
  /** Defaults to `navigator.mediaDevices`; `null` stands for a browser (or insecure page) without it. */
  mediaDevices?: MediaDevicesPort | null;
  /** Where choices are remembered; defaults to localStorage, `null` remembers nothing. */
  storage?: DeviceChoiceStorage | null;
  storageKey?: string;
}

type Preferences = Partial<Record<DeviceKind, string>>;

const BROWSER_KINDS: Record<DeviceKind, MediaDeviceKind> = {
  camera: 'videoinput',
  microphone: 'audioinput',
  speaker: 'audiooutput',
};

function byKind<T>(value: (kind: DeviceKind) => T): Record<DeviceKind, T> {
  return { camera: value('camera'), microphone: value('microphone'), speaker: value('speaker') };
}

function sameDevices(a: readonly MediaDeviceOption[], b: readonly MediaDeviceOption[]): boolean {
  return (
    a.length === b.length &&
    a.every((device, i) => device.deviceId === b[i]?.deviceId && device.groupId === b[i]?.groupId && device.label === b[i]?.label)
  );
}

function selectedFrom(devices: MediaDevicesSnapshot['devices'], preferences: Preferences): MediaDevicesSnapshot['selected'] {
  return byKind((kind) => {
    const wanted = preferences[kind];
    return devices[kind].some((device) => device.deviceId === wanted) ? wanted : undefined;
  });
}

/** Keeps the old snapshot when nothing in it changed, so subscribers see changes only. */
function sameSnapshot(a: MediaDevicesSnapshot, b: MediaDevicesSnapshot): boolean {
  return (
    a.status === b.status &&
    a.error === b.error &&
    a.labelsAvailable === b.labelsAvailable &&
    a.speakerSelectionSupported === b.speakerSelectionSupported &&
    DEVICE_KINDS.every((kind) => a.devices[kind] === b.devices[kind] && a.selected[kind] === b.selected[kind])
  );
}

/**
 * The cameras, microphones and speakers the browser offers, kept current as devices come and go, and
 * the user's choice of each, remembered across visits. Device labels stay empty until the page has
 * media permission; `getUserMedia()` asks for it and then re-reads the list if it had no labels.
 */
export class MediaDevicesStore implements MediaDevicesSource {
  private readonly store: WritableStore<MediaDevicesSnapshot>;
  private readonly mediaDevices: MediaDevicesPort | null;
  private readonly storage: DeviceChoiceStorage | null;
  private readonly storageKey: string;
  private preferences: Preferences;
  private latestRefresh = 0;
  private disposed = false;
  private readonly handleDeviceChange = (): void => void this.refresh();

  constructor(options: MediaDevicesStoreOptions = {}) {
    this.mediaDevices = options.mediaDevices === undefined ? browserMediaDevices() : options.mediaDevices;
    this.storage = options.storage === undefined ? browserStorage() : options.storage;
    this.storageKey = options.storageKey ?? MEDIA_DEVICES_STORAGE_KEY;
    this.preferences = this.load();
    const devices = byKind((): readonly MediaDeviceOption[] => []);
    this.store = createStore<MediaDevicesSnapshot>({
      status: this.mediaDevices ? 'loading' : 'error',
      devices,
      selected: selectedFrom(devices, this.preferences),
      labelsAvailable: false,
      speakerSelectionSupported: speakerSelectionSupported(),
      error: this.mediaDevices
        ? undefined
        : new MxError(
            'MEDIA_UNSUPPORTED',
            insecureContext()
              ? 'Listing cameras, microphones and speakers needs a secure (https) page.'
              : 'This browser cannot list cameras, microphones or speakers.',
          ),
    });
    this.mediaDevices?.addEventListener('devicechange', this.handleDeviceChange);
    void this.refresh();
  }

  getSnapshot(): MediaDevicesSnapshot {
    return this.store.getSnapshot();
  }

  subscribe(listener: (snapshot: MediaDevicesSnapshot) => void): () => void {
    return this.store.subscribe(listener);
  }

  /** Chooses `deviceId` for `kind` and remembers it; `undefined` or `''` goes back to the browser's default. */
  select(kind: DeviceKind, deviceId: string | undefined): void {
    if (!isDeviceKind(kind)) {
      throw new MxError('INVALID_CONFIGURATION', `Unknown device kind ${JSON.stringify(kind)}; expected one of ${DEVICE_KINDS.join(', ')}.`);
    }
    if (deviceId !== undefined && typeof deviceId !== 'string') {
      throw new MxError('INVALID_CONFIGURATION', `A device id is a string, not ${JSON.stringify(deviceId)}.`);
    }
    const { [kind]: _previous, ...others } = this.preferences;
    this.preferences = deviceId ? { ...others, [kind]: deviceId } : others;
    this.save();
    this.store.update((s) => this.settle({ ...s, selected: selectedFrom(s.devices, this.preferences) }, s));
  }

  /** Reads the device list again. Never rejects: a failure shows as `status: 'error'`. */
  async refresh(): Promise<void> {
    const mediaDevices = this.mediaDevices;
    if (!mediaDevices || this.disposed) return;
    const run = ++this.latestRefresh;
    let infos: MediaDeviceInfo[];
    try {
      infos = await mediaDevices.enumerateDevices();
    } catch (error) {
      if (this.isStale(run)) return;
      const failure = new MxError('UNKNOWN', 'The list of cameras, microphones and speakers could not be read.', { cause: error });
      this.store.update((s) => ({ ...s, status: 'error', error: failure }));
      return;
    }
    // A slower, older enumeration must not overwrite the result of a newer one.
    if (this.isStale(run)) return;
    this.store.update((s) => this.settle(this.snapshotFrom(infos, s), s));
  }

  /**
   * Opens the camera and/or microphone on the chosen devices (see the `getUserMedia` function), then
   * re-reads the device list if its labels were not readable yet, since a first grant of permission is what
   * makes them readable (and, in some browsers, lists every device). A list that was already complete stays
   * current through `devicechange`, so a returning user's call does not pay for another enumeration while it
   * sets up. The stream comes back without waiting for that list: a call has better things to wait for.
   */
  async getUserMedia(request: UserMediaRequest): Promise<MediaStream> {
    const listComplete = this.store.getSnapshot().labelsAvailable;
    try {
      // The remembered choice rather than `selected`: it applies even before the first device list has arrived.
      return await getUserMedia(request, this.preferences, this.mediaDevices);
    } finally {
      if (!listComplete) void this.refresh();
    }
  }

  /** Stops following device changes. The last snapshot stays readable. */
  dispose(): void {
    this.disposed = true;
    this.mediaDevices?.removeEventListener('devicechange', this.handleDeviceChange);
  }

  private isStale(run: number): boolean {
    return this.disposed || run !== this.latestRefresh;
  }

  private snapshotFrom(infos: readonly MediaDeviceInfo[], previous: MediaDevicesSnapshot): MediaDevicesSnapshot {
    const devices = byKind((kind) => {
      const listed = infos
        .filter((info) => info.kind === BROWSER_KINDS[kind])
        .map(({ deviceId, groupId, label }): MediaDeviceOption => ({ deviceId, groupId, label }));
      return sameDevices(previous.devices[kind], listed) ? previous.devices[kind] : listed;
    });
    return {
      ...previous,
      status: 'ready',
      error: undefined,
      devices,
      selected: selectedFrom(devices, this.preferences),
      labelsAvailable: DEVICE_KINDS.every((kind) => devices[kind].every((device) => device.label !== '')),
    };
  }

  private settle(next: MediaDevicesSnapshot, previous: MediaDevicesSnapshot): MediaDevicesSnapshot {
    return sameSnapshot(next, previous) ? previous : next;
  }

  private load(): Preferences {
    let stored: string | null | undefined;
    try {
      stored = this.storage?.getItem(this.storageKey);
    } catch {
      return {};
    }
    if (!stored) return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(stored);
    } catch {
      return {};
    }
    if (typeof parsed !== 'object' || parsed === null) return {};
    const preferences: Preferences = {};
    for (const kind of DEVICE_KINDS) {
      const id = (parsed as Record<string, unknown>)[kind];
      if (typeof id === 'string' && id) preferences[kind] = id;
    }
    return preferences;
  }

  private save(): void {
    try {
      this.storage?.setItem(this.storageKey, JSON.stringify(this.preferences));
    } catch {
      // Storage can be full, disabled or blocked; the choice still holds for as long as this page lives.
    }
  }
}

export function createMediaDevicesStore(options?: MediaDevicesStoreOptions): MediaDevicesStore {
  return new MediaDevicesStore(options);
}
