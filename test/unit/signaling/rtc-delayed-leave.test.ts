import { expect } from '@open-wc/testing';
import { MxError } from '../../../signaling/errors.js';
import type { Logger } from '../../../signaling/log.js';
import { handOverDelayedLeave, type DelayedLeaveHandOver } from '../../../signaling/rtc/delayed-leave.js';

const SERVICE = 'https://sfu.example.org/livekit/jwt';
const OPENID = { access_token: 'openid-token', token_type: 'Bearer', matrix_server_name: 'example.org', expires_in: 3600 };
const base64url = (value: unknown) => btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const JWT = `${base64url({ alg: 'HS256' })}.${base64url({ sub: '@a:example.org:DEV', exp: 1_900_000_000 })}.c2ln`;

interface Sent { url: string; body: unknown; headers: Headers; credentials: RequestCredentials | undefined }

/** A token service whose answers are scripted per request (a Response, or an Error to throw). */
function service(...answers: (() => Response | Error)[]) {
  const sent: Sent[] = [];
  const fetchFn = ((url: string, init: RequestInit = {}) => {
    sent.push({ url, body: init.body === undefined ? undefined : JSON.parse(String(init.body)), headers: new Headers(init.headers), credentials: init.credentials });
    const answer = answers[Math.min(sent.length - 1, answers.length - 1)]!();
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  }) as typeof fetch;
  return { fetchFn, sent };
}

const reply = (status: number, body: unknown) => () => new Response(JSON.stringify(body), { status });
const probeAnswered = reply(400, { errcode: 'M_NOT_JSON', error: 'Error reading request' });
const token = reply(200, { url: 'wss://livekit.example.org', jwt: JWT });

function logger() {
  const lines: string[] = [];
  const log: Logger = {
    debug: (message) => lines.push(`debug ${message}`),
    info: (message) => lines.push(`info ${message}`),
    warn: (message) => lines.push(`warn ${message}`),
    error: (message) => lines.push(`error ${message}`),
  };
  return { log, lines };
}

function handOver(fetchFn: typeof fetch, overrides: Partial<DelayedLeaveHandOver> = {}) {
  const { log, lines } = logger();
  let openIdRequests = 0;
  const result = handOverDelayedLeave({
    serviceUrl: `${SERVICE}/`,
    roomId: '!room:example.org',
    userId: '@a:example.org',
    deviceId: 'DEV',
    form: 'state-event',
    delayId: 'syd_abc',
    delayTimeoutMs: 8000,
    csApiUrl: 'https://matrix.example.org',
    getOpenIdToken: () => { openIdRequests += 1; return Promise.resolve(OPENID); },
    logger: log,
    fetch: fetchFn,
    ...overrides,
  });
  return { result, lines, openIdRequests: () => openIdRequests };
}

