import { expect } from '@open-wc/testing';
import {
  checkUserInfo,
  parseFederationOverrides,
  parseServerName,
  resolveFederationTarget,
  serverNameOfUserId,
  userInfoUrl,
  type FederationResolverDeps,
  type FederationTarget,
  type SrvRecord,
} from '../../../services/rtc-auth/federation.js';

/** A pretend network: well-known replies by URL, SRV answers by name; anything else fails like the real thing. */
interface FakeNetwork {
  wellKnown?: Record<string, unknown>;
  srv?: Record<string, SrvRecord[]>;
}

function fakeDeps(network: FakeNetwork = {}): FederationResolverDeps & { calls: string[]; logs: string[] } {
  const calls: string[] = [];
  const logs: string[] = [];
  return {
    calls,
    logs,
    fetchJson: async (url) => {
      calls.push(`GET ${url}`);
      const reply = network.wellKnown?.[url];
      if (reply === undefined) throw new Error('connect ECONNREFUSED');
      return reply;
    },
    resolveSrv: async (name) => {
      calls.push(`SRV ${name}`);
      const records = network.srv?.[name];
      if (records === undefined) throw Object.assign(new Error(`queryNodata ${name}`), { code: 'ENODATA' });
      return records;
    },
    log: (message) => logs.push(message),
  };
}

const srv = (name: string, port: number, priority = 10, weight = 5): SrvRecord => ({ name, port, priority, weight });
const NO_OVERRIDES = new Map<string, string>();
const WK = (host: string) => `https://${host}/.well-known/matrix/server`;
const SRV_CHAIN = (host: string) => [`SRV _matrix-fed._tcp.${host}`, `SRV _matrix._tcp.${host}`];

/** Resolves and drops `via` (checked separately) so the table compares only what requests depend on. */
async function resolve(name: string, deps: FederationResolverDeps, overrides = NO_OVERRIDES): Promise<Omit<FederationTarget, 'via'>> {
  const { via: _via, ...target } = await resolveFederationTarget(name, overrides, deps);
  return target;
}

