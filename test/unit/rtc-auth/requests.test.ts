import { expect } from '@open-wc/testing';
import {
  isJsonContentType,
  parseGetTokenRequest,
  parseDelegateDelayedLeaveRequest,
  parseJsonBody,
  parseLegacySfuRequest,
  type Parsed,
} from '../../../services/rtc-auth/requests.js';

type Json = Record<string, unknown>;

const GET_TOKEN: Json = {
  room_id: '!room:example.org',
  slot_id: 'm.call#ROOM',
  openid_token: { access_token: 'opaque-token', token_type: 'Bearer', matrix_server_name: 'example.org', expires_in: 3600 },
  member: { id: 'member-1', claimed_user_id: '@alice:example.org', claimed_device_id: 'DEVICE' },
};

const SFU_GET: Json = {
  room: '!room:example.org',
  openid_token: { access_token: 'opaque-token', token_type: 'Bearer', matrix_server_name: 'example.org', expires_in: 3600 },
  device_id: 'DEVICE',
};

/** A deep copy of `body` with the value at `path` replaced, or removed when `value` is `REMOVE`. */
const REMOVE = Symbol('remove');
function edit(body: Json, path: string, value: unknown): Json {
  const copy = structuredClone(body);
  const keys = path.split('.');
  const last = keys.pop() ?? '';
  let target: Json = copy;
  for (const key of keys) target = target[key] as Json;
  if (value === REMOVE) delete target[last];
  else target[last] = value;
  return copy;
}

function errorOf<T>(result: Parsed<T>): { status: number; errcode: string; error: string } {
  if (result.ok) throw new Error('expected the request to be refused');
  return result.error;
}

const GET_TOKEN_FIELDS = [
  'room_id',
  'slot_id',
  'openid_token.access_token',
  'openid_token.matrix_server_name',
  'member.id',
  'member.claimed_user_id',
  'member.claimed_device_id',
];
const SFU_GET_FIELDS = ['room', 'openid_token.access_token', 'openid_token.matrix_server_name', 'device_id'];

const NOT_STRINGS: Array<[string, unknown]> = [['a number', 42], ['a boolean', true], ['an array', ['x']], ['an object', { a: 'b' }], ['empty', '']];

