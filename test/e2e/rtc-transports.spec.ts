import { expect, test } from '@playwright/test';
import { credentialsOf } from '../helpers/calls.js';
import { openHarness } from '../helpers/pages.js';
import { loadStack } from '../helpers/stack.js';
import { registerUser } from '../helpers/synapse.js';

// Where group calls find their LiveKit SFU, read by the kit from the real Synapse of the stack: it lists our
// token service at /_matrix/client/unstable/org.matrix.msc4143/rtc/transports (matrix_rtc.transports) and in
// its /.well-known/matrix/client (org.matrix.msc4143.rtc_foci), both as the stack's homeserver.yaml sets them.

async function kitPage(browser: Parameters<Parameters<typeof test>[2]>[0]['browser']) {
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
