// Per-participant media keys for an encrypted room's group call, as Element Call uses them: matrix-js-sdk's
// MatrixRTCSession exchanges the keys over Olm-encrypted to-device messages, and LiveKit's E2EE worker encrypts
// and decrypts the frames with them. This module imports livekit-client: it loads with group calls only.
import { BaseKeyProvider } from 'livekit-client';
import type { ClientEvent, MatrixClient, MatrixEvent } from 'matrix-js-sdk';
import type { Logger } from '../log.js';

/** The to-device type that carries MatrixRTC media keys. */
export const ENCRYPTION_KEYS_EVENT = 'io.element.call.encryption_keys';

/**
 * Keys by LiveKit identity and index. The ring holds 256 keys because matrix-js-sdk's indexes run 0–255 and the
 * worker stores a key at `index % keyringSize`; the ratchet window is Element Call's.
 */
export class MatrixRtcKeyProvider extends BaseKeyProvider {
  constructor() {
    super({ ratchetWindowSize: 10, keyringSize: 256 });
  }

  /** Hands the worker `key` for `identity` at `index` (a raw key, imported for HKDF as the worker derives from it). */
  async setKey(identity: string, key: Uint8Array<ArrayBuffer>, index: number): Promise<void> {
    const cryptoKey = await crypto.subtle.importKey('raw', key, 'HKDF', false, ['deriveBits', 'deriveKey']);
    this.onSetEncryptionKey(cryptoKey, identity, index);
  }
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
        if (toDevice.getType() === ENCRYPTION_KEYS_EVENT && !toDevice.isEncrypted()) {
          log.warn(`media keys from ${toDevice.getSender() ?? 'an unknown sender'} dropped: they were sent unencrypted`);
          return;
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
