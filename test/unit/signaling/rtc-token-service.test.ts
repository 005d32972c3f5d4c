import { expect } from '@open-wc/testing';
import { MxError } from '../../../signaling/errors.js';
import { readToken, requestSfuToken, stickyMemberIdentity, type SfuTokenRequest } from '../../../signaling/rtc/token-service.js';

const SERVICE = 'https://sfu.example.org/livekit/jwt';
const OPENID = { access_token: 'openid-token', token_type: 'Bearer', matrix_server_name: 'example.org', expires_in: 3600 };
const EXP = 1_900_000_000;
const base64url = (value: unknown) => btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const JWT = `${base64url({ alg: 'HS256' })}.${base64url({ sub: '@a:example.org:DEV', exp: EXP, video: { room: 'r' } })}.c2ln`;

const stateRequest: SfuTokenRequest = { serviceUrl: `${SERVICE}/`, roomId: '!room:example.org', openIdToken: OPENID, userId: '@a:example.org', deviceId: 'DEV', form: 'state-event' };
const stickyRequest: SfuTokenRequest = { ...stateRequest, form: 'sticky', memberId: 'member-uuid' };
const delayedLeave = { delayId: 'syd_abc', delayTimeoutMs: 8000, csApiUrl: 'https://matrix.example.org' };

interface Sent { url: string; body: Record<string, unknown> }

/** A token service whose answers are scripted (a Response, or an Error to throw), recording each request. */
function service(...answers: (() => Response | Error)[]) {
  const sent: Sent[] = [];
  const fetchToken = ((url: string, init: RequestInit) => {
    sent.push({ url, body: JSON.parse(String(init.body)) as Record<string, unknown> });
    const answer = answers[Math.min(sent.length - 1, answers.length - 1)]!();
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  }) as typeof fetch;
  return { fetchToken, sent };
}

const ok = () => new Response(JSON.stringify({ url: 'wss://livekit.example.org', jwt: JWT }));
const error = (status: number, errcode: string) => () => new Response(JSON.stringify({ errcode, error: 'no' }), { status });

async function failure(promise: Promise<unknown>): Promise<MxError> {
  const caught = await promise.then(() => undefined, (rejection: unknown) => rejection);
  expect(caught, 'the request rejects').to.be.instanceOf(MxError);
  return caught as MxError;
}

