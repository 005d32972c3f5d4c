import { expect } from '@open-wc/testing';
import type { MatrixClient, MatrixEvent } from 'matrix-js-sdk';
import { clientTakingOnlyEncryptedKeys, ENCRYPTION_KEYS_EVENT } from '../../../signaling/rtc/media-keys.js';
import { capturingLogger } from '../../helpers/fake-voip-port.js';

const TO_DEVICE = 'toDeviceEvent';
const SYNC = 'sync';

// Stand-ins with only what the guard touches: a client's listeners and one method (to show calls reach the
// client bound to it), and to-device events as matrix-js-sdk emits them (isEncrypted() after Olm).
class EmittingClient {
  private readonly listeners = new Map<string, Set<(...args: unknown[]) => void>>();
  on(event: string, listener: (...args: unknown[]) => void): void {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)!.add(listener);
  }
  off(event: string, listener: (...args: unknown[]) => void): void {
    this.listeners.get(event)?.delete(listener);
  }
  emit(event: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(event) ?? []) listener(...args);
  }
  listenerCount(event: string): number {
    return this.listeners.get(event)?.size ?? 0;
  }
  getUserId(): string {
    return this instanceof EmittingClient ? '@me:example.org' : 'unbound';
  }
}

function toDevice(type: string, encrypted: boolean): MatrixEvent {
  return { getType: () => type, isEncrypted: () => encrypted, getSender: () => '@ann:example.org' } as MatrixEvent;
}

describe('clientTakingOnlyEncryptedKeys: media keys count only when they arrived Olm-encrypted', () => {
  function setUp() {
    const real = new EmittingClient();
    const logger = capturingLogger();
    // Seen through the stand-in's own shape: the guard returns the client with on/off replaced.
    const guarded = clientTakingOnlyEncryptedKeys(real as unknown as MatrixClient, logger) as unknown as EmittingClient;
    const received: MatrixEvent[] = [];
    const listener = (event: unknown) => received.push(event as MatrixEvent);
    guarded.on(TO_DEVICE, listener);
    return { real, guarded, received, listener, entries: logger.lines };
  }

  it('drops a plaintext key message, with a logged reason', () => {
    const { real, received, entries } = setUp();
    real.emit(TO_DEVICE, toDevice(ENCRYPTION_KEYS_EVENT, false));
    expect(received).to.have.length(0);
    expect(entries.some((entry) => entry.level === 'warn' && /@ann:example.org dropped: they were sent unencrypted/.test(entry.text))).to.equal(true);
  });

  it('passes an encrypted key message', () => {
    const { real, received } = setUp();
    const event = toDevice(ENCRYPTION_KEYS_EVENT, true);
    real.emit(TO_DEVICE, event);
    expect(received).to.deep.equal([event]);
  });

  it('passes other to-device messages as they are, encrypted or not', () => {
    const { real, received } = setUp();
    real.emit(TO_DEVICE, toDevice('m.call.invite', false));
    expect(received).to.have.length(1);
  });

  it('off() removes the listener that on() added', () => {
    const { real, guarded, received, listener } = setUp();
    guarded.off(TO_DEVICE, listener);
    real.emit(TO_DEVICE, toDevice(ENCRYPTION_KEYS_EVENT, true));
    expect(received).to.have.length(0);
    expect(real.listenerCount(TO_DEVICE)).to.equal(0);
  });

  it('leaves listeners of other events and the client\'s methods alone (bound to the client)', () => {
    const { real, guarded } = setUp();
    let synced = 0;
    guarded.on(SYNC, () => synced++);
    real.emit(SYNC);
    expect(synced).to.equal(1);
    expect(guarded.getUserId()).to.equal('@me:example.org');
  });
});
