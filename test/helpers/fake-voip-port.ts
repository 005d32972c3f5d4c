// An in-memory VoipPort for unit tests of the call manager's routing: rooms are configured by the test,
// inbound sync batches are pushed with deliver(), and everything sent is recorded instead of leaving.
import { MxError } from '../../signaling/errors.js';
import type { Logger } from '../../signaling/log.js';
import { parseMxcUri, type MediaThumbnailOptions } from '../../signaling/matrix/media.js';
import { type InboundRoomEvent, type VoipPort, type Membership, type RoomInfo, type TurnServers } from '../../signaling/voip/port.js';

export interface FakeRoom {
  readonly roomId: string;
  /** `m.room.join_rules`; undefined as when the state event is missing. */
  joinRule?: string | undefined;
  joinedMembers: string[];
  /** Members invited and not yet joined. */
  invitedMembers?: string[];
  encrypted?: boolean;
  displayNames?: Record<string, string>;
  /** Members' avatar URLs as the room state gives them (any string: peers choose them). */
  avatarUrls?: Record<string, string>;
}

export interface SentEvent {
  readonly roomId: string;
  readonly type: string;
  readonly content: Record<string, unknown>;
  /** The transaction id the sender passed, if any; every attempt at one event passes the same. */
  readonly txnId?: string | undefined;
}

/** An inbound event as a test writes it: only type, sender and content are needed. */
export type FakeInboundEvent = Partial<InboundRoomEvent> & Pick<InboundRoomEvent, 'type' | 'sender'> & { content: unknown };

export class FakeVoipPort implements VoipPort {
  readonly sent: SentEvent[] = [];
  /** Every event delivered so far, as the listeners saw it. */
  readonly delivered: InboundRoomEvent[] = [];
  /** The default room of deliver() when an event names none. */
  defaultRoomId: string | undefined;
  /** When set, sendEvent rejects with it (a homeserver that refuses or is unreachable). */
  sendFailure: Error | undefined;
  /**
   * When set, decides each send after it is recorded in `sent`: resolve to let it through, reject to fail it
   * (a homeserver that comes and goes). `sendFailure` is checked first.
   */
  sendOutcome: ((event: SentEvent) => Promise<void>) | undefined;
  /** The sends that got through, in order (`sent` also has the attempts that failed). */
  readonly accepted: SentEvent[] = [];
  /** The transaction ids of failed sends the sender gave up, in order. */
  readonly abandoned: string[] = [];
  /** Display names profile() answers with, by user id. */
  readonly profiles: Record<string, string> = {};
  /** The user id of every profile() request, in order. */
  readonly profileRequests: string[] = [];
  /** What mediaThumbnail() answers with, by mxc URI; an mxc URI not here is a 404. */
  readonly media = new Map<string, Blob>();
  /** Every thumbnail request that got past the mxc check (and would have reached the homeserver), in order. */
  readonly mediaRequests: { mxcUri: string; width: number; height: number }[] = [];
  private readonly rooms = new Map<string, FakeRoom>();
  private readonly batchListeners = new Set<(events: readonly InboundRoomEvent[]) => void>();
  private readonly membershipListeners = new Set<(roomId: string, userId: string, membership: Membership) => void>();
  private nextEventNumber = 1;

  constructor(
    readonly userId: string,
    readonly deviceId: string,
    rooms: readonly FakeRoom[] = [],
  ) {
    for (const room of rooms) this.setRoom(room);
    this.defaultRoomId = rooms[0]?.roomId;
  }

  setRoom(room: FakeRoom): void {
    this.rooms.set(room.roomId, { ...room, joinedMembers: [...room.joinedMembers] });
  }

  /** Changes a membership and tells listeners, as a sync carrying an m.room.member event would. */
  setMembership(roomId: string, userId: string, membership: Membership): void {
    const room = this.rooms.get(roomId);
    if (room) {
      room.joinedMembers = room.joinedMembers.filter((member) => member !== userId);
      room.invitedMembers = (room.invitedMembers ?? []).filter((member) => member !== userId);
      if (membership === 'join') room.joinedMembers.push(userId);
      if (membership === 'invite') room.invitedMembers.push(userId);
    }
    for (const listener of [...this.membershipListeners]) listener(roomId, userId, membership);
  }

