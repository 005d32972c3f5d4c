import type { MxError } from '../../signaling/errors.js';
import type { VisitorCallStatus } from '../../signaling/visitor/visitor-call.js';
import type { CallEndReason } from '../../signaling/voip/types.js';

/** What the dialog says while a call goes on; `group` for a room's group call, which is joined, not rung. */
export function progressMessage(status: Exclude<VisitorCallStatus, 'ended'>, callee: string, group = false): string {
  const who = callee || 'them';
  if (group && status !== 'in-call') return callee ? `Joining ${callee}…` : 'Joining the call…';
  if (status === 'ringing') return `Ringing ${who}…`;
  if (status === 'in-call') return callee ? `In a call with ${callee}` : 'In a call';
  return callee ? `Calling ${callee}…` : 'Calling…';
}

/** What the visitor reads when a call could not start: every refusal a visitor can meet has its own sentence. */
export function refusalMessage(error: MxError): string {
  switch (error.code) {
    case 'RATE_LIMITED': {
      const { retryAfterMs } = error;
      const minutes = retryAfterMs === undefined ? undefined : Math.max(1, Math.ceil(retryAfterMs / 60_000));
      return minutes === undefined
        ? 'Too many calls from here just now. Please try again later.'
        : `Too many calls from here just now. Please try again in ${minutes === 1 ? 'a minute' : `${minutes} minutes`}.`;
    }
    case 'TARGET_NOT_ALLOWED':
    case 'ROOM_NOT_ALLOWED':
      return 'This website cannot place this call.';
    case 'ROOM_NOT_JOINABLE':
      return 'The call cannot be joined from here right now.';
    case 'ORIGIN_NOT_ALLOWED':
      return 'Calls are not enabled for this website.';
    case 'HOMESERVER_UNREACHABLE':
    case 'VISITOR_SERVICE_UNREACHABLE':
      return 'The call service cannot be reached right now. Please try again later.';
    case 'MEDIA_PERMISSION_DENIED':
      return 'The call needs your microphone (and camera for video). Allow them in your browser and try again.';
    case 'MEDIA_DEVICE_NOT_FOUND':
      return 'No microphone was found. Connect one and try again.';
    case 'MEDIA_DEVICE_IN_USE':
      return 'Your microphone or camera is in use by another program.';
    case 'PEER_UNAVAILABLE':
      return 'Nobody is available to take the call right now. Please try again later.';
    case 'INVALID_CONFIGURATION':
      return 'This call button is not set up correctly.';
    default:
      return 'The call could not be placed. Please try again later.';
  }
}

/** Why the call ended, as the visitor sees it; undefined when the visitor ended it and needs no telling. */
export function endMessage(reason: CallEndReason | undefined, endedBy: 'local' | 'remote' | undefined, callee: string): string | undefined {
  if (endedBy === 'local' && (reason === 'user_hangup' || reason === undefined)) return undefined;
  const busy = callee ? `${callee} is busy.` : 'They are busy.';
  callee ||= 'They';
  switch (reason) {
    case 'user_busy':
      return `${busy} Please try again later.`;
    case 'rejected':
      return `${callee} declined the call.`;
    case 'invite_timeout':
      return `${callee} did not answer. Please try again later.`;
    case 'ice_failed':
    case 'ice_timeout':
      return 'The call could not connect. Your network may be blocking it.';
    case 'user_media_failed':
      return 'Your microphone or camera stopped working.';
    case 'user_hangup':
      return `${callee} ended the call.`;
    default:
      return 'The call has ended.';
  }
}
