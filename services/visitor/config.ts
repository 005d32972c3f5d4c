// Configuration from VISITOR_* environment variables. Pure (the environment and file reads are passed in),
// so every error message is unit-tested; each names its variable.
import { ConfigError, parseBindVariable, readVariableFile, type BindAddress, type Env, type ReadFile } from '../shared/env.js';
import { LOG_LEVELS, type LogLevel } from '../shared/log.js';
import { isRoomAlias, isRoomId, isUserId, normalizeOrigin } from './policy.js';
import type { RateLimit } from './rate-limit.js';

export interface VisitorConfig {
  /** Where the service reaches the client-server API. */
  homeserverUrl: string;
  /** Handed to visitors' browsers; the same unless the service talks to the homeserver over another route. */
  clientHomeserverUrl: string;
  serverName: string;
  asToken: string;
  allowedOrigins: ReadonlySet<string>;
  allowedTargets: ReadonlySet<string>;
  /** Rooms (IDs and aliases) whose group call a visitor may join; empty unless VISITOR_ALLOWED_ROOMS names some. */
  allowedRooms: ReadonlySet<string>;
  displayName: string;
  lifetimeMs: number;
  rateLimit: RateLimit;
  maxAccounts: number;
  trustedProxies: ReadonlySet<string>;
  localpartPrefix: string;
  bind: BindAddress;
  stateFile: string;
  logLevel: LogLevel;
}

/** What the `registration` command needs on top of the tokens. */
export interface RegistrationConfig {
  serverName: string;
  asToken: string;
  hsToken: string | undefined;
  localpartPrefix: string;
}

export const DEFAULTS = {
  displayName: 'Visitor',
  lifetimeSeconds: 15 * 60,
  rateBurst: 3,
  rateRefillSeconds: 60,
  maxAccounts: 100,
  localpartPrefix: 'visitor-',
  bind: '127.0.0.1:8091',
  stateFile: 'visitor-state.json',
} as const;

const MAX_LIFETIME_SECONDS = 24 * 60 * 60;

