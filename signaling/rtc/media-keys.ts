// Per-participant media keys for an encrypted room's group call, as Element Call uses them: matrix-js-sdk's
// MatrixRTCSession exchanges the keys over Olm-encrypted to-device messages, and LiveKit's E2EE worker encrypts
// and decrypts the frames with them. This module imports livekit-client: it loads with group calls only.
import { BaseKeyProvider } from 'livekit-client';
import type { ClientEvent, MatrixClient, MatrixEvent } from 'matrix-js-sdk';
import { isRecord } from '../json.js';
import type { Logger } from '../log.js';

/** The to-device type that carries MatrixRTC media keys. */
export const ENCRYPTION_KEYS_EVENT = 'io.element.call.encryption_keys';

/**
 * Keys by LiveKit identity and index. The ring holds 256 keys because matrix-js-sdk's indexes run 0–255 and the
 * worker stores a key at `index % keyringSize`; the ratchet window is Element Call's.
 *
 * No failure tolerance: LiveKit's worker otherwise marks a key invalid after 10 frames that do not decrypt, and
 * then drops every frame at that index until the key is set again. A burst of such frames around a reconnection
 * (LiveKit restarted, say) froze a member for good, though their key never changed; each frame that does not
 * decrypt is still dropped on its own.
 */
export class MatrixRtcKeyProvider extends BaseKeyProvider {
  constructor() {
    super({ ratchetWindowSize: 10, keyringSize: 256, failureTolerance: -1 });
  }

  /** Hands the worker `key` for `identity` at `index` (a raw key, imported for HKDF as the worker derives from it). */
  async setKey(identity: string, key: Uint8Array<ArrayBuffer>, index: number): Promise<void> {
    const cryptoKey = await crypto.subtle.importKey('raw', key, 'HKDF', false, ['deriveBits', 'deriveKey']);
    this.onSetEncryptionKey(cryptoKey, identity, index);
  }
}

/** matrix-js-sdk's key indexes run 0–255; the worker would store any other at `index % 256`, over a real one. */
const MAX_KEY_INDEX = 255;
/** Base64 of 64 bytes: four times the 16-byte keys matrix-js-sdk makes, and far below a costly size. */
const MAX_KEY_LENGTH = 88;

/**
 * Why an Olm-encrypted media key message cannot be used, for what matrix-js-sdk does not check itself (it checks
 * the room, the presence of the key and of the claimed device): an index out of its range, a key that is not
 * base64 or is oversized. Undefined when it is fine.
 */
export function mediaKeyContentProblem(content: unknown): string | undefined {
  const keys = isRecord(content) ? content.keys : undefined;
  if (!isRecord(keys)) return undefined;
  const { index, key } = keys;
  if (typeof index === 'number' && (!Number.isInteger(index) || index < 0 || index > MAX_KEY_INDEX)) {
    return `key index ${String(index).slice(0, 32)} is not an integer from 0 to ${MAX_KEY_INDEX}`;
  }
  if (typeof key === 'string') {
    if (key.length > MAX_KEY_LENGTH) return `the key is ${key.length} characters long, more than ${MAX_KEY_LENGTH}`;
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(key)) return 'the key is not base64';
  }
  return undefined;
}

type Listener = (...args: never[]) => unknown;

// The value of ClientEvent.ToDeviceEvent, without loading matrix-js-sdk's root module for one string.
const TO_DEVICE_EVENT: `${ClientEvent.ToDeviceEvent}` = 'toDeviceEvent';

/**
 * The client as a MatrixRTCSession should see it, where media keys that did not arrive Olm-encrypted do not
 * exist: matrix-js-sdk's key transport takes every `io.element.call.encryption_keys` to-device message, and a
 * plaintext one can come from anyone who knows our device id, so it is dropped here with a logged reason.
 */
export function clientTakingOnlyEncryptedKeys(client: MatrixClient, log: Logger): MatrixClient {
  const wrapped = new WeakMap<Listener, Listener>();
  const wrap = (event: unknown, listener: Listener): Listener => {
    if (event !== TO_DEVICE_EVENT) return listener;
    let guarded = wrapped.get(listener);
    if (!guarded) {
      guarded = ((toDevice: MatrixEvent) => {
        if (toDevice.getType() === ENCRYPTION_KEYS_EVENT) {
          const problem = toDevice.isEncrypted() ? mediaKeyContentProblem(toDevice.getContent()) : 'they were sent unencrypted';
          if (problem) {
            log.warn(`media keys from ${toDevice.getSender() ?? 'an unknown sender'} dropped: ${problem}`);
            return;
          }
        }
        (listener as (toDevice: MatrixEvent) => void)(toDevice);
      }) as Listener;
      wrapped.set(listener, guarded);
    }
    return guarded;
  };
  return new Proxy(client, {
    get(target, property) {
      if (property === 'on' || property === 'addListener') {
        return (event: string, listener: Listener) => {
          target.on(event as ClientEvent.ToDeviceEvent, wrap(event, listener) as never);
          return target;
        };
      }
      if (property === 'off' || property === 'removeListener') {
        return (event: string, listener: Listener) => {
          target.off(event as ClientEvent.ToDeviceEvent, (wrapped.get(listener) ?? listener) as never);
          return target;
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
