import { expect, test, type Browser } from '@playwright/test';
import { startKitIn, startMatrixCallIn, twoPartiesInADm, type CallParty } from '../helpers/calls.js';
import { openHarness } from '../helpers/pages.js';
import { createDirectRoom, registerUser } from '../helpers/synapse.js';
import type { KitTestOptions } from './pages/harness.js';
import { AUDIBLE_ENERGY } from '../helpers/audible.js';

// 1:1 calls between the kit and matrix-js-sdk's MatrixCall (Element Web's implementation), in both
// directions. Media is checked on both sides from getStats: decoded video frames and received audio energy.

type Kind = 'video' | 'voice';

async function setUp(browser: Browser, kitOptions: KitTestOptions = {}): Promise<{ kit: CallParty; element: CallParty; roomId: string }> {
  const { a: kit, b: element, roomId } = await twoPartiesInADm(browser);
  await Promise.all([startKitIn(kit, kitOptions), startMatrixCallIn(element)]);
  return { kit, element, roomId };
}

/** The kit calls; resolves once MatrixCall rings with the same call id. */
async function kitCallsElement(kit: CallParty, element: CallParty, roomId: string, kind: Kind): Promise<string> {
  const callId = await kit.page.evaluate(([room, userId, k]) => window.mx.kitPlaceCall({ roomId: room, userId }, k), [roomId, element.user.userId, kind] as const);
  expect(await element.page.evaluate(() => window.mx.sdkNextIncoming())).toBe(callId);
  return callId;
}

/** MatrixCall calls (with `invitee`, unlike Element Web); resolves once the kit rings with the same call id. */
async function elementCallsKit(kit: CallParty, element: CallParty, roomId: string, kind: Kind, invitee: boolean = true): Promise<string> {
  const callId = await element.page.evaluate(([room, userId, k]) => window.mx.sdkPlaceCall(room, userId, k), [roomId, invitee ? kit.user.userId : undefined, kind] as const);
  expect(await kit.page.evaluate(() => window.mx.kitNextIncoming())).toBe(callId);
  expect(await kit.page.evaluate((id) => window.mx.kitSnapshot(id), callId)).toMatchObject({ phase: 'ringing', direction: 'inbound', kind });
  return callId;
}

async function expectConnectedWithMedia(kit: CallParty, element: CallParty, callId: string, kind: Kind): Promise<void> {
  await kit.page.evaluate((id) => window.mx.kitWaitForPhase(id, 'connected'), callId);
  await element.page.evaluate((id) => window.mx.sdkWaitForState(id, 'connected'), callId);
  const minFrames = kind === 'video' ? 10 : 0;
  const kitReceived = await kit.page.evaluate(([id, frames]) => window.mx.waitForMedia('kit', id, frames), [callId, minFrames] as const);
  const elementReceived = await element.page.evaluate(([id, frames]) => window.mx.waitForMedia('sdk', id, frames), [callId, minFrames] as const);
  expect(kitReceived.audioEnergy, 'the kit hears MatrixCall').toBeGreaterThan(AUDIBLE_ENERGY);
  expect(elementReceived.audioEnergy, 'MatrixCall hears the kit').toBeGreaterThan(AUDIBLE_ENERGY);
  if (kind === 'video') {
    expect(kitReceived.framesDecoded, 'the kit sees MatrixCall').toBeGreaterThanOrEqual(10);
    expect(elementReceived.framesDecoded, 'MatrixCall sees the kit').toBeGreaterThanOrEqual(10);
    const { feed, senders } = await kit.page.evaluate((id) => window.mx.kitLocalTracks(id), callId);
    expect(feed.video, 'one camera in the kit\'s feed').toHaveLength(1);
    expect(senders.video.map((t) => t.id), 'the camera itself in its sender').toEqual(feed.video.map((t) => t.id));
  } else {
    expect(kitReceived.framesDecoded, 'a voice call carries no video').toBe(0);
    expect(elementReceived.framesDecoded, 'a voice call carries no video').toBe(0);
  }
}

const kitSnapshot = (party: CallParty, callId: string) => party.page.evaluate((id) => window.mx.kitSnapshot(id), callId);
const sdkSnapshot = (party: CallParty, callId: string) => party.page.evaluate((id) => window.mx.sdkSnapshot(id), callId);

