import { expect, test, type Browser, type Page } from '@playwright/test';
import { AUDIBLE_ENERGY } from '../helpers/audible.js';
import { credentialsOf } from '../helpers/calls.js';
import { openHarness } from '../helpers/pages.js';
import { matrixRequest } from '../helpers/raw-matrix.js';
import { startSecondSfu, type SecondSfu } from '../helpers/second-sfu.js';
import { loadStack } from '../helpers/stack.js';
import { createRoom, joinRoom, registerUser, type TestUser } from '../helpers/synapse.js';

// Multi-SFU: members whose homeservers advertise different SFUs each publish on their own, and everyone
// subscribes to each member on the SFU its membership names (one LiveKit connection per other SFU).

const CALL_MEMBER = 'org.matrix.msc3401.call.member';
const TRANSPORTS_PATH = '/_matrix/client/unstable/org.matrix.msc4143/rtc/transports';

let second: SecondSfu;
test.beforeAll(async () => {
  second = await startSecondSfu();
});
test.afterAll(async () => {
  await second?.stop();
});

interface Member {
  user: TestUser;
  page: Page;
  identity: string;
}

/** A member whose homeserver advertises `serviceUrl` as its RTC transport (or the stack's own, without). */
async function member(browser: Browser, user: TestUser, serviceUrl?: string): Promise<Member> {
  const page = await openHarness(browser);
  if (serviceUrl) {
    // The one homeserver of the stack stands for another that advertises the second SFU.
    await page.route(`**${TRANSPORTS_PATH}`, (route) => route.fulfill({ json: { rtc_transports: [{ type: 'livekit', livekit_service_url: serviceUrl }] } }));
  }
  await page.evaluate((credentials) => window.mx.startKit(credentials, { listenLater: true }), credentialsOf(user));
  const { userId, deviceId } = await page.evaluate(() => window.mx.kitIdentity());
  return { user, page, identity: `${userId}:${deviceId}` };
}

async function transportsInState(roomId: string, asUser: TestUser): Promise<Record<string, unknown>> {
  const state = await matrixRequest<{ type: string; state_key: string; content: { foci_preferred?: { livekit_service_url?: string }[] } }[]>(asUser, 'GET', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state`);
  return Object.fromEntries(state.filter((event) => event.type === CALL_MEMBER && event.content.foci_preferred).map((event) => [event.state_key, event.content.foci_preferred?.[0]?.livekit_service_url]));
}

test('two SFUs as two transports: members on each see and hear each other in one encrypted call', async ({ browser }) => {
  test.setTimeout(180_000);
  const users = await Promise.all(['Nia', 'Oto', 'Pia'].map((displayName) => registerUser({ displayName })));
  const [nia, oto, pia] = users as [TestUser, TestUser, TestUser];
  const roomId = await createRoom(nia, { name: 'Across SFUs', invite: [oto.userId, pia.userId], encrypted: true, eventPowerLevels: { [CALL_MEMBER]: 0 } });
  await Promise.all([oto, pia].map((user) => joinRoom(user, roomId)));
  const members = [await member(browser, nia), await member(browser, oto, second.serviceUrl), await member(browser, pia)];

  for (const { page } of members) expect(await page.evaluate((room) => window.mx.kitJoinGroupCall(room), roomId)).toBeUndefined();

  // Each membership names the SFU its member publishes on.
  const published = Object.values(await transportsInState(roomId, nia)).map((url) => new URL(String(url)).origin);
  const stackOrigin = new URL(loadStack().rtcAuthUrl).origin;
  expect(published.sort()).toEqual([stackOrigin, stackOrigin, new URL(second.serviceUrl).origin].sort());

  for (const listener of members) {
    const others = members.filter((other) => other !== listener).map((other) => other.identity).sort();
    await expect.poll(() => listener.page.evaluate(() => window.mx.kitGroupSnapshot().participants.filter((participant) => participant.status === 'connected').map((participant) => participant.identity).sort()),
      { message: `${listener.identity} to see the others connected`, timeout: 45_000 }).toEqual(others);
    await expect.poll(async () => {
      const received = await listener.page.evaluate(() => window.mx.kitGroupReceived());
      return others.every((identity) => (received[identity]?.framesDecoded ?? 0) > 10 && (received[identity]?.audioEnergy ?? 0) > AUDIBLE_ENERGY);
    }, { message: `${listener.identity} to decode the others' video and hear their audio`, timeout: 45_000 }).toBe(true);
    const snapshot = await listener.page.evaluate(() => window.mx.kitGroupSnapshot());
    expect(snapshot.participants.every((participant) => participant.encrypted)).toBe(true);
  }

  // Oto leaves: nobody uses the second SFU any more, and the others close their connection to it.
  await members[1]!.page.evaluate(() => window.mx.kitLeaveGroupCall());
  await expect.poll(() => members[0]!.page.evaluate(() => window.mx.kitGroupSnapshot().participants.map((participant) => participant.identity)), { timeout: 30_000 }).toEqual([members[2]!.identity]);
  await Promise.all([members[0]!, members[2]!].map(({ page }) => page.evaluate(() => window.mx.kitLeaveGroupCall())));
});
