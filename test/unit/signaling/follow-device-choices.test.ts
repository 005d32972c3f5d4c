import { expect } from '@open-wc/testing';
import type { MediaDevicesSnapshot } from '../../../signaling/media/media.types.js';
import { createStore } from '../../../signaling/store/store.js';
import { followDeviceChoices } from '../../../signaling/voip/follow-device-choices.js';
import type { CallManagerSnapshot } from '../../../signaling/voip/types.js';
import { createFakeCall, fakeFeed, type FakeCall } from '../../helpers/browser/fake-call.js';

// Real tracks from Chromium's fake devices, so the device ids are the browser's own.
let camera: MediaStream;

const devicesSnapshot = (selected: Partial<MediaDevicesSnapshot['selected']> = {}): MediaDevicesSnapshot => ({
  status: 'ready',
  devices: { camera: [], microphone: [], speaker: [] },
  selected: { camera: undefined, microphone: undefined, speaker: undefined, ...selected },
  labelsAvailable: true,
  speakerSelectionSupported: true,
  error: undefined,
});

describe('followDeviceChoices', () => {
  let stop: () => void;
  let devices: ReturnType<typeof createStore<MediaDevicesSnapshot>>;
  let call: FakeCall;

  before(async () => {
    camera = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  });

  after(() => {
    for (const track of camera.getTracks()) track.stop();
  });

  beforeEach(() => {
    devices = createStore(devicesSnapshot());
    call = createFakeCall({ phase: 'connected', localFeeds: [fakeFeed({ isLocal: true, stream: camera })] });
    const calls = createStore<CallManagerSnapshot>({ calls: [call], ringing: [] });
    stop = followDeviceChoices(devices, calls);
  });

  afterEach(() => stop());

  const reopened = (): unknown[] => call.intents.filter((i) => i.method === 'reopenDevice').map((i) => i.args[0]);

  it('asks a live call to reopen the microphone when another one is chosen', () => {
    devices.set(devicesSnapshot({ microphone: 'another-microphone' }));
    expect(reopened()).to.deep.equal(['microphone']);
  });

  it('asks for the camera, not the microphone, when only the camera choice changes', () => {
    devices.set(devicesSnapshot({ camera: 'another-camera' }));
    expect(reopened()).to.deep.equal(['camera']);
  });

  it('leaves a call alone when its track already runs on the chosen device', () => {
    const inUse = camera.getAudioTracks()[0]?.getSettings().deviceId;
    expect(inUse).to.be.a('string');
    devices.set(devicesSnapshot({ microphone: inUse }));
    expect(reopened()).to.deep.equal([]);
  });

  it('reopens when the person goes back to the browser default', () => {
    const listed = { camera: [], microphone: [{ deviceId: 'another-microphone', groupId: 'g', label: 'Another microphone' }], speaker: [] };
    devices.set({ ...devicesSnapshot({ microphone: 'another-microphone' }), devices: listed });
    devices.set({ ...devicesSnapshot(), devices: listed });
    expect(reopened()).to.deep.equal(['microphone', 'microphone']);
  });

  it('leaves a call alone when the chosen device is unplugged (the call reopens its ended track itself)', () => {
    const chosen = { deviceId: 'usb-headset', groupId: 'g', label: 'USB headset' };
    devices.set({ ...devicesSnapshot({ microphone: 'usb-headset' }), devices: { camera: [], microphone: [chosen], speaker: [] } });
    expect(reopened()).to.deep.equal(['microphone']);
    devices.set({ ...devicesSnapshot(), devices: { camera: [], microphone: [], speaker: [] } });
    expect(reopened()).to.deep.equal(['microphone']);
  });

  it('ignores snapshots in which neither choice changed (a new device list, a speaker choice)', () => {
    devices.set({ ...devicesSnapshot(), labelsAvailable: false });
    devices.set(devicesSnapshot({ speaker: 'headphones' }));
    expect(reopened()).to.deep.equal([]);
  });

  it('skips calls without live local media (ended, or still ringing)', () => {
    call.set({ phase: 'ended', localFeeds: [] });
    devices.set(devicesSnapshot({ microphone: 'another-microphone' }));
    expect(reopened()).to.deep.equal([]);
  });

  it('stops following once unsubscribed', () => {
    stop();
    devices.set(devicesSnapshot({ camera: 'another-camera' }));
    expect(reopened()).to.deep.equal([]);
  });
});
