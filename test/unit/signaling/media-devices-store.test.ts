import { expect } from '@open-wc/testing';
import { MxError } from '../../../signaling/errors.js';
import {
  MEDIA_DEVICES_STORAGE_KEY,
  MediaDevicesStore,
  createMediaDevicesStore,
  type DeviceChoiceStorage,
  type MediaDevicesSnapshot,
  type MediaDevicesStoreOptions,
} from '../../../signaling/media/index.js';

const device = (kind: MediaDeviceKind, deviceId: string, label = ''): MediaDeviceInfo => {
  const info = { kind, deviceId, label, groupId: `group-${deviceId}` };
  return { ...info, toJSON: () => info };
};

const CAMERA_1 = device('videoinput', 'cam-1', 'Front camera');
const CAMERA_2 = device('videoinput', 'cam-2', 'USB camera');
const MIC_1 = device('audioinput', 'mic-1', 'Built-in microphone');
const MIC_2 = device('audioinput', 'mic-2', 'Headset microphone');
const SPEAKER_1 = device('audiooutput', 'spk-1', 'Built-in speakers');

const option = ({ deviceId, groupId, label }: MediaDeviceInfo) => ({ deviceId, groupId, label });

/** A `navigator.mediaDevices` stand-in: the test sets the device list, fires devicechange and can hold enumerations. */
class FakeMediaDevices extends EventTarget {
  list: MediaDeviceInfo[];
  enumerations = 0;
  failure: unknown;
  hold = false;
  readonly held: (() => void)[] = [];
  readonly changeListeners = new Set<EventListenerOrEventListenerObject>();
  readonly constraints: (MediaStreamConstraints | undefined)[] = [];
  captureFailure: unknown;

  constructor(list: MediaDeviceInfo[] = []) {
    super();
    this.list = list;
  }

  async enumerateDevices(): Promise<MediaDeviceInfo[]> {
    this.enumerations += 1;
    const list = [...this.list];
    const failure = this.failure;
    if (this.hold) await new Promise<void>((resolve) => this.held.push(resolve));
    if (failure) throw failure;
    return list;
  }

  async getUserMedia(constraints?: MediaStreamConstraints): Promise<MediaStream> {
    this.constraints.push(constraints);
    if (this.captureFailure) throw this.captureFailure;
    return new MediaStream();
  }

  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void {
    if (type === 'devicechange' && listener) this.changeListeners.add(listener);
    super.addEventListener(type, listener, options);
  }

  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void {
    if (type === 'devicechange' && listener) this.changeListeners.delete(listener);
    super.removeEventListener(type, listener, options);
  }

  change(list: MediaDeviceInfo[]): void {
    this.list = list;
    this.dispatchEvent(new Event('devicechange'));
  }
}

function memoryStorage(items: Record<string, string> = {}) {
  const map = new Map(Object.entries(items));
  return {
    map,
    getItem: (key: string) => map.get(key) ?? null,
    setItem: (key: string, value: string) => void map.set(key, value),
  };
}

const throwingStorage: DeviceChoiceStorage = {
  getItem: () => {
    throw new DOMException('The operation is insecure.', 'SecurityError');
  },
  setItem: () => {
    throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
  },
};

