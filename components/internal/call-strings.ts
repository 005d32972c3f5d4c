// The strings the call elements show or announce (<mx-call-dialog> keeps its own in call-dialog-text.ts), in one
// place so that a localisation layer has few modules to replace. Pure functions: unit-tested without rendering.
import type { ConnectionQuality, GroupParticipant } from '../../signaling/rtc/group-call.types.js';
import type { CallEndReason, CallKind, CallPeer, CallSnapshot } from '../../signaling/voip/types.js';

/** Elapsed time as `mm:ss`, or `h:mm:ss` from one hour on; anything negative or not finite reads `00:00`. */
export function formatDuration(ms: number): string {
  const total = Number.isFinite(ms) && ms > 0 ? Math.floor(ms / 1000) : 0;
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor(total / 60) % 60;
  const seconds = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return hours > 0 ? `${hours}:${pad(minutes)}:${pad(seconds)}` : `${pad(minutes)}:${pad(seconds)}`;
}

/** The same duration as an ISO 8601 duration, for `<time datetime>`. */
export function isoDuration(ms: number): string {
  const total = Number.isFinite(ms) && ms > 0 ? Math.floor(ms / 1000) : 0;
  return `PT${Math.floor(total / 3600)}H${Math.floor(total / 60) % 60}M${total % 60}S`;
}

// What draws nothing on its own: white space, controls, format characters (zero-width space and joiners, bidi
// marks), other default-ignorable code points (Hangul fillers, variation selectors), combining marks with no
// base, and the blank Braille pattern. Names made only of these are how a caller shows up blank.
const INVISIBLE = /[\p{White_Space}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Mn}\p{Me}\u2800]/gu;

/** `name` trimmed, or `fallback` when it is missing or has no character that shows. */
export function visibleName(name: string | undefined, fallback: string): string {
  const trimmed = name?.trim() ?? '';
  return trimmed.replace(INVISIBLE, '') ? trimmed : fallback;
}

/** The name to show for the other side: the display name, else (also when it shows nothing) the Matrix user id. */
export function peerName(peer: CallPeer): string {
  return visibleName(peer.displayName, peer.userId);
}

export function incomingText(kind: CallKind): string {
  return kind === 'video' ? 'Incoming video call' : 'Incoming voice call';
}

// Keyed by reason so the compiler flags a reason added to the signalling layer but not worded here.
const END_REASONS: Record<CallEndReason, (snapshot: CallSnapshot, name: string) => string> = {
  ice_failed: () => 'the connection failed',
  ice_timeout: () => 'the connection timed out',
  invite_timeout: (s) => (s.direction === 'outbound' ? 'no answer' : 'missed call'),
  user_hangup: (s, name) => (s.endedBy === 'remote' ? `${name} hung up` : 'you hung up'),
  user_media_failed: (s, name) =>
    s.endedBy === 'remote' ? `${name}'s camera or microphone failed` : 'your camera or microphone is unavailable',
  user_busy: (_s, name) => `${name} is busy`,
  unknown_error: () => 'something went wrong',
  rejected: (s, name) => (s.direction === 'outbound' ? `${name} declined` : 'you declined'),
  answered_elsewhere: () => 'answered on another device',
  rejected_elsewhere: () => 'declined on another device',
  replaced: () => 'replaced by a new call',
  signalling_timeout: () => 'the call could not be set up in time',
};

/** Why the call ended, in words, as the tail of a sentence (lower case). */
export function endReasonText(snapshot: CallSnapshot): string {
  const reason = snapshot.endReason;
  if (!reason || !Object.hasOwn(END_REASONS, reason)) return 'the call ended';
  return END_REASONS[reason](snapshot, peerName(snapshot.peer));
}

