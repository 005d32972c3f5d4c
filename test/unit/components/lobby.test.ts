import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { LitElement } from 'lit';
import { CameraPreviewController, type PreviewWish } from '../../../components/lobby/camera-preview.js';
import type { MxDevicePicker } from '../../../components/device-picker/index.js';
import type { LobbyDevices, MxJoinRequestEvent, MxLobby } from '../../../components/lobby/index.js';
import { joinTitle, participantCountText } from '../../../components/lobby/lobby-strings.js';
import '../../../define/mx-lobby.js';
import { MxError } from '../../../signaling/errors.js';
import { MediaDevicesStore } from '../../../signaling/media/media-devices-store.js';
import type { MediaDevicesSnapshot } from '../../../signaling/media/media.types.js';
import type { UserMediaRequest } from '../../../signaling/media/user-media.js';
import { createStore, type WritableStore } from '../../../signaling/store/store.js';
import { waitFor } from '../../helpers/browser/wait-for.js';

// ---- fakes: a MediaDevicesStore over a real store, whose getUserMedia returns real canvas streams ----

const opened: MediaStream[] = [];

function canvasStream(): MediaStream {
  const canvas = document.createElement('canvas');
  canvas.width = 64;
  canvas.height = 36;
  canvas.getContext('2d')?.fillRect(0, 0, 64, 36);
  const stream = canvas.captureStream(5);
  opened.push(stream);
  return stream;
}

interface FakeDevices extends LobbyDevices {
  readonly store: WritableStore<MediaDevicesSnapshot>;
  /** Every getUserMedia request, in order. */
  readonly requests: UserMediaRequest[];
  /** The streams handed out, in order. */
  readonly streams: MediaStream[];
  /** Makes getUserMedia reject with this error until cleared. */
  refuse: MxError | undefined;
  /** Holds getUserMedia's answers until `release()`. */
  hold: boolean;
  release(): void;
}

const device = (kind: string, n: number) => ({ deviceId: `${kind}-${n}`, groupId: `group-${kind}-${n}`, label: `${kind} ${n}` });

function fakeDevices(): FakeDevices {
  const store = createStore<MediaDevicesSnapshot>({
    status: 'ready',
    devices: {
      camera: [device('camera', 1), device('camera', 2)],
      microphone: [device('microphone', 1)],
      speaker: [device('speaker', 1)],
    },
    selected: { camera: undefined, microphone: undefined, speaker: undefined },
    labelsAvailable: true,
    speakerSelectionSupported: true,
    error: undefined,
  });
  const held: (() => void)[] = [];
  const fake: FakeDevices = {
    store,
    requests: [],
    streams: [],
    refuse: undefined,
    hold: false,
    getSnapshot: store.getSnapshot,
    subscribe: store.subscribe,
    select: (kind, deviceId) => store.update((s) => ({ ...s, selected: { ...s.selected, [kind]: deviceId || undefined } })),
    async getUserMedia(request) {
      fake.requests.push(request);
      if (fake.hold) await new Promise<void>((resolve) => held.push(resolve));
      if (fake.refuse) throw fake.refuse;
      const stream = canvasStream();
      fake.streams.push(stream);
      return stream;
    },
    release: () => {
      for (const resolve of held.splice(0)) resolve();
    },
  };
  return fake;
}

// ---- reading the element ----

const STATES = ['previewing', 'camera-off', 'camera-failed', 'mic-muted', 'unavailable', 'joining'];
const states = (el: HTMLElement) => STATES.filter((s) => el.matches(`:state(${s})`));
const part = <T extends HTMLElement = HTMLElement>(el: HTMLElement, name: string) => el.shadowRoot?.querySelector<T>(`[part~="${name}"]`) ?? null;
const text = (el: HTMLElement, name: string) => part(el, name)?.textContent?.trim().replace(/\s+/g, ' ') ?? null;
const button = (el: HTMLElement, name: string) => part<HTMLButtonElement>(el, `${name}-button`) as HTMLButtonElement;
const video = (el: HTMLElement) => part<HTMLVideoElement>(el, 'video') as HTMLVideoElement;
const live = (stream: MediaStream) => stream.getTracks().every((track) => track.readyState === 'live');
const ended = (stream: MediaStream) => stream.getTracks().every((track) => track.readyState === 'ended');