describe('rtc-auth federation', () => {
  describe('parseServerName', () => {
    const valid: Array<[string, ReturnType<typeof parseServerName>]> = [
      ['example.org', { host: 'example.org', port: undefined, kind: 'dns' }],
      ['example.org:8448', { host: 'example.org', port: 8448, kind: 'dns' }],
      ['localhost', { host: 'localhost', port: undefined, kind: 'dns' }],
      ['my-server.example', { host: 'my-server.example', port: undefined, kind: 'dns' }],
      ['1.2.3.4', { host: '1.2.3.4', port: undefined, kind: 'ipv4' }],
      ['127.0.0.1:8008', { host: '127.0.0.1', port: 8008, kind: 'ipv4' }],
      ['[::1]', { host: '::1', port: undefined, kind: 'ipv6' }],
      ['[2001:db8::1]:8448', { host: '2001:db8::1', port: 8448, kind: 'ipv6' }],
    ];
    for (const [name, expected] of valid) {
      it(`parses ${name}`, () => expect(parseServerName(name)).to.deep.equal(expected));
    }
    const invalid = [
      '', ':8448', 'example.org/evil', 'user@example.org', 'ex ample.org', 'example.org:', 'example.org:0',
      'example.org:65536', 'example.org:12a', 'example.org:8448:1', '[::1', '[::1]x', '[zz::1]', '[1.2.3.4]',
      '256.1.1.1', '.example.org', '-example.org', 'a..b', 'example.org?x', 'example.org#x', 'exämple.org',
    ];
    for (const name of invalid) {
      it(`refuses ${JSON.stringify(name)}`, () => expect(parseServerName(name)).to.equal(undefined));
    }
  });

  describe('parseFederationOverrides', () => {
    it('parses server=url pairs, trimming spaces, slashes and blank entries', () => {
      const overrides = parseFederationOverrides(' localhost = http://127.0.0.1:8008/ ,example.org:8448=https://hs.example.org/base/,, ');
      expect([...overrides]).to.deep.equal([
        ['localhost', 'http://127.0.0.1:8008'],
        ['example.org:8448', 'https://hs.example.org/base'],
      ]);
    });

    it('is empty for an empty string', () => {
      expect(parseFederationOverrides('').size).to.equal(0);
    });

    const bad: Array<[string, RegExp]> = [
      ['localhost', /expected server_name=url/],
      ['=http://x', /expected server_name=url/],
      ['localhost=', /expected server_name=url/],
      ['bad name=http://x', /not a valid Matrix server name/],
      ['localhost=not a url', /not a URL/],
      ['localhost=ws://127.0.0.1:8008', /http:\/\/ or https:\/\//],
      ['localhost=http://127.0.0.1:8008/?x=1', /query/],
      ['localhost=http://user:pw@127.0.0.1:8008', /credentials/],
      ['localhost=http://a,localhost=http://b', /listed twice/],
    ];
    for (const [raw, message] of bad) {
      it(`refuses ${JSON.stringify(raw)}`, () => expect(() => parseFederationOverrides(raw)).to.throw(message));
    }
  });

  describe('resolveFederationTarget decision table', () => {
    it('1. an override wins and touches no network, whatever the name looks like', async () => {
      const overrides = new Map([['localhost', 'http://127.0.0.1:8008'], ['1.2.3.4:8448', 'http://127.0.0.1:9']]);
      const deps = fakeDeps();
      expect(await resolveFederationTarget('localhost', overrides, deps)).to.deep.equal({ baseUrl: 'http://127.0.0.1:8008', via: 'override' });
      expect(await resolve('1.2.3.4:8448', deps, overrides)).to.deep.equal({ baseUrl: 'http://127.0.0.1:9' });
      expect(deps.calls).to.deep.equal([]);
    });

    it('2. an IPv4 literal without a port goes to 8448 with the literal as Host', async () => {
      const deps = fakeDeps();
      expect(await resolve('1.2.3.4', deps)).to.deep.equal({ baseUrl: 'https://1.2.3.4:8448', hostHeader: '1.2.3.4' });
      expect(deps.calls).to.deep.equal([]);
    });

    it('3. an IP literal with a port is used as is', async () => {
      const deps = fakeDeps();
      expect(await resolve('127.0.0.1:8008', deps)).to.deep.equal({ baseUrl: 'https://127.0.0.1:8008', hostHeader: '127.0.0.1:8008' });
      expect(await resolve('[::1]', deps)).to.deep.equal({ baseUrl: 'https://[::1]:8448', hostHeader: '[::1]' });
      expect(await resolve('[2001:db8::1]:443', deps)).to.deep.equal({ baseUrl: 'https://[2001:db8::1]:443', hostHeader: '[2001:db8::1]:443' });
      expect(deps.calls).to.deep.equal([]);
    });

    it('4. a hostname with a port is used directly, without .well-known or SRV', async () => {
      const deps = fakeDeps({ wellKnown: { [WK('example.org')]: { 'm.server': 'elsewhere.example:1' } } });
      expect(await resolve('example.org:8448', deps)).to.deep.equal({ baseUrl: 'https://example.org:8448' });
      expect(deps.calls).to.deep.equal([]);
    });

    it('5. .well-known delegating to host:port', async () => {
      const deps = fakeDeps({ wellKnown: { [WK('example.org')]: { 'm.server': 'matrix.example.org:443' } } });
      const target = await resolveFederationTarget('example.org', NO_OVERRIDES, deps);
      expect(target).to.deep.equal({ baseUrl: 'https://matrix.example.org:443', via: '.well-known → matrix.example.org:443, explicit port' });
      expect(deps.calls).to.deep.equal([`GET ${WK('example.org')}`]);
    });

    it('6. .well-known delegating to an IP literal', async () => {
      const deps = fakeDeps({ wellKnown: { [WK('example.org')]: { 'm.server': '10.0.0.7' } } });
      expect(await resolve('example.org', deps)).to.deep.equal({ baseUrl: 'https://10.0.0.7:8448', hostHeader: '10.0.0.7' });
      expect(deps.calls).to.deep.equal([`GET ${WK('example.org')}`]);
    });

    it('7. .well-known delegating to a bare host with an SRV record: connect to the target, name the delegated host', async () => {
      const deps = fakeDeps({
        wellKnown: { [WK('example.org')]: { 'm.server': 'matrix.example.org' } },
        srv: { '_matrix-fed._tcp.matrix.example.org': [srv('fed1.example.net.', 8449)] },
      });
      expect(await resolve('example.org', deps)).to.deep.equal({
        baseUrl: 'https://fed1.example.net:8449', hostHeader: 'matrix.example.org', tlsServerName: 'matrix.example.org',
      });
      expect(deps.calls).to.deep.equal([`GET ${WK('example.org')}`, 'SRV _matrix-fed._tcp.matrix.example.org']);
    });

    it('8. .well-known delegating to a bare host with only the legacy _matrix._tcp record', async () => {
      const deps = fakeDeps({
        wellKnown: { [WK('example.org')]: { 'm.server': 'matrix.example.org' } },
        srv: { '_matrix._tcp.matrix.example.org': [srv('old.example.net', 8448)] },
      });
      expect(await resolve('example.org', deps)).to.deep.equal({
        baseUrl: 'https://old.example.net:8448', hostHeader: 'matrix.example.org', tlsServerName: 'matrix.example.org',
      });
      expect(deps.calls).to.deep.equal([`GET ${WK('example.org')}`, ...SRV_CHAIN('matrix.example.org')]);
    });

    it('9. .well-known delegating to a bare host without SRV: that host on 8448', async () => {
      const deps = fakeDeps({ wellKnown: { [WK('example.org')]: { 'm.server': 'matrix.example.org' } } });
      const target = await resolveFederationTarget('example.org', NO_OVERRIDES, deps);
      expect(target).to.deep.equal({ baseUrl: 'https://matrix.example.org:8448', via: '.well-known → matrix.example.org, default port' });
      expect(deps.calls).to.deep.equal([`GET ${WK('example.org')}`, ...SRV_CHAIN('matrix.example.org')]);
    });

    it('10. no .well-known, SRV _matrix-fed._tcp on the server name', async () => {
      const deps = fakeDeps({ srv: { '_matrix-fed._tcp.example.org': [srv('fed.example.org', 443)] } });
      expect(await resolve('example.org', deps)).to.deep.equal({
        baseUrl: 'https://fed.example.org:443', hostHeader: 'example.org', tlsServerName: 'example.org',
      });
      expect(deps.calls).to.deep.equal([`GET ${WK('example.org')}`, 'SRV _matrix-fed._tcp.example.org']);
    });

    it('11. no .well-known, legacy SRV _matrix._tcp on the server name', async () => {
      const deps = fakeDeps({ srv: { '_matrix._tcp.example.org': [srv('legacy.example.org', 8443)] } });
      expect(await resolve('example.org', deps)).to.deep.equal({
        baseUrl: 'https://legacy.example.org:8443', hostHeader: 'example.org', tlsServerName: 'example.org',
      });
    });

    it('12. nothing found: the server name on 8448, after trying every step in order', async () => {
      const deps = fakeDeps();
      const target = await resolveFederationTarget('example.org', NO_OVERRIDES, deps);
      expect(target).to.deep.equal({ baseUrl: 'https://example.org:8448', via: 'default port' });
      expect(deps.calls).to.deep.equal([`GET ${WK('example.org')}`, ...SRV_CHAIN('example.org')]);
      expect(deps.logs.length).to.equal(3);
    });

    const invalidWellKnown: Array<[string, unknown]> = [
      ['not an object', 'matrix.example.org'],
      ['an array', ['matrix.example.org']],
      ['without m.server', { 'm.homeserver': 'x' }],
      ['with a numeric m.server', { 'm.server': 8448 }],
      ['with an invalid m.server', { 'm.server': 'evil.example/path?' }],
      ['with an empty m.server', { 'm.server': '' }],
    ];
    for (const [kind, body] of invalidWellKnown) {
      it(`13. a .well-known ${kind} is ignored (falls back to SRV on the server name)`, async () => {
        const deps = fakeDeps({ wellKnown: { [WK('example.org')]: body }, srv: { '_matrix-fed._tcp.example.org': [srv('fed.example.org', 443)] } });
        expect(await resolve('example.org', deps)).to.deep.equal({
          baseUrl: 'https://fed.example.org:443', hostHeader: 'example.org', tlsServerName: 'example.org',
        });
      });
    }

    it('14. SRV: lowest priority, then heaviest weight; "." means no service', async () => {
      const deps = fakeDeps({
        srv: {
          '_matrix-fed._tcp.example.org': [srv('c.example', 3, 20, 100), srv('a.example', 1, 10, 1), srv('b.example', 2, 10, 50)],
          '_matrix-fed._tcp.none.example': [srv('.', 0, 0, 0)],
        },
      });
      expect((await resolve('example.org', deps)).baseUrl).to.equal('https://b.example:2');
      expect((await resolve('none.example', deps)).baseUrl).to.equal('https://none.example:8448');
    });

    it('15. an SRV lookup that returns no records counts as none', async () => {
      const deps = fakeDeps({ srv: { '_matrix-fed._tcp.example.org': [], '_matrix._tcp.example.org': [srv('l.example', 7)] } });
      expect((await resolve('example.org', deps)).baseUrl).to.equal('https://l.example:7');
    });

    for (const name of ['example.org/evil', 'user@example.org', '', 'example.org:0', 'a b', '[::1']) {
      it(`16. refuses the invalid server name ${JSON.stringify(name)} without any network call`, async () => {
        const deps = fakeDeps();
        let failure: unknown;
        try {
          await resolveFederationTarget(name, NO_OVERRIDES, deps);
        } catch (error) {
          failure = error;
        }
        expect(failure).to.be.instanceOf(Error);
        expect((failure as Error).message).to.contain('not a valid Matrix server name');
        expect(deps.calls).to.deep.equal([]);
      });
    }
  });

  describe('checkUserInfo', () => {
    it('accepts a sub on the token server that equals the claimed user', () => {
      expect(checkUserInfo({ sub: '@alice:example.org' }, 'example.org', '@alice:example.org')).to.deep.equal({ ok: true, userId: '@alice:example.org' });
    });

    it('accepts any user of the token server when nothing is claimed (/sfu/get)', () => {
      expect(checkUserInfo({ sub: '@bob:localhost:8448' }, 'localhost:8448')).to.deep.equal({ ok: true, userId: '@bob:localhost:8448' });
    });

    const refused: Array<[string, unknown, string, string | undefined, RegExp]> = [
      ['another user than claimed', { sub: '@bob:example.org' }, 'example.org', '@alice:example.org', /does not match claimed_user_id/],
      ['a user of another server', { sub: '@alice:evil.example' }, 'example.org', '@alice:evil.example', /not on matrix_server_name/],
      ['a server that differs by its port', { sub: '@alice:localhost:8448' }, 'localhost', undefined, /not on matrix_server_name/],
      ['a server suffix only', { sub: '@alice:sub.example.org' }, 'example.org', undefined, /not on matrix_server_name/],
      ['no sub', {}, 'example.org', undefined, /no user ID/],
      ['a numeric sub', { sub: 1 }, 'example.org', undefined, /no user ID/],
      ['a sub without @', { sub: 'alice:example.org' }, 'example.org', undefined, /no user ID/],
      ['a null body', null, 'example.org', undefined, /no user ID/],
      ['a string body', '@alice:example.org', 'example.org', undefined, /no user ID/],
    ];
    for (const [name, body, server, claimed, reason] of refused) {
      it(`refuses ${name}`, () => {
        const check = checkUserInfo(body, server, claimed);
        expect(check.ok).to.equal(false);
        if (!check.ok) expect(check.reason).to.match(reason);
      });
    }
  });

  describe('helpers', () => {
    it('serverNameOfUserId takes everything after the first colon', () => {
      expect(serverNameOfUserId('@alice:example.org')).to.equal('example.org');
      expect(serverNameOfUserId('@alice:localhost:8448')).to.equal('localhost:8448');
      expect(serverNameOfUserId('@alice')).to.equal(undefined);
    });

    it('userInfoUrl escapes the token', () => {
      expect(userInfoUrl({ baseUrl: 'http://127.0.0.1:8008', via: 'override' }, 'a b&c=d/+'))
        .to.equal('http://127.0.0.1:8008/_matrix/federation/v1/openid/userinfo?access_token=a%20b%26c%3Dd%2F%2B');
    });
  });
});
