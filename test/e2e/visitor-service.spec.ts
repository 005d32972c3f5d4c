// services/visitor against the real stack: Synapse with the visitor application service and the guard module.
// Node's fetch is the client; the Origin and X-Forwarded-For headers a browser or a proxy would send are set
// by hand. The stack's instance allows @support:<server>, a user the stack registers (stack.json has its
// password).
import { expect, test } from '@playwright/test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStack } from '../helpers/stack.js';
import { createRoom, registerUser, type TestUser } from '../helpers/synapse.js';
import { PAGE_ORIGIN, VisitorProcess, matrix, supportUser, tokenWorks } from '../helpers/visitor.js';

interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function request(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  const response = await fetch(url, { method: init.method ?? 'POST', headers: init.headers, body: init.body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

function startSession(serviceUrl: string, target: string, headers: Record<string, string> = { Origin: PAGE_ORIGIN }): Promise<Reply> {
  return request(`${serviceUrl}/visitor/session`, {
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ target }),
  });
}

function startRoomSession(serviceUrl: string, room: string): Promise<Reply> {
  return request(`${serviceUrl}/visitor/session`, {
    headers: { 'Content-Type': 'application/json', Origin: PAGE_ORIGIN },
    body: JSON.stringify({ room }),
  });
}

interface Visitor {
  homeserverUrl: string;
  userId: string;
  accessToken: string;
  deviceId: string;
  expiresAt: number;
}

async function newVisitor(serviceUrl = loadStack().visitorUrl, headers?: Record<string, string>): Promise<Visitor> {
  const reply = await startSession(serviceUrl, loadStack().visitorTargets[0] as string, headers);
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body as unknown as Visitor;
}

function expectRefusal(reply: Reply, status: number, code: string): void {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  expect(reply.body.code).toBe(code);
  expect(typeof reply.body.message).toBe('string');
  expect(reply.body).not.toHaveProperty('accessToken');
}


function expectForbidden(reply: { status: number; json: Record<string, unknown> }): void {
  expect(reply.status, JSON.stringify(reply.json)).toBe(403);
  expect(reply.json.errcode).toBe('M_FORBIDDEN');
}

let transaction = 0;
const sendEvent = (token: string, roomId: string, type: string, content: unknown) =>
  matrix(token, 'PUT', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/${type}/visitor-e2e-${Date.now()}-${transaction++}`, content);

const CALL_INVITE = {
  call_id: 'visitor-e2e-call', party_id: 'PARTY', version: '1', lifetime: 60_000,
  offer: { type: 'offer', sdp: 'v=0\r\n' },
};


let admin: TestUser;

/** What the homeserver itself says about a visitor account, through the admin API. */
async function accountState(userId: string): Promise<{ deactivated: boolean; erased: boolean }> {
  const reply = await matrix(admin.accessToken, 'GET', `/_synapse/admin/v2/users/${encodeURIComponent(userId)}`);
  expect(reply.status, JSON.stringify(reply.json)).toBe(200);
  return { deactivated: reply.json.deactivated === true, erased: reply.json.erased === true };
}


test.beforeAll(async () => {
  admin = await registerUser({ admin: true });
});

test.describe('visitor service (the stack instance)', () => {
  let support: TestUser;

  test.beforeAll(async () => {
    support = await supportUser();
  });

  test('GET /healthz answers 200', async () => {
    const reply = await request(`${loadStack().visitorUrl}/healthz`, { method: 'GET' });
    expect(reply.status).toBe(200);
    expect(reply.body.status).toBe('ok');
  });

  test('a session is a working Matrix account, named as the site says, and the page may read it', async () => {
    const stack = loadStack();
    const before = Date.now();
    const reply = await startSession(stack.visitorUrl, stack.visitorTargets[0] as string);
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(reply.headers.get('access-control-allow-origin')).toBe(PAGE_ORIGIN);
    expect(reply.headers.get('cache-control')).toBe('no-store');
    const visitor = reply.body as unknown as Visitor;
    expect(visitor.homeserverUrl).toBe(stack.homeserverUrl);
    expect(visitor.userId).toMatch(new RegExp(`^@${stack.visitorLocalpartPrefix}[a-z0-9]{26}:${stack.serverName}$`));
    expect(visitor.expiresAt).toBeGreaterThan(before);

    const whoami = await matrix(visitor.accessToken, 'GET', '/_matrix/client/v3/account/whoami');
    expect(whoami.json).toMatchObject({ user_id: visitor.userId, device_id: visitor.deviceId });
    const profile = await matrix(support.accessToken, 'GET', `/_matrix/client/v3/profile/${encodeURIComponent(visitor.userId)}/displayname`);
    expect(profile.json.displayname).toBe('Visitor (local stack)');
  });

  test('the visitor opens a DM with the allowed target and sends call events there; the target can join', async () => {
    const visitor = await newVisitor();
    const created = await matrix(visitor.accessToken, 'POST', '/_matrix/client/v3/createRoom', {
      is_direct: true,
      preset: 'trusted_private_chat',
      invite: [support.userId],
      initial_state: [{ type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } }],
    });
    expect(created.status, JSON.stringify(created.json)).toBe(200);
    const roomId = created.json.room_id as string;
    expect((await matrix(support.accessToken, 'POST', `/_matrix/client/v3/join/${encodeURIComponent(roomId)}`, {})).status).toBe(200);
    expect((await sendEvent(visitor.accessToken, roomId, 'm.call.invite', CALL_INVITE)).status).toBe(200);
    expect((await sendEvent(visitor.accessToken, roomId, 'm.room.encrypted', { algorithm: 'm.megolm.v1.aes-sha2', ciphertext: 'x' })).status).toBe(200);
  });

  test('the homeserver refuses the visitor\'s token anything else: other invitees, messages, aliases, state, rooms it was not invited to', async () => {
    const stack = loadStack();
    const visitor = await newVisitor();
    const stranger = await registerUser();
    const dm = await matrix(visitor.accessToken, 'POST', '/_matrix/client/v3/createRoom', { is_direct: true, preset: 'trusted_private_chat', invite: [support.userId] });
    expect(dm.status, JSON.stringify(dm.json)).toBe(200);
    const roomId = dm.json.room_id as string;

    expectForbidden(await matrix(visitor.accessToken, 'POST', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/invite`, { user_id: stranger.userId }));
    expectForbidden(await sendEvent(visitor.accessToken, roomId, 'm.room.message', { msgtype: 'm.text', body: 'hello' }));
    expectForbidden(await sendEvent(visitor.accessToken, roomId, 'm.reaction', {}));
    expectForbidden(await matrix(visitor.accessToken, 'PUT', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/m.room.topic/`, { topic: 'visit evil.example' }));
    expectForbidden(await matrix(visitor.accessToken, 'PUT', `/_matrix/client/v3/directory/room/${encodeURIComponent(`#visitor-${Date.now()}:${stack.serverName}`)}`, { room_id: roomId }));
    expectForbidden(await matrix(visitor.accessToken, 'PUT', `/_matrix/client/v3/directory/list/room/${encodeURIComponent(roomId)}`, { visibility: 'public' }));
    for (const config of [
      { invite: [stranger.userId] },
      { invite: [support.userId], room_alias_name: `visitor-${Date.now()}` },
      { invite: [support.userId], name: 'Call me at evil.example' },
      { preset: 'public_chat' },
      { visibility: 'public' },
      { initial_state: [{ type: 'm.room.join_rules', state_key: '', content: { join_rule: 'public' } }] },
    ]) {
      expectForbidden(await matrix(visitor.accessToken, 'POST', '/_matrix/client/v3/createRoom', config));
    }

    // A public room it was not invited to stays closed to it.
    const publicRoom = await createRoom(stranger, { preset: 'public_chat' });
    expectForbidden(await matrix(visitor.accessToken, 'POST', `/_matrix/client/v3/join/${encodeURIComponent(publicRoom)}`, {}));

    // Invited by someone else, it may join, but sends nothing where anyone but the targets is.
    const strangersRoom = await createRoom(stranger, { invite: [visitor.userId] });
    expect((await matrix(visitor.accessToken, 'POST', `/_matrix/client/v3/join/${encodeURIComponent(strangersRoom)}`, {})).status).toBe(200);
    expectForbidden(await sendEvent(visitor.accessToken, strangersRoom, 'm.call.invite', CALL_INVITE));

    // Other users are not restricted by the module.
    expect((await sendEvent(stranger.accessToken, strangersRoom, 'm.room.message', { msgtype: 'm.text', body: 'hi' })).status).toBe(200);
  });

  test('refuses a target it does not allow, a malformed body, and a site not on its list', async () => {
    const stack = loadStack();
    const stranger = await registerUser();
    expectRefusal(await startSession(stack.visitorUrl, stranger.userId), 403, 'TARGET_NOT_ALLOWED');
    expectRefusal(await startSession(stack.visitorUrl, 'not a user'), 403, 'TARGET_NOT_ALLOWED');
    expectRefusal(await request(`${stack.visitorUrl}/visitor/session`, {
      headers: { Origin: PAGE_ORIGIN, 'Content-Type': 'application/json' }, body: '{"target":',
    }), 400, 'BAD_REQUEST');
    expectRefusal(await request(`${stack.visitorUrl}/visitor/session`, {
      headers: { Origin: PAGE_ORIGIN, 'Content-Type': 'application/json' }, body: JSON.stringify({ target: 'x'.repeat(5000) }),
    }), 400, 'BAD_REQUEST');

    const elsewhere = await startSession(stack.visitorUrl, stack.visitorTargets[0] as string, { Origin: 'https://evil.example' });
    expectRefusal(elsewhere, 403, 'ORIGIN_NOT_ALLOWED');
    // The refused page may still read why.
    expect(elsewhere.headers.get('access-control-allow-origin')).toBe('https://evil.example');
    expectRefusal(await startSession(stack.visitorUrl, stack.visitorTargets[0] as string, {}), 403, 'ORIGIN_NOT_ALLOWED');

    const preflight = await fetch(`${stack.visitorUrl}/visitor/session`, {
      method: 'OPTIONS',
      headers: { Origin: PAGE_ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(PAGE_ORIGIN);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Content-Type/i);
  });

  test('a room session joins the visitor to the allowed room, where it may send only its own call membership (delayed too), reactions, redactions and encrypted events', async () => {
    const stack = loadStack();
    const alias = stack.visitorRoomAlias;
    const directory = await matrix(support.accessToken, 'GET', `/_matrix/client/v3/directory/room/${encodeURIComponent(alias)}`);
    const roomId = directory.json.room_id as string;
    const reply = await startRoomSession(stack.visitorUrl, alias);
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(reply.body.roomId).toBe(roomId);
    const visitor = reply.body as unknown as Visitor;
    const joined = await matrix(visitor.accessToken, 'GET', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/joined_members`);
    expect(Object.keys(joined.json.joined as object)).toContain(visitor.userId);
    // By room ID too: the allowed alias names it.
    const byId = await startRoomSession(stack.visitorUrl, roomId);
    expect(byId.status, JSON.stringify(byId.body)).toBe(200);
    expect(byId.body.roomId).toBe(roomId);

    const memberPath = (stateKey: string) => `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/org.matrix.msc3401.call.member/${encodeURIComponent(stateKey)}`;
    const ownKey = `_${visitor.userId}_${visitor.deviceId}_m.call`;
    const membership = {
      application: 'm.call', call_id: '', scope: 'm.room', device_id: visitor.deviceId, expires: 3_600_000,
      focus_active: { type: 'livekit', focus_selection: 'multi_sfu' },
      foci_preferred: [{ type: 'livekit', livekit_service_url: stack.rtcAuthUrl, livekit_alias: roomId }],
    };
    const published = await matrix(visitor.accessToken, 'PUT', memberPath(ownKey), membership);
    expect(published.status, JSON.stringify(published.json)).toBe(200);
    // The leave as a delayed event: requested, then sent by the homeserver when the delay runs out.
    const delayed = await matrix(visitor.accessToken, 'PUT', `${memberPath(ownKey)}?org.matrix.msc4140.delay=1000`, {});
    expect(delayed.status, JSON.stringify(delayed.json)).toBe(200);
    expect(typeof delayed.json.delay_id).toBe('string');
    await expect.poll(async () => Object.keys((await matrix(support.accessToken, 'GET', memberPath(ownKey))).json).length,
      { message: 'the delayed leave is sent', timeout: 30_000 }).toBe(0);

    const hand = await sendEvent(visitor.accessToken, roomId, 'm.reaction', { 'm.relates_to': { rel_type: 'm.annotation', event_id: published.json.event_id, key: '🖐️' } });
    expect(hand.status, JSON.stringify(hand.json)).toBe(200);
    const lowered = await matrix(visitor.accessToken, 'PUT', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/redact/${encodeURIComponent(hand.json.event_id as string)}/lower-${Date.now()}`, {});
    expect(lowered.status, JSON.stringify(lowered.json)).toBe(200);
    expect((await sendEvent(visitor.accessToken, roomId, 'io.element.call.reaction', { name: 'clap', emoji: '👏', 'm.relates_to': { rel_type: 'm.reference', event_id: published.json.event_id } })).status).toBe(200);
    expect((await sendEvent(visitor.accessToken, roomId, 'm.room.encrypted', { algorithm: 'm.megolm.v1.aes-sha2', ciphertext: 'x' })).status).toBe(200);

    expectForbidden(await matrix(visitor.accessToken, 'PUT', memberPath(`_${support.userId}_${support.deviceId}_m.call`), membership));
    expectForbidden(await matrix(visitor.accessToken, 'PUT', `${memberPath(`_${support.userId}_DEV_m.call`)}?org.matrix.msc4140.delay=1000`, {}));
    expectForbidden(await matrix(visitor.accessToken, 'PUT', memberPath(visitor.userId), membership));
    expectForbidden(await matrix(visitor.accessToken, 'PUT', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/m.room.topic/`, { topic: 'visit evil.example' }));
    expectForbidden(await sendEvent(visitor.accessToken, roomId, 'm.room.message', { msgtype: 'm.text', body: 'hello' }));
    expectForbidden(await sendEvent(visitor.accessToken, roomId, 'm.call.invite', CALL_INVITE));
    const stranger = await registerUser();
    expectForbidden(await matrix(visitor.accessToken, 'POST', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/invite`, { user_id: stranger.userId }));
    // Another public room stays closed to it.
    const otherRoom = await createRoom(stranger, { preset: 'public_chat' });
    expectForbidden(await matrix(visitor.accessToken, 'POST', `/_matrix/client/v3/join/${encodeURIComponent(otherRoom)}`, {}));

    // Ending the session takes the visitor out of the room.
    const ended = await request(`${stack.visitorUrl}/visitor/end`, { headers: { Origin: PAGE_ORIGIN, Authorization: `Bearer ${visitor.accessToken}` } });
    expect(ended.status, JSON.stringify(ended.body)).toBe(200);
    await expect.poll(async () => {
      const member = await matrix(support.accessToken, 'GET', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/m.room.member/${encodeURIComponent(visitor.userId)}`);
      return member.json.membership;
    }, { message: 'the visitor has left the room', timeout: 30_000 }).toBe('leave');
  });

  test('refuses rooms it does not allow: ROOM_NOT_ALLOWED, and no account is made', async () => {
    const stack = loadStack();
    const stranger = await registerUser();
    const publicRoom = await createRoom(stranger, { preset: 'public_chat' });
    const before = (await request(`${stack.visitorUrl}/healthz`, { method: 'GET' })).body.liveAccounts;
    expectRefusal(await startRoomSession(stack.visitorUrl, publicRoom), 403, 'ROOM_NOT_ALLOWED');
    expectRefusal(await startRoomSession(stack.visitorUrl, `#not-allowed:${stack.serverName}`), 403, 'ROOM_NOT_ALLOWED');
    expectRefusal(await startRoomSession(stack.visitorUrl, stack.visitorTargets[0] as string), 403, 'ROOM_NOT_ALLOWED');
    expectRefusal(await request(`${stack.visitorUrl}/visitor/session`, {
      headers: { Origin: PAGE_ORIGIN, 'Content-Type': 'application/json' }, body: JSON.stringify({ room: stack.visitorRoomAlias, target: stack.visitorTargets[0] }),
    }), 400, 'BAD_REQUEST');
    expect((await request(`${stack.visitorUrl}/healthz`, { method: 'GET' })).body.liveAccounts).toBe(before);
  });

  test('/visitor/end deactivates the account: the token is dead and the homeserver says so', async () => {
    const stack = loadStack();
    const visitor = await newVisitor();
    expect(await tokenWorks(visitor.accessToken)).toBe('works');
    const reply = await request(`${stack.visitorUrl}/visitor/end`, { headers: { Origin: PAGE_ORIGIN, Authorization: `Bearer ${visitor.accessToken}` } });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(reply.body).toEqual({ ended: true, userId: visitor.userId });
    expect(await tokenWorks(visitor.accessToken)).toBe('M_UNKNOWN_TOKEN');
    expect(await accountState(visitor.userId)).toEqual({ deactivated: true, erased: true });
    // Ending twice is a refusal, not an error.
    expectRefusal(await request(`${stack.visitorUrl}/visitor/end`, { headers: { Authorization: `Bearer ${visitor.accessToken}` } }), 404, 'UNKNOWN_SESSION');
  });

  test('/visitor/end takes the token as navigator.sendBeacon sends it, and never ends a non-visitor', async () => {
    const stack = loadStack();
    const visitor = await newVisitor();
    const beacon = await request(`${stack.visitorUrl}/visitor/end`, {
      headers: { Origin: PAGE_ORIGIN, 'Content-Type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify({ accessToken: visitor.accessToken }),
    });
    expect(beacon.status, JSON.stringify(beacon.body)).toBe(200);
    expect(await tokenWorks(visitor.accessToken)).toBe('M_UNKNOWN_TOKEN');

    const someone = await registerUser();
    expectRefusal(await request(`${stack.visitorUrl}/visitor/end`, { headers: { Authorization: `Bearer ${someone.accessToken}` } }), 404, 'UNKNOWN_SESSION');
    expect(await tokenWorks(someone.accessToken)).toBe('works');
  });
});


