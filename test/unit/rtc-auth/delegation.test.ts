import { expect } from '@open-wc/testing';
import {
  MAX_WAIT_MS,
  nextWakeAt,
  retryDelayMs,
  startDelegation,
  transition,
  watchesPresence,
  type DelegationEvent,
  type DelegationPhase,
  type DelegationState,
} from '../../../services/rtc-auth/delegation.js';

const T0 = 1_000_000;
const DELAY = 10_000;

/** Replays real events from a fresh delegation, each at its time, and returns the state they lead to. */
function replay(steps: Array<[DelegationEvent, number]>, delay = DELAY): DelegationState {
  let state = startDelegation(delay, T0);
  for (const [event, at] of steps) {
    const result = transition(state, event, at);
    if (result.ignored !== undefined) throw new Error(`setup step ${event.type} was ignored: ${result.ignored}`);
    state = result.state;
  }
  return state;
}

const present: DelegationEvent = { type: 'presence', present: true };
const absent: DelegationEvent = { type: 'presence', present: false };
const tick: DelegationEvent = { type: 'tick' };
const restarted: DelegationEvent = { type: 'restart-result', outcome: 'ok' };

const STATES: Record<string, () => DelegationState> = {
  waiting: () => startDelegation(DELAY, T0),
  'connected, restarting': () => replay([[present, T0 + 100]]),
  'connected, restarted at T0+200': () => replay([[present, T0 + 100], [restarted, T0 + 200]]),
  'sending (participant left)': () => replay([[present, T0 + 100], [restarted, T0 + 200], [absent, T0 + 3_000]]),
  'sending, a send failed': () => replay([[present, T0 + 100], [restarted, T0 + 200], [absent, T0 + 3_000], [{ type: 'send-result', outcome: 'failed', detail: '502' }, T0 + 3_100]]),
  ended: () => replay([[present, T0 + 100], [restarted, T0 + 200], [absent, T0 + 3_000], [{ type: 'send-result', outcome: 'ok' }, T0 + 3_100]]),
};

interface Row {
  from: keyof typeof STATES;
  event: DelegationEvent;
  at: number;
  phase: DelegationPhase;
  /** The effects other than logs. */
  actions: string[];
  ignored?: boolean;
  check?: (state: DelegationState) => void;
}

const ROWS: Row[] = [
  // waiting
  { from: 'waiting', event: present, at: T0 + 100, phase: 'connected', actions: ['restart'] },
  { from: 'waiting', event: absent, at: T0 + 100, phase: 'waiting', actions: [], ignored: true },
  { from: 'waiting', event: tick, at: T0 + DELAY - 1, phase: 'waiting', actions: [], ignored: true },
  {
    from: 'waiting', event: tick, at: T0 + DELAY, phase: 'sending', actions: ['send'],
    check: (state) => expect(state.sendUntil).to.equal(T0 + DELAY + 1_000),
  },
  { from: 'waiting', event: restarted, at: T0 + 100, phase: 'waiting', actions: [], ignored: true },
  { from: 'waiting', event: { type: 'replaced' }, at: T0 + 100, phase: 'ended', actions: [] },
  { from: 'waiting', event: { type: 'shutdown' }, at: T0 + 100, phase: 'ended', actions: [] },
  // connected with a restart under way
  { from: 'connected, restarting', event: tick, at: T0 + 5_000, phase: 'connected', actions: [], ignored: true },
  {
    from: 'connected, restarting', event: restarted, at: T0 + 200, phase: 'connected', actions: [],
    check: (state) => {
      expect(state.firesAt).to.equal(T0 + 200 + DELAY);
      expect(state.nextAttemptAt).to.equal(T0 + 200 + 8_000);
    },
  },
  {
    from: 'connected, restarting', event: { type: 'restart-result', outcome: 'failed', detail: '502' }, at: T0 + 200, phase: 'connected', actions: [],
    check: (state) => {
      expect(state.failures).to.equal(1);
      expect(state.nextAttemptAt).to.equal(T0 + 200 + 1_000);
    },
  },
  {
    from: 'connected, restarting', event: { type: 'restart-result', outcome: 'failed' }, at: T0 + DELAY, phase: 'ended', actions: [],
    check: (state) => expect(state.endReason).to.contain('until the delay ran out'),
  },
  {
    from: 'connected, restarting', event: { type: 'restart-result', outcome: 'not-found' }, at: T0 + 200, phase: 'ended', actions: [],
    check: (state) => expect(state.endReason).to.contain('no longer has the delayed event'),
  },
  { from: 'connected, restarting', event: absent, at: T0 + 200, phase: 'sending', actions: ['send'] },
  // connected between restarts
  { from: 'connected, restarted at T0+200', event: present, at: T0 + 2_000, phase: 'connected', actions: [], ignored: true },
  { from: 'connected, restarted at T0+200', event: tick, at: T0 + 8_199, phase: 'connected', actions: [], ignored: true },
  { from: 'connected, restarted at T0+200', event: tick, at: T0 + 8_200, phase: 'connected', actions: ['restart'] },
  { from: 'connected, restarted at T0+200', event: restarted, at: T0 + 2_000, phase: 'connected', actions: [], ignored: true },
  {
    from: 'connected, restarted at T0+200', event: absent, at: T0 + 3_000, phase: 'sending', actions: ['send'],
    check: (state) => expect(state.sendUntil, 'retries until the event would fire anyway').to.equal(T0 + 200 + DELAY),
  },
  { from: 'connected, restarted at T0+200', event: { type: 'replaced' }, at: T0 + 3_000, phase: 'ended', actions: [] },
  // sending
  { from: 'sending (participant left)', event: { type: 'send-result', outcome: 'ok' }, at: T0 + 3_100, phase: 'ended', actions: [] },
  { from: 'sending (participant left)', event: { type: 'send-result', outcome: 'not-found' }, at: T0 + 3_100, phase: 'ended', actions: [] },
  {
    from: 'sending (participant left)', event: { type: 'send-result', outcome: 'failed' }, at: T0 + 3_100, phase: 'sending', actions: [],
    check: (state) => expect(state.nextAttemptAt).to.equal(T0 + 4_100),
  },
  {
    from: 'sending (participant left)', event: { type: 'send-result', outcome: 'failed' }, at: T0 + 200 + DELAY, phase: 'ended', actions: [],
    check: (state) => expect(state.endReason).to.contain('could not be sent'),
  },
  { from: 'sending (participant left)', event: present, at: T0 + 3_100, phase: 'sending', actions: [], ignored: true },
  { from: 'sending (participant left)', event: restarted, at: T0 + 3_100, phase: 'sending', actions: [], ignored: true },
  { from: 'sending, a send failed', event: tick, at: T0 + 4_099, phase: 'sending', actions: [], ignored: true },
  { from: 'sending, a send failed', event: tick, at: T0 + 4_100, phase: 'sending', actions: ['send'] },
  { from: 'sending, a send failed', event: { type: 'send-result', outcome: 'ok' }, at: T0 + 3_200, phase: 'sending', actions: [], ignored: true },
  // ended
  { from: 'ended', event: present, at: T0 + 4_000, phase: 'ended', actions: [], ignored: true },
  { from: 'ended', event: { type: 'send-result', outcome: 'ok' }, at: T0 + 4_000, phase: 'ended', actions: [], ignored: true },
  { from: 'ended', event: { type: 'replaced' }, at: T0 + 4_000, phase: 'ended', actions: [], ignored: true },
];

