// One delegated delayed leave (MSC4140, lk-jwt-service's contract) as a pure state machine:
// transition(state, event, now) → { state, effects }. While the member's LiveKit participant is in the room the
// service restarts the member's delayed leave event before it fires; once the participant has gone (or never
// came), the service sends the leave at once, so the membership goes even when the page can no longer do it.
// The timers live in the state (absolute times); delegations.ts runs the effects and feeds the results back.

export const DELEGATION_PHASES = ['waiting', 'connected', 'sending', 'ended'] as const;
export type DelegationPhase = (typeof DELEGATION_PHASES)[number];

/** How long a delegation waits for its participant to appear before it sends the leave (lk-jwt-service: 1 h). */
export const MAX_WAIT_MS = 60 * 60_000;
/** Restart at 80 % of the delay after each successful restart, as lk-jwt-service does. */
export const RESTART_FRACTION = 0.8;
/** A failed restart or send is retried after this, growing 1.5× per failure up to MAX_RETRY_MS. */
export const FIRST_RETRY_MS = 1_000;
export const MAX_RETRY_MS = 30_000;
/** Even when the delay has passed, the leave gets this long of attempts. */
export const MIN_SEND_WINDOW_MS = 1_000;

export interface DelegationState {
  readonly phase: DelegationPhase;
  readonly delayTimeoutMs: number;
  /** waiting: when we stop waiting for the participant and send the leave. */
  readonly waitUntil: number;
  /** When the homeserver sends the delayed event unless it is restarted (our best guess until the first restart). */
  readonly firesAt: number;
  /** When the next restart (connected) or send attempt (sending) is due; undefined while one is under way. */
  readonly nextAttemptAt: number | undefined;
  /** sending: the last moment a failed send is tried again. */
  readonly sendUntil: number;
  /** Consecutive failures of the current restart or send, for the retry delay. */
  readonly failures: number;
  /** ended: why, for the log. */
  readonly endReason: string | undefined;
}

export type ActionOutcome = 'ok' | 'not-found' | 'failed';

export type DelegationEvent =
  /** The participant list of the LiveKit room, asked just now: whether our identity is in it. */
  | { readonly type: 'presence'; readonly present: boolean }
  /** Time passed: timers due at `now` fire. */
  | { readonly type: 'tick' }
  | { readonly type: 'restart-result'; readonly outcome: ActionOutcome; readonly detail?: string }
  | { readonly type: 'send-result'; readonly outcome: ActionOutcome; readonly detail?: string }
  /** A new delegation for the same member and room takes over. */
  | { readonly type: 'replaced' }
  /** The service stops (the delayed event is left to the homeserver and the page). */
  | { readonly type: 'shutdown' };

export type DelegationEffect =
  | { readonly type: 'restart' }
  | { readonly type: 'send' }
  | { readonly type: 'log'; readonly level: 'debug' | 'info' | 'warn'; readonly message: string };

export interface DelegationTransition {
  readonly state: DelegationState;
  readonly effects: readonly DelegationEffect[];
  /** Set when the event changed nothing, saying why. */
  readonly ignored?: string;
}

/**
 * A new delegation, created when the client handed the delayed event over. The client restarted it at most
 * just before, so it fires `delayTimeoutMs` from now at the latest.
 */
export function startDelegation(delayTimeoutMs: number, now: number): DelegationState {
  return {
    phase: 'waiting',
    delayTimeoutMs,
    waitUntil: now + Math.min(MAX_WAIT_MS, delayTimeoutMs),
    firesAt: now + delayTimeoutMs,
    nextAttemptAt: undefined,
    sendUntil: 0,
    failures: 0,
    endReason: undefined,
  };
}

export function retryDelayMs(failures: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 1.5 ** Math.max(0, failures - 1));
}

const ignore = (state: DelegationState, why: string): DelegationTransition => ({ state, effects: [], ignored: why });

function end(state: DelegationState, reason: string, level: 'info' | 'warn' = 'info'): DelegationTransition {
  return {
    state: { ...state, phase: 'ended', nextAttemptAt: undefined, endReason: reason },
    effects: [{ type: 'log', level, message: `delegated leave ended: ${reason}` }],
  };
}

function startSending(state: DelegationState, why: string, now: number): DelegationTransition {
  return {
    // Retries are worth it until the homeserver would have sent the event by itself anyway.
    state: { ...state, phase: 'sending', nextAttemptAt: undefined, failures: 0, sendUntil: Math.max(state.firesAt, now + MIN_SEND_WINDOW_MS) },
    effects: [{ type: 'log', level: 'info', message: `${why}: sending the delayed leave now` }, { type: 'send' }],
  };
}

