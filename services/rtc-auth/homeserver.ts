// The network side of the OpenID check: DNS and HTTP(S) for federation.ts's resolution, then the userinfo call.
// node:http(s) rather than fetch because SRV delegation needs a TLS name (SNI) and Host header that differ from
// the host connected to, which fetch cannot express.
import { Resolver } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { urlToHttpOptions } from 'node:url';
import {
  resolveFederationTarget,
  userInfoUrl,
  type FederationResolverDeps,
  type FederationTarget,
  type SrvRecord,
} from './federation.js';
import type { Logger } from '../shared/log.js';

/** Outcome of asking a homeserver who an OpenID access token belongs to. */
export type UserInfoResult =
  | { ok: true; body: unknown }
  /** The homeserver answered, but not with a 200 JSON reply (typically 401 M_UNKNOWN_TOKEN). */
  | { ok: false; kind: 'rejected'; reason: string }
  /** Resolution, connection, TLS or timeout failure, or a server name that is not one. */
  | { ok: false; kind: 'unreachable'; reason: string };

export type FetchUserInfo = (serverName: string, accessToken: string) => Promise<UserInfoResult>;

export interface HttpGetOptions {
  hostHeader?: string;
  tlsServerName?: string;
  insecureTls?: boolean;
  timeoutMs: number;
  maxBytes: number;
}

export interface HttpGetResult {
  status: number;
  location: string | undefined;
  body: string;
}

/** One GET with a whole-request deadline and a response size cap. Does not follow redirects. */
export function httpGet(url: string, options: HttpGetOptions): Promise<HttpGetResult> {
  const parsed = new URL(url);
  const secure = parsed.protocol === 'https:';
  const request = secure ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        ...urlToHttpOptions(parsed),
        method: 'GET',
        headers: { Host: options.hostHeader ?? parsed.host, Accept: 'application/json', 'User-Agent': 'matrix-call-kit-rtc-auth' },
        ...(secure && options.tlsServerName !== undefined ? { servername: options.tlsServerName } : {}),
        ...(secure ? { rejectUnauthorized: options.insecureTls !== true } : {}),
        signal: AbortSignal.timeout(options.timeoutMs),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) {
            res.destroy(new Error(`response larger than ${options.maxBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('end', () => resolve({
          status: res.statusCode ?? 0,
          location: res.headers.location,
          body: Buffer.concat(chunks).toString('utf8'),
        }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const WELL_KNOWN_TIMEOUT_MS = 5_000;
const USERINFO_TIMEOUT_MS = 10_000;
const MAX_REPLY_BYTES = 64 * 1024;
const MAX_REDIRECTS = 3;
// Discovery results are reused for a while (the spec allows a day); each entry is dropped early when the
// homeserver turns out unreachable, so a transient discovery failure does not stick.
const TARGET_CACHE_MS = 10 * 60_000;
const TARGET_CACHE_MAX = 1_000;

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as Error & { code?: unknown }).code;
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${typeof code === 'string' ? `${code} ` : ''}${error.message}${cause}`;
}

/** `.well-known/matrix/server` fetch: https only, a few redirects, 200 with JSON or it rejects. */
function createWellKnownFetcher(insecureTls: boolean): (url: string) => Promise<unknown> {
  return async (url) => {
    let current = url;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const reply = await httpGet(current, { insecureTls, timeoutMs: WELL_KNOWN_TIMEOUT_MS, maxBytes: MAX_REPLY_BYTES });
      if (reply.status >= 300 && reply.status < 400 && reply.location !== undefined) {
        const next = new URL(reply.location, current);
        if (next.protocol !== 'https:') throw new Error(`redirect to non-https ${next.origin}`);
        current = next.href;
        continue;
      }
      if (reply.status !== 200) throw new Error(`HTTP ${reply.status}`);
      return JSON.parse(reply.body) as unknown;
    }
    throw new Error('too many redirects');
  };
}

function errcodeOf(body: string): string {
  try {
    const json = JSON.parse(body) as unknown;
    const errcode = typeof json === 'object' && json !== null ? (json as Record<string, unknown>).errcode : undefined;
    return typeof errcode === 'string' ? ` ${errcode}` : '';
  } catch {
    return '';
  }
}

export interface UserInfoFetcherOptions {
  overrides: ReadonlyMap<string, string>;
  insecureTls: boolean;
  logger: Logger;
  /** Replaceable for tests; defaults to a DNS resolver with short timeouts. */
  resolveSrv?: (name: string) => Promise<SrvRecord[]>;
}

/** Builds the production `fetchUserInfo`: resolve the homeserver (cached), then GET its userinfo endpoint. */
export function createUserInfoFetcher(options: UserInfoFetcherOptions): FetchUserInfo {
  const { overrides, insecureTls, logger } = options;
  const resolver = new Resolver({ timeout: 3_000, tries: 2 });
  const deps: FederationResolverDeps = {
    fetchJson: createWellKnownFetcher(insecureTls),
    resolveSrv: options.resolveSrv ?? ((name) => resolver.resolveSrv(name)),
    log: (message) => logger.debug(`federation discovery: ${message}`),
  };
  const cache = new Map<string, { target: FederationTarget; expires: number }>();

  const resolveTarget = async (serverName: string): Promise<FederationTarget> => {
    const cached = cache.get(serverName);
    if (cached && cached.expires > Date.now()) return cached.target;
    const target = await resolveFederationTarget(serverName, overrides, deps);
    logger.debug('federation target resolved', {
      server: serverName, url: target.baseUrl, host: target.hostHeader, tls: target.tlsServerName, via: target.via,
    });
    if (target.via !== 'override') {
      if (cache.size >= TARGET_CACHE_MAX) cache.delete(cache.keys().next().value ?? '');
      cache.set(serverName, { target, expires: Date.now() + TARGET_CACHE_MS });
    }
    return target;
  };

  return async (serverName, accessToken) => {
    let target: FederationTarget;
    try {
      target = await resolveTarget(serverName);
    } catch (error) {
      return { ok: false, kind: 'unreachable', reason: `cannot resolve ${serverName}: ${describe(error)}` };
    }
    // Only the base URL in messages: the full URL carries the access token.
    const where = `${target.baseUrl} (${target.via})`;
    let reply: HttpGetResult;
    try {
      reply = await httpGet(userInfoUrl(target, accessToken), {
        hostHeader: target.hostHeader,
        tlsServerName: target.tlsServerName,
        insecureTls,
        timeoutMs: USERINFO_TIMEOUT_MS,
        maxBytes: MAX_REPLY_BYTES,
      });
    } catch (error) {
      cache.delete(serverName);
      return { ok: false, kind: 'unreachable', reason: `cannot reach ${where}: ${describe(error)}` };
    }
    if (reply.status < 200 || reply.status >= 300) {
      return { ok: false, kind: 'rejected', reason: `userinfo at ${where} answered ${reply.status}${errcodeOf(reply.body)}` };
    }
    try {
      return { ok: true, body: JSON.parse(reply.body) as unknown };
    } catch {
      return { ok: false, kind: 'rejected', reason: `userinfo at ${where} answered ${reply.status} without JSON` };
    }
  };
}