describe('handOverDelayedLeave', () => {
  it('probes /delegate_delayed_leave bare, then sends /sfu/get with the delay fields (Element Call 0.26\'s way): accepted', async () => {
    const { fetchFn, sent } = service(probeAnswered, token);
    const { result, lines } = handOver(fetchFn);
    expect(await result).to.deep.equal({ accepted: true });
    expect(sent.map((s) => [s.url, s.body, s.headers.get('content-type'), s.credentials])).to.deep.equal([
      [`${SERVICE}/delegate_delayed_leave`, undefined, null, 'omit'],
      [`${SERVICE}/sfu/get`, {
        room: '!room:example.org', openid_token: OPENID, device_id: 'DEV',
        delay_id: 'syd_abc', delay_timeout: 8000, delay_cs_api_url: 'https://matrix.example.org',
      }, 'application/json', 'omit'],
    ]);
    expect(lines.join('\n')).to.contain('took our delayed leave over');
  });

  it('sticky form: /get_token with the member and the delay fields', async () => {
    const { fetchFn, sent } = service(probeAnswered, token);
    expect(await handOver(fetchFn, { form: 'sticky', memberId: 'member-uuid' }).result).to.deep.equal({ accepted: true });
    expect(sent[1]).to.deep.include({ url: `${SERVICE}/get_token` });
    expect(sent[1]!.body).to.deep.equal({
      room_id: '!room:example.org', slot_id: 'm.call#ROOM', openid_token: OPENID,
      member: { id: 'member-uuid', claimed_user_id: '@a:example.org', claimed_device_id: 'DEV' },
      delay_id: 'syd_abc', delay_timeout: 8000, delay_cs_api_url: 'https://matrix.example.org',
    });
  });

  it('a service without the endpoint (404) is unsupported: no OpenID token, no token request', async () => {
    const { fetchFn, sent } = service(reply(404, { errcode: 'M_NOT_FOUND', error: 'No such endpoint' }));
    const { result, lines, openIdRequests } = handOver(fetchFn);
    expect(await result).to.deep.equal({ accepted: false, reason: 'unsupported' });
    expect(sent.length).to.equal(1);
    expect(openIdRequests()).to.equal(0);
    expect(lines.join('\n')).to.contain('does not take delayed leaves over (404)');
  });

  it('a probe that gets no answer (CORS, network) is unsupported', async () => {
    const { fetchFn } = service(() => new TypeError('Failed to fetch'));
    const { result, lines } = handOver(fetchFn);
    expect(await result).to.deep.equal({ accepted: false, reason: 'unsupported' });
    expect(lines.join('\n')).to.contain('Failed to fetch');
  });

  it('400 M_BAD_JSON on the token request is a refusal (the service would not take this one), with its reason logged', async () => {
    const { fetchFn } = service(probeAnswered, reply(400, { errcode: 'M_BAD_JSON', error: 'Unable to resolve client-server API' }));
    const { result, lines } = handOver(fetchFn);
    expect(await result).to.deep.equal({ accepted: false, reason: 'refused' });
    expect(lines.join('\n')).to.contain('Unable to resolve client-server API');
  });

  const failures: Array<[string, () => Response | Error, string]> = [
    ['401', reply(401, { errcode: 'M_UNAUTHORIZED' }), 'TOKEN_SERVICE_UNAUTHORIZED'],
    ['500', reply(500, { errcode: 'M_UNKNOWN' }), 'TOKEN_SERVICE_UNREACHABLE'],
    ['429', reply(429, { errcode: 'M_LIMIT_EXCEEDED' }), 'TOKEN_SERVICE_UNREACHABLE'],
    ['a network error', () => new TypeError('network down'), 'TOKEN_SERVICE_UNREACHABLE'],
    ['400 M_NOT_JSON', reply(400, { errcode: 'M_NOT_JSON' }), 'TOKEN_SERVICE_REFUSED'],
    ['200 without a token', reply(200, { url: 'wss://livekit.example.org' }), 'TOKEN_SERVICE_INVALID_ANSWER'],
    ['200 that is not JSON', () => new Response('<html>'), 'TOKEN_SERVICE_INVALID_ANSWER'],
  ];
  for (const [name, answer, code] of failures) {
    it(`the token request answered ${name}: failed with ${code}, never thrown`, async () => {
      const { fetchFn } = service(probeAnswered, answer);
      const { result, lines } = handOver(fetchFn);
      const outcome = await result;
      expect(outcome.accepted).to.equal(false);
      expect(!outcome.accepted && outcome.reason).to.equal('failed');
      const error = !outcome.accepted ? outcome.error : undefined;
      expect(error).to.be.instanceOf(MxError);
      expect(error?.code).to.equal(code);
      expect(error?.message).to.contain(SERVICE);
      expect(lines.some((line) => line.startsWith('warn'))).to.equal(true);
    });
  }

  it('an OpenID token that cannot be had: failed, never thrown', async () => {
    const { fetchFn, sent } = service(probeAnswered, token);
    const outcome = await handOver(fetchFn, { getOpenIdToken: () => Promise.reject(new Error('homeserver down')) }).result;
    expect(outcome.accepted).to.equal(false);
    expect(!outcome.accepted && outcome.error?.code).to.equal('HOMESERVER_UNREACHABLE');
    expect(sent.length).to.equal(1);
  });
});
