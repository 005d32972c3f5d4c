import { expect } from '@open-wc/testing';
import { MxError, type MxErrorCode } from '../../../signaling/errors.js';
import { getDisplayMedia, getUserMedia, watchMediaPermissions, type PermissionsSource } from '../../../signaling/media/index.js';

/** A `mediaDevices` stand-in whose capture methods record their constraints, then do what `outcome` says. */
function fakeMediaDevices(outcome: () => MediaStream) {
  const calls: { method: 'getUserMedia' | 'getDisplayMedia'; constraints: unknown }[] = [];
  return {
    calls,
    getUserMedia: async (constraints?: MediaStreamConstraints) => {
      calls.push({ method: 'getUserMedia', constraints });
      return outcome();
    },
    getDisplayMedia: async (constraints?: DisplayMediaStreamOptions) => {
      calls.push({ method: 'getDisplayMedia', constraints });
      return outcome();
    },
  };
}

const rejectingWith = (error: unknown) =>
  fakeMediaDevices(() => {
    throw error;
  });

const granting = () => fakeMediaDevices(() => new MediaStream());

async function rejectionOf(promise: Promise<unknown>): Promise<MxError> {
  let outcome: unknown;
  try {
    outcome = await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(MxError);
    return error as MxError;
  }
  throw new Error(`expected a rejection, got ${String(outcome)}`);
}

const stopAll = (stream: MediaStream): void => stream.getTracks().forEach((track) => track.stop());