test.describe('kit <-> MatrixCall', () => {
  for (const kind of ['video', 'voice'] as const) {
    test(`the kit calls MatrixCall (${kind}); media flows both ways; the kit hangs up`, async ({ browser }) => {
      const { kit, element, roomId } = await setUp(browser);
      const callId = await kitCallsElement(kit, element, roomId, kind);
      await element.page.evaluate(([id, k]) => window.mx.sdkAction(id, k === 'video' ? 'answer-video' : 'answer-voice'), [callId, kind] as const);
      await expectConnectedWithMedia(kit, element, callId, kind);

      await kit.page.evaluate((id) => window.mx.kitAction(id, 'hangup'), callId);
      await element.page.evaluate((id) => window.mx.sdkWaitForState(id, 'ended'), callId);
      expect(await sdkSnapshot(element, callId)).toMatchObject({ hangupReason: 'user_hangup', hangupParty: 'remote' });
      expect(await kitSnapshot(kit, callId)).toMatchObject({ phase: 'ended', endReason: 'user_hangup', endedBy: 'local' });
    });

    test(`MatrixCall calls the kit (${kind}); media flows both ways; MatrixCall hangs up`, async ({ browser }) => {
      const { kit, element, roomId } = await setUp(browser);
      const callId = await elementCallsKit(kit, element, roomId, kind);
      await kit.page.evaluate(([id, k]) => window.mx.kitAction(id, k === 'video' ? 'answer-video' : 'answer-voice'), [callId, kind] as const);
      await expectConnectedWithMedia(kit, element, callId, kind);

      await element.page.evaluate((id) => window.mx.sdkAction(id, 'hangup'), callId);
      await expect.poll(() => kitSnapshot(kit, callId)).toMatchObject({ phase: 'ended', endReason: 'user_hangup', endedBy: 'remote' });
    });
  }

  // Where the browser already grants camera and microphone (as in the other tests), the invite or answer goes
  // out while they open. Where it will still ask, the kit waits for them, so it never rings anyone (or
  // answers) before the person has allowed them.
  test('a page that has yet to allow the camera: the kit invites and answers only once its tracks are live', async ({ browser }) => {
    const { kit, element, roomId } = await setUp(browser, { permissionsWillPrompt: true });
    const outbound = await kitCallsElement(kit, element, roomId, 'video');
    await element.page.evaluate((id) => window.mx.sdkAction(id, 'answer-video'), outbound);
    await expectConnectedWithMedia(kit, element, outbound, 'video');
    expect(await kit.page.evaluate((id) => window.mx.kitLiveLocalTracksAtPhase(id), outbound)).toMatchObject({ create_offer: 2, invite_sent: 2 });
    await kit.page.evaluate((id) => window.mx.kitAction(id, 'hangup'), outbound);

    const { kit: kit2, element: element2, roomId: room2 } = await setUp(browser, { permissionsWillPrompt: true });
    const inbound = await elementCallsKit(kit2, element2, room2, 'video');
    await kit2.page.evaluate((id) => window.mx.kitAction(id, 'answer-video'), inbound);
    await expectConnectedWithMedia(kit2, element2, inbound, 'video');
    expect(await kit2.page.evaluate((id) => window.mx.kitLiveLocalTracksAtPhase(id), inbound)).toMatchObject({ create_answer: 2 });
  });

  test('an invite that arrived before the page listened for calls rings once it does (1:1 calls load on first use)', async ({ browser }) => {
    const { kit, element, roomId } = await setUp(browser, { listenLater: true });
    const callId = await element.page.evaluate(([room, userId]) => window.mx.sdkPlaceCall(room, userId, 'voice'), [roomId, kit.user.userId] as const);
    await expect.poll(() => kit.page.evaluate((room) => window.mx.kitClientHasEvent(room, 'm.call.invite'), roomId), { message: 'the invite to reach the kit\'s client' }).toBe(true);
    await kit.page.evaluate(() => window.mx.kitListenForIncoming());
    expect(await kit.page.evaluate(() => window.mx.kitNextIncoming())).toBe(callId);
    await kit.page.evaluate((id) => window.mx.kitAction(id, 'answer-voice'), callId);
    await kit.page.evaluate((id) => window.mx.kitWaitForPhase(id, 'connected'), callId);
    await element.page.evaluate((id) => window.mx.sdkWaitForState(id, 'connected'), callId);
  });

  test('MatrixCall calls without `invitee` (as Element Web does) and the kit still rings and connects', async ({ browser }) => {
    const { kit, element, roomId } = await setUp(browser);
    const callId = await elementCallsKit(kit, element, roomId, 'video', false);
    await kit.page.evaluate((id) => window.mx.kitAction(id, 'answer-video'), callId);
    await expectConnectedWithMedia(kit, element, callId, 'video');
  });

  test('MatrixCall declines the kit\'s call', async ({ browser }) => {
    const { kit, element, roomId } = await setUp(browser);
    const callId = await kitCallsElement(kit, element, roomId, 'video');
    await element.page.evaluate((id) => window.mx.sdkAction(id, 'reject'), callId);
    await expect.poll(() => kitSnapshot(kit, callId)).toMatchObject({ phase: 'ended', endReason: 'rejected', endedBy: 'remote' });
  });

  test('the kit declines MatrixCall\'s call with m.call.reject, which MatrixCall honours', async ({ browser }) => {
    const { kit, element, roomId } = await setUp(browser);
    const callId = await elementCallsKit(kit, element, roomId, 'voice');
    await kit.page.evaluate((id) => window.mx.kitAction(id, 'reject'), callId);
    await element.page.evaluate((id) => window.mx.sdkWaitForState(id, 'ended'), callId);
    expect(await sdkSnapshot(element, callId)).toMatchObject({ hangupParty: 'remote' });
    expect(await kitSnapshot(kit, callId)).toMatchObject({ phase: 'ended', endReason: 'rejected', endedBy: 'local' });
  });

  test('the kit cancels its call before MatrixCall answers: MatrixCall stops ringing', async ({ browser }) => {
    const { kit, element, roomId } = await setUp(browser);
    const callId = await kitCallsElement(kit, element, roomId, 'video');
    await kit.page.evaluate((id) => window.mx.kitAction(id, 'hangup'), callId);
    await element.page.evaluate((id) => window.mx.sdkWaitForState(id, 'ended'), callId);
    expect(await sdkSnapshot(element, callId)).toMatchObject({ hangupParty: 'remote' });
  });

  test('MatrixCall cancels its call before the kit answers: the kit stops ringing', async ({ browser }) => {
    const { kit, element, roomId } = await setUp(browser);
    const callId = await elementCallsKit(kit, element, roomId, 'video');
    await element.page.evaluate((id) => window.mx.sdkAction(id, 'hangup'), callId);
    await expect.poll(() => kitSnapshot(kit, callId)).toMatchObject({ phase: 'ended', endedBy: 'remote' });
    expect(await kit.page.evaluate(() => window.mx.kitRingingCount())).toBe(0);
  });

  test('MatrixCall is busy: the kit\'s call ends as busy', async ({ browser }) => {
    const { kit, element, roomId } = await setUp(browser);
    const callId = await kitCallsElement(kit, element, roomId, 'voice');
    await element.page.evaluate((id) => window.mx.sdkAction(id, 'busy'), callId);
    await expect.poll(() => kitSnapshot(kit, callId)).toMatchObject({ phase: 'ended', endReason: 'user_busy', endedBy: 'remote' });
  });

  test('the kit is busy in a call: a second MatrixCall caller is declined at once', async ({ browser }) => {
    const { kit, element, roomId } = await setUp(browser, { whenBusy: 'reject' });
    const first = await elementCallsKit(kit, element, roomId, 'voice');
    await kit.page.evaluate((id) => window.mx.kitAction(id, 'answer-voice'), first);
    await kit.page.evaluate((id) => window.mx.kitWaitForPhase(id, 'connected'), first);

    const other = { user: await registerUser({ displayName: 'Cy' }), page: await openHarness(browser) };
    const otherRoom = await createDirectRoom(other.user, kit.user);
    await startMatrixCallIn(other);
    const second = await other.page.evaluate(([room, userId]) => window.mx.sdkPlaceCall(room, userId, 'voice'), [otherRoom, kit.user.userId] as const);
    await other.page.evaluate((id) => window.mx.sdkWaitForState(id, 'ended'), second);
    expect(await sdkSnapshot(other, second)).toMatchObject({ hangupParty: 'remote' });
    expect(await kitSnapshot(kit, first)).toMatchObject({ phase: 'connected' });
  });

  test('nobody answers the kit: its invite times out and MatrixCall stops ringing', async ({ browser }) => {
    const { kit, element, roomId } = await setUp(browser, { inviteLifetimeMs: 8_000 });
    const callId = await kitCallsElement(kit, element, roomId, 'voice');
    await expect.poll(() => kitSnapshot(kit, callId), { timeout: 30_000 }).toMatchObject({ phase: 'ended', endReason: 'invite_timeout', endedBy: 'local' });
    // MatrixCall ends on its own when the invite's lifetime runs out, at about the time our hangup arrives.
    await element.page.evaluate((id) => window.mx.sdkWaitForState(id, 'ended'), callId);
    expect(await sdkSnapshot(element, callId)).toMatchObject({ hangupParty: 'remote' });
  });

  test('nobody answers MatrixCall: the kit stops ringing when the invite expires', async ({ browser }) => {
    test.setTimeout(150_000); // matrix-js-sdk's invites live 60 s and it cannot be told otherwise
    const { kit, element, roomId } = await setUp(browser);
    const callId = await elementCallsKit(kit, element, roomId, 'voice');
    await expect.poll(() => kitSnapshot(kit, callId), { timeout: 90_000 }).toMatchObject({ phase: 'ended', endReason: 'invite_timeout' });
    expect(await kit.page.evaluate(() => window.mx.kitRingingCount())).toBe(0);
    await element.page.evaluate((id) => window.mx.sdkWaitForState(id, 'ended'), callId);
  });
});
