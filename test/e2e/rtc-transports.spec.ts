import { createHash } from 'node:crypto';
import { expect, test, type Browser } from '@playwright/test';
import { credentialsOf } from '../helpers/calls.js';
import { openHarness } from '../helpers/pages.js';
import { loadStack } from '../helpers/stack.js';
import { registerUser } from '../helpers/synapse.js';

/** Unpadded standard base64 of SHA-256 of the JSON of `parts`: how LiveKit rooms and sticky identities are named. */
const hashName = (parts: string[]) => createHash('sha256').update(JSON.stringify(parts)).digest('base64').replace(/=+$/, '');

// Where group calls find their LiveKit SFU, read by the kit from the real Synapse of the stack: it lists our
// token service at /_matrix/client/unstable/org.matrix.msc4143/rtc/transports (matrix_rtc.transports) and in
// its /.well-known/matrix/client (org.matrix.msc4143.rtc_foci), both as the stack's homeserver.yaml sets them.

async function kitPage(browser: Browser) {
  const page = await openHarness(browser);
  const user = await registerUser({ displayName: 'Rita' });
  await page.evaluate((credentials) => window.mx.startKit(credentials, { listenLater: true }), credentialsOf(user));
  return page;
}

test.describe('group calls: RTC transport discovery', () => {
  test('the homeserver\'s MSC4143 list comes first', async ({ browser }) => {
    const page = await kitPage(browser);
    const found = await page.evaluate(() => window.mx.rtcDiscoverTransports([], ['http://127.0.0.9:1']));
    expect(found).toEqual({ transports: [{ livekitServiceUrl: loadStack().rtcAuthUrl, source: 'homeserver' }] });
  });

  test('without it, the homeserver\'s .well-known rtc_foci', async ({ browser }) => {
    const page = await kitPage(browser);
    const found = await page.evaluate(() => window.mx.rtcDiscoverTransports(['homeserver'], ['http://127.0.0.9:1']));
    expect(found).toEqual({ transports: [{ livekitServiceUrl: loadStack().rtcAuthUrl, source: 'well-known' }] });
  });

  test('without either, the kit\'s configuration', async ({ browser }) => {
    const page = await kitPage(browser);
    const found = await page.evaluate(() => window.mx.rtcDiscoverTransports(['homeserver', 'well-known'], ['http://127.0.0.9:1/']));
    expect(found).toEqual({ transports: [{ livekitServiceUrl: 'http://127.0.0.9:1', source: 'configuration' }] });
  });

  test('with none, NO_RTC_TRANSPORT tells an administrator what to configure where', async ({ browser }) => {
    const page = await kitPage(browser);
    const found = await page.evaluate(() => window.mx.rtcDiscoverTransports(['homeserver', 'well-known'], []));
    expect(found).toMatchObject({ code: 'NO_RTC_TRANSPORT' });
    expect(found).toHaveProperty('message', expect.stringContaining('matrix_rtc.transports'));
    expect(found).toHaveProperty('message', expect.stringContaining(loadStack().homeserverUrl));
  });
});

test.describe('group calls: LiveKit tokens from the token service (services/rtc-auth on the stack)', () => {
  const ROOM = '!call:localhost';

  test('state-event form: /sfu/get answers the LiveKit URL and a JWT for the call\'s room, as userId:deviceId', async ({ browser }) => {
    const page = await kitPage(browser);
    const { userId, deviceId } = await page.evaluate(() => window.mx.kitIdentity());
    const token = await page.evaluate((room) => window.mx.rtcRequestToken(room, 'state-event'), ROOM);
    expect(token).toMatchObject({ url: loadStack().livekitUrl, claims: { sub: `${userId}:${deviceId}`, video: { room: hashName([ROOM, 'm.call#ROOM']) } } });
    expect(token).toHaveProperty('expiresAt', expect.any(Number));
  });

  test('sticky form: /get_token answers a JWT whose identity hashes user, device and member id', async ({ browser }) => {
    const page = await kitPage(browser);
    const { userId, deviceId } = await page.evaluate(() => window.mx.kitIdentity());
    const token = await page.evaluate((room) => window.mx.rtcRequestToken(room, 'sticky', { memberId: 'member-1' }), ROOM);
    expect(token).toMatchObject({ claims: { sub: hashName([userId, deviceId, 'member-1']), video: { room: hashName([ROOM, 'm.call#ROOM']) } } });
  });

  test('an OpenID token the homeserver does not know: TOKEN_SERVICE_UNAUTHORIZED naming the service', async ({ browser }) => {
    const page = await kitPage(browser);
    const token = await page.evaluate((room) => window.mx.rtcRequestToken(room, 'state-event', { forgeOpenId: true }), ROOM);
    expect(token).toMatchObject({ code: 'TOKEN_SERVICE_UNAUTHORIZED' });
    expect(token).toHaveProperty('message', expect.stringContaining(loadStack().rtcAuthUrl));
  });

  test('a token service that is not there: TOKEN_SERVICE_UNREACHABLE naming it', async ({ browser }) => {
    const page = await kitPage(browser);
    const token = await page.evaluate((room) => window.mx.rtcRequestToken(room, 'state-event', { serviceUrl: 'http://127.0.0.9:1' }), ROOM);
    expect(token).toMatchObject({ code: 'TOKEN_SERVICE_UNREACHABLE' });
    expect(token).toHaveProperty('message', expect.stringContaining('http://127.0.0.9:1'));
  });
});
