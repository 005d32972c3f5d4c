// The VoipPort over matrix-js-sdk's MatrixClient. It is only ever loaded together with matrix-js-sdk
// (through a dynamic import), so the SDK stays out of the initial bundle.
import {
  ClientEvent,
  ConnectionError,
  EventStatus,
  EventType,
  HTTPError,
  MatrixEventEvent,
  Preset,
  RoomEvent,
  RoomStateEvent,
  SyncState,
  safeGetRetryAfterMs,
  type MatrixClient,
  type MatrixEvent,
  type Room,
  type RoomMember,
  type RoomState,
} from 'matrix-js-sdk';
import { HomeserverUnavailableError, MxError } from '../errors.js';
import { fetchThumbnail, type MediaThumbnailOptions } from '../matrix/media.js';
import type { InboundRoomEvent, Membership, RoomInfo, TurnServers, VoipPort } from './port.js';

const CALL_EVENT_PREFIXES = ['m.call.', 'org.matrix.call.'];
/**
 * Call events the client received before the port started (1:1 calls load on first use, which may be after
 * an invite arrived) are caught up if they are at most this old: longer than any invite rings by default.
 */
const CATCH_UP_MAX_AGE_MS = 5 * 60_000;
/**
 * The event power levels of a DM the kit creates: the homeserver's defaults for a private chat (an override
 * replaces the whole `events` map), and call membership open to every member, as Element Web sets it, so that
 * the room can hold a MatrixRTC call (a member's `org.matrix.msc3401.call.member` state event needs it).
 */
const CALL_ROOM_EVENT_POWER_LEVELS = {
  'm.room.name': 50,
  'm.room.power_levels': 100,
  'm.room.history_visibility': 100,
  'm.room.canonical_alias': 50,
  'm.room.avatar': 50,
  'm.room.tombstone': 100,
  'm.room.server_acl': 100,
  'm.room.encryption': 100,
  'org.matrix.msc3401.call.member': 0,
} as const;
/** At most this many caught-up events per room, the newest. */
const CATCH_UP_MAX_EVENTS_PER_ROOM = 100;
const isCallEventType = (type: string): boolean => CALL_EVENT_PREFIXES.some((prefix) => type.startsWith(prefix));

export class JsSdkVoipPort implements VoipPort {
  readonly userId: string;
  readonly deviceId: string;
  private readonly batchListeners = new Set<(events: readonly InboundRoomEvent[]) => void>();
  private readonly membershipListeners = new Set<(roomId: string, userId: string, membership: Membership) => void>();
  /** Events of the sync batch being received, each settled once decrypted. */
  private pending: Promise<MatrixEvent | undefined>[] = [];
  private readonly detach: (() => void)[] = [];

  constructor(private readonly client: MatrixClient) {
    const userId = client.getUserId();
    const deviceId = client.getDeviceId();
    if (!userId || !deviceId) {
      throw new MxError('INVALID_CONFIGURATION', 'Calls need a Matrix client with a user id and a device id (the party id of calls).');
    }
    this.userId = userId;
    this.deviceId = deviceId;

    const onTimeline = (event: MatrixEvent, _room: Room | undefined, toStartOfTimeline: boolean | undefined, _removed: boolean, data: { liveEvent?: boolean }): void => {
      if (toStartOfTimeline || !data.liveEvent) return;
      // Our own local echoes: the call that sent them already knows.
      if (event.status !== null) return;
      this.pending.push(settleDecryption(event));
    };
    const onSync = (state: SyncState): void => {
      if (state !== SyncState.Syncing && state !== SyncState.Prepared) return;
      const batch = this.pending;
      this.pending = [];
      if (batch.length > 0) void this.deliver(batch);
    };
    const onMember = (_event: MatrixEvent, _state: RoomState, member: RoomMember): void => {
      for (const listener of this.membershipListeners) listener(member.roomId, member.userId, member.membership as Membership);
    };
    client.on(RoomEvent.Timeline, onTimeline);
    client.on(ClientEvent.Sync, onSync);
    client.on(RoomStateEvent.Members, onMember);
    this.detach.push(
      () => client.off(RoomEvent.Timeline, onTimeline),
      () => client.off(ClientEvent.Sync, onSync),
      () => client.off(RoomStateEvent.Members, onMember),
    );
    // Delivered once the listeners of whoever made the port are attached (they attach in the same task).
    const caughtUp = this.recentCallEvents();
    if (caughtUp.length > 0) queueMicrotask(() => void this.deliver(caughtUp));
  }

