// Configuration from environment variables named as lk-jwt-service names them, so a deployment can switch
// between the two without renaming anything. Pure (the environment and file reads are passed in) so that every
// error message is unit-tested.
import { ConfigError, parseBindVariable, readVariableFile, type BindAddress, type Env, type ReadFile } from '../shared/env.js';
import { LOG_LEVELS, type LogLevel } from '../shared/log.js';
import { parseFederationOverrides } from './federation.js';

/** Which homeservers' users may make the service create LiveKit rooms. */
export type FullAccessPolicy = { kind: 'all' } | { kind: 'list'; servers: readonly string[] };

export interface RtcAuthConfig {
  /** Handed to clients as is: the LiveKit signalling URL (ws:// or wss://). */
  livekitUrl: string;
  /** The same server's HTTP(S) API URL, for room creation. */
  livekitApiUrl: string;
  livekitKey: string;
  livekitSecret: string;
  fullAccess: FullAccessPolicy;
  bind: BindAddress;
  /** Server name → federation base URL, bypassing discovery (plain http allowed). */
  federationOverrides: ReadonlyMap<string, string>;
  /** Server name → client-server API base URL for delegated delayed leave, bypassing `.well-known` (plain http allowed). */
  csApiOverrides: ReadonlyMap<string, string>;
  /** How often the LiveKit rooms of delegated delayed leaves are asked for their participants. */
  presencePollIntervalMs: number;
  /** How long a LiveKit join token is valid (lk-jwt-service: one hour, not configurable there). */
  tokenTtlSeconds: number;
  /** Accept any TLS certificate from homeservers (lk-jwt-service's LIVEKIT_INSECURE_SKIP_VERIFY_TLS). */
  insecureSkipVerifyTls: boolean;
  logLevel: LogLevel;
  /** Lines for the startup log: where credentials came from, lk-jwt-service variables that are ignored here. */
  notices: string[];
}

export const SKIP_VERIFY_TLS_VALUE = 'YES_I_KNOW_WHAT_I_AM_DOING';

/**
 * Without LiveKit webhooks the service learns departures only by asking LiveKit, so it always polls; the
 * variable lk-jwt-service uses for its extra (webhook-backup) check sets the interval.
 */
export const DEFAULT_PRESENCE_POLL_SECONDS = 2;

// Empty counts as unset, as with Go's os.Getenv in lk-jwt-service.
function get(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** `ws://` → `http://`, `wss://` → `https://`; http(s) stays. Without a trailing slash. */
export function httpUrlOf(livekitUrl: string): string {
  const url = new URL(livekitUrl);
  if (url.protocol === 'ws:') url.protocol = 'http:';
  else if (url.protocol === 'wss:') url.protocol = 'https:';
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function parseLivekitUrl(raw: string | undefined): string {
  if (raw === undefined) throw new ConfigError('LIVEKIT_URL', 'not set; set it to the LiveKit URL clients connect to, e.g. wss://livekit.example.org');
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError('LIVEKIT_URL', `"${raw}" is not a URL`);
  }
  if (!['ws:', 'wss:', 'http:', 'https:'].includes(url.protocol)) {
    throw new ConfigError('LIVEKIT_URL', `"${raw}" must start with ws://, wss://, http:// or https://`);
  }
  return raw.trim();
}

function readCredentials(env: Env, readFile: ReadFile, notices: string[]): { key: string; secret: string } {
  const keySecretPath = get(env, 'LIVEKIT_KEY_FILE');
  if (keySecretPath !== undefined) {
    // LiveKit's own keys file format: `key: secret` (YAML). The first such line is used.
    const text = readVariableFile('LIVEKIT_KEY_FILE', keySecretPath, readFile);
    const line = text.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('#'));
    const colon = line?.indexOf(':') ?? -1;
    const key = line === undefined || colon < 0 ? '' : line.slice(0, colon).trim();
    const secret = line === undefined || colon < 0 ? '' : line.slice(colon + 1).trim();
    if (key === '' || secret === '') {
      throw new ConfigError('LIVEKIT_KEY_FILE', `${keySecretPath} must contain a line "<key>: <secret>"`);
    }
    notices.push(`LiveKit API key and secret from LIVEKIT_KEY_FILE (${keySecretPath})`);
    return { key, secret };
  }
  const fromEnvOrFile = (name: 'KEY' | 'SECRET'): string => {
    const path = get(env, `LIVEKIT_${name}_FROM_FILE`);
    const value = path === undefined
      ? get(env, `LIVEKIT_${name}`)
      : readVariableFile(`LIVEKIT_${name}_FROM_FILE`, path, readFile);
    const trimmed = value?.trim() ?? '';
    if (trimmed === '') {
      throw new ConfigError(
        path === undefined ? `LIVEKIT_${name}` : `LIVEKIT_${name}_FROM_FILE`,
        path === undefined
          ? `not set; set LIVEKIT_${name}, LIVEKIT_${name}_FROM_FILE or LIVEKIT_KEY_FILE`
          : `${path} is empty`,
      );
    }
    notices.push(`LiveKit API ${name.toLowerCase()} from ${path === undefined ? `LIVEKIT_${name}` : `LIVEKIT_${name}_FROM_FILE (${path})`}`);
    return trimmed;
  };
  return { key: fromEnvOrFile('KEY'), secret: fromEnvOrFile('SECRET') };
}