describe('signaling/media getUserMedia', () => {
  describe('error mapping', () => {
    const FAILURES: { name: string; code: MxErrorCode; message: string }[] = [
      { name: 'NotAllowedError', code: 'MEDIA_PERMISSION_DENIED', message: 'Permission to use the camera and microphone was denied.' },
      { name: 'SecurityError', code: 'MEDIA_PERMISSION_DENIED', message: 'This page is not allowed to use the camera and microphone.' },
      { name: 'NotFoundError', code: 'MEDIA_DEVICE_NOT_FOUND', message: 'No camera and microphone was found.' },
      { name: 'OverconstrainedError', code: 'MEDIA_DEVICE_NOT_FOUND', message: 'No camera and microphone supports the requested settings.' },
      {
        name: 'NotReadableError',
        code: 'MEDIA_DEVICE_IN_USE',
        message: 'The camera and microphone could not be started; another application may be using it.',
      },
      {
        name: 'AbortError',
        code: 'MEDIA_DEVICE_IN_USE',
        message: 'The camera and microphone could not be started; another application may be using it.',
      },
      { name: 'NotSupportedError', code: 'MEDIA_UNSUPPORTED', message: 'This browser cannot capture the camera and microphone.' },
      { name: 'InvalidStateError', code: 'INVALID_CONFIGURATION', message: 'The camera and microphone cannot be requested from this page now.' },
      { name: 'InvalidAccessError', code: 'INVALID_CONFIGURATION', message: 'The camera and microphone cannot be requested from this page now.' },
      { name: 'SomeFutureError', code: 'UNKNOWN', message: 'The camera and microphone could not be opened (the browser said no).' },
    ];

    for (const { name, code, message } of FAILURES) {
      it(`maps ${name} to ${code}, keeping the browser's error as the cause`, async () => {
        const thrown = new DOMException('the browser said no', name);
        const error = await rejectionOf(getUserMedia({ audio: true, video: true }, {}, rejectingWith(thrown)));
        expect(error.code).to.equal(code);
        expect(error.message).to.equal(message);
        expect(error.cause).to.equal(thrown);
      });
    }

    it("maps Chrome's own OverconstrainedError class to MEDIA_DEVICE_NOT_FOUND", async () => {
      const thrown = new OverconstrainedError('deviceId', 'no such camera');
      const error = await rejectionOf(getUserMedia({ video: true }, {}, rejectingWith(thrown)));
      expect(error.code).to.equal('MEDIA_DEVICE_NOT_FOUND');
      expect(error.message).to.equal('No camera supports the requested settings.');
    });

    it('maps a TypeError (bad constraints) to INVALID_CONFIGURATION with its detail', async () => {
      const thrown = new TypeError('width must be a number');
      const error = await rejectionOf(getUserMedia({ audio: true }, {}, rejectingWith(thrown)));
      expect(error.code).to.equal('INVALID_CONFIGURATION');
      expect(error.message).to.equal('The browser rejected the constraints for the microphone (width must be a number).');
      expect(error.cause).to.equal(thrown);
    });

    it('maps something that is not an error to UNKNOWN', async () => {
      const error = await rejectionOf(getUserMedia({ audio: true }, {}, rejectingWith('nope')));
      expect(error.code).to.equal('UNKNOWN');
      expect(error.message).to.equal('The microphone could not be opened.');
      expect(error.cause).to.equal('nope');
    });

    it('passes an MxError through unchanged', async () => {
      const thrown = new MxError('MEDIA_DEVICE_IN_USE', 'busy');
      expect(await rejectionOf(getUserMedia({ audio: true }, {}, rejectingWith(thrown)))).to.equal(thrown);
    });

    const SUBJECTS: { request: { audio?: boolean; video?: boolean }; message: string }[] = [
      { request: { audio: true }, message: 'Permission to use the microphone was denied.' },
      { request: { video: true }, message: 'Permission to use the camera was denied.' },
      { request: { audio: true, video: true }, message: 'Permission to use the camera and microphone was denied.' },
    ];

    for (const { request, message } of SUBJECTS) {
      it(`names what was asked for: ${JSON.stringify(request)}`, async () => {
        const error = await rejectionOf(getUserMedia(request, {}, rejectingWith(new DOMException('', 'NotAllowedError'))));
        expect(error.message).to.equal(message);
      });
    }

    const MISSING: { name: string; mediaDevices: Partial<Pick<MediaDevices, 'getUserMedia'>> | null }[] = [
      { name: 'no mediaDevices (an insecure page)', mediaDevices: null },
      { name: 'a mediaDevices without getUserMedia', mediaDevices: {} },
    ];

    for (const { name, mediaDevices } of MISSING) {
      it(`rejects with MEDIA_UNSUPPORTED given ${name}`, async () => {
        const error = await rejectionOf(getUserMedia({ audio: true }, {}, mediaDevices));
        expect(error.code).to.equal('MEDIA_UNSUPPORTED');
        expect(error.message).to.equal('This browser cannot capture the microphone.');
      });
    }

    for (const request of [{}, { audio: false, video: false }]) {
      it(`rejects ${JSON.stringify(request)} with INVALID_CONFIGURATION without asking the browser`, async () => {
        const mediaDevices = granting();
        const error = await rejectionOf(getUserMedia(request, {}, mediaDevices));
        expect(error.code).to.equal('INVALID_CONFIGURATION');
        expect(mediaDevices.calls).to.deep.equal([]);
      });
    }
  });

  describe('constraints', () => {
    const AUDIO = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
    const VIDEO = { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 30 } };

    const CASES: { name: string; request: Parameters<typeof getUserMedia>[0]; selection?: Parameters<typeof getUserMedia>[1]; expected: MediaStreamConstraints }[] = [
      { name: 'call defaults', request: { audio: true, video: true }, expected: { audio: AUDIO, video: VIDEO } },
      { name: 'audio only', request: { audio: true }, expected: { audio: AUDIO, video: false } },
      { name: 'video only', request: { video: true, audio: false }, expected: { audio: false, video: VIDEO } },
      {
        name: 'exactly the selected devices',
        request: { audio: true, video: true },
        selection: { camera: 'cam-2', microphone: 'mic-3', speaker: 'spk-1' },
        expected: { audio: { ...AUDIO, deviceId: { exact: 'mic-3' } }, video: { ...VIDEO, deviceId: { exact: 'cam-2' } } },
      },
      {
        name: 'only the selected device of a requested kind',
        request: { audio: true },
        selection: { camera: 'cam-2', microphone: 'mic-3' },
        expected: { audio: { ...AUDIO, deviceId: { exact: 'mic-3' } }, video: false },
      },
      {
        name: 'no device id for a default (undefined or empty) selection',
        request: { audio: true, video: true },
        selection: { camera: undefined, microphone: '' },
        expected: { audio: AUDIO, video: VIDEO },
      },
      {
        name: 'caller constraints over defaults and selection',
        request: { audio: { noiseSuppression: false }, video: { width: { ideal: 320 }, deviceId: { exact: 'cam-9' } } },
        selection: { camera: 'cam-2', microphone: 'mic-3' },
        expected: {
          audio: { ...AUDIO, noiseSuppression: false, deviceId: { exact: 'mic-3' } },
          video: { ...VIDEO, width: { ideal: 320 }, deviceId: { exact: 'cam-9' } },
        },
      },
    ];

    for (const { name, request, selection, expected } of CASES) {
      it(`asks for ${name}`, async () => {
        const mediaDevices = granting();
        await getUserMedia(request, selection, mediaDevices);
        expect(mediaDevices.calls).to.deep.equal([{ method: 'getUserMedia', constraints: expected }]);
      });
    }

    for (const name of ['OverconstrainedError', 'NotFoundError']) {
      it(`asks again for ideal devices, so the browser falls back, when a selected one is gone (${name})`, async () => {
        const stream = new MediaStream();
        let attempts = 0;
        const mediaDevices = fakeMediaDevices(() => {
          attempts += 1;
          if (attempts === 1) throw new DOMException('gone', name);
          return stream;
        });
        expect(await getUserMedia({ audio: true, video: true }, { camera: 'cam-2' }, mediaDevices)).to.equal(stream);
        expect(mediaDevices.calls.map((c) => c.constraints)).to.deep.equal([
          { audio: AUDIO, video: { ...VIDEO, deviceId: { exact: 'cam-2' } } },
          { audio: AUDIO, video: { ...VIDEO, deviceId: { ideal: 'cam-2' } } },
        ]);
      });
    }

    it('maps the error of the fallback request when that fails too', async () => {
      let attempts = 0;
      const mediaDevices = fakeMediaDevices(() => {
        attempts += 1;
        throw new DOMException('no', attempts === 1 ? 'OverconstrainedError' : 'NotReadableError');
      });
      const error = await rejectionOf(getUserMedia({ video: true }, { camera: 'cam-2' }, mediaDevices));
      expect(error.code).to.equal('MEDIA_DEVICE_IN_USE');
      expect(mediaDevices.calls).to.have.length(2);
    });

    const NO_RETRY: { name: string; selection: Parameters<typeof getUserMedia>[1]; error: string }[] = [
      { name: 'when permission is denied', selection: { camera: 'cam-2' }, error: 'NotAllowedError' },
      { name: 'when the device is busy', selection: { camera: 'cam-2' }, error: 'NotReadableError' },
      { name: 'when nothing was selected', selection: {}, error: 'OverconstrainedError' },
      { name: 'when only an unrequested kind was selected', selection: { microphone: 'mic-3' }, error: 'NotFoundError' },
    ];

    for (const { name, selection, error } of NO_RETRY) {
      it(`asks only once ${name}`, async () => {
        const mediaDevices = rejectingWith(new DOMException('no', error));
        await rejectionOf(getUserMedia({ video: true }, selection, mediaDevices));
        expect(mediaDevices.calls).to.have.length(1);
      });
    }

    it("resolves with the browser's stream", async () => {
      const stream = new MediaStream();
      expect(await getUserMedia({ audio: true }, {}, fakeMediaDevices(() => stream))).to.equal(stream);
    });
  });

  describe("with Chromium's fake devices", () => {
    it('returns a live audio and video track at the default 640×360', async () => {
      const stream = await getUserMedia({ audio: true, video: true });
      try {
        expect(stream.getAudioTracks().map((t) => t.readyState)).to.deep.equal(['live']);
        expect(stream.getVideoTracks().map((t) => t.readyState)).to.deep.equal(['live']);
        const video = stream.getVideoTracks()[0]?.getSettings();
        expect([video?.width, video?.height]).to.deep.equal([640, 360]);
        const audio = stream.getAudioTracks()[0]?.getSettings();
        expect([audio?.echoCancellation, audio?.noiseSuppression, audio?.autoGainControl]).to.deep.equal([true, true, true]);
      } finally {
        stopAll(stream);
      }
    });

    it('opens the selected microphone', async () => {
      const microphones = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'audioinput');
      const last = microphones.at(-1);
      expect(microphones.length).to.be.greaterThan(1);
      const stream = await getUserMedia({ audio: true }, { microphone: last?.deviceId });
      try {
        expect(stream.getAudioTracks()[0]?.getSettings().deviceId).to.equal(last?.deviceId);
      } finally {
        stopAll(stream);
      }
    });

    it('falls back to another camera when the selected one is gone', async () => {
      const stream = await getUserMedia({ video: true }, { camera: 'unplugged-camera' });
      try {
        expect(stream.getVideoTracks()).to.have.length(1);
        expect(stream.getVideoTracks()[0]?.getSettings().deviceId).not.to.equal('unplugged-camera');
      } finally {
        stopAll(stream);
      }
    });
  });
});

