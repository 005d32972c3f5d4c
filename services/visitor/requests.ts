// Refusals and request bodies of the visitor service. Every refusal has a stable code a page can switch on
// (the call button maps them to its messages) and a sentence for people. Pure: shared with the browser tests.

export const VISITOR_ERROR_CODES = [
  'ORIGIN_NOT_ALLOWED',
  'RATE_LIMITED',
  'TARGET_NOT_ALLOWED',
  'ROOM_NOT_ALLOWED',
  'ROOM_NOT_JOINABLE',
  'HOMESERVER_UNREACHABLE',
  'BAD_REQUEST',
  'UNKNOWN_SESSION',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'INTERNAL',
] as const;

export type VisitorErrorCode = (typeof VISITOR_ERROR_CODES)[number];

/** The JSON body of every refusal: `{ code, message, retryAfterMs? }`, sent with `status`. */
export interface Refusal {
  status: number;
  code: VisitorErrorCode;
  message: string;
  /** RATE_LIMITED only; also sent as a Retry-After header in whole seconds. */
  retryAfterMs?: number;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: Refusal };

export function badRequest(message: string): Refusal {
  return { status: 400, code: 'BAD_REQUEST', message };
}

export function rateLimited(retryAfterMs: number, message = 'Too many calls from this address; try again later.'): Refusal {
  return { status: 429, code: 'RATE_LIMITED', message, retryAfterMs: Math.max(1000, Math.ceil(retryAfterMs)) };
}

export const ORIGIN_NOT_ALLOWED: Refusal = {
  status: 403,
  code: 'ORIGIN_NOT_ALLOWED',
  message: 'This website may not start visitor calls here (its origin is not on the service\'s allow-list).',
};

export const TARGET_NOT_ALLOWED: Refusal = {
  status: 403,
  code: 'TARGET_NOT_ALLOWED',
  message: 'Visitors cannot call this Matrix user from here.',
};

export const ROOM_NOT_ALLOWED: Refusal = {
  status: 403,
  code: 'ROOM_NOT_ALLOWED',
  message: 'Visitors cannot join this room\'s call from here.',
};

/** The homeserver would not let the visitor join an allowed room: `why` says what the room's admins can change. */
export function roomNotJoinable(why: string): Refusal {
  return { status: 502, code: 'ROOM_NOT_JOINABLE', message: `The visitor could not join the room: ${why}` };
}

export const UNKNOWN_SESSION: Refusal = {
  status: 404,
  code: 'UNKNOWN_SESSION',
  message: 'No live visitor session has this access token.',
};

export function homeserverUnreachable(reachable: boolean): Refusal {
  return reachable
    ? { status: 502, code: 'HOMESERVER_UNREACHABLE', message: 'The Matrix homeserver did not accept the visitor account; try again later.' }
    : { status: 503, code: 'HOMESERVER_UNREACHABLE', message: 'The Matrix homeserver cannot be reached; try again later.' };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The media type of a Content-Type header, lower case, without parameters. */
export function mediaTypeOf(contentType: string | undefined): string {
  return contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
}

/** What a visitor session is for: calling one user, or joining one room's group call (a room ID or alias). */
export type SessionRequest = { target: string } | { room: string };

/**
 * `POST /visitor/session` takes `{"target": "@support:example.org"}` or `{"room": "#town-hall:example.org"}`
 * (exactly one of the two) as application/json.
 */
export function parseSessionRequest(contentType: string | undefined, text: string): Parsed<SessionRequest> {
  if (mediaTypeOf(contentType) !== 'application/json') {
    return { ok: false, error: badRequest(`Content-Type must be application/json, got ${contentType === undefined ? 'none' : JSON.stringify(contentType.slice(0, 100))}`) };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, error: badRequest('The request body is not valid JSON') };
  }
  if (!isObject(body)) return { ok: false, error: badRequest('The request body must be a JSON object') };
  const given = (['target', 'room'] as const).filter((key) => body[key] !== undefined && body[key] !== null);
  if (given.length === 0) return { ok: false, error: badRequest('The request body is missing `target` (a user to call) or `room` (a room to join)') };
  if (given.length === 2) return { ok: false, error: badRequest('The request body has both `target` and `room`; send one') };
  const key = given[0]!;
  const value = body[key];
  if (typeof value !== 'string' || value === '') return { ok: false, error: badRequest(`\`${key}\` must be a non-empty string`) };
  return { ok: true, value: key === 'target' ? { target: value } : { room: value } };
}

const MAX_TOKEN_LENGTH = 1024;

function checkedToken(token: string | undefined, where: string): Parsed<string> {
  if (token === undefined || token === '') return { ok: false, error: badRequest(`No access token in ${where}`) };
  // Access tokens are opaque but printable; anything else cannot be one and must not reach a header.
  if (token.length > MAX_TOKEN_LENGTH || !/^[\x21-\x7e]+$/.test(token)) {
    return { ok: false, error: badRequest(`The access token in ${where} is malformed`) };
  }
  return { ok: true, value: token };
}

/**
 * The visitor's access token for `POST /visitor/end`: an `Authorization: Bearer` header, or, for
 * `navigator.sendBeacon` (which cannot set headers and sends only CORS-safelisted types without a preflight),
 * a body `{"accessToken": "…"}` as application/json or text/plain, or `accessToken=…` form-encoded.
 */
export function parseEndRequest(authorization: string | undefined, contentType: string | undefined, text: string): Parsed<string> {
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match ? checkedToken(match[1], 'the Authorization header') : { ok: false, error: badRequest('The Authorization header must be "Bearer <token>"') };
  }
  const type = mediaTypeOf(contentType);
  if (type === 'application/x-www-form-urlencoded') {
    return checkedToken(new URLSearchParams(text).get('accessToken') ?? undefined, 'the form body');
  }
  if (type === 'application/json' || type === 'text/plain' || type === '') {
    if (text.trim() === '') return { ok: false, error: badRequest('No access token: send "Authorization: Bearer <token>" or a body {"accessToken": "…"}') };
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { ok: false, error: badRequest('The request body is not valid JSON') };
    }
    const token = isObject(body) ? body.accessToken : undefined;
    if (token !== undefined && typeof token !== 'string') return { ok: false, error: badRequest('`accessToken` must be a string') };
    return checkedToken(token, 'the request body');
  }
  return { ok: false, error: badRequest(`Content-Type ${JSON.stringify(type.slice(0, 100))} is not accepted here`) };
}
