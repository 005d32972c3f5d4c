// Who may ask for a visitor account, whom it may call and which rooms it may join: the allow-lists, and
// which address a request comes from when a reverse proxy stands in front. Pure, so the browser tests cover it.

/** `scheme://host[:port]`, as browsers send it in the Origin header; lower case, no default port. */
export function normalizeOrigin(raw: string): string {
  const text = raw.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`"${raw}" is not an origin like https://example.org`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`"${raw}" must start with http:// or https://`);
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '' || !/^[a-z]+:\/\/[^/]+\/?$/i.test(text)) {
    throw new Error(`"${raw}" must be only scheme://host[:port], without a path`);
  }
  return url.origin;
}

/** Whether the Origin header names a site that may ask for visitor accounts. A missing or `null` origin never may. */
export function isOriginAllowed(origin: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (origin === undefined || origin === 'null') return false;
  try {
    return allowed.has(normalizeOrigin(origin));
  } catch {
    return false;
  }
}

const MAX_USER_ID_LENGTH = 255;

/**
 * `<sigil><local part>:<server name>`: the local part printable ASCII except ':'; the server name a DNS name,
 * IPv4 or [IPv6], then an optional port. Strict enough that identifiers can be compared as strings.
 */
function sigilled(sigil: '@' | '!' | '#'): RegExp {
  return new RegExp(`^${sigil}[\\x21-\\x39\\x3b-\\x7e]+:(?:[A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\])(?::\\d{1,5})?$`);
}

const USER_ID = sigilled('@');
const ROOM_ID_WITH_SERVER = sigilled('!');
/** Room version 12 (MSC4291): the create event's hash, 43 characters of unpadded URL-safe base64. */
const ROOM_ID_HASH = /^![A-Za-z0-9_-]{43}$/;
const ROOM_ALIAS = sigilled('#');

/** A Matrix user ID as the spec's grammar allows it (historical localparts included). */
export function isUserId(value: string): boolean {
  return value.length <= MAX_USER_ID_LENGTH && USER_ID.test(value);
}

/** A room ID: `!opaque:server`, or from room version 12 the create event's hash with no server part. */
export function isRoomId(value: string): boolean {
  return value.length <= MAX_USER_ID_LENGTH && (ROOM_ID_HASH.test(value) || ROOM_ID_WITH_SERVER.test(value));
}

/** A room alias, `#name:server`. */
export function isRoomAlias(value: string): boolean {
  return value.length <= MAX_USER_ID_LENGTH && ROOM_ALIAS.test(value);
}

export type RoomDecision = { ok: true; roomId: string } | { ok: false; why: 'not-allowed' | 'no-such-alias' };

/**
 * Whether a visitor may join `room` (an ID or alias), and its ID: a room listed by ID or alias, or one a
 * listed alias names now. Aliases are resolved at each request, since they can move to another room.
 */
export async function decideRoom(
  room: string,
  allowed: ReadonlySet<string>,
  resolveAlias: (alias: string) => Promise<string | undefined>,
): Promise<RoomDecision> {
  const byId = isRoomId(room);
  if (!byId && !isRoomAlias(room)) return { ok: false, why: 'not-allowed' };
  const roomId = byId ? room : await resolveAlias(room);
  if (allowed.has(room)) return roomId === undefined ? { ok: false, why: 'no-such-alias' } : { ok: true, roomId };
  if (roomId === undefined) return { ok: false, why: 'not-allowed' };
  if (allowed.has(roomId)) return { ok: true, roomId };
  for (const entry of allowed) {
    if (isRoomAlias(entry) && (await resolveAlias(entry)) === roomId) return { ok: true, roomId };
  }
  return { ok: false, why: 'not-allowed' };
}

export function isTargetAllowed(target: string, allowed: ReadonlySet<string>): boolean {
  return allowed.has(target);
}

/** The server name part of a user ID (after the first colon). */
export function serverNameOf(userId: string): string {
  return userId.slice(userId.indexOf(':') + 1);
}

/**
 * The address a request comes from. Behind a reverse proxy every request comes from the proxy, so when the
 * peer is a trusted proxy the X-Forwarded-For chain is read from the right, skipping trusted proxies: the
 * first address that is not one is the client (entries further left are whatever the client claimed).
 */
export function clientAddress(
  remoteAddress: string | undefined,
  forwardedFor: string | undefined,
  trustedProxies: ReadonlySet<string>,
): string {
  const peer = stripIpv4Mapping(remoteAddress ?? 'unknown');
  if (!trustedProxies.has(peer) || forwardedFor === undefined) return peer;
  const chain = forwardedFor.split(',').map((entry) => stripIpv4Mapping(entry.trim())).filter((entry) => entry !== '');
  for (let i = chain.length - 1; i >= 0; i--) {
    const hop = chain[i] as string;
    if (!trustedProxies.has(hop)) return hop;
  }
  return chain[0] ?? peer;
}

// Node reports IPv4 peers of a dual-stack socket as ::ffff:a.b.c.d; one client must have one key.
function stripIpv4Mapping(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