describe('requestSfuToken', () => {
  it('state-event form: POST /sfu/get with exactly room, openid_token and device_id', async () => {
    const { fetchToken, sent } = service(ok);
    const token = await requestSfuToken(stateRequest, fetchToken);
    expect(sent).to.deep.equal([{ url: `${SERVICE}/sfu/get`, body: { room: '!room:example.org', openid_token: OPENID, device_id: 'DEV' } }]);
    expect(token).to.deep.equal({ url: 'wss://livekit.example.org', jwt: JWT, expiresAt: EXP * 1000 });
  });

  it('sticky form: POST /get_token with room_id, slot_id, openid_token and member', async () => {
    const { fetchToken, sent } = service(ok);
    await requestSfuToken(stickyRequest, fetchToken);
    expect(sent).to.deep.equal([{
      url: `${SERVICE}/get_token`,
      body: {
        room_id: '!room:example.org',
        slot_id: 'm.call#ROOM',
        openid_token: OPENID,
        member: { id: 'member-uuid', claimed_user_id: '@a:example.org', claimed_device_id: 'DEV' },
      },
    }]);
  });

  it('the sticky form without a member id is refused before any request', async () => {
    const { fetchToken, sent } = service(ok);
    expect((await failure(requestSfuToken({ ...stickyRequest, memberId: undefined }, fetchToken))).code).to.equal('INVALID_CONFIGURATION');
    expect(sent).to.deep.equal([]);
  });

  it('sends the delayed-leave fields, and asks again without them when the service refuses them (400 M_BAD_JSON)', async () => {
    const { fetchToken, sent } = service(error(400, 'M_BAD_JSON'), ok);
    const token = await requestSfuToken({ ...stateRequest, delayedLeave }, fetchToken);
    expect(token.jwt).to.equal(JWT);
    expect(sent.map(({ body }) => [body.delay_id, body.delay_timeout, body.delay_cs_api_url])).to.deep.equal([
      ['syd_abc', 8000, 'https://matrix.example.org'],
      [undefined, undefined, undefined],
    ]);
  });

  it('a 400 M_BAD_JSON without delay fields is not asked again: TOKEN_SERVICE_REFUSED', async () => {
    const { fetchToken, sent } = service(error(400, 'M_BAD_JSON'), ok);
    const refused = await failure(requestSfuToken(stateRequest, fetchToken));
    expect(refused.code).to.equal('TOKEN_SERVICE_REFUSED');
    expect(sent).to.have.length(1);
  });

  const failures: [string, () => Response | Error, string][] = [
    ['401 M_UNAUTHORIZED', error(401, 'M_UNAUTHORIZED'), 'TOKEN_SERVICE_UNAUTHORIZED'],
    ['403', error(403, 'M_FORBIDDEN'), 'TOKEN_SERVICE_UNAUTHORIZED'],
    ['404 (not a token service there)', error(404, 'M_NOT_FOUND'), 'TOKEN_SERVICE_REFUSED'],
    ['500', error(500, 'M_UNKNOWN'), 'TOKEN_SERVICE_UNREACHABLE'],
    ['502 from a proxy, not JSON', () => new Response('<html>Bad gateway</html>', { status: 502 }), 'TOKEN_SERVICE_UNREACHABLE'],
    ['a network failure', () => new TypeError('Failed to fetch'), 'TOKEN_SERVICE_UNREACHABLE'],
    ['200 that is not JSON', () => new Response('ok'), 'TOKEN_SERVICE_INVALID_ANSWER'],
    ['200 without jwt', () => new Response(JSON.stringify({ url: 'wss://livekit.example.org' })), 'TOKEN_SERVICE_INVALID_ANSWER'],
    ['200 with a javascript: url', () => new Response(JSON.stringify({ url: 'javascript:alert(1)', jwt: JWT })), 'TOKEN_SERVICE_INVALID_ANSWER'],
    ['200 with a jwt that is not one', () => new Response(JSON.stringify({ url: 'wss://livekit.example.org', jwt: 'not a jwt' })), 'TOKEN_SERVICE_INVALID_ANSWER'],
    ['200 of 20 KB', () => new Response(JSON.stringify({ url: 'wss://livekit.example.org', jwt: JWT, pad: 'x'.repeat(20_000) })), 'TOKEN_SERVICE_INVALID_ANSWER'],
  ];
  for (const [name, answer, code] of failures) {
    it(`${name}: ${code}, naming the service`, async () => {
      const { fetchToken } = service(answer);
      const failed = await failure(requestSfuToken(stateRequest, fetchToken));
      expect(failed.code).to.equal(code);
      expect(failed.message).to.contain(SERVICE);
    });
  }

  it('an abort by the caller rejects with its reason, not as an unreachable service', async () => {
    const aborter = new AbortController();
    const reason = new Error('the person left');
    const fetchToken = ((_url: string, init: RequestInit) => new Promise((_resolve, reject) => {
      init.signal?.addEventListener('abort', () => reject(init.signal?.reason));
    })) as typeof fetch;
    const pending = requestSfuToken({ ...stateRequest, signal: aborter.signal }, fetchToken).then(() => undefined, (rejection: unknown) => rejection);
    aborter.abort(reason);
    expect(await pending).to.equal(reason);
  });
});

describe('readToken', () => {
  it('a JWT without exp has no known expiry', () => {
    const jwt = `${base64url({ alg: 'HS256' })}.${base64url({ sub: 'x' })}.c2ln`;
    expect(readToken({ url: 'wss://l.example.org', jwt }, SERVICE).expiresAt).to.equal(undefined);
  });
});

describe('stickyMemberIdentity', () => {
  it('is the unpadded standard base64 of SHA-256 of the JSON of [userId, deviceId, memberId] (the token service\'s derivation)', async () => {
    // Vector computed with Node: createHash('sha256').update(JSON.stringify([...])).digest('base64') without padding.
    expect(await stickyMemberIdentity('@alice:example.org', 'ALICEDEVICE', '7d8c2e4a-1b2c-4d5e-8f90-123456789abc'))
      .to.equal('qH7VnsdoLnMF4FJcY9PlDboy8l/4oSDbSVNOrXIvud4');
  });
});
