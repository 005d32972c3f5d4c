import { expect } from '@open-wc/testing';
import { parseEndRequest, parseSessionRequest, rateLimited, type Parsed } from '../../../services/visitor/requests.js';

function refusalOf<T>(result: Parsed<T>): { status: number; code: string; message: string } {
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.value)}`);
  return result.error;
}

describe('visitor requests', () => {
  describe('parseSessionRequest', () => {
    it('takes the target from a JSON body', () => {
      expect(parseSessionRequest('application/json', '{"target":"@support:example.org"}'))
        .to.deep.equal({ ok: true, value: { target: '@support:example.org' } });
      expect(parseSessionRequest('Application/JSON; charset=utf-8', '{"target":"@a:b","extra":1}').ok).to.equal(true);
    });
    it('takes a room (an alias or an ID) from a JSON body', () => {
      expect(parseSessionRequest('application/json', '{"room":"#town-hall:example.org"}'))
        .to.deep.equal({ ok: true, value: { room: '#town-hall:example.org' } });
      expect(parseSessionRequest('application/json', '{"room":"!abc:example.org","target":null}'))
        .to.deep.equal({ ok: true, value: { room: '!abc:example.org' } });
    });
    const bad: Array<[string, string | undefined, string, RegExp]> = [
      ['no content type', undefined, '{"target":"@a:b"}', /Content-Type must be application\/json, got none/],
      ['a form', 'application/x-www-form-urlencoded', 'target=@a:b', /Content-Type must be application\/json/],
      ['not JSON', 'application/json', '{target', /not valid JSON/],
      ['an array', 'application/json', '["@a:b"]', /must be a JSON object/],
      ['no target', 'application/json', '{}', /missing `target` \(a user to call\) or `room`/],
      ['a null target', 'application/json', '{"target":null}', /missing `target`/],
      ['a target and a room', 'application/json', '{"target":"@a:b","room":"#c:d"}', /both `target` and `room`; send one/],
      ['a room that is not a string', 'application/json', '{"room":["#c:d"]}', /`room` must be a non-empty string/],
      ['an empty room', 'application/json', '{"room":""}', /`room` must be a non-empty string/],
      ['a number', 'application/json', '{"target":5}', /`target` must be a non-empty string/],
      ['an empty target', 'application/json', '{"target":""}', /`target` must be a non-empty string/],
    ];
    for (const [name, type, text, message] of bad) {
      it(`refuses ${name} with BAD_REQUEST`, () => {
        const refusal = refusalOf(parseSessionRequest(type, text));
        expect(refusal.status).to.equal(400);
        expect(refusal.code).to.equal('BAD_REQUEST');
        expect(refusal.message).to.match(message);
      });
    }
  });

  describe('parseEndRequest', () => {
    it('takes a Bearer token from the Authorization header', () => {
      expect(parseEndRequest('Bearer syt_abc', undefined, '')).to.deep.equal({ ok: true, value: 'syt_abc' });
      expect(parseEndRequest('bearer   syt_abc  ', 'application/json', '{}')).to.deep.equal({ ok: true, value: 'syt_abc' });
    });
    it('takes the token from a sendBeacon body: JSON as text/plain or application/json, or a form', () => {
      expect(parseEndRequest(undefined, 'text/plain;charset=UTF-8', '{"accessToken":"syt_abc"}')).to.deep.equal({ ok: true, value: 'syt_abc' });
      expect(parseEndRequest(undefined, 'application/json', '{"accessToken":"syt_abc"}')).to.deep.equal({ ok: true, value: 'syt_abc' });
      expect(parseEndRequest(undefined, 'application/x-www-form-urlencoded;charset=UTF-8', 'accessToken=syt_abc')).to.deep.equal({ ok: true, value: 'syt_abc' });
    });
    const bad: Array<[string, string | undefined, string | undefined, string, RegExp]> = [
      ['another auth scheme', 'Basic dXNlcg==', undefined, '', /must be "Bearer <token>"/],
      ['a Bearer header without token', 'Bearer ', undefined, '', /must be "Bearer <token>"/],
      ['no token at all', undefined, 'text/plain', '', /No access token/],
      ['a body without accessToken', undefined, 'text/plain', '{"token":"x"}', /No access token in the request body/],
      ['a non-string token', undefined, 'application/json', '{"accessToken":5}', /must be a string/],
      ['a token with a control character', undefined, 'application/json', '{"accessToken":"a\\nb"}', /malformed/],
      ['a huge token', undefined, 'application/json', JSON.stringify({ accessToken: 'a'.repeat(2000) }), /malformed/],
      ['an empty form', undefined, 'application/x-www-form-urlencoded', 'other=1', /No access token in the form body/],
      ['a binary body', undefined, 'application/octet-stream', 'x', /not accepted here/],
      ['not JSON', undefined, 'text/plain', 'syt_abc', /not valid JSON/],
    ];
    for (const [name, authorization, type, text, message] of bad) {
      it(`refuses ${name}`, () => {
        const refusal = refusalOf(parseEndRequest(authorization, type, text));
        expect(refusal.code).to.equal('BAD_REQUEST');
        expect(refusal.message).to.match(message);
      });
    }
  });

  it('rateLimited says when to try again, in whole seconds at least', () => {
    expect(rateLimited(12_345)).to.include({ status: 429, code: 'RATE_LIMITED', retryAfterMs: 12_345 });
    expect(rateLimited(10).retryAfterMs).to.equal(1000);
  });
});
