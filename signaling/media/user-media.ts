import { MxError } from '../errors.js';
import { browserMediaDevices, insecureContext } from './environment.js';
import type { DeviceSelection } from './media.types.js';

/** What to capture: `true` for the kit's call defaults, or constraints that refine them. */
export interface UserMediaRequest {
  audio?: boolean | MediaTrackConstraints;
  video?: boolean | MediaTrackConstraints;
}

export interface DisplayMediaRequest {
  /** Also capture the shared tab's or system's audio, where the browser offers it. */
  audio?: boolean;
}

const AUDIO_DEFAULTS: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
// 360p: a call starts at a low bitrate, and larger frames are dropped and shrunk until it ramps up, which
// delays the first picture (bench/results/voip-setup.md); the browser still adapts upwards from here.
const VIDEO_DEFAULTS: MediaTrackConstraints = { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 30 } };
// Shared screens are mostly text, which stays sharp at low frame rates; the cap keeps a moving window from
// taking the call's whole upstream bandwidth.
const SCREEN_DEFAULTS: MediaTrackConstraints = { frameRate: { ideal: 15, max: 30 } };

// What the browser rejects an `exact` device id with once that device is gone.
const DEVICE_GONE = new Set(['OverconstrainedError', 'NotFoundError']);

function trackConstraints(
  wanted: boolean | MediaTrackConstraints | undefined,
  defaults: MediaTrackConstraints,
  deviceId: string | undefined,
  match: 'exact' | 'ideal',
): MediaTrackConstraints | false {
  if (!wanted) return false;
  return {
    ...defaults,
    ...(deviceId ? { deviceId: { [match]: deviceId } } : {}),
    ...(wanted === true ? {} : wanted),
  };
}

function subjectOf(request: UserMediaRequest): string {
  if (request.audio && request.video) return 'camera and microphone';
  return request.video ? 'camera' : 'microphone';
}

function errorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name } = error as { name?: unknown };
  return typeof name === 'string' ? name : undefined;
}

function detailOf(error: unknown): string {
  return error instanceof Error && error.message ? ` (${error.message})` : '';
}

/**
 * Translates what getUserMedia / getDisplayMedia reject with into an MxError. Browsers report a cancelled
 * screen picker and a refused permission with the same NotAllowedError, so both get one code.
 */
function mediaError(error: unknown, subject: string, screen: boolean): MxError {
  if (error instanceof MxError) return error;
  const fail = (code: MxError['code'], message: string) => new MxError(code, message, { cause: error });
  switch (errorName(error)) {
    case 'NotAllowedError':
      return fail(
        'MEDIA_PERMISSION_DENIED',
        screen ? 'Screen sharing was cancelled or is not allowed.' : `Permission to use the ${subject} was denied.`,
      );
    case 'SecurityError':
      return fail('MEDIA_PERMISSION_DENIED', `This page is not allowed to use the ${subject}.`);
    case 'NotFoundError':
      return fail('MEDIA_DEVICE_NOT_FOUND', screen ? 'There is nothing to share.' : `No ${subject} was found.`);
    case 'OverconstrainedError':
      return fail('MEDIA_DEVICE_NOT_FOUND', `No ${subject} supports the requested settings.`);
    // Firefox rejects with AbortError where Chrome says NotReadableError: the device is usually held by another app.
    case 'NotReadableError':
    case 'AbortError':
      return fail(
        'MEDIA_DEVICE_IN_USE',
        screen ? 'Screen sharing could not be started.' : `The ${subject} could not be started; another application may be using it.`,
      );
    case 'NotSupportedError':
      return fail('MEDIA_UNSUPPORTED', `This browser cannot capture the ${subject}.`);
    case 'TypeError':
      return fail('INVALID_CONFIGURATION', `The browser rejected the constraints for the ${subject}${detailOf(error)}.`);
    case 'InvalidStateError':
    case 'InvalidAccessError':
      return fail(
        'INVALID_CONFIGURATION',
        screen ? 'Screen sharing has to start from a user action, such as a click.' : `The ${subject} cannot be requested from this page now.`,
      );
    default:
      return fail('UNKNOWN', `The ${subject} could not be opened${detailOf(error)}.`);
  }
}

function unsupported(subject: string): MxError {
  return new MxError(
    'MEDIA_UNSUPPORTED',
    insecureContext() ? `Using the ${subject} needs a secure (https) page.` : `This browser cannot capture the ${subject}.`,
  );
}

/**
 * Opens the camera and/or microphone with call defaults (360p at 30 fps; echo cancellation, noise
 * suppression and automatic gain) on the devices in `selection`, or on the browser's default where a
 * selected device is gone. Rejects with an MxError whose code says what the user can do about it.
 * `mediaDevices` defaults to `navigator.mediaDevices`; `null` stands for a browser (or insecure page) without it.
 */
export async function getUserMedia(
  request: UserMediaRequest,
  selection: DeviceSelection = {},
  mediaDevices: Partial<Pick<MediaDevices, 'getUserMedia'>> | null = browserMediaDevices(),
): Promise<MediaStream> {
  if (!request.audio && !request.video) {
    throw new MxError('INVALID_CONFIGURATION', 'getUserMedia needs audio, video or both.');
  }
  const subject = subjectOf(request);
  const open = mediaDevices?.getUserMedia;
  if (typeof open !== 'function') throw unsupported(subject);
  const constraints = (match: 'exact' | 'ideal'): MediaStreamConstraints => ({
    audio: trackConstraints(request.audio, AUDIO_DEFAULTS, selection.microphone, match),
    video: trackConstraints(request.video, VIDEO_DEFAULTS, selection.camera, match),
  });
  const chosen = Boolean((request.audio && selection.microphone) || (request.video && selection.camera));
  try {
    // Chrome ranks audio devices by its own preference and passes over an `ideal` device id, so a chosen
    // device is asked for exactly; only when it is gone does the request fall back to `ideal`, which
    // lets the browser pick its default instead of failing.
    try {
      return await open.call(mediaDevices, constraints(chosen ? 'exact' : 'ideal'));
    } catch (error) {
      if (!chosen || !DEVICE_GONE.has(errorName(error) ?? '')) throw error;
      return await open.call(mediaDevices, constraints('ideal'));
    }
  } catch (error) {
    throw mediaError(error, subject, false);
  }
}

/**
 * Asks the user for a screen, window or tab to share. Browsers only allow this during a user action
 * (a click handler). Rejects with an MxError; `mediaDevices` is as for `getUserMedia`.
 */
export async function getDisplayMedia(
  request: DisplayMediaRequest = {},
  mediaDevices: Partial<Pick<MediaDevices, 'getDisplayMedia'>> | null = browserMediaDevices(),
): Promise<MediaStream> {
  const open = mediaDevices?.getDisplayMedia;
  if (typeof open !== 'function') throw unsupported('screen');
  try {
    return await open.call(mediaDevices, { video: { ...SCREEN_DEFAULTS }, audio: request.audio ?? false });
  } catch (error) {
    throw mediaError(error, 'screen', true);
  }
}
