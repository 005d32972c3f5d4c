// The LiveKit side: join tokens and room creation, through livekit-server-sdk.
import { AccessToken, RoomServiceClient, ServerError } from 'livekit-server-sdk';

export interface JoinGrant {
  identity: string;
  /** LiveKit room name (the derived alias). */
  room: string;
}

export type MintToken = (grant: JoinGrant) => Promise<string>;
export type CreateRoom = (alias: string) => Promise<void>;

/**
 * Same grant as lk-jwt-service: join one room, publish/subscribe, never create rooms by itself; valid for
 * `ttlSeconds` (lk-jwt-service: an hour). The token only admits to the room: a call outlives it, and a client
 * asks for a new one whenever it must connect again.
 */
export function createTokenMinter(key: string, secret: string, ttlSeconds: number): MintToken {
  return async ({ identity, room }) => {
    const token = new AccessToken(key, secret, { identity, ttl: ttlSeconds });
    token.addGrant({
      roomJoin: true,
      roomCreate: false,
      room,
      canPublish: true,
      canSubscribe: true,
      canUpdateOwnMetadata: true,
    });
    return token.toJwt();
  };
}

// lk-jwt-service's values: keep an unused room 5 minutes, and 20 s after the last participant leaves so a
// reconnecting client finds it again.
const EMPTY_TIMEOUT_S = 300;
const DEPARTURE_TIMEOUT_S = 20;

/** Creates (or, if it exists, reuses) the LiveKit room through the server API at `apiUrl` (http/https). */
export function createRoomCreator(apiUrl: string, key: string, secret: string): CreateRoom {
  const client = new RoomServiceClient(apiUrl, key, secret, { requestTimeout: 5 });
  return async (alias) => {
    await client.createRoom({ name: alias, emptyTimeout: EMPTY_TIMEOUT_S, departureTimeout: DEPARTURE_TIMEOUT_S });
  };
}

export type ListParticipants = (room: string) => Promise<ReadonlySet<string>>;

/**
 * The identities in a LiveKit room, for delegated delayed leave. A room LiveKit does not know has nobody in
 * it; any other failure rejects, as presence is then unknown.
 */
export function createParticipantLister(apiUrl: string, key: string, secret: string): ListParticipants {
  const client = new RoomServiceClient(apiUrl, key, secret, { requestTimeout: 5 });
  return async (room) => {
    try {
      return new Set((await client.listParticipants(room)).map((participant) => participant.identity));
    } catch (error) {
      if (error instanceof ServerError && (error.status === 404 || error.code === 'not_found')) return new Set();
      throw error;
    }
  };
}