  /**
   * Delivers one sync batch to every listener, synchronously, filling in an event id, the default room,
   * an age of 0 and `encrypted: false` where the test gave none. Returns the events as delivered.
   * Whatever a listener throws reaches the caller, so a test can tell.
   */
  deliver(events: readonly FakeInboundEvent[]): InboundRoomEvent[] {
    const batch = events.map((event): InboundRoomEvent => {
      const roomId = event.roomId ?? this.defaultRoomId;
      if (roomId === undefined) throw new Error('FakeVoipPort.deliver: no roomId and no default room');
      return {
        eventId: event.eventId ?? `$fake${this.nextEventNumber++}`,
        type: event.type,
        roomId,
        sender: event.sender,
        content: event.content,
        ageMs: event.ageMs ?? 0,
        encrypted: event.encrypted ?? false,
      };
    });
    this.delivered.push(...batch);
    for (const listener of [...this.batchListeners]) listener(batch);
    return batch;
  }

  async sendEvent(roomId: string, type: string, content: Record<string, unknown>, txnId?: string): Promise<void> {
    const event: SentEvent = { roomId, type, content, txnId };
    this.sent.push(event);
    if (this.sendFailure) throw this.sendFailure;
    await this.sendOutcome?.(event);
    this.accepted.push(event);
  }

  abandonSend(_roomId: string, txnId: string): void {
    this.abandoned.push(txnId);
  }

  onCallEventBatch(listener: (events: readonly InboundRoomEvent[]) => void): () => void {
    this.batchListeners.add(listener);
    return () => this.batchListeners.delete(listener);
  }

  onMembershipChange(listener: (roomId: string, userId: string, membership: Membership) => void): () => void {
    this.membershipListeners.add(listener);
    return () => this.membershipListeners.delete(listener);
  }

  /** How many listeners are attached (a disposed manager leaves none). */
  get listenerCount(): number {
    return this.batchListeners.size + this.membershipListeners.size;
  }

  profile(userId: string): Promise<{ displayName: string | undefined; avatarUrl: string | undefined }> {
    this.profileRequests.push(userId);
    return Promise.resolve({ displayName: this.profiles[userId], avatarUrl: undefined });
  }

  turnServers(): Promise<TurnServers | undefined> {
    return Promise.resolve(undefined);
  }

  async membershipOf(roomId: string, userId: string): Promise<Membership | undefined> {
    const room = this.rooms.get(roomId);
    if (room?.joinedMembers.includes(userId)) return 'join';
    return room?.invitedMembers?.includes(userId) ? 'invite' : undefined;
  }

  room(roomId: string): RoomInfo | undefined {
    const room = this.rooms.get(roomId);
    if (!room) return undefined;
    return {
      roomId,
      joinRule: room.joinRule,
      joinedMembers: [...room.joinedMembers],
      encrypted: room.encrypted ?? false,
      displayName: (userId) => room.displayNames?.[userId],
      avatarUrl: (userId) => room.avatarUrls?.[userId],
    };
  }

  /** Refuses what the real port refuses before any request, as the real port does; then answers from `media`. */
  mediaThumbnail(mxcUri: string, { width, height, signal }: MediaThumbnailOptions): Promise<Blob> {
    if (!parseMxcUri(mxcUri)) return Promise.reject(new MxError('INVALID_CONFIGURATION', `Not an mxc:// content URI: ${JSON.stringify(mxcUri)}.`));
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.mediaRequests.push({ mxcUri, width, height });
    const blob = this.media.get(mxcUri);
    return blob ? Promise.resolve(blob) : Promise.reject(new MxError('UNKNOWN', `The homeserver answered 404 for the thumbnail of ${JSON.stringify(mxcUri)}.`));
  }

  /** The first configured room both of us are joined to, with no one else; there is no room creation. */
  directRoomWith(userId: string): Promise<string> {
    for (const room of this.rooms.values()) {
      const members = new Set(room.joinedMembers);
      if (members.size === 2 && members.has(this.userId) && members.has(userId)) return Promise.resolve(room.roomId);
    }
    return Promise.reject(new Error(`FakeVoipPort: no DM with ${userId}`));
  }
}

export type LogLevel = keyof Logger;

export interface LogLine {
  readonly level: LogLevel;
  /** The message followed by its details, each turned into text. */
  readonly text: string;
}

export interface CapturingLogger extends Logger {
  readonly lines: LogLine[];
  /** Lines logged since `mark` (an index into `lines`, e.g. a previous `lines.length`). */
  since(mark: number): LogLine[];
}

/** A Logger that keeps every line, for asserting that a drop was logged with its reason. */
export function capturingLogger(): CapturingLogger {
  const lines: LogLine[] = [];
  const write = (level: LogLevel) => (message: string, ...details: unknown[]): void => {
    lines.push({ level, text: [message, ...details.map(describe)].join(' ') });
  };
  return {
    lines,
    since: (mark) => lines.slice(mark),
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
  };
}

function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
