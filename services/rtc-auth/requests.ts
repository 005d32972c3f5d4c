// Request bodies of /get_token and /sfu/get, checked field by field before anything touches the network, so a
// client learns exactly which field is wrong. Pure: shared by the server and the browser unit tests.

/** A Matrix-style error reply. */
export interface MatrixError {
  status: number;
  errcode: string;
  error: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: MatrixError };

export interface OpenIdToken {
  accessToken: string;
  matrixServerName: string;
}

/** `POST /get_token` (MSC4195). */
export interface GetTokenRequest {
  roomId: string;
  slotId: string;
  openIdToken: OpenIdToken;
  member: { id: string; claimedUserId: string; claimedDeviceId: string };
  /** Present when the client asked for delayed-leave delegation, which rtc-auth does not do (yet). */
  delayId: string | undefined;
}

/** Legacy `POST /sfu/get`. */
export interface LegacySfuRequest {
  room: string;
  openIdToken: OpenIdToken;
  deviceId: string;
  delayId: string | undefined;
}

export const UNAUTHORIZED: MatrixError = { status: 401, errcode: 'M_UNAUTHORIZED', error: 'The request could not be authorised.' };

export function badJson(error: string): MatrixError {
  return { status: 400, errcode: 'M_BAD_JSON', error };
}

type Json = Record<string, unknown>;

class FieldError extends Error {}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function object(parent: Json, key: string, path: string): Json {
  const value = parent[key];
  if (value === undefined || value === null) throw new FieldError(`The request body is missing \`${path}\``);
  if (!isObject(value)) throw new FieldError(`\`${path}\` must be an object`);
  return value;
}

function requiredString(parent: Json, key: string, path: string): string {
  const value = parent[key];
  if (value === undefined || value === null) throw new FieldError(`The request body is missing \`${path}\``);
  if (typeof value !== 'string' || value === '') throw new FieldError(`\`${path}\` must be a non-empty string`);
  return value;
}

// Optional fields are still type-checked: lk-jwt-service's strict decoder refuses wrong types, and a client
// sending them wrongly is better told than silently ignored.
function optional(parent: Json, key: string, path: string, type: 'string' | 'number'): void {
  const value = parent[key];
  if (value === undefined || value === null) return;
  if (typeof value !== type || (type === 'number' && !Number.isFinite(value))) {
    throw new FieldError(`\`${path}\` must be a ${type}`);
  }
}

function openIdToken(body: Json): OpenIdToken {
  const token = object(body, 'openid_token', 'openid_token');
  const accessToken = requiredString(token, 'access_token', 'openid_token.access_token');
  const matrixServerName = requiredString(token, 'matrix_server_name', 'openid_token.matrix_server_name');
  optional(token, 'token_type', 'openid_token.token_type', 'string');
  optional(token, 'expires_in', 'openid_token.expires_in', 'number');
  return { accessToken, matrixServerName };
}

function delayFields(body: Json): string | undefined {
  optional(body, 'delay_id', 'delay_id', 'string');
  optional(body, 'delay_timeout', 'delay_timeout', 'number');
  optional(body, 'delay_cs_api_url', 'delay_cs_api_url', 'string');
  const delayId = body.delay_id;
  return typeof delayId === 'string' && delayId !== '' ? delayId : undefined;
}

function parseWith<T>(body: unknown, parse: (body: Json) => T): Parsed<T> {
  if (!isObject(body)) return { ok: false, error: badJson('The request body must be a JSON object') };
  try {
    return { ok: true, value: parse(body) };
  } catch (error) {
    if (error instanceof FieldError) return { ok: false, error: badJson(error.message) };
    throw error;
  }
}

/** Validates a `/get_token` body. Unknown fields are ignored. */
export function parseGetTokenRequest(body: unknown): Parsed<GetTokenRequest> {
  return parseWith(body, (json) => {
    const roomId = requiredString(json, 'room_id', 'room_id');
    const slotId = requiredString(json, 'slot_id', 'slot_id');
    const token = openIdToken(json);
    const member = object(json, 'member', 'member');
    return {
      roomId,
      slotId,
      openIdToken: token,
      member: {
        id: requiredString(member, 'id', 'member.id'),
        claimedUserId: requiredString(member, 'claimed_user_id', 'member.claimed_user_id'),
        claimedDeviceId: requiredString(member, 'claimed_device_id', 'member.claimed_device_id'),
      },
      delayId: delayFields(json),
    };
  });
}

/** Validates a legacy `/sfu/get` body. Unknown fields are ignored. */
export function parseLegacySfuRequest(body: unknown): Parsed<LegacySfuRequest> {
  return parseWith(body, (json) => {
    const room = requiredString(json, 'room', 'room');
    const token = openIdToken(json);
    return { room, openIdToken: token, deviceId: requiredString(json, 'device_id', 'device_id'), delayId: delayFields(json) };
  });
}

/** Whether a Content-Type header value is JSON (`application/json`, any parameters, any case). */
export function isJsonContentType(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

/** Checks the Content-Type and parses the text of a request body. */
export function parseJsonBody(contentType: string | undefined, text: string): Parsed<unknown> {
  if (!isJsonContentType(contentType)) {
    return { ok: false, error: badJson(`Content-Type must be application/json, got ${contentType === undefined ? 'none' : JSON.stringify(contentType.slice(0, 100))}`) };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    // M_NOT_JSON is what the Matrix spec and lk-jwt-service answer for a body that is not JSON at all.
    return { ok: false, error: { status: 400, errcode: 'M_NOT_JSON', error: 'The request body is not valid JSON' } };
  }
}