describe('signaling/media getDisplayMedia', () => {
  const FAILURES: { name: string; code: MxErrorCode; message: string }[] = [
    { name: 'NotAllowedError', code: 'MEDIA_PERMISSION_DENIED', message: 'Screen sharing was cancelled or is not allowed.' },
    { name: 'NotFoundError', code: 'MEDIA_DEVICE_NOT_FOUND', message: 'There is nothing to share.' },
    { name: 'NotReadableError', code: 'MEDIA_DEVICE_IN_USE', message: 'Screen sharing could not be started.' },
    { name: 'AbortError', code: 'MEDIA_DEVICE_IN_USE', message: 'Screen sharing could not be started.' },
    { name: 'NotSupportedError', code: 'MEDIA_UNSUPPORTED', message: 'This browser cannot capture the screen.' },
    { name: 'InvalidStateError', code: 'INVALID_CONFIGURATION', message: 'Screen sharing has to start from a user action, such as a click.' },
    { name: 'InvalidAccessError', code: 'INVALID_CONFIGURATION', message: 'Screen sharing has to start from a user action, such as a click.' },
  ];

  for (const { name, code, message } of FAILURES) {
    it(`maps ${name} to ${code}`, async () => {
      const thrown = new DOMException('the browser said no', name);
      const error = await rejectionOf(getDisplayMedia({}, rejectingWith(thrown)));
      expect(error.code).to.equal(code);
      expect(error.message).to.equal(message);
      expect(error.cause).to.equal(thrown);
    });
  }

  for (const mediaDevices of [null, {}]) {
    it(`rejects with MEDIA_UNSUPPORTED given ${JSON.stringify(mediaDevices)} as mediaDevices`, async () => {
      const error = await rejectionOf(getDisplayMedia({}, mediaDevices));
      expect(error.code).to.equal('MEDIA_UNSUPPORTED');
      expect(error.message).to.equal('This browser cannot capture the screen.');
    });
  }

  const CASES: { request?: { audio?: boolean }; audio: boolean }[] = [{ audio: false }, { request: { audio: true }, audio: true }];

  for (const { request, audio } of CASES) {
    it(`asks for a screen at up to 30 fps, ${audio ? 'with' : 'without'} audio, given ${JSON.stringify(request)}`, async () => {
      const mediaDevices = granting();
      await getDisplayMedia(request, mediaDevices);
      expect(mediaDevices.calls).to.deep.equal([
        { method: 'getDisplayMedia', constraints: { video: { frameRate: { ideal: 15, max: 30 } }, audio } },
      ]);
    });
  }
});

