import { expect } from '@open-wc/testing';
import { MxError } from '../../../signaling/errors.js';
import { HomeserverUnavailableError } from '../../../signaling/errors.js';
import { CallSendQueue, FINAL_EVENT_GIVE_UP_MS, type SendOutcome } from '../../../signaling/voip/send-queue.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { capturingLogger } from '../../helpers/fake-voip-port.js';

// One call's outgoing events against a scripted homeserver: up, down (network errors), rate limiting,
// refusing, holding a request, or storing an event and losing the reply. Each row is a script of steps and
// what the homeserver stored in the end; every row also checks that no event was dropped without a log
// line, that every attempt at one event used one transaction id, and that what was given up was abandoned.

type Mode = 'up' | 'down' | 'refusing' | 'holding' | 'stores, reply lost' | { rateLimitedMs: number };

interface Attempt {
  readonly at: number;
  readonly eventType: string;
  readonly txnId: string;
  readonly content: Record<string, unknown>;
}

class ScriptedHomeserver {
  mode: Mode = 'up';
  readonly attempts: Attempt[] = [];
  readonly stored: Attempt[] = [];
  private readonly held: (() => void)[] = [];

  constructor(private readonly clock: FakeClock) {}

  send(eventType: string, content: Record<string, unknown>, txnId: string): Promise<void> {
    const attempt = { at: this.clock.now(), eventType, txnId, content };
    this.attempts.push(attempt);
    const mode = this.mode;
    if (mode === 'down') return Promise.reject(new HomeserverUnavailableError('fetch failed', undefined));
    if (mode === 'refusing') return Promise.reject(new MxError('HOMESERVER_REFUSED', 'M_FORBIDDEN'));
    if (typeof mode === 'object') return Promise.reject(new HomeserverUnavailableError('M_LIMIT_EXCEEDED', mode.rateLimitedMs));
    if (mode === 'holding') return new Promise((resolve) => this.held.push(() => resolve(this.store(attempt))));
    this.store(attempt);
    if (mode === 'stores, reply lost') return Promise.reject(new HomeserverUnavailableError('fetch failed', undefined));
    return Promise.resolve();
  }

  release(): void {
    this.mode = 'up';
    for (const answer of this.held.splice(0)) answer();
  }

  /** As a homeserver does: a transaction id it has seen stores nothing new. */
  private store(attempt: Attempt): void {
    if (!this.stored.some((stored) => stored.txnId === attempt.txnId)) this.stored.push(attempt);
  }
}

type Step =
  | { send: string; lifetime?: number }
  | { homeserver: Mode }
  | { release: true }
  | { wait: number }
  | { end: 'local' | 'remote' };

interface Row {
  name: string;
  steps: Step[];
  /** Event types the homeserver stored, in order. */
  stored: string[];
  /** The outcome of each queued event, in the order queued; 'pending' while it has none. */
  outcomes: (SendOutcome | 'pending')[];
  /** `type how` of each event reported undelivered. */
  undelivered?: string[];
  /** Milliseconds between consecutive attempts. */
  gaps?: number[];
  /** The `lifetime` of each stored invite. */
  lifetimes?: number[];
}

