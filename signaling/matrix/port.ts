// The narrow view of a Matrix client that calls need. The kit's logic talks to this port only; the adapter
// over matrix-js-sdk (js-sdk-port.ts) is one implementation, and unit tests can use another.

export interface InboundRoomEvent {
  readonly eventId: string;
  /** The decrypted type for events that arrived encrypted. */
  readonly type: string;
  readonly roomId: string;
  readonly sender: string;
  readonly content: unknown;
  /** How old the event is now: the server's `unsigned.age` plus the time since we received it. */
  readonly ageMs: number;
  readonly encrypted: boolean;
}

export interface TurnServerCredentials {
  readonly uris: readonly string[];
  readonly username: string;
  readonly password: string;
  /** Seconds the credentials stay valid. */
  readonly ttl: number;
}

export interface RoomInfo {
  readonly roomId: string;
  readonly joinRule: string | undefined;
  readonly joinedMembers: readonly string[];
  readonly encrypted: boolean;
  displayName(userId: string): string | undefined;
  avatarUrl(userId: string): string | undefined;
}

export type Membership = 'join' | 'leave' | 'invite' | 'ban' | 'knock';

export interface MatrixPort {
  readonly userId: string;
  readonly deviceId: string;
  /** Sends a room event; the client encrypts it in encrypted rooms. */
  sendEvent(roomId: string, type: string, content: Record<string, unknown>): Promise<void>;
  /**
   * Delivers live call events (`m.call.*`) one sync batch at a time, after the whole batch is decrypted,
   * so that a hangup in the same batch as its invite can stop it from ringing.
   */
  onCallEventBatch(listener: (events: readonly InboundRoomEvent[]) => void): () => void;
  onMembershipChange(listener: (roomId: string, userId: string, membership: Membership) => void): () => void;
  /** `GET /voip/turnServer`; undefined when the homeserver offers no TURN server. */
  turnServer(): Promise<TurnServerCredentials | undefined>;
  room(roomId: string): RoomInfo | undefined;
  /** The user's global profile, for when the room does not say (members are loaded lazily). */
  profile(userId: string): Promise<{ displayName: string | undefined; avatarUrl: string | undefined }>;
  /** The DM with `userId` both of us are joined to, created (and recorded in m.direct) when there is none. */
  directRoomWith(userId: string): Promise<string>;
}
