import { expect, test, type Browser } from '@playwright/test';
import { startKitIn, startRawPeerIn, twoPartiesInADm, type CallParty } from '../helpers/calls.js';
import type { RawCallOptions } from './pages/raw-peer.js';
import { AUDIBLE_ENERGY } from '../helpers/audible.js';

// 1:1 calls between the kit and peers that no library here plays, driven by a hand-written raw peer
// (test/e2e/pages/raw-peer.ts: a plain RTCPeerConnection and m.call.* events, nothing else):
// - a version "1" peer that never sends `sdp_stream_metadata`: one stream with audio and video, which the kit
//   must take as usermedia, and to which it must send one stream only (a screen share replaces the camera);
// - a legacy version 0 peer: no party_id, no invitee, no metadata, declines with m.call.hangup, and must
//   never get m.call.reject, m.call.select_answer or m.call.negotiate.
// Media is checked on both sides from getStats: decoded video frames and received audio energy.

const NO_METADATA: RawCallOptions = { version: '1' };
// Legacy clients trickled their candidates: the SDP carries none, so the kit must take party-less candidates.
const LEGACY: RawCallOptions = { version: 0, trickle: true };

async function setUp(browser: Browser): Promise<{ kit: CallParty; raw: CallParty; roomId: string }> {
  const { a: kit, b: raw, roomId } = await twoPartiesInADm(browser);
  await Promise.all([startKitIn(kit), startRawPeerIn(raw)]);
  return { kit, raw, roomId };
}

const kitSnapshot = (kit: CallParty, callId: string) => kit.page.evaluate((id) => window.mx.kitSnapshot(id), callId);
const rawSnapshot = (raw: CallParty, callId: string) => raw.page.evaluate((id) => window.mx.rawSnapshot(id), callId);
const rawEventTypes = async (raw: CallParty, callId: string) => (await raw.page.evaluate((id) => window.mx.rawEvents(id), callId)).map((event) => event.type);

/** The raw peer calls (video); resolves once the kit rings with the same call id. */
async function rawCallsKit(kit: CallParty, raw: CallParty, roomId: string, options: RawCallOptions): Promise<string> {
  const callId = await raw.page.evaluate(([room, opts]) => window.mx.rawPlaceCall(room, opts), [roomId, options] as const);
  expect(await kit.page.evaluate(() => window.mx.kitNextIncoming())).toBe(callId);
  expect(await kitSnapshot(kit, callId)).toMatchObject({ phase: 'ringing', direction: 'inbound', kind: 'video' });
  return callId;
}

/** The kit calls (video); resolves once the raw peer has the invite. */
async function kitCallsRaw(kit: CallParty, raw: CallParty, roomId: string): Promise<string> {
  const callId = await kit.page.evaluate(([room, userId]) => window.mx.kitPlaceCall({ roomId: room, userId }, 'video'), [roomId, raw.user.userId] as const);
  expect(await raw.page.evaluate(() => window.mx.rawNextIncoming())).toBe(callId);
  return callId;
}

/** A connected video call between the kit and the raw peer, placed by `caller`, answered by the other. */
async function connectedCall(browser: Browser, caller: 'peer' | 'kit', options: RawCallOptions): Promise<{ kit: CallParty; raw: CallParty; callId: string }> {
  const { kit, raw, roomId } = await setUp(browser);
  let callId: string;
  if (caller === 'peer') {
    callId = await rawCallsKit(kit, raw, roomId, options);
    await kit.page.evaluate((id) => window.mx.kitAction(id, 'answer-video'), callId);
  } else {
    callId = await kitCallsRaw(kit, raw, roomId);
    await raw.page.evaluate(([id, opts]) => window.mx.rawAnswer(id, opts), [callId, options] as const);
  }
  await kit.page.evaluate((id) => window.mx.kitWaitForPhase(id, 'connected'), callId);
  return { kit, raw, callId };
}

