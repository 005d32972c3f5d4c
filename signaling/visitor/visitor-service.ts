// The page's side of a site's visitor service (services/visitor): a short-lived Matrix account for a visitor
// who has none, and its end when the call is over. Answers are validated here, at the edge; refusals become
// MxErrors whose codes the call button turns into messages.
import { MxError, type MxErrorCode } from '../errors.js';
import type { MatrixCredentials } from '../matrix/session.js';
import { isRecord, parseJson } from '../json.js';

export interface VisitorCredentials extends MatrixCredentials {
  /** Epoch ms when the service deactivates the account, whatever the call is doing. */
  readonly expiresAt: number;
  /** For a room session: the room the service joined the visitor to. */
  readonly roomId?: string;
}

/** What a visitor session is for: calling one user, or joining one room's group call (by room ID or alias). */
export type VisitorSessionRequest = { readonly target: string } | { readonly room: string };

/** The service's refusal codes that a page can do something about, and the kit's codes for them. */
const REFUSALS: Readonly<Record<string, MxErrorCode>> = {
  RATE_LIMITED: 'RATE_LIMITED',
  TARGET_NOT_ALLOWED: 'TARGET_NOT_ALLOWED',
  ORIGIN_NOT_ALLOWED: 'ORIGIN_NOT_ALLOWED',
  ROOM_NOT_ALLOWED: 'ROOM_NOT_ALLOWED',
  ROOM_NOT_JOINABLE: 'ROOM_NOT_JOINABLE',
  HOMESERVER_UNREACHABLE: 'HOMESERVER_UNREACHABLE',
};

const MAX_ANSWER_BYTES = 16 * 1024;

function endpoint(serviceUrl: string, path: string): string {
  let base: URL;
  try {
    base = new URL(serviceUrl, globalThis.location?.href);
  } catch (error) {
    throw new MxError('INVALID_CONFIGURATION', `The visitor service URL ${JSON.stringify(serviceUrl)} is not a URL`, { cause: error });
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    throw new MxError('INVALID_CONFIGURATION', `The visitor service URL must be http(s), not ${JSON.stringify(base.protocol)}`);
  }
  return new URL(path, base.href.endsWith('/') ? base.href : `${base.href}/`).href;
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  return text.length > MAX_ANSWER_BYTES ? undefined : parseJson(text);
}

function refusal(status: number, body: unknown, serviceUrl: string): MxError {
  const code = isRecord(body) && typeof body.code === 'string' ? body.code : undefined;
  const message = isRecord(body) && typeof body.message === 'string' ? body.message.slice(0, 500) : `HTTP ${status}`;
  const kitCode = code !== undefined ? REFUSALS[code] : undefined;
  if (kitCode) {
    const retryAfterMs = kitCode === 'RATE_LIMITED' && isRecord(body) && typeof body.retryAfterMs === 'number' && Number.isFinite(body.retryAfterMs)
      ? Math.max(0, body.retryAfterMs)
      : undefined;
    return new MxError(kitCode, message, retryAfterMs === undefined ? undefined : { retryAfterMs });
  }
  if (status >= 500) return new MxError('VISITOR_SERVICE_UNREACHABLE', `The visitor service at ${serviceUrl} failed (${message})`);
  return new MxError('INVALID_CONFIGURATION', `The visitor service at ${serviceUrl} refused the request: ${message}`);
}

/** The credentials in a `POST /visitor/session` answer, or undefined when it is not one. */
export function parseVisitorCredentials(body: unknown): VisitorCredentials | undefined {
  if (!isRecord(body)) return undefined;
  const { homeserverUrl, userId, accessToken, deviceId, expiresAt, roomId } = body;
  if (typeof homeserverUrl !== 'string' || !/^https?:\/\//.test(homeserverUrl)) return undefined;
  if (typeof userId !== 'string' || !/^@[^:]+:.+$/.test(userId)) return undefined;
  if (typeof accessToken !== 'string' || accessToken === '' || typeof deviceId !== 'string' || deviceId === '') return undefined;
  if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) return undefined;
  if (roomId !== undefined && (typeof roomId !== 'string' || !/^![^:\s]+(?::\S+)?$/.test(roomId))) return undefined;
  return { homeserverUrl, userId, accessToken, deviceId, expiresAt, ...(roomId === undefined ? {} : { roomId }) };
}

/**
 * Asks the site's visitor service for a short-lived account that may call `target`, or that it joined to `room`
 * (whose answer then names the room's ID).
 */
export async function requestVisitorCredentials(serviceUrl: string, request: VisitorSessionRequest, signal?: AbortSignal): Promise<VisitorCredentials> {
  const url = endpoint(serviceUrl, 'visitor/session');
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(request),
      signal: signal ?? null,
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new MxError('VISITOR_SERVICE_UNREACHABLE', `The visitor service at ${serviceUrl} cannot be reached`, { cause: error });
  }
  const body = await readJson(response);
  if (!response.ok) throw refusal(response.status, body, serviceUrl);
  const credentials = parseVisitorCredentials(body);
  if (!credentials || ('room' in request && credentials.roomId === undefined)) {
    throw new MxError('VISITOR_SERVICE_UNREACHABLE', `The visitor service at ${serviceUrl} answered with something that is not a visitor account`);
  }
  return credentials;
}

/**
 * Tells the service the visitor is done, so it deactivates the account now rather than when its lifetime
 * runs out. A CORS-simple request (text/plain, no Authorization header) needs no preflight, and `keepalive`
 * lets it finish while the page unloads. Never throws: the lifetime is the backstop.
 */
export async function endVisitorSession(serviceUrl: string, credentials: Pick<MatrixCredentials, 'accessToken'>): Promise<boolean> {
  try {
    const response = await fetch(endpoint(serviceUrl, 'visitor/end'), {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: JSON.stringify({ accessToken: credentials.accessToken }),
      keepalive: true,
    });
    return response.ok;
  } catch {
    return false;
  }
}