  /** Call events (or events still encrypted) already in the live timelines of joined rooms, oldest first per room. */
  private recentCallEvents(): Promise<MatrixEvent | undefined>[] {
    const recent: Promise<MatrixEvent | undefined>[] = [];
    for (const room of this.client.getRooms()) {
      if (room.getMyMembership() !== 'join') continue;
      const events = room.getLiveTimeline().getEvents()
        .filter((event) => event.status === null && event.getLocalAge() <= CATCH_UP_MAX_AGE_MS)
        .filter((event) => event.isEncrypted() || isCallEventType(event.getType()))
        .slice(-CATCH_UP_MAX_EVENTS_PER_ROOM);
      recent.push(...events.map(settleDecryption));
    }
    return recent;
  }

  dispose(): void {
    for (const detach of this.detach.splice(0)) detach();
    this.batchListeners.clear();
    this.membershipListeners.clear();
  }

  private async deliver(batch: Promise<MatrixEvent | undefined>[]): Promise<void> {
    const events: InboundRoomEvent[] = [];
    for (const event of await Promise.all(batch)) {
      if (!event || !isCallEventType(event.getType())) continue;
      const roomId = event.getRoomId();
      const sender = event.getSender();
      const eventId = event.getId();
      if (!roomId || !sender || !eventId) continue;
      events.push({
        eventId, roomId, sender,
        type: event.getType(),
        content: event.getContent(),
        ageMs: event.getLocalAge(),
        encrypted: event.isEncrypted(),
      });
    }
    if (events.length === 0) return;
    for (const listener of this.batchListeners) listener(events);
  }

  async sendEvent(roomId: string, type: string, content: Record<string, unknown>, txnId: string = this.client.makeTxnId()): Promise<void> {
    try {
      await this.putEvent(roomId, type, content, txnId);
    } catch (error) {
      throw sendFailure(error);
    }
  }

  private async putEvent(roomId: string, type: string, content: Record<string, unknown>, txnId: string): Promise<void> {
    // Always through the client's sendEvent: it encrypts where the room needs it, and a widget's client
    // (RoomWidgetClient) has no access token for a request of our own.
    const room = this.client.getRoom(roomId);
    // The SDK keeps the local echo of a failed attempt under its transaction id and refuses a second event
    // with the same id; resending the echo is its way to try again (already encrypted, same id).
    const earlier = room?.getEventForTxnId(txnId);
    if (room && earlier) {
      if (earlier.status === EventStatus.NOT_SENT) await this.client.resendEvent(earlier, room);
      return;
    }
    // The SDK types its event map; call events are plain JSON we validated ourselves.
    const send = this.client.sendEvent.bind(this.client) as (roomId: string, type: string, content: Record<string, unknown>, txnId: string) => Promise<unknown>;
    await send(roomId, type, content, txnId);
  }

  abandonSend(roomId: string, txnId: string): void {
    // An unsent echo left in a room whose pending events are kept apart ('detached' ordering) would hold back
    // every later event the app sends there.
    const echo = this.client.getRoom(roomId)?.getEventForTxnId(txnId);
    if (echo?.status === EventStatus.NOT_SENT) this.client.cancelPendingEvent(echo);
  }

  onCallEventBatch(listener: (events: readonly InboundRoomEvent[]) => void): () => void {
    this.batchListeners.add(listener);
    return () => this.batchListeners.delete(listener);
  }

  onMembershipChange(listener: (roomId: string, userId: string, membership: Membership) => void): () => void {
    this.membershipListeners.add(listener);
    return () => this.membershipListeners.delete(listener);
  }

  async turnServers(): Promise<TurnServers | undefined> {
    const held = this.client.getTurnServers();
    if (held.length > 0) {
      const expiresAt = this.client.getTurnServersExpiry();
      return { servers: held.map((server) => ({ ...server })), expiresAt: expiresAt > 0 ? expiresAt : undefined };
    }
    // A widget's client has no access token: its TURN servers come from the host, when it has them.
    if (!this.client.getAccessToken()) return { servers: [], expiresAt: undefined };
    // The kit's own client runs with VoIP off (the kit handles calls), so it does not fetch them itself.
    const response = (await this.client.turnServer()) as Partial<{ uris: unknown; username: unknown; password: unknown; ttl: unknown }> | undefined;
    if (!response || !Array.isArray(response.uris) || response.uris.length === 0) return undefined;
    if (typeof response.username !== 'string' || typeof response.password !== 'string') return undefined;
    const uris = response.uris.filter((uri): uri is string => typeof uri === 'string');
    const ttlSeconds = Number(response.ttl) > 0 ? Number(response.ttl) : 3600;
    return { servers: [{ urls: uris, username: response.username, credential: response.password }], expiresAt: Date.now() + ttlSeconds * 1000 };
  }

  room(roomId: string): RoomInfo | undefined {
    const room = this.client.getRoom(roomId);
    if (!room) return undefined;
    return {
      roomId,
      joinRule: room.getJoinRule(),
      joinedMembers: room.getJoinedMembers().map((member) => member.userId),
      encrypted: room.hasEncryptionStateEvent(),
      displayName: (userId) => room.getMember(userId)?.name,
      avatarUrl: (userId) => room.getMember(userId)?.getMxcAvatarUrl(),
    };
  }

