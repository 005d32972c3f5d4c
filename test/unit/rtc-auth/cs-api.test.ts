import { expect } from '@open-wc/testing';
import { classifyActionReply, createCsApiClient, delayedEventRequests, readClientWellKnown } from '../../../services/rtc-auth/cs-api.js';

interface Sent { url: string; method: string; body: unknown; headers: Headers }

/** A fetch whose answers are scripted per call, recording each request. */
function scripted(...answers: (() => Response | Error)[]) {
  const sent: Sent[] = [];
  const fetchFn = ((url: string, init: RequestInit = {}) => {
    sent.push({ url, method: init.method ?? 'GET', body: init.body === undefined ? undefined : JSON.parse(String(init.body)), headers: new Headers(init.headers) });
    const answer = answers[Math.min(sent.length - 1, answers.length - 1)]!();
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  }) as typeof fetch;
  return { fetchFn, sent };
}

const json = (status: number, body: unknown) => () => new Response(JSON.stringify(body), { status });

describe('rtc-auth client-server API (delegated delayed leave)', () => {
  describe('readClientWellKnown', () => {
    const cases: Array<[string, unknown, string | RegExp]> = [
      ['a base URL', { 'm.homeserver': { base_url: 'https://matrix.example.org/' } }, 'https://matrix.example.org'],
      ['a base URL with a path', { 'm.homeserver': { base_url: 'https://example.org/matrix//' } }, 'https://example.org/matrix'],
      ['no m.homeserver', {}, /no m.homeserver.base_url/],
      ['base_url not a string', { 'm.homeserver': { base_url: 5 } }, /no m.homeserver.base_url/],
      ['not a URL', { 'm.homeserver': { base_url: 'matrix.example.org' } }, /is not a URL/],
      ['plain http', { 'm.homeserver': { base_url: 'http://matrix.example.org' } }, /not a plain https/],
      ['credentials', { 'm.homeserver': { base_url: 'https://u:p@matrix.example.org' } }, /not a plain https/],
      ['not an object', 'x', /no m.homeserver.base_url/],
    ];
    for (const [name, body, expected] of cases) {
      it(name, () => {
        const read = readClientWellKnown(body);
        if (typeof expected === 'string') expect(read).to.deep.equal({ ok: true, url: expected });
        else expect(!read.ok && read.reason).to.match(expected);
      });
    }
  });

  it('puts the delay id into the path escaped, per-action form first, then the older {action} form', () => {
    expect(delayedEventRequests('https://hs.example.org', 'syd/../x', 'restart')).to.deep.equal([
      { url: 'https://hs.example.org/_matrix/client/unstable/org.matrix.msc4140/delayed_events/syd%2F..%2Fx/restart', body: {} },
      { url: 'https://hs.example.org/_matrix/client/unstable/org.matrix.msc4140/delayed_events/syd%2F..%2Fx', body: { action: 'restart' } },
    ]);
  });

  it('classifies the answers', () => {
    expect([
      classifyActionReply(200, undefined),
      classifyActionReply(404, 'M_NOT_FOUND'),
      classifyActionReply(404, undefined),
      classifyActionReply(404, 'M_UNRECOGNIZED'),
      classifyActionReply(405, undefined),
      classifyActionReply(429, 'M_LIMIT_EXCEEDED'),
      classifyActionReply(502, undefined),
      classifyActionReply(400, 'M_BAD_JSON'),
    ]).to.deep.equal(['ok', 'not-found', 'not-found', 'try-older-form', 'try-older-form', 'failed', 'failed', 'failed']);
  });

  describe('resolve', () => {
    it('an override wins and needs no request', async () => {
      const { fetchFn, sent } = scripted(json(500, {}));
      const client = createCsApiClient({ overrides: new Map([['localhost', 'http://127.0.0.1:8008']]), fetch: fetchFn });
      expect(await client.resolve('localhost')).to.deep.equal({ ok: true, url: 'http://127.0.0.1:8008', via: 'override' });
      expect(sent).to.deep.equal([]);
    });

    it('otherwise asks https://<server name>/.well-known/matrix/client, once (cached)', async () => {
      const { fetchFn, sent } = scripted(json(200, { 'm.homeserver': { base_url: 'https://matrix.example.org' } }));
      const client = createCsApiClient({ overrides: new Map(), fetch: fetchFn });
      expect(await client.resolve('example.org')).to.deep.equal({ ok: true, url: 'https://matrix.example.org', via: 'well-known' });
      expect(await client.resolve('example.org')).to.deep.equal({ ok: true, url: 'https://matrix.example.org', via: 'well-known' });
      expect(sent.map((s) => s.url)).to.deep.equal(['https://example.org/.well-known/matrix/client']);
    });

    it('says why it found nothing, and does not cache failures', async () => {
      const { fetchFn, sent } = scripted(json(404, {}), () => new Error('ECONNREFUSED'), () => new Response('<html>'));
      const client = createCsApiClient({ overrides: new Map(), fetch: fetchFn });
      const reasons = [];
      for (let i = 0; i < 3; i++) {
        const resolved = await client.resolve('example.org');
        reasons.push(resolved.ok ? 'ok' : resolved.reason);
      }
      expect(reasons).to.deep.equal([
        'https://example.org/.well-known/matrix/client answered 404',
        'https://example.org/.well-known/matrix/client could not be fetched: ECONNREFUSED',
        'https://example.org/.well-known/matrix/client is not JSON',
      ]);
      expect(sent.length).to.equal(3);
    });

    it('refuses what is not a server name without a request', async () => {
      const { fetchFn, sent } = scripted(json(200, {}));
      const resolved = await createCsApiClient({ overrides: new Map(), fetch: fetchFn }).resolve('evil.example/path');
      expect(resolved.ok).to.equal(false);
      expect(sent).to.deep.equal([]);
    });
  });

  describe('delayedEventAction', () => {
    it('POSTs {} to …/delayed_events/<id>/<action> without an access token', async () => {
      const { fetchFn, sent } = scripted(json(200, {}));
      const result = await createCsApiClient({ overrides: new Map(), fetch: fetchFn }).delayedEventAction('http://127.0.0.1:8008', 'syd_abc', 'send');
      expect(result.outcome).to.equal('ok');
      expect(sent.map((s) => [s.method, s.url, s.body, s.headers.get('authorization')])).to.deep.equal([
        ['POST', 'http://127.0.0.1:8008/_matrix/client/unstable/org.matrix.msc4140/delayed_events/syd_abc/send', {}, null],
      ]);
    });

    it('falls back to the older {action} form on a server without the per-action endpoint', async () => {
      const { fetchFn, sent } = scripted(json(404, { errcode: 'M_UNRECOGNIZED' }), json(200, {}));
      const result = await createCsApiClient({ overrides: new Map(), fetch: fetchFn }).delayedEventAction('https://hs', 'syd_abc', 'restart');
      expect(result.outcome).to.equal('ok');
      expect(sent.map((s) => [s.url, s.body])).to.deep.equal([
        ['https://hs/_matrix/client/unstable/org.matrix.msc4140/delayed_events/syd_abc/restart', {}],
        ['https://hs/_matrix/client/unstable/org.matrix.msc4140/delayed_events/syd_abc', { action: 'restart' }],
      ]);
    });

    it('a gone delayed event is not-found; failures say what answered, never with the delay id', async () => {
      const client = (answer: () => Response | Error) => createCsApiClient({ overrides: new Map(), fetch: scripted(answer).fetchFn });
      expect((await client(json(404, { errcode: 'M_NOT_FOUND' })).delayedEventAction('https://hs', 'syd_abc', 'restart')).outcome).to.equal('not-found');
      const failed = await client(json(502, {})).delayedEventAction('https://hs', 'syd_abc', 'restart');
      expect(failed).to.deep.equal({ outcome: 'failed', detail: 'POST …/restart at https://hs answered 502' });
      const unreachable = await client(() => new TypeError('fetch failed')).delayedEventAction('https://hs', 'syd_abc', 'send');
      expect(unreachable.outcome).to.equal('failed');
      expect(unreachable.detail).to.contain('fetch failed').and.not.to.contain('syd_abc');
    });
  });
});
