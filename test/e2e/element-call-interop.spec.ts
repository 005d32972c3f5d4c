import { expect, test, type Browser, type Page } from '@playwright/test';
import { AUDIBLE_ENERGY } from '../helpers/audible.js';
import { credentialsOf } from '../helpers/calls.js';
import { elementCallFrame, elementCallVideos, openElementCall, serveElementCall } from '../helpers/element-call.js';
import { openHarness } from '../helpers/pages.js';
import { matrixRequest } from '../helpers/raw-matrix.js';
import { createRoom, joinRoom, registerUser, type TestUser } from '../helpers/synapse.js';

// Interop with Element Call's published widget build (@element-hq/element-call-embedded), hosted as Element Web
// hosts it (test/e2e/pages/widget-host.ts), in one MatrixRTC call with the kit on the real stack.

const CALL_MEMBER = 'org.matrix.msc3401.call.member';

let elementCall: Awaited<ReturnType<typeof serveElementCall>>;
test.beforeAll(async () => {
  elementCall = await serveElementCall();
});
test.afterAll(async () => {
  await elementCall?.stop();
});

interface KitMember {
  user: TestUser;
  page: Page;
  identity: string;
}

/** The room's call membership state keys whose content is not empty (a left membership's is). */
async function callMemberships(roomId: string, asUser: TestUser): Promise<string[]> {
  const state = await matrixRequest<{ type: string; state_key: string; content: Record<string, unknown> }[]>(asUser, 'GET', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state`);
  return state.filter((event) => event.type === CALL_MEMBER && Object.keys(event.content).length > 0).map((event) => event.state_key).sort();
}

const stateKeyOf = (user: TestUser) => `_${user.userId}_${user.deviceId}_m.call`;

/** Elsa (for Element Call) and Kit, both in a new room (unencrypted) where members may join calls. */
async function elsaAndKitInARoom(): Promise<{ ecUser: TestUser; kitUser: TestUser; roomId: string }> {
  const [ecUser, kitUser] = await Promise.all([registerUser({ displayName: 'Elsa' }), registerUser({ displayName: 'Kit' })]);
  const roomId = await createRoom(ecUser, { name: 'Interop', invite: [kitUser.userId], eventPowerLevels: { [CALL_MEMBER]: 0 } });
  await joinRoom(kitUser, roomId);
  return { ecUser, kitUser, roomId };
}

async function kitMember(browser: Browser, user: TestUser, roomId: string, options: { password?: string } = {}): Promise<KitMember> {
  const page = await openHarness(browser);
  await page.evaluate((credentials) => window.mx.startKit(credentials, { listenLater: true }), credentialsOf(user));
  expect(await page.evaluate(([room, joinOptions]) => window.mx.kitJoinGroupCall(room, joinOptions), [roomId, options] as const)).toBeUndefined();
  return { user, page, identity: `${user.userId}:${user.deviceId}` };
}

/** The kit sees `identity` connected, decodes its video and hears its audio. */
async function expectKitReceives(member: KitMember, identity: string, encrypted: boolean): Promise<void> {
  await expect.poll(() => member.page.evaluate(() => window.mx.kitGroupSnapshot().participants.filter((p) => p.status === 'connected').map((p) => p.identity)), { message: `${member.identity} to see ${identity} connected`, timeout: 60_000 }).toContain(identity);
  await expect.poll(async () => {
    const received = (await member.page.evaluate(() => window.mx.kitGroupReceived()))[identity];
    return (received?.framesDecoded ?? 0) > 10 && (received?.audioEnergy ?? 0) > AUDIBLE_ENERGY;
  }, { message: `${member.identity} to decode ${identity}'s video and hear its audio`, timeout: 60_000 }).toBe(true);
  const participant = await member.page.evaluate((id) => window.mx.kitGroupSnapshot().participants.find((p) => p.identity === id), identity);
  expect(participant?.encrypted).toBe(encrypted);
}

/** Element Call shows `displayName`'s video, and its frames keep coming. */
async function expectElementCallShows(page: Page, displayName: string): Promise<void> {
  const framesOf = async () => Math.max(0, ...(await elementCallVideos(page)).filter((video) => video.label.includes(displayName)).map((video) => video.frames));
  await expect.poll(framesOf, { message: `Element Call to show ${displayName}'s video`, timeout: 60_000 }).toBeGreaterThan(10);
  const before = await framesOf();
  await expect.poll(framesOf, { message: `${displayName}'s video in Element Call to keep playing` }).toBeGreaterThan(before + 10);
}

test.describe('interop with Element Call (published widget build)', () => {
  test('unencrypted room: Element Call and the kit join one call, media flows both ways, and each leave removes its membership', async ({ browser }) => {
    test.setTimeout(180_000);
    const { ecUser, kitUser, roomId } = await elsaAndKitInARoom();

    const kit = await kitMember(browser, kitUser, roomId);
    const ec = await openElementCall(browser, ecUser, roomId, elementCall.url, { perParticipantE2EE: false });

    await expectKitReceives(kit, `${ecUser.userId}:${ecUser.deviceId}`, false);
    await expectElementCallShows(ec, 'Kit');
    expect(await callMemberships(roomId, ecUser)).toEqual([stateKeyOf(ecUser), stateKeyOf(kitUser)].sort());

    expect(await kit.page.evaluate(() => window.mx.kitLeaveGroupCall())).toBe('left');
    expect(await callMemberships(roomId, ecUser)).toEqual([stateKeyOf(ecUser)]);

    await ec.evaluate(() => window.ecHost.hangup());
    await expect.poll(() => callMemberships(roomId, ecUser), { message: 'Element Call to leave on hang-up' }).toEqual([]);
  });

  test('shared-secret E2EE (Element Call\'s password) in an unencrypted room: Element Call and the kit decode each other', async ({ browser }) => {
    test.setTimeout(180_000);
    const { ecUser, kitUser, roomId } = await elsaAndKitInARoom();
    const password = 'a secret both were given';

    const kit = await kitMember(browser, kitUser, roomId, { password });
    const ec = await openElementCall(browser, ecUser, roomId, elementCall.url, { perParticipantE2EE: false, password });

    await expectKitReceives(kit, `${ecUser.userId}:${ecUser.deviceId}`, true);
    await expectElementCallShows(ec, 'Kit');
    await kit.page.evaluate(() => window.mx.kitLeaveGroupCall());
    await ec.evaluate(() => window.ecHost.hangup());
    await expect.poll(() => callMemberships(roomId, ecUser), { message: 'both to leave' }).toEqual([]);
  });

  test('raised hands and reactions: Element Call shows the kit\'s, and the kit shows Element Call\'s', async ({ browser }) => {
    test.setTimeout(180_000);
    const { ecUser, kitUser, roomId } = await elsaAndKitInARoom();
    const kit = await kitMember(browser, kitUser, roomId);
    const ec = await openElementCall(browser, ecUser, roomId, elementCall.url, { perParticipantE2EE: false });
    const ecIdentity = `${ecUser.userId}:${ecUser.deviceId}`;
    await expectKitReceives(kit, ecIdentity, false);
    await expectElementCallShows(ec, 'Kit');
    const ecShows = (text: string) => elementCallFrame(ec).evaluate((wanted) => document.body.innerText.includes(wanted), text);

    // The kit raises its hand and reacts: Element Call's tile for it shows both.
    expect(await ecShows('✋')).toBe(false);
    expect(await kit.page.evaluate(() => window.mx.kitSetGroupHandRaised(true))).toBeUndefined();
    await expect.poll(() => ecShows('✋'), { message: 'Element Call to show the kit\'s raised hand' }).toBe(true);
    expect(await kit.page.evaluate(() => window.mx.kitSendGroupReaction('🎉', 'party'))).toBeUndefined();
    await expect.poll(() => ecShows('🎉'), { message: 'Element Call to show the kit\'s reaction', intervals: [100] }).toBe(true);
    expect(await kit.page.evaluate(() => window.mx.kitSetGroupHandRaised(false))).toBeUndefined();
    await expect.poll(() => ecShows('✋'), { message: 'Element Call to see the kit\'s hand lowered' }).toBe(false);

    // Element Call's keyboard shortcuts: H raises the hand, 1 sends its first reaction (thumbsup).
    await elementCallFrame(ec).locator('body').click({ position: { x: 5, y: 5 } });
    await ec.keyboard.press('h');
    await expect.poll(async () => (await kit.page.evaluate(() => window.mx.kitGroupHands()))[ecIdentity], { message: 'the kit to show Element Call\'s raised hand' }).toBe(true);
    await ec.keyboard.press('1');
    await expect.poll(async () => (await kit.page.evaluate(() => window.mx.kitGroupReactionsSeen())).filter((reaction) => reaction.identity === ecIdentity).map(({ emoji, name }) => `${emoji} ${name}`),
      { message: 'the kit to show Element Call\'s reaction' }).toEqual(['👍 thumbsup']);
    await ec.keyboard.press('h');
    await expect.poll(async () => (await kit.page.evaluate(() => window.mx.kitGroupHands()))[ecIdentity], { message: 'the kit to see Element Call\'s hand lowered' }).toBe(false);

    await kit.page.evaluate(() => window.mx.kitLeaveGroupCall());
    await ec.evaluate(() => window.ecHost.hangup());
  });

  test('encrypted room, per-participant E2EE: Element Call and two kit members exchange keys and media in both directions', async ({ browser }) => {
    test.setTimeout(240_000);
    const [ecUser, noraUser, ottoUser] = await Promise.all(['Elsa', 'Nora', 'Otto'].map((displayName) => registerUser({ displayName })));
    const roomId = await createRoom(ecUser!, { name: 'Interop', invite: [noraUser!.userId, ottoUser!.userId], eventPowerLevels: { [CALL_MEMBER]: 0 }, encrypted: true });
    await Promise.all([noraUser!, ottoUser!].map((user) => joinRoom(user, roomId)));

    const [nora, otto] = await Promise.all([kitMember(browser, noraUser!, roomId), kitMember(browser, ottoUser!, roomId)]);
    const ec = await openElementCall(browser, ecUser!, roomId, elementCall.url, { perParticipantE2EE: true });

    const ecIdentity = `${ecUser!.userId}:${ecUser!.deviceId}`;
    for (const [member, other] of [[nora!, otto!], [otto!, nora!]] as const) {
      await expectKitReceives(member, ecIdentity, true);
      await expectKitReceives(member, other.identity, true);
    }
    await expectElementCallShows(ec, 'Nora');
    await expectElementCallShows(ec, 'Otto');
    expect(await callMemberships(roomId, ecUser!)).toEqual([ecUser!, noraUser!, ottoUser!].map(stateKeyOf).sort());

    await Promise.all([nora!, otto!].map(({ page }) => page.evaluate(() => window.mx.kitLeaveGroupCall())));
    expect(await callMemberships(roomId, ecUser!)).toEqual([stateKeyOf(ecUser!)]);
    await ec.evaluate(() => window.ecHost.hangup());
    await expect.poll(() => callMemberships(roomId, ecUser!), { message: 'Element Call to leave on hang-up' }).toEqual([]);
  });
});
