// A LiveKit JWT from a transport's token service (lk-jwt-service's contract, which services/rtc-auth serves too):
// `/sfu/get` for the state-event membership, `/get_token` for the sticky one. The request carries exactly the
// fields the contract lists (the upstream service refuses unknown ones), and the answer is checked here.
import { MxError } from '../errors.js';
import { isRecord, parseJson } from '../json.js';

/** The OpenID token of `POST /_matrix/client/v3/user/{userId}/openid/request_token` (matrix-js-sdk's getOpenIdToken). */
export interface OpenIdToken {
  readonly access_token: string;
  readonly token_type: string;
  readonly matrix_server_name: string;
  readonly expires_in: number;
}

/** How the membership is published: the state event Element Call uses by default, or the sticky event (MSC4354). */
export type MembershipForm = 'state-event' | 'sticky';

/** Delegated delayed leave: the service may send our leave when the page can no longer restart its delay. */
export interface DelayedLeave {
  readonly delayId: string;
  readonly delayTimeoutMs: number;
  /** The homeserver's client-server API base URL, where the service restarts or sends the delayed event. */
  readonly csApiUrl: string;
}

export interface SfuTokenRequest {
  /** The transport's `livekit_service_url`. */
  readonly serviceUrl: string;
  readonly roomId: string;
  readonly openIdToken: OpenIdToken;
  readonly userId: string;
  readonly deviceId: string;
  readonly form: MembershipForm;
  /** The membership's member id; the sticky form's token is bound to it. */
  readonly memberId?: string;
  readonly delayedLeave?: DelayedLeave;
  readonly signal?: AbortSignal;
}

export interface SfuToken {
  /** The LiveKit server to connect to. */
  readonly url: string;
  readonly jwt: string;
  /** When the JWT stops being accepted (ms since the epoch), from its `exp`; undefined when it has none. */
  readonly expiresAt: number | undefined;
}

/** The slot of a room's one call, as Element Call and matrix-js-sdk name it. */
export const CALL_SLOT_ID = 'm.call#ROOM';
const REQUEST_TIMEOUT_MS = 10_000;
/** A token answer is a few hundred bytes; more is not one. */
const MAX_ANSWER_BYTES = 16 * 1024;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]*$/;

/**
 * Asks the token service for a LiveKit JWT. A service that refuses the delay fields (400 `M_BAD_JSON`, as
 * older lk-jwt-service versions do) is asked again without them. Rejects with an MxError:
 * `TOKEN_SERVICE_UNAUTHORIZED` (it could not confirm the account), `TOKEN_SERVICE_UNREACHABLE` (network,
 * timeout, 5xx), `TOKEN_SERVICE_REFUSED` (another refusal) or `TOKEN_SERVICE_INVALID_ANSWER`; each names the
 * service's URL.
 */
export async function requestSfuToken(request: SfuTokenRequest, fetchToken: typeof fetch = fetch): Promise<SfuToken> {
  if (request.form === 'sticky' && !request.memberId) {
    throw new MxError('INVALID_CONFIGURATION', 'A token for the sticky membership form needs the membership\'s member id.');
  }
  const token = await post(request, true, fetchToken);
  // Without the delay fields there is nothing for DELAY_REFUSED: the second answer is a token or a rejection.
  return token === DELAY_REFUSED ? post(request, false, fetchToken) as Promise<SfuToken> : token;
}

/** What `post` answers when the service refused the delayed-leave fields and should be asked without them. */
const DELAY_REFUSED = 'delay refused';

/** The body of each form, with exactly the contract's fields. */
export function tokenRequestBody(request: SfuTokenRequest, includeDelay: boolean): { path: string; body: Record<string, unknown> } {
  const openid_token = {
    access_token: request.openIdToken.access_token,
    token_type: request.openIdToken.token_type,
    matrix_server_name: request.openIdToken.matrix_server_name,
    expires_in: request.openIdToken.expires_in,
  };
  const delay = includeDelay && request.delayedLeave
    ? { delay_id: request.delayedLeave.delayId, delay_timeout: request.delayedLeave.delayTimeoutMs, delay_cs_api_url: request.delayedLeave.csApiUrl }
    : {};
  if (request.form === 'sticky') {
    return {
      path: '/get_token',
      body: {
        room_id: request.roomId,
        slot_id: CALL_SLOT_ID,
        openid_token,
        member: { id: request.memberId, claimed_user_id: request.userId, claimed_device_id: request.deviceId },
        ...delay,
      },
    };
  }
  return { path: '/sfu/get', body: { room: request.roomId, openid_token, device_id: request.deviceId, ...delay } };
}

