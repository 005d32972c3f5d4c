// Hands our delayed leave event (MSC4140) over to the transport's token service, as Element Call 0.26 does:
// a bare POST to `<service>/delegate_delayed_leave` tells whether the service delegates at all (404: it does
// not), then the token request of our membership form carries `delay_id`, `delay_timeout` and
// `delay_cs_api_url`; a 200 means the service took it over (the token in it is not needed). The service then
// restarts the event while our LiveKit participant is in the room and sends it as soon as it is gone, so the
// membership goes even when this page can no longer restart it. Never throws: the outcome says what happened.
import { MxError } from '../errors.js';
import { isRecord, parseJson } from '../json.js';
import type { Logger } from '../log.js';
import { readToken, tokenRequestBody, type MembershipForm, type OpenIdToken } from './token-service.js';

export interface DelayedLeaveHandOver {
  /** The transport's `livekit_service_url` (the service we got our token from). */
  readonly serviceUrl: string;
  readonly roomId: string;
  readonly userId: string;
  readonly deviceId: string;
  readonly form: MembershipForm;
  /** The membership's member id (the sticky form's token is bound to it). */
  readonly memberId?: string;
  /** The session's current delayed leave: MatrixRTCSession.delayId, new after each DelayIdChanged. */
  readonly delayId: string;
  /** The delay that event was sent with (joinConfig.delayedLeaveEventDelayMs; matrix-js-sdk's default 8000). */
  readonly delayTimeoutMs: number;
  /** The homeserver's client-server API base URL, sent as Element Call sends it (services find it themselves). */
  readonly csApiUrl: string;
  readonly getOpenIdToken: () => Promise<OpenIdToken>;
  readonly logger: Logger;
  readonly fetch?: typeof fetch;
  readonly signal?: AbortSignal;
}

export type DelayedLeaveHandOverResult =
  | { readonly accepted: true }
  /**
   * `unsupported`: the service has no delegation (404 or no answer to the probe); `refused`: it does, but not
   * this one (400 `M_BAD_JSON`: another homeserver's user, its homeserver not found, a limit); `failed`: the
   * token request failed (`error` says how). In every case our own restarts must go on.
   */
  | { readonly accepted: false; readonly reason: 'unsupported' | 'refused' | 'failed'; readonly error?: MxError };

const REQUEST_TIMEOUT_MS = 10_000;
const MAX_ANSWER_BYTES = 16 * 1024;

export async function handOverDelayedLeave(request: DelayedLeaveHandOver): Promise<DelayedLeaveHandOverResult> {
  const fetchFn = request.fetch ?? fetch;
  const base = request.serviceUrl.replace(/\/+$/, '');
  const log = request.logger;
  const post = (url: string, init: RequestInit): Promise<Response> => {
    const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    return fetchFn(url, { ...init, method: 'POST', credentials: 'omit', signal: request.signal ? AbortSignal.any([request.signal, timeout]) : timeout });
  };

  // No body and no token: an older service may not even answer CORS here, which also means "not supported".
  try {
    const probe = await post(`${base}/delegate_delayed_leave`, {});
    await probe.body?.cancel().catch(() => undefined);
    if (probe.status === 404) {
      log.info(`the token service at ${base} does not take delayed leaves over (404): we keep restarting ours`);
      return { accepted: false, reason: 'unsupported' };
    }
  } catch (error) {
    log.info(`the token service at ${base} did not answer the delegation probe (${describe(error)}): we keep restarting our delayed leave`);
    return { accepted: false, reason: 'unsupported' };
  }

  let openIdToken: OpenIdToken;
  try {
    openIdToken = await request.getOpenIdToken();
  } catch (error) {
    const failure = MxError.from(error, 'HOMESERVER_UNREACHABLE');
    log.warn(`no OpenID token to hand our delayed leave over to ${base}: ${failure.message}`);
    return { accepted: false, reason: 'failed', error: failure };
  }

  const { path, body } = tokenRequestBody({
    serviceUrl: base,
    roomId: request.roomId,
    openIdToken,
    userId: request.userId,
    deviceId: request.deviceId,
    form: request.form,
    memberId: request.memberId,
    delayedLeave: { delayId: request.delayId, delayTimeoutMs: request.delayTimeoutMs, csApiUrl: request.csApiUrl },
  }, true);
  let response: Response;
  let text: string;
  try {
    response = await post(`${base}${path}`, { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    text = await response.text();
  } catch (error) {
    const failure = new MxError('TOKEN_SERVICE_UNREACHABLE', `The LiveKit token service at ${base} could not be reached to take our delayed leave over (${describe(error)}).`, { cause: error });
    log.warn(failure.message);
    return { accepted: false, reason: 'failed', error: failure };
  }
  if (response.ok) {
    try {
      if (text.length > MAX_ANSWER_BYTES) throw new MxError('TOKEN_SERVICE_INVALID_ANSWER', `The LiveKit token service at ${base} answered ${path} with ${text.length} bytes.`);
      readToken(parseJson(text), `${base}${path}`);
    } catch (error) {
      const failure = MxError.from(error, 'TOKEN_SERVICE_INVALID_ANSWER');
      log.warn(`${failure.message} Our delayed leave stays ours.`);
      return { accepted: false, reason: 'failed', error: failure };
    }
    log.info(`the token service at ${base} took our delayed leave over (delay ${request.delayTimeoutMs} ms)`);
    return { accepted: true };
  }
  const answer = text.length > MAX_ANSWER_BYTES ? undefined : parseJson(text);
  const errcode = isRecord(answer) && typeof answer.errcode === 'string' ? answer.errcode : undefined;
  const said = isRecord(answer) && typeof answer.error === 'string' ? `: ${answer.error.slice(0, 200)}` : '';
  if (response.status === 400 && errcode === 'M_BAD_JSON') {
    log.info(`the token service at ${base} did not take our delayed leave over (${errcode}${said}): we keep restarting it`);
    return { accepted: false, reason: 'refused' };
  }
  const status = `${response.status}${errcode ? ` ${errcode}` : ''}`;
  const failure = response.status === 401 || response.status === 403
    ? new MxError('TOKEN_SERVICE_UNAUTHORIZED', `The LiveKit token service at ${base} did not accept this account for delayed leave (${status}).`)
    : response.status >= 500 || response.status === 429
      ? new MxError('TOKEN_SERVICE_UNREACHABLE', `The LiveKit token service at ${base} failed to take our delayed leave over (${status}).`)
      : new MxError('TOKEN_SERVICE_REFUSED', `The LiveKit token service at ${base} refused to take our delayed leave over (${status}).`);
  log.warn(`${failure.message} We keep restarting it.`);
  return { accepted: false, reason: 'failed', error: failure };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
