// The homeserver side of delegated delayed leave: where a user's client-server API is, and the MSC4140 calls
// that restart or send a delayed event there. As lk-jwt-service does, the location comes from the operator's
// LIVEKIT_CS_API_URL_OVERRIDES or the server's `.well-known/matrix/client`, never from the request
// (`delay_cs_api_url` would let any client point the service at any URL). The management endpoints need no
// access token by design (MSC4140): the delay id is the capability. Fetch is injected, so this is unit-tested.
import { parseServerName } from './federation.js';
import type { ActionOutcome } from './delegation.js';
import type { DelayedEventAction } from './delegations.js';

const UNSTABLE_DELAYED_EVENTS = '/_matrix/client/unstable/org.matrix.msc4140/delayed_events';
const REQUEST_TIMEOUT_MS = 5_000;
const MAX_REPLY_BYTES = 64 * 1024;
const CACHE_MS = 4 * 60 * 60_000;
const CACHE_MAX = 1_000;

export type CsApiResolution = { ok: true; url: string; via: 'override' | 'well-known' } | { ok: false; reason: string };

/** The `m.homeserver.base_url` of a `.well-known/matrix/client` document, https only, without a trailing slash. */
export function readClientWellKnown(body: unknown): { ok: true; url: string } | { ok: false; reason: string } {
  const homeserver = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['m.homeserver'] : undefined;
  const baseUrl = typeof homeserver === 'object' && homeserver !== null ? (homeserver as Record<string, unknown>).base_url : undefined;
  if (typeof baseUrl !== 'string' || baseUrl === '') return { ok: false, reason: 'it has no m.homeserver.base_url' };
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    return { ok: false, reason: `its base_url ${JSON.stringify(baseUrl.slice(0, 200))} is not a URL` };
  }
  if (parsed.protocol !== 'https:' || parsed.username !== '' || parsed.password !== '' || parsed.search !== '' || parsed.hash !== '') {
    return { ok: false, reason: `its base_url ${JSON.stringify(baseUrl.slice(0, 200))} is not a plain https:// URL` };
  }
  return { ok: true, url: `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}` };
}

/** The per-action endpoint (MSC4140's current form, which lk-jwt-service uses) and the older `{action}` one. */
export function delayedEventRequests(csApiUrl: string, delayId: string, action: DelayedEventAction): { url: string; body: Record<string, string> }[] {
  const base = `${csApiUrl}${UNSTABLE_DELAYED_EVENTS}/${encodeURIComponent(delayId)}`;
  return [{ url: `${base}/${action}`, body: {} }, { url: base, body: { action } }];
}

/**
 * What a homeserver's answer to a restart or send means. 404 `M_UNRECOGNIZED` (or 405) is a server without
 * that endpoint: `'try-older-form'`. 404 otherwise means the delayed event is gone (already sent or cancelled).
 */
export function classifyActionReply(status: number, errcode: string | undefined): ActionOutcome | 'try-older-form' {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 405 || (status === 404 && errcode === 'M_UNRECOGNIZED')) return 'try-older-form';
  if (status === 404) return 'not-found';
  return 'failed';
}

async function readLimited(response: Response): Promise<string> {
  const text = await response.text();
  if (text.length > MAX_REPLY_BYTES) throw new Error(`answer larger than ${MAX_REPLY_BYTES} bytes`);
  return text;
}

function errcodeOf(text: string): string | undefined {
  try {
    const json = JSON.parse(text) as unknown;
    const errcode = typeof json === 'object' && json !== null ? (json as Record<string, unknown>).errcode : undefined;
    return typeof errcode === 'string' ? errcode : undefined;
  } catch {
    return undefined;
  }
}

export interface CsApiClientOptions {
  /** Server name → client-server API base URL (LIVEKIT_CS_API_URL_OVERRIDES), plain http allowed. */
  overrides: ReadonlyMap<string, string>;
  fetch?: typeof fetch;
  now?: () => number;
}

export interface CsApiClient {
  resolve(serverName: string): Promise<CsApiResolution>;
  delayedEventAction(csApiUrl: string, delayId: string, action: DelayedEventAction): Promise<{ outcome: ActionOutcome; detail?: string }>;
}

export function createCsApiClient(options: CsApiClientOptions): CsApiClient {
  const fetchFn = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { url: string; expires: number }>();

  async function discover(serverName: string): Promise<CsApiResolution> {
    if (!parseServerName(serverName)) return { ok: false, reason: `${JSON.stringify(serverName.slice(0, 100))} is not a server name` };
    const wellKnown = `https://${serverName}/.well-known/matrix/client`;
    let text: string;
    try {
      const response = await fetchFn(wellKnown, { headers: { Accept: 'application/json' }, redirect: 'error', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      text = await readLimited(response);
      if (!response.ok) return { ok: false, reason: `${wellKnown} answered ${response.status}` };
    } catch (error) {
      return { ok: false, reason: `${wellKnown} could not be fetched: ${error instanceof Error ? error.message : String(error)}` };
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { ok: false, reason: `${wellKnown} is not JSON` };
    }
    const read = readClientWellKnown(body);
    if (!read.ok) return { ok: false, reason: `${wellKnown}: ${read.reason}` };
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value ?? '');
    cache.set(serverName, { url: read.url, expires: now() + CACHE_MS });
    return { ok: true, url: read.url, via: 'well-known' };
  }

  return {
    async resolve(serverName) {
      const override = options.overrides.get(serverName);
      if (override !== undefined) return { ok: true, url: override, via: 'override' };
      const cached = cache.get(serverName);
      if (cached && cached.expires > now()) return { ok: true, url: cached.url, via: 'well-known' };
      return discover(serverName);
    },

    async delayedEventAction(csApiUrl, delayId, action) {
      let last = 'no attempt';
      for (const { url, body } of delayedEventRequests(csApiUrl, delayId, action)) {
        // The URL holds the delay id, a capability: only the endpoint's shape goes into messages.
        const shape = url === `${csApiUrl}${UNSTABLE_DELAYED_EVENTS}/${encodeURIComponent(delayId)}` ? `POST {action: ${action}}` : `POST …/${action}`;
        try {
          const response = await fetchFn(url, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify(body),
            redirect: 'error',
            signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
          });
          const text = await readLimited(response).catch(() => '');
          const errcode = errcodeOf(text);
          const outcome = classifyActionReply(response.status, errcode);
          last = `${shape} at ${csApiUrl} answered ${response.status}${errcode ? ` ${errcode}` : ''}`;
          if (outcome !== 'try-older-form') return { outcome, detail: last };
        } catch (error) {
          return { outcome: 'failed', detail: `${shape} at ${csApiUrl}: ${error instanceof Error ? error.message : String(error)}` };
        }
      }
      return { outcome: 'failed', detail: last };
    },
  };
}