describe('rtc-auth delegated delayed leave (transition)', () => {
  for (const row of ROWS) {
    const detail = 'outcome' in row.event ? ` ${row.event.outcome}` : 'present' in row.event ? ` ${row.event.present ? 'present' : 'absent'}` : '';
    it(`${row.from} + ${row.event.type}${detail} at T0+${row.at - T0} → ${row.phase}${row.actions.length ? ` (${row.actions.join(', ')})` : ''}${row.ignored ? ', ignored' : ''}`, () => {
      const from = STATES[row.from]!();
      const result = transition(from, row.event, row.at);
      expect(result.state.phase).to.equal(row.phase);
      expect(result.effects.filter((effect) => effect.type !== 'log').map((effect) => effect.type)).to.deep.equal(row.actions);
      if (row.ignored) {
        expect(result.ignored, 'an ignored event says why').to.be.a('string').and.not.equal('');
        expect(result.state).to.equal(from);
      } else {
        expect(result.ignored).to.equal(undefined);
      }
      row.check?.(result.state);
    });
  }

  it('every ending says why in the log', () => {
    for (const row of ROWS.filter((r) => r.phase === 'ended' && !r.ignored)) {
      const result = transition(STATES[row.from]!(), row.event, row.at);
      expect(result.state.endReason).to.be.a('string');
      expect(result.effects.some((effect) => effect.type === 'log' && effect.message.includes(result.state.endReason ?? '?'))).to.equal(true);
    }
  });

  it('waits for the participant at most an hour, even for a longer delay', () => {
    const state = startDelegation(24 * 60 * 60_000, T0);
    expect(nextWakeAt(state)).to.equal(T0 + MAX_WAIT_MS);
    expect(transition(state, tick, T0 + MAX_WAIT_MS).effects.map((effect) => effect.type)).to.include('send');
  });

  it('keeps a participant alive through many restarts, each at 80 % of the delay', () => {
    let state = replay([[present, T0]]);
    let now = T0;
    for (let round = 0; round < 20; round++) {
      state = transition(state, restarted, now).state;
      expect(nextWakeAt(state)).to.equal(now + 8_000);
      now += 8_000;
      const due = transition(state, tick, now);
      expect(due.effects.map((effect) => effect.type)).to.deep.equal(['restart']);
      state = due.state;
    }
    expect(state.phase).to.equal('connected');
    expect(now - T0, 'well past the delay').to.be.greaterThan(10 * DELAY);
  });

  it('backs off failed attempts 1.5× each, up to 30 s', () => {
    expect([1, 2, 3, 4, 20].map(retryDelayMs)).to.deep.equal([1_000, 1_500, 2_250, 3_375, 30_000]);
  });

  it('watches presence only while waiting or connected', () => {
    expect(Object.entries(STATES).map(([name, make]) => [name, watchesPresence(make())])).to.deep.equal([
      ['waiting', true],
      ['connected, restarting', true],
      ['connected, restarted at T0+200', true],
      ['sending (participant left)', false],
      ['sending, a send failed', false],
      ['ended', false],
    ]);
  });
});
