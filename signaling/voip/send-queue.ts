// One call's outgoing Matrix events, sent one at a time in the order the machine asked for them. An event
// the homeserver cannot take for now (unreachable, a 5xx, a 429) is tried again with backoff, and everything
// after it waits: the peer must see an answer before its candidates, and candidates before the hangup. An
// event stops being tried only when it can no longer matter, and the reason is logged; a refusal (any other
// error) is final and reported to the call.
//
// matrix-js-sdk's own retry is no help here: its MatrixScheduler exists only if the app created the client
// with one, serves the whole client rather than one call, gives up after four attempts, and never retries a
// network error (calculateRetryBackoff without retryConnectionError), which is what an outage is.
import { MxError } from '../errors.js';
import type { Logger } from '../log.js';
import { HomeserverUnavailableError } from '../errors.js';

/** Time and timers, injected so that tests can step through backoffs and deadlines. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Waits between attempts at one event: doubling from `firstMs` up to `maxMs`. The cap is short because the
 * peer is waiting too: after an outage the queue should drain within seconds of the homeserver's return.
 */
export const RETRY_BACKOFF = { firstMs: 500, maxMs: 3_000 } as const;

/**
 * How long after its call ended a hangup or reject is still tried. The peer's call goes on until it hears
 * from us or gives up by itself (matrix-js-sdk: ICE disconnected for 30 s); past that the event tells nobody.
 */
export const FINAL_EVENT_GIVE_UP_MS = 60_000;

/** How one event ended: it reached the homeserver, the homeserver refused it, or it stopped mattering. */
export type SendOutcome = 'sent' | 'refused' | 'dropped';

/** Events that end the call at the peer's side; they outlive the call. */
const FINAL_EVENTS: ReadonlySet<string> = new Set(['m.call.hangup', 'm.call.reject']);
/** Events about media of a call that goes on; once it ended they tell the peer nothing. */
const LIVE_CALL_EVENTS: ReadonlySet<string> = new Set(['m.call.candidates', 'm.call.negotiate', 'm.call.sdp_stream_metadata_changed']);

export interface SendQueueOptions {
  /** Sends one event. Every attempt at an event passes its same transaction id, so a retry of a send that did arrive is a no-op. */
  send(eventType: string, content: Record<string, unknown>, txnId: string): Promise<void>;
  /** Tells the sender that a transaction that failed will not be tried again (a client may hold a local echo of it). */
  abandon?(txnId: string): void;
  /** A transaction id no other send of this device has used or will use. */
  newTxnId(): string;
  clock: Clock;
  log: Logger;
  /**
   * An event that will not reach the peer: refused by the homeserver, or dropped after failed attempts once it
   * no longer mattered (`error` is then the last failure). Events dropped before any attempt are not reported.
   */
  onUndelivered(eventType: string, error: MxError, how: 'refused' | 'gave_up'): void;
}

interface QueuedEvent {
  readonly eventType: string;
  readonly content: Record<string, unknown>;
  readonly txnId: string;
  readonly queuedAt: number;
  attempts: number;
  lastFailure: MxError | undefined;
  readonly settle: (outcome: SendOutcome) => void;
}

export class CallSendQueue {
  private readonly queue: QueuedEvent[] = [];
  /** The head's request is under way. */
  private sending = false;
  private retryTimer: unknown;
  private ended: { readonly at: number; readonly by: 'local' | 'remote' } | undefined;
  /** Where our invite is: without it the peer never heard of the call, and a hangup tells it nothing. */
  private invite: 'none' | 'queued' | 'sent' | 'undelivered' = 'none';
  private pumpScheduled = false;
  /** Sending waits for these (another call's events that must reach the peer first). */
  private gates = 0;

  constructor(private readonly options: SendQueueOptions) {}

  /** Sends nothing until `gate` settles, however it settles. */
  holdUntil(gate: Promise<unknown>): void {
    this.gates += 1;
    void gate.then(() => undefined, () => undefined).then(() => {
      this.gates -= 1;
      this.schedulePump();
    });
  }

  /** Events not yet sent, the one under way included. */
  get length(): number {
    return this.queue.length;
  }

  /**
   * Queues an event behind those before it. Resolves with its outcome; never rejects. Sending starts in a
   * microtask, so that every event of one machine transition is queued (and judged) before the first goes.
   */
  enqueue(eventType: string, content: Record<string, unknown>): Promise<SendOutcome> {
    return new Promise((settle) => {
      if (eventType === 'm.call.invite') this.invite = 'queued';
      this.queue.push({ eventType, content, txnId: this.options.newTxnId(), queuedAt: this.options.clock.now(), attempts: 0, lastFailure: undefined, settle });
      this.schedulePump();
    });
  }