const ROWS: Row[] = [
  {
    name: 'the homeserver is up: each event goes out once, in the order queued',
    steps: [{ send: 'm.call.invite' }, { send: 'm.call.candidates' }, { send: 'm.call.select_answer' }, { send: 'm.call.negotiate' }],
    stored: ['m.call.invite', 'm.call.candidates', 'm.call.select_answer', 'm.call.negotiate'],
    outcomes: ['sent', 'sent', 'sent', 'sent'],
    gaps: [0, 0, 0],
  },
  {
    name: 'an outage: the first event is tried again with backoff, the ones after it wait behind it, and all go out once it is over',
    steps: [
      { homeserver: 'down' }, { send: 'm.call.select_answer' }, { send: 'm.call.candidates' },
      { wait: 3_500 }, { homeserver: 'up' }, { wait: 3_000 },
    ],
    stored: ['m.call.select_answer', 'm.call.candidates'],
    outcomes: ['sent', 'sent'],
    gaps: [500, 1_000, 2_000, 3_000, 0],
  },
  {
    name: 'a long outage: the backoff doubles from 500 ms and stays at 3 s',
    steps: [{ homeserver: 'down' }, { send: 'm.call.candidates' }, { wait: 18_500 }],
    stored: [],
    outcomes: ['pending'],
    gaps: [500, 1_000, 2_000, 3_000, 3_000, 3_000, 3_000, 3_000],
  },
  {
    name: 'rate limited: the next attempt waits as long as the homeserver asked',
    steps: [{ homeserver: { rateLimitedMs: 7_000 } }, { send: 'm.call.candidates' }, { wait: 6_999 }, { homeserver: 'up' }, { wait: 1 }],
    stored: ['m.call.candidates'],
    outcomes: ['sent'],
    gaps: [7_000],
  },
  {
    name: 'a refusal is final: not tried again, reported, and the next event goes out',
    steps: [{ homeserver: 'refusing' }, { send: 'm.call.negotiate' }, { homeserver: 'up' }, { send: 'm.call.candidates' }, { wait: 10_000 }],
    stored: ['m.call.candidates'],
    outcomes: ['refused', 'sent'],
    undelivered: ['m.call.negotiate refused'],
  },
  {
    name: 'hung up during an outage: the candidates are dropped, the answer and then the hangup go out',
    steps: [
      { homeserver: 'down' }, { send: 'm.call.answer' }, { send: 'm.call.candidates' }, { wait: 1_000 },
      { send: 'm.call.candidates' }, { send: 'm.call.hangup' }, { end: 'local' }, { homeserver: 'up' }, { wait: 3_000 },
    ],
    stored: ['m.call.answer', 'm.call.hangup'],
    outcomes: ['sent', 'dropped', 'dropped', 'sent'],
  },
  {
    name: 'the call ends while candidates are being retried: they are given up and the hangup goes out',
    steps: [{ homeserver: 'down' }, { send: 'm.call.candidates' }, { send: 'm.call.hangup' }, { end: 'local' }, { homeserver: 'up' }, { wait: 500 }],
    stored: ['m.call.hangup'],
    outcomes: ['dropped', 'sent'],
    undelivered: ['m.call.candidates gave_up'],
  },
  {
    name: 'the peer ended the call: nothing still unsent goes out',
    steps: [
      { homeserver: 'down' }, { send: 'm.call.candidates' }, { send: 'm.call.sdp_stream_metadata_changed' }, { wait: 600 },
      { end: 'remote' }, { homeserver: 'up' }, { wait: 5_000 },
    ],
    stored: [],
    outcomes: ['dropped', 'dropped'],
    undelivered: ['m.call.candidates gave_up'],
  },
  {
    name: 'hung up before the invite could go out: the peer never heard of the call, so neither goes out',
    steps: [
      { homeserver: 'down' }, { send: 'm.call.invite' }, { send: 'm.call.candidates' }, { wait: 600 },
      { send: 'm.call.hangup' }, { end: 'local' }, { homeserver: 'up' }, { wait: 5_000 },
    ],
    stored: [],
    outcomes: ['dropped', 'dropped', 'dropped'],
    undelivered: ['m.call.invite gave_up'],
  },
  {
    name: 'the call ends while its invite is under way: the hangup follows once the invite arrives',
    steps: [{ homeserver: 'holding' }, { send: 'm.call.invite' }, { send: 'm.call.candidates' }, { send: 'm.call.hangup' }, { end: 'local' }, { release: true }],
    stored: ['m.call.invite', 'm.call.hangup'],
    outcomes: ['sent', 'dropped', 'sent'],
  },
  {
    name: 'the invite\'s lifetime runs out during an outage: it is given up',
    steps: [{ homeserver: 'down' }, { send: 'm.call.invite', lifetime: 10_000 }, { wait: 13_000 }, { homeserver: 'up' }, { wait: 5_000 }],
    stored: [],
    outcomes: ['dropped'],
    undelivered: ['m.call.invite gave_up'],
  },
  {
    name: 'an invite that waited tells the peer the lifetime it has left',
    steps: [{ homeserver: 'down' }, { send: 'm.call.invite', lifetime: 90_000 }, { wait: 3_000 }, { homeserver: 'up' }, { wait: 2_000 }],
    stored: ['m.call.invite'],
    outcomes: ['sent'],
    lifetimes: [86_500],
  },
  {
    name: 'a hangup still goes out 50 s after the end',
    steps: [{ homeserver: 'down' }, { send: 'm.call.hangup' }, { end: 'local' }, { wait: 50_000 }, { homeserver: 'up' }, { wait: 3_000 }],
    stored: ['m.call.hangup'],
    outcomes: ['sent'],
  },
  {
    name: 'a hangup is given up a minute after the end',
    steps: [{ homeserver: 'down' }, { send: 'm.call.hangup' }, { end: 'local' }, { wait: FINAL_EVENT_GIVE_UP_MS + 3_000 }, { homeserver: 'up' }, { wait: 10_000 }],
    stored: [],
    outcomes: ['dropped'],
    undelivered: ['m.call.hangup gave_up'],
  },
  {
    name: 'an event that arrived but whose reply was lost is tried again with its transaction id, and stored once',
    steps: [{ homeserver: 'stores, reply lost' }, { send: 'm.call.select_answer' }, { homeserver: 'up' }, { wait: 500 }],
    stored: ['m.call.select_answer'],
    outcomes: ['sent'],
    gaps: [500],
  },
];

