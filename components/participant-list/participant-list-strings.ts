// The words <mx-participant-list> shows and announces, in one module for a localisation layer to replace.
import type { GroupCallSnapshot } from '../../signaling/rtc/group-call.types.js';
import { joinsAndLeaves } from '../internal/call-strings.js';

/** The list's name, with how many people are in it, you included. */
export function peopleHeading(count: number): string {
  return `People (${count})`;
}

/** The phases in which the list shows people (joined, the connection possibly being restored). */
export const IN_CALL: ReadonlySet<GroupCallSnapshot['phase']> = new Set(['connected', 'reconnecting']);

/** Who joined and who left between two snapshots of a joined call; empty when no one did. */
export function participantListAnnouncement(before: GroupCallSnapshot, after: GroupCallSnapshot): string {
  if (!IN_CALL.has(before.phase) || !IN_CALL.has(after.phase)) return '';
  return joinsAndLeaves(before.participants, after.participants).join('. ');
}
