import { expect } from '@open-wc/testing';
import { ConfigError, type Env } from '../../../services/shared/env.js';
import { configErrorOf, filesystem } from '../../helpers/config-env.js';
import { parseConfig, parseRegistrationConfig } from '../../../services/visitor/config.js';

const BASE: Env = {
  VISITOR_HOMESERVER_URL: 'https://matrix.example.org/',
  VISITOR_SERVER_NAME: 'example.org',
  VISITOR_AS_TOKEN: 'as-token-0123456789abcdef',
  VISITOR_ALLOWED_ORIGINS: 'https://example.org, https://www.example.org',
  VISITOR_ALLOWED_TARGETS: '@support:example.org,@sales:example.org',
};

const configError = (env: Env, files: Record<string, string> = {}): ConfigError => configErrorOf(parseConfig, env, files);

describe('visitor config', () => {
  it('reads the rooms visitors may join: IDs (room version 12 ones, with no server part, too) and aliases', () => {
    const config = parseConfig({ ...BASE, VISITOR_ALLOWED_ROOMS: '!call:example.org, !lobby:example.org:8448, !nowF3SYFF7FayJoYFzrtnbSAKIc41efHh0pZ2pqjb9g #town-hall:example.org' }, filesystem());
    expect([...config.allowedRooms]).to.deep.equal(['!call:example.org', '!lobby:example.org:8448', '!nowF3SYFF7FayJoYFzrtnbSAKIc41efHh0pZ2pqjb9g', '#town-hall:example.org']);
  });

  it('needs no targets when visitors only join rooms', () => {
    const config = parseConfig({ ...BASE, VISITOR_ALLOWED_TARGETS: undefined, VISITOR_ALLOWED_ROOMS: '#town-hall:example.org' }, filesystem());
    expect([...config.allowedTargets]).to.deep.equal([]);
    expect([...config.allowedRooms]).to.deep.equal(['#town-hall:example.org']);
  });

  it('reads a minimal environment with the documented defaults', () => {
    const config = parseConfig(BASE, filesystem());
    expect(config.homeserverUrl).to.equal('https://matrix.example.org');
    expect(config.clientHomeserverUrl).to.equal('https://matrix.example.org');
    expect(config.serverName).to.equal('example.org');
    expect(config.asToken).to.equal('as-token-0123456789abcdef');
    expect([...config.allowedOrigins]).to.deep.equal(['https://example.org', 'https://www.example.org']);
    expect([...config.allowedTargets]).to.deep.equal(['@support:example.org', '@sales:example.org']);
    expect([...config.allowedRooms]).to.deep.equal([]);
    expect(config.displayName).to.equal('Visitor');
    expect(config.lifetimeMs).to.equal(15 * 60_000);
    expect(config.rateLimit).to.deep.equal({ burst: 3, refillMs: 60_000 });
    expect(config.maxAccounts).to.equal(100);
    expect([...config.trustedProxies]).to.deep.equal([]);
    expect(config.localpartPrefix).to.equal('visitor-');
    expect(config.bind).to.deep.equal({ host: '127.0.0.1', port: 8091 });
    expect(config.stateFile).to.equal('visitor-state.json');
    expect(config.logLevel).to.equal('info');
  });

  it('reads every optional variable', () => {
    const config = parseConfig({
      ...BASE,
      VISITOR_AS_TOKEN: undefined,
      VISITOR_AS_TOKEN_FILE: '/run/secrets/as',
      VISITOR_CLIENT_HOMESERVER_URL: 'https://matrix.example.org/base/',
      VISITOR_DISPLAY_NAME: 'Visitor from example.org',
      VISITOR_LIFETIME_SECONDS: '120',
      VISITOR_RATE_BURST: '5',
      VISITOR_RATE_REFILL_SECONDS: '30',
      VISITOR_MAX_ACCOUNTS: '7',
      VISITOR_TRUSTED_PROXIES: '127.0.0.1 ::1',
      VISITOR_LOCALPART_PREFIX: 'guest.',
      VISITOR_BIND: ':9000',
      VISITOR_STATE_FILE: '/var/lib/visitor/state.json',
      VISITOR_LOG_LEVEL: 'DEBUG',
    }, filesystem({ '/run/secrets/as': 'from-a-file-0123456789\n' }));
    expect(config.asToken).to.equal('from-a-file-0123456789');
    expect(config.clientHomeserverUrl).to.equal('https://matrix.example.org/base');
    expect(config.displayName).to.equal('Visitor from example.org');
    expect(config.lifetimeMs).to.equal(120_000);
    expect(config.rateLimit).to.deep.equal({ burst: 5, refillMs: 30_000 });
    expect(config.maxAccounts).to.equal(7);
    expect([...config.trustedProxies]).to.deep.equal(['127.0.0.1', '::1']);
    expect(config.localpartPrefix).to.equal('guest.');
    expect(config.bind).to.deep.equal({ host: undefined, port: 9000 });
    expect(config.stateFile).to.equal('/var/lib/visitor/state.json');
    expect(config.logLevel).to.equal('debug');
  });

  const errors: Array<[string, Env, RegExp]> = [
    ['no homeserver', { ...BASE, VISITOR_HOMESERVER_URL: undefined }, /^VISITOR_HOMESERVER_URL: not set/],
    ['a homeserver that is not http', { ...BASE, VISITOR_HOMESERVER_URL: 'ws://x' }, /^VISITOR_HOMESERVER_URL: "ws:\/\/x" must start with http/],
    ['a homeserver that is not a URL', { ...BASE, VISITOR_HOMESERVER_URL: 'matrix' }, /^VISITOR_HOMESERVER_URL: "matrix" is not a URL/],
    ['no server name', { ...BASE, VISITOR_SERVER_NAME: ' ' }, /^VISITOR_SERVER_NAME: not set/],
    ['a bad server name', { ...BASE, VISITOR_SERVER_NAME: 'example org' }, /^VISITOR_SERVER_NAME: "example org" is not a server name/],
    ['no as_token', { ...BASE, VISITOR_AS_TOKEN: undefined }, /^VISITOR_AS_TOKEN: not set; set VISITOR_AS_TOKEN or VISITOR_AS_TOKEN_FILE/],
    ['a short as_token', { ...BASE, VISITOR_AS_TOKEN: 'short' }, /^VISITOR_AS_TOKEN: must be at least 16 printable/],
    ['both token forms', { ...BASE, VISITOR_AS_TOKEN_FILE: '/x' }, /^VISITOR_AS_TOKEN: set VISITOR_AS_TOKEN or VISITOR_AS_TOKEN_FILE, not both/],
    ['an unreadable token file', { ...BASE, VISITOR_AS_TOKEN: undefined, VISITOR_AS_TOKEN_FILE: '/missing' }, /^VISITOR_AS_TOKEN_FILE: cannot read \/missing: ENOENT/],
    ['no origins', { ...BASE, VISITOR_ALLOWED_ORIGINS: undefined }, /^VISITOR_ALLOWED_ORIGINS: not set/],
    ['a wildcard origin', { ...BASE, VISITOR_ALLOWED_ORIGINS: '*' }, /^VISITOR_ALLOWED_ORIGINS: "\*" is not accepted/],
    ['an origin with a path', { ...BASE, VISITOR_ALLOWED_ORIGINS: 'https://example.org/call' }, /^VISITOR_ALLOWED_ORIGINS: "https:\/\/example.org\/call" must be only scheme/],
    ['neither targets nor rooms', { ...BASE, VISITOR_ALLOWED_TARGETS: undefined }, /^VISITOR_ALLOWED_TARGETS: not set; .* or set VISITOR_ALLOWED_ROOMS/],
    ['a room that is a user', { ...BASE, VISITOR_ALLOWED_ROOMS: '@call:example.org' }, /^VISITOR_ALLOWED_ROOMS: "@call:example.org" is not a Matrix room ID .* or a room alias/],
    ['an alias without a server', { ...BASE, VISITOR_ALLOWED_ROOMS: '#call' }, /^VISITOR_ALLOWED_ROOMS: "#call" is not a Matrix room ID/],
    ['a room without a server', { ...BASE, VISITOR_ALLOWED_ROOMS: '!abc' }, /^VISITOR_ALLOWED_ROOMS: "!abc" is not a Matrix room ID/],
    ['a target that is not a user', { ...BASE, VISITOR_ALLOWED_TARGETS: '#support:example.org' }, /^VISITOR_ALLOWED_TARGETS: "#support:example.org" is not a Matrix user ID/],
    ['a zero lifetime', { ...BASE, VISITOR_LIFETIME_SECONDS: '0' }, /^VISITOR_LIFETIME_SECONDS: "0" is not a whole number from 1 to 86400/],
    ['a fractional lifetime', { ...BASE, VISITOR_LIFETIME_SECONDS: '1.5' }, /^VISITOR_LIFETIME_SECONDS: "1.5" is not a whole number/],
    ['a lifetime past a day', { ...BASE, VISITOR_LIFETIME_SECONDS: '86401' }, /^VISITOR_LIFETIME_SECONDS/],
    ['a zero burst', { ...BASE, VISITOR_RATE_BURST: '0' }, /^VISITOR_RATE_BURST/],
    ['a word for a refill', { ...BASE, VISITOR_RATE_REFILL_SECONDS: 'soon' }, /^VISITOR_RATE_REFILL_SECONDS/],
    ['no room for accounts', { ...BASE, VISITOR_MAX_ACCOUNTS: '0' }, /^VISITOR_MAX_ACCOUNTS/],
    ['a prefix with upper case', { ...BASE, VISITOR_LOCALPART_PREFIX: 'Visitor-' }, /^VISITOR_LOCALPART_PREFIX: "Visitor-" must be/],
    ['a bad bind address', { ...BASE, VISITOR_BIND: '8091' }, /^VISITOR_BIND: "8091" is not host:port/],
    ['an unknown log level', { ...BASE, VISITOR_LOG_LEVEL: 'loud' }, /^VISITOR_LOG_LEVEL: "loud" is not one of debug, info, warn, error/],
    ['a long display name', { ...BASE, VISITOR_DISPLAY_NAME: 'x'.repeat(101) }, /^VISITOR_DISPLAY_NAME: must be at most 100/],
  ];
  for (const [name, env, message] of errors) {
    it(`names the variable for ${name}`, () => {
      const error = configError(env);
      expect(error.message).to.match(message);
      expect(error.message.startsWith(error.variable)).to.equal(true);
    });
  }

  it('the registration command needs the server name and as_token only; hs_token is optional', () => {
    const env = { VISITOR_SERVER_NAME: 'example.org', VISITOR_AS_TOKEN: 'as-token-0123456789abcdef' };
    expect(parseRegistrationConfig(env, filesystem())).to.deep.equal({
      serverName: 'example.org', asToken: 'as-token-0123456789abcdef', hsToken: undefined, localpartPrefix: 'visitor-',
    });
    expect(parseRegistrationConfig({ ...env, VISITOR_HS_TOKEN: 'hs-token-0123456789abcdef' }, filesystem()).hsToken).to.equal('hs-token-0123456789abcdef');
    expect(() => parseRegistrationConfig({ ...env, VISITOR_HS_TOKEN: 'x' }, filesystem())).to.throw(ConfigError, /^VISITOR_HS_TOKEN/);
  });
});