/** Both sides connected, video and audio received on both, and the kit shows the peer as one usermedia feed. */
async function expectConnectedWithMedia(kit: CallParty, raw: CallParty, callId: string): Promise<void> {
  await kit.page.evaluate((id) => window.mx.kitWaitForPhase(id, 'connected'), callId);
  const kitReceived = await kit.page.evaluate((id) => window.mx.waitForMedia('kit', id, 10), callId);
  const rawReceived = await raw.page.evaluate((id) => window.mx.rawWaitForMedia(id, 10), callId);
  expect(kitReceived.framesDecoded, 'the kit sees the peer').toBeGreaterThanOrEqual(10);
  expect(kitReceived.audioEnergy, 'the kit hears the peer').toBeGreaterThan(AUDIBLE_ENERGY);
  expect(rawReceived.framesDecoded, 'the peer sees the kit').toBeGreaterThanOrEqual(10);
  expect(rawReceived.audioEnergy, 'the peer hears the kit').toBeGreaterThan(AUDIBLE_ENERGY);
  // Without metadata the peer's first (only) stream is its camera and microphone.
  expect((await kitSnapshot(kit, callId)).remoteFeeds).toEqual([{ purpose: 'm.usermedia', audioMuted: false, videoMuted: false }]);
  // And the kit sends it a single stream.
  const raw1 = await rawSnapshot(raw, callId);
  expect(raw1.remoteStreamIds, 'streams the peer receives from the kit').toHaveLength(1);
  expect(raw1.candidateErrors, 'the kit\'s candidates the peer could not add').toEqual([]);
}

/**
 * The legacy peer's SDP carries no candidates: the kit knows its address only from the party-less
 * m.call.candidates, else the pair's remote candidate would be peer-reflexive (learnt from its checks).
 */
async function expectKitUsedSignalledCandidates(kit: CallParty, callId: string): Promise<void> {
  await expect.poll(async () => (await kit.page.evaluate((id) => window.mx.selectedCandidateTypes('kit', id), callId)).remote).toBe('host');
}

/** The kit hangs up; once the peer has the hangup it has every event the kit sent before it. */
async function kitHangsUp(kit: CallParty, raw: CallParty, callId: string): Promise<string[]> {
  await kit.page.evaluate((id) => window.mx.kitAction(id, 'hangup'), callId);
  expect(await raw.page.evaluate((id) => window.mx.rawWaitForEvent(id, 'm.call.hangup'), callId)).toMatchObject({ call_id: callId, reason: 'user_hangup' });
  return rawEventTypes(raw, callId);
}

