// Where to send the OpenID userinfo check for a `matrix_server_name`: the Matrix server-server discovery rules
// (spec "Resolving server names"), plus operator overrides. Pure: HTTP and DNS come in as functions, so the
// decision table is unit-tested in the browser; homeserver.ts supplies the real ones.

/** A server name split per the Matrix grammar `hostname [":" port]`. */
export interface ServerName {
  /** Host without IPv6 brackets. */
  host: string;
  port: number | undefined;
  kind: 'ipv4' | 'ipv6' | 'dns';
}

/** Where and how to reach a homeserver's federation API. */
export interface FederationTarget {
  /** Origin (optionally with a path prefix) without a trailing slash, e.g. `https://matrix.example.org:8448`. */
  baseUrl: string;
  /** Host header, when it is not the host of `baseUrl`: delegation and SRV keep the server's own name. */
  hostHeader?: string;
  /** Name the TLS certificate must match (SNI), when it is not the host of `baseUrl`. */
  tlsServerName?: string;
  /** How the target was found, for logs. */
  via: string;
}

/** Same shape as node's `dns.promises.resolveSrv` records. */
export interface SrvRecord {
  name: string;
  port: number;
  priority: number;
  weight: number;
}

export interface FederationResolverDeps {
  /** GET a URL and return its parsed JSON body; reject on network errors, non-2xx statuses or bad JSON. */
  fetchJson(url: string): Promise<unknown>;
  /** SRV lookup; reject or return [] when there is no record. */
  resolveSrv(name: string): Promise<SrvRecord[]>;
  /** Receives one line per fallback taken, so operators can see why a server resolved the way it did. */
  log?: (message: string) => void;
}

export const DEFAULT_FEDERATION_PORT = 8448;

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const IPV6_CHARS = /^[0-9A-Fa-f:.]{2,45}$/;
const DNS_NAME = /^[0-9A-Za-z.-]{1,255}$/;

/**
 * Parses a server name strictly. The name comes from the request body and ends up in URLs and DNS queries,
 * so anything outside the grammar (paths, `@`, spaces) is refused rather than escaped.
 */
export function parseServerName(name: string): ServerName | undefined {
  let host: string;
  let portText: string | undefined;
  let kind: ServerName['kind'];
  if (name.startsWith('[')) {
    const close = name.indexOf(']');
    if (close < 0) return undefined;
    host = name.slice(1, close);
    const rest = name.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) return undefined;
    portText = rest === '' ? undefined : rest.slice(1);
    if (!IPV6_CHARS.test(host) || !host.includes(':')) return undefined;
    kind = 'ipv6';
  } else {
    const colon = name.indexOf(':');
    host = colon < 0 ? name : name.slice(0, colon);
    portText = colon < 0 ? undefined : name.slice(colon + 1);
    const ipv4 = IPV4.exec(host);
    if (ipv4) {
      if (ipv4.slice(1).some((octet) => Number(octet) > 255)) return undefined;
      kind = 'ipv4';
    } else {
      if (!DNS_NAME.test(host) || host.startsWith('.') || host.startsWith('-') || host.includes('..')) return undefined;
      kind = 'dns';
    }
  }
  let port: number | undefined;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText)) return undefined;
    port = Number(portText);
    if (port < 1 || port > 65535) return undefined;
  }
  return { host, port, kind };
}

function urlHost(host: string, kind: ServerName['kind']): string {
  return kind === 'ipv6' ? `[${host}]` : host;
}

/**
 * Parses `LIVEKIT_FEDERATION_API_URL_OVERRIDES`: `server=url[,server=url…]`. Throws an Error whose message
 * names the bad entry. Blank entries (a trailing comma) are skipped.
 */
export function parseFederationOverrides(raw: string): Map<string, string> {
  const overrides = new Map<string, string>();
  for (const entry of raw.split(',')) {
    if (entry.trim() === '') continue;
    const eq = entry.indexOf('=');
    const server = eq < 0 ? '' : entry.slice(0, eq).trim();
    const url = eq < 0 ? '' : entry.slice(eq + 1).trim();
    if (server === '' || url === '') throw new Error(`invalid entry "${entry.trim()}", expected server_name=url`);
    if (!parseServerName(server)) throw new Error(`"${server}" is not a valid Matrix server name`);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`"${url}" (for ${server}) is not a URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new Error(`"${url}" (for ${server}) must be an http:// or https:// URL`);
    }
    if (parsed.search !== '' || parsed.hash !== '' || parsed.username !== '' || parsed.password !== '') {
      throw new Error(`"${url}" (for ${server}) must not have credentials, a query or a fragment`);
    }
    if (overrides.has(server)) throw new Error(`${server} is listed twice`);
    overrides.set(server, `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`);
  }
  return overrides;
}

function pickSrv(records: readonly SrvRecord[]): SrvRecord | undefined {
  // "." as the target means "no such service here" (RFC 2782). Lowest priority wins; among equals the
  // heaviest weight, which is deterministic where the RFC would draw at random.
  const usable = records.filter((record) => record.name !== '' && record.name !== '.' && record.port > 0);
  usable.sort((a, b) => a.priority - b.priority || b.weight - a.weight);
  return usable[0];
}

