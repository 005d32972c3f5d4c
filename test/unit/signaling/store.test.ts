import { expect } from '@open-wc/testing';
import { MxError, type MxErrorCode } from '../../../signaling/errors.js';
import { createStore } from '../../../signaling/store/store.js';
import { spyOnConsole } from '../../helpers/browser/console-spy.js';

describe('signaling/store createStore', () => {
  const sameObject = { a: 1 };

  const SETS: { name: string; initial: unknown; next: unknown; notifies: boolean }[] = [
    { name: 'a different number', initial: 1, next: 2, notifies: true },
    { name: 'the same number', initial: 1, next: 1, notifies: false },
    { name: 'NaN over NaN', initial: Number.NaN, next: Number.NaN, notifies: false },
    { name: '-0 over +0', initial: 0, next: -0, notifies: true },
    { name: 'the same object', initial: sameObject, next: sameObject, notifies: false },
    { name: 'an equal but new object', initial: sameObject, next: { a: 1 }, notifies: true },
  ];

  for (const { name, initial, next, notifies } of SETS) {
    it(`set(${name}) ${notifies ? 'notifies' : 'is a no-op'}`, () => {
      const store = createStore(initial);
      const seen: unknown[] = [];
      store.subscribe((snapshot) => seen.push(snapshot));
      store.set(next);
      expect(seen).to.deep.equal(notifies ? [next] : []);
      expect(Object.is(store.getSnapshot(), notifies ? next : initial)).to.equal(true);
    });
  }

  it('does not call a new subscriber with the current value', () => {
    const store = createStore(1);
    const seen: number[] = [];
    store.subscribe((snapshot) => seen.push(snapshot));
    expect(seen).to.deep.equal([]);
  });

  it('update() applies the change to the current snapshot', () => {
    const store = createStore({ count: 1 });
    const seen: { count: number }[] = [];
    store.subscribe((snapshot) => seen.push(snapshot));
    store.update((s) => ({ count: s.count + 1 }));
    store.update((s) => ({ count: s.count * 10 }));
    expect(store.getSnapshot()).to.deep.equal({ count: 20 });
    expect(seen).to.deep.equal([{ count: 2 }, { count: 20 }]);
  });

  it('update() returning the same snapshot notifies nobody', () => {
    const store = createStore({ count: 1 });
    let calls = 0;
    store.subscribe(() => (calls += 1));
    store.update((s) => s);
    expect(calls).to.equal(0);
  });

  it('stops notifying a subscriber after it unsubscribes, and only that one', () => {
    const store = createStore(0);
    const first: number[] = [];
    const second: number[] = [];
    const unsubscribeFirst = store.subscribe((snapshot) => first.push(snapshot));
    store.subscribe((snapshot) => second.push(snapshot));
    store.set(1);
    unsubscribeFirst();
    store.set(2);
    expect(first).to.deep.equal([1]);
    expect(second).to.deep.equal([1, 2]);
  });

  it('keeps notifying the other subscribers when one throws, and reports the error', () => {
    const error = spyOnConsole('error');
    try {
      const store = createStore(0);
      const before: number[] = [];
      const after: number[] = [];
      store.subscribe((snapshot) => before.push(snapshot));
      store.subscribe(() => {
        throw new Error('subscriber failure');
      });
      store.subscribe((snapshot) => after.push(snapshot));
      expect(() => store.set(1)).not.to.throw();
      expect(before).to.deep.equal([1]);
      expect(after).to.deep.equal([1]);
      expect(store.getSnapshot()).to.equal(1);
      expect(error.calls).to.have.length(1);
    } finally {
      error.restore();
    }
  });

  it('lets a subscriber unsubscribe another during a notification without skipping it this time', () => {
    const store = createStore(0);
    const seen: string[] = [];
    let unsubscribeSecond = (): void => undefined;
    store.subscribe(() => {
      seen.push('first');
      unsubscribeSecond();
    });
    unsubscribeSecond = store.subscribe(() => seen.push('second'));
    store.set(1);
    store.set(2);
    expect(seen).to.deep.equal(['first', 'second', 'first']);
  });
});

describe('signaling/errors MxError.from', () => {
  const existing = new MxError('ICE_FAILED', 'ICE failed');
  const cause = new TypeError('fetch failed');
  const thrownObject = { reason: 'x' };

  const CASES: { name: string; input: unknown; code?: MxErrorCode; expected: { code: MxErrorCode; message: string; cause: unknown } }[] = [
    { name: 'an Error', input: cause, expected: { code: 'UNKNOWN', message: 'fetch failed', cause } },
    {
      name: 'an Error with a code',
      input: cause,
      code: 'HOMESERVER_UNREACHABLE',
      expected: { code: 'HOMESERVER_UNREACHABLE', message: 'fetch failed', cause },
    },
    { name: 'a string', input: 'nope', expected: { code: 'UNKNOWN', message: 'nope', cause: 'nope' } },
    { name: 'undefined', input: undefined, expected: { code: 'UNKNOWN', message: 'undefined', cause: undefined } },
    {
      name: 'a plain object',
      input: thrownObject,
      code: 'LOGIN_FAILED',
      expected: { code: 'LOGIN_FAILED', message: '[object Object]', cause: thrownObject },
    },
  ];

  for (const { name, input, code, expected } of CASES) {
    it(`wraps ${name}`, () => {
      const error = MxError.from(input, code);
      expect(error).to.be.instanceOf(MxError);
      expect(error).to.be.instanceOf(Error);
      expect(error.name).to.equal('MxError');
      expect(error.code).to.equal(expected.code);
      expect(error.message).to.equal(expected.message);
      expect(error.cause).to.equal(expected.cause);
    });
  }

  it('returns an MxError unchanged, ignoring the code', () => {
    expect(MxError.from(existing, 'UNKNOWN')).to.equal(existing);
    expect(MxError.from(existing).code).to.equal('ICE_FAILED');
  });
});