/** Lets the queue's microtasks and the homeserver's promise jobs run. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('CallSendQueue', () => {
  for (const row of ROWS) {
    it(row.name, async () => {
      const clock = new FakeClock();
      const homeserver = new ScriptedHomeserver(clock);
      const log = capturingLogger();
      const undelivered: string[] = [];
      const abandoned: string[] = [];
      let nextTxn = 1;
      const queue = new CallSendQueue({
        send: (eventType, content, txnId) => homeserver.send(eventType, content, txnId),
        abandon: (txnId) => abandoned.push(txnId),
        newTxnId: () => `txn${nextTxn++}`,
        clock,
        log,
        onUndelivered: (eventType, error, how) => {
          expect(error).to.be.instanceOf(MxError);
          undelivered.push(`${eventType} ${how}`);
        },
      });
      const queued: string[] = [];
      const outcomes: (SendOutcome | 'pending')[] = [];

      for (const step of row.steps) {
        if ('send' in step) {
          const index = queued.length;
          queued.push(step.send);
          outcomes.push('pending');
          const content = step.send === 'm.call.invite' ? { lifetime: step.lifetime ?? 90_000 } : {};
          void queue.enqueue(step.send, content).then((outcome) => {
            outcomes[index] = outcome;
          });
        } else if ('homeserver' in step) {
          homeserver.mode = step.homeserver;
        } else if ('release' in step) {
          homeserver.release();
        } else if ('wait' in step) {
          await clock.advance(step.wait, settle);
        } else {
          queue.callEnded(step.end);
        }
        await settle();
      }

      expect(homeserver.stored.map((event) => event.eventType), 'stored').to.deep.equal(row.stored);
      expect(outcomes, 'outcomes').to.deep.equal(row.outcomes);
      expect(undelivered, 'reported undelivered').to.deep.equal(row.undelivered ?? []);
      if (row.gaps) {
        const gaps = homeserver.attempts.slice(1).map((attempt, i) => attempt.at - homeserver.attempts[i]!.at);
        expect(gaps, 'time between attempts').to.deep.equal(row.gaps);
      }
      if (row.lifetimes) {
        expect(homeserver.stored.filter((event) => event.eventType === 'm.call.invite').map((event) => event.content.lifetime)).to.deep.equal(row.lifetimes);
      }

      // Every attempt at one event used that event's transaction id, and no two events shared one.
      const txnOf = new Map<string, string>();
      for (const attempt of homeserver.attempts) {
        const eventKey = `${attempt.eventType}#${attempt.txnId}`;
        expect(txnOf.get(attempt.txnId) ?? eventKey, 'one transaction id per event').to.equal(eventKey);
        txnOf.set(attempt.txnId, eventKey);
      }
      // Nothing dropped silently: each dropped event left a log line naming it.
      const dropped = queued.filter((_, i) => outcomes[i] === 'dropped');
      const lines = log.lines.map((line) => line.text);
      for (const eventType of dropped) {
        expect(lines.some((line) => line.includes(eventType) && /not sent:|gave up on/u.test(line)), `a log line for the dropped ${eventType} among:\n${lines.join('\n')}`).to.equal(true);
      }
      // What failed and will not be tried again is abandoned, so a client can let go of its local echo.
      expect(abandoned.length, 'abandoned transactions').to.equal(undelivered.length);
      expect(queue.length, 'events left in the queue').to.equal(outcomes.filter((outcome) => outcome === 'pending').length);
    });
  }
});