describe('rtc-auth requests', () => {
  describe('parseGetTokenRequest', () => {
    it('accepts a complete body and maps it', () => {
      const result = parseGetTokenRequest(GET_TOKEN);
      expect(result).to.deep.equal({
        ok: true,
        value: {
          roomId: '!room:example.org',
          slotId: 'm.call#ROOM',
          openIdToken: { accessToken: 'opaque-token', matrixServerName: 'example.org' },
          member: { id: 'member-1', claimedUserId: '@alice:example.org', claimedDeviceId: 'DEVICE' },
          delay: undefined,
        },
      });
    });

    it('ignores unknown fields and tolerates the optional token fields being absent', () => {
      let body = edit(GET_TOKEN, 'extra', { nested: true });
      body = edit(body, 'openid_token.token_type', REMOVE);
      body = edit(body, 'openid_token.expires_in', REMOVE);
      body = edit(body, 'member.extra', 1);
      expect(parseGetTokenRequest(body).ok).to.equal(true);
    });

    it('passes delay_id and delay_timeout through; delay_cs_api_url is type-checked only', () => {
      const body = { ...GET_TOKEN, delay_id: 'syd_abc', delay_timeout: 10000, delay_cs_api_url: 'https://hs.example.org' };
      const result = parseGetTokenRequest(body);
      expect(result.ok && result.value.delay).to.deep.equal({ delayId: 'syd_abc', delayTimeoutMs: 10000 });
    });

    // As lk-jwt-service: an empty id or a zero timeout counts as absent, and one without the other is refused.
    const delayCases: Array<[string, Json, { delayId: string; delayTimeoutMs: number } | undefined | string]> = [
      ['no delay fields', {}, undefined],
      ['an empty delay_id and a zero delay_timeout', { delay_id: '', delay_timeout: 0 }, undefined],
      ['only delay_cs_api_url', { delay_cs_api_url: 'https://hs.example.org' }, undefined],
      ['delay_id without delay_timeout', { delay_id: 'syd_abc' }, 'The request body is missing `delay_id` or `delay_timeout`'],
      ['delay_timeout without delay_id', { delay_timeout: 8000 }, 'The request body is missing `delay_id` or `delay_timeout`'],
      ['delay_id with a zero delay_timeout', { delay_id: 'syd_abc', delay_timeout: 0 }, 'The request body is missing `delay_id` or `delay_timeout`'],
      ['the smallest delay_timeout', { delay_id: 'syd_abc', delay_timeout: 1000 }, { delayId: 'syd_abc', delayTimeoutMs: 1000 }],
      ['the largest delay_timeout (a day)', { delay_id: 'syd_abc', delay_timeout: 86_400_000 }, { delayId: 'syd_abc', delayTimeoutMs: 86_400_000 }],
      ['a delay_timeout under a second', { delay_id: 'syd_abc', delay_timeout: 999 }, '`delay_timeout` must be a whole number of milliseconds from 1000 to 86400000'],
      ['a delay_timeout over a day', { delay_id: 'syd_abc', delay_timeout: 86_400_001 }, '`delay_timeout` must be a whole number of milliseconds from 1000 to 86400000'],
      ['a fractional delay_timeout', { delay_id: 'syd_abc', delay_timeout: 8000.5 }, '`delay_timeout` must be a whole number of milliseconds from 1000 to 86400000'],
      ['a negative delay_timeout', { delay_id: 'syd_abc', delay_timeout: -8000 }, '`delay_timeout` must be a whole number of milliseconds from 1000 to 86400000'],
      ['a delay_id of 256 characters', { delay_id: 'x'.repeat(256), delay_timeout: 8000 }, '`delay_id` must be at most 255 characters'],
    ];
    for (const [name, fields, expected] of delayCases) {
      it(`delay fields: ${name}`, () => {
        const results: Parsed<{ delay: unknown }>[] = [parseGetTokenRequest({ ...GET_TOKEN, ...fields }), parseLegacySfuRequest({ ...SFU_GET, ...fields })];
        for (const result of results) {
          if (typeof expected === 'string') expect(errorOf(result)).to.deep.equal({ status: 400, errcode: 'M_BAD_JSON', error: expected });
          else expect(result.ok && result.value.delay).to.deep.equal(expected);
        }
      });
    }

    for (const field of GET_TOKEN_FIELDS) {
      it(`refuses a missing ${field}`, () => {
        const error = errorOf(parseGetTokenRequest(edit(GET_TOKEN, field, REMOVE)));
        expect(error).to.deep.equal({ status: 400, errcode: 'M_BAD_JSON', error: `The request body is missing \`${field}\`` });
      });
      it(`refuses a null ${field}`, () => {
        expect(errorOf(parseGetTokenRequest(edit(GET_TOKEN, field, null))).error).to.contain(`missing \`${field}\``);
      });
      for (const [kind, value] of NOT_STRINGS) {
        it(`refuses ${field} as ${kind}`, () => {
          const error = errorOf(parseGetTokenRequest(edit(GET_TOKEN, field, value)));
          expect(error.errcode).to.equal('M_BAD_JSON');
          expect(error.error).to.equal(`\`${field}\` must be a non-empty string`);
        });
      }
    }

    for (const object of ['openid_token', 'member']) {
      it(`refuses a missing ${object}`, () => {
        expect(errorOf(parseGetTokenRequest(edit(GET_TOKEN, object, REMOVE))).error).to.equal(`The request body is missing \`${object}\``);
      });
      for (const [kind, value] of [['a string', 'x'], ['an array', []], ['a number', 1]] as const) {
        it(`refuses ${object} as ${kind}`, () => {
          expect(errorOf(parseGetTokenRequest(edit(GET_TOKEN, object, value))).error).to.equal(`\`${object}\` must be an object`);
        });
      }
    }

    const optionalTypes: Array<[string, unknown]> = [
      ['openid_token.token_type', 1],
      ['openid_token.expires_in', '3600'],
      ['delay_id', 5],
      ['delay_timeout', '10000'],
      ['delay_cs_api_url', {}],
    ];
    for (const [field, value] of optionalTypes) {
      it(`refuses the optional ${field} with the wrong type`, () => {
        const error = errorOf(parseGetTokenRequest(edit(GET_TOKEN, field, value)));
        expect(error.errcode).to.equal('M_BAD_JSON');
        expect(error.error).to.match(new RegExp(`^\`${field.replace('.', '\\.')}\` must be a (string|number)$`));
      });
    }

    describe('fields at the wrong nesting level', () => {
      it('refuses an openid_token wrapped in another openid_token', () => {
        const body = { ...GET_TOKEN, openid_token: { openid_token: GET_TOKEN.openid_token } };
        expect(errorOf(parseGetTokenRequest(body)).error).to.equal('The request body is missing `openid_token.access_token`');
      });
      it('refuses member fields flattened to the top level', () => {
        const { member, ...rest } = GET_TOKEN;
        const body = { ...rest, ...(member as Json) };
        expect(errorOf(parseGetTokenRequest(body)).error).to.equal('The request body is missing `member`');
      });
      it('refuses token fields flattened to the top level', () => {
        const { openid_token: token, ...rest } = GET_TOKEN;
        const body = { ...rest, ...(token as Json) };
        expect(errorOf(parseGetTokenRequest(body)).error).to.equal('The request body is missing `openid_token`');
      });
      it('refuses the claimed user under openid_token instead of member', () => {
        let body = edit(GET_TOKEN, 'member.claimed_user_id', REMOVE);
        body = edit(body, 'openid_token.claimed_user_id', '@alice:example.org');
        expect(errorOf(parseGetTokenRequest(body)).error).to.equal('The request body is missing `member.claimed_user_id`');
      });
      it('refuses a body wrapped in an array or another object key', () => {
        expect(errorOf(parseGetTokenRequest([GET_TOKEN])).error).to.equal('The request body must be a JSON object');
        expect(errorOf(parseGetTokenRequest({ body: GET_TOKEN })).error).to.equal('The request body is missing `room_id`');
      });
    });

    for (const [kind, body] of [['null', null], ['a string', 'x'], ['a number', 3], ['an array', []]] as const) {
      it(`refuses a body that is ${kind}`, () => {
        expect(errorOf(parseGetTokenRequest(body))).to.deep.equal({
          status: 400, errcode: 'M_BAD_JSON', error: 'The request body must be a JSON object',
        });
      });
    }
  });

  describe('parseLegacySfuRequest', () => {
    it('accepts a complete body and maps it', () => {
      expect(parseLegacySfuRequest(SFU_GET)).to.deep.equal({
        ok: true,
        value: {
          room: '!room:example.org',
          openIdToken: { accessToken: 'opaque-token', matrixServerName: 'example.org' },
          deviceId: 'DEVICE',
          delay: undefined,
        },
      });
    });

    it('accepts (and reports) delay_id and delay_timeout', () => {
      const result = parseLegacySfuRequest({ ...SFU_GET, delay_id: 'd', delay_timeout: 1000 });
      expect(result.ok && result.value.delay).to.deep.equal({ delayId: 'd', delayTimeoutMs: 1000 });
    });
  });

  describe('parseDelegateDelayedLeaveRequest', () => {
    const DELEGATE: Json = { ...GET_TOKEN, delay_id: 'syd_abc', delay_timeout: 8000, delay_cs_api_url: 'https://hs.example.org' };

    it('accepts lk-jwt-service\'s body and maps it', () => {
      expect(parseDelegateDelayedLeaveRequest(DELEGATE)).to.deep.equal({
        ok: true,
        value: {
          roomId: '!room:example.org',
          slotId: 'm.call#ROOM',
          openIdToken: { accessToken: 'opaque-token', matrixServerName: 'example.org' },
          member: { id: 'member-1', claimedUserId: '@alice:example.org', claimedDeviceId: 'DEVICE' },
          delay: { delayId: 'syd_abc', delayTimeoutMs: 8000 },
        },
      });
    });

    for (const field of ['delay_id', 'delay_timeout']) {
      it(`refuses a body without ${field}`, () => {
        expect(errorOf(parseDelegateDelayedLeaveRequest(edit(DELEGATE, field, REMOVE)))).to.deep.equal({
          status: 400, errcode: 'M_BAD_JSON', error: 'The request body is missing `delay_id` or `delay_timeout`',
        });
      });
    }

    it('refuses a body without both delay fields (a token request is not a delegation)', () => {
      expect(errorOf(parseDelegateDelayedLeaveRequest(GET_TOKEN)).error).to.equal('The request body is missing `delay_id` or `delay_timeout`');
    });

    for (const field of GET_TOKEN_FIELDS) {
      it(`refuses a missing ${field}`, () => {
        expect(errorOf(parseDelegateDelayedLeaveRequest(edit(DELEGATE, field, REMOVE))).error).to.equal(`The request body is missing \`${field}\``);
      });
    }

    it('refuses what is not an object', () => {
      expect(errorOf(parseDelegateDelayedLeaveRequest(null)).error).to.equal('The request body must be a JSON object');
    });

    for (const field of SFU_GET_FIELDS) {
      it(`refuses a missing ${field}`, () => {
        expect(errorOf(parseLegacySfuRequest(edit(SFU_GET, field, REMOVE)))).to.deep.equal({
          status: 400, errcode: 'M_BAD_JSON', error: `The request body is missing \`${field}\``,
        });
      });
      for (const [kind, value] of NOT_STRINGS) {
        it(`refuses ${field} as ${kind}`, () => {
          expect(errorOf(parseLegacySfuRequest(edit(SFU_GET, field, value))).error).to.equal(`\`${field}\` must be a non-empty string`);
        });
      }
    }

    it('refuses a /get_token body (no room, no device_id)', () => {
      expect(errorOf(parseLegacySfuRequest(GET_TOKEN)).error).to.equal('The request body is missing `room`');
    });
  });

  describe('parseJsonBody', () => {
    for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON', ' application/json ;charset=UTF-8']) {
      it(`accepts Content-Type "${type}"`, () => {
        expect(isJsonContentType(type)).to.equal(true);
        expect(parseJsonBody(type, '{"a":1}')).to.deep.equal({ ok: true, value: { a: 1 } });
      });
    }

    for (const type of [undefined, '', 'text/plain', 'application/jsonp', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'json']) {
      it(`refuses Content-Type ${type === undefined ? '(none)' : `"${type}"`} with M_BAD_JSON`, () => {
        const error = errorOf(parseJsonBody(type, '{"a":1}'));
        expect(error.status).to.equal(400);
        expect(error.errcode).to.equal('M_BAD_JSON');
        expect(error.error).to.contain('Content-Type must be application/json');
      });
    }

    for (const text of ['', '{', '{"a":1', "{'a':1}", 'undefined', '{"a":1}}']) {
      it(`refuses malformed JSON ${JSON.stringify(text)} with M_NOT_JSON`, () => {
        expect(errorOf(parseJsonBody('application/json', text))).to.deep.equal({
          status: 400, errcode: 'M_NOT_JSON', error: 'The request body is not valid JSON',
        });
      });
    }
  });
});
