import { expect, test } from '@playwright/test';
import { startKitIn, startMatrixCallIn, twoPartiesInADm, type CallParty } from '../helpers/calls.js';
import { startSynapse, stopSynapse } from '../helpers/stack-process.js';

// A 1:1 call between the kit and matrix-js-sdk's MatrixCall while their homeserver restarts. The call's
// media is peer to peer, so it goes on without Synapse; what the kit has to say in the meantime waits in its
// queue and reaches MatrixCall once Synapse is back, and that includes a hangup.

/** How long Synapse stays away in the first outage, as in the restart that lost the kit's events. */
const OUTAGE_MS = 12_000;

const kitSnapshot = (party: CallParty, callId: string) => party.page.evaluate((id) => window.mx.kitSnapshot(id), callId);
const sdkSnapshot = (party: CallParty, callId: string) => party.page.evaluate((id) => window.mx.sdkSnapshot(id), callId);

/** The kit calls MatrixCall, which answers with video; resolves once both are connected with media. */
async function connectedCall(kit: CallParty, element: CallParty, roomId: string): Promise<string> {
  const callId = await kit.page.evaluate(([room, userId]) => window.mx.kitPlaceCall({ roomId: room, userId }, 'video'), [roomId, element.user.userId] as const);
  expect(await element.page.evaluate(() => window.mx.sdkNextIncoming())).toBe(callId);
  await element.page.evaluate((id) => window.mx.sdkAction(id, 'answer-video'), callId);
  await kit.page.evaluate((id) => window.mx.kitWaitForPhase(id, 'connected'), callId);
  await element.page.evaluate((id) => window.mx.sdkWaitForState(id, 'connected'), callId);
  await expectVideoFlowing(kit, element, callId);
  return callId;
}

/** Both sides decode at least 30 more video frames than they had when this was called. */
async function expectVideoFlowing(kit: CallParty, element: CallParty, callId: string): Promise<void> {
  for (const [party, which] of [[kit, 'kit'], [element, 'sdk']] as const) {
    const before = await party.page.evaluate(([id, w]) => window.mx.mediaSoFar(w, id), [callId, which] as const);
    const after = await party.page.evaluate(([id, w, frames]) => window.mx.waitForMedia(w, id, frames), [callId, which, before.framesDecoded + 30] as const);
    expect(after.framesDecoded, `frames ${which === 'kit' ? 'the kit' : 'MatrixCall'} decoded`).toBeGreaterThanOrEqual(before.framesDecoded + 30);
  }
}

const kitUserMediaAudioMuted = async (element: CallParty, callId: string): Promise<boolean | undefined> =>
  (await sdkSnapshot(element, callId)).remoteFeeds.find((feed) => feed.purpose === 'm.usermedia')?.audioMuted;

test.describe('a homeserver restart during a call', () => {
  // Two restarts of Synapse (seconds each on two cores) and two calls.
  test.setTimeout(240_000);

  test('media goes on, what the kit sent meanwhile arrives afterwards, a hangup made during an outage reaches MatrixCall, and a new call works', async ({ browser }) => {
    const { a: kit, b: element, roomId } = await twoPartiesInADm(browser);
    await Promise.all([startKitIn(kit), startMatrixCallIn(element)]);
    const callId = await connectedCall(kit, element, roomId);
    expect(await kitUserMediaAudioMuted(element, callId)).toBe(false);

    // First outage: the kit mutes its microphone while Synapse is away; the call's media does not need it.
    const stoppedAt = Date.now();
    await stopSynapse();
    await kit.page.evaluate((id) => window.mx.kitAction(id, 'mute-mic'), callId);
    await expectVideoFlowing(kit, element, callId);
    expect(await kitUserMediaAudioMuted(element, callId), 'MatrixCall cannot have heard of the mute yet').toBe(false);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, stoppedAt + OUTAGE_MS - Date.now())));
    await startSynapse();

    await expect.poll(() => kitUserMediaAudioMuted(element, callId), { message: 'the mute, sent during the outage, reaches MatrixCall', timeout: 30_000 }).toBe(true);
    expect(await kitSnapshot(kit, callId)).toMatchObject({ phase: 'connected', micMuted: true });
    expect((await sdkSnapshot(element, callId)).state).toBe('connected');
    await expectVideoFlowing(kit, element, callId);

    // Second outage: the kit hangs up while Synapse is away. Its side ends at once; hangup() resolves once the
    // hangup is out, and MatrixCall hears a user hangup, not a timeout of its own.
    await stopSynapse();
    const hangupSent = kit.page.evaluate((id) => window.mx.kitAction(id, 'hangup'), callId);
    await expect.poll(() => kitSnapshot(kit, callId)).toMatchObject({ phase: 'ended', endReason: 'user_hangup', endedBy: 'local' });
    await startSynapse();
    await hangupSent;
    await element.page.evaluate((id) => window.mx.sdkWaitForState(id, 'ended'), callId);
    expect(await sdkSnapshot(element, callId)).toMatchObject({ hangupReason: 'user_hangup', hangupParty: 'remote' });

    // After the restarts a new call connects with media both ways.
    const next = await connectedCall(kit, element, roomId);
    expect(next).not.toBe(callId);
    await kit.page.evaluate((id) => window.mx.kitAction(id, 'hangup'), next);
    await element.page.evaluate((id) => window.mx.sdkWaitForState(id, 'ended'), next);
  });
});
