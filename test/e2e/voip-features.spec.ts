import { expect, test, type Browser } from '@playwright/test';
import { startKitIn, startMatrixCallIn, twoPartiesInADm, type CallParty } from '../helpers/calls.js';
import { openHarness } from '../helpers/pages.js';
import { holdSync, matrixRequest, sendAs } from '../helpers/raw-matrix.js';
import { login } from '../helpers/synapse.js';
import { AUDIBLE_ENERGY } from '../helpers/audible.js';

// Glare, several devices, and in-call features (hold, mute flags, upgrade, screen share) between the kit
// and matrix-js-sdk's MatrixCall, and between two kits.

const kitSnapshot = (party: CallParty, callId: string) => party.page.evaluate((id) => window.mx.kitSnapshot(id), callId);
const sdkSnapshot = (party: CallParty, callId: string) => party.page.evaluate((id) => window.mx.sdkSnapshot(id), callId);

async function connectedKitAndElement(browser: Browser, kind: 'video' | 'voice'): Promise<{ kit: CallParty; element: CallParty; callId: string }> {
  const { a: kit, b: element, roomId } = await twoPartiesInADm(browser);
  await Promise.all([startKitIn(kit), startMatrixCallIn(element)]);
  const callId = await kit.page.evaluate(([room, userId, k]) => window.mx.kitPlaceCall({ roomId: room, userId }, k), [roomId, element.user.userId, kind] as const);
  expect(await element.page.evaluate(() => window.mx.sdkNextIncoming())).toBe(callId);
  await element.page.evaluate(([id, k]) => window.mx.sdkAction(id, k === 'video' ? 'answer-video' : 'answer-voice'), [callId, kind] as const);
  await kit.page.evaluate((id) => window.mx.kitWaitForPhase(id, 'connected'), callId);
  await element.page.evaluate((id) => window.mx.sdkWaitForState(id, 'connected'), callId);
  return { kit, element, callId };
}

/** Each side's calls that are connected (or connecting), after letting glare settle. */
async function liveCalls(party: CallParty, which: 'kit' | 'sdk'): Promise<string[]> {
  if (which === 'kit') {
    const calls = await party.page.evaluate(() => window.mx.kitCallList());
    return calls.filter((c) => c.phase === 'connected').map((c) => c.callId);
  }
  const calls = await party.page.evaluate(() => window.mx.sdkCallList());
  return calls.filter((c) => c.state === 'connected').map((c) => c.callId);
}

