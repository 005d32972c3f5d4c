import { expect, test, type Page } from '@playwright/test';
import type { CallKit, CallManager } from '../../signaling/index.js';
import { credentialsOf, twoPartiesInADm } from '../helpers/calls.js';
import { holdSync, matrixRequest, sendAs } from '../helpers/raw-matrix.js';
import { createRoom, joinRoom, registerUser, type TestUser } from '../helpers/synapse.js';

// Malformed and misdirected m.call.* events sent through the real homeserver to a kit: each is dropped with
// a logged reason (the kit's console), nothing throws in the page, and only the one valid invite rings.
// Content that is not a JSON object (null, arrays) and SDPs over the kit's 64 KiB limit cannot travel
// through Synapse (it refuses non-object bodies and events over 64 KiB), so only the unit table
// (test/unit/signaling/call-manager-bad-input.test.ts) covers them.

interface BadInputState {
  kit: CallKit;
  voip: CallManager;
  rang: string[];
}
type BadInputWindow = Window & { badInput?: BadInputState };

function newCallId(tag: string): string {
  return `${Date.now()}-${tag}-${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * Starts the kit in `page` with its default console logger, as a host page would, and collects its log
 * lines and whatever the page throws.
 */
async function startLoggedKit(page: Page, user: TestUser): Promise<{ kitLog: { type: string; text: string }[]; pageErrors: string[] }> {
  const kitLog: { type: string; text: string }[] = [];
  const pageErrors: string[] = [];
  page.on('console', (message) => {
    const text = message.text();
    if (text.startsWith('[matrix-call-kit')) kitLog.push({ type: message.type(), text });
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.evaluate(async (credentials) => {
    const kit = await window.mx.kit.createCallKit({ credentials });
    const state: BadInputState = { kit, voip: await kit.voip(), rang: [] };
    (window as BadInputWindow).badInput = state;
    kit.onIncomingCall((incoming) => {
      if (incoming.type === 'voip') state.rang.push(incoming.call.getSnapshot().callId);
    });
  }, credentialsOf(user));
  return { kitLog, pageErrors };
}

/**
 * Makes a real offer in the caller's own page (an invite the kit rings for needs one its browser can apply):
 * its SDP, and the content of an invite from `caller` to `callee` carrying it, with fields replaced (or
 * removed, with `undefined`) by `extra`.
 */
async function inviteMaker(callerPage: Page, caller: TestUser, callee: TestUser): Promise<{
  sdp: string;
  inviteContent: (callId: string, partyId?: string, extra?: Record<string, unknown>) => Record<string, unknown>;
}> {
  const offer = await callerPage.evaluate(async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    const pc = new RTCPeerConnection();
    for (const track of stream.getTracks()) pc.addTrack(track, stream);
    await pc.setLocalDescription();
    (window as Window & { badInputPeer?: RTCPeerConnection }).badInputPeer = pc;
    return { sdp: pc.localDescription?.sdp ?? '', streamId: stream.id };
  });
  const inviteContent = (callId: string, partyId = caller.deviceId, extra: Record<string, unknown> = {}): Record<string, unknown> => {
    const content: Record<string, unknown> = {
      version: '1',
      call_id: callId,
      party_id: partyId,
      offer: { type: 'offer', sdp: offer.sdp },
      lifetime: 90_000,
      invitee: callee.userId,
      sdp_stream_metadata: { [offer.streamId]: { purpose: 'm.usermedia', audio_muted: false, video_muted: false } },
      capabilities: { 'm.call.transferee': false, 'm.call.dtmf': false },
      ...extra,
    };
    for (const [key, value] of Object.entries(content)) if (value === undefined) delete content[key];
    return content;
  };
  return { sdp: offer.sdp, inviteContent };
}

/** The calls the kit in `page` rang, rings now, and shows. */
function kitCallState(page: Page): Promise<{ rang: string[]; ringing: string[]; calls: { callId: string; phase: string }[] }> {
  return page.evaluate(() => {
    const badInput = (window as BadInputWindow).badInput;
    return {
      rang: badInput?.rang ?? [],
      ringing: badInput?.voip.getSnapshot().ringing.map((call) => call.getSnapshot().callId) ?? [],
      calls: badInput?.voip.getSnapshot().calls.map((call) => ({ callId: call.getSnapshot().callId, phase: call.getSnapshot().phase })) ?? [],
    };
  });
}

/** The m.call.* events `kitUser` sent in `roomId`, less those in `sentByTest`, as `reader` sees them. */
async function callEventsFromKit(reader: TestUser, kitUser: TestUser, roomId: string, sentByTest: ReadonlySet<string> = new Set()): Promise<{ type: string }[]> {
  const { chunk } = await matrixRequest<{ chunk: { type: string; sender: string; event_id: string }[] }>(
    reader, 'GET', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=200`);
  return chunk.filter((event) => event.type.startsWith('m.call.') && event.sender === kitUser.userId && !sentByTest.has(event.event_id));
}

