// The words <mx-group-call> shows and announces, in one module so that a localisation layer has one place to
// replace. Pure functions over snapshots, checked by tables without rendering.
import type { ConnectionQuality, GroupCallPhase, GroupCallSnapshot, GroupParticipant } from '../../signaling/rtc/group-call.types.js';
import { joinsAndLeaves, visibleName } from '../internal/call-strings.js';

/** A participant's name as tiles show it: the display name, else their Matrix user id. */
export function participantName(participant: Pick<GroupParticipant, 'name' | 'userId'>): string {
  return visibleName(participant.name, participant.userId);
}

/** How many bars of three the quality lights. */
export function qualityBars(quality: ConnectionQuality): number {
  switch (quality) {
    case 'excellent':
      return 3;
    case 'good':
      return 2;
    case 'poor':
      return 1;
    case 'lost':
    case 'unknown':
      return 0;
  }
}

const IN_CALL: ReadonlySet<GroupCallPhase> = new Set(['connected', 'reconnecting']);

function phaseChange(before: GroupCallSnapshot, after: GroupCallSnapshot): string | undefined {
  if (before.phase === after.phase) return undefined;
  switch (after.phase) {
    case 'connected':
      return before.phase === 'reconnecting' ? 'Reconnected' : 'You joined the call';
    case 'reconnecting':
      return 'Connection lost, reconnecting…';
    case 'failed':
      return after.error?.message ? `The call failed: ${after.error.message}` : 'The call failed';
    case 'left':
      return 'You left the call';
    case 'joining':
    case 'leaving':
      return undefined;
  }
}

const REACTION_LABELS: Readonly<Record<string, string>> = {
  thumbsup: 'Thumbs up',
  party: 'Party',
  clapping: 'Clapping',
  dog: 'Dog',
  cat: 'Cat',
  lightbulb: 'Light bulb',
  crickets: 'Crickets',
  thumbsdown: 'Thumbs down',
  dizzy: 'Dizzy',
  ok: 'OK',
  heart: 'Heart',
  laugh: 'Laugh',
  deer: 'Deer',
  rock: 'Rock on',
  wave: 'Wave',
  drum: 'Drum roll',
};

/** The spoken name of a reaction in the reactions menu: Element Call's names are identifiers, not words. */
export function reactionLabel(reaction: { readonly emoji: string; readonly name: string }): string {
  return REACTION_LABELS[reaction.name] ?? reaction.emoji;
}

/** Remote members who were in both snapshots and raised or lowered their hand in between. */
function handChanges(before: GroupCallSnapshot, after: GroupCallSnapshot): string[] {
  const earlier = new Map(before.participants.map((p) => [p.identity, p]));
  const sentences: string[] = [];
  for (const p of after.participants) {
    const was = earlier.get(p.identity);
    if (!was) continue;
    if (was.handRaisedAt === undefined && p.handRaisedAt !== undefined) sentences.push(`${participantName(p)} raised their hand`);
    if (was.handRaisedAt !== undefined && p.handRaisedAt === undefined) sentences.push(`${participantName(p)} lowered their hand`);
  }
  return sentences;
}

/** Reactions from remote members that arrived between the two snapshots (your own you just chose). */
function newReactions(before: GroupCallSnapshot, after: GroupCallSnapshot): string[] {
  const seen = new Set(before.reactions.map((reaction) => reaction.eventId));
  const members = new Map(after.participants.map((p) => [p.identity, p]));
  return after.reactions.flatMap((reaction) => {
    const member = members.get(reaction.identity);
    return member && !seen.has(reaction.eventId) ? [`${participantName(member)} reacted ${reaction.emoji}`] : [];
  });
}

/**
 * What changed between two snapshots of the same call, for the polite live region: the phase (joined,
 * reconnecting, reconnected, failed, left), who joined or left while we were in the call, and the others' raised
 * and lowered hands and reactions. Members already there when we join are not read out one by one. Empty when
 * nothing worth saying changed.
 */
export function groupCallAnnouncement(before: GroupCallSnapshot, after: GroupCallSnapshot): string {
  const sentences: string[] = [];
  const phase = phaseChange(before, after);
  if (phase) sentences.push(phase);
  if (IN_CALL.has(before.phase) && IN_CALL.has(after.phase)) {
    sentences.push(...joinsAndLeaves(before.participants, after.participants), ...handChanges(before, after), ...newReactions(before, after));
  }
  return sentences.join('. ');
}
