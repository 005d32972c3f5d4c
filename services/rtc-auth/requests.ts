// Request bodies of /get_token, /sfu/get and /delegate_delayed_leave, checked field by field before anything
// touches the network, so a client learns exactly which field is wrong. Pure: shared by the server and the
// browser unit tests.

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

/** The delayed leave event a client hands over (MSC4140): its id and the delay it was sent with. */
export interface DelayedLeaveFields {
  delayId: string;
  delayTimeoutMs: number;
}

/**
 * Bounds on `delay_timeout`: the service restarts at 80 % of it, so a tiny one would hammer the homeserver;
 * Element Call hands over 1 h, and homeservers cap delays at about a day.
 */
export const MIN_DELAY_TIMEOUT_MS = 1_000;
export const MAX_DELAY_TIMEOUT_MS = 24 * 60 * 60_000;
/** Synapse's delay ids are about 24 characters; the id goes into URL paths. */
export const MAX_DELAY_ID_LENGTH = 255;

/** `POST /get_token` (MSC4195). */
export interface GetTokenRequest {
  roomId: string;
  slotId: string;
  openIdToken: OpenIdToken;
  member: { id: string; claimedUserId: string; claimedDeviceId: string };
  /** Present when the client asks the service to take over its delayed leave (deprecated upstream, still served). */
  delay: DelayedLeaveFields | undefined;
}

/** Legacy `POST /sfu/get`. */
export interface LegacySfuRequest {
  room: string;
  openIdToken: OpenIdToken;
  deviceId: string;
  delay: DelayedLeaveFields | undefined;
}

/** `POST /delegate_delayed_leave`: the same member fields as /get_token, and the delay fields, all required. */
export interface DelegateDelayedLeaveRequest {
  roomId: string;
  slotId: string;
  openIdToken: OpenIdToken;
  member: { id: string; claimedUserId: string; claimedDeviceId: string };
  delay: DelayedLeaveFields;
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

/**
 * `delay_id` and `delay_timeout` come together or not at all (an empty id or a zero timeout counts as absent,
 * as in lk-jwt-service). `delay_cs_api_url` is type-checked and ignored: the service finds the homeserver itself.
 */
function delayFields(body: Json): DelayedLeaveFields | undefined {
  optional(body, 'delay_id', 'delay_id', 'string');
  optional(body, 'delay_timeout', 'delay_timeout', 'number');
  optional(body, 'delay_cs_api_url', 'delay_cs_api_url', 'string');
  const delayId = typeof body.delay_id === 'string' ? body.delay_id : '';
  const timeout = typeof body.delay_timeout === 'number' ? body.delay_timeout : 0;
  if (delayId === '' && timeout === 0) return undefined;
  if (delayId === '' || timeout === 0) throw new FieldError('The request body is missing `delay_id` or `delay_timeout`');
  if (delayId.length > MAX_DELAY_ID_LENGTH) throw new FieldError(`\`delay_id\` must be at most ${MAX_DELAY_ID_LENGTH} characters`);
  if (!Number.isInteger(timeout) || timeout < MIN_DELAY_TIMEOUT_MS || timeout > MAX_DELAY_TIMEOUT_MS) {
    throw new FieldError(`\`delay_timeout\` must be a whole number of milliseconds from ${MIN_DELAY_TIMEOUT_MS} to ${MAX_DELAY_TIMEOUT_MS}`);
  }
  return { delayId, delayTimeoutMs: timeout };
}

function memberOf(json: Json): GetTokenRequest['member'] {
  const member = object(json, 'member', 'member');
  return {
    id: requiredString(member, 'id', 'member.id'),
    claimedUserId: requiredString(member, 'claimed_user_id', 'member.claimed_user_id'),
    claimedDeviceId: requiredString(member, 'claimed_device_id', 'member.claimed_device_id'),
  };
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
    return { roomId, slotId, openIdToken: token, member: memberOf(json), delay: delayFields(json) };
  });
}

/** Validates a `/delegate_delayed_leave` body. Unknown fields are ignored. */
export function parseDelegateDelayedLeaveRequest(body: unknown): Parsed<DelegateDelayedLeaveRequest> {
  return parseWith(body, (json) => {
    const roomId = requiredString(json, 'room_id', 'room_id');
    const slotId = requiredString(json, 'slot_id', 'slot_id');
    const token = openIdToken(json);
    const member = memberOf(json);
    const delay = delayFields(json);
    if (!delay) throw new FieldError('The request body is missing `delay_id` or `delay_timeout`');
    return { roomId, slotId, openIdToken: token, member, delay };
  });
}

/** Validates a legacy `/sfu/get` body. Unknown fields are ignored. */
export function parseLegacySfuRequest(body: unknown): Parsed<LegacySfuRequest> {
  return parseWith(body, (json) => {
    const room = requiredString(json, 'room', 'room');
    const token = openIdToken(json);
    return { room, openIdToken: token, deviceId: requiredString(json, 'device_id', 'device_id'), delay: delayFields(json) };
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
