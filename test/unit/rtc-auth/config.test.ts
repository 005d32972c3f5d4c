import { expect } from '@open-wc/testing';
import { httpUrlOf, isFullAccess, parseConfig } from '../../../services/rtc-auth/config.js';
import { parseBindAddress, type ConfigError, type Env } from '../../../services/shared/env.js';
import { configErrorOf, filesystem } from '../../helpers/config-env.js';

const BASE: Env = {
  LIVEKIT_URL: 'wss://livekit.example.org',
  LIVEKIT_KEY: 'devkey',
  LIVEKIT_SECRET: 'a-secret',
  LIVEKIT_FULL_ACCESS_HOMESERVERS: 'example.org',
};

const configError = (env: Env, files: Record<string, string> = {}): ConfigError => configErrorOf(parseConfig, env, files);

describe('rtc-auth config', () => {
  describe('a valid environment', () => {
    it('gives lk-jwt-service defaults', () => {
      const config = parseConfig(BASE, filesystem());
      expect(config.livekitUrl).to.equal('wss://livekit.example.org');
      expect(config.livekitApiUrl).to.equal('https://livekit.example.org');
      expect(config.livekitKey).to.equal('devkey');
      expect(config.livekitSecret).to.equal('a-secret');
      expect(config.fullAccess).to.deep.equal({ kind: 'list', servers: ['example.org'] });
      expect(config.bind).to.deep.equal({ host: undefined, port: 8080 });
      expect(config.federationOverrides.size).to.equal(0);
      expect(config.csApiOverrides.size).to.equal(0);
      expect(config.presencePollIntervalMs).to.equal(2_000);
      expect(config.insecureSkipVerifyTls).to.equal(false);
      expect(config.logLevel).to.equal('info');
    });

    it('reads every variable', () => {
      const config = parseConfig({
        ...BASE,
        LIVEKIT_URL: 'ws://127.0.0.1:7880',
        LIVEKIT_FULL_ACCESS_HOMESERVERS: 'a.example, b.example,c.example',
        LIVEKIT_JWT_BIND: '127.0.0.1:8090',
        LIVEKIT_FEDERATION_API_URL_OVERRIDES: 'localhost=http://127.0.0.1:8008, other:8448=https://hs.example/prefix/',
        LIVEKIT_INSECURE_SKIP_VERIFY_TLS: 'YES_I_KNOW_WHAT_I_AM_DOING',
        LIVEKIT_LOG_LEVEL: 'DEBUG',
      }, filesystem());
      expect(config.livekitApiUrl).to.equal('http://127.0.0.1:7880');
      expect(config.fullAccess).to.deep.equal({ kind: 'list', servers: ['a.example', 'b.example', 'c.example'] });
      expect(config.bind).to.deep.equal({ host: '127.0.0.1', port: 8090 });
      expect([...config.federationOverrides]).to.deep.equal([
        ['localhost', 'http://127.0.0.1:8008'],
        ['other:8448', 'https://hs.example/prefix'],
      ]);
      expect(config.insecureSkipVerifyTls).to.equal(true);
      expect(config.logLevel).to.equal('debug');
    });

    it('accepts "*" as every homeserver', () => {
      const config = parseConfig({ ...BASE, LIVEKIT_FULL_ACCESS_HOMESERVERS: ' * ' }, filesystem());
      expect(config.fullAccess).to.deep.equal({ kind: 'all' });
    });

    it('treats empty variables as unset', () => {
      const config = parseConfig({ ...BASE, LIVEKIT_JWT_BIND: '', LIVEKIT_LOG_LEVEL: '', LIVEKIT_FEDERATION_API_URL_OVERRIDES: '' }, filesystem());
      expect(config.bind.port).to.equal(8080);
      expect(config.logLevel).to.equal('info');
    });

    it('reads key and secret from LIVEKIT_KEY_FILE, which wins over the other variables', () => {
      const config = parseConfig(
        { ...BASE, LIVEKIT_KEY_FILE: '/keys.yaml' },
        filesystem({ '/keys.yaml': '# LiveKit keys\n\n  filekey:  file-secret \nsecond: ignored\n' }),
      );
      expect(config.livekitKey).to.equal('filekey');
      expect(config.livekitSecret).to.equal('file-secret');
    });

    it('reads LIVEKIT_KEY_FROM_FILE and LIVEKIT_SECRET_FROM_FILE, trimming the newline', () => {
      const config = parseConfig(
        { ...BASE, LIVEKIT_KEY_FROM_FILE: '/key', LIVEKIT_SECRET_FROM_FILE: '/secret' },
        filesystem({ '/key': 'k-from-file\n', '/secret': 's-from-file\r\n' }),
      );
      expect(config.livekitKey).to.equal('k-from-file');
      expect(config.livekitSecret).to.equal('s-from-file');
    });

    it('accepts the deprecated LIVEKIT_JWT_PORT and says so', () => {
      const config = parseConfig({ ...BASE, LIVEKIT_JWT_PORT: '9000' }, filesystem());
      expect(config.bind).to.deep.equal({ host: undefined, port: 9000 });
      expect(config.notices.join('\n')).to.contain('LIVEKIT_JWT_PORT is deprecated');
    });

    it('notes that LIVEKIT_REDIS_URL is ignored (delegations live in memory)', () => {
      const config = parseConfig({ ...BASE, LIVEKIT_REDIS_URL: 'redis://x' }, filesystem());
      expect(config.notices.join('\n')).to.contain('LIVEKIT_REDIS_URL is ignored');
    });

    it('reads the client-server API overrides of delegated delayed leave', () => {
      const config = parseConfig({ ...BASE, LIVEKIT_CS_API_URL_OVERRIDES: 'example.org=https://matrix.example.org/, localhost=http://127.0.0.1:8008' }, filesystem());
      expect([...config.csApiOverrides]).to.deep.equal([['example.org', 'https://matrix.example.org'], ['localhost', 'http://127.0.0.1:8008']]);
      expect(config.notices.join('\n')).not.to.contain('LIVEKIT_CS_API_URL_OVERRIDES');
    });

    it('polls LiveKit at LIVEKIT_SANITY_CHECK_INTERVAL_SECONDS, and at the default for 0 (it has no webhooks)', () => {
      expect(parseConfig({ ...BASE, LIVEKIT_SANITY_CHECK_INTERVAL_SECONDS: '5' }, filesystem()).presencePollIntervalMs).to.equal(5_000);
      const zero = parseConfig({ ...BASE, LIVEKIT_SANITY_CHECK_INTERVAL_SECONDS: '0' }, filesystem());
      expect(zero.presencePollIntervalMs).to.equal(2_000);
      expect(zero.notices.join('\n')).to.contain('still polls, every 2 s');
    });

    it('mints tokens for an hour, as lk-jwt-service, or for LIVEKIT_TOKEN_TTL_SECONDS', () => {
      expect(parseConfig(BASE, filesystem()).tokenTtlSeconds).to.equal(3600);
      expect(parseConfig({ ...BASE, LIVEKIT_TOKEN_TTL_SECONDS: '600' }, filesystem()).tokenTtlSeconds).to.equal(600);
    });
  });

  describe('errors name the variable', () => {
    const cases: Array<{ name: string; env: Env; files?: Record<string, string>; variable: string; message: RegExp }> = [
      { name: 'LIVEKIT_CS_API_URL_OVERRIDES without a URL', env: { ...BASE, LIVEKIT_CS_API_URL_OVERRIDES: 'a=b' }, variable: 'LIVEKIT_CS_API_URL_OVERRIDES', message: /not a URL/ },
      { name: 'LIVEKIT_CS_API_URL_OVERRIDES not server=url', env: { ...BASE, LIVEKIT_CS_API_URL_OVERRIDES: 'https://x' }, variable: 'LIVEKIT_CS_API_URL_OVERRIDES', message: /expected server_name=url/ },
      { name: 'LIVEKIT_SANITY_CHECK_INTERVAL_SECONDS not a number', env: { ...BASE, LIVEKIT_SANITY_CHECK_INTERVAL_SECONDS: '2s' }, variable: 'LIVEKIT_SANITY_CHECK_INTERVAL_SECONDS', message: /whole number of seconds/ },
      { name: 'LIVEKIT_SANITY_CHECK_INTERVAL_SECONDS negative', env: { ...BASE, LIVEKIT_SANITY_CHECK_INTERVAL_SECONDS: '-1' }, variable: 'LIVEKIT_SANITY_CHECK_INTERVAL_SECONDS', message: /whole number of seconds/ },
      { name: 'LIVEKIT_TOKEN_TTL_SECONDS too short', env: { ...BASE, LIVEKIT_TOKEN_TTL_SECONDS: '4' }, variable: 'LIVEKIT_TOKEN_TTL_SECONDS', message: /from 5 to 86400/ },
      { name: 'LIVEKIT_TOKEN_TTL_SECONDS not a number', env: { ...BASE, LIVEKIT_TOKEN_TTL_SECONDS: '1h' }, variable: 'LIVEKIT_TOKEN_TTL_SECONDS', message: /whole number of seconds/ },
      { name: 'LIVEKIT_URL missing', env: { ...BASE, LIVEKIT_URL: undefined }, variable: 'LIVEKIT_URL', message: /not set/ },
      { name: 'LIVEKIT_URL not a URL', env: { ...BASE, LIVEKIT_URL: 'livekit.example.org' }, variable: 'LIVEKIT_URL', message: /not a URL/ },
      { name: 'LIVEKIT_URL wrong scheme', env: { ...BASE, LIVEKIT_URL: 'ftp://livekit.example.org' }, variable: 'LIVEKIT_URL', message: /ws:\/\/, wss:\/\// },
      { name: 'LIVEKIT_KEY missing', env: { ...BASE, LIVEKIT_KEY: undefined }, variable: 'LIVEKIT_KEY', message: /LIVEKIT_KEY_FROM_FILE or LIVEKIT_KEY_FILE/ },
      { name: 'LIVEKIT_KEY blank', env: { ...BASE, LIVEKIT_KEY: '   ' }, variable: 'LIVEKIT_KEY', message: /not set/ },
      { name: 'LIVEKIT_SECRET missing', env: { ...BASE, LIVEKIT_SECRET: undefined }, variable: 'LIVEKIT_SECRET', message: /not set/ },
      { name: 'LIVEKIT_KEY_FROM_FILE unreadable', env: { ...BASE, LIVEKIT_KEY_FROM_FILE: '/missing' }, variable: 'LIVEKIT_KEY_FROM_FILE', message: /cannot read \/missing/ },
      { name: 'LIVEKIT_SECRET_FROM_FILE empty', env: { ...BASE, LIVEKIT_SECRET_FROM_FILE: '/empty' }, files: { '/empty': '\n' }, variable: 'LIVEKIT_SECRET_FROM_FILE', message: /is empty/ },
      { name: 'LIVEKIT_KEY_FILE unreadable', env: { ...BASE, LIVEKIT_KEY_FILE: '/missing' }, variable: 'LIVEKIT_KEY_FILE', message: /cannot read/ },
      { name: 'LIVEKIT_KEY_FILE without a colon', env: { ...BASE, LIVEKIT_KEY_FILE: '/k' }, files: { '/k': 'just-a-key\n' }, variable: 'LIVEKIT_KEY_FILE', message: /<key>: <secret>/ },
      { name: 'LIVEKIT_KEY_FILE with an empty secret', env: { ...BASE, LIVEKIT_KEY_FILE: '/k' }, files: { '/k': 'key:\n' }, variable: 'LIVEKIT_KEY_FILE', message: /<key>: <secret>/ },
      { name: 'LIVEKIT_FULL_ACCESS_HOMESERVERS missing', env: { ...BASE, LIVEKIT_FULL_ACCESS_HOMESERVERS: undefined }, variable: 'LIVEKIT_FULL_ACCESS_HOMESERVERS', message: /not set/ },
      { name: 'LIVEKIT_FULL_ACCESS_HOMESERVERS mixing *', env: { ...BASE, LIVEKIT_FULL_ACCESS_HOMESERVERS: '*,example.org' }, variable: 'LIVEKIT_FULL_ACCESS_HOMESERVERS', message: /only entry/ },
      { name: 'LIVEKIT_JWT_BIND without a port', env: { ...BASE, LIVEKIT_JWT_BIND: '127.0.0.1' }, variable: 'LIVEKIT_JWT_BIND', message: /host:port/ },
      { name: 'LIVEKIT_JWT_BIND port out of range', env: { ...BASE, LIVEKIT_JWT_BIND: ':70000' }, variable: 'LIVEKIT_JWT_BIND', message: /host:port/ },
      { name: 'LIVEKIT_JWT_BIND with LIVEKIT_JWT_PORT', env: { ...BASE, LIVEKIT_JWT_BIND: ':1', LIVEKIT_JWT_PORT: '2' }, variable: 'LIVEKIT_JWT_BIND', message: /together/ },
      { name: 'LIVEKIT_JWT_PORT not a number', env: { ...BASE, LIVEKIT_JWT_PORT: 'http' }, variable: 'LIVEKIT_JWT_PORT', message: /host:port/ },
      { name: 'override without =', env: { ...BASE, LIVEKIT_FEDERATION_API_URL_OVERRIDES: 'localhost' }, variable: 'LIVEKIT_FEDERATION_API_URL_OVERRIDES', message: /server_name=url/ },
      { name: 'override with a non-URL', env: { ...BASE, LIVEKIT_FEDERATION_API_URL_OVERRIDES: 'localhost=127.0.0.1:8008' }, variable: 'LIVEKIT_FEDERATION_API_URL_OVERRIDES', message: /not a URL/ },
      { name: 'override with a non-http URL', env: { ...BASE, LIVEKIT_FEDERATION_API_URL_OVERRIDES: 'localhost=ftp://127.0.0.1:8008' }, variable: 'LIVEKIT_FEDERATION_API_URL_OVERRIDES', message: /http:\/\/ or https:\/\// },
      { name: 'LIVEKIT_INSECURE_SKIP_VERIFY_TLS other value', env: { ...BASE, LIVEKIT_INSECURE_SKIP_VERIFY_TLS: 'true' }, variable: 'LIVEKIT_INSECURE_SKIP_VERIFY_TLS', message: /YES_I_KNOW_WHAT_I_AM_DOING/ },
      { name: 'LIVEKIT_LOG_LEVEL unknown', env: { ...BASE, LIVEKIT_LOG_LEVEL: 'verbose' }, variable: 'LIVEKIT_LOG_LEVEL', message: /debug, info, warn, error/ },
    ];
    for (const { name, env, files, variable, message } of cases) {
      it(name, () => {
        const error = configError(env, files);
        expect(error.variable).to.equal(variable);
        expect(error.message.startsWith(`${variable}: `), error.message).to.equal(true);
        expect(error.message).to.match(message);
      });
    }

    it('never puts the secret in a message', () => {
      const error = configError({ ...BASE, LIVEKIT_KEY_FILE: '/k' }, { '/k': 'supersecretvalue' });
      expect(error.message).not.to.contain('supersecretvalue');
    });
  });

  // The parser is shared with the visitor service (services/shared/env.ts) and tested here only.
  describe('parseBindAddress', () => {
    const good: Array<[string, { host: string | undefined; port: number }]> = [
      [':8080', { host: undefined, port: 8080 }],
      ['127.0.0.1:8090', { host: '127.0.0.1', port: 8090 }],
      ['localhost:1', { host: 'localhost', port: 1 }],
      ['[::1]:8090', { host: '::1', port: 8090 }],
      ['0.0.0.0:0', { host: '0.0.0.0', port: 0 }],
    ];
    for (const [raw, expected] of good) {
      it(`parses ${raw}`, () => expect(parseBindAddress(raw)).to.deep.equal(expected));
    }
    for (const raw of ['8080', '', '::1:8080', 'host:', 'host:port', ':123456', '127.0.0.1:70000', 'a b:1']) {
      it(`refuses "${raw}"`, () => expect(() => parseBindAddress(raw)).to.throw(/host:port/));
    }
  });

  describe('httpUrlOf', () => {
    it('maps ws to http and wss to https, keeping host, port and path', () => {
      expect(httpUrlOf('ws://127.0.0.1:7880')).to.equal('http://127.0.0.1:7880');
      expect(httpUrlOf('wss://lk.example.org/')).to.equal('https://lk.example.org');
      expect(httpUrlOf('wss://example.org/livekit/sfu/')).to.equal('https://example.org/livekit/sfu');
      expect(httpUrlOf('https://lk.example.org:7443')).to.equal('https://lk.example.org:7443');
    });
  });

  describe('isFullAccess', () => {
    it('matches listed servers exactly, or all with *', () => {
      const list = { kind: 'list', servers: ['example.org', 'localhost:8448'] } as const;
      expect(isFullAccess(list, 'example.org')).to.equal(true);
      expect(isFullAccess(list, 'localhost:8448')).to.equal(true);
      expect(isFullAccess(list, 'localhost')).to.equal(false);
      expect(isFullAccess(list, 'sub.example.org')).to.equal(false);
      expect(isFullAccess({ kind: 'all' }, 'anything.example')).to.equal(true);
    });
  });
});
