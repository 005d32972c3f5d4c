// A group call's phase (group-call.types.ts) as a pure function of what happened, so its rules are a table.
import type { GroupCallPhase } from './group-call.types.js';

export type GroupCallPhaseEvent =
  /** Our membership is published and the SFU connected (at the join, or joining the SFU again). */
  | 'joined'
  /** The SFU link is being restored (livekit-client's own retries, or the kit joining it again). */
  | 'link-lost'
  | 'link-restored'
  /** leave() was called; then the membership and the SFU are gone. */
  | 'leave'
  | 'left'
  /** The call could not be joined or kept; the membership is removed. */
  | 'failed';

const TERMINAL: ReadonlySet<GroupCallPhase> = new Set(['left', 'failed']);

export function nextGroupCallPhase(phase: GroupCallPhase, event: GroupCallPhaseEvent): GroupCallPhase {
  if (TERMINAL.has(phase)) return phase;
  if (phase === 'leaving') return event === 'left' ? 'left' : phase;
  switch (event) {
    case 'joined':
      return 'connected';
    case 'link-lost':
      // The link of a call still joining is the join's business: it fails or succeeds as a whole.
      return phase === 'joining' ? phase : 'reconnecting';
    case 'link-restored':
      return phase === 'joining' ? phase : 'connected';
    case 'leave':
      return 'leaving';
    case 'left':
      return 'left';
    case 'failed':
      return 'failed';
  }
}
