import { expect } from '@open-wc/testing';
import { AtCapacity, VisitorAccounts, type Timers } from '../../../services/visitor/accounts.js';
import { HomeserverError, type Homeserver } from '../../../services/visitor/homeserver.js';
import type { Logger } from '../../../services/shared/log.js';
import { parseState, serializeState, StateFile } from '../../../services/visitor/state.js';

const SERVER = 'example.org';
const LIFETIME = 60_000;

/** A clock and timers driven by the test: `advance` runs what falls due, then lets the promises settle. */
function manualTimers(start = 1_000_000): Timers & { advance(ms: number): Promise<void>; pending(): number } {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, { at: number; callback: () => void }>();
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
  return {
    now: () => now,
    setTimeout: (callback, ms) => {
      const id = nextId++;
      timers.set(id, { at: now + ms, callback });
      return id;
    },
    clearTimeout: (handle) => { timers.delete(handle as number); },
    pending: () => timers.size,
    async advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, timer]) => timer.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].callback();
        for (let i = 0; i < 5; i++) await settle();
      }
      now = until;
      for (let i = 0; i < 5; i++) await settle();
    },
  };
}

type Call = [string, ...string[]];

/** A homeserver that records calls; `down` makes every call fail as unreachable. */
function fakeHomeserver() {
  const calls: Call[] = [];
  const deactivated = new Set<string>();
  let counter = 0;
  const fake = {
    calls,
    deactivated,
    down: false,
    failDisplayName: false,
    refuseDeactivation: false,
    homeserver: {
      register: async (localpart: string, deviceName: string) => {
        calls.push(['register', localpart, deviceName]);
        if (fake.down) throw new HomeserverError('unreachable', 'connection refused');
        counter++;
        return { userId: `@${localpart}:${SERVER}`, accessToken: `token-${counter}`, deviceId: `DEVICE${counter}` };
      },
      setDisplayName: async (userId: string, accessToken: string, name: string) => {
        calls.push(['displayname', userId, accessToken, name]);
        if (fake.failDisplayName) throw new HomeserverError('unreachable', 'answered 502', 502);
      },
      whoami: async () => { throw new Error('not used'); },
      resolveAlias: async () => { throw new Error('not used'); },
      join: async () => { throw new Error('not used'); },
      deactivate: async (userId: string) => {
        calls.push(['deactivate', userId]);
        if (fake.down) throw new HomeserverError('unreachable', 'connection refused');
        if (fake.refuseDeactivation) throw new HomeserverError('refused', 'answered 403 M_FORBIDDEN', 403, 'M_FORBIDDEN');
        deactivated.add(userId);
      },
    } satisfies Homeserver,
  };
  return fake;
}

function memoryState(initial?: string) {
  const file = { text: initial };
  const state = new StateFile({ read: () => Promise.resolve(file.text), write: (text) => { file.text = text; return Promise.resolve(); } });
  return { file, state, ids: () => (file.text === undefined ? [] : parseState(file.text).accounts.map((a) => a.userId)) };
}

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function setUp(options: { maxAccounts?: number; stateText?: string } = {}) {
  const hs = fakeHomeserver();
  const timers = manualTimers();
  const stored = memoryState(options.stateText);
  let suffix = 0;
  const accounts = new VisitorAccounts({
    homeserver: hs.homeserver,
    state: stored.state,
    timers,
    logger: quiet,
    serverName: SERVER,
    localpartPrefix: 'visitor-',
    displayName: 'Visitor from example.org',
    lifetimeMs: LIFETIME,
    maxAccounts: options.maxAccounts ?? 10,
    randomSuffix: () => `r${++suffix}`,
    retryMs: 5_000,
  });
  return { hs, timers, stored, accounts };
}

