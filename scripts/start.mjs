#!/usr/bin/env node
// `npm start`: brings the local stack up, makes sure the demo users and their shared room exist, and serves
// the demo on http://127.0.0.1:8080. Point it at another homeserver with DEMO_HOMESERVER_URL and DEMO_USERS
// (see README); the local stack is then not started.
import { createHmac } from 'node:crypto';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { servePages } from './page-server.mjs';
import { ROOT, describeError, stackConfig, up } from './stack.mjs';

const INSTANCE = process.env.STACK_INSTANCE ?? 'dev';
// The 1:1 calls' room holds the first two demo users; the group call's room, end-to-end encrypted, all of them.
const DEMO_ROOM = { alias: 'matrix-call-kit-demo', name: 'matrix-call-kit demo', encrypted: false };
const GROUP_ROOM = { alias: 'matrix-call-kit-demo-group', name: 'matrix-call-kit demo group call', encrypted: true };
const LOCAL_DEMO_USERS = [
  { username: 'alice', password: 'alice-demo-password', displayName: 'Alice (demo)' },
  { username: 'bob', password: 'bob-demo-password', displayName: 'Bob (demo)' },
  { username: 'carol', password: 'carol-demo-password', displayName: 'Carol (demo)' },
];

async function matrix(homeserverUrl, path, { method = 'GET', token, body } = {}) {
  const response = await fetch(`${homeserverUrl}${path}`, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await response.json().catch(() => ({}));
  return { status: response.status, json };
}

/** Registers a local demo user through the shared-secret admin API; an existing user is kept as it is. */
async function ensureLocalUser(homeserverUrl, secret, user) {
  const { json: { nonce } } = await matrix(homeserverUrl, '/_synapse/admin/v1/register');
  const mac = createHmac('sha1', secret).update(`${nonce}\0${user.username}\0${user.password}\0notadmin`).digest('hex');
  const { status, json } = await matrix(homeserverUrl, '/_synapse/admin/v1/register', {
    method: 'POST',
    body: { nonce, username: user.username, password: user.password, admin: false, displayname: user.displayName, mac },
  });
  if (status !== 200 && json.errcode !== 'M_USER_IN_USE') {
    throw new Error(`could not register demo user ${user.username}: ${status} ${JSON.stringify(json)}`);
  }
}

async function login(homeserverUrl, user) {
  const { status, json } = await matrix(homeserverUrl, '/_matrix/client/v3/login', {
    method: 'POST',
    body: { type: 'm.login.password', identifier: { type: 'm.id.user', user: user.username }, password: user.password },
  });
  if (status !== 200) throw new Error(`demo user ${user.username} cannot log in: ${status} ${JSON.stringify(json)}`);
  return json;
}

/**
 * A room the demo users share: found by its alias, or created by the first user and joined by the others. Its
 * members may join its group call (call membership at power level 0, as in the rooms Element creates).
 */
async function ensureDemoRoom(homeserverUrl, sessions, { alias: aliasName, name, encrypted }) {
  const [owner, ...others] = sessions;
  const serverName = owner.user_id.slice(owner.user_id.indexOf(':') + 1);
  const alias = `#${aliasName}:${serverName}`;
  let roomId = (await matrix(homeserverUrl, `/_matrix/client/v3/directory/room/${encodeURIComponent(alias)}`)).json.room_id;
  if (!roomId) {
    const created = await matrix(homeserverUrl, '/_matrix/client/v3/createRoom', {
      method: 'POST',
      token: owner.access_token,
      body: {
        name,
        room_alias_name: aliasName,
        preset: 'private_chat',
        invite: others.map((s) => s.user_id),
        initial_state: encrypted ? [{ type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } }] : [],
        power_level_content_override: { events: { 'org.matrix.msc3401.call.member': 0 } },
      },
    });
    if (created.status !== 200) throw new Error(`could not create the demo room ${alias}: ${JSON.stringify(created.json)}`);
    roomId = created.json.room_id;
  }
  for (const session of sessions) {
    await matrix(homeserverUrl, `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/invite`, {
      method: 'POST', token: owner.access_token, body: { user_id: session.user_id },
    });
    const joined = await matrix(homeserverUrl, `/_matrix/client/v3/join/${encodeURIComponent(roomId)}`, {
      method: 'POST', token: session.access_token, body: {},
    });
    if (joined.status !== 200) throw new Error(`${session.user_id} could not join the demo room ${alias}: ${JSON.stringify(joined.json)}`);
  }
  return roomId;
}

function parseDemoUsers(raw) {
  return raw.split(',').map((pair) => {
    const colon = pair.indexOf(':');
    if (colon <= 0) throw new Error(`DEMO_USERS must look like "alice:password,bob:password", got "${pair}"`);
    return { username: pair.slice(0, colon).trim(), password: pair.slice(colon + 1) };
  });
}

async function main() {
  let homeserverUrl = process.env.DEMO_HOMESERVER_URL?.replace(/\/+$/, '');
  let users;
  if (homeserverUrl) {
    if (!process.env.DEMO_USERS) throw new Error('DEMO_HOMESERVER_URL needs DEMO_USERS="user1:password1,user2:password2[,user3:password3]" (existing accounts)');
    users = parseDemoUsers(process.env.DEMO_USERS);
  } else {
    const stack = await up(INSTANCE);
    homeserverUrl = stack.homeserverUrl;
    users = LOCAL_DEMO_USERS;
    for (const user of users) await ensureLocalUser(homeserverUrl, stack.registrationSharedSecret, user);
  }
  const sessions = [];
  for (const user of users) sessions.push(await login(homeserverUrl, user));
  const roomId = await ensureDemoRoom(homeserverUrl, sessions.slice(0, 2), DEMO_ROOM);
  const groupRoomId = await ensureDemoRoom(homeserverUrl, sessions, GROUP_ROOM);
  // The logins above only served the setup; the demo page signs in on its own.
  for (const session of sessions) await matrix(homeserverUrl, '/_matrix/client/v3/logout', { method: 'POST', token: session.access_token, body: {} });

  const servedir = join(stackConfig(INSTANCE).runDir, 'demo-www');
  mkdirSync(servedir, { recursive: true });
  copyFileSync(join(ROOT, 'demo', 'index.html'), join(servedir, 'index.html'));
  writeFileSync(join(servedir, 'config.json'), JSON.stringify({ homeserverUrl, roomId, groupRoomId, users }, null, 2));
  const port = Number(process.env.DEMO_PORT ?? 8080);
  const server = await servePages({ servedir, entryPoints: [join(ROOT, 'demo', 'demo.ts')], port, rebuildOnRequest: true });

  process.stdout.write(`\nmatrix-call-kit demo: ${server.url}/\n` +
    `  homeserver  ${homeserverUrl}\n` +
    users.map((u) => `  user        ${u.username} / ${u.password}   (one tab: ${server.url}/?user=${encodeURIComponent(u.username)})`).join('\n') +
    `\n  demo room   ${roomId} (1:1 calls between ${users.slice(0, 2).map((u) => u.username).join(' and ')})` +
    `\n  group call  ${groupRoomId} (end-to-end encrypted, everyone)\n\nPress Ctrl+C to stop the demo server (the stack keeps running: npm run stack:down).\n`);
  const stop = async () => {
    await server.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error) => {
  process.stderr.write(`${describeError(error)}\n`);
  process.exit(1);
});