test.describe('glare: both sides call at once', () => {
  test('kit against kit ends with exactly one connected call, the same on both sides', async ({ browser }) => {
    const { a, b, roomId } = await twoPartiesInADm(browser);
    await Promise.all([startKitIn(a), startKitIn(b)]);
    const [callA, callB] = await Promise.all([
      a.page.evaluate(([room, userId]) => window.mx.kitPlaceCall({ roomId: room, userId }, 'voice'), [roomId, b.user.userId] as const),
      b.page.evaluate(([room, userId]) => window.mx.kitPlaceCall({ roomId: room, userId }, 'voice'), [roomId, a.user.userId] as const),
    ]);
    const winner = callA < callB ? callA : callB;
    await expect.poll(() => liveCalls(a, 'kit'), { timeout: 30_000 }).toEqual([winner]);
    await expect.poll(() => liveCalls(b, 'kit'), { timeout: 30_000 }).toEqual([winner]);
    const media = await a.page.evaluate((id) => window.mx.waitForMedia('kit', id, 0), winner);
    expect(media.audioEnergy).toBeGreaterThan(AUDIBLE_ENERGY);
  });

  for (const invitee of [true, false]) {
    for (const first of ['kit', 'MatrixCall'] as const) {
      test(`kit against MatrixCall ${invitee ? 'with' : 'without'} invitee, ${first} calling first, invites crossing: exactly one connected call`, async ({ browser }) => {
        const { a: kit, b: element, roomId } = await twoPartiesInADm(browser);
        await Promise.all([startKitIn(kit), startMatrixCallIn(element)]);
        const placeKit = () => kit.page.evaluate(([room, userId]) => window.mx.kitPlaceCall({ roomId: room, userId }, 'voice'), [roomId, element.user.userId] as const);
        const placeSdk = () => element.page.evaluate(([room, userId]) => window.mx.sdkPlaceCall(room, userId, 'voice'), [roomId, invitee ? kit.user.userId : undefined] as const);
        const { kitCall, elementCall } = await crossingCalls({ kit, element, roomId }, first === 'kit' ? ['kit', placeKit, placeSdk] : ['sdk', placeSdk, placeKit]);
        // Call ids start with the time they were made: the first call wins on both sides.
        const winner = first === 'kit' ? kitCall : elementCall;
        expect(winner).toBe(kitCall < elementCall ? kitCall : elementCall);
        if (!invitee && winner === kitCall) {
          // Without invitee, matrix-js-sdk cannot see the glare: our call simply rings there, and the person
          // answers it (the kit has already withdrawn MatrixCall's greater call with m.call.reject).
          await expect.poll(() => element.page.evaluate(() => window.mx.sdkCallList()), { timeout: 30_000 }).toContainEqual({ callId: kitCall, state: 'ringing' });
          await element.page.evaluate((id) => window.mx.sdkAction(id, 'answer-voice'), kitCall);
        }
        await expect.poll(() => liveCalls(kit, 'kit'), { timeout: 30_000 }).toEqual([winner]);
        await expect.poll(() => liveCalls(element, 'sdk'), { timeout: 30_000 }).toEqual([winner]);
        expect((await element.page.evaluate(() => window.mx.sdkCallList())).filter((c) => c.state !== 'ended').map((c) => c.callId), 'MatrixCall\'s calls still going').toEqual([winner]);
        const media = await kit.page.evaluate((id) => window.mx.waitForMedia('kit', id, 0), winner);
        expect(media.audioEnergy).toBeGreaterThan(AUDIBLE_ENERGY);
      });
    }
  }

  test('kit against MatrixCall with invitee, both clicking at once: one connected call, whoever saw the glare', async ({ browser }) => {
    const { a: kit, b: element, roomId } = await twoPartiesInADm(browser);
    await Promise.all([startKitIn(kit), startMatrixCallIn(element)]);
    const [kitCall, elementCall] = await Promise.all([
      kit.page.evaluate(([room, userId]) => window.mx.kitPlaceCall({ roomId: room, userId }, 'voice'), [roomId, element.user.userId] as const),
      element.page.evaluate(([room, userId]) => window.mx.sdkPlaceCall(room, userId, 'voice'), [roomId, kit.user.userId] as const),
    ]);
    const winner = kitCall < elementCall ? kitCall : elementCall;
    // MatrixCall counts its call as calling only once it has the microphone: our invite arriving before that
    // is no glare there, and simply rings. The kit has withdrawn MatrixCall's call either way, and the person
    // answers ours. Otherwise both sides resolve the glare alone.
    const settled = async (): Promise<'connected' | 'ringing' | 'neither'> => {
      if ((await liveCalls(kit, 'kit')).includes(winner)) return 'connected';
      const rings = (await element.page.evaluate(() => window.mx.sdkCallList())).some((c) => c.callId === kitCall && c.state === 'ringing');
      return rings ? 'ringing' : 'neither';
    };
    await expect.poll(settled, { timeout: 30_000 }).not.toBe('neither');
    if (await settled() === 'ringing') {
      expect(winner, 'only the winning call rings').toBe(kitCall);
      await element.page.evaluate((id) => window.mx.sdkAction(id, 'answer-voice'), kitCall);
    }
    await expect.poll(() => liveCalls(kit, 'kit'), { timeout: 30_000 }).toEqual([winner]);
    await expect.poll(() => liveCalls(element, 'sdk'), { timeout: 30_000 }).toEqual([winner]);
    const media = await kit.page.evaluate((id) => window.mx.waitForMedia('kit', id, 0), winner);
    expect(media.audioEnergy).toBeGreaterThan(AUDIBLE_ENERGY);
  });
});

/**
 * Places both calls while neither side hears from the homeserver, then lets both hear everything at once:
 * each side's call is out before the other's invite reaches it, which is glare on both sides whatever the
 * timing of the browsers. The first call is placed (and its invite delivered) before the second is made, so
 * its id, which starts with the time, is the lesser.
 */
