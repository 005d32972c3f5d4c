import { expect } from '@open-wc/testing';
import { MxError } from '../../../signaling/errors.js';
import { endVisitorSession, parseVisitorCredentials, requestVisitorCredentials } from '../../../signaling/visitor/visitor-service.js';

const GOOD = { homeserverUrl: 'http://127.0.0.1:8008', userId: '@visitor-a:localhost', accessToken: 'syt_x', deviceId: 'DEV', expiresAt: 1_700_000_000_000 };

/** Replaces fetch for one test with an answer per call; records each request. */
function stubFetch(answer: (url: string, init: RequestInit) => Response | Promise<Response>) {
  const real = globalThis.fetch;
  const requests: { url: string; init: RequestInit }[] = [];
  globalThis.fetch = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    requests.push({ url: String(input), init });
    return answer(String(input), init);
  }) as typeof fetch;
  return { requests, restore: () => { globalThis.fetch = real; } };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

async function refusalOf(promise: Promise<unknown>): Promise<MxError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(MxError);
    return error as MxError;
  }
  throw new Error('expected a refusal');
}

describe('visitor service client', () => {
  describe('parseVisitorCredentials', () => {
    const rows: [string, unknown, boolean][] = [
      ['a full answer', GOOD, true],
      ['not an object', 'syt_x', false],
      ['an array', [GOOD], false],
      ['a homeserver URL that is not http(s)', { ...GOOD, homeserverUrl: 'javascript:alert(1)' }, false],
      ['a user id without a server', { ...GOOD, userId: '@visitor' }, false],
      ['an empty access token', { ...GOOD, accessToken: '' }, false],
      ['no device id', { ...GOOD, deviceId: undefined }, false],
      ['an expiry that is not a number', { ...GOOD, expiresAt: '2026-12-04' }, false],
      ['an infinite expiry', { ...GOOD, expiresAt: Infinity }, false],
    ];
    for (const [name, body, valid] of rows) {
      it(`${name}: ${valid ? 'credentials' : 'refused'}`, () => {
        expect(parseVisitorCredentials(body) !== undefined).to.equal(valid);
      });
    }
  });

  describe('requestVisitorCredentials', () => {
    let stub: ReturnType<typeof stubFetch> | undefined;
    afterEach(() => stub?.restore());

    it('posts the target as JSON to /visitor/session under the service URL, and returns the account', async () => {
      stub = stubFetch(() => json(200, GOOD));
      expect(await requestVisitorCredentials('http://127.0.0.1:8091/', { target: '@support:localhost' })).to.deep.equal(GOOD);
      expect(stub.requests[0]!.url).to.equal('http://127.0.0.1:8091/visitor/session');
      expect(stub.requests[0]!.init.body).to.equal(JSON.stringify({ target: '@support:localhost' }));
    });

    it('takes a room version 12 room ID, which has no server part', async () => {
      stub = stubFetch(() => json(200, { ...GOOD, roomId: '!nowF3SYFF7FayJoYFzrtnbSAKIc41efHh0pZ2pqjb9g' }));
      expect((await requestVisitorCredentials('http://127.0.0.1:8091/', { room: '#support-call:localhost' })).roomId).to.equal('!nowF3SYFF7FayJoYFzrtnbSAKIc41efHh0pZ2pqjb9g');
    });

    it('asks for a room session, and returns the room the visitor was joined to', async () => {
      stub = stubFetch(() => json(200, { ...GOOD, roomId: '!call:localhost' }));
      expect(await requestVisitorCredentials('http://127.0.0.1:8091/', { room: '#support-call:localhost' })).to.deep.equal({ ...GOOD, roomId: '!call:localhost' });
      expect(stub.requests[0]!.init.body).to.equal(JSON.stringify({ room: '#support-call:localhost' }));
    });

    it('refuses a room session answered without a room, or with something that is not a room ID', async () => {
      for (const answer of [GOOD, { ...GOOD, roomId: '#alias:localhost' }, { ...GOOD, roomId: 42 }, { ...GOOD, roomId: '!with space' }]) {
        stub?.restore();
        stub = stubFetch(() => json(200, answer));
        expect((await refusalOf(requestVisitorCredentials('http://127.0.0.1:8091', { room: '#support-call:localhost' }))).code).to.equal('VISITOR_SERVICE_UNREACHABLE');
      }
    });

    it('keeps a path prefix of the service URL', async () => {
      stub = stubFetch(() => json(200, GOOD));
      await requestVisitorCredentials('https://example.org/calls', { target: '@support:example.org' });
      expect(stub.requests[0]!.url).to.equal('https://example.org/calls/visitor/session');
    });

    const refusals: [string, () => Response | Promise<Response>, string][] = [
      ['429 RATE_LIMITED', () => json(429, { code: 'RATE_LIMITED', message: 'Too many calls', retryAfterMs: 30_000 }), 'RATE_LIMITED'],
      ['403 TARGET_NOT_ALLOWED', () => json(403, { code: 'TARGET_NOT_ALLOWED', message: 'no' }), 'TARGET_NOT_ALLOWED'],
      ['403 ORIGIN_NOT_ALLOWED', () => json(403, { code: 'ORIGIN_NOT_ALLOWED', message: 'no' }), 'ORIGIN_NOT_ALLOWED'],
      ['403 ROOM_NOT_ALLOWED', () => json(403, { code: 'ROOM_NOT_ALLOWED', message: 'no' }), 'ROOM_NOT_ALLOWED'],
      ['502 ROOM_NOT_JOINABLE', () => json(502, { code: 'ROOM_NOT_JOINABLE', message: 'invite only' }), 'ROOM_NOT_JOINABLE'],
      ['503 HOMESERVER_UNREACHABLE', () => json(503, { code: 'HOMESERVER_UNREACHABLE', message: 'down' }), 'HOMESERVER_UNREACHABLE'],
      ['a 500 without a body', () => new Response('', { status: 500 }), 'VISITOR_SERVICE_UNREACHABLE'],
      ['a network failure', () => Promise.reject(new TypeError('Failed to fetch')), 'VISITOR_SERVICE_UNREACHABLE'],
      ['a 200 that is not an account', () => json(200, { ok: true }), 'VISITOR_SERVICE_UNREACHABLE'],
      ['a 200 that is not JSON', () => new Response('<html>', { status: 200 }), 'VISITOR_SERVICE_UNREACHABLE'],
      ['a 404 (wrong URL)', () => json(404, { code: 'NOT_FOUND', message: 'no route' }), 'INVALID_CONFIGURATION'],
    ];
    for (const [name, answer, code] of refusals) {
      it(`${name} → ${code}`, async () => {
        stub = stubFetch(answer);
        expect((await refusalOf(requestVisitorCredentials('http://127.0.0.1:8091', { target: '@support:localhost' }))).code).to.equal(code);
      });
    }

    it('RATE_LIMITED carries when to retry', async () => {
      stub = stubFetch(() => json(429, { code: 'RATE_LIMITED', message: 'Too many calls', retryAfterMs: 30_000 }));
      const error = await refusalOf(requestVisitorCredentials('http://127.0.0.1:8091', { target: '@support:localhost' }));
      expect(error.retryAfterMs).to.equal(30_000);
    });

    it('a service URL that is not http(s) is INVALID_CONFIGURATION, with no request', async () => {
      stub = stubFetch(() => json(200, GOOD));
      expect((await refusalOf(requestVisitorCredentials('ftp://example.org', { target: '@support:localhost' }))).code).to.equal('INVALID_CONFIGURATION');
      expect(stub.requests).to.have.length(0);
    });
  });

  describe('endVisitorSession', () => {
    let stub: ReturnType<typeof stubFetch> | undefined;
    afterEach(() => stub?.restore());

    it('sends the token as a CORS-simple keepalive request (no preflight, survives unload)', async () => {
      stub = stubFetch(() => json(200, {}));
      expect(await endVisitorSession('http://127.0.0.1:8091', { accessToken: 'syt_x' })).to.equal(true);
      const { url, init } = stub.requests[0]!;
      expect(url).to.equal('http://127.0.0.1:8091/visitor/end');
      expect(init).to.include({ method: 'POST', keepalive: true, body: JSON.stringify({ accessToken: 'syt_x' }) });
      expect(init.headers).to.deep.equal({ 'Content-Type': 'text/plain' });
    });

    it('never throws', async () => {
      stub = stubFetch(() => Promise.reject(new TypeError('Failed to fetch')));
      expect(await endVisitorSession('http://127.0.0.1:8091', { accessToken: 'syt_x' })).to.equal(false);
    });
  });
});
