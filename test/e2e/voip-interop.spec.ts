import { expect, test } from '@playwright/test';
import { startKitIn, startMatrixCallIn, twoPartiesInADm } from '../helpers/calls.js';

// 1:1 calls between the kit and matrix-js-sdk's MatrixCall (Element Web's implementation), both ways, with
// media checked on both sides: decoded video frames and received audio energy from getStats.
test.describe('kit <-> MatrixCall', () => {
  test('the kit calls MatrixCall (video); both see and hear each other; the kit hangs up', async ({ browser }) => {
    const { a: kit, b: element, roomId } = await twoPartiesInADm(browser);
    await startKitIn(kit);
    await startMatrixCallIn(element);

    const callId = await kit.page.evaluate(([room, userId]) => window.mx.kitPlaceCall({ roomId: room, userId }, 'video'), [roomId, element.user.userId] as const);
    const incoming = await element.page.evaluate(() => window.mx.sdkNextIncoming());
    expect(incoming).toBe(callId);
    await element.page.evaluate((id) => window.mx.sdkAction(id, 'answer-video'), callId);

    await kit.page.evaluate((id) => window.mx.kitWaitForPhase(id, 'connected'), callId);
    await element.page.evaluate((id) => window.mx.sdkWaitForState(id, 'connected'), callId);
    const kitReceived = await kit.page.evaluate((id) => window.mx.waitForMedia('kit', id, 10), callId);
    const elementReceived = await element.page.evaluate((id) => window.mx.waitForMedia('sdk', id, 10), callId);
    expect(kitReceived.framesDecoded).toBeGreaterThanOrEqual(10);
    expect(kitReceived.audioEnergy).toBeGreaterThan(0);
    expect(elementReceived.framesDecoded).toBeGreaterThanOrEqual(10);
    expect(elementReceived.audioEnergy).toBeGreaterThan(0);

    await kit.page.evaluate((id) => window.mx.kitAction(id, 'hangup'), callId);
    await element.page.evaluate((id) => window.mx.sdkWaitForState(id, 'ended'), callId);
    expect(await element.page.evaluate((id) => window.mx.sdkSnapshot(id), callId)).toMatchObject({ hangupReason: 'user_hangup', hangupParty: 'remote' });
    expect(await kit.page.evaluate((id) => window.mx.kitSnapshot(id), callId)).toMatchObject({ phase: 'ended', endReason: 'user_hangup', endedBy: 'local' });
  });

  test('MatrixCall calls the kit (video); both see and hear each other; MatrixCall hangs up', async ({ browser }) => {
    const { a: kit, b: element, roomId } = await twoPartiesInADm(browser);
    await startKitIn(kit);
    await startMatrixCallIn(element);

    const callId = await element.page.evaluate(([room, invitee]) => window.mx.sdkPlaceCall(room, invitee, 'video'), [roomId, kit.user.userId] as const);
    expect(await kit.page.evaluate(() => window.mx.kitNextIncoming())).toBe(callId);
    expect(await kit.page.evaluate((id) => window.mx.kitSnapshot(id), callId)).toMatchObject({ phase: 'ringing', direction: 'inbound', kind: 'video' });
    await kit.page.evaluate((id) => window.mx.kitAction(id, 'answer-video'), callId);

    await kit.page.evaluate((id) => window.mx.kitWaitForPhase(id, 'connected'), callId);
    await element.page.evaluate((id) => window.mx.sdkWaitForState(id, 'connected'), callId);
    const kitReceived = await kit.page.evaluate((id) => window.mx.waitForMedia('kit', id, 10), callId);
    const elementReceived = await element.page.evaluate((id) => window.mx.waitForMedia('sdk', id, 10), callId);
    expect(kitReceived.framesDecoded).toBeGreaterThanOrEqual(10);
    expect(kitReceived.audioEnergy).toBeGreaterThan(0);
    expect(elementReceived.framesDecoded).toBeGreaterThanOrEqual(10);
    expect(elementReceived.audioEnergy).toBeGreaterThan(0);

    await element.page.evaluate((id) => window.mx.sdkAction(id, 'hangup'), callId);
    await kit.page.evaluate((id) => window.mx.kitWaitForPhase(id, 'ended'), callId).catch(() => undefined);
    await expect.poll(() => kit.page.evaluate((id) => window.mx.kitSnapshot(id), callId)).toMatchObject({ phase: 'ended', endReason: 'user_hangup', endedBy: 'remote' });
  });
});