export function transition(state: DelegationState, event: DelegationEvent, now: number): DelegationTransition {
  if (state.phase === 'ended') return ignore(state, `${event.type} after the delegation ended (${state.endReason ?? '?'})`);
  if (event.type === 'replaced') return end(state, 'a newer delegation for this member took over');
  if (event.type === 'shutdown') return end(state, 'the service is stopping; the homeserver\'s delay applies');

  switch (state.phase) {
    case 'waiting':
      switch (event.type) {
        case 'presence':
          if (!event.present) return ignore(state, 'the participant has not joined the LiveKit room yet');
          // Restart at once: we do not know how long ago the client last did.
          return {
            state: { ...state, phase: 'connected', nextAttemptAt: undefined },
            effects: [{ type: 'log', level: 'info', message: 'participant is in the LiveKit room: restarting the delayed leave for it' }, { type: 'restart' }],
          };
        case 'tick':
          if (now < state.waitUntil) return ignore(state, 'still waiting for the participant');
          return startSending(state, 'the participant never joined the LiveKit room', now);
        default:
          return ignore(state, `${event.type} while waiting for the participant`);
      }

    case 'connected':
      switch (event.type) {
        case 'presence':
          if (event.present) return ignore(state, 'the participant is still in the LiveKit room');
          return startSending(state, 'the participant left the LiveKit room', now);
        case 'tick':
          if (state.nextAttemptAt === undefined || now < state.nextAttemptAt) return ignore(state, 'no restart due');
          return { state: { ...state, nextAttemptAt: undefined }, effects: [{ type: 'restart' }] };
        case 'restart-result':
          if (state.nextAttemptAt !== undefined) return ignore(state, 'a restart result when none was under way');
          if (event.outcome === 'ok') {
            return {
              state: { ...state, firesAt: now + state.delayTimeoutMs, nextAttemptAt: now + state.delayTimeoutMs * RESTART_FRACTION, failures: 0 },
              effects: [{ type: 'log', level: 'debug', message: 'delayed leave restarted' }],
            };
          }
          if (event.outcome === 'not-found') return end(state, 'the homeserver no longer has the delayed event (sent, cancelled or replaced by the client)');
          if (now >= state.firesAt) return end(state, `restarting failed until the delay ran out (${event.detail ?? 'no detail'})`, 'warn');
          return {
            state: { ...state, failures: state.failures + 1, nextAttemptAt: Math.min(state.firesAt, now + retryDelayMs(state.failures + 1)) },
            effects: [{ type: 'log', level: 'warn', message: `restarting the delayed leave failed, trying again (${event.detail ?? 'no detail'})` }],
          };
        default:
          return ignore(state, `${event.type} while connected`);
      }

    case 'sending':
      switch (event.type) {
        case 'send-result':
          if (state.nextAttemptAt !== undefined) return ignore(state, 'a send result when none was under way');
          if (event.outcome === 'ok') return end(state, 'the leave was sent');
          if (event.outcome === 'not-found') return end(state, 'the homeserver no longer has the delayed event (already sent or cancelled)');
          if (now >= state.sendUntil) return end(state, `the leave could not be sent before the delay ran out (${event.detail ?? 'no detail'})`, 'warn');
          return {
            state: { ...state, failures: state.failures + 1, nextAttemptAt: Math.min(state.sendUntil, now + retryDelayMs(state.failures + 1)) },
            effects: [{ type: 'log', level: 'warn', message: `sending the delayed leave failed, trying again (${event.detail ?? 'no detail'})` }],
          };
        case 'tick':
          if (state.nextAttemptAt === undefined || now < state.nextAttemptAt) return ignore(state, 'no send due');
          return { state: { ...state, nextAttemptAt: undefined }, effects: [{ type: 'send' }] };
        default:
          return ignore(state, `${event.type} while sending the leave`);
      }
  }
}

/** When the delegation next needs a tick, if ever. */
export function nextWakeAt(state: DelegationState): number | undefined {
  switch (state.phase) {
    case 'waiting': return state.waitUntil;
    case 'connected':
    case 'sending': return state.nextAttemptAt;
    case 'ended': return undefined;
  }
}

/** Whether the participant list of its LiveKit room matters to the delegation. */
export function watchesPresence(state: DelegationState): boolean {
  return state.phase === 'waiting' || state.phase === 'connected';
}