test.describe('kit <-> a version "1" peer without sdp_stream_metadata', () => {
  test('the peer calls the kit (video): the kit rings, answers with video, media flows both ways, one usermedia feed', async ({ browser }) => {
    const { kit, raw, roomId } = await setUp(browser);
    const callId = await rawCallsKit(kit, raw, roomId, NO_METADATA);
    await kit.page.evaluate((id) => window.mx.kitAction(id, 'answer-video'), callId);
    const answer = await raw.page.evaluate((id) => window.mx.rawWaitForEvent(id, 'm.call.answer'), callId);
    expect(answer).toMatchObject({ call_id: callId, version: '1', answer: { type: 'answer' } });
    await expectConnectedWithMedia(kit, raw, callId);
    expect(await rawSnapshot(raw, callId)).toMatchObject({ answerApplied: true, signalingState: 'stable' });
    expect(await kitSnapshot(kit, callId)).toMatchObject({ kind: 'video', phase: 'connected' });

    const sent = await kitHangsUp(kit, raw, callId);
    expect(sent, 'a callee never selects an answer or renegotiates here').not.toContain('m.call.select_answer');
    expect(sent).not.toContain('m.call.negotiate');
  });

  test('the kit calls the peer (video), which answers without metadata: media flows both ways', async ({ browser }) => {
    const { kit, raw, roomId } = await setUp(browser);
    const callId = await kitCallsRaw(kit, raw, roomId);
    await raw.page.evaluate((id) => window.mx.rawAnswer(id, { version: '1' }), callId);
    await expectConnectedWithMedia(kit, raw, callId);
    // A version "1" answer is selected by its party.
    expect(await raw.page.evaluate((id) => window.mx.rawWaitForEvent(id, 'm.call.select_answer'), callId)).toMatchObject({ selected_party_id: raw.user.deviceId });
  });

  test('the kit shares its screen: it replaces the camera in the one stream, without renegotiating; stopping brings the camera back', async ({ browser }) => {
    const { kit, raw, roomId } = await setUp(browser);
    const callId = await kitCallsRaw(kit, raw, roomId);
    await raw.page.evaluate((id) => window.mx.rawAnswer(id, { version: '1' }), callId);
    await expectConnectedWithMedia(kit, raw, callId);
    const sentBefore = await kit.page.evaluate((id) => window.mx.kitSentVideo(id), callId);
    expect(sentBefore.videoSenderLabels, 'the camera is on its sender').toEqual(['fake_device_0']);
    // The fake camera is 640x360 (what the kit asks for); the fake screen is 1280x720.
    await expect.poll(async () => (await rawSnapshot(raw, callId)).video.width).toBe(640);
    const before = await rawSnapshot(raw, callId);

    await kit.page.evaluate((id) => window.mx.kitAction(id, 'screenshare'), callId);
    await expect.poll(() => kitSnapshot(kit, callId)).toMatchObject({ screensharing: true });
    const sharing = await kit.page.evaluate((id) => window.mx.kitSentVideo(id), callId);
    expect(sharing.videoSenderLabels, 'the camera\'s sender now sends the screen').toEqual([expect.stringMatching(/^screen:/)]);
    expect(sharing.transceivers, 'no transceiver was added').toBe(sentBefore.transceivers);
    expect(sharing.localFeeds.sort()).toEqual(['m.screenshare', 'm.usermedia']);
    await expect.poll(async () => (await rawSnapshot(raw, callId)).video.width, { message: 'the peer decodes the (wider) screen' }).toBeGreaterThan(640);
    const during = await rawSnapshot(raw, callId);
    expect(during.remoteStreamIds, 'still one stream, the same one').toEqual(before.remoteStreamIds);
    expect(during.trackEvents, 'no new track arrived').toBe(before.trackEvents);
    expect(during.transceivers).toBe(before.transceivers);
    expect(during.remoteMLines).toBe(before.remoteMLines);
    expect(during.signalingState).toBe('stable');

    await kit.page.evaluate((id) => window.mx.kitAction(id, 'stop-screenshare'), callId);
    await expect.poll(() => kitSnapshot(kit, callId)).toMatchObject({ screensharing: false });
    const after = await kit.page.evaluate((id) => window.mx.kitSentVideo(id), callId);
    expect(after.videoSenderLabels, 'the camera is back on its sender').toEqual(['fake_device_0']);
    expect(after.localFeeds).toEqual(['m.usermedia']);
    await expect.poll(async () => (await rawSnapshot(raw, callId)).video.width, { message: 'the peer decodes the camera again' }).toBe(640);
    const framesThen = (await rawSnapshot(raw, callId)).video.framesDecoded;
    await expect.poll(async () => (await rawSnapshot(raw, callId)).video.framesDecoded, { message: 'video still flows' }).toBeGreaterThan(framesThen + 10);
    expect((await rawSnapshot(raw, callId)).remoteStreamIds).toEqual(before.remoteStreamIds);

    const sent = await kitHangsUp(kit, raw, callId);
    expect(sent, 'nothing to renegotiate with a peer without metadata').not.toContain('m.call.negotiate');
    expect(sent).not.toContain('m.call.sdp_stream_metadata_changed');
  });

  for (const caller of ['peer', 'kit'] as const) {
    test(`the peer hangs up a connected call (${caller === 'peer' ? 'it placed' : 'the kit placed'}): the kit's call ends`, async ({ browser }) => {
      const { kit, raw, callId } = await connectedCall(browser, caller, NO_METADATA);
      await raw.page.evaluate((id) => window.mx.rawHangup(id), callId);
      await expect.poll(() => kitSnapshot(kit, callId)).toMatchObject({ phase: 'ended', endReason: 'user_hangup', endedBy: 'remote' });
    });
  }
});