  async membershipOf(roomId: string, userId: string): Promise<Membership | undefined> {
    const room = this.client.getRoom(roomId);
    if (!room) return undefined;
    await room.loadMembersIfNeeded().catch(() => undefined);
    return (room.getMember(userId)?.membership ?? undefined) as Membership | undefined;
  }

  async profile(userId: string): Promise<{ displayName: string | undefined; avatarUrl: string | undefined }> {
    const info = await this.client.getProfileInfo(userId);
    return { displayName: info.displayname, avatarUrl: info.avatar_url };
  }

  async directRoomWith(userId: string): Promise<string> {
    const existing = this.findDirectRoom(userId);
    if (existing) return existing;
    const { room_id: roomId } = await this.client.createRoom({
      is_direct: true,
      invite: [userId],
      preset: Preset.TrustedPrivateChat,
      power_level_content_override: { events: CALL_ROOM_EVENT_POWER_LEVELS },
    });
    const direct = (this.client.getAccountData(EventType.Direct)?.getContent() ?? {}) as Record<string, string[]>;
    await this.client.setAccountData(EventType.Direct, { ...direct, [userId]: [...(direct[userId] ?? []), roomId] });
    await this.waitForRoom(roomId);
    return roomId;
  }

  mediaThumbnail(mxcUri: string, options: MediaThumbnailOptions): Promise<Blob> {
    return fetchThumbnail({
      // The SDK builds the authenticated endpoint (/_matrix/client/v1/media/thumbnail/…), never a direct link.
      url: (uri, width, height) => this.client.mxcUrlToHttp(uri, width, height, 'crop', false, true, true),
      accessToken: () => this.client.getAccessToken(),
      // The client's fetch: its fetchFn when the app gave one.
      fetch: (url, init) => this.client.http.fetch(url, init),
    }, mxcUri, options);
  }

  private findDirectRoom(userId: string): string | undefined {
    const direct = (this.client.getAccountData(EventType.Direct)?.getContent() ?? {}) as Record<string, unknown>;
    const candidates = Array.isArray(direct[userId]) ? (direct[userId] as unknown[]) : [];
    for (const roomId of candidates) {
      if (typeof roomId !== 'string') continue;
      const room = this.client.getRoom(roomId);
      if (!room || room.getMyMembership() !== 'join') continue;
      const other = room.getMember(userId)?.membership;
      if ((other === 'join' || other === 'invite') && room.getJoinedMemberCount() <= 2) return roomId;
    }
    return undefined;
  }

  private waitForRoom(roomId: string): Promise<void> {
    if (this.client.getRoom(roomId)) return Promise.resolve();
    return new Promise((resolve) => {
      const onRoom = (room: Room): void => {
        if (room.roomId !== roomId) return;
        this.client.off(ClientEvent.Room, onRoom);
        resolve();
      };
      this.client.on(ClientEvent.Room, onRoom);
    });
  }
}

/** Resolves with the event once it is decrypted (or was never encrypted); undefined if decryption failed. */
function settleDecryption(event: MatrixEvent): Promise<MatrixEvent | undefined> {
  if (!event.isBeingDecrypted() && !event.shouldAttemptDecryption()) {
    return Promise.resolve(event.isDecryptionFailure() ? undefined : event);
  }
  return new Promise((resolve) => {
    event.once(MatrixEventEvent.Decrypted, (decrypted, error) => resolve(error || decrypted.isDecryptionFailure() ? undefined : decrypted));
  });
}

/**
 * What a failed send means for trying it again: a network failure, a 5xx or a 429 is the homeserver being
 * away or busy (HomeserverUnavailableError); anything else (another 4xx, an encryption failure) is a refusal.
 */
function sendFailure(error: unknown): MxError {
  if (error instanceof ConnectionError) {
    return new HomeserverUnavailableError(`the homeserver could not be reached (${error.message})`, undefined, { cause: error });
  }
  const status = error instanceof HTTPError ? error.httpStatus : undefined;
  if (status === 429) {
    const retryAfterMs = safeGetRetryAfterMs(error, -1);
    return new HomeserverUnavailableError(`the homeserver asked us to slow down (${status})`, retryAfterMs >= 0 ? retryAfterMs : undefined, { cause: error });
  }
  if (status !== undefined && status >= 500) {
    return new HomeserverUnavailableError(`the homeserver failed (${status})`, undefined, { cause: error });
  }
  if (status === 401) return new MxError('SESSION_EXPIRED', `the homeserver no longer accepts this session (${status})`, { cause: error });
  return new MxError('HOMESERVER_REFUSED', `the homeserver refused it: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
