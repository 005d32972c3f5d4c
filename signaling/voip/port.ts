// The narrow view of a Matrix client that 1:1 calls need. The call manager talks to this port only; the
// adapter over matrix-js-sdk (js-sdk-port.ts) is one implementation, and unit tests can use another.
import type { MediaThumbnailOptions } from '../matrix/media.js';

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

/** The homeserver's TURN servers as the client holds them, ready for an RTCPeerConnection. */
export interface TurnServers {
  readonly servers: readonly RTCIceServer[];
  /**
   * When the credentials expire (ms since the epoch). Undefined when the client keeps them fresh itself (a
   * widget's client, which the host tells of new ones): they are then read again for every call.
   */
  readonly expiresAt: number | undefined;
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

export interface VoipPort {
  readonly userId: string;
  readonly deviceId: string;
  /**
   * Sends a room event; the client encrypts it in encrypted rooms. Rejects with `HomeserverUnavailableError`
   * when the same send may succeed later; any other rejection is a refusal. A retry passes the first attempt's
   * `txnId`, so that a send that did arrive is not stored twice.
   */
  sendEvent(roomId: string, type: string, content: Record<string, unknown>, txnId?: string): Promise<void>;
  /** Forgets a send that failed and will not be tried again (a client keeps a local echo of it until then). */
  abandonSend(roomId: string, txnId: string): void;
  /**
   * Delivers live call events (`m.call.*`) one sync batch at a time, after the whole batch is decrypted,
   * so that a hangup in the same batch as its invite can stop it from ringing.
   */
  onCallEventBatch(listener: (events: readonly InboundRoomEvent[]) => void): () => void;
  onMembershipChange(listener: (roomId: string, userId: string, membership: Membership) => void): () => void;
  /**
   * The client's TURN servers: those it holds (an app's client with VoIP on keeps them fresh, and a widget's
   * gets them from its host), else asked of the homeserver through the client. Undefined when the homeserver
   * offers none.
   */
  turnServers(): Promise<TurnServers | undefined>;
  room(roomId: string): RoomInfo | undefined;
  /**
   * A member's membership, with the room's members loaded first: `room().joinedMembers` holds only the members
   * the client has loaded, which with lazy loading can leave out someone who joined long ago.
   */
  membershipOf(roomId: string, userId: string): Promise<Membership | undefined>;
  /** The user's global profile, for when the room does not say (members are loaded lazily). */
  profile(userId: string): Promise<{ displayName: string | undefined; avatarUrl: string | undefined }>;
  /** The DM with `userId` both of us are joined to, created (and recorded in m.direct) when there is none. */
  directRoomWith(userId: string): Promise<string>;
  /**
   * A thumbnail of `mxc://` media through the homeserver's authenticated media API, cropped to the size asked
   * for. Rejects with an `MxError` for a URI that `parseMxcUri` refuses (before any request), and for a
   * response that is not an image or is larger than a thumbnail has any reason to be.
   */
  mediaThumbnail(mxcUri: string, options: MediaThumbnailOptions): Promise<Blob>;
}