test('the kit drops malformed and misdirected m.call.* events with a logged reason and rings only for the valid invite', async ({ browser }) => {
  const { a, b, roomId: dm } = await twoPartiesInADm(browser);
  const kitPage = a.page;
  const { kitLog, pageErrors } = await startLoggedKit(kitPage, a.user);
  const bParty = b.user.deviceId;
  const { sdp: offerSdp, inviteContent } = await inviteMaker(b.page, b.user, a.user);

  /** What the kit must log for each bad event: a line naming the event (its id or call id) and the reason. */
  const expected: { name: string; id: string; reason: RegExp }[] = [];
  /** Everything this test sent as the kit's own user, so that anything else from it is the kit's doing. */
  const sentAsKitUser = new Set<string>();

  // 1. An invite from a user who is not in the room. Synapse refuses events from non-members, so C joins,
  // sends and leaves while the kit's /sync is held: the kit sees all three in one batch, after which C is
  // not a member.
  const c = await registerUser({ displayName: 'Cy' });
  const gate = await holdSync(kitPage);
  await matrixRequest(a.user, 'POST', `/_matrix/client/v3/rooms/${encodeURIComponent(dm)}/invite`, { user_id: c.userId });
  await gate.held;
  await joinRoom(c, dm);
  const fromNonMember = newCallId('nonmember');
  await sendAs(c, dm, 'm.call.invite', inviteContent(fromNonMember, c.deviceId));
  await matrixRequest(c, 'POST', `/_matrix/client/v3/rooms/${encodeURIComponent(dm)}/leave`, {});
  await gate.release();
  expected.push({ name: 'an invite from a user who is not in the room', id: fromNonMember, reason: /not ringing: the sender is not in the room/ });
  // Once out, the homeserver itself refuses C's events.
  await expect(sendAs(c, dm, 'm.call.hangup', { version: '1', call_id: fromNonMember, party_id: c.deviceId, reason: 'user_hangup' })).rejects.toThrow(/403/);

  // 2. Malformed content, each with its own call id (or event id, when the call id is what is missing).
  const malformed: { name: string; extra: Record<string, unknown>; reason: RegExp; byEventId?: boolean }[] = [
    { name: 'no call_id', extra: { call_id: undefined }, reason: /call_id: missing/, byEventId: true },
    { name: 'no party_id', extra: { party_id: undefined }, reason: /party_id: missing/, byEventId: true },
    { name: 'version 2 and no party_id', extra: { version: 2, party_id: undefined }, reason: /party_id: missing/, byEventId: true },
    { name: 'no offer', extra: { offer: undefined }, reason: /offer: missing/, byEventId: true },
    { name: 'no offer.sdp', extra: { offer: { type: 'offer' } }, reason: /offer\.sdp: missing/, byEventId: true },
    { name: 'no lifetime', extra: { lifetime: undefined }, reason: /lifetime: missing/, byEventId: true },
    { name: 'lifetime as a string', extra: { lifetime: '90000' }, reason: /lifetime: expected a positive number of milliseconds, got a string/, byEventId: true },
    { name: 'an invitee that is someone else', extra: { invitee: '@someone-else:localhost' }, reason: /not ringing: it is for @someone-else:localhost/ },
    { name: 'an expired invite (lifetime 1 ms)', extra: { lifetime: 1 }, reason: /not ringing: expired/ },
  ];
  for (const row of malformed) {
    const callId = newCallId(row.name.replace(/[^a-z0-9]+/gi, '-'));
    const eventId = await sendAs(b.user, dm, 'm.call.invite', inviteContent(callId, bParty, row.extra));
    expected.push({ name: row.name, id: row.byEventId ? eventId : callId, reason: row.reason });
  }

  // 3. Events for calls the kit never had.
  const unknownCandidates = newCallId('unknown-candidates');
  await sendAs(b.user, dm, 'm.call.candidates', {
    version: '1', call_id: unknownCandidates, party_id: bParty,
    candidates: [{ candidate: 'candidate:1 1 udp 2122260223 192.0.2.44 54321 typ host generation 0', sdpMid: '0', sdpMLineIndex: 0 }],
  });
  expected.push({ name: 'candidates for an unknown call', id: unknownCandidates, reason: /unknown call/ });
  const neverMade = newCallId('never-made');
  await sendAs(b.user, dm, 'm.call.answer', { version: '1', call_id: neverMade, party_id: bParty, answer: { type: 'answer', sdp: offerSdp } });
  expected.push({ name: 'an answer for a call the kit never made', id: neverMade, reason: /m\.call\.answer for unknown call/ });

  // 4. Our own events: an invite from our other device, and our own echo (our user, our device's party id).
  const fromOtherDevice = newCallId('other-device');
  sentAsKitUser.add(await sendAs(a.user, dm, 'm.call.invite', inviteContent(fromOtherDevice, 'KITOTHERDEVICE', { invitee: b.user.userId })));
  expected.push({ name: 'an invite from our own other device', id: fromOtherDevice, reason: /not ringing: we sent it/ });
  const echoEventId = await sendAs(a.user, dm, 'm.call.invite', inviteContent(newCallId('echo'), a.user.deviceId, { invitee: b.user.userId }));
  sentAsKitUser.add(echoEventId);
  expected.push({ name: 'our own echoed invite', id: echoEventId, reason: /echo/i });

  // 5. An invite in a public room both are in. Synapse refuses plaintext m.call.invite events in public rooms
  // ("Call invites are not allowed in public rooms."; it cannot see into encrypted ones), so the invite is
  // sent while the room is still private and the room goes public in the same sync batch, held as above.
  const goingPublic = await holdSync(kitPage);
  const publicRoom = await createRoom(b.user, { preset: 'private_chat', invite: [a.user.userId], name: 'goes public' });
  await goingPublic.held;
  await joinRoom(a.user, publicRoom);
  const inPublic = newCallId('public');
  await sendAs(b.user, publicRoom, 'm.call.invite', inviteContent(inPublic, bParty));
  await matrixRequest(b.user, 'PUT', `/_matrix/client/v3/rooms/${encodeURIComponent(publicRoom)}/state/m.room.join_rules/`, { join_rule: 'public' });
  await goingPublic.release();
  expected.push({ name: 'an invite in a public room', id: inPublic, reason: /not ringing: the room is public/ });
  // A plaintext invite sent once the room is public never reaches the kit at all.
  await expect(sendAs(b.user, publicRoom, 'm.call.invite', inviteContent(newCallId('public-refused'), bParty))).rejects.toThrow(/403.*public rooms/);

  // 6. The one valid invite; it must ring.
  const valid = newCallId('valid');
  await sendAs(b.user, dm, 'm.call.invite', inviteContent(valid, bParty));
  await expect.poll(() => kitPage.evaluate(() => (window as BadInputWindow).badInput?.rang ?? [])).toEqual([valid]);

  // 7. Bad input about the ringing call.
  await sendAs(b.user, dm, 'm.call.select_answer', { version: '1', call_id: valid, party_id: 'NOTTHECALLER', selected_party_id: 'SOMEONEELSE' });
  expected.push({ name: 'a select_answer for another party, not from the caller', id: valid, reason: /select_answer from .*\/NOTTHECALLER, who is not the caller/ });
  await sendAs(b.user, dm, 'm.call.hangup', { version: '1', call_id: valid, party_id: 'BOTHERDEVICE', reason: 'user_hangup' });
  expected.push({ name: 'a hangup from the caller\'s other device', id: valid, reason: /hangup from .*\/BOTHERDEVICE, who is not our peer/ });
  await sendAs(b.user, dm, 'm.call.negotiate', { version: '1', call_id: valid, party_id: 'BOTHERDEVICE', description: { type: 'offer', sdp: offerSdp }, lifetime: 60_000 });
  expected.push({ name: 'a negotiate from a party that is not the chosen one', id: valid, reason: /negotiate from .*\/BOTHERDEVICE, who is not our peer/ });
  await sendAs(b.user, dm, 'm.call.invite', inviteContent(valid, bParty));
  expected.push({ name: 'a duplicate invite with the same call_id', id: valid, reason: /invite .* already known/ });
  const badCandidates = await sendAs(b.user, dm, 'm.call.candidates', {
    version: '1', call_id: valid, party_id: bParty, candidates: [{ candidate: 7, sdpMid: '0' }, { candidate: 'candidate:1 1 udp 1 192.0.2.1 1 typ host' }],
  });
  expected.push({ name: 'candidates with only malformed entries', id: badCandidates, reason: /candidates: no valid entry/ });

  // The kit handles a sync batch's events in timeline order, so once the last one sent is logged every
  // earlier one has been handled too. Each must have been dropped with a line that names it and says why.
  const last = expected.at(-1);
  if (last) await expect.poll(() => kitLog.some(({ text }) => text.includes(last.id) && last.reason.test(text))).toBe(true);
  const logged = kitLog.map((line) => line.text).join('\n');
  for (const { name, id, reason } of expected) {
    expect.soft(
      kitLog.some(({ text }) => text.includes(id) && reason.test(text)),
      `${name}: a [matrix-call-kit …] line with ${id} matching ${String(reason)}; the kit logged:\n${logged}`,
    ).toBe(true);
  }

  // Only the valid invite rang, and it still rings.
  const state = await kitCallState(kitPage);
  expect(state.rang).toEqual([valid]);
  expect(state.ringing).toEqual([valid]);
  expect(state.calls).toEqual([{ callId: valid, phase: 'ringing' }]);

  // The kit sent nothing in reply: every m.call.* event from its user is one this test sent.
  for (const room of [dm, publicRoom]) {
    expect(await callEventsFromKit(b.user, a.user, room, sentAsKitUser), `m.call.* events the kit sent in ${room}`).toEqual([]);
  }

  expect(pageErrors, 'errors thrown in the kit\'s page').toEqual([]);
  expect(kitLog.filter((line) => line.type === 'error').map((line) => line.text), 'errors the kit logged').toEqual([]);
});