/** A Permissions API stand-in: each name's status is a live EventTarget whose `state` the test sets. */
function fakePermissions(initial: Partial<Record<'camera' | 'microphone', PermissionState | 'unsupported'>>) {
  const statuses = new Map<string, PermissionStatus & { listeners: number }>();
  const queried: string[] = [];
  const source: PermissionsSource = {
    query: async ({ name }) => {
      queried.push(name);
      const state = initial[name as 'camera' | 'microphone'];
      if (state === undefined || state === 'unsupported') throw new TypeError(`'${name}' is not a valid value for enumeration PermissionName.`);
      const status = Object.assign(new EventTarget(), { name, state, onchange: null, listeners: 0 });
      const add = status.addEventListener.bind(status);
      const remove = status.removeEventListener.bind(status);
      status.addEventListener = (...args: Parameters<EventTarget['addEventListener']>) => { status.listeners += 1; add(...args); };
      status.removeEventListener = (...args: Parameters<EventTarget['removeEventListener']>) => { status.listeners -= 1; remove(...args); };
      statuses.set(name, status as PermissionStatus & { listeners: number });
      return status as PermissionStatus;
    },
  };
  /** What the browser does when the person changes a permission: the status object changes and says so. */
  const change = (name: 'camera' | 'microphone', state: PermissionState): void => {
    const status = statuses.get(name);
    if (!status) throw new Error(`${name} was never queried`);
    (status as { state: PermissionState }).state = state;
    status.dispatchEvent(new Event('change'));
  };
  return { source, queried, statuses, change };
}