async function post(request: SfuTokenRequest, includeDelay: boolean, fetchToken: typeof fetch): Promise<SfuToken | typeof DELAY_REFUSED> {
  const base = request.serviceUrl.replace(/\/+$/, '');
  const { path, body } = tokenRequestBody(request, includeDelay);
  const url = `${base}${path}`;
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetchToken(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'omit',
      signal: request.signal ? AbortSignal.any([request.signal, timeout]) : timeout,
    });
  } catch (error) {
    if (request.signal?.aborted) throw request.signal.reason;
    const why = timeout.aborted ? `no answer in ${REQUEST_TIMEOUT_MS / 1000} s` : error instanceof Error ? error.message : String(error);
    throw new MxError('TOKEN_SERVICE_UNREACHABLE', `The LiveKit token service at ${base} could not be reached (${why}).`, { cause: error });
  }
  const text = await response.text().catch(() => '');
  if (text.length > MAX_ANSWER_BYTES) {
    throw new MxError('TOKEN_SERVICE_INVALID_ANSWER', `The LiveKit token service at ${base} answered ${path} with ${text.length} bytes, more than a token answer has.`);
  }
  const answer = parseJson(text);
  if (!response.ok) {
    const errcode = isRecord(answer) && typeof answer.errcode === 'string' ? answer.errcode : undefined;
    const said = `${response.status}${errcode ? ` ${errcode}` : ''}`;
    if (response.status === 400 && errcode === 'M_BAD_JSON' && includeDelay && request.delayedLeave) return DELAY_REFUSED;
    if (response.status === 401 || response.status === 403) {
      throw new MxError('TOKEN_SERVICE_UNAUTHORIZED',
        `The LiveKit token service at ${base} did not accept this account (${said}): it could not confirm our OpenID token with ` +
        `the homeserver ${request.openIdToken.matrix_server_name}. Its administrator can check that it reaches that homeserver and serves its users.`);
    }
    if (response.status >= 500 || response.status === 429) {
      throw new MxError('TOKEN_SERVICE_UNREACHABLE', `The LiveKit token service at ${base} failed (${said}).`);
    }
    throw new MxError('TOKEN_SERVICE_REFUSED', `The LiveKit token service at ${base} refused ${path} (${said}).`);
  }
  return readToken(answer, `${base}${path}`);
}

/** The checked `{ url, jwt }` of a token answer. */
export function readToken(answer: unknown, from: string): SfuToken {
  const invalid = (why: string) => new MxError('TOKEN_SERVICE_INVALID_ANSWER', `The LiveKit token service at ${from} answered without a usable token: ${why}.`);
  if (!isRecord(answer)) throw invalid('the answer is not a JSON object');
  const { url, jwt } = answer;
  if (typeof url !== 'string' || typeof jwt !== 'string') throw invalid('`url` or `jwt` is missing');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid('`url` is not a URL');
  }
  if (!['wss:', 'ws:', 'https:', 'http:'].includes(parsed.protocol)) throw invalid('`url` is not a LiveKit (ws or http) URL');
  const claims = JWT_SHAPE.exec(jwt);
  if (!claims?.[1]) throw invalid('`jwt` is not a JWT');
  return { url, jwt, expiresAt: expiryOf(claims[1]) };
}

function expiryOf(payload: string): number | undefined {
  try {
    const claims: unknown = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/')));
    return isRecord(claims) && typeof claims.exp === 'number' && Number.isFinite(claims.exp) ? claims.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The LiveKit identity of a sticky-form membership, as the token service derives it: unpadded standard base64 of
 * SHA-256 of `JSON.stringify([userId, deviceId, memberId])`.
 */
export async function stickyMemberIdentity(userId: string, deviceId: string, memberId: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify([userId, deviceId, memberId])));
  return btoa(String.fromCharCode(...new Uint8Array(digest))).replace(/=+$/, '');
}
