// The narrow view of a Matrix client that calls need. The kit's logic talks to this port only; the adapter
// over matrix-js-sdk (js-sdk-port.ts) is one implementation, and unit tests can use another.
import { MxError } from '../errors.js';

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

/**
 * The homeserver could not take a request for now: it was unreachable, failed (5xx) or asked us to slow down
 * (429, after `retryAfterMs` when it said).
 */
export class HomeserverUnavailableError extends MxError {
  constructor(message: string, retryAfterMs: number | undefined, options?: { cause?: unknown }) {
    super('HOMESERVER_UNREACHABLE', message, retryAfterMs === undefined ? options : { ...options, retryAfterMs });
  }
}

export type Membership = 'join' | 'leave' | 'invite' | 'ban' | 'knock';

export interface MatrixPort {
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
  /** `GET /voip/turnServer`; undefined when the homeserver offers no TURN server. */
  turnServer(): Promise<TurnServerCredentials | undefined>;
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

export interface MediaThumbnailOptions {
  /** Wanted size in CSS pixels times the device pixel ratio; the homeserver picks the nearest it has. */
  readonly width: number;
  readonly height: number;
  readonly signal?: AbortSignal | undefined;
}

/** The two parts of an `mxc://` content URI. */
export interface MxcUri {
  readonly serverName: string;
  readonly mediaId: string;
}

// The spec's grammar (appendices, "Server name"; client-server API, "Matrix Content (mxc://) URIs"): a server
// name is a DNS name or IPv4 address (the same characters) or a bracketed IPv6 literal, with an optional port;
// a media id is [A-Za-z0-9_-]. Anything else (a path, a query, userinfo, percent escapes) is refused, so the
// URI can only ever name a media id on a server, never steer the request somewhere else.
const MXC_URI = /^mxc:\/\/((?:\[[0-9A-Fa-f:.]{2,45}\]|[0-9A-Za-z.-]{1,255})(?::\d{1,5})?)\/([0-9A-Za-z_-]{1,255})$/u;

/** Splits a well-formed `mxc://server/mediaId` URI; `undefined` for anything else. */
export function parseMxcUri(uri: unknown): MxcUri | undefined {
  if (typeof uri !== 'string') return undefined;
  const match = MXC_URI.exec(uri);
  if (!match?.[1] || !match[2]) return undefined;
  return { serverName: match[1], mediaId: match[2] };
}