describe('signaling/media watchMediaPermissions', () => {
  const TABLE: { camera: PermissionState | 'unsupported'; microphone: PermissionState | 'unsupported'; video: boolean; voice: boolean }[] = [
    { camera: 'granted', microphone: 'granted', video: true, voice: true },
    { camera: 'prompt', microphone: 'granted', video: false, voice: true },
    { camera: 'granted', microphone: 'prompt', video: false, voice: false },
    { camera: 'denied', microphone: 'granted', video: false, voice: true },
    { camera: 'granted', microphone: 'denied', video: false, voice: false },
    { camera: 'unsupported', microphone: 'granted', video: false, voice: true },
    { camera: 'unsupported', microphone: 'unsupported', video: false, voice: false },
  ];
  for (const row of TABLE) {
    it(`camera ${row.camera}, microphone ${row.microphone}: video ${row.video}, voice ${row.voice}`, async () => {
      const permissions = fakePermissions({ camera: row.camera, microphone: row.microphone });
      const watch = watchMediaPermissions(permissions.source);
      expect(await watch.granted(true)).to.equal(row.video);
      expect(await watch.granted(false)).to.equal(row.voice);
      watch.dispose();
    });
  }

  it('asks the browser once, when it starts, however many calls read it', async () => {
    const permissions = fakePermissions({ camera: 'granted', microphone: 'granted' });
    const watch = watchMediaPermissions(permissions.source);
    expect(permissions.queried.sort()).to.deep.equal(['camera', 'microphone']);
    for (let i = 0; i < 3; i++) expect(await watch.granted(true)).to.equal(true);
    expect(permissions.queried).to.have.length(2);
    watch.dispose();
  });

  it('follows a permission the person grants or revokes later, without asking again', async () => {
    const permissions = fakePermissions({ camera: 'prompt', microphone: 'prompt' });
    const watch = watchMediaPermissions(permissions.source);
    expect(await watch.granted(true)).to.equal(false);
    permissions.change('microphone', 'granted');
    permissions.change('camera', 'granted');
    expect(await watch.granted(true)).to.equal(true);
    permissions.change('camera', 'denied');
    expect(await watch.granted(true)).to.equal(false);
    expect(await watch.granted(false)).to.equal(true);
    expect(permissions.queried).to.have.length(2);
    watch.dispose();
  });

  it('listens to each status while it watches (Chromium only updates a status that has a listener), and stops when disposed', async () => {
    const permissions = fakePermissions({ camera: 'granted', microphone: 'granted' });
    const watch = watchMediaPermissions(permissions.source);
    await watch.granted(true);
    expect([...permissions.statuses.values()].map((status) => status.listeners)).to.deep.equal([1, 1]);
    watch.dispose();
    expect([...permissions.statuses.values()].map((status) => status.listeners)).to.deep.equal([0, 0]);
  });

  it('adds no listener to a status that arrives after it was disposed', async () => {
    const permissions = fakePermissions({ camera: 'granted', microphone: 'granted' });
    const watch = watchMediaPermissions(permissions.source);
    watch.dispose();
    await watch.granted(true);
    expect([...permissions.statuses.values()].map((status) => status.listeners)).to.deep.equal([0, 0]);
  });

  it('says false where there is no Permissions API (the caller then waits for getUserMedia)', async () => {
    const watch = watchMediaPermissions(null);
    expect(await watch.granted(true)).to.equal(false);
    expect(await watch.granted(false)).to.equal(false);
  });

  it("agrees with a fresh query of Chromium's own Permissions API", async () => {
    const watch = watchMediaPermissions();
    const [camera, microphone] = await Promise.all((['camera', 'microphone'] as PermissionName[]).map((name) => navigator.permissions.query({ name })));
    expect(await watch.granted(true)).to.equal(camera?.state === 'granted' && microphone?.state === 'granted');
    expect(await watch.granted(false)).to.equal(microphone?.state === 'granted');
    watch.dispose();
  });
});
