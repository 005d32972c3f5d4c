// services/rtc-auth against the real stack: Synapse vouches for OpenID tokens, LiveKit checks the JWTs.
// Node's fetch is the client of the token service; a Chromium page is the LiveKit participant where one is needed.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { createHash, randomUUID } from 'node:crypto';
import { RoomServiceClient, TokenVerifier } from 'livekit-server-sdk';
import { openHarness } from '../helpers/pages.js';
import { matrixRequest } from '../helpers/raw-matrix.js';
import { ServiceProcess, startRtcAuth } from '../helpers/service-process.js';
import { loadStack, type StackEndpoints } from '../helpers/stack.js';
import { createRoom, registerUser, requestOpenIdToken, type OpenIdToken, type TestUser } from '../helpers/synapse.js';

const UNAUTHORISED = { errcode: 'M_UNAUTHORIZED', error: 'The request could not be authorised.' };

// Computed here with node:crypto, independently of services/rtc-auth/derive.ts, so one bug cannot hide another.
function hashIds(parts: string[]): string {
  return createHash('sha256').update(JSON.stringify(parts), 'utf8').digest('base64').replace(/=+$/, '');
}

function jwtPayload(jwt: string): Record<string, unknown> {
  const payload = jwt.split('.')[1];
  if (payload === undefined) throw new Error(`not a JWT: ${jwt}`);
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

function livekitApiUrl(stack: StackEndpoints): string {
  return stack.livekitUrl.replace(/^ws/, 'http');
}

interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function call(url: string, init: { method?: string; body?: unknown; raw?: string; contentType?: string | null; headers?: Record<string, string> } = {}): Promise<Reply> {
  const headers = new Headers(init.headers);
  if (init.contentType !== null) headers.set('Content-Type', init.contentType ?? 'application/json');
  const response = await fetch(url, {
    method: init.method ?? 'POST',
    headers,
    body: init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

function getTokenBody(roomId: string, user: TestUser, token: OpenIdToken, memberId: string): Record<string, unknown> {
  return {
    room_id: roomId,
    slot_id: 'm.call#ROOM',
    openid_token: token,
    member: { id: memberId, claimed_user_id: user.userId, claimed_device_id: user.deviceId },
  };
}

function sfuGetBody(roomId: string, user: TestUser, token: OpenIdToken): Record<string, unknown> {
  return { room: roomId, openid_token: token, device_id: user.deviceId };
}

/** A body with the value at a dotted path deleted. */
function without(body: Record<string, unknown>, path: string): Record<string, unknown> {
  const copy = structuredClone(body);
  const keys = path.split('.');
  const last = keys.pop() ?? '';
  let target = copy;
  for (const key of keys) target = target[key] as Record<string, unknown>;
  delete target[last];
  return copy;
}

function expectRefusal(reply: Reply, status: number, errcode: string): void {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  expect(reply.body.errcode).toBe(errcode);
  expect(typeof reply.body.error).toBe('string');
  expect(reply.body).not.toHaveProperty('jwt');
  expect(reply.headers.get('access-control-allow-origin')).toBe('*');
}

async function expectGrantedJwt(stack: StackEndpoints, reply: Reply, identity: string, room: string): Promise<void> {
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  expect(reply.body.url).toBe(stack.livekitUrl);
  const jwt = reply.body.jwt;
  expect(typeof jwt).toBe('string');

  const payload = jwtPayload(jwt as string);
  expect(payload.sub).toBe(identity);
  expect(payload.iss).toBe(stack.livekitKey);
  expect(payload.video).toEqual({
    roomJoin: true,
    roomCreate: false,
    room,
    canPublish: true,
    canSubscribe: true,
    canUpdateOwnMetadata: true,
  });
  expect((payload.exp as number) - (payload.nbf as number)).toBe(3600);

  // The signature is what LiveKit checks: verify it with the stack's key pair.
  const claims = await new TokenVerifier(stack.livekitKey, stack.livekitSecret).verify(jwt as string);
  expect(claims.sub).toBe(identity);
  expect(claims.video?.room).toBe(room);
}

let alice: TestUser;
let bob: TestUser;
let roomId: string;

test.beforeAll(async () => {
  alice = await registerUser({ displayName: 'Alice' });
  bob = await registerUser({ displayName: 'Bob' });
  roomId = await createRoom(alice, { invite: [bob.userId] });
});

test.describe('rtc-auth (the stack instance)', () => {
  test('GET /healthz answers 200', async () => {
    const reply = await call(`${loadStack().rtcAuthUrl}/healthz`, { method: 'GET', contentType: null });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('access-control-allow-origin')).toBe('*');
  });

  test('answers the CORS preflight of a browser on another origin', async () => {
    for (const path of ['/get_token', '/sfu/get']) {
      const response = await fetch(`${loadStack().rtcAuthUrl}${path}`, {
        method: 'OPTIONS',
        headers: { Origin: 'http://127.0.0.1:8100', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(response.headers.get('access-control-allow-methods')).toBe('POST');
      expect(response.headers.get('access-control-allow-headers')).toBe('Accept, Content-Type, Content-Length, Accept-Encoding, X-CSRF-Token');
    }
  });

  test('POST /get_token with a valid OpenID token returns a JWT for the hashed identity and room', async () => {
    const stack = loadStack();
    const memberId = randomUUID();
    const reply = await call(`${stack.rtcAuthUrl}/get_token`, {
      body: getTokenBody(roomId, alice, await requestOpenIdToken(alice), memberId),
      headers: { Origin: 'http://127.0.0.1:8100' },
    });
    await expectGrantedJwt(stack, reply, hashIds([alice.userId, alice.deviceId, memberId]), hashIds([roomId, 'm.call#ROOM']));
    expect(reply.headers.get('access-control-allow-origin')).toBe('*');
    expect(reply.headers.get('cache-control')).toBe('no-store');
  });

  test('POST /sfu/get with a valid OpenID token returns a JWT for <mxid>:<device> and the same room', async () => {
    const stack = loadStack();
    const reply = await call(`${stack.rtcAuthUrl}/sfu/get`, { body: sfuGetBody(roomId, bob, await requestOpenIdToken(bob)) });
    await expectGrantedJwt(stack, reply, `${bob.userId}:${bob.deviceId}`, hashIds([roomId, 'm.call#ROOM']));
  });

  test('a user of a full-access homeserver gets the LiveKit room created with lk-jwt-service settings', async () => {
    const stack = loadStack();
    const otherRoom = `!rtc-auth-${randomUUID()}:${stack.serverName}`;
    const alias = hashIds([otherRoom, 'm.call#ROOM']);
    const reply = await call(`${stack.rtcAuthUrl}/get_token`, { body: getTokenBody(otherRoom, alice, await requestOpenIdToken(alice), 'm1') });
    expect(reply.status).toBe(200);
    const rooms = await new RoomServiceClient(livekitApiUrl(stack), stack.livekitKey, stack.livekitSecret).listRooms([alias]);
    expect(rooms.map((room) => [room.name, room.emptyTimeout, room.departureTimeout])).toEqual([[alias, 300, 20]]);
  });

  test.describe('refuses, with a Matrix error and no jwt', () => {
    test('a forged access token (401)', async () => {
      const stack = loadStack();
      const forged = { ...(await requestOpenIdToken(alice)), access_token: `forged-${randomUUID()}` };
      const reply = await call(`${stack.rtcAuthUrl}/get_token`, { body: getTokenBody(roomId, alice, forged, 'm1') });
      expectRefusal(reply, 401, 'M_UNAUTHORIZED');
      expect(reply.body).toEqual(UNAUTHORISED);
      expectRefusal(await call(`${stack.rtcAuthUrl}/sfu/get`, { body: sfuGetBody(roomId, alice, forged) }), 401, 'M_UNAUTHORIZED');
    });

    test("user B's real token claiming to be user A (401)", async () => {
      const stack = loadStack();
      const body = getTokenBody(roomId, bob, await requestOpenIdToken(bob), 'm1');
      (body.member as Record<string, unknown>).claimed_user_id = alice.userId;
      const reply = await call(`${stack.rtcAuthUrl}/get_token`, { body });
      expectRefusal(reply, 401, 'M_UNAUTHORIZED');
      expect(reply.body).toEqual(UNAUTHORISED);
    });

    test('a wrong matrix_server_name (401)', async () => {
      const stack = loadStack();
      // An IP literal with a closed port: the service must not fall back to the real homeserver.
      const token = { ...(await requestOpenIdToken(alice)), matrix_server_name: '127.0.0.1:1' };
      expectRefusal(await call(`${stack.rtcAuthUrl}/get_token`, { body: getTokenBody(roomId, alice, token, 'm1') }), 401, 'M_UNAUTHORIZED');
      expectRefusal(await call(`${stack.rtcAuthUrl}/sfu/get`, { body: sfuGetBody(roomId, alice, token) }), 401, 'M_UNAUTHORIZED');
      // Not a server name at all.
      const invalid = { ...token, matrix_server_name: `${stack.serverName}/evil` };
      expectRefusal(await call(`${stack.rtcAuthUrl}/get_token`, { body: getTokenBody(roomId, alice, invalid, 'm1') }), 401, 'M_UNAUTHORIZED');
    });

    const getTokenFields = ['room_id', 'slot_id', 'openid_token', 'openid_token.access_token', 'openid_token.matrix_server_name',
      'member', 'member.id', 'member.claimed_user_id', 'member.claimed_device_id'];
    test('each missing /get_token field (400 M_BAD_JSON naming it)', async () => {
      const stack = loadStack();
      const body = getTokenBody(roomId, alice, await requestOpenIdToken(alice), 'm1');
      for (const field of getTokenFields) {
        const reply = await call(`${stack.rtcAuthUrl}/get_token`, { body: without(body, field) });
        expectRefusal(reply, 400, 'M_BAD_JSON');
        expect(reply.body.error).toBe(`The request body is missing \`${field}\``);
      }
    });

    test('each missing /sfu/get field (400 M_BAD_JSON naming it)', async () => {
      const stack = loadStack();
      const body = sfuGetBody(roomId, alice, await requestOpenIdToken(alice));
      for (const field of ['room', 'openid_token', 'openid_token.access_token', 'openid_token.matrix_server_name', 'device_id']) {
        const reply = await call(`${stack.rtcAuthUrl}/sfu/get`, { body: without(body, field) });
        expectRefusal(reply, 400, 'M_BAD_JSON');
        expect(reply.body.error).toBe(`The request body is missing \`${field}\``);
      }
    });

    test('a body that is not application/json (400 M_BAD_JSON)', async () => {
      const stack = loadStack();
      const body = getTokenBody(roomId, alice, await requestOpenIdToken(alice), 'm1');
      expectRefusal(await call(`${stack.rtcAuthUrl}/get_token`, { body, contentType: 'text/plain' }), 400, 'M_BAD_JSON');
      expectRefusal(await call(`${stack.rtcAuthUrl}/get_token`, { body, contentType: 'application/x-www-form-urlencoded' }), 400, 'M_BAD_JSON');
    });

    test('malformed JSON (400)', async () => {
      const stack = loadStack();
      for (const path of ['/get_token', '/sfu/get']) {
        expectRefusal(await call(`${stack.rtcAuthUrl}${path}`, { raw: '{"room_id": "!a:b",' }), 400, 'M_NOT_JSON');
      }
      expectRefusal(await call(`${stack.rtcAuthUrl}/get_token`, { raw: '["not", "an", "object"]' }), 400, 'M_BAD_JSON');
    });

    test('GET on the token routes (405) and an unknown path (404)', async () => {
      const stack = loadStack();
      expectRefusal(await call(`${stack.rtcAuthUrl}/get_token`, { method: 'GET', contentType: null }), 405, 'M_UNRECOGNIZED');
      expectRefusal(await call(`${stack.rtcAuthUrl}/sfu/get`, { method: 'GET', contentType: null }), 405, 'M_UNRECOGNIZED');
      expectRefusal(await call(`${stack.rtcAuthUrl}/sfu/get/extra`, { body: {} }), 404, 'M_NOT_FOUND');
    });

    test('a body over the size limit (413)', async () => {
      const stack = loadStack();
      const body = { ...getTokenBody(roomId, alice, await requestOpenIdToken(alice), 'm1'), padding: 'x'.repeat(70 * 1024) };
      expectRefusal(await call(`${stack.rtcAuthUrl}/get_token`, { body }), 413, 'M_TOO_LARGE');
    });
  });
});

test.describe('rtc-auth (an instance started by this test)', () => {
  const ALIAS_SERVER = 'alias.invalid';
  let instance: ServiceProcess;
  let url: string;

  test.beforeAll(async () => {
    const stack = loadStack();
    instance = startRtcAuth({
      // The stack's homeserver is not full access here: its users get join-only tokens.
      LIVEKIT_FULL_ACCESS_HOMESERVERS: 'full-access.invalid',
      // A second name for the same homeserver, to see the server-name check on its own.
      LIVEKIT_FEDERATION_API_URL_OVERRIDES: `${stack.serverName}=${stack.homeserverUrl},${ALIAS_SERVER}=${stack.homeserverUrl}`,
      LIVEKIT_LOG_LEVEL: 'debug',
    });
    url = await instance.url();
  });

  test.afterAll(async () => {
    instance.child.kill('SIGTERM');
    expect(await instance.exited()).toBe(0);
  });

  test('refuses a token whose user is not on the claimed matrix_server_name, and logs why', async () => {
    const token = { ...(await requestOpenIdToken(alice)), matrix_server_name: ALIAS_SERVER };
    const reply = await call(`${url}/get_token`, { body: getTokenBody(roomId, alice, token, 'm1') });
    expectRefusal(reply, 401, 'M_UNAUTHORIZED');
    expect(reply.body).toEqual(UNAUTHORISED);
    expectRefusal(await call(`${url}/sfu/get`, { body: sfuGetBody(roomId, alice, token) }), 401, 'M_UNAUTHORIZED');
    await expect.poll(() => instance.output).toContain(`is not on matrix_server_name ${ALIAS_SERVER}`);
    expect(instance.output).not.toContain(token.access_token);
  });

  test('gives users of other homeservers a join token without creating the room', async () => {
    const stack = loadStack();
    const otherRoom = `!rtc-auth-${randomUUID()}:${stack.serverName}`;
    const alias = hashIds([otherRoom, 'm.call#ROOM']);
    const token = await requestOpenIdToken(bob);
    const reply = await call(`${url}/get_token`, { body: getTokenBody(otherRoom, bob, token, 'm2') });
    await expectGrantedJwt(stack, reply, hashIds([bob.userId, bob.deviceId, 'm2']), alias);
    const rooms = await new RoomServiceClient(livekitApiUrl(stack), stack.livekitKey, stack.livekitSecret).listRooms([alias]);
    expect(rooms).toEqual([]);
    expect(instance.output).toContain('access=join-only');
    // Neither the OpenID token nor the JWT ever reaches the log.
    expect(instance.output).not.toContain(token.access_token);
    expect(instance.output).not.toContain(reply.body.jwt as string);
  });

  test('does not take delayed leaves over for users of other homeservers (as lk-jwt-service)', async () => {
    const token = await requestOpenIdToken(bob);
    const delay = { delay_id: 'syd_not_taken', delay_timeout: 8000 };
    const sfuGet = await call(`${url}/sfu/get`, { body: { ...sfuGetBody(roomId, bob, token), ...delay } });
    expectRefusal(sfuGet, 400, 'M_BAD_JSON');
    expect(sfuGet.body.error).toBe('Delegation of delayed events is only supported for full access users');
    expectRefusal(await call(`${url}/get_token`, { body: { ...getTokenBody(roomId, bob, token, 'm3'), ...delay } }), 400, 'M_BAD_JSON');
    expectRefusal(await call(`${url}/delegate_delayed_leave`, { body: { ...getTokenBody(roomId, bob, token, 'm3'), ...delay } }), 403, 'M_FORBIDDEN');
    expect(instance.output).toContain('is not a full-access homeserver');
    expect(instance.output).not.toContain('syd_not_taken');
  });

  test('exits 1 with one line naming a missing variable', async () => {
    const broken = new ServiceProcess('rtc-auth', { LIVEKIT_KEY: 'k', LIVEKIT_SECRET: 's', LIVEKIT_FULL_ACCESS_HOMESERVERS: '*' });
    expect(await broken.exited()).toBe(1);
    expect(broken.output.trim().split('\n')).toEqual([expect.stringContaining('LIVEKIT_URL')]);
  });
});

// Delegated delayed leave (MSC4140, lk-jwt-service's contract): a real delayed leave event in Synapse, a real
// LiveKit participant in a Chromium page, and an instance of the service that knows where the homeserver's
// client-server API is (the stack's own has no LIVEKIT_CS_API_URL_OVERRIDES).
test.describe('rtc-auth delegated delayed leave (an instance started by this test)', () => {
  const CALL_MEMBER = 'org.matrix.msc3401.call.member';
  let instance: ServiceProcess;
  let url: string;
  let carol: TestUser;
  let callRoom: string;

  test.beforeAll(async () => {
    const stack = loadStack();
    instance = startRtcAuth({
      LIVEKIT_CS_API_URL_OVERRIDES: `${stack.serverName}=${stack.homeserverUrl}`,
      LIVEKIT_SANITY_CHECK_INTERVAL_SECONDS: '1',
      LIVEKIT_LOG_LEVEL: 'debug',
    });
    url = await instance.url();
    carol = await registerUser({ displayName: 'Carol' });
    callRoom = await createRoom(carol, { eventPowerLevels: { [CALL_MEMBER]: 0 } });
  });

  test.afterAll(async () => {
    instance.child.kill('SIGTERM');
    expect(await instance.exited()).toBe(0);
  });

  // The service's own log says what it saw and did: the first thing to read when one of these fails in CI.
  // eslint-disable-next-line no-empty-pattern -- Playwright reads a hook's fixtures from an object pattern
  test.afterEach(({}, testInfo) => {
    if (testInfo.status !== testInfo.expectedStatus) console.info(`rtc-auth log of "${testInfo.title}":\n${instance.output}`);
  });

  const stateKey = (user: TestUser): string => `_${user.userId}_${user.deviceId}_m.call`;
  const statePath = (user: TestUser): string =>
    `/_matrix/client/v3/rooms/${encodeURIComponent(callRoom)}/state/${CALL_MEMBER}/${encodeURIComponent(stateKey(user))}`;

  /** Publishes a call membership, then its leave (empty content) as a delayed state event; answers the delay id. */
  async function joinWithDelayedLeave(user: TestUser, delayMs: number): Promise<string> {
    await matrixRequest(user, 'PUT', statePath(user), {
      application: 'm.call', call_id: '', scope: 'm.room', device_id: user.deviceId, expires: 3_600_000,
      focus_active: { type: 'livekit', focus_selection: 'multi_sfu' },
      foci_preferred: [{ type: 'livekit', livekit_service_url: url, livekit_alias: callRoom }],
    });
    const { delay_id: delayId } = await matrixRequest<{ delay_id: string }>(user, 'PUT', `${statePath(user)}?org.matrix.msc4140.delay=${delayMs}`, {});
    return delayId;
  }

  async function membership(user: TestUser): Promise<Record<string, unknown>> {
    return matrixRequest<Record<string, unknown>>(user, 'GET', statePath(user));
  }

  /** The delayed event as the homeserver holds it, or undefined once it was sent or cancelled. */
  async function delayedEvent(user: TestUser, delayId: string): Promise<{ running_since: number } | undefined> {
    const { delayed_events: events } = await matrixRequest<{ delayed_events: { delay_id: string; running_since: number }[] }>(
      user, 'GET', '/_matrix/client/unstable/org.matrix.msc4140/delayed_events');
    return events.find((event) => event.delay_id === delayId);
  }

  /** A LiveKit participant in a Chromium page, connected with a token of the service. */
  async function participant(browser: Browser, token: { url: string; jwt: string }): Promise<Page> {
    const page = await openHarness(browser);
    const identity = await page.evaluate(async ({ url: livekitUrl, jwt }) => {
      const room = new window.mx.livekit.Room();
      await room.connect(livekitUrl, jwt);
      return room.localParticipant.identity;
    }, token);
    expect(identity).toBe(jwtPayload(token.jwt).sub);
    return page;
  }

  test('/sfu/get with delay fields: the service keeps the leave from firing while the participant is in the room, and it fires once the page is gone', async ({ browser }) => {
    const stack = loadStack();
    // Connected first, as Element Call is when it hands the delayed leave over.
    const token = await call(`${url}/sfu/get`, { body: sfuGetBody(callRoom, carol, await requestOpenIdToken(carol)) });
    expect(token.status, JSON.stringify(token.body)).toBe(200);
    const page = await participant(browser, token.body as { url: string; jwt: string });

    const delayMs = 6_000;
    const delayId = await joinWithDelayedLeave(carol, delayMs);
    const handedOverAt = Date.now();
    const handOver = await call(`${url}/sfu/get`, {
      body: { ...sfuGetBody(callRoom, carol, await requestOpenIdToken(carol)), delay_id: delayId, delay_timeout: delayMs, delay_cs_api_url: stack.homeserverUrl },
    });
    expect(handOver.status, JSON.stringify(handOver.body)).toBe(200);

    // Nobody but the service restarts it: still pending, restarted after more than two delays have passed.
    await expect.poll(async () => {
      const event = await delayedEvent(carol, delayId);
      if (!event) return 'fired';
      return event.running_since > handedOverAt + 2 * delayMs ? 'kept alive past two delays' : 'pending';
    }, { message: 'the service restarts the delayed leave', timeout: 60_000, intervals: [1_000] }).toBe('kept alive past two delays');
    expect(await membership(carol)).toHaveProperty('application', 'm.call');

    await page.close();
    await expect.poll(async () => Object.keys(await membership(carol)).length, { message: 'the leave fires', timeout: 60_000 }).toBe(0);
    expect(await delayedEvent(carol, delayId)).toBeUndefined();
    expect(instance.output).toContain('participant is in the LiveKit room');
    expect(instance.output).not.toContain(delayId);
  });

  test('/delegate_delayed_leave: a page that vanishes leaves at once, long before its delay', async ({ browser }) => {
    const memberId = randomUUID();
    const member = { id: memberId, claimed_user_id: carol.userId, claimed_device_id: carol.deviceId };
    const token = await call(`${url}/get_token`, { body: getTokenBody(callRoom, carol, await requestOpenIdToken(carol), memberId) });
    expect(token.status, JSON.stringify(token.body)).toBe(200);
    const page = await participant(browser, token.body as { url: string; jwt: string });

    // Ten minutes: only the service can make the leave happen within this test.
    const delayMs = 600_000;
    const delayId = await joinWithDelayedLeave(carol, delayMs);
    const handedOverAt = Date.now();
    const handOver = await call(`${url}/delegate_delayed_leave`, {
      body: { room_id: callRoom, slot_id: 'm.call#ROOM', openid_token: await requestOpenIdToken(carol), member, delay_id: delayId, delay_timeout: delayMs },
    });
    expect(handOver.status, JSON.stringify(handOver.body)).toBe(200);
    expect(handOver.body).toEqual({});
    // The service found the participant and restarted the event at once.
    await expect.poll(async () => (await delayedEvent(carol, delayId))?.running_since ?? 0, { timeout: 30_000 }).toBeGreaterThan(handedOverAt);

    await page.close();
    await expect.poll(async () => Object.keys(await membership(carol)).length, { message: 'the leave is sent', timeout: 60_000 }).toBe(0);
    expect(await delayedEvent(carol, delayId)).toBeUndefined();
    expect(instance.output).toContain('the participant left the LiveKit room: sending the delayed leave now');
  });

  test('answers a bare probe (how Element Call detects support) with an error, not 404', async () => {
    const reply = await call(`${url}/delegate_delayed_leave`, { contentType: null });
    expect(reply.status).toBe(400);
    expect(reply.headers.get('access-control-allow-origin')).toBe('*');
  });
});