async function crossingCalls(
  { kit, element, roomId }: { kit: CallParty; element: CallParty; roomId: string },
  [firstSide, placeFirst, placeSecond]: readonly ['kit' | 'sdk', () => Promise<string>, () => Promise<string>],
): Promise<{ kitCall: string; elementCall: string }> {
  const gates = await Promise.all([holdSync(kit.page), holdSync(element.page)]);
  // A message ends both sync long-polls in flight, so that the next ones are held.
  await sendAs(kit.user, roomId, 'm.room.message', { msgtype: 'm.notice', body: 'the next syncs are held' });
  await Promise.all(gates.map((gate) => gate.held));
  const invites = async (): Promise<number> => {
    const { chunk } = await matrixRequest<{ chunk: { type: string }[] }>(kit.user, 'GET', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=50`);
    return chunk.filter((event) => event.type === 'm.call.invite').length;
  };
  const firstCall = await placeFirst();
  await expect.poll(invites, { message: 'the first invite to reach the homeserver' }).toBe(1);
  const secondCall = await placeSecond();
  await expect.poll(invites, { message: 'both invites to reach the homeserver' }).toBe(2);
  await Promise.all(gates.map((gate) => gate.release()));
  return firstSide === 'kit' ? { kitCall: firstCall, elementCall: secondCall } : { kitCall: secondCall, elementCall: firstCall };
}

test.describe('the callee on two devices', () => {
  async function calleeOnTwoDevices(browser: Browser): Promise<{ caller: CallParty; kitDevice: CallParty; otherDevice: CallParty; callId: string; roomId: string }> {
    const { a: caller, b: kitDevice, roomId } = await twoPartiesInADm(browser);
    const otherDevice = { user: await login(kitDevice.user), page: await openHarness(browser) };
    await Promise.all([startMatrixCallIn(caller), startKitIn(kitDevice), startMatrixCallIn(otherDevice)]);
    const callId = await caller.page.evaluate(([room, userId]) => window.mx.sdkPlaceCall(room, userId, 'voice'), [roomId, kitDevice.user.userId] as const);
    expect(await kitDevice.page.evaluate(() => window.mx.kitNextIncoming())).toBe(callId);
    expect(await otherDevice.page.evaluate(() => window.mx.sdkNextIncoming())).toBe(callId);
    return { caller, kitDevice, otherDevice, callId, roomId };
  }

  test('the kit answers: the other device stops ringing and the call connects', async ({ browser }) => {
    const { caller, kitDevice, otherDevice, callId } = await calleeOnTwoDevices(browser);
    await kitDevice.page.evaluate((id) => window.mx.kitAction(id, 'answer-voice'), callId);
    await kitDevice.page.evaluate((id) => window.mx.kitWaitForPhase(id, 'connected'), callId);
    await caller.page.evaluate((id) => window.mx.sdkWaitForState(id, 'connected'), callId);
    await otherDevice.page.evaluate((id) => window.mx.sdkWaitForState(id, 'ended'), callId);
    expect(await sdkSnapshot(otherDevice, callId)).toMatchObject({ state: 'ended' });
  });

  test('the other device answers: the kit stops ringing (answered elsewhere)', async ({ browser }) => {
    const { caller, kitDevice, otherDevice, callId } = await calleeOnTwoDevices(browser);
    await otherDevice.page.evaluate((id) => window.mx.sdkAction(id, 'answer-voice'), callId);
    await caller.page.evaluate((id) => window.mx.sdkWaitForState(id, 'connected'), callId);
    await expect.poll(() => kitSnapshot(kitDevice, callId)).toMatchObject({ phase: 'ended', endReason: 'answered_elsewhere' });
    expect(await kitDevice.page.evaluate(() => window.mx.kitRingingCount())).toBe(0);
  });

  test('both answer at once and the caller chooses the other device: the kit\'s ICE reaches the caller, but the kit never shows connected', async ({ browser }) => {
    const { caller, kitDevice, otherDevice, callId, roomId } = await calleeOnTwoDevices(browser);
    // The kit hears nothing more until it has answered: neither the other device's answer nor the caller's
    // choice, as when both answer at the same moment. A message ends the kit's sync long-poll in flight.
    const gate = await holdSync(kitDevice.page);
    await sendAs(caller.user, roomId, 'm.room.message', { msgtype: 'm.notice', body: 'the next sync is held' });
    await gate.held;
    await otherDevice.page.evaluate((id) => window.mx.sdkAction(id, 'answer-voice'), callId);
    await caller.page.evaluate((id) => window.mx.sdkWaitForState(id, 'connected'), callId);
    await kitDevice.page.evaluate((id) => window.mx.kitAction(id, 'answer-voice'), callId);
    // The caller's ICE agent answers the kit's checks (they carry the ufrag and password of its offer), but
    // its DTLS is the chosen device's: the kit's connection never comes up, and no packet of media flows.
    await expect.poll(() => kitDevice.page.evaluate((id) => window.mx.kitTransportStates(id).ice, callId), { timeout: 20_000, message: 'the kit\'s ICE to connect' })
      .toMatch(/^(connected|completed)$/);
    expect(await kitDevice.page.evaluate((id) => window.mx.kitTransportStates(id).connection, callId)).not.toBe('connected');
    expect(await kitSnapshot(kitDevice, callId)).toMatchObject({ phase: 'connecting' });

    await gate.release();
    await expect.poll(() => kitSnapshot(kitDevice, callId)).toMatchObject({ phase: 'ended', endReason: 'answered_elsewhere' });
    const phases = await kitDevice.page.evaluate((id) => window.mx.kitPhaseLog(id), callId);
    expect(phases.map(({ phase }) => phase), 'the kit\'s phases').not.toContain('connected');
    expect(await sdkSnapshot(caller, callId)).toMatchObject({ state: 'connected' });
    expect(await sdkSnapshot(otherDevice, callId)).toMatchObject({ state: 'connected' });
  });

  test('the other device declines: the kit stops ringing (declined elsewhere)', async ({ browser }) => {
    const { caller, kitDevice, otherDevice, callId } = await calleeOnTwoDevices(browser);
    await otherDevice.page.evaluate((id) => window.mx.sdkAction(id, 'reject'), callId);
    await caller.page.evaluate((id) => window.mx.sdkWaitForState(id, 'ended'), callId);
    await expect.poll(() => kitSnapshot(kitDevice, callId)).toMatchObject({ phase: 'ended' });
    expect(['rejected_elsewhere', 'answered_elsewhere']).toContain((await kitSnapshot(kitDevice, callId)).endReason);
  });
});

test.describe('in-call features against MatrixCall', () => {
  test('hold and resume both ways', async ({ browser }) => {
    const { kit, element, callId } = await connectedKitAndElement(browser, 'video');
    await kit.page.evaluate((id) => window.mx.kitAction(id, 'hold'), callId);
    // matrix-js-sdk's naming: "local on hold" means the other side put us on hold.
    await expect.poll(() => sdkSnapshot(element, callId)).toMatchObject({ localOnHold: true });
    expect(await kitSnapshot(kit, callId)).toMatchObject({ localOnHold: true });
    await kit.page.evaluate((id) => window.mx.kitAction(id, 'resume'), callId);
    await expect.poll(() => sdkSnapshot(element, callId)).toMatchObject({ localOnHold: false });

    await element.page.evaluate((id) => window.mx.sdkAction(id, 'hold'), callId);
    await expect.poll(() => kitSnapshot(kit, callId)).toMatchObject({ remoteOnHold: true });
    const held = await kit.page.evaluate((id) => window.mx.mediaSoFar('kit', id), callId);
    await element.page.evaluate((id) => window.mx.sdkAction(id, 'resume'), callId);
    await expect.poll(() => kitSnapshot(kit, callId)).toMatchObject({ remoteOnHold: false });
    // After both holds the kit sees and hears MatrixCall again: new frames, and audio energy that grows.
    await expect.poll(async () => {
      const now = await kit.page.evaluate((id) => window.mx.mediaSoFar('kit', id), callId);
      return now.framesDecoded >= held.framesDecoded + 10 && now.audioEnergy > held.audioEnergy + AUDIBLE_ENERGY;
    }, { timeout: 20_000 }).toBe(true);
    expect(await kitSnapshot(kit, callId)).toMatchObject({ remoteFeeds: [{ purpose: 'm.usermedia', audioMuted: false, videoMuted: false }] });
  });

  test('mute flags travel both ways through stream metadata', async ({ browser }) => {
    const { kit, element, callId } = await connectedKitAndElement(browser, 'video');
    await kit.page.evaluate((id) => window.mx.kitAction(id, 'mute-mic'), callId);
    await expect.poll(async () => (await sdkSnapshot(element, callId)).remoteFeeds[0]).toMatchObject({ audioMuted: true, videoMuted: false });
    await kit.page.evaluate((id) => window.mx.kitAction(id, 'mute-camera'), callId);
    await expect.poll(async () => (await sdkSnapshot(element, callId)).remoteFeeds[0]).toMatchObject({ audioMuted: true, videoMuted: true });
    // A muted camera is released, as MatrixCall does: the camera light goes off.
    await expect.poll(() => kit.page.evaluate((id) => window.mx.kitCameraTracks(id), callId)).toEqual({ inFeed: [], inSenders: [] });
    const framesWhileMuted = (await element.page.evaluate((id) => window.mx.mediaSoFar('sdk', id), callId)).framesDecoded;
    await kit.page.evaluate((id) => window.mx.kitAction(id, 'unmute-mic'), callId);
    await kit.page.evaluate((id) => window.mx.kitAction(id, 'unmute-camera'), callId);
    await expect.poll(async () => (await sdkSnapshot(element, callId)).remoteFeeds[0]).toMatchObject({ audioMuted: false, videoMuted: false });
    await expect.poll(() => kit.page.evaluate((id) => window.mx.kitCameraTracks(id), callId)).toEqual({ inFeed: ['live'], inSenders: ['live'] });
    // The reopened camera's frames reach MatrixCall.
    const afterUnmute = await element.page.evaluate(([id, n]) => window.mx.waitForMedia('sdk', id, n), [callId, framesWhileMuted + 10] as const);
    expect(afterUnmute.framesDecoded).toBeGreaterThanOrEqual(framesWhileMuted + 10);

    await element.page.evaluate((id) => window.mx.sdkAction(id, 'mute-mic'), callId);
    await expect.poll(async () => (await kitSnapshot(kit, callId)).remoteFeeds[0]).toMatchObject({ audioMuted: true });
    await element.page.evaluate((id) => window.mx.sdkAction(id, 'mute-camera'), callId);
    await expect.poll(async () => (await kitSnapshot(kit, callId)).remoteFeeds[0]).toMatchObject({ videoMuted: true });
  });

  test('choosing another microphone mid-call switches the live call; MatrixCall keeps hearing it', async ({ browser }) => {
    const { kit, element, callId } = await connectedKitAndElement(browser, 'video');
    const before = await kit.page.evaluate((id) => window.mx.kitLocalTracks(id), callId);
    const inUse = before.senders.audio[0];
    expect(inUse?.readyState).toBe('live');
    await expect.poll(() => kit.page.evaluate(() => window.mx.kitDeviceIds('microphone'))).not.toEqual([]);
    const microphones = await kit.page.evaluate(() => window.mx.kitDeviceIds('microphone'));
    const other = microphones.find((id) => id !== inUse?.deviceId && id !== 'default' && id !== '');
    expect(other, `another fake microphone besides ${inUse?.deviceId ?? '?'} in ${microphones.join(', ')}`).toBeTruthy();
    const heardBefore = await element.page.evaluate((id) => window.mx.mediaSoFar('sdk', id), callId);

    await kit.page.evaluate((deviceId) => window.mx.kitSelectDevice('microphone', deviceId), other);
    // The new microphone is in the sender and in our stream; the old one is closed; the camera is untouched.
    await expect.poll(async () => {
      const now = await kit.page.evaluate((id) => window.mx.kitLocalTracks(id), callId);
      return { sender: now.senders.audio.map((t) => t.deviceId), feed: now.feed.audio.map((t) => t.deviceId), camera: now.senders.video.map((t) => t.id) };
    }).toEqual({ sender: [other], feed: [other], camera: before.feed.video.map((t) => t.id) });
    const after = await kit.page.evaluate((id) => window.mx.kitLocalTracks(id), callId);
    expect(after.senders.audio[0]?.id).not.toBe(inUse?.id);
    expect(after.senders.audio[0]?.readyState).toBe('live');
    // Same stream, same sender: no renegotiation, and MatrixCall goes on hearing us.
    await expect.poll(async () => {
      const now = await element.page.evaluate((id) => window.mx.mediaSoFar('sdk', id), callId);
      return now.audioEnergy > heardBefore.audioEnergy + AUDIBLE_ENERGY;
    }, { timeout: 20_000 }).toBe(true);
    expect(await sdkSnapshot(element, callId)).toMatchObject({ state: 'connected', remoteFeeds: [{ purpose: 'm.usermedia', audioMuted: false }] });
    expect(await kitSnapshot(kit, callId)).toMatchObject({ phase: 'connected', error: undefined });
  });

  test('a microphone unplugged mid-call is replaced by the default one; MatrixCall keeps hearing the kit', async ({ browser }) => {
    const { kit, element, callId } = await connectedKitAndElement(browser, 'video');
    // The call's microphone becomes one the test can unplug, and MatrixCall hears it.
    await kit.page.evaluate(() => window.mx.useUnpluggableMicrophone());
    const original = (await kit.page.evaluate((id) => window.mx.kitLocalTracks(id), callId)).senders.audio[0];
    await kit.page.evaluate((id) => window.mx.kitAction(id, 'reopen-microphone'), callId);
    await expect.poll(async () => (await kit.page.evaluate((id) => window.mx.kitLocalTracks(id), callId)).senders.audio[0]?.id).not.toBe(original?.id);
    const unpluggable = (await kit.page.evaluate((id) => window.mx.kitLocalTracks(id), callId)).senders.audio[0];
    const beforeUnplug = await element.page.evaluate((id) => window.mx.mediaSoFar('sdk', id), callId);
    await expect.poll(async () => (await element.page.evaluate((id) => window.mx.mediaSoFar('sdk', id), callId)).audioEnergy > beforeUnplug.audioEnergy + AUDIBLE_ENERGY, { timeout: 20_000 }).toBe(true);

    await kit.page.evaluate(() => window.mx.unplugMicrophone());
    await expect.poll(async () => {
      const now = await kit.page.evaluate((id) => window.mx.kitLocalTracks(id), callId);
      const sent = now.senders.audio[0];
      return sent !== undefined && sent.id !== unpluggable?.id && sent.readyState === 'live' && now.feed.audio.length === 1 && now.feed.audio[0]?.id === sent.id;
    }).toBe(true);
    const afterUnplug = await element.page.evaluate((id) => window.mx.mediaSoFar('sdk', id), callId);
    await expect.poll(async () => (await element.page.evaluate((id) => window.mx.mediaSoFar('sdk', id), callId)).audioEnergy > afterUnplug.audioEnergy + AUDIBLE_ENERGY, { timeout: 20_000 }).toBe(true);
    expect(await kitSnapshot(kit, callId)).toMatchObject({ phase: 'connected', error: undefined, micMuted: false });
  });

  test('the camera reopens mid-call (a new camera choice): MatrixCall decodes the new track; a refused camera leaves the old one running', async ({ browser }) => {
    const { kit, element, callId } = await connectedKitAndElement(browser, 'video');
    const before = await kit.page.evaluate((id) => window.mx.kitLocalTracks(id), callId);
    await kit.page.evaluate((id) => window.mx.kitAction(id, 'reopen-camera'), callId);
    await expect.poll(async () => {
      const now = await kit.page.evaluate((id) => window.mx.kitLocalTracks(id), callId);
      return now.senders.video.length === 1 && now.senders.video[0]?.id !== before.senders.video[0]?.id && now.feed.video[0]?.id === now.senders.video[0]?.id;
    }).toBe(true);
    const seen = await element.page.evaluate((id) => window.mx.mediaSoFar('sdk', id), callId);
    const later = await element.page.evaluate(([id, n]) => window.mx.waitForMedia('sdk', id, n), [callId, seen.framesDecoded + 10] as const);
    expect(later.framesDecoded).toBeGreaterThanOrEqual(seen.framesDecoded + 10);

    const running = await kit.page.evaluate((id) => window.mx.kitLocalTracks(id), callId);
    await kit.page.evaluate(() => window.mx.refuseCamera(true));
    await kit.page.evaluate((id) => window.mx.kitAction(id, 'reopen-camera'), callId);
    await expect.poll(async () => (await kitSnapshot(kit, callId)).error).toMatch(/denied/i);
    expect(await kit.page.evaluate((id) => window.mx.kitLocalTracks(id), callId)).toEqual(running);
    expect(await kitSnapshot(kit, callId)).toMatchObject({ phase: 'connected', cameraMuted: false });
  });

  test('a voice call is upgraded to video by the kit: MatrixCall decodes the new video', async ({ browser }) => {
    const { kit, element, callId } = await connectedKitAndElement(browser, 'voice');
    await kit.page.evaluate((id) => window.mx.kitAction(id, 'upgrade'), callId);
    await expect.poll(async () => (await sdkSnapshot(element, callId)).remoteFeeds[0]).toMatchObject({ videoMuted: false });
    const media = await element.page.evaluate((id) => window.mx.waitForMedia('sdk', id, 10), callId);
    expect(media.framesDecoded).toBeGreaterThanOrEqual(10);
    expect(await kitSnapshot(kit, callId)).toMatchObject({ kind: 'video', phase: 'connected' });
  });

  test('a camera refused mid-call (upgrade, unmute) leaves the call connected, with an error the next action clears', async ({ browser }) => {
    const { kit, element, callId } = await connectedKitAndElement(browser, 'voice');
    await kit.page.evaluate(() => window.mx.refuseCamera(true));
    await kit.page.evaluate((id) => window.mx.kitAction(id, 'upgrade'), callId);
    await expect.poll(async () => (await kitSnapshot(kit, callId)).error).toMatch(/denied/i);
    expect(await kitSnapshot(kit, callId)).toMatchObject({ kind: 'voice', phase: 'connected' });
    expect(await sdkSnapshot(element, callId)).toMatchObject({ state: 'connected' });

    await kit.page.evaluate(() => window.mx.refuseCamera(false));
    await kit.page.evaluate((id) => window.mx.kitAction(id, 'upgrade'), callId);
    await expect.poll(async () => (await sdkSnapshot(element, callId)).remoteFeeds[0]).toMatchObject({ videoMuted: false });
    expect(await kitSnapshot(kit, callId)).toMatchObject({ kind: 'video', error: undefined });

    await kit.page.evaluate((id) => window.mx.kitAction(id, 'mute-camera'), callId);
    await expect.poll(() => kit.page.evaluate((id) => window.mx.kitCameraTracks(id), callId)).toEqual({ inFeed: [], inSenders: [] });
    await kit.page.evaluate(() => window.mx.refuseCamera(true));
    await kit.page.evaluate((id) => window.mx.kitAction(id, 'unmute-camera'), callId);
    await expect.poll(async () => (await kitSnapshot(kit, callId)).error).toMatch(/denied/i);
    expect(await kitSnapshot(kit, callId)).toMatchObject({ cameraMuted: true, phase: 'connected' });
    await expect.poll(async () => (await sdkSnapshot(element, callId)).remoteFeeds[0]).toMatchObject({ videoMuted: true });
  });

  test('the kit shares its screen: MatrixCall sees a screenshare feed; and the other way round', async ({ browser }) => {
    const { kit, element, callId } = await connectedKitAndElement(browser, 'video');
    await kit.page.evaluate((id) => window.mx.kitAction(id, 'screenshare'), callId);
    await expect.poll(async () => (await sdkSnapshot(element, callId)).remoteFeeds.map((f) => f.purpose).sort()).toEqual(['m.screenshare', 'm.usermedia']);
    expect(await kitSnapshot(kit, callId)).toMatchObject({ screensharing: true });
    await kit.page.evaluate((id) => window.mx.kitAction(id, 'stop-screenshare'), callId);
    await expect.poll(async () => (await sdkSnapshot(element, callId)).remoteFeeds.map((f) => f.purpose)).toEqual(['m.usermedia']);

    await element.page.evaluate((id) => window.mx.sdkAction(id, 'screenshare'), callId);
    await expect.poll(async () => (await kitSnapshot(kit, callId)).remoteFeeds.map((f) => f.purpose).sort()).toEqual(['m.screenshare', 'm.usermedia']);
  });
});