async function lookupSrv(deps: FederationResolverDeps, name: string): Promise<SrvRecord | undefined> {
  try {
    return pickSrv(await deps.resolveSrv(name));
  } catch (error) {
    deps.log?.(`no SRV record ${name} (${error instanceof Error ? error.message : String(error)})`);
    return undefined;
  }
}

/** Steps for a hostname without a port, after any delegation: SRV (new then legacy name), then port 8448. */
async function resolveHostname(
  hostname: string,
  deps: FederationResolverDeps,
  via: string,
): Promise<FederationTarget> {
  for (const service of ['_matrix-fed._tcp', '_matrix._tcp']) {
    const record = await lookupSrv(deps, `${service}.${hostname}`);
    if (record) {
      const target = record.name.replace(/\.$/, '');
      return {
        baseUrl: `https://${target}:${record.port}`,
        hostHeader: hostname,
        tlsServerName: hostname,
        via: `${via}SRV ${service}.${hostname}`,
      };
    }
  }
  return { baseUrl: `https://${hostname}:${DEFAULT_FEDERATION_PORT}`, via: `${via}default port` };
}

function explicitTarget(name: ServerName, original: string, via: string): FederationTarget | undefined {
  if (name.kind !== 'dns') {
    // Certificates for IP literals name the IP itself, so no SNI override; Host keeps the name as written.
    return {
      baseUrl: `https://${urlHost(name.host, name.kind)}:${name.port ?? DEFAULT_FEDERATION_PORT}`,
      hostHeader: original,
      via: `${via}IP literal`,
    };
  }
  if (name.port !== undefined) {
    return { baseUrl: `https://${name.host}:${name.port}`, via: `${via}explicit port` };
  }
  return undefined;
}

function delegatedServer(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const server = (body as Record<string, unknown>)['m.server'];
  return typeof server === 'string' ? server : undefined;
}

/**
 * Finds the federation endpoint of `serverName`: an override wins; otherwise IP literal or `host:port` directly,
 * else `https://host/.well-known/matrix/server`, else SRV `_matrix-fed._tcp` / `_matrix._tcp`, else port 8448.
 * Throws if `serverName` is not a valid server name.
 */
export async function resolveFederationTarget(
  serverName: string,
  overrides: ReadonlyMap<string, string>,
  deps: FederationResolverDeps,
): Promise<FederationTarget> {
  const override = overrides.get(serverName);
  if (override !== undefined) return { baseUrl: override, via: 'override' };

  const name = parseServerName(serverName);
  if (!name) throw new Error(`"${serverName}" is not a valid Matrix server name`);
  const direct = explicitTarget(name, serverName, '');
  if (direct) return direct;

  const wellKnownUrl = `https://${name.host}/.well-known/matrix/server`;
  let delegated: string | undefined;
  try {
    delegated = delegatedServer(await deps.fetchJson(wellKnownUrl));
    if (delegated === undefined) deps.log?.(`${wellKnownUrl} has no m.server string`);
  } catch (error) {
    deps.log?.(`no ${wellKnownUrl} (${error instanceof Error ? error.message : String(error)})`);
  }
  const delegatedName = delegated === undefined ? undefined : parseServerName(delegated);
  if (delegated !== undefined && !delegatedName) deps.log?.(`${wellKnownUrl} names an invalid server "${delegated}"`);
  if (!delegatedName || delegated === undefined) return resolveHostname(name.host, deps, '');

  // From here on the delegated name, not the original, is what the certificate and Host header carry.
  const via = `.well-known → ${delegated}, `;
  return explicitTarget(delegatedName, delegated, via) ?? resolveHostname(delegatedName.host, deps, via);
}

/** The server part of a Matrix user ID: everything after the first ':'. */
export function serverNameOfUserId(userId: string): string | undefined {
  const colon = userId.indexOf(':');
  return colon < 0 ? undefined : userId.slice(colon + 1);
}

export type UserInfoCheck = { ok: true; userId: string } | { ok: false; reason: string };

/**
 * Checks a userinfo reply against the request: `sub` must be a user ID on `serverName` (else any homeserver
 * could vouch for users of another) and, for `/get_token`, equal the claimed user.
 */
export function checkUserInfo(body: unknown, serverName: string, claimedUserId?: string): UserInfoCheck {
  const sub = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).sub : undefined;
  if (typeof sub !== 'string' || !sub.startsWith('@')) return { ok: false, reason: 'userinfo reply has no user ID in "sub"' };
  const subServer = serverNameOfUserId(sub);
  if (subServer !== serverName) {
    return { ok: false, reason: `userinfo sub ${sub} is not on matrix_server_name ${serverName}` };
  }
  if (claimedUserId !== undefined && claimedUserId !== sub) {
    return { ok: false, reason: `userinfo sub ${sub} does not match claimed_user_id ${claimedUserId}` };
  }
  return { ok: true, userId: sub };
}

/** The userinfo URL. It carries the access token: never log it. */
export function userInfoUrl(target: FederationTarget, accessToken: string): string {
  return `${target.baseUrl}/_matrix/federation/v1/openid/userinfo?access_token=${encodeURIComponent(accessToken)}`;
}