function parseFullAccess(raw: string | undefined): FullAccessPolicy {
  if (raw === undefined) {
    throw new ConfigError('LIVEKIT_FULL_ACCESS_HOMESERVERS',
      'not set; list the homeservers (comma separated) whose users may create calls, or "*" for all');
  }
  const servers = raw.split(/[\s,]+/).filter((s) => s !== '');
  if (servers.includes('*')) {
    if (servers.length > 1) throw new ConfigError('LIVEKIT_FULL_ACCESS_HOMESERVERS', '"*" must be the only entry');
    return { kind: 'all' };
  }
  return { kind: 'list', servers };
}

function parseBind(env: Env, notices: string[]): BindAddress {
  const bind = get(env, 'LIVEKIT_JWT_BIND');
  const legacyPort = get(env, 'LIVEKIT_JWT_PORT');
  if (bind !== undefined && legacyPort !== undefined) {
    throw new ConfigError('LIVEKIT_JWT_BIND', 'LIVEKIT_JWT_BIND and LIVEKIT_JWT_PORT must not be set together');
  }
  if (legacyPort !== undefined) notices.push('LIVEKIT_JWT_PORT is deprecated (as in lk-jwt-service): use LIVEKIT_JWT_BIND');
  if (legacyPort !== undefined) return parseBindVariable('LIVEKIT_JWT_PORT', `:${legacyPort.trim()}`);
  return parseBindVariable('LIVEKIT_JWT_BIND', bind ?? ':8080');
}

function parsePollInterval(raw: string | undefined, notices: string[]): number {
  if (raw === undefined) return DEFAULT_PRESENCE_POLL_SECONDS * 1000;
  const seconds = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || seconds > 3600) {
    throw new ConfigError('LIVEKIT_SANITY_CHECK_INTERVAL_SECONDS', `"${raw}" is not a whole number of seconds from 0 to 3600`);
  }
  if (seconds === 0) {
    notices.push(`LIVEKIT_SANITY_CHECK_INTERVAL_SECONDS=0: rtc-auth has no LiveKit webhooks, so it still polls, every ${DEFAULT_PRESENCE_POLL_SECONDS} s`);
    return DEFAULT_PRESENCE_POLL_SECONDS * 1000;
  }
  return seconds * 1000;
}

/** Join tokens live an hour, as lk-jwt-service's; shorter ones suit a deployment that revokes access quickly. */
export const DEFAULT_TOKEN_TTL_SECONDS = 3600;