/** Lets pending promise callbacks (the fake's enumerations) run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

const stores: MediaDevicesStore[] = [];

async function storeWith(mediaDevices: FakeMediaDevices | null, options: Omit<MediaDevicesStoreOptions, 'mediaDevices'> = {}) {
  const store = new MediaDevicesStore({ mediaDevices, storage: memoryStorage(), ...options });
  stores.push(store);
  await settle();
  return store;
}

function recorder(store: MediaDevicesStore): MediaDevicesSnapshot[] {
  const seen: MediaDevicesSnapshot[] = [];
  store.subscribe((snapshot) => seen.push(snapshot));
  return seen;
}

describe('signaling/media MediaDevicesStore', () => {
  afterEach(() => {
    for (const store of stores.splice(0)) store.dispose();
  });

  describe('listing', () => {
    it('is loading until the first list arrives', () => {
      const store = new MediaDevicesStore({ mediaDevices: new FakeMediaDevices([CAMERA_1]), storage: null });
      stores.push(store);
      expect(store.getSnapshot().status).to.equal('loading');
      expect(store.getSnapshot().devices.camera).to.deep.equal([]);
    });

    it("groups devices by kind in the browser's order and ignores unknown kinds", async () => {
      const odd = device('videooutput' as MediaDeviceKind, 'odd-1', 'Projector');
      const store = await storeWith(new FakeMediaDevices([MIC_2, CAMERA_1, SPEAKER_1, odd, MIC_1, CAMERA_2]));
      const snapshot = store.getSnapshot();
      expect(snapshot.status).to.equal('ready');
      expect(snapshot.error).to.equal(undefined);
      expect(snapshot.devices).to.deep.equal({
        camera: [option(CAMERA_1), option(CAMERA_2)],
        microphone: [option(MIC_2), option(MIC_1)],
        speaker: [option(SPEAKER_1)],
      });
      expect(snapshot.selected).to.deep.equal({ camera: undefined, microphone: undefined, speaker: undefined });
    });

    const LABELS: { name: string; list: MediaDeviceInfo[]; available: boolean }[] = [
      { name: 'every device has a label', list: [CAMERA_1, MIC_1, SPEAKER_1], available: true },
      { name: 'the microphones have none (camera permission only)', list: [CAMERA_1, device('audioinput', 'mic-x')], available: false },
      { name: 'the browser hides ids and labels before permission', list: [device('videoinput', ''), device('audioinput', '')], available: false },
      { name: 'there are no devices', list: [], available: true },
    ];

    for (const { name, list, available } of LABELS) {
      it(`says labels are ${available ? '' : 'not '}available when ${name}`, async () => {
        const store = await storeWith(new FakeMediaDevices(list));
        expect(store.getSnapshot().labelsAvailable).to.equal(available);
      });
    }

    it('says whether a speaker can be chosen (it can in Chromium)', async () => {
      const store = await storeWith(new FakeMediaDevices());
      expect(store.getSnapshot().speakerSelectionSupported).to.equal(true);
      expect(store.getSnapshot().speakerSelectionSupported).to.equal('setSinkId' in HTMLMediaElement.prototype);
    });

    it('follows devicechange', async () => {
      const mediaDevices = new FakeMediaDevices([CAMERA_1]);
      const store = await storeWith(mediaDevices);
      const seen = recorder(store);
      mediaDevices.change([CAMERA_1, CAMERA_2]);
      await settle();
      mediaDevices.change([CAMERA_2]);
      await settle();
      expect(seen.map((s) => s.devices.camera.map((d) => d.deviceId))).to.deep.equal([['cam-1', 'cam-2'], ['cam-2']]);
    });

    it('notifies nobody when a devicechange leaves the list as it was', async () => {
      const mediaDevices = new FakeMediaDevices([CAMERA_1, MIC_1]);
      const store = await storeWith(mediaDevices);
      const before = store.getSnapshot();
      const seen = recorder(store);
      mediaDevices.change([device('videoinput', 'cam-1', 'Front camera'), device('audioinput', 'mic-1', 'Built-in microphone')]);
      await settle();
      expect(mediaDevices.enumerations).to.equal(2);
      expect(seen).to.deep.equal([]);
      expect(store.getSnapshot()).to.equal(before);
    });

    it('keeps the result of the newest enumeration when an older one finishes later', async () => {
      const mediaDevices = new FakeMediaDevices([CAMERA_1]);
      const store = await storeWith(mediaDevices);
      mediaDevices.hold = true;
      const older = store.refresh();
      mediaDevices.list = [CAMERA_1, CAMERA_2];
      const newer = store.refresh();
      const [releaseOlder, releaseNewer] = mediaDevices.held;
      releaseNewer?.();
      await newer;
      releaseOlder?.();
      await older;
      expect(store.getSnapshot().devices.camera.map((d) => d.deviceId)).to.deep.equal(['cam-1', 'cam-2']);
    });

    it('reports a failed enumeration as an error, and recovers on the next one', async () => {
      const mediaDevices = new FakeMediaDevices([CAMERA_1]);
      const failure = new DOMException('broken', 'UnknownError');
      mediaDevices.failure = failure;
      const store = await storeWith(mediaDevices);
      expect(store.getSnapshot().status).to.equal('error');
      expect(store.getSnapshot().error).to.be.instanceOf(MxError);
      expect(store.getSnapshot().error?.cause).to.equal(failure);
      mediaDevices.failure = undefined;
      await store.refresh();
      expect(store.getSnapshot().status).to.equal('ready');
      expect(store.getSnapshot().error).to.equal(undefined);
      expect(store.getSnapshot().devices.camera).to.deep.equal([option(CAMERA_1)]);
    });

    it('reports MEDIA_UNSUPPORTED without mediaDevices, and still takes choices', async () => {
      const store = await storeWith(null);
      expect(store.getSnapshot().status).to.equal('error');
      expect(store.getSnapshot().error?.code).to.equal('MEDIA_UNSUPPORTED');
      expect(store.getSnapshot().error?.message).to.equal('This browser cannot list cameras, microphones or speakers.');
      await store.refresh();
      expect(() => store.select('camera', 'cam-1')).not.to.throw();
    });

    it('is made by createMediaDevicesStore too', async () => {
      const store = createMediaDevicesStore({ mediaDevices: new FakeMediaDevices([MIC_1]), storage: null });
      stores.push(store);
      await settle();
      expect(store).to.be.instanceOf(MediaDevicesStore);
      expect(store.getSnapshot().devices.microphone).to.deep.equal([option(MIC_1)]);
    });
  });

  describe('choosing', () => {
    it('selects a device, notifies once and remembers it under the namespaced key', async () => {
      const storage = memoryStorage();
      const store = await storeWith(new FakeMediaDevices([CAMERA_1, CAMERA_2, MIC_1]), { storage });
      const seen = recorder(store);
      store.select('camera', 'cam-2');
      expect(store.getSnapshot().selected).to.deep.equal({ camera: 'cam-2', microphone: undefined, speaker: undefined });
      expect(seen).to.have.length(1);
      expect(JSON.parse(storage.map.get(MEDIA_DEVICES_STORAGE_KEY) ?? 'null')).to.deep.equal({ camera: 'cam-2' });
      expect(MEDIA_DEVICES_STORAGE_KEY).to.equal('matrix-call-kit:devices');
    });

    it('notifies nobody when the same device is selected again', async () => {
      const store = await storeWith(new FakeMediaDevices([CAMERA_1]));
      store.select('camera', 'cam-1');
      const seen = recorder(store);
      store.select('camera', 'cam-1');
      expect(seen).to.deep.equal([]);
    });

    for (const cleared of [undefined, '']) {
      it(`goes back to the default for ${JSON.stringify(cleared)} and forgets the choice`, async () => {
        const storage = memoryStorage();
        const store = await storeWith(new FakeMediaDevices([CAMERA_1, MIC_1]), { storage });
        store.select('camera', 'cam-1');
        store.select('microphone', 'mic-1');
        store.select('camera', cleared);
        expect(store.getSnapshot().selected.camera).to.equal(undefined);
        expect(JSON.parse(storage.map.get(MEDIA_DEVICES_STORAGE_KEY) ?? 'null')).to.deep.equal({ microphone: 'mic-1' });
      });
    }

    it('restores remembered choices, and re-selects a remembered device when it is plugged back in', async () => {
      const storage = memoryStorage({ [MEDIA_DEVICES_STORAGE_KEY]: JSON.stringify({ camera: 'cam-2', speaker: 'spk-1' }) });
      const mediaDevices = new FakeMediaDevices([CAMERA_1, SPEAKER_1]);
      const store = await storeWith(mediaDevices, { storage });
      expect(store.getSnapshot().selected).to.deep.equal({ camera: undefined, microphone: undefined, speaker: 'spk-1' });
      mediaDevices.change([CAMERA_1, CAMERA_2, SPEAKER_1]);
      await settle();
      expect(store.getSnapshot().selected.camera).to.equal('cam-2');
      mediaDevices.change([CAMERA_1, SPEAKER_1]);
      await settle();
      expect(store.getSnapshot().selected.camera).to.equal(undefined);
    });

    it('uses a custom storage key', async () => {
      const storage = memoryStorage({ 'my-app:devices': JSON.stringify({ microphone: 'mic-2' }) });
      const store = await storeWith(new FakeMediaDevices([MIC_1, MIC_2]), { storage, storageKey: 'my-app:devices' });
      expect(store.getSnapshot().selected.microphone).to.equal('mic-2');
      store.select('microphone', 'mic-1');
      expect([...storage.map.keys()]).to.deep.equal(['my-app:devices']);
    });

    it('remembers in localStorage by default', async () => {
      const previous = localStorage.getItem(MEDIA_DEVICES_STORAGE_KEY);
      try {
        localStorage.removeItem(MEDIA_DEVICES_STORAGE_KEY);
        const store = new MediaDevicesStore({ mediaDevices: new FakeMediaDevices([MIC_1]) });
        stores.push(store);
        store.select('microphone', 'mic-1');
        expect(JSON.parse(localStorage.getItem(MEDIA_DEVICES_STORAGE_KEY) ?? 'null')).to.deep.equal({ microphone: 'mic-1' });
      } finally {
        if (previous === null) localStorage.removeItem(MEDIA_DEVICES_STORAGE_KEY);
        else localStorage.setItem(MEDIA_DEVICES_STORAGE_KEY, previous);
      }
    });

    it('remembers nothing with storage: null', async () => {
      const previous = localStorage.getItem(MEDIA_DEVICES_STORAGE_KEY);
      const store = await storeWith(new FakeMediaDevices([MIC_1]), { storage: null });
      store.select('microphone', 'mic-1');
      expect(store.getSnapshot().selected.microphone).to.equal('mic-1');
      expect(localStorage.getItem(MEDIA_DEVICES_STORAGE_KEY)).to.equal(previous);
    });

    it('works in memory when storage throws on every call', async () => {
      const store = await storeWith(new FakeMediaDevices([CAMERA_1, CAMERA_2]), { storage: throwingStorage });
      expect(store.getSnapshot().status).to.equal('ready');
      expect(() => store.select('camera', 'cam-2')).not.to.throw();
      expect(store.getSnapshot().selected.camera).to.equal('cam-2');
    });

    it('works when merely reading window.localStorage throws (sandboxed iframe)', async () => {
      const descriptor = Object.getOwnPropertyDescriptor(window, 'localStorage');
      expect(descriptor?.configurable).to.equal(true);
      Object.defineProperty(window, 'localStorage', {
        configurable: true,
        get: () => {
          throw new DOMException('The document is sandboxed and lacks the "allow-same-origin" flag.', 'SecurityError');
        },
      });
      try {
        const store = new MediaDevicesStore({ mediaDevices: new FakeMediaDevices([CAMERA_1]) });
        stores.push(store);
        await settle();
        expect(() => store.select('camera', 'cam-1')).not.to.throw();
        expect(store.getSnapshot().selected.camera).to.equal('cam-1');
      } finally {
        if (descriptor) Object.defineProperty(window, 'localStorage', descriptor);
      }
    });

    const GARBAGE: { name: string; stored: string; selected: Partial<Record<'camera' | 'microphone' | 'speaker', string>> }[] = [
      { name: 'text that is not JSON', stored: 'cam-1', selected: {} },
      { name: 'JSON null', stored: 'null', selected: {} },
      { name: 'a number', stored: '42', selected: {} },
      { name: 'a string', stored: '"cam-1"', selected: {} },
      { name: 'an array', stored: '["cam-1"]', selected: {} },
      { name: 'ids of the wrong type', stored: '{"camera":7,"microphone":{"id":"mic-1"},"speaker":null}', selected: {} },
      { name: 'empty ids', stored: '{"camera":""}', selected: {} },
      { name: 'a prototype key', stored: '{"__proto__":{"camera":"cam-1"}}', selected: {} },
      { name: 'one good id among bad ones', stored: '{"camera":"cam-1","microphone":5,"projector":"x"}', selected: { camera: 'cam-1' } },
    ];

    for (const { name, stored, selected } of GARBAGE) {
      it(`ignores ${name} in storage, keeping any valid choice`, async () => {
        const storage = memoryStorage({ [MEDIA_DEVICES_STORAGE_KEY]: stored });
        const store = await storeWith(new FakeMediaDevices([CAMERA_1, MIC_1, SPEAKER_1]), { storage });
        expect(store.getSnapshot().status).to.equal('ready');
        expect(store.getSnapshot().selected).to.deep.equal({ camera: undefined, microphone: undefined, speaker: undefined, ...selected });
        store.select('speaker', 'spk-1');
        expect(JSON.parse(storage.map.get(MEDIA_DEVICES_STORAGE_KEY) ?? 'null')).to.deep.equal({ ...selected, speaker: 'spk-1' });
      });
    }

    const BAD_CALLS: { name: string; call: (store: MediaDevicesStore) => void }[] = [
      { name: 'an unknown kind', call: (store) => store.select('projector' as 'camera', 'cam-1') },
      { name: 'a browser kind name', call: (store) => store.select('videoinput' as 'camera', 'cam-1') },
      { name: 'a non-string id', call: (store) => store.select('camera', 7 as unknown as string) },
    ];

    for (const { name, call } of BAD_CALLS) {
      it(`throws INVALID_CONFIGURATION for ${name} and keeps its choices`, async () => {
        const store = await storeWith(new FakeMediaDevices([CAMERA_1]));
        store.select('camera', 'cam-1');
        const before = store.getSnapshot();
        let thrown: unknown;
        try {
          call(store);
        } catch (error) {
          thrown = error;
        }
        expect(thrown).to.be.instanceOf(MxError);
        expect((thrown as MxError).code).to.equal('INVALID_CONFIGURATION');
        expect(store.getSnapshot()).to.equal(before);
      });
    }
  });

  describe('getUserMedia', () => {
    it('asks for the remembered devices even before the first list arrives, then re-reads the list', async () => {
      const storage = memoryStorage({ [MEDIA_DEVICES_STORAGE_KEY]: JSON.stringify({ camera: 'cam-2', microphone: 'mic-1' }) });
      const mediaDevices = new FakeMediaDevices([device('videoinput', ''), device('audioinput', '')]);
      mediaDevices.hold = true;
      const store = new MediaDevicesStore({ mediaDevices, storage });
      stores.push(store);
      expect(store.getSnapshot().status).to.equal('loading');
      mediaDevices.hold = false;
      mediaDevices.list = [CAMERA_1, CAMERA_2, MIC_1];
      await store.getUserMedia({ audio: true, video: true });
      await settle();
      const [constraints] = mediaDevices.constraints;
      expect((constraints?.video as MediaTrackConstraints).deviceId).to.deep.equal({ exact: 'cam-2' });
      expect((constraints?.audio as MediaTrackConstraints).deviceId).to.deep.equal({ exact: 'mic-1' });
      expect(store.getSnapshot().labelsAvailable).to.equal(true);
      expect(store.getSnapshot().selected.camera).to.equal('cam-2');
      mediaDevices.held.forEach((release) => release());
      await settle();
      expect(store.getSnapshot().labelsAvailable).to.equal(true);
    });

    it('hands over the stream without waiting for the list to be re-read', async () => {
      // As before permission: one unlabelled camera; the grant reveals both.
      const mediaDevices = new FakeMediaDevices([device('videoinput', '')]);
      const store = await storeWith(mediaDevices);
      mediaDevices.hold = true;
      mediaDevices.list = [CAMERA_1, CAMERA_2];
      const stream = await store.getUserMedia({ video: true });
      expect(stream).to.be.instanceOf(MediaStream);
      expect(store.getSnapshot().devices.camera).to.deep.equal([option(device('videoinput', ''))]);
      mediaDevices.held.forEach((release) => release());
      await settle();
      expect(store.getSnapshot().devices.camera).to.deep.equal([option(CAMERA_1), option(CAMERA_2)]);
    });

    it('does not re-read a list whose labels were already readable: devicechange keeps that one current', async () => {
      const mediaDevices = new FakeMediaDevices([CAMERA_1, MIC_1]);
      const store = await storeWith(mediaDevices);
      expect(store.getSnapshot().labelsAvailable).to.equal(true);
      const before = mediaDevices.enumerations;
      await store.getUserMedia({ audio: true, video: true });
      await settle();
      expect(mediaDevices.enumerations).to.equal(before);
      mediaDevices.change([CAMERA_1, CAMERA_2, MIC_1]);
      await settle();
      expect(mediaDevices.enumerations).to.equal(before + 1);
      expect(store.getSnapshot().devices.camera).to.deep.equal([option(CAMERA_1), option(CAMERA_2)]);
    });

    it('rejects with a mapped MxError, and still re-reads a list that had no labels', async () => {
      const mediaDevices = new FakeMediaDevices([device('videoinput', '')]);
      const store = await storeWith(mediaDevices);
      mediaDevices.captureFailure = new DOMException('denied', 'NotAllowedError');
      const before = mediaDevices.enumerations;
      let thrown: unknown;
      try {
        await store.getUserMedia({ video: true });
      } catch (error) {
        thrown = error;
      }
      expect((thrown as MxError).code).to.equal('MEDIA_PERMISSION_DENIED');
      await settle();
      expect(mediaDevices.enumerations).to.equal(before + 1);
    });
  });

  describe('dispose', () => {
    it('removes its devicechange listener and ignores later changes', async () => {
      const mediaDevices = new FakeMediaDevices([CAMERA_1]);
      const store = await storeWith(mediaDevices);
      expect(mediaDevices.changeListeners.size).to.equal(1);
      store.dispose();
      expect(mediaDevices.changeListeners.size).to.equal(0);
      const before = mediaDevices.enumerations;
      mediaDevices.change([CAMERA_1, CAMERA_2]);
      await store.refresh();
      await settle();
      expect(mediaDevices.enumerations).to.equal(before);
      expect(store.getSnapshot().devices.camera).to.deep.equal([option(CAMERA_1)]);
    });

    it('drops an enumeration that finishes after dispose', async () => {
      const mediaDevices = new FakeMediaDevices([CAMERA_1]);
      const store = await storeWith(mediaDevices);
      mediaDevices.hold = true;
      mediaDevices.list = [CAMERA_1, CAMERA_2];
      const pending = store.refresh();
      store.dispose();
      mediaDevices.held.forEach((release) => release());
      await pending;
      expect(store.getSnapshot().devices.camera).to.deep.equal([option(CAMERA_1)]);
    });
  });

  describe("with Chromium's fake devices", () => {
    it('lists them, with labels once permission is used', async () => {
      const store = new MediaDevicesStore({ storage: null });
      stores.push(store);
      const stream = await store.getUserMedia({ audio: true, video: true });
      stream.getTracks().forEach((track) => track.stop());
      // The list is re-read after the stream comes back.
      await new Promise<void>((resolve) => {
        if (store.getSnapshot().labelsAvailable) return resolve();
        const stop = store.subscribe((snapshot) => {
          if (!snapshot.labelsAvailable) return;
          stop();
          resolve();
        });
      });
      const { status, devices, labelsAvailable } = store.getSnapshot();
      expect(status).to.equal('ready');
      expect(labelsAvailable).to.equal(true);
      expect(devices.camera.map((d) => d.label)).to.include('fake_device_0');
      expect(devices.microphone.length).to.be.greaterThan(1);
      expect(devices.speaker.length).to.be.greaterThan(0);
    });
  });
});