  /**
   * The call ended: what no longer matters is dropped now (the request under way finishes first), and the
   * hangup or reject that remains is tried until FINAL_EVENT_GIVE_UP_MS after the end.
   */
  callEnded(endedBy: 'local' | 'remote'): void {
    if (this.ended) return;
    this.ended = { at: this.options.clock.now(), by: endedBy };
    this.dropUseless();
    this.schedulePump();
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.sending || this.retryTimer !== undefined || this.gates > 0) return;
    this.dropUseless();
    const head = this.queue[0];
    if (head) void this.attempt(head);
  }

  /** Drops every event that no longer matters, except the one whose request is under way. */
  private dropUseless(): void {
    for (let index = this.sending ? 1 : 0; index < this.queue.length;) {
      const event = this.queue[index]!;
      const reason = this.uselessBecause(event);
      if (reason === undefined) {
        index += 1;
        continue;
      }
      this.queue.splice(index, 1);
      this.drop(event, reason);
    }
  }

  private uselessBecause(event: QueuedEvent): string | undefined {
    const now = this.options.clock.now();
    if (event.eventType === 'm.call.invite') {
      const lifetime = event.content.lifetime;
      if (typeof lifetime === 'number' && now - event.queuedAt >= lifetime) return `its lifetime (${lifetime} ms) ran out`;
      if (this.ended) return 'the call ended before it went out';
    }
    const ended = this.ended;
    if (!ended) return undefined;
    if (ended.by === 'remote') return 'the peer ended the call';
    if (LIVE_CALL_EVENTS.has(event.eventType)) return 'the call ended';
    // An invite still queued comes first and is dropped first; one under way may yet arrive.
    if (this.invite === 'undelivered') return 'the peer never got our invite';
    if (FINAL_EVENTS.has(event.eventType) && now - ended.at >= FINAL_EVENT_GIVE_UP_MS) {
      return `not sent within ${FINAL_EVENT_GIVE_UP_MS / 1000} s of the call's end`;
    }
    return undefined;
  }

  private async attempt(event: QueuedEvent): Promise<void> {
    this.sending = true;
    event.attempts += 1;
    let failure: unknown;
    let sent = false;
    try {
      await this.options.send(event.eventType, this.contentToSend(event), event.txnId);
      sent = true;
    } catch (error) {
      failure = error;
    }
    this.sending = false;
    if (sent) {
      this.queue.shift();
      if (event.eventType === 'm.call.invite') this.invite = 'sent';
      if (event.attempts > 1) this.options.log.info(`${event.eventType} sent at attempt ${event.attempts}`);
      event.settle('sent');
    } else if (failure instanceof HomeserverUnavailableError) {
      event.lastFailure = failure;
      const delay = failure.retryAfterMs ?? backoffMs(event.attempts);
      // The first failure says what happened; the rest of an outage is one line per attempt at debug level.
      const line = `${event.eventType} not sent (${failure.message}): trying again in ${delay} ms (attempt ${event.attempts})`;
      if (event.attempts === 1) this.options.log.warn(line);
      else this.options.log.debug(line);
      this.retryTimer = this.options.clock.setTimeout(() => {
        this.retryTimer = undefined;
        this.pump();
      }, delay);
      return;
    } else {
      this.queue.shift();
      const error = MxError.from(failure, 'HOMESERVER_REFUSED');
      if (event.eventType === 'm.call.invite') this.invite = 'undelivered';
      this.options.log.warn(`${event.eventType} refused by the homeserver, not tried again: ${error.message}`);
      this.options.abandon?.(event.txnId);
      event.settle('refused');
      this.options.onUndelivered(event.eventType, error, 'refused');
    }
    this.pump();
  }

  /** An invite that waited tells the peer how long it still stands, not how long it stood when queued. */
  private contentToSend(event: QueuedEvent): Record<string, unknown> {
    const lifetime = event.content.lifetime;
    if (event.eventType !== 'm.call.invite' || typeof lifetime !== 'number') return event.content;
    const waited = this.options.clock.now() - event.queuedAt;
    if (waited <= 0) return event.content;
    return { ...event.content, lifetime: Math.max(1, lifetime - waited) };
  }

  private drop(event: QueuedEvent, reason: string): void {
    if (event.eventType === 'm.call.invite') this.invite = 'undelivered';
    if (event.lastFailure) {
      this.options.log.warn(`gave up on ${event.eventType} after ${event.attempts} attempts (${event.lastFailure.message}): ${reason}`);
      this.options.abandon?.(event.txnId);
    } else {
      this.options.log.info(`${event.eventType} not sent: ${reason}`);
    }
    event.settle('dropped');
    if (event.lastFailure) this.options.onUndelivered(event.eventType, event.lastFailure, 'gave_up');
  }
}

export function backoffMs(attempts: number): number {
  return Math.min(RETRY_BACKOFF.maxMs, RETRY_BACKOFF.firstMs * 2 ** Math.max(0, attempts - 1));
}

/** A transaction id unique to this device: time plus 64 random bits (a counter would repeat after a reload). */
export function newTransactionId(): string {
  const random = crypto.getRandomValues(new Uint32Array(2));
  return `mxck${Date.now().toString(36)}.${random[0]!.toString(36)}${random[1]!.toString(36)}`;
}