function parseTokenTtl(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_TOKEN_TTL_SECONDS;
  const seconds = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || seconds < 5 || seconds > 86_400) {
    throw new ConfigError('LIVEKIT_TOKEN_TTL_SECONDS', `"${raw}" is not a whole number of seconds from 5 to 86400`);
  }
  return seconds;
}

function parseLogLevel(raw: string | undefined): LogLevel {
  if (raw === undefined) return 'info';
  const level = raw.trim().toLowerCase();
  const known = LOG_LEVELS.find((l) => l === level);
  if (!known) throw new ConfigError('LIVEKIT_LOG_LEVEL', `"${raw}" is not one of ${LOG_LEVELS.join(', ')}`);
  return known;
}

/** Builds the configuration or throws a ConfigError naming the first bad variable. */
export function parseConfig(env: Env, readFile: ReadFile): RtcAuthConfig {
  const notices: string[] = [];
  const livekitUrl = parseLivekitUrl(get(env, 'LIVEKIT_URL'));
  const { key, secret } = readCredentials(env, readFile, notices);
  const fullAccess = parseFullAccess(get(env, 'LIVEKIT_FULL_ACCESS_HOMESERVERS'));
  const bind = parseBind(env, notices);

  let federationOverrides: Map<string, string>;
  try {
    federationOverrides = parseFederationOverrides(get(env, 'LIVEKIT_FEDERATION_API_URL_OVERRIDES') ?? '');
  } catch (error) {
    throw new ConfigError('LIVEKIT_FEDERATION_API_URL_OVERRIDES', error instanceof Error ? error.message : String(error));
  }

  const skipVerify = get(env, 'LIVEKIT_INSECURE_SKIP_VERIFY_TLS');
  if (skipVerify !== undefined && skipVerify !== SKIP_VERIFY_TLS_VALUE) {
    throw new ConfigError('LIVEKIT_INSECURE_SKIP_VERIFY_TLS', `set it to ${SKIP_VERIFY_TLS_VALUE} or leave it unset`);
  }
  if (skipVerify !== undefined) notices.push('LIVEKIT_INSECURE_SKIP_VERIFY_TLS: homeserver TLS certificates are NOT verified; use only for testing');

  let csApiOverrides: Map<string, string>;
  try {
    csApiOverrides = parseFederationOverrides(get(env, 'LIVEKIT_CS_API_URL_OVERRIDES') ?? '');
  } catch (error) {
    throw new ConfigError('LIVEKIT_CS_API_URL_OVERRIDES', error instanceof Error ? error.message : String(error));
  }

  const presencePollIntervalMs = parsePollInterval(get(env, 'LIVEKIT_SANITY_CHECK_INTERVAL_SECONDS'), notices);

  if (get(env, 'LIVEKIT_REDIS_URL') !== undefined) {
    notices.push('LIVEKIT_REDIS_URL is ignored: delegated delayed leaves are kept in memory, so after a restart the homeserver\'s delays and the clients take over');
  }

  return {
    livekitUrl,
    livekitApiUrl: httpUrlOf(livekitUrl),
    livekitKey: key,
    livekitSecret: secret,
    fullAccess,
    bind,
    federationOverrides,
    csApiOverrides,
    presencePollIntervalMs,
    tokenTtlSeconds: parseTokenTtl(get(env, 'LIVEKIT_TOKEN_TTL_SECONDS')),
    insecureSkipVerifyTls: skipVerify !== undefined,
    logLevel: parseLogLevel(get(env, 'LIVEKIT_LOG_LEVEL')),
    notices,
  };
}

/** Whether users of `serverName` may make the service create the LiveKit room. */
export function isFullAccess(policy: FullAccessPolicy, serverName: string): boolean {
  return policy.kind === 'all' || policy.servers.includes(serverName);
}
