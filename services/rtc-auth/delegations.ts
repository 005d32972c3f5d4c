// Runs the delegated delayed leaves (delegation.ts) of the whole service: one per LiveKit room and identity,
// bounded per user and in total. Departures are learned by asking LiveKit's RoomService for each watched
// room's participants (one ListParticipants per room and interval, with the service's own API key), so
// LiveKit needs no webhook configuration. Timers, LiveKit and the homeserver come in as `deps`.
import type { LogFields, Logger } from '../shared/log.js';
import {
  nextWakeAt,
  startDelegation,
  transition,
  watchesPresence,
  type ActionOutcome,
  type DelegationEffect,
  type DelegationEvent,
  type DelegationState,
} from './delegation.js';

export type DelayedEventAction = 'restart' | 'send';

export interface DelegationDeps {
  /** The identities in a LiveKit room now (empty when the room does not exist); rejects when LiveKit cannot say. */
  listParticipants(room: string): Promise<ReadonlySet<string>>;
  /** Restarts or sends a delayed event on a homeserver's client-server API. Never rejects. */
  delayedEventAction(csApiUrl: string, delayId: string, action: DelayedEventAction): Promise<{ outcome: ActionOutcome; detail?: string }>;
  logger: Logger;
  clock?: DelegationClock;
}

/** Time and timers; replaced in tests. */
export interface DelegationClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const REAL_CLOCK: DelegationClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface DelegationLimits {
  /** Delegations one Matrix user may have at once (their devices and rooms together). */
  maxPerUser: number;
  maxTotal: number;
  /** How often the participants of a watched LiveKit room are listed. */
  pollIntervalMs: number;
}

export const DEFAULT_DELEGATION_LIMITS: DelegationLimits = { maxPerUser: 10, maxTotal: 1_000, pollIntervalMs: 2_000 };

export interface DelegationRequest {
  /** The verified Matrix user. */
  userId: string;
  /** The LiveKit room name (derived alias) and the participant identity to watch in it. */
  room: string;
  identity: string;
  delayId: string;
  delayTimeoutMs: number;
  /** Where the delayed event lives: the user's homeserver's client-server API. */
  csApiUrl: string;
}

export type AddResult = { ok: true; replaced: boolean } | { ok: false; reason: string };

interface Job {
  readonly request: DelegationRequest;
  state: DelegationState;
  timer: unknown;
}

const keyOf = (room: string, identity: string): string => `${room}\n${identity}`;

export class Delegations {
  private readonly jobs = new Map<string, Job>();
  private readonly polling = new Set<string>();
  private pollTimer: unknown;
  private closed = false;
  private readonly clock: DelegationClock;

  constructor(
    private readonly deps: DelegationDeps,
    private readonly limits: DelegationLimits = DEFAULT_DELEGATION_LIMITS,
  ) {
    this.clock = deps.clock ?? REAL_CLOCK;
  }

  /** Active delegations (for logs and tests). */
  get size(): number {
    return this.jobs.size;
  }

  /** Takes a delayed leave over, replacing the member's previous one in the same room. */
  add(request: DelegationRequest): AddResult {
    if (this.closed) return { ok: false, reason: 'the service is stopping' };
    const key = keyOf(request.room, request.identity);
    const previous = this.jobs.get(key);
    const others = [...this.jobs.values()].filter((job) => job !== previous);
    if (others.filter((job) => job.request.userId === request.userId).length >= this.limits.maxPerUser) {
      return { ok: false, reason: `${request.userId} already has ${this.limits.maxPerUser} delegated delayed leaves, the most one user may have` };
    }
    if (others.length >= this.limits.maxTotal) {
      return { ok: false, reason: `the service already holds ${this.limits.maxTotal} delegated delayed leaves, the most it takes` };
    }
    if (previous) this.dispatch(previous, { type: 'replaced' });
    const job: Job = { request, state: startDelegation(request.delayTimeoutMs, this.clock.now()), timer: undefined };
    this.jobs.set(key, job);
    this.log(job, 'info', 'delayed leave delegated', { delayTimeoutMs: request.delayTimeoutMs, replaced: previous !== undefined });
    this.schedule(job);
    this.ensurePolling();
    this.pollSafely(request.room);
    return { ok: true, replaced: previous !== undefined };
  }

