import { expect } from '@open-wc/testing';
import type { MatrixClient, MatrixEvent } from 'matrix-js-sdk';
import { clientTakingOnlyEncryptedKeys, ENCRYPTION_KEYS_EVENT, MatrixRtcKeyProvider, mediaKeyContentProblem } from '../../../signaling/rtc/media-keys.js';
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

const GOOD_CONTENT = { keys: { index: 0, key: 'q83vEjRWeJCrze8SNFZ4kA==' }, member: { claimed_device_id: 'ANN' }, room_id: '!call:example.org' };

function toDevice(type: string, encrypted: boolean, content: unknown = GOOD_CONTENT): MatrixEvent {
  return { getType: () => type, isEncrypted: () => encrypted, getSender: () => '@ann:example.org', getContent: () => content } as MatrixEvent;
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

describe('mediaKeyContentProblem: what matrix-js-sdk does not check of a media key', () => {
  const table: [string, unknown, RegExp | undefined][] = [
    ['a 16-byte key at index 0', GOOD_CONTENT, undefined],
    ['index 255, the last', { keys: { index: 255, key: 'q83vEjRWeJCrze8SNFZ4kA==' } }, undefined],
    ['index 256 (would overwrite slot 0)', { keys: { index: 256, key: 'q83vEjRWeJCrze8SNFZ4kA==' } }, /not an integer from 0 to 255/],
    ['a negative index', { keys: { index: -1, key: 'q83vEjRWeJCrze8SNFZ4kA==' } }, /not an integer from 0 to 255/],
    ['a fractional index', { keys: { index: 1.5, key: 'q83vEjRWeJCrze8SNFZ4kA==' } }, /not an integer/],
    ['an oversized key', { keys: { index: 0, key: 'A'.repeat(100_000) } }, /100000 characters long, more than 88/],
    ['a key that is not base64', { keys: { index: 0, key: '<script>' } }, /not base64/],
    // Left to matrix-js-sdk, which drops them with its own log line.
    ['no keys at all', { room_id: '!call:example.org' }, undefined],
    ['content that is not an object', 'nonsense', undefined],
  ];
  for (const [name, content, problem] of table) {
    it(name, () => {
      const found = mediaKeyContentProblem(content);
      if (problem) expect(found).to.match(problem);
      else expect(found).to.equal(undefined);
    });
  }

  it('the guard drops an encrypted key message with such a problem, with its reason logged', () => {
    const real = new EmittingClient();
    const logger = capturingLogger();
    const guarded = clientTakingOnlyEncryptedKeys(real as unknown as MatrixClient, logger) as unknown as EmittingClient;
    const received: unknown[] = [];
    guarded.on(TO_DEVICE, (event) => received.push(event));
    real.emit(TO_DEVICE, toDevice(ENCRYPTION_KEYS_EVENT, true, { keys: { index: 300, key: 'q83vEjRWeJCrze8SNFZ4kA==' } }));
    expect(received).to.deep.equal([]);
    expect(logger.lines.some((line) => line.level === 'warn' && /media keys from @ann:example.org dropped: key index 300/.test(line.text))).to.equal(true);
  });
});

describe('MatrixRtcKeyProvider', () => {
  it("holds matrix-js-sdk's 256 indexes, and never lets LiveKit's worker give up on a key after frames that did not decrypt", () => {
    const options = new MatrixRtcKeyProvider().getOptions();
    expect([options.keyringSize, options.failureTolerance]).to.deep.equal([256, -1]);
  });

  it('hands the worker a raw key for HKDF, for the identity and index given', async () => {
    const provider = new MatrixRtcKeyProvider();
    await provider.setKey('@ann:example.org:ANN', new Uint8Array(16), 7);
    const [info] = provider.getKeys();
    expect([info?.participantIdentity, info?.keyIndex, info?.key.algorithm.name]).to.deep.equal(['@ann:example.org:ANN', 7, 'HKDF']);
  });
});
