import { expect } from '@open-wc/testing';
import { clientAddress, decideRoom, isOriginAllowed, isRoomAlias, isTargetAllowed, isUserId, normalizeOrigin } from '../../../services/visitor/policy.js';

describe('visitor policy', () => {
  describe('normalizeOrigin', () => {
    const cases: Array<[string, string]> = [
      ['https://example.org', 'https://example.org'],
      ['https://Example.ORG/', 'https://example.org'],
      ['https://example.org:443', 'https://example.org'],
      ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
      ['  http://localhost:8100  ', 'http://localhost:8100'],
    ];
    for (const [raw, expected] of cases) {
      it(`${JSON.stringify(raw)} → ${expected}`, () => expect(normalizeOrigin(raw)).to.equal(expected));
    }
    const bad = ['example.org', 'ftp://example.org', 'https://example.org/path', 'https://user@example.org', 'https://example.org?x=1', ''];
    for (const raw of bad) {
      it(`refuses ${JSON.stringify(raw)}`, () => expect(() => normalizeOrigin(raw)).to.throw());
    }
  });

  describe('isOriginAllowed', () => {
    const allowed = new Set(['https://example.org', 'http://127.0.0.1:8100']);
    it('allows a listed origin as browsers send it', () => {
      expect(isOriginAllowed('https://example.org', allowed)).to.equal(true);
      expect(isOriginAllowed('http://127.0.0.1:8100', allowed)).to.equal(true);
    });
    it('refuses other schemes, ports, hosts and look-alikes', () => {
      for (const origin of ['http://example.org', 'https://example.org:8443', 'https://evil.example.org', 'https://example.org.evil.com', 'http://127.0.0.1:8101']) {
        expect(isOriginAllowed(origin, allowed), origin).to.equal(false);
      }
    });
    it('refuses a missing, opaque or malformed origin', () => {
      expect(isOriginAllowed(undefined, allowed)).to.equal(false);
      expect(isOriginAllowed('null', allowed)).to.equal(false);
      expect(isOriginAllowed('not an origin', allowed)).to.equal(false);
    });
  });

  describe('isUserId and isTargetAllowed', () => {
    it('accepts user IDs the spec allows', () => {
      for (const id of ['@support:example.org', '@support:localhost', '@a.b_c=d-e/f:example.org:8448', '@x:[::1]:8448', '@x:127.0.0.1']) {
        expect(isUserId(id), id).to.equal(true);
      }
    });
    it('refuses what is not one', () => {
      for (const id of ['support:example.org', '@support', '@:example.org', '@sup port:example.org', '@support:exa mple.org', '#room:example.org', `@${'a'.repeat(250)}:example.org`, '@a:b:c:d']) {
        expect(isUserId(id), id).to.equal(false);
      }
    });
    it('allows only listed targets, compared exactly', () => {
      const targets = new Set(['@support:example.org']);
      expect(isTargetAllowed('@support:example.org', targets)).to.equal(true);
      expect(isTargetAllowed('@Support:example.org', targets)).to.equal(false);
      expect(isTargetAllowed('@support:example.org ', targets)).to.equal(false);
      expect(isTargetAllowed('@sales:example.org', targets)).to.equal(false);
    });
  });

  describe('isRoomAlias and decideRoom', () => {
    it('tells aliases from what is not one', () => {
      for (const alias of ['#town-hall:example.org', '#a:localhost:8448', '#x:[::1]']) expect(isRoomAlias(alias), alias).to.equal(true);
      for (const text of ['town-hall:example.org', '#town-hall', '#:example.org', '#a b:example.org', '!abc:example.org', `#${'a'.repeat(250)}:example.org`]) {
        expect(isRoomAlias(text), text).to.equal(false);
      }
    });

    const directory: Record<string, string> = { '#town-hall:example.org': '!hall:example.org', '#hall-too:example.org': '!hall:example.org', '#other:example.org': '!other:example.org' };
    const asked: string[] = [];
    const resolve = (alias: string) => {
      asked.push(alias);
      return Promise.resolve(directory[alias]);
    };
    const cases: Array<[string, string[], string, Awaited<ReturnType<typeof decideRoom>>]> = [
      ['a listed ID', ['!hall:example.org'], '!hall:example.org', { ok: true, roomId: '!hall:example.org' }],
      ['a listed alias, resolved', ['#town-hall:example.org'], '#town-hall:example.org', { ok: true, roomId: '!hall:example.org' }],
      ['the ID a listed alias names', ['#town-hall:example.org'], '!hall:example.org', { ok: true, roomId: '!hall:example.org' }],
      ['another alias of a listed room', ['!hall:example.org'], '#hall-too:example.org', { ok: true, roomId: '!hall:example.org' }],
      ['a room not listed', ['#town-hall:example.org', '!hall:example.org'], '!other:example.org', { ok: false, why: 'not-allowed' }],
      ['an alias of a room not listed', ['#town-hall:example.org'], '#other:example.org', { ok: false, why: 'not-allowed' }],
      ['an unknown alias', ['#town-hall:example.org'], '#nobody:example.org', { ok: false, why: 'not-allowed' }],
      ['a listed alias no room has', ['#gone:example.org'], '#gone:example.org', { ok: false, why: 'no-such-alias' }],
      ['a user ID', ['@support:example.org'], '@support:example.org', { ok: false, why: 'not-allowed' }],
      ['an ID that differs in case', ['!hall:example.org'], '!Hall:example.org', { ok: false, why: 'not-allowed' }],
      ['nothing listed', [], '!hall:example.org', { ok: false, why: 'not-allowed' }],
    ];
    for (const [name, allowed, room, decision] of cases) {
      it(`decides ${name}`, async () => {
        expect(await decideRoom(room, new Set(allowed), resolve)).to.deep.equal(decision);
      });
    }
    it('does not ask the directory about what is not an alias', async () => {
      asked.length = 0;
      await decideRoom('@support:example.org', new Set(['#town-hall:example.org']), resolve);
      expect(asked).to.deep.equal([]);
    });
  });

  describe('clientAddress', () => {
    const proxies = new Set(['127.0.0.1', '10.0.0.2']);
    it('is the peer when no proxy is trusted', () => {
      expect(clientAddress('203.0.113.9', '198.51.100.1', new Set())).to.equal('203.0.113.9');
    });
    it('ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
      expect(clientAddress('203.0.113.9', '198.51.100.1', proxies)).to.equal('203.0.113.9');
    });
    it('takes the rightmost address that is not a trusted proxy', () => {
      expect(clientAddress('127.0.0.1', '198.51.100.1', proxies)).to.equal('198.51.100.1');
      expect(clientAddress('127.0.0.1', 'forged-by-client, 198.51.100.1, 10.0.0.2', proxies)).to.equal('198.51.100.1');
    });
    it('treats IPv4-mapped IPv6 peers as their IPv4 address', () => {
      expect(clientAddress('::ffff:127.0.0.1', '198.51.100.1', proxies)).to.equal('198.51.100.1');
      expect(clientAddress('::ffff:203.0.113.9', undefined, proxies)).to.equal('203.0.113.9');
    });
    it('falls back to the peer when the header is missing or only names proxies', () => {
      expect(clientAddress('127.0.0.1', undefined, proxies)).to.equal('127.0.0.1');
      expect(clientAddress('127.0.0.1', '10.0.0.2', proxies)).to.equal('10.0.0.2');
    });
  });
});