/** Identity check that names what it compared: chai would walk a whole stream to print a failure. */
function expectSame(actual: unknown, expected: unknown, what: string): void {
  if (actual !== expected) throw new Error(`expected ${what} to be the same object`);
}

async function lobby(devices: FakeDevices | undefined = fakeDevices(), attributes = html``): Promise<MxLobby> {
  const el = await fixture<MxLobby>(html`<mx-lobby room-name="Team sync" .devices=${devices}>${attributes}</mx-lobby>`);
  await el.updateComplete;
  return el;
}

async function previewing(el: MxLobby, devices: FakeDevices, count = 1): Promise<MediaStream> {
  await waitFor(() => devices.streams.length >= count && video(el).srcObject === devices.streams[count - 1], 'the preview');
  await el.updateComplete;
  return devices.streams[count - 1] as MediaStream;
}

/** Clicks Join and returns the detail of the event it fired, or `undefined` when it fired none. */
async function pressJoin(el: MxLobby): Promise<MxJoinRequestEvent['detail'] | undefined> {
  let detail: MxJoinRequestEvent['detail'] | undefined;
  const listener = (event: MxJoinRequestEvent) => (detail = event.detail);
  el.addEventListener('mx-join-request', listener);
  button(el, 'join').click();
  el.removeEventListener('mx-join-request', listener);
  return detail;
}

/** The errors the lobbies reported with `mx-error`, which may come before a test could listen to its element. */
const reported: MxError[] = [];
const report = (event: GlobalEventHandlersEventMap['mx-error']) => reported.push(event.detail.error);
beforeEach(() => document.addEventListener('mx-error', report));

afterEach(() => {
  document.removeEventListener('mx-error', report);
  reported.splice(0);
  for (const stream of opened.splice(0)) for (const track of stream.getTracks()) track.stop();
});