test.describe('visitor service (instances started by this test)', () => {
  let stateDir: string;
  const running: VisitorProcess[] = [];

  test.beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'visitor-e2e-'));
  });

  test.afterAll(async () => {
    for (const instance of running) {
      if (instance.child.exitCode === null) {
        instance.child.kill('SIGTERM');
        await instance.exited();
      }
    }
    rmSync(stateDir, { recursive: true, force: true });
  });

  function start(env: Record<string, string>): VisitorProcess {
    const instance = VisitorProcess.start(env);
    running.push(instance);
    return instance;
  }

  test('the rate limit answers 429 with Retry-After, per client behind a trusted proxy', async () => {
    const instance = start({
      VISITOR_RATE_BURST: '2',
      VISITOR_RATE_REFILL_SECONDS: '3600',
      VISITOR_TRUSTED_PROXIES: '127.0.0.1',
      VISITOR_STATE_FILE: join(stateDir, 'rate.json'),
      VISITOR_LIFETIME_SECONDS: '60',
    });
    const url = await instance.url();
    const target = loadStack().visitorTargets[0] as string;
    const client = { Origin: PAGE_ORIGIN, 'X-Forwarded-For': '198.51.100.7' };
    expect((await startSession(url, target, client)).status).toBe(200);
    expect((await startSession(url, target, client)).status).toBe(200);
    const limited = await startSession(url, target, client);
    expectRefusal(limited, 429, 'RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body.retryAfterMs).toBeGreaterThan(0);
    expect(limited.headers.get('access-control-expose-headers')).toBe('Retry-After');
    // Another client behind the same proxy has its own bucket.
    expect((await startSession(url, target, { Origin: PAGE_ORIGIN, 'X-Forwarded-For': '198.51.100.8' })).status).toBe(200);
  });

  test('an account whose lifetime runs out is deactivated', async () => {
    const instance = start({ VISITOR_LIFETIME_SECONDS: '2', VISITOR_STATE_FILE: join(stateDir, 'lifetime.json') });
    const visitor = await newVisitor(await instance.url());
    await expect.poll(() => tokenWorks(visitor.accessToken), { timeout: 60_000 }).toBe('M_UNKNOWN_TOKEN');
    expect(await accountState(visitor.userId)).toEqual({ deactivated: true, erased: true });
    await expect.poll(() => instance.output).toContain(`visitor account deactivated user=${visitor.userId} reason="lifetime over"`);
    expect(instance.output).toContain(`visitor session started user=${visitor.userId}`);
    expect(instance.output).not.toContain(visitor.accessToken);
  });

  test('stopping the service deactivates its live accounts', async () => {
    const instance = start({ VISITOR_STATE_FILE: join(stateDir, 'stop.json') });
    const visitor = await newVisitor(await instance.url());
    instance.child.kill('SIGTERM');
    expect(await instance.exited()).toBe(0);
    expect(await tokenWorks(visitor.accessToken)).toBe('M_UNKNOWN_TOKEN');
    expect(JSON.parse(readFileSync(join(stateDir, 'stop.json'), 'utf8'))).toEqual({ version: 1, accounts: [] });
  });

  test('after a crash, the next start deactivates the accounts the state file kept', async () => {
    const stateFile = join(stateDir, 'crash.json');
    const crashed = start({ VISITOR_STATE_FILE: stateFile, VISITOR_LIFETIME_SECONDS: '900' });
    const visitor = await newVisitor(await crashed.url());
    crashed.child.kill('SIGKILL');
    await crashed.exited();
    expect(await tokenWorks(visitor.accessToken)).toBe('works');
    const kept = JSON.parse(readFileSync(stateFile, 'utf8')) as { accounts: Array<{ userId: string; expiresAt: number }> };
    expect(kept.accounts.map((account) => account.userId)).toEqual([visitor.userId]);
    expect(JSON.stringify(kept)).not.toContain(visitor.accessToken);

    // The next run is stopped at once: it must still deactivate what the crashed run left.
    const next = start({ VISITOR_STATE_FILE: stateFile });
    await next.url();
    expect(next.output).toContain('1 visitor account(s) from an earlier run');
    next.child.kill('SIGTERM');
    expect(await next.exited()).toBe(0);
    expect(await tokenWorks(visitor.accessToken)).toBe('M_UNKNOWN_TOKEN');
    expect(await accountState(visitor.userId)).toEqual({ deactivated: true, erased: true });
  });

  test('a homeserver that cannot be reached (503) or refuses the service (502) is HOMESERVER_UNREACHABLE', async () => {
    // Nothing listens on port 9 of the namespace's loopback.
    const down = start({ VISITOR_HOMESERVER_URL: 'http://127.0.0.1:9', VISITOR_STATE_FILE: join(stateDir, 'down.json') });
    expectRefusal(await startSession(await down.url(), loadStack().visitorTargets[0] as string), 503, 'HOMESERVER_UNREACHABLE');
    const unregistered = start({ VISITOR_AS_TOKEN: 'not-the-registered-as-token', VISITOR_STATE_FILE: join(stateDir, 'unregistered.json') });
    expectRefusal(await startSession(await unregistered.url(), loadStack().visitorTargets[0] as string), 502, 'HOMESERVER_UNREACHABLE');
    await expect.poll(() => unregistered.output).toContain('M_UNKNOWN_TOKEN');
  });

  test('a room the homeserver will not let the visitor join is ROOM_NOT_JOINABLE, and the new account is deactivated', async () => {
    const stranger = await registerUser();
    const inviteOnly = await createRoom(stranger, {});
    const gone = `#gone-${Date.now()}:${loadStack().serverName}`;
    const instance = start({ VISITOR_ALLOWED_ROOMS: `${inviteOnly} ${gone}`, VISITOR_STATE_FILE: join(stateDir, 'not-joinable.json') });
    const url = await instance.url();
    const refused = await startRoomSession(url, inviteOnly);
    expectRefusal(refused, 502, 'ROOM_NOT_JOINABLE');
    expect(refused.body.message).toContain('does not let visitors join');
    await expect.poll(() => instance.output).toContain('reason="could not join the room"');
    const deactivated = /visitor account deactivated user=(\S+) reason="could not join the room"/.exec(instance.output)?.[1] ?? '';
    expect(await accountState(deactivated)).toEqual({ deactivated: true, erased: true });
    const noRoom = await startRoomSession(url, gone);
    expectRefusal(noRoom, 502, 'ROOM_NOT_JOINABLE');
    expect(noRoom.body.message).toContain('no room has this address');
    expect((await request(`${url}/healthz`, { method: 'GET' })).body.liveAccounts).toBe(0);
  });

  test('exits 1 with one line naming a missing variable', async () => {
    const broken = VisitorProcess.start({ VISITOR_ALLOWED_TARGETS: '' });
    expect(await broken.exited()).toBe(1);
    expect(broken.output.trim().split('\n')).toEqual([expect.stringContaining('VISITOR_ALLOWED_TARGETS: not set')]);
  });
});
