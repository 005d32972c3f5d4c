import { expect } from '@open-wc/testing';
import type { ActionOutcome } from '../../../services/rtc-auth/delegation.js';
import { Delegations, type DelayedEventAction, type DelegationRequest } from '../../../services/rtc-auth/delegations.js';
import type { Logger } from '../../../services/shared/log.js';
import { FakeClock } from '../../helpers/fake-clock.js';

const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

/** A LiveKit room list and a homeserver, both scripted, recording what the service asked. */
function world({ timersFireEarlyMs = 0 } = {}) {
  const clock = new FakeClock(1_000_000, timersFireEarlyMs);
  const rooms = new Map<string, Set<string>>();
  const actions: { delayId: string; action: DelayedEventAction; at: number }[] = [];
  const lines: string[] = [];
  let answer: ActionOutcome = 'ok';
  let livekitDown = false;
  const record = (level: string) => (message: string, fields?: Record<string, unknown>) => lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  const logger: Logger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
  const delegations = new Delegations({
    listParticipants: (room) => (livekitDown ? Promise.reject(new Error('LiveKit down')) : Promise.resolve(new Set(rooms.get(room) ?? []))),
    delayedEventAction: (_url, delayId, action) => {
      actions.push({ delayId, action, at: clock.now() });
      return Promise.resolve({ outcome: answer, detail: `scripted ${answer}` });
    },
    logger,
    clock,
  }, { maxPerUser: 2, maxTotal: 3, pollIntervalMs: 2_000 });
  return {
    clock, rooms, actions, lines, delegations,
    answer: (outcome: ActionOutcome) => { answer = outcome; },
    livekit: (down: boolean) => { livekitDown = down; },
    advance: (ms: number) => clock.advance(ms, settle),
  };
}

const request = (overrides: Partial<DelegationRequest> = {}): DelegationRequest => ({
  userId: '@alice:example.org', room: 'ROOM', identity: 'alice-dev', delayId: 'syd_1', delayTimeoutMs: 10_000, csApiUrl: 'https://hs.example.org', ...overrides,
});

describe('rtc-auth delegations (runner)', () => {
  it('keeps restarting while the participant is in the room, then sends the leave once it has gone', async () => {
    const w = world();
    w.rooms.set('ROOM', new Set(['alice-dev']));
    expect(w.delegations.add(request())).to.deep.equal({ ok: true, replaced: false });
    await settle();
    expect(w.actions.map((a) => a.action), 'restarted at once').to.deep.equal(['restart']);
    await w.advance(60_000);
    const restarts = w.actions.filter((a) => a.action === 'restart');
    expect(restarts.length, 'every 8 s for a minute, well past the 10 s delay').to.equal(1 + 7);
    w.rooms.set('ROOM', new Set());
    await w.advance(2_000);
    expect(w.actions.at(-1)?.action).to.equal('send');
    expect(w.delegations.size).to.equal(0);
    await w.advance(60_000);
    expect(w.actions.filter((a) => a.action === 'send').length, 'sent once, nothing after').to.equal(1);
    expect(w.lines.join('\n')).to.contain('the participant left the LiveKit room').and.to.contain('the leave was sent');
    expect(w.lines.join('\n'), 'the delay id is a capability: never logged').not.to.contain('syd_1');
  });

  it('a timer that fires a moment early is set again, not lost (the leave fired in CI when one was)', async () => {
    const w = world({ timersFireEarlyMs: 1 });
    w.rooms.set('ROOM', new Set(['alice-dev']));
    w.delegations.add(request());
    await w.advance(60_000);
    expect(w.actions.filter((a) => a.action === 'restart').length, 'every 8 s for a minute').to.equal(1 + 7);
    const gaps = w.actions.slice(1).map((a, i) => a.at - w.actions[i]!.at);
    expect(Math.max(...gaps), 'never a gap as long as the delay').to.be.below(10_000);
  });

  it('sends the leave when the participant never joins within the delay', async () => {
    const w = world();
    w.delegations.add(request());
    await w.advance(9_999);
    expect(w.actions).to.deep.equal([]);
    await w.advance(1);
    expect(w.actions.map((a) => a.action)).to.deep.equal(['send']);
  });

  it('changes nothing while LiveKit cannot say who is in the room, and logs why', async () => {
    const w = world();
    w.rooms.set('ROOM', new Set(['alice-dev']));
    w.delegations.add(request());
    await settle();
    w.livekit(true);
    await w.advance(6_000);
    expect(w.actions.every((a) => a.action === 'restart')).to.equal(true);
    expect(w.lines.join('\n')).to.contain('listing the LiveKit room\'s participants failed');
  });

  it('a new delegation for the same member replaces the old one; its late results change nothing', async () => {
    const w = world();
    w.rooms.set('ROOM', new Set(['alice-dev']));
    w.delegations.add(request({ delayId: 'syd_old' }));
    await settle();
    expect(w.delegations.add(request({ delayId: 'syd_new' }))).to.deep.equal({ ok: true, replaced: true });
    await w.advance(20_000);
    expect(w.actions.filter((a) => a.delayId === 'syd_old').length).to.equal(1);
    expect(w.actions.filter((a) => a.delayId === 'syd_new').length).to.be.greaterThan(1);
    expect(w.delegations.size).to.equal(1);
  });

  it('stops when the homeserver no longer has the delayed event (the client left or sent a new one)', async () => {
    const w = world();
    w.rooms.set('ROOM', new Set(['alice-dev']));
    w.answer('not-found');
    w.delegations.add(request());
    await settle();
    await w.advance(30_000);
    expect(w.actions.map((a) => a.action)).to.deep.equal(['restart']);
    expect(w.delegations.size).to.equal(0);
  });

  it('bounds delegations per user and in total, replacements not counted', () => {
    const w = world();
    expect(w.delegations.add(request({ identity: 'a1' })).ok).to.equal(true);
    expect(w.delegations.add(request({ identity: 'a2' })).ok).to.equal(true);
    expect(w.delegations.add(request({ identity: 'a2', delayId: 'syd_2' })).ok, 'a replacement').to.equal(true);
    const third = w.delegations.add(request({ identity: 'a3' }));
    expect(third.ok).to.equal(false);
    expect(!third.ok && third.reason).to.contain('@alice:example.org already has 2');
    expect(w.delegations.add(request({ userId: '@bob:example.org', identity: 'b1' })).ok).to.equal(true);
    const full = w.delegations.add(request({ userId: '@carol:example.org', identity: 'c1' }));
    expect(!full.ok && full.reason).to.contain('already holds 3');
  });

  it('close ends everything without sending, and takes nothing new', async () => {
    const w = world();
    w.rooms.set('ROOM', new Set(['alice-dev']));
    w.delegations.add(request());
    await settle();
    w.delegations.close();
    await w.advance(60_000);
    expect(w.actions.map((a) => a.action)).to.deep.equal(['restart']);
    expect(w.clock.pending, 'no timer left').to.deep.equal([]);
    expect(w.delegations.add(request()).ok).to.equal(false);
  });
});