  /** Ends every delegation without sending anything: the homeserver's delays and the pages take over. */
  close(): void {
    this.closed = true;
    for (const job of [...this.jobs.values()]) this.dispatch(job, { type: 'shutdown' });
    this.stopPolling();
  }

  private dispatch(job: Job, event: DelegationEvent): void {
    // A replaced or ended job's late results land in its 'ended' state, which ignores them.
    const result = transition(job.state, event, this.clock.now());
    if (result.ignored !== undefined) {
      if (event.type !== 'tick' && event.type !== 'presence') this.log(job, 'debug', `ignored ${event.type}: ${result.ignored}`);
      // A timer can fire a moment before Date.now() reaches its time (monotonic clock, rounding): set it again.
      if (event.type === 'tick') this.schedule(job);
      return;
    }
    job.state = result.state;
    for (const effect of result.effects) this.run(job, effect);
    if (job.state.phase === 'ended') {
      if (job.timer !== undefined) this.clock.clearTimeout(job.timer);
      job.timer = undefined;
      const key = keyOf(job.request.room, job.request.identity);
      if (this.jobs.get(key) === job) this.jobs.delete(key);
      return;
    }
    this.schedule(job);
  }

  private run(job: Job, effect: DelegationEffect): void {
    if (effect.type === 'log') {
      this.log(job, effect.level, effect.message);
      return;
    }
    const resultType = effect.type === 'restart' ? 'restart-result' : 'send-result';
    const { csApiUrl, delayId } = job.request;
    this.deps.delayedEventAction(csApiUrl, delayId, effect.type)
      .catch((error: unknown) => ({ outcome: 'failed' as const, detail: error instanceof Error ? error.message : String(error) }))
      .then((result) => this.dispatch(job, { type: resultType, ...result }))
      .catch((error: unknown) => this.deps.logger.error('delegated leave: handling a result failed', { error: String(error) }));
  }

  private schedule(job: Job): void {
    if (job.timer !== undefined) this.clock.clearTimeout(job.timer);
    job.timer = undefined;
    const wakeAt = nextWakeAt(job.state);
    if (wakeAt === undefined) return;
    job.timer = this.clock.setTimeout(() => {
      job.timer = undefined;
      this.dispatch(job, { type: 'tick' });
    }, Math.max(0, wakeAt - this.clock.now()));
  }

  /** One round of polls every interval while some delegation watches its room; it stops by itself after. */
  private ensurePolling(): void {
    if (this.pollTimer !== undefined || this.closed) return;
    this.pollTimer = this.clock.setTimeout(() => {
      this.pollTimer = undefined;
      const rooms = new Set([...this.jobs.values()].filter((job) => watchesPresence(job.state)).map((job) => job.request.room));
      for (const room of rooms) this.pollSafely(room);
      if (rooms.size > 0) this.ensurePolling();
    }, this.limits.pollIntervalMs);
  }

  private stopPolling(): void {
    if (this.pollTimer !== undefined) this.clock.clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
  }

  private pollSafely(room: string): void {
    this.poll(room).catch((error: unknown) => this.deps.logger.error('delegated leave: handling the participant list failed', { room, error: String(error) }));
  }

  /** Lists a room's participants once (never twice at a time) and tells each of its delegations. */
  private async poll(room: string): Promise<void> {
    if (this.polling.has(room)) return;
    this.polling.add(room);
    try {
      let present: ReadonlySet<string>;
      try {
        present = await this.deps.listParticipants(room);
      } catch (error) {
        // Presence unknown: nothing changes until LiveKit answers again (the homeserver's delay still bounds it).
        this.deps.logger.warn('delegated leave: listing the LiveKit room\'s participants failed', { room, error: error instanceof Error ? error.message : String(error) });
        return;
      }
      for (const job of [...this.jobs.values()]) {
        if (job.request.room === room && watchesPresence(job.state)) this.dispatch(job, { type: 'presence', present: present.has(job.request.identity) });
      }
    } finally {
      this.polling.delete(room);
    }
  }

  private log(job: Job, level: 'debug' | 'info' | 'warn', message: string, fields: LogFields = {}): void {
    // Never the delay id: with it anyone can send or cancel the delayed event, no login needed.
    this.deps.logger[level](`delegated leave: ${message}`, {
      user: job.request.userId, room: job.request.room, identity: job.request.identity, phase: job.state.phase, ...fields,
    });
  }
}
