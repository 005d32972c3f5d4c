// Group calls that ring here: MSC4075 `org.matrix.msc4075.rtc.notification` events naming us (or the room),
// checked by matrix-js-sdk's own receiving rules (lifetime, sender, earlier declines), until they are answered on
// any of our devices, declined (MSC4310 `org.matrix.msc4310.rtc.decline`), withdrawn by the caller or expired.
// It imports no LiveKit: listening for rings costs nothing of what a call loads.
import { RoomEvent, type MatrixClient, type MatrixEvent, type Room } from 'matrix-js-sdk';
import {
  MatrixRTCSessionEvent,
  getCallNotificationExpiry,
  parseCallNotificationContent,
  type IRTCNotificationContent,
  type MatrixRTCSession,
} from 'matrix-js-sdk/lib/matrixrtc/index.js';
import { isRecord } from '../json.js';
import { LEGACY_CALL_NOTIFY_EVENT, RTC_DECLINE_EVENT, RTC_NOTIFICATION_EVENT } from './event-types.js';
import { MxError } from '../errors.js';
import type { Logger } from '../log.js';
import { createStore, type ReadableStore, type WritableStore } from '../store/store.js';

/** A legacy notification says nothing of its lifetime: it rings as long as matrix-js-sdk's notifications do by default. */
const LEGACY_LIFETIME_MS = 90_000;
/** MSC4143's slot state event. Rooms whose call predates slots (Element Call's compatibility mode) have none. */
const RTC_SLOT_EVENT = 'org.matrix.msc4143.rtc.slot';
/** MSC4075's cap on a notification's lifetime. */
const MAX_LIFETIME_MS = 120_000;
/** At most this many rings at once: a room flooding notifications cannot grow the list without bound. */
const MAX_RINGING = 16;

/** A group call ringing here. Join it with `kit.joinGroupCall(ring.roomId)`, or decline it. */
export interface GroupRing {
  readonly roomId: string;
  /** The notification event. */
  readonly eventId: string;
  readonly sender: string;
  /** The caller's display name in the room (their user id when they have none). */
  readonly senderName: string;
  readonly roomName: string;
  /** Whether the caller started with video (`m.call.intent`), when they said. */
  readonly intent: 'audio' | 'video' | undefined;
  /** Whether it asks to ring (`ring`) or only to notify (`notification`). */
  readonly notificationType: 'ring' | 'notification';
  /** When it stops ringing (ms since the epoch). */
  readonly expiresAt: number;
  /** Declines it for all our devices (MSC4310); the caller's ringing ends when everyone rung declined. */
  decline(): Promise<void>;
}

export interface GroupRingsSnapshot {
  /** Oldest first. */
  readonly ringing: readonly GroupRing[];
}

export class GroupRings implements ReadableStore<GroupRingsSnapshot> {
  private readonly store: WritableStore<GroupRingsSnapshot> = createStore<GroupRingsSnapshot>({ ringing: [] });
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly watchedSessions = new Map<string, () => void>();
  private readonly userId: string;

  constructor(private readonly client: MatrixClient, private readonly log: Logger) {
    this.userId = client.getSafeUserId();
    client.on(RoomEvent.Timeline, this.onTimelineEvent);
  }

  getSnapshot = (): GroupRingsSnapshot => this.store.getSnapshot();
  subscribe = (listener: (snapshot: GroupRingsSnapshot) => void): (() => void) => this.store.subscribe(listener);

