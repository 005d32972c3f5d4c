// Candidates that arrive before their call's invite (a sync batch, or decryption, can deliver them first),
// held so that the invite replays them. Peers choose the call ids, so what they can make us hold is bounded:
// a few calls, a call's worth of candidates each, for a minute.
import type { Logger } from '../log.js';
import type { InboundRoomEvent } from './port.js';
import { MAX_REMOTE_CANDIDATES } from './call-machine.js';
import type { CallCandidatesEvent } from './content.js';

/** Call ids held at once (the oldest gives way), and how long each is held waiting for its invite. */
export const EARLY_CANDIDATE_LIMITS = { calls: 20, holdMs: 60_000 } as const;

export interface EarlyCandidatesEvent {
  readonly event: InboundRoomEvent;
  readonly parsed: CallCandidatesEvent;
}

interface Held {
  readonly since: number;
  candidates: number;
  readonly events: EarlyCandidatesEvent[];
}

export class EarlyCandidates {
  private readonly held = new Map<string, Held>();

  constructor(private readonly log: Logger, private readonly now: () => number) {}

  /** Holds candidates for a call not known yet, unless that would go beyond the bounds (logged). */
  hold(early: EarlyCandidatesEvent): void {
    const { callId } = early.parsed;
    const now = this.now();
    this.expire(now);
    let held = this.held.get(callId);
    if (!held) {
      const oldest = this.held.keys().next();
      if (!oldest.done && this.held.size >= EARLY_CANDIDATE_LIMITS.calls) {
        this.held.delete(oldest.value);
        this.log.info(`candidates held for unknown call ${oldest.value} dropped: ${EARLY_CANDIDATE_LIMITS.calls} calls' candidates are held already`);
      }
      held = { since: now, candidates: 0, events: [] };
      this.held.set(callId, held);
    }
    if (held.candidates + early.parsed.candidates.length > MAX_REMOTE_CANDIDATES) {
      this.log.info(`m.call.candidates ${early.event.eventId} for unknown call ${callId} dropped: beyond the ${MAX_REMOTE_CANDIDATES} candidates a call takes`);
      return;
    }
    held.candidates += early.parsed.candidates.length;
    held.events.push(early);
    this.log.debug(`m.call.candidates ${early.event.eventId} for unknown call ${callId} from ${early.event.sender}: held until its invite arrives`);
  }

  /** The candidates held for `callId`, which are no longer held. */
  take(callId: string): readonly EarlyCandidatesEvent[] {
    this.expire(this.now());
    const held = this.held.get(callId);
    this.held.delete(callId);
    return held?.events ?? [];
  }

  private expire(now: number): void {
    for (const [callId, held] of this.held) {
      // Held in the order they came: the first one still young ends the search.
      if (now - held.since <= EARLY_CANDIDATE_LIMITS.holdMs) return;
      this.held.delete(callId);
      this.log.info(`candidates held for unknown call ${callId} dropped: no invite came within ${EARLY_CANDIDATE_LIMITS.holdMs / 1000} s`);
    }
  }
}