test('a peer flooding invites makes two calls ring, no more; once they end they are gone, and an invite whose lifetime no timer holds rings', async ({ browser }) => {
  const { a, b, roomId: dm } = await twoPartiesInADm(browser);
  const { kitLog, pageErrors } = await startLoggedKit(a.page, a.user);
  const { inviteContent } = await inviteMaker(b.page, b.user, a.user);

  // One after another, as fast as the homeserver takes them. (Held for one sync batch, most would not reach
  // the kit at all: a sync's timeline is cut to its last few events.)
  const flood = Array.from({ length: 30 }, (_, i) => newCallId(`flood-${i}`));
  for (const callId of flood) await sendAs(b.user, dm, 'm.call.invite', inviteContent(callId));
  const dropped = (callId: string): boolean => kitLog.some(({ text }) => text.includes(callId) && /not ringing: 2 calls from .* are ringing already/.test(text));
  await expect.poll(() => flood.slice(2).every(dropped), { message: 'every invite after the first two dropped with its reason' }).toBe(true);
  await expect.poll(async () => (await kitCallState(a.page)).ringing).toEqual(flood.slice(0, 2));
  expect((await kitCallState(a.page)).rang).toEqual(flood.slice(0, 2));

  // The caller hangs up both: they end and leave the kit's calls.
  for (const callId of flood.slice(0, 2)) {
    await sendAs(b.user, dm, 'm.call.hangup', { version: '1', call_id: callId, party_id: b.user.deviceId, reason: 'user_hangup' });
  }
  await expect.poll(async () => (await kitCallState(a.page)).calls).toEqual([]);

  // A lifetime of 1e15 ms overflows setTimeout, which would fire at once; it is read as ten minutes.
  const longLived = newCallId('long-lived');
  await sendAs(b.user, dm, 'm.call.invite', inviteContent(longLived, b.user.deviceId, { lifetime: 1e15 }));
  await expect.poll(async () => (await kitCallState(a.page)).ringing).toEqual([longLived]);
  // Once the kit has logged an event sent after the invite, a timer that fired at once would have ended it.
  await sendAs(b.user, dm, 'm.call.hangup', { version: '1', call_id: longLived, party_id: 'BOTHERDEVICE', reason: 'user_hangup' });
  await expect.poll(() => kitLog.some(({ text }) => text.includes(longLived) && /BOTHERDEVICE, who is not our peer/.test(text))).toBe(true);
  expect((await kitCallState(a.page)).calls).toEqual([{ callId: longLived, phase: 'ringing' }]);

  expect(await callEventsFromKit(b.user, a.user, dm), 'm.call.* events the kit sent').toEqual([]);
  expect(pageErrors, 'errors thrown in the kit\'s page').toEqual([]);
  expect(kitLog.filter((line) => line.type === 'error').map((line) => line.text), 'errors the kit logged').toEqual([]);
});
