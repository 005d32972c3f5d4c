// The ring a group call sends when it starts (MSC4075), followed until someone answers, everyone rung declines
// (MSC4310) or it expires. The transitions are a pure function; followOutgoingRing feeds it from the room.
import type { MatrixClient, MatrixEvent, Room, RoomEvent } from 'matrix-js-sdk';
import type { MatrixRTCSession, MatrixRTCSessionEvent } from 'matrix-js-sdk/lib/matrixrtc/index.js';
import { RTC_DECLINE_EVENT } from './event-types.js';
import type { OutgoingRing } from './group-call.types.js';

// The events' names, without loading matrix-js-sdk for three strings (this module's pure part is unit-tested).
const TIMELINE: `${RoomEvent.Timeline}` = 'Room.timeline';
const NOTIFICATION_SENT: `${MatrixRTCSessionEvent.DidSendCallNotification}` = 'did_send_call_notification';
const MEMBERSHIPS_CHANGED: `${MatrixRTCSessionEvent.MembershipsChanged}` = 'memberships_changed';

export type OutgoingRingEvent =
  | { readonly type: 'declined'; readonly by: string; readonly rung: readonly string[] }
  | { readonly type: 'answered' }
  | { readonly type: 'expired' };

/** The ring after `event`. Only a ringing ring changes; a decline counts once per person. */
export function nextOutgoingRing(ring: OutgoingRing, event: OutgoingRingEvent): OutgoingRing {
  if (ring.state !== 'ringing') return ring;
  switch (event.type) {
    case 'answered':
      return { ...ring, state: 'answered' };
    case 'expired':
      return { ...ring, state: 'expired' };
    case 'declined': {
      if (ring.declinedBy.includes(event.by)) return ring;
      const declinedBy = [...ring.declinedBy, event.by];
      const everyone = event.rung.length > 0 && event.rung.every((userId) => declinedBy.includes(userId));
      return { ...ring, declinedBy, state: everyone ? 'declined' : 'ringing' };
    }
  }
}

interface SentNotification {
  readonly event_id: string;
  readonly lifetime: number;
  readonly sender_ts: number;
  readonly 'm.mentions': { readonly user_ids?: readonly string[]; readonly room?: boolean };
}

/**
 * Follows the notification `session` sends at join, calling `update` with each state of its ring; returns the
 * function that stops following.
 */
export function followOutgoingRing(client: MatrixClient, room: Room, session: MatrixRTCSession, update: (ring: OutgoingRing) => void): () => void {
  const userId = client.getSafeUserId();
  let ring: OutgoingRing | undefined;
  let rung: readonly string[] = [];
  let expiry: ReturnType<typeof setTimeout> | undefined;
  const apply = (event: OutgoingRingEvent): void => {
    if (!ring) return;
    const next = nextOutgoingRing(ring, event);
    if (next === ring) return;
    ring = next;
    update(ring);
  };
  const onSent = (sent: SentNotification): void => {
    // matrix-js-sdk mentions the room: everyone in it at the time is rung.
    const named = sent['m.mentions'].user_ids?.length ? sent['m.mentions'].user_ids : room.getJoinedMembers().map((member) => member.userId);
    rung = named.filter((named) => named !== userId);
    ring = { eventId: sent.event_id, state: 'ringing', declinedBy: [] };
    update(ring);
    expiry = setTimeout(() => apply({ type: 'expired' }), Math.max(0, sent.sender_ts + sent.lifetime - Date.now()));
  };
  const onTimeline = async (event: MatrixEvent): Promise<void> => {
    if (event.getRoomId() !== room.roomId) return;
    // In an encrypted room the decline arrives encrypted; its type is known once decrypted.
    await client.decryptEventIfNeeded(event);
    const sender = event.getSender();
    if (!ring || event.getType() !== RTC_DECLINE_EVENT || !sender || sender === userId) return;
    if (event.getContent()['m.relates_to']?.event_id === ring.eventId) apply({ type: 'declined', by: sender, rung });
  };
  const onTimelineEvent = (event: MatrixEvent): void => void onTimeline(event);
  const onMemberships = (): void => {
    if (session.memberships.some((membership) => membership.userId !== userId)) apply({ type: 'answered' });
  };
  session.on(NOTIFICATION_SENT as MatrixRTCSessionEvent.DidSendCallNotification, onSent);
  client.on(TIMELINE as RoomEvent.Timeline, onTimelineEvent);
  session.on(MEMBERSHIPS_CHANGED as MatrixRTCSessionEvent.MembershipsChanged, onMemberships);
  return () => {
    clearTimeout(expiry);
    session.off(NOTIFICATION_SENT as MatrixRTCSessionEvent.DidSendCallNotification, onSent);
    client.off(TIMELINE as RoomEvent.Timeline, onTimelineEvent);
    session.off(MEMBERSHIPS_CHANGED as MatrixRTCSessionEvent.MembershipsChanged, onMemberships);
  };
}