/** The status line: the phase in words. The duration is shown next to it, not in it. */
export function statusText(snapshot: CallSnapshot): string {
  const { phase, direction, kind } = snapshot;
  switch (phase) {
    case 'fledgling':
    case 'create_offer':
      return direction === 'outbound' ? 'Calling…' : 'Connecting…';
    case 'wait_local_media':
      return kind === 'video' ? 'Waiting for camera and microphone…' : 'Waiting for microphone…';
    case 'invite_sent':
      return 'Ringing…';
    case 'ringing':
      return direction === 'inbound' ? incomingText(kind) : 'Ringing…';
    case 'create_answer':
    case 'connecting':
      return 'Connecting…';
    case 'connected':
      if (snapshot.localOnHold) return 'You put the call on hold';
      return snapshot.remoteOnHold ? 'On hold' : 'Connected';
    case 'ended':
      return `Call ended: ${endReasonText(snapshot)}`;
  }
}

/**
 * What `<mx-call>` announces for a snapshot; it changes only when the phase (or hold) does. Empty for an
 * inbound ringing call, which `<mx-incoming-call>` announces itself.
 */
export function callAnnouncement(snapshot: CallSnapshot): string {
  const name = peerName(snapshot.peer);
  if (snapshot.phase === 'ringing' && snapshot.direction === 'inbound') return '';
  if (snapshot.phase === 'connected' && !snapshot.localOnHold && !snapshot.remoteOnHold) return `Connected to ${name}`;
  if (snapshot.phase === 'connected' && !snapshot.localOnHold) return `${name} put the call on hold`;
  if (statusText(snapshot) === 'Calling…') return `Calling ${name}…`;
  return statusText(snapshot);
}

/**
 * What `<mx-incoming-call>` shows for a moment after a call stops ringing without being answered or declined
 * here; `undefined` when it should just close (answered or declined on this device).
 */
export function incomingEndNotice(snapshot: CallSnapshot): string | undefined {
  if (snapshot.phase !== 'ended') return undefined;
  switch (snapshot.endReason) {
    case 'answered_elsewhere':
      return 'Answered on another device';
    case 'rejected_elsewhere':
      return 'Declined on another device';
    case 'invite_timeout':
      return `Missed call from ${peerName(snapshot.peer)}`;
    default:
      return snapshot.endedBy === 'local' ? undefined : `Missed call from ${peerName(snapshot.peer)}`;
  }
}

/**
 * What a group call's ring says it is: an incoming call for a ring, a call that started for a quieter
 * notification; the kind only when the caller said.
 */
export function groupRingText(intent: 'audio' | 'video' | undefined, notificationType: 'ring' | 'notification'): string {
  if (notificationType === 'notification') return intent === 'video' ? 'Video call started' : intent === 'audio' ? 'Voice call started' : 'Call started';
  return intent === 'video' ? 'Incoming video call' : intent === 'audio' ? 'Incoming voice call' : 'Incoming call';
}

/**
 * The room to name under a group call's caller, or `undefined` for a DM: matrix-js-sdk names a room without a
 * name of its own after its other members, so a 1:1 room reads as the caller's name, and "in Bob" would say nothing.
 */
export function groupRingRoom(roomName: string, senderName: string, sender: string): string | undefined {
  const room = visibleName(roomName, '');
  return room && room !== senderName.trim() && room !== sender ? room : undefined;
}

/** The text alternative of a group call member's connection quality. */
export function qualityText(quality: ConnectionQuality): string {
  return quality === 'unknown' ? 'Connection quality unknown' : `Connection ${quality}`;
}

function nameList(people: readonly GroupParticipant[]): string {
  const all = people.map((p) => visibleName(p.name, p.userId));
  if (all.length <= 1) return all.join('');
  return `${all.slice(0, -1).join(', ')} and ${all.at(-1) ?? ''}`;
}

/** "Carol and Dan joined", "Bob left": who joined and who left a group call between two of its member lists. */
export function joinsAndLeaves(before: readonly GroupParticipant[], after: readonly GroupParticipant[]): string[] {
  const had = new Set(before.map((p) => p.identity));
  const has = new Set(after.map((p) => p.identity));
  const joined = after.filter((p) => !had.has(p.identity));
  const left = before.filter((p) => !has.has(p.identity));
  return [...(joined.length > 0 ? [`${nameList(joined)} joined`] : []), ...(left.length > 0 ? [`${nameList(left)} left`] : [])];
}
