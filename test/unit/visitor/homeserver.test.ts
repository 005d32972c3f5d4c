import { expect } from '@open-wc/testing';
import { createHomeserver, HomeserverError } from '../../../services/visitor/homeserver.js';

interface Seen {
  method: string;
  url: string;
  authorization: string | null;
  body: unknown;
}

/** A fetch that records requests and answers from a queue (a Response, or an Error to throw). */
function fakeFetch(answers: Array<Response | Error>): { fetch: typeof fetch; seen: Seen[] } {
  const seen: Seen[] = [];
  const fake = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const headers = new Headers(init?.headers);
    seen.push({
      method: init?.method ?? 'GET',
      url: String(input),
      authorization: headers.get('authorization'),
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    });
    const answer = answers.shift();
    if (answer === undefined) throw new Error('unexpected request');
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { fetch: fake as typeof fetch, seen };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

async function failure(promise: Promise<unknown>): Promise<HomeserverError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof HomeserverError)) throw new Error(`expected a HomeserverError, got ${String(error)}`);
  return error;
}

describe('visitor homeserver calls', () => {
  it('registers as the application service, logging the visitor in', async () => {
    const { fetch, seen } = fakeFetch([json(200, { user_id: '@visitor-a:example.org', access_token: 'syt_a', device_id: 'DEV' })]);
    const hs = createHomeserver({ baseUrl: 'https://hs.example.org/', asToken: 'as-token', fetch });
    expect(await hs.register('visitor-a', 'Visitor')).to.deep.equal({ userId: '@visitor-a:example.org', accessToken: 'syt_a', deviceId: 'DEV' });
    expect(seen).to.deep.equal([{
      method: 'POST',
      url: 'https://hs.example.org/_matrix/client/v3/register',
      authorization: 'Bearer as-token',
      body: { type: 'm.login.application_service', username: 'visitor-a', inhibit_login: false, initial_device_display_name: 'Visitor' },
    }]);
  });

  it('resolves a room alias as the application service; an unknown alias is undefined, not an error', async () => {
    const { fetch, seen } = fakeFetch([json(200, { room_id: '!call:example.org', servers: ['example.org'] }), json(404, { errcode: 'M_NOT_FOUND', error: 'Room alias not found' })]);
    const hs = createHomeserver({ baseUrl: 'https://hs.example.org', asToken: 'as-token', fetch });
    expect(await hs.resolveAlias('#town-hall:example.org')).to.equal('!call:example.org');
    expect(await hs.resolveAlias('#gone:example.org')).to.equal(undefined);
    expect(seen.map((s) => [s.method, s.url, s.authorization])).to.deep.equal([
      ['GET', 'https://hs.example.org/_matrix/client/v3/directory/room/%23town-hall%3Aexample.org', 'Bearer as-token'],
      ['GET', 'https://hs.example.org/_matrix/client/v3/directory/room/%23gone%3Aexample.org', 'Bearer as-token'],
    ]);
  });

  it('joins a visitor to a room as the application service (identity assertion) and answers the room ID', async () => {
    const { fetch, seen } = fakeFetch([json(200, { room_id: '!call:example.org' }), json(403, { errcode: 'M_FORBIDDEN', error: 'You are not invited to this room.' })]);
    const hs = createHomeserver({ baseUrl: 'https://hs.example.org', asToken: 'as-token', fetch });
    expect(await hs.join('@visitor-a:example.org', '#town-hall:example.org')).to.equal('!call:example.org');
    expect(seen[0]).to.deep.equal({
      method: 'POST',
      url: 'https://hs.example.org/_matrix/client/v3/join/%23town-hall%3Aexample.org?user_id=%40visitor-a%3Aexample.org',
      authorization: 'Bearer as-token',
      body: {},
    });
    const refused = await failure(hs.join('@visitor-a:example.org', '!call:example.org'));
    expect(refused.kind).to.equal('refused');
    expect(refused.message).to.equal('POST /_matrix/client/v3/join/!call%3Aexample.org answered 403 M_FORBIDDEN: You are not invited to this room.');
  });

  it('sets the display name with the visitor\'s own token', async () => {
    const { fetch, seen } = fakeFetch([json(200, {})]);
    await createHomeserver({ baseUrl: 'https://hs.example.org', asToken: 'as-token', fetch }).setDisplayName('@visitor-a:example.org', 'syt_a', 'Visitor from example.org');
    expect(seen[0]).to.deep.equal({
      method: 'PUT',
      url: 'https://hs.example.org/_matrix/client/v3/profile/%40visitor-a%3Aexample.org/displayname',
      authorization: 'Bearer syt_a',
      body: { displayname: 'Visitor from example.org' },
    });
  });

  it('deactivates as the application service, masquerading as the visitor, with erase', async () => {
    const { fetch, seen } = fakeFetch([json(200, { id_server_unbind_result: 'no-support' })]);
    await createHomeserver({ baseUrl: 'https://hs.example.org', asToken: 'as-token', fetch }).deactivate('@visitor-a:example.org');
    expect(seen[0]).to.deep.equal({
      method: 'POST',
      url: 'https://hs.example.org/_matrix/client/v3/account/deactivate?user_id=%40visitor-a%3Aexample.org',
      authorization: 'Bearer as-token',
      body: { erase: true },
    });
  });

  it('asks whoami with the given token', async () => {
    const { fetch, seen } = fakeFetch([json(200, { user_id: '@visitor-a:example.org', device_id: 'DEV' })]);
    expect(await createHomeserver({ baseUrl: 'https://hs.example.org', asToken: 'as-token', fetch }).whoami('syt_a')).to.equal('@visitor-a:example.org');
    expect(seen[0]?.authorization).to.equal('Bearer syt_a');
  });

  it('tells a refusal (4xx) from an unreachable homeserver (no answer, 5xx, 429)', async () => {
    const { fetch } = fakeFetch([
      json(401, { errcode: 'M_UNKNOWN_TOKEN', error: 'Unknown token' }),
      new TypeError('fetch failed'),
      new Response('<html>Bad gateway</html>', { status: 502 }),
      json(429, { errcode: 'M_LIMIT_EXCEEDED' }),
      json(200, { user_id: 5 }),
    ]);
    const hs = createHomeserver({ baseUrl: 'https://hs.example.org', asToken: 'as-token', fetch });
    const refused = await failure(hs.whoami('bad'));
    expect([refused.kind, refused.status, refused.errcode]).to.deep.equal(['refused', 401, 'M_UNKNOWN_TOKEN']);
    expect(refused.message).to.equal('GET /_matrix/client/v3/account/whoami answered 401 M_UNKNOWN_TOKEN: Unknown token');
    const unreachable = await failure(hs.whoami('x'));
    expect([unreachable.kind, unreachable.status]).to.deep.equal(['unreachable', undefined]);
    expect((await failure(hs.whoami('x'))).kind).to.equal('unreachable');
    expect((await failure(hs.whoami('x'))).kind).to.equal('unreachable');
    const malformed = await failure(hs.whoami('x'));
    expect([malformed.kind, malformed.message]).to.deep.equal(['refused', 'whoami answered without user_id']);
  });

  it('never puts a token into an error message', async () => {
    const { fetch } = fakeFetch([json(403, { errcode: 'M_FORBIDDEN' })]);
    const error = await failure(createHomeserver({ baseUrl: 'https://hs.example.org', asToken: 'as-secret', fetch }).deactivate('@visitor-a:example.org'));
    expect(error.message).to.equal('POST /_matrix/client/v3/account/deactivate answered 403 M_FORBIDDEN');
  });
});