  dispose(): void {
    this.client.off(RoomEvent.Timeline, this.onTimelineEvent);
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const stop of this.watchedSessions.values()) stop();
    this.watchedSessions.clear();
    this.store.set({ ringing: [] });
  }

  private readonly onTimelineEvent = (event: MatrixEvent, room: Room | undefined, toStartOfTimeline: boolean | undefined): void => {
    if (toStartOfTimeline || !room) return;
    // In an encrypted room (most DMs) the event's type is known once it is decrypted.
    void this.client.decryptEventIfNeeded(event).then(() => this.onLiveEvent(event, room), (error: unknown) => {
      this.log.debug(`an event in ${room.roomId} could not be decrypted to look for rings`, error);
    });
  };

  private onLiveEvent(event: MatrixEvent, room: Room): void {
    if (event.getType() === RTC_NOTIFICATION_EVENT || event.getType() === LEGACY_CALL_NOTIFY_EVENT) void this.onNotification(event, room);
    else if (event.getType() === RTC_DECLINE_EVENT && event.getSender() === this.userId) {
      // Declined on another of our devices: it stops ringing here too.
      const declined = event.getContent()['m.relates_to']?.event_id;
      if (typeof declined === 'string') this.stop(declined, 'declined on another device');
    }
  }

  private async onNotification(event: MatrixEvent, room: Room): Promise<void> {
    const eventId = event.getId();
    // Our own calls' notifications (another device of ours started it) ring nobody here.
    if (!eventId || event.getSender() === this.userId || this.getSnapshot().ringing.some((ring) => ring.eventId === eventId)) return;
    const session = this.client.matrixRTC.getRoomSession(room);
    let content: IRTCNotificationContent;
    try {
      content = await this.readNotification(event, room, session);
    } catch (error) {
      this.log.info(`call notification ${eventId} in ${room.roomId} ignored: ${MxError.from(error).message}`);
      return;
    }
    if (this.joinedElsewhere(session)) return;
    if (this.getSnapshot().ringing.length >= MAX_RINGING) {
      this.log.warn(`call notification ${eventId} in ${room.roomId} ignored: ${MAX_RINGING} calls are ringing already`);
      return;
    }
    const sender = event.getSender()!;
    const expiresAt = getCallNotificationExpiry(content, event.getTs());
    const intent = content['m.call.intent'];
    const ring: GroupRing = {
      roomId: room.roomId,
      eventId,
      sender,
      senderName: room.getMember(sender)?.name ?? sender,
      roomName: room.name,
      intent: intent === 'audio' || intent === 'video' ? intent : undefined,
      notificationType: content.notification_type === 'notification' ? 'notification' : 'ring',
      expiresAt,
      decline: () => this.decline(ring),
    };
    this.store.update(({ ringing }) => ({ ringing: [...ringing, ring] }));
    this.stopAtExpiry(eventId, expiresAt);
    this.watchSession(room.roomId, session);
  }

  /** Elements tell a missed ring by `Date.now() >= expiresAt`, so the ring must not stop before that moment. */
  private stopAtExpiry(eventId: string, expiresAt: number): void {
    this.timers.set(eventId, setTimeout(() => {
      // Timers run on a monotonic clock and can fire a moment before the wall clock reaches their time.
      if (Date.now() < expiresAt) this.stopAtExpiry(eventId, expiresAt);
      else this.stop(eventId, 'expired');
    }, Math.max(0, expiresAt - Date.now())));
  }

  /**
   * The notification's content if it rings us, by matrix-js-sdk's MSC4075 rules. Those require the room's call
   * slot (MSC4143 `rtc.slot`), which rooms of Element Call's compatibility mode do not have, and do not read the
   * legacy `call.notify`: for those the same rules are applied here, with "the sender is in the call" standing
   * for "the slot is open".
   */
  private async readNotification(event: MatrixEvent, room: Room, session: MatrixRTCSession): Promise<IRTCNotificationContent> {
    const legacy = event.getType() === LEGACY_CALL_NOTIFY_EVENT;
    if (!legacy && room.currentState.getStateEvents(RTC_SLOT_EVENT).length > 0) return parseCallNotificationContent(event, { room, userId: this.userId });
    const content = legacy ? legacyNotifyContent(event) : notificationContent(event);
    const sender = event.getSender();
    if (!sender || sender === this.userId) throw new Error('it was sent by the receiving user');
    if (Date.now() >= getCallNotificationExpiry(content, event.getTs())) throw new Error('it has expired');
    const mentions = content['m.mentions'];
    const mentionsUs = mentions.user_ids?.includes(this.userId) ?? false;
    const mentionsRoom = mentions.room === true && room.currentState.mayTriggerNotifOfType('room', sender);
    if (!mentionsUs && !mentionsRoom) throw new Error('it does not mention the receiving user');
    await session.ensureRecalculateSessionMembers();
    if (!session.memberships.some((membership) => membership.userId === sender)) throw new Error(`${sender} is not in the room's call`);
    return content;
  }

  /** Our own membership in the call (any device of ours joined it) ends its rings; so does an empty call. */
  private watchSession(roomId: string, session: MatrixRTCSession): void {
    if (this.watchedSessions.has(roomId)) return;
    const onChange = (): void => {
      const rings = this.getSnapshot().ringing.filter((ring) => ring.roomId === roomId);
      if (this.joinedElsewhere(session)) rings.forEach((ring) => this.stop(ring.eventId, 'answered'));
      else if (session.memberships.length === 0) rings.forEach((ring) => this.stop(ring.eventId, 'the caller left'));
    };
    session.on(MatrixRTCSessionEvent.MembershipsChanged, onChange);
    this.watchedSessions.set(roomId, () => session.off(MatrixRTCSessionEvent.MembershipsChanged, onChange));
  }

  private joinedElsewhere(session: MatrixRTCSession): boolean {
    return session.memberships.some((membership) => membership.userId === this.userId);
  }

  private async decline(ring: GroupRing): Promise<void> {
    if (!this.getSnapshot().ringing.includes(ring)) return;
    this.stop(ring.eventId, 'declined');
    try {
      await this.client.sendEvent(ring.roomId, RTC_DECLINE_EVENT as never, { 'm.relates_to': { rel_type: 'm.reference', event_id: ring.eventId } } as never);
    } catch (error) {
      throw MxError.from(error, 'HOMESERVER_UNREACHABLE');
    }
  }

  private stop(eventId: string, why: string): void {
    const ring = this.getSnapshot().ringing.find((candidate) => candidate.eventId === eventId);
    if (!ring) return;
    clearTimeout(this.timers.get(eventId));
    this.timers.delete(eventId);
    this.log.info(`the call in ${ring.roomId} stopped ringing: ${why}`);
    this.store.update(({ ringing }) => ({ ringing: ringing.filter((candidate) => candidate !== ring) }));
    if (!this.getSnapshot().ringing.some((candidate) => candidate.roomId === ring.roomId)) {
      this.watchedSessions.get(ring.roomId)?.();
      this.watchedSessions.delete(ring.roomId);
    }
  }
}

