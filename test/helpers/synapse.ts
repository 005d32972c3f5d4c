// Node-side helpers that set up users and rooms on the test homeserver through its HTTP APIs.
import { createHmac, randomBytes } from 'node:crypto';
import { loadStack, type StackEndpoints } from './stack.js';

export interface TestUser {
  userId: string;
  localpart: string;
  password: string;
  accessToken: string;
  deviceId: string;
}

export interface OpenIdToken {
  access_token: string;
  token_type: string;
  matrix_server_name: string;
  expires_in: number;
}

export class MatrixHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errcode: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

async function matrixFetch<T>(stack: StackEndpoints, path: string, init: RequestInit & { accessToken?: string } = {}): Promise<T> {
  const headers = new Headers(init.headers);
  if (init.accessToken) headers.set('Authorization', `Bearer ${init.accessToken}`);
  if (init.body !== undefined) headers.set('Content-Type', 'application/json');
  const response = await fetch(`${stack.homeserverUrl}${path}`, { ...init, headers });
  const text = await response.text();
  const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (!response.ok) {
    throw new MatrixHttpError(response.status, body.errcode as string | undefined,
      `${init.method ?? 'GET'} ${path} -> ${response.status} ${text}`);
  }
  return body as T;
}

/** A localpart unique to this run, so tests never share users or need a fresh database. */
export function uniqueLocalpart(prefix = 'user'): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** Registers a user through Synapse's shared-secret admin API and returns its first login. */
export async function registerUser(
  options: { localpart?: string; password?: string; displayName?: string; admin?: boolean } = {},
  stack: StackEndpoints = loadStack(),
): Promise<TestUser> {
  const localpart = options.localpart ?? uniqueLocalpart();
  const password = options.password ?? randomBytes(12).toString('hex');
  const { nonce } = await matrixFetch<{ nonce: string }>(stack, '/_synapse/admin/v1/register');
  const admin = options.admin ?? false;
  const mac = createHmac('sha1', stack.registrationSharedSecret)
    .update(`${nonce}\0${localpart}\0${password}\0${admin ? 'admin' : 'notadmin'}`)
    .digest('hex');
  const registered = await matrixFetch<{ user_id: string; access_token: string; device_id: string }>(
    stack, '/_synapse/admin/v1/register', {
      method: 'POST',
      body: JSON.stringify({ nonce, username: localpart, password, admin, displayname: options.displayName ?? localpart, mac }),
    });
  return { userId: registered.user_id, localpart, password, accessToken: registered.access_token, deviceId: registered.device_id };
}

/** Logs an existing user in again, which gives it a new device. */
export async function login(user: Pick<TestUser, 'localpart' | 'password'>, stack: StackEndpoints = loadStack()): Promise<TestUser> {
  const result = await matrixFetch<{ user_id: string; access_token: string; device_id: string }>(stack, '/_matrix/client/v3/login', {
    method: 'POST',
    body: JSON.stringify({ type: 'm.login.password', identifier: { type: 'm.id.user', user: user.localpart }, password: user.password }),
  });
  return { ...user, userId: result.user_id, accessToken: result.access_token, deviceId: result.device_id };
}

export async function createRoom(
  creator: TestUser,
  options: { invite?: string[]; isDirect?: boolean; name?: string; encrypted?: boolean; preset?: string; eventPowerLevels?: Record<string, number> } = {},
  stack: StackEndpoints = loadStack(),
): Promise<string> {
  const initialState = options.encrypted
    ? [{ type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } }]
    : [];
  const { room_id } = await matrixFetch<{ room_id: string }>(stack, '/_matrix/client/v3/createRoom', {
    method: 'POST',
    accessToken: creator.accessToken,
    body: JSON.stringify({
      preset: options.preset ?? (options.isDirect ? 'trusted_private_chat' : 'private_chat'),
      invite: options.invite ?? [],
      is_direct: options.isDirect ?? false,
      name: options.name,
      initial_state: initialState,
      ...(options.eventPowerLevels ? { power_level_content_override: { events: options.eventPowerLevels } } : {}),
    }),
  });
  return room_id;
}

export async function joinRoom(user: TestUser, roomId: string, stack: StackEndpoints = loadStack()): Promise<void> {
  await matrixFetch(stack, `/_matrix/client/v3/join/${encodeURIComponent(roomId)}`, {
    method: 'POST', accessToken: user.accessToken, body: '{}',
  });
}

/** Creates a DM from `a` to `b`, joins `b`, and records it in both users' m.direct account data. */
export async function createDirectRoom(a: TestUser, b: TestUser, options: { encrypted?: boolean } = {}): Promise<string> {
  const roomId = await createRoom(a, { invite: [b.userId], isDirect: true, encrypted: options.encrypted });
  await joinRoom(b, roomId);
  const stack = loadStack();
  for (const [self, other] of [[a, b], [b, a]] as const) {
    await matrixFetch(stack, `/_matrix/client/v3/user/${encodeURIComponent(self.userId)}/account_data/m.direct`, {
      method: 'PUT', accessToken: self.accessToken, body: JSON.stringify({ [other.userId]: [roomId] }),
    });
  }
  return roomId;
}

export async function requestOpenIdToken(user: TestUser, stack: StackEndpoints = loadStack()): Promise<OpenIdToken> {
  return matrixFetch<OpenIdToken>(stack, `/_matrix/client/v3/user/${encodeURIComponent(user.userId)}/openid/request_token`, {
    method: 'POST', accessToken: user.accessToken, body: '{}',
  });
}

export interface TurnServerResponse {
  username: string;
  password: string;
  uris: string[];
  ttl: number;
}

export async function getTurnServer(user: TestUser, stack: StackEndpoints = loadStack()): Promise<TurnServerResponse> {
  return matrixFetch<TurnServerResponse>(stack, '/_matrix/client/v3/voip/turnServer', { accessToken: user.accessToken });
}