function get(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function required(env: Env, name: string, hint: string): string {
  const value = get(env, name);
  if (value === undefined) throw new ConfigError(name, `not set; ${hint}`);
  return value;
}

function list(raw: string): string[] {
  return raw.split(/[\s,]+/).filter((entry) => entry !== '');
}

function httpUrl(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `"${raw}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(name, `"${raw}" must start with http:// or https://`);
  if (url.search !== '' || url.hash !== '') throw new ConfigError(name, `"${raw}" must not have a query or fragment`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function secret(env: Env, readFile: ReadFile, name: string, isRequired: boolean): string | undefined {
  const path = get(env, `${name}_FILE`);
  if (path !== undefined && get(env, name) !== undefined) throw new ConfigError(name, `set ${name} or ${name}_FILE, not both`);
  let value: string | undefined;
  if (path !== undefined) {
    value = readVariableFile(`${name}_FILE`, path, readFile).trim();
    if (value === '') throw new ConfigError(`${name}_FILE`, `${path} is empty`);
  } else {
    value = get(env, name);
  }
  if (value === undefined) {
    if (isRequired) throw new ConfigError(name, `not set; set ${name} or ${name}_FILE to the application service's ${name === 'VISITOR_AS_TOKEN' ? 'as_token' : 'hs_token'}`);
    return undefined;
  }
  if (!/^[\x21-\x7e]{16,}$/.test(value)) throw new ConfigError(path === undefined ? name : `${name}_FILE`, 'must be at least 16 printable characters without spaces');
  return value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = get(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `"${raw}" is not a whole number from ${min} to ${max}`);
  }
  return value;
}

function serverName(env: Env): string {
  const name = required(env, 'VISITOR_SERVER_NAME', 'set it to the homeserver\'s server name (the part after ":" in its user IDs)');
  if (!isUserId(`@x:${name}`)) throw new ConfigError('VISITOR_SERVER_NAME', `"${name}" is not a server name like example.org or example.org:8448`);
  return name;
}

function localpartPrefix(env: Env): string {
  const prefix = get(env, 'VISITOR_LOCALPART_PREFIX') ?? DEFAULTS.localpartPrefix;
  if (!/^[a-z0-9._=/-]{1,32}$/.test(prefix)) throw new ConfigError('VISITOR_LOCALPART_PREFIX', `"${prefix}" must be 1 to 32 of a-z 0-9 . _ = / -`);
  return prefix;
}

/** Builds the service's configuration or throws a ConfigError naming the first bad variable. */
export function parseConfig(env: Env, readFile: ReadFile): VisitorConfig {
  const homeserverUrl = httpUrl('VISITOR_HOMESERVER_URL',
    required(env, 'VISITOR_HOMESERVER_URL', 'set it to the homeserver\'s client-server API URL, e.g. https://matrix.example.org'));
  const clientRaw = get(env, 'VISITOR_CLIENT_HOMESERVER_URL');
  const clientHomeserverUrl = clientRaw === undefined ? homeserverUrl : httpUrl('VISITOR_CLIENT_HOMESERVER_URL', clientRaw);
  const name = serverName(env);
  const asToken = secret(env, readFile, 'VISITOR_AS_TOKEN', true) as string;

  const originsRaw = required(env, 'VISITOR_ALLOWED_ORIGINS', 'list the origins of the sites that show the call button, e.g. https://example.org');
  const allowedOrigins = new Set<string>();
  for (const entry of list(originsRaw)) {
    if (entry === '*') throw new ConfigError('VISITOR_ALLOWED_ORIGINS', '"*" is not accepted: name each site, so other sites cannot hand out accounts on your homeserver');
    try {
      allowedOrigins.add(normalizeOrigin(entry));
    } catch (error) {
      throw new ConfigError('VISITOR_ALLOWED_ORIGINS', error instanceof Error ? error.message : String(error));
    }
  }

  const allowedTargets = new Set<string>();
  for (const entry of list(get(env, 'VISITOR_ALLOWED_TARGETS') ?? '')) {
    if (!isUserId(entry)) throw new ConfigError('VISITOR_ALLOWED_TARGETS', `"${entry}" is not a Matrix user ID like @support:example.org`);
    allowedTargets.add(entry);
  }

  const allowedRooms = new Set<string>();
  for (const entry of list(get(env, 'VISITOR_ALLOWED_ROOMS') ?? '')) {
    if (!isRoomId(entry) && !isRoomAlias(entry)) {
      throw new ConfigError('VISITOR_ALLOWED_ROOMS', `"${entry}" is not a Matrix room ID like !abc:example.org or a room alias like #call:example.org`);
    }
    allowedRooms.add(entry);
  }
  if (allowedTargets.size === 0 && allowedRooms.size === 0) {
    throw new ConfigError('VISITOR_ALLOWED_TARGETS',
      'not set; list the Matrix users visitors may call (e.g. @support:example.org), or set VISITOR_ALLOWED_ROOMS to the rooms whose calls they may join');
  }

  const displayName = get(env, 'VISITOR_DISPLAY_NAME') ?? DEFAULTS.displayName;
  if (displayName.length > 100) throw new ConfigError('VISITOR_DISPLAY_NAME', 'must be at most 100 characters');

  const bind = parseBindVariable('VISITOR_BIND', get(env, 'VISITOR_BIND') ?? DEFAULTS.bind);

  const level = (get(env, 'VISITOR_LOG_LEVEL') ?? 'info').toLowerCase();
  const logLevel = LOG_LEVELS.find((known) => known === level);
  if (!logLevel) throw new ConfigError('VISITOR_LOG_LEVEL', `"${level}" is not one of ${LOG_LEVELS.join(', ')}`);

  return {
    homeserverUrl,
    clientHomeserverUrl,
    serverName: name,
    asToken,
    allowedOrigins,
    allowedTargets,
    allowedRooms,
    displayName,
    lifetimeMs: integer(env, 'VISITOR_LIFETIME_SECONDS', DEFAULTS.lifetimeSeconds, 1, MAX_LIFETIME_SECONDS) * 1000,
    rateLimit: {
      burst: integer(env, 'VISITOR_RATE_BURST', DEFAULTS.rateBurst, 1, 1_000_000),
      refillMs: integer(env, 'VISITOR_RATE_REFILL_SECONDS', DEFAULTS.rateRefillSeconds, 1, MAX_LIFETIME_SECONDS) * 1000,
    },
    maxAccounts: integer(env, 'VISITOR_MAX_ACCOUNTS', DEFAULTS.maxAccounts, 1, 100_000),
    trustedProxies: new Set(list(get(env, 'VISITOR_TRUSTED_PROXIES') ?? '')),
    localpartPrefix: localpartPrefix(env),
    bind,
    stateFile: get(env, 'VISITOR_STATE_FILE') ?? DEFAULTS.stateFile,
    logLevel,
  };
}

/** The variables the `registration` command reads; the same names as the service's. */
export function parseRegistrationConfig(env: Env, readFile: ReadFile): RegistrationConfig {
  return {
    serverName: serverName(env),
    asToken: secret(env, readFile, 'VISITOR_AS_TOKEN', true) as string,
    hsToken: secret(env, readFile, 'VISITOR_HS_TOKEN', false),
    localpartPrefix: localpartPrefix(env),
  };
}