test.describe('kit <-> a version 0 (legacy) peer', () => {
  test('the legacy peer calls the kit: it rings, its answer is applied, media flows both ways, no select_answer', async ({ browser }) => {
    const { kit, raw, roomId } = await setUp(browser);
    const callId = await rawCallsKit(kit, raw, roomId, LEGACY);
    await kit.page.evaluate((id) => window.mx.kitAction(id, 'answer-video'), callId);
    await expectConnectedWithMedia(kit, raw, callId);
    expect(await rawSnapshot(raw, callId)).toMatchObject({ answerApplied: true, signalingState: 'stable', iceConnectionState: expect.stringMatching(/^(connected|completed)$/) });
    await expectKitUsedSignalledCandidates(kit, callId);

    const sent = await kitHangsUp(kit, raw, callId);
    expect(sent).toContain('m.call.answer');
    expect(sent, 'version 0 has no select_answer').not.toContain('m.call.select_answer');
    expect(sent, 'version 0 has no negotiate').not.toContain('m.call.negotiate');
  });

  test('the kit declines a legacy invite with m.call.hangup, not m.call.reject', async ({ browser }) => {
    const { kit, raw, roomId } = await setUp(browser);
    const callId = await rawCallsKit(kit, raw, roomId, LEGACY);
    await kit.page.evaluate((id) => window.mx.kitAction(id, 'reject'), callId);
    await raw.page.evaluate((id) => window.mx.rawWaitForEvent(id, 'm.call.hangup'), callId);
    expect(await rawEventTypes(raw, callId)).toEqual(['m.call.hangup']);
    expect(await kitSnapshot(kit, callId)).toMatchObject({ phase: 'ended', endReason: 'rejected', endedBy: 'local' });
  });

  test('the kit calls a legacy peer, which answers with version 0 and no party_id: media flows both ways, no select_answer', async ({ browser }) => {
    const { kit, raw, roomId } = await setUp(browser);
    const callId = await kitCallsRaw(kit, raw, roomId);
    await raw.page.evaluate((id) => window.mx.rawAnswer(id, { version: 0, trickle: true }), callId);
    await expectConnectedWithMedia(kit, raw, callId);
    await expectKitUsedSignalledCandidates(kit, callId);

    const sent = await kitHangsUp(kit, raw, callId);
    expect(sent, 'version 0 has no select_answer').not.toContain('m.call.select_answer');
    expect(sent, 'version 0 has no negotiate').not.toContain('m.call.negotiate');
  });

  test('the legacy peer declines the kit\'s call with m.call.hangup: the kit\'s call ends', async ({ browser }) => {
    const { kit, raw, roomId } = await setUp(browser);
    const callId = await kitCallsRaw(kit, raw, roomId);
    await raw.page.evaluate((id) => window.mx.rawHangup(id, { version: 0 }), callId);
    await expect.poll(() => kitSnapshot(kit, callId)).toMatchObject({ phase: 'ended', endReason: 'user_hangup', endedBy: 'remote' });
    expect(await rawEventTypes(raw, callId), 'a decline is not an answer to select').not.toContain('m.call.select_answer');
  });

  test('the legacy caller cancels before the kit answers: the kit stops ringing', async ({ browser }) => {
    const { kit, raw, roomId } = await setUp(browser);
    const callId = await rawCallsKit(kit, raw, roomId, LEGACY);
    await raw.page.evaluate((id) => window.mx.rawHangup(id), callId);
    await expect.poll(() => kitSnapshot(kit, callId)).toMatchObject({ phase: 'ended', endReason: 'user_hangup', endedBy: 'remote' });
    expect(await kit.page.evaluate(() => window.mx.kitRingingCount())).toBe(0);
  });

  for (const caller of ['peer', 'kit'] as const) {
    test(`a legacy hangup (no party_id, no reason) ends a connected call (${caller === 'peer' ? 'the peer' : 'the kit'} placed it)`, async ({ browser }) => {
      const { kit, raw, callId } = await connectedCall(browser, caller, LEGACY);
      await raw.page.evaluate((id) => window.mx.rawHangup(id), callId);
      await expect.poll(() => kitSnapshot(kit, callId)).toMatchObject({ phase: 'ended', endReason: 'user_hangup', endedBy: 'remote' });
    });
  }
});