describe('<mx-lobby>', () => {
  describe('accessibility', () => {
    const cases: [string, () => Promise<MxLobby>][] = [
      [
        'camera on',
        async () => {
          const devices = fakeDevices();
          const el = await lobby(devices);
          el.participantCount = 3;
          await previewing(el, devices);
          return el;
        },
      ],
      [
        'camera and microphone off',
        async () => {
          const el = await lobby();
          el.cameraMuted = true;
          el.microphoneMuted = true;
          await el.updateComplete;
          return el;
        },
      ],
      [
        'camera refused',
        async () => {
          const devices = fakeDevices();
          devices.refuse = new MxError('MEDIA_PERMISSION_DENIED', 'Permission to use the camera was denied.');
          const el = await lobby(devices);
          await waitFor(() => el.matches(':state(camera-failed)'), 'the failure');
          return el;
        },
      ],
      [
        'unavailable',
        async () => {
          const el = await lobby();
          el.unavailable = 'You are not allowed to join calls in this room.';
          await el.updateComplete;
          return el;
        },
      ],
      [
        'joining',
        async () => {
          const el = await lobby();
          el.joining = true;
          await el.updateComplete;
          return el;
        },
      ],
      ['without devices', () => lobby(undefined)],
    ];
    for (const [name, make] of cases) {
      it(`is accessible: ${name}`, async () => {
        const el = await make();
        await expect(el).to.be.accessible();
      });
    }

    it('labels the toggles by what they do, with aria-pressed while off', async () => {
      const el = await lobby();
      expect(button(el, 'mic').getAttribute('aria-label')).to.equal('Mute microphone');
      expect(button(el, 'mic').getAttribute('aria-pressed')).to.equal('false');
      expect(button(el, 'camera').getAttribute('aria-label')).to.equal('Turn off camera');
      expect(button(el, 'camera').getAttribute('aria-pressed')).to.equal('false');
      button(el, 'mic').click();
      button(el, 'camera').click();
      await el.updateComplete;
      expect(button(el, 'mic').getAttribute('aria-label')).to.equal('Unmute microphone');
      expect(button(el, 'mic').getAttribute('aria-pressed')).to.equal('true');
      expect(button(el, 'camera').getAttribute('aria-label')).to.equal('Turn on camera');
      expect(button(el, 'camera').getAttribute('aria-pressed')).to.equal('true');
      expect(states(el)).to.include.members(['mic-muted', 'camera-off']);
    });
  });

  describe('properties', () => {
    it('titles the room and says who is in the call', async () => {
      const el = await lobby();
      expect(text(el, 'title')).to.equal('Join Team sync');
      expect(part(el, 'participants')).to.equal(null);
      el.participantCount = 3;
      await el.updateComplete;
      expect(text(el, 'participants')).to.equal('3 people are in the call');
      el.participantCount = 0;
      await el.updateComplete;
      expect(text(el, 'participants')).to.equal('Nobody is in the call yet');
    });

    it('words the title and the count for every value', () => {
      expect(joinTitle('  ')).to.equal('Join the call');
      expect(joinTitle(undefined)).to.equal('Join the call');
      expect(joinTitle('Design')).to.equal('Join Design');
      expect(participantCountText(1)).to.equal('1 person is in the call');
      expect(participantCountText(12)).to.equal('12 people are in the call');
      expect(participantCountText(0)).to.equal('Nobody is in the call yet');
      for (const bad of [undefined, null, -1, 1.5, Number.NaN]) expect(participantCountText(bad)).to.equal(undefined);
    });

    it('shows the camera preview, mirrored, from devices.getUserMedia({ video: true })', async () => {
      const devices = fakeDevices();
      const el = await lobby(devices);
      const stream = await previewing(el, devices);
      expect(devices.requests).to.deep.equal([{ video: true }]);
      expect(video(el).hidden).to.equal(false);
      expect(video(el).muted).to.equal(true);
      expect(getComputedStyle(video(el)).transform).to.equal('matrix(-1, 0, 0, 1, 0, 0)');
      expect(live(stream)).to.equal(true);
      expect(part(el, 'placeholder')).to.equal(null);
      expect(states(el)).to.include('previewing');
    });

    it('stops the camera when it is turned off, and opens it again when turned on', async () => {
      const devices = fakeDevices();
      const el = await lobby(devices);
      const first = await previewing(el, devices);
      button(el, 'camera').click();
      await el.updateComplete;
      expect(ended(first)).to.equal(true);
      expect(video(el).srcObject === null, "no picture").to.equal(true);
      expect(text(el, 'camera-message')).to.equal('Your camera is off');
      expect(states(el)).to.not.include('previewing');
      button(el, 'camera').click();
      const second = await previewing(el, devices, 2);
      expect(live(second)).to.equal(true);
    });

    it('opens the newly chosen camera and stops the old one', async () => {
      const devices = fakeDevices();
      const el = await lobby(devices);
      const first = await previewing(el, devices);
      devices.select('camera', 'camera-2');
      const second = await previewing(el, devices, 2);
      expect(ended(first)).to.equal(true);
      expect(live(second)).to.equal(true);
      // Another microphone or speaker leaves the picture alone.
      devices.select('microphone', 'microphone-1');
      await el.updateComplete;
      expect(devices.requests).to.have.length(2);
    });

    it('leaves no camera running once removed from the page, and opens it again when put back', async () => {
      const devices = fakeDevices();
      const el = await lobby(devices);
      const first = await previewing(el, devices);
      const parent = el.parentElement as HTMLElement;
      el.remove();
      expect(ended(first)).to.equal(true);
      parent.append(el);
      const second = await previewing(el, devices, 2);
      expect(live(second)).to.equal(true);
    });

    it('stops a camera that opens after it was turned off or the lobby was removed', async () => {
      const devices = fakeDevices();
      devices.hold = true;
      const el = await lobby(devices);
      await waitFor(() => devices.requests.length === 1, 'the request');
      expect(text(el, 'camera-message')).to.equal('Starting camera…');
      el.cameraMuted = true;
      await el.updateComplete;
      devices.release();
      await waitFor(() => devices.streams.length === 1, 'the late stream');
      await waitFor(() => ended(devices.streams[0] as MediaStream), 'the late stream to be stopped');
      expect(video(el).srcObject === null, "no picture").to.equal(true);

      el.cameraMuted = false;
      await waitFor(() => devices.requests.length === 2, 'the second request');
      el.remove();
      devices.release();
      await waitFor(() => devices.streams.length === 2, 'the second stream');
      await waitFor(() => ended(devices.streams[1] as MediaStream), 'the second stream to be stopped');
    });

    it('shows why the camera was refused, keeps Join possible with the camera off, and tries again on a press', async () => {
      const devices = fakeDevices();
      devices.refuse = new MxError('MEDIA_PERMISSION_DENIED', 'Permission to use the camera was denied.');
      const el = await lobby(devices);
      await waitFor(() => reported.length === 1, 'the mx-error');
      expect(reported[0]?.code).to.equal('MEDIA_PERMISSION_DENIED');
      await el.updateComplete;
      expect(text(el, 'camera-message')).to.equal('Permission to use the camera was denied.');
      expect(part(el, 'camera-message')?.getAttribute('role')).to.equal('status');
      expect(states(el)).to.include.members(['camera-failed', 'camera-off']);
      expect(button(el, 'camera').getAttribute('aria-pressed')).to.equal('true');
      expect(await pressJoin(el)).to.deep.equal({ microphoneMuted: false, cameraMuted: true });

      devices.refuse = undefined;
      button(el, 'camera').click();
      const stream = await previewing(el, devices);
      expect(live(stream)).to.equal(true);
      expect(states(el)).to.not.include('camera-failed');
      expect(await pressJoin(el)).to.deep.equal({ microphoneMuted: false, cameraMuted: false });
    });

    it('says so when the camera stops by itself, and joins with it off', async () => {
      const devices = fakeDevices();
      const el = await lobby(devices);
      const stream = await previewing(el, devices);
      // What Chrome fires when a camera is unplugged; track.stop() fires nothing.
      stream.getVideoTracks()[0]?.dispatchEvent(new Event('ended'));
      await el.updateComplete;
      expect(video(el).srcObject === null, "no picture").to.equal(true);
      expect(ended(stream)).to.equal(true);
      expect(text(el, 'camera-message')).to.equal('The camera stopped; it may have been unplugged.');
      expect(reported.map((error) => error.code)).to.deep.equal(['MEDIA_DEVICE_NOT_FOUND']);
      expect(await pressJoin(el)).to.deep.equal({ microphoneMuted: false, cameraMuted: true });
      button(el, 'camera').click();
      expect(live(await previewing(el, devices, 2))).to.equal(true);
    });

    it('wraps what an untyped store rejects with into an MxError', async () => {
      const devices = fakeDevices();
      devices.getUserMedia = () => Promise.reject(new DOMException('no camera', 'NotFoundError'));
      const el = await lobby(devices);
      await waitFor(() => reported.length === 1, 'the mx-error');
      expect(reported[0]).to.be.instanceOf(MxError);
      await el.updateComplete;
      expect(text(el, 'camera-message')).to.equal('no camera');
    });

    it('disables Join and announces the reason while joining is unavailable', async () => {
      const el = await lobby();
      const reason = part(el, 'reason') as HTMLElement;
      expect(reason.getAttribute('role')).to.equal('alert');
      expect(reason.textContent?.trim()).to.equal('');
      el.unavailable = 'You are not allowed to join calls in this room.';
      await el.updateComplete;
      expectSame(part(el, 'reason'), reason, 'the alert region (kept, so that the change is announced)');
      expect(text(el, 'reason')).to.equal('You are not allowed to join calls in this room.');
      expect(button(el, 'join').getAttribute('aria-disabled')).to.equal('true');
      expect(button(el, 'join').getAttribute('aria-describedby')).to.equal('reason');
      expect(states(el)).to.include('unavailable');
      expect(await pressJoin(el)).to.equal(undefined);
      el.unavailable = '';
      await el.updateComplete;
      expect(button(el, 'join').getAttribute('aria-disabled')).to.equal('false');
      expect(button(el, 'join').hasAttribute('aria-describedby')).to.equal(false);
      expect(await pressJoin(el)).to.deep.equal({ microphoneMuted: false, cameraMuted: false });
    });

    it('shows Join busy while joining and fires nothing more', async () => {
      const el = await lobby();
      el.joining = true;
      await el.updateComplete;
      expect(button(el, 'join').getAttribute('aria-busy')).to.equal('true');
      expect(button(el, 'join').getAttribute('aria-disabled')).to.equal('true');
      expect(text(el, 'join-button')).to.equal('Joining…');
      expect(states(el)).to.include('joining');
      expect(await pressJoin(el)).to.equal(undefined);
      el.joining = false;
      await el.updateComplete;
      expect(button(el, 'join').getAttribute('aria-busy')).to.equal('false');
      expect(text(el, 'join-button')).to.equal('Join');
    });

    it('puts the device picker for camera, microphone and speaker on the same devices', async () => {
      const devices = fakeDevices();
      const el = await lobby(devices);
      const picker = part<MxDevicePicker>(el, 'device-picker') as MxDevicePicker;
      expect(picker.localName).to.equal('mx-device-picker');
      expectSame(picker.devices, devices, "the picker's devices");
      await picker.updateComplete;
      const labels = [...(picker.shadowRoot?.querySelectorAll('label') ?? [])].map((label) => label.textContent?.trim());
      expect(labels).to.deep.equal(['Camera', 'Microphone', 'Speaker']);
    });
    it("previews the browser's camera through a real MediaDevicesStore, and closes it when removed", async () => {
      const devices = new MediaDevicesStore({ storage: null });
      const el = await fixture<MxLobby>(html`<mx-lobby .devices=${devices}></mx-lobby>`);
      await waitFor(() => video(el).srcObject instanceof MediaStream, "the fake camera's preview", 4000);
      const stream = video(el).srcObject as MediaStream;
      expect(stream.getVideoTracks()).to.have.length(1);
      expect(stream.getAudioTracks()).to.have.length(0);
      expect(live(stream)).to.equal(true);
      el.remove();
      expect(ended(stream)).to.equal(true);
      devices.dispose();
    });

    // Untyped page code may hand over a plain MediaDevicesSource, as <mx-device-picker> takes.
    it('shows no preview, and still joins, with a device source that cannot open a camera', async () => {
      const devices = fakeDevices();
      const { getUserMedia: _unused, ...withoutCamera } = devices;
      const el = await fixture<MxLobby>(html`<mx-lobby .devices=${withoutCamera as unknown as LobbyDevices}></mx-lobby>`);
      expect(text(el, 'camera-message')).to.equal('No camera preview');
      expect(await pressJoin(el)).to.deep.equal({ microphoneMuted: false, cameraMuted: false });
    });

    for (const [width, sideBySide] of [
      [880, true],
      [360, false],
    ] as const) {
      it(`${sideBySide ? 'puts the panel beside' : 'stacks the panel under'} the preview at ${width}px, and is accessible there`, async () => {
        const el = await fixture<MxLobby>(html`<mx-lobby style="width: ${width}px" .devices=${fakeDevices()}></mx-lobby>`);
        const preview = (part(el, 'preview') as HTMLElement).getBoundingClientRect();
        const panel = (part(el, 'panel') as HTMLElement).getBoundingClientRect();
        expect(panel.left >= preview.right, 'panel to the right of the preview').to.equal(sideBySide);
        expect(panel.top >= preview.bottom, 'panel below the preview').to.equal(!sideBySide);
        expect(el.scrollWidth).to.be.at.most(width);
        await expect(el).to.be.accessible();
      });
    }
  });

  describe('events', () => {
    it('fires mx-join-request with the toggles as they are', async () => {
      const el = await lobby();
      expect(await pressJoin(el)).to.deep.equal({ microphoneMuted: false, cameraMuted: false });
      button(el, 'mic').click();
      await el.updateComplete;
      expect(await pressJoin(el)).to.deep.equal({ microphoneMuted: true, cameraMuted: false });
      button(el, 'camera').click();
      await el.updateComplete;
      expect(await pressJoin(el)).to.deep.equal({ microphoneMuted: true, cameraMuted: true });
    });

    it('fires a join request that bubbles out of shadow roots and cannot be cancelled', async () => {
      const el = await lobby();
      setTimeout(() => button(el, 'join').click());
      const event = await oneEvent(document, 'mx-join-request');
      expect(event.bubbles).to.equal(true);
      expect(event.composed).to.equal(true);
      expect(event.cancelable).to.equal(false);
    });

    it('starts with the toggles the page set', async () => {
      const el = await fixture<MxLobby>(html`<mx-lobby microphone-muted camera-muted .devices=${fakeDevices()}></mx-lobby>`);
      expect(await pressJoin(el)).to.deep.equal({ microphoneMuted: true, cameraMuted: true });
      expect(text(el, 'camera-message')).to.equal('Your camera is off');
    });
  });

  describe('keyboard', () => {
    it('toggles with Space and joins with Enter', async () => {
      const el = await lobby();
      el.focus();
      expectSame(el.shadowRoot?.activeElement, button(el, 'mic'), 'the focused control (the microphone toggle first)');
      await sendKeys({ press: 'Space' });
      await el.updateComplete;
      expect(button(el, 'mic').getAttribute('aria-pressed')).to.equal('true');
      await sendKeys({ press: 'Tab' });
      await sendKeys({ press: 'Space' });
      await el.updateComplete;
      expect(button(el, 'camera').getAttribute('aria-pressed')).to.equal('true');
      button(el, 'join').focus();
      setTimeout(() => void sendKeys({ press: 'Enter' }));
      const event = await oneEvent(el, 'mx-join-request');
      expect(event.detail).to.deep.equal({ microphoneMuted: true, cameraMuted: true });
    });

    it('keeps focus on Join once it is busy', async () => {
      const el = await lobby();
      button(el, 'join').focus();
      el.joining = true;
      await el.updateComplete;
      // Chrome moves focus off a control that became disabled at its next rendering, not at once.
      await new Promise(requestAnimationFrame);
      await new Promise(requestAnimationFrame);
      expectSame(el.shadowRoot?.activeElement, button(el, 'join'), 'the focused control');
    });
  });

  describe('camera preview controller', () => {
    /** A host with nothing else that would update it, so the controller alone must re-open the camera. */
    class PreviewHost extends LitElement {
      wish: PreviewWish | undefined;
      readonly preview = new CameraPreviewController(this, () => this.wish, () => undefined);
    }
    customElements.define('lobby-test-preview-host', PreviewHost);

    it('opens the camera again when its host is put back on the page', async () => {
      const devices = fakeDevices();
      const host = document.createElement('lobby-test-preview-host') as PreviewHost;
      host.wish = { key: 'default', open: (request) => devices.getUserMedia(request) };
      document.body.append(host);
      await waitFor(() => host.preview.stream !== undefined, 'the first stream');
      const first = host.preview.stream as MediaStream;
      host.remove();
      expect(ended(first)).to.equal(true);
      document.body.append(host);
      await waitFor(() => devices.streams.length === 2 && host.preview.stream === devices.streams[1], 'the second stream');
      host.remove();
    });
  });
});