function checkedMentions(content: Record<string, unknown>): IRTCNotificationContent['m.mentions'] {
  const mentions = content['m.mentions'];
  if (!isRecord(mentions)) throw new Error('missing or malformed m.mentions');
  const userIds = mentions.user_ids;
  if (userIds !== undefined && !(Array.isArray(userIds) && userIds.every((userId) => typeof userId === 'string'))) throw new Error('malformed m.mentions.user_ids');
  if (mentions.room !== undefined && typeof mentions.room !== 'boolean') throw new Error('malformed m.mentions.room');
  return { user_ids: userIds as string[] | undefined, room: mentions.room as boolean | undefined };
}

/** An `rtc.notification`'s content, checked as matrix-js-sdk checks it (the lifetime capped as MSC4075 says). */
function notificationContent(event: MatrixEvent): IRTCNotificationContent {
  const content: unknown = event.getContent();
  if (!isRecord(content)) throw new Error('its content is not an object');
  const { sender_ts: sentAt, lifetime } = content;
  if (typeof sentAt !== 'number' || !Number.isSafeInteger(sentAt) || sentAt < 0) throw new Error('missing or invalid sender_ts');
  if (typeof lifetime !== 'number' || !Number.isSafeInteger(lifetime) || lifetime < 0) throw new Error('missing or invalid lifetime');
  return { ...content, 'm.mentions': checkedMentions(content), sender_ts: sentAt, lifetime: Math.min(lifetime, MAX_LIFETIME_MS) } as IRTCNotificationContent;
}

/** A legacy `call.notify`, read as the notification it stands for (sent when the server received it). */
function legacyNotifyContent(event: MatrixEvent): IRTCNotificationContent {
  const content: unknown = event.getContent();
  if (!isRecord(content)) throw new Error('its content is not an object');
  if (content.application !== 'm.call') throw new Error('it is not for a call (application is not "m.call")');
  if (content.notify_type !== 'ring' && content.notify_type !== 'notify') throw new Error('notify_type is neither "ring" nor "notify"');
  return {
    'm.mentions': checkedMentions(content),
    notification_type: content.notify_type === 'notify' ? 'notification' : 'ring',
    sender_ts: event.getTs(),
    lifetime: LEGACY_LIFETIME_MS,
  } as IRTCNotificationContent;
}
