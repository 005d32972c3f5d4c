// The client-server API calls the service makes, as the application service (its as_token) or as the
// visitor. fetch is injected, so this runs in Node and in the browser tests alike.

export type HomeserverFailure = 'unreachable' | 'refused';

/** `unreachable`: no HTTP answer, a timeout, or a 5xx/429; `refused`: the homeserver said no (4xx). */
export class HomeserverError extends Error {
  override readonly name = 'HomeserverError';

  constructor(
    readonly kind: HomeserverFailure,
    message: string,
    readonly status?: number,
    readonly errcode?: string,
  ) {
    super(message);
  }
}

export interface Registered {
  userId: string;
  accessToken: string;
  deviceId: string;
}

export interface Homeserver {
  /** Registers `@<localpart>:server` in the application service's namespace and logs it in. */
  register(localpart: string, deviceName: string): Promise<Registered>;
  setDisplayName(userId: string, accessToken: string, displayName: string): Promise<void>;
  /** Whose token this is; a `refused` error with M_UNKNOWN_TOKEN when it is nobody's. */
  whoami(accessToken: string): Promise<string>;
  /** Deactivates and erases a user of the namespace, without user-interactive auth (the AS's privilege). */
  deactivate(userId: string): Promise<void>;
  /** The room an alias names, or undefined when the homeserver knows no such alias. */
  resolveAlias(alias: string): Promise<string | undefined>;
  /** Joins a user of the namespace to a room (ID or alias) as the application service; answers the room ID. */
  join(userId: string, room: string): Promise<string>;
}

export interface HomeserverOptions {
  /** Client-server API base URL, e.g. http://127.0.0.1:8008 (no trailing slash needed). */
  baseUrl: string;
  asToken: string;
  fetch: typeof fetch;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_REPLY_CHARS = 64 * 1024;

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

export function createHomeserver(options: HomeserverOptions): Homeserver {
  const base = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  async function call(method: string, path: string, token: string, body?: unknown): Promise<Record<string, unknown>> {
    // Paths only in messages: the query of a deactivation carries a user ID, never a token.
    const what = `${method} ${path.split('?')[0] ?? path}`;
    let response: Response;
    try {
      response = await options.fetch(`${base}${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new HomeserverError('unreachable', `${what}: ${describe(error)}`);
    }
    const text = (await response.text().catch(() => '')).slice(0, MAX_REPLY_CHARS);
    let json: Record<string, unknown> = {};
    try {
      const parsed: unknown = text === '' ? {} : JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) json = parsed as Record<string, unknown>;
    } catch {
      // A proxy's HTML error page: the status says enough.
    }
    if (!response.ok) {
      const errcode = typeof json.errcode === 'string' ? json.errcode : undefined;
      const error = typeof json.error === 'string' ? `: ${json.error.slice(0, 200)}` : '';
      const kind = response.status >= 500 || response.status === 429 ? 'unreachable' : 'refused';
      throw new HomeserverError(kind, `${what} answered ${response.status}${errcode ? ` ${errcode}` : ''}${error}`, response.status, errcode);
    }
    return json;
  }

  function requireString(json: Record<string, unknown>, key: string, what: string): string {
    const value = json[key];
    if (typeof value !== 'string' || value === '') throw new HomeserverError('refused', `${what} answered without ${key}`);
    return value;
  }

  return {
    async register(localpart, deviceName) {
      const json = await call('POST', '/_matrix/client/v3/register', options.asToken, {
        type: 'm.login.application_service',
        username: localpart,
        // The visitor needs a device and token of its own: the page runs a Matrix client with them.
        inhibit_login: false,
        initial_device_display_name: deviceName,
      });
      return {
        userId: requireString(json, 'user_id', 'register'),
        accessToken: requireString(json, 'access_token', 'register'),
        deviceId: requireString(json, 'device_id', 'register'),
      };
    },
    async setDisplayName(userId, accessToken, displayName) {
      await call('PUT', `/_matrix/client/v3/profile/${encodeURIComponent(userId)}/displayname`, accessToken, { displayname: displayName });
    },
    async whoami(accessToken) {
      return requireString(await call('GET', '/_matrix/client/v3/account/whoami', accessToken), 'user_id', 'whoami');
    },
    async deactivate(userId) {
      // Synapse lets an application service deactivate users of its namespace without user-interactive auth;
      // `erase` (not in the spec, Synapse's extension) also forgets their messages and profile.
      await call('POST', `/_matrix/client/v3/account/deactivate?user_id=${encodeURIComponent(userId)}`, options.asToken, { erase: true });
    },
    async resolveAlias(alias) {
      try {
        return requireString(await call('GET', `/_matrix/client/v3/directory/room/${encodeURIComponent(alias)}`, options.asToken), 'room_id', 'directory');
      } catch (error) {
        if (error instanceof HomeserverError && error.errcode === 'M_NOT_FOUND') return undefined;
        throw error;
      }
    },
    async join(userId, room) {
      // `user_id` asserts the identity of a user of the namespace (application services' identity assertion).
      const json = await call('POST', `/_matrix/client/v3/join/${encodeURIComponent(room)}?user_id=${encodeURIComponent(userId)}`, options.asToken, {});
      return requireString(json, 'room_id', 'join');
    },
  };
}