describe('visitor accounts', () => {
  it('registers a visitor, names it, records it, and hands out its credentials with the deadline', async () => {
    const { hs, timers, stored, accounts } = setUp();
    const session = await accounts.create();
    expect(session).to.deep.equal({ userId: '@visitor-r1:example.org', accessToken: 'token-1', deviceId: 'DEVICE1', expiresAt: timers.now() + LIFETIME });
    expect(hs.calls).to.deep.equal([
      ['register', 'visitor-r1', 'Visitor from example.org'],
      ['displayname', '@visitor-r1:example.org', 'token-1', 'Visitor from example.org'],
    ]);
    expect(stored.ids()).to.deep.equal(['@visitor-r1:example.org']);
    expect(stored.file.text).to.not.include('token-1');
  });

  it('deactivates an account when its lifetime runs out, and forgets it', async () => {
    const { hs, timers, stored, accounts } = setUp();
    await accounts.create();
    await timers.advance(LIFETIME - 1);
    expect(hs.deactivated.size).to.equal(0);
    await timers.advance(1);
    expect([...hs.deactivated]).to.deep.equal(['@visitor-r1:example.org']);
    expect(accounts.size).to.equal(0);
    expect(stored.ids()).to.deep.equal([]);
    expect(timers.pending()).to.equal(0);
  });

  it('deactivates on demand, once, even when asked twice at the same time', async () => {
    const { hs, timers, accounts } = setUp();
    const { userId } = await accounts.create();
    expect(await Promise.all([accounts.deactivate(userId, 'ended'), accounts.deactivate(userId, 'ended')])).to.deep.equal([true, true]);
    expect(hs.calls.filter(([name]) => name === 'deactivate')).to.have.length(1);
    expect(timers.pending(), 'the expiry timer is cancelled').to.equal(0);
  });

  it('tries again while the homeserver is unreachable, keeping the account in the state file', async () => {
    const { hs, timers, stored, accounts } = setUp();
    const { userId } = await accounts.create();
    hs.down = true;
    expect(await accounts.deactivate(userId, 'ended')).to.equal(false);
    expect(stored.ids()).to.deep.equal([userId]);
    await timers.advance(5_000);
    expect(hs.calls.filter(([name]) => name === 'deactivate')).to.have.length(2);
    hs.down = false;
    await timers.advance(5_000);
    expect([...hs.deactivated]).to.deep.equal([userId]);
    expect(stored.ids()).to.deep.equal([]);
  });

  it('forgets an account the homeserver refuses to deactivate for good (retrying cannot help)', async () => {
    const { hs, stored, accounts } = setUp();
    const { userId } = await accounts.create();
    hs.refuseDeactivation = true;
    expect(await accounts.deactivate(userId, 'ended')).to.equal(true);
    expect(stored.ids()).to.deep.equal([]);
  });

  it('a visitor whose display name cannot be set is deactivated, and the error is passed on', async () => {
    const { hs, stored, accounts } = setUp();
    hs.failDisplayName = true;
    const error = await accounts.create().then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(HomeserverError);
    expect([...hs.deactivated]).to.deep.equal(['@visitor-r1:example.org']);
    expect(stored.ids()).to.deep.equal([]);
  });

  it('refuses a new visitor at capacity, saying when the earliest account ends', async () => {
    const { timers, accounts } = setUp({ maxAccounts: 2 });
    await accounts.create();
    await timers.advance(10_000);
    await accounts.create();
    const error = await accounts.create().then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(AtCapacity);
    expect((error as AtCapacity).retryAfterMs).to.equal(LIFETIME - 10_000);
  });

  it('counts registrations under way against the capacity', async () => {
    const { accounts } = setUp({ maxAccounts: 1 });
    const [first, second] = await Promise.allSettled([accounts.create(), accounts.create()]);
    expect(first.status).to.equal('fulfilled');
    expect(second.status === 'rejected' && second.reason instanceof AtCapacity).to.equal(true);
    expect(accounts.size).to.equal(1);
  });

  it('takes over an earlier run\'s accounts: overdue ones now, the others on time; strangers are left alone', async () => {
    const timersAtStart = 1_000_000;
    const stateText = serializeState([
      { userId: '@visitor-old:example.org', expiresAt: timersAtStart - 1 },
      { userId: '@visitor-later:example.org', expiresAt: timersAtStart + 30_000 },
      { userId: '@alice:example.org', expiresAt: timersAtStart - 1 },
      { userId: '@visitor-x:elsewhere.org', expiresAt: timersAtStart - 1 },
    ]);
    const { hs, timers, stored, accounts } = setUp({ stateText });
    await accounts.restore();
    expect(stored.ids()).to.deep.equal(['@visitor-old:example.org', '@visitor-later:example.org']);
    await timers.advance(0);
    expect([...hs.deactivated]).to.deep.equal(['@visitor-old:example.org']);
    await timers.advance(30_000);
    expect([...hs.deactivated]).to.deep.equal(['@visitor-old:example.org', '@visitor-later:example.org']);
    expect(stored.ids()).to.deep.equal([]);
  });

  it('stop deactivates every live account and takes no new one; what fails stays in the state file', async () => {
    const { hs, stored, accounts } = setUp();
    const first = await accounts.create();
    const second = await accounts.create();
    const original = hs.homeserver.deactivate;
    hs.homeserver.deactivate = async (userId: string) => {
      if (userId === second.userId) throw new HomeserverError('unreachable', 'timeout');
      return original(userId);
    };
    await accounts.stop();
    expect([...hs.deactivated]).to.deep.equal([first.userId]);
    expect(stored.ids()).to.deep.equal([second.userId]);
    const error = await accounts.create().then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(HomeserverError);
  });

  it('knows its namespace', () => {
    const { accounts } = setUp();
    expect(accounts.isVisitor('@visitor-abc:example.org')).to.equal(true);
    for (const id of ['@alice:example.org', '@visitor-abc:example.org.evil', '@visitor-abc:other.org', '@visitor-a:b:example.org', '@xvisitor-abc:example.org']) {
      expect(accounts.isVisitor(id), id).to.equal(false);
    }
  });
});
