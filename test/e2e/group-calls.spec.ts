import { expect, test, type Browser, type Page } from '@playwright/test';
import { AUDIBLE_ENERGY } from '../helpers/audible.js';
import { credentialsOf } from '../helpers/calls.js';
import { openHarness } from '../helpers/pages.js';
import { matrixRequest } from '../helpers/raw-matrix.js';
import { dropSfuLink } from '../helpers/sfu-link.js';
import { startRtcAuth } from '../helpers/service-process.js';
import { startService, stopService } from '../helpers/stack-process.js';
import { loadStack } from '../helpers/stack.js';
import { createRoom, joinRoom, login, registerUser, type TestUser } from '../helpers/synapse.js';

// Group calls on the real stack: MatrixRTC memberships in Synapse, media through livekit-server, tokens from
// services/rtc-auth, found through the homeserver's MSC4143 transports.

const CALL_MEMBER = 'org.matrix.msc3401.call.member';

interface Member {
  user: TestUser;
  page: Page;
  /** Their LiveKit identity. */
  identity: string;
}

/** Members of a new private room; `callMemberLevel` is the power level call membership needs there (default 0). */
async function membersOfANewRoom(browser: Browser, names: string[], options: { callMemberLevel?: 'room default'; encrypted?: boolean; stickyFor?: string[]; transportUrl?: string } = {}): Promise<{ roomId: string; members: Member[] }> {
  const eventPowerLevels = options.callMemberLevel === 'room default' ? undefined : { [CALL_MEMBER]: 0 };
  const users = await Promise.all(names.map((displayName) => registerUser({ displayName })));
  const roomId = await createRoom(users[0]!, { name: 'Standup', invite: users.slice(1).map((user) => user.userId), eventPowerLevels, encrypted: options.encrypted });
  for (const user of users.slice(1)) await joinRoom(user, roomId);
  const members = await Promise.all(users.map(async (user, index) => {
    const page = await openHarness(browser);
    if (options.transportUrl) {
      // The stack's homeserver stands for one that advertises this token service as its RTC transport.
      const transports = { rtc_transports: [{ type: 'livekit', livekit_service_url: options.transportUrl }] };
      await page.route('**/_matrix/client/unstable/org.matrix.msc4143/rtc/transports', (route) => route.fulfill({ json: transports }));
    }
    const stickyMembership = options.stickyFor?.includes(names[index]!) ?? false;
    await page.evaluate(([credentials, sticky]) => window.mx.startKit(credentials, { listenLater: true, group: { stickyMembership: sticky } }), [credentialsOf(user), stickyMembership] as const);
    const { userId, deviceId } = await page.evaluate(() => window.mx.kitIdentity());
    return { user, page, identity: `${userId}:${deviceId}` };
  }));
  return { roomId, members };
}

/** `inviter` invites `user`, who joins. */
async function joinRoomAfterInvite(inviter: TestUser, user: TestUser, roomId: string): Promise<void> {
  await matrixRequest(inviter, 'POST', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/invite`, { user_id: user.userId });
  await joinRoom(user, roomId);
}

/** The room's call membership state events with content, by state key (a left membership's content is empty). */
async function callMemberships(roomId: string, asUser: TestUser): Promise<Record<string, unknown>> {
  const state = await matrixRequest<{ type: string; state_key: string; content: Record<string, unknown> }[]>(asUser, 'GET', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state`);
  return Object.fromEntries(state.filter((event) => event.type === CALL_MEMBER && Object.keys(event.content).length > 0).map((event) => [event.state_key, event.content]));
}

/**
 * Waits until every member sees the others connected (and exactly them, with `alsoConnected`) and has decoded
 * their video and heard their audio.
 */
async function expectMediaBetweenAll(members: Member[], alsoConnected: Member[] = []): Promise<void> {
  for (const member of members) {
    const others = members.filter((other) => other !== member).map((other) => other.identity);
    const connected = [...others, ...alsoConnected.map((other) => other.identity)].sort();
    await expect.poll(() => connectedIdentities(member.page), { message: `${member.identity} to see the others connected`, timeout: 30_000 }).toEqual(connected);
    await expect.poll(async () => {
      const received = await member.page.evaluate(() => window.mx.kitGroupReceived());
      return others.every((identity) => (received[identity]?.framesDecoded ?? 0) > 10 && (received[identity]?.audioEnergy ?? 0) > AUDIBLE_ENERGY);
    }, { message: `${member.identity} to decode the others' video and hear their audio`, timeout: 30_000 }).toBe(true);
  }
}

/** Each member decodes new frames from each other one (a new subscription starts counting afresh). */
async function expectNewFrames(members: Member[]): Promise<void> {
  for (const member of members) {
    for (const other of members.filter((candidate) => candidate !== member)) {
      const before = (await member.page.evaluate(() => window.mx.kitGroupReceived()))[other.identity]?.framesDecoded ?? 0;
      await expect.poll(async () => {
        const now = (await member.page.evaluate(() => window.mx.kitGroupReceived()))[other.identity]?.framesDecoded ?? 0;
        return now > before + 30 || (now < before && now > 30);
      }, { message: `${member.identity} to decode new frames from ${other.identity}`, timeout: 30_000 }).toBe(true);
    }
  }
}

/** A call membership of Element Call's form for the member's device (its LiveKit identity's), sent by hand. */
async function sendMembershipOf(member: Member, roomId: string): Promise<void> {
  const [userId, deviceId] = [member.user.userId, member.identity.split(':').pop()!];
  await matrixRequest(member.user, 'PUT', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/${CALL_MEMBER}/${encodeURIComponent(`_${userId}_${deviceId}_m.call`)}`, {
    application: 'm.call', call_id: '', scope: 'm.room', device_id: deviceId, expires: 3_600_000,
    focus_active: { type: 'livekit', focus_selection: 'multi_sfu' },
    foci_preferred: [{ type: 'livekit', livekit_service_url: loadStack().rtcAuthUrl, livekit_alias: roomId }],
  });
}

/** When the token service last issued a token, from the timestamps of its log. */
function lastTokenIssuedAt(log: string): number {
  const issued = log.split('\n').filter((line) => line.includes('token issued')).map((line) => Date.parse(line.split(' ')[0] ?? ''));
  expect(issued.length, 'the service issued tokens').toBeGreaterThan(0);
  return Math.max(...issued);
}

const connectedIdentities = (page: Page) => page.evaluate(() => window.mx.kitGroupSnapshot().participants.filter((participant) => participant.status === 'connected').map((participant) => participant.identity).sort());

test.describe('group calls', () => {
  test('three members join one call: each decodes the others\' video and hears their audio, and a leave removes the membership', async ({ browser }) => {
    test.setTimeout(150_000);
    const { roomId, members } = await membersOfANewRoom(browser, ['Ana', 'Ben', 'Cy']);
    const failures = await Promise.all(members.map(({ page }) => page.evaluate((room) => window.mx.kitJoinGroupCall(room), roomId)));
    expect(failures).toEqual([undefined, undefined, undefined]);

    await expectMediaBetweenAll(members);

    // Element Call's compatibility form, as the room state holds it.
    const [ana, ben, cy] = members as [Member, Member, Member];
    const held = await callMemberships(roomId, ana.user);
    const anaKey = `_${ana.identity.replace(/:([^:]+)$/, '_$1')}_m.call`;
    expect(held[anaKey]).toMatchObject({
      application: 'm.call', call_id: '', scope: 'm.room', device_id: ana.identity.split(':').pop(),
      focus_active: { type: 'livekit', focus_selection: 'multi_sfu' },
      foci_preferred: [{ type: 'livekit', livekit_alias: roomId, livekit_service_url: expect.stringMatching(/^http:\/\/127\./) }],
    });
    expect(Object.keys(held)).toHaveLength(3);

    expect(await cy.page.evaluate(() => window.mx.kitLeaveGroupCall())).toBe('left');
    expect(Object.keys(await callMemberships(roomId, ana.user))).toHaveLength(2);
    for (const stayed of [ana, ben]) {
      await expect.poll(() => connectedIdentities(stayed.page), { message: 'the leaver to disappear' }).toEqual([ana, ben].filter((m) => m !== stayed).map((m) => m.identity));
    }
    await Promise.all([ana, ben].map(({ page }) => page.evaluate(() => window.mx.kitLeaveGroupCall())));
    expect(await callMemberships(roomId, ana.user)).toEqual({});
  });

  test('in an encrypted room media is end-to-end encrypted with per-participant keys, and decodes', async ({ browser }) => {
    test.setTimeout(150_000);
    const { roomId, members } = await membersOfANewRoom(browser, ['Eve', 'Finn', 'Gus'], { encrypted: true });
    const failures = await Promise.all(members.map(({ page }) => page.evaluate((room) => window.mx.kitJoinGroupCall(room), roomId)));
    expect(failures).toEqual([undefined, undefined, undefined]);
    await expectMediaBetweenAll(members);
    for (const { page } of members) {
      expect(await page.evaluate(() => window.mx.kitGroupSnapshot().participants.map((participant) => participant.encrypted))).toEqual([true, true]);
    }
    await Promise.all(members.map(({ page }) => page.evaluate(() => window.mx.kitLeaveGroupCall())));
    expect(await callMemberships(roomId, members[0]!.user)).toEqual({});
  });

  test('no ghosts: a page that vanishes mid-call leaves it by its delayed leave event, and the others stop showing it', async ({ browser }) => {
    test.setTimeout(150_000);
    const { roomId, members } = await membersOfANewRoom(browser, ['Hal', 'Ida']);
    const [hal, ida] = members as [Member, Member];
    await Promise.all(members.map(({ page }) => page.evaluate((room) => window.mx.kitJoinGroupCall(room), roomId)));
    await expectMediaBetweenAll(members);
    const idaKey = `_${ida.identity.replace(/:([^:]+)$/, '_$1')}_m.call`;
    expect(Object.keys(await callMemberships(roomId, hal.user))).toContain(idaKey);

    // The tab goes without a word: its requests fail from now on (a leave it tries on the way out included), so
    // only the homeserver's delayed leave event can end the membership. (Page.crash would be closer, but pages
    // of one browser may share a renderer here, and it took the other page down too.)
    await ida.page.route('**/*', (route) => route.abort('internetdisconnected'));
    await ida.page.close({ runBeforeUnload: false });

    await expect.poll(async () => Object.keys(await callMemberships(roomId, hal.user)), { message: 'the delayed leave to end the vanished membership', timeout: 40_000 }).not.toContain(idaKey);
    await expect.poll(() => hal.page.evaluate(() => window.mx.kitGroupSnapshot().participants.map((participant) => participant.identity)), { message: 'the vanished member\'s tile to go' }).toEqual([]);
    await hal.page.evaluate(() => window.mx.kitLeaveGroupCall());
    expect(await callMemberships(roomId, hal.user)).toEqual({});
  });

  test('delegated delayed leave: a member cut off from the homeserver but still on the SFU keeps its membership (the token service restarts it), and loses it as soon as it leaves the SFU', async ({ browser }) => {
    test.setTimeout(150_000);
    const { roomId, members } = await membersOfANewRoom(browser, ['Jon', 'Kim']);
    const [jon, kim] = members as [Member, Member];
    await Promise.all(members.map(({ page }) => page.evaluate((room) => window.mx.kitJoinGroupCall(room), roomId)));
    await expectMediaBetweenAll(members);
    const kimKey = `_${kim.identity.replace(/:([^:]+)$/, '_$1')}_m.call`;

    // Kim's page can no longer restart its delayed leave (8 s): every request to the homeserver fails, as in a
    // frozen background tab; its LiveKit connection stays. Three delays later the membership is still there.
    await kim.page.route(`${loadStack().homeserverUrl}/**`, (route) => route.abort('internetdisconnected'));
    await new Promise((resolve) => setTimeout(resolve, 24_000));
    expect(Object.keys(await callMemberships(roomId, jon.user)), 'the token service to keep Kim\'s membership alive').toContain(kimKey);
    expect(await connectedIdentities(jon.page)).toEqual([kim.identity]);

    // Kim's page goes: its participant leaves the SFU, and the service sends the leave.
    await kim.page.close({ runBeforeUnload: false });
    await expect.poll(async () => Object.keys(await callMemberships(roomId, jon.user)), { message: 'the service to send Kim\'s leave', timeout: 30_000 }).not.toContain(kimKey);
    await jon.page.evaluate(() => window.mx.kitLeaveGroupCall());
  });

  // livekit-client restores a link by itself for about 45 s; past that the kit joins the SFU again itself.
  for (const { outage, awayMs, encrypted, linkDrop } of [
    { outage: 'restarts', awayMs: 0, encrypted: false, linkDrop: false },
    { outage: 'is away for longer than livekit-client retries (60 s, encrypted room)', awayMs: 60_000, encrypted: true, linkDrop: false },
    { outage: 'link drops for 5 s (every packet to it and every media packet lost, as on losing Wi-Fi; encrypted room)', awayMs: 5_000, encrypted: true, linkDrop: true },
  ]) {
    test(`the SFU ${outage} mid-call: the call comes back by itself, media resumes, and the memberships stay`, async ({ browser }) => {
      test.setTimeout(150_000 + awayMs);
      const { roomId, members } = await membersOfANewRoom(browser, ['Jo', 'Kai'], { encrypted });
      await Promise.all(members.map(({ page }) => page.evaluate((room) => window.mx.kitJoinGroupCall(room), roomId)));
      await expectMediaBetweenAll(members);

      if (linkDrop) {
        const restore = dropSfuLink();
        try {
          // The drop holds: no frame arrives while it lasts.
          const [jo, kai] = members as [Member, Member];
          const framesFromKai = async () => (await jo.page.evaluate(() => window.mx.kitGroupReceived()))[kai.identity]?.framesDecoded ?? 0;
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          const early = await framesFromKai();
          await new Promise((resolve) => setTimeout(resolve, awayMs - 1_000));
          expect(await framesFromKai(), 'no frame arrives while the link is down').toBeLessThanOrEqual(early + 1);
        } finally {
          restore();
        }
      } else {
        await stopService('livekit');
        for (const { page } of members) {
          await expect.poll(() => page.evaluate(() => window.mx.kitGroupSnapshot().phase), { message: 'the call to say it is reconnecting' }).toBe('reconnecting');
        }
        await new Promise((resolve) => setTimeout(resolve, awayMs));
        await startService();
      }

      for (const member of members) {
        await expect.poll(() => member.page.evaluate(() => window.mx.kitGroupSnapshot().phase), { message: 'the call to come back', timeout: 60_000 }).toBe('connected');
      }
      // Media flows again: frames decoded since the SFU came back.
      await expectNewFrames(members);
      expect(Object.keys(await callMemberships(roomId, members[0]!.user))).toHaveLength(2);
      await Promise.all(members.map(({ page }) => page.evaluate(() => window.mx.kitLeaveGroupCall())));
      expect(await callMemberships(roomId, members[0]!.user)).toEqual({});
    });
  }

  // Tokens only admit to the SFU: livekit-server hands a connected client fresh ones (valid 10 minutes) for its
  // reconnections, and a rejoin by the kit asks the token service again (the 60 s outage above).
  test('a call outlives its LiveKit tokens: media flows past their lifetime, and an SFU restart after it is survived', async ({ browser }) => {
    test.setTimeout(180_000);
    const service = startRtcAuth({ LIVEKIT_TOKEN_TTL_SECONDS: '10' });
    try {
      const { roomId, members } = await membersOfANewRoom(browser, ['Lu', 'Mo'], { encrypted: true, transportUrl: await service.url() });
      await Promise.all(members.map(({ page }) => page.evaluate((room) => window.mx.kitJoinGroupCall(room), roomId)));
      await expectMediaBetweenAll(members);
      await new Promise((resolve) => setTimeout(resolve, 12_000));
      const lastIssued = lastTokenIssuedAt(service.output);
      expect(Date.now(), 'every token the service issued has expired').toBeGreaterThan(lastIssued + 10_000);
      await expectNewFrames(members);

      await stopService('livekit');
      await startService();
      for (const member of members) {
        await expect.poll(() => member.page.evaluate(() => window.mx.kitGroupSnapshot().phase), { message: 'the call to come back', timeout: 90_000 }).toBe('connected');
      }
      await expectNewFrames(members);
      await Promise.all(members.map(({ page }) => page.evaluate(() => window.mx.kitLeaveGroupCall())));
      expect(await callMemberships(roomId, members[0]!.user)).toEqual({});
    } finally {
      service.child.kill('SIGTERM');
    }
  });

  test('a shared screen with its audio: the others see it as a screen share, decode its picture and hear its sound, and it stops', async ({ browser }) => {
    test.setTimeout(120_000);
    const { roomId, members } = await membersOfANewRoom(browser, ['Ada', 'Ben'], { encrypted: true });
    await Promise.all(members.map(({ page }) => page.evaluate((room) => window.mx.kitJoinGroupCall(room), roomId)));
    await expectMediaBetweenAll(members);
    const [ada, ben] = members as [Member, Member];

    expect(await ada.page.evaluate(() => window.mx.kitShareScreen(true))).toEqual({ sharing: true, tracks: ['audio', 'video'] });
    await expect.poll(async () => (await ben.page.evaluate(() => window.mx.kitGroupSnapshot())).participants.find((p) => p.identity === ada.identity)?.screenSharing,
      { message: 'Ben to see Ada sharing', timeout: 30_000 }).toBe(true);
    await expect.poll(async () => {
      const screen = await ben.page.evaluate((identity) => window.mx.kitGroupScreenMedia(identity), ada.identity);
      // Squared samples summed over ten analyser windows: Chromium's fake capture beeps well above 1, silence stays near 0.
      return screen.frames > 5 && screen.audioTracks === 1 && screen.audioEnergy > 1;
    }, { message: 'Ben to decode the shared screen and hear its sound', timeout: 30_000 }).toBe(true);

    expect(await ada.page.evaluate(() => window.mx.kitShareScreen(false))).toEqual({ sharing: false, tracks: [] });
    await expect.poll(async () => (await ben.page.evaluate(() => window.mx.kitGroupSnapshot())).participants.find((p) => p.identity === ada.identity)?.screenSharing,
      { message: 'Ben to see the share end', timeout: 30_000 }).toBe(false);
    // The camera goes on.
    await expectNewFrames(members);
    await Promise.all(members.map(({ page }) => page.evaluate(() => window.mx.kitLeaveGroupCall())));
  });

  test('malformed, forged, expired and oversized memberships make no ghost tiles, and a valid member still joins', async ({ browser }) => {
    test.setTimeout(150_000);
    const { roomId, members } = await membersOfANewRoom(browser, ['Lea', 'Max']);
    const [lea, max] = members as [Member, Member];
    const mallory = await registerUser({ displayName: 'Mallory' });
    await joinRoomAfterInvite(lea.user, mallory, roomId);
    expect(await lea.page.evaluate((room) => window.mx.kitJoinGroupCall(room), roomId)).toBeUndefined();

    const transport = { type: 'livekit', livekit_service_url: loadStack().rtcAuthUrl, livekit_alias: roomId };
    const valid = (deviceId: string) => ({
      application: 'm.call', call_id: '', scope: 'm.room', device_id: deviceId, expires: 3_600_000,
      focus_active: { type: 'livekit', focus_selection: 'multi_sfu' }, foci_preferred: [transport],
    });
    const send = (stateKey: string, content: unknown) => matrixRequest(mallory, 'PUT', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/${CALL_MEMBER}/${encodeURIComponent(stateKey)}`, content);
    const [maxUser, maxDevice] = [max.user.userId, max.identity.split(':').pop()!];
    const [leaUser, leaDevice] = [lea.user.userId, lea.identity.split(':').pop()!];
    // A membership under Max's state key (the sender is Mallory, so the SDK would call it Mallory's device).
    await send(`_${maxUser}_${maxDevice}_m.call`, valid(maxDevice));
    // Under Lea's own key, even: it must not replace or shadow hers.
    await send(`_${leaUser}_${leaDevice}X_m.call`, valid(`${leaDevice}X`));
    const own = (device: string) => `_${mallory.userId}_${device}_m.call`;
    await send(own('NOFOCUS'), { ...valid('NOFOCUS'), focus_active: undefined });
    await send(own('NOTSTRING'), { ...valid('NOTSTRING'), device_id: 42 });
    await send(own('MESH'), { ...valid('MESH'), focus_active: { type: 'full_mesh' }, foci_preferred: [{ type: 'full_mesh' }] });
    await send(own('EXPIRED'), { ...valid('EXPIRED'), created_ts: 1_000, expires: 1_000 });
    await send(own('HUGE'), { ...valid('HUGE'), foci_preferred: Array.from({ length: 400 }, (_, index) => ({ ...transport, livekit_alias: `${roomId}#${index}` })) });
    await send(own('NOTALIST'), { ...valid('NOTALIST'), foci_preferred: 'everywhere' });

    // Then a real member joins: Lea sees exactly Max, and media flows, so the call read past all of the above.
    expect(await max.page.evaluate((room) => window.mx.kitJoinGroupCall(room), roomId)).toBeUndefined();
    await expectMediaBetweenAll([lea, max]);
    expect(await lea.page.evaluate(() => window.mx.kitGroupSnapshot().participants.map((participant) => participant.identity))).toEqual([max.identity]);
    await Promise.all([lea, max].map(({ page }) => page.evaluate(() => window.mx.kitLeaveGroupCall())));
    const left = await callMemberships(roomId, lea.user);
    expect(Object.keys(left).filter((key) => key.includes(leaUser) && key.endsWith(`_${leaDevice}_m.call`))).toEqual([]);
  });

  test('only members are participants: a LiveKit participant with a valid token but no membership is not subscribed to, until it publishes one', async ({ browser }) => {
    test.setTimeout(150_000);
    const { roomId, members } = await membersOfANewRoom(browser, ['Zoe', 'Abe', 'Mo']);
    const [zoe, abe, mo] = members as [Member, Member, Member];
    // Mo is in the SFU room first, publishing, with no membership.
    expect(await mo.page.evaluate((room) => window.mx.rtcPublishWithoutMembership(room), roomId)).toBe(mo.identity);
    await Promise.all([zoe, abe].map(({ page }) => page.evaluate((room) => window.mx.kitJoinGroupCall(room), roomId)));
    // Subscriptions work (the members decode each other), and none went to Mo.
    await expectMediaBetweenAll([zoe, abe]);
    expect(await zoe.page.evaluate(() => window.mx.kitGroupSnapshot().participants.map((participant) => participant.identity))).toEqual([abe.identity]);
    expect(await mo.page.evaluate(() => window.mx.liveKitSubscriptionsToMine())).toBe(0);

    // With a membership Mo becomes a participant, and is subscribed to.
    await sendMembershipOf(mo, roomId);
    await expect.poll(() => mo.page.evaluate(() => window.mx.liveKitSubscriptionsToMine()), { message: 'the members to subscribe to Mo' }).toBeGreaterThan(0);
    await expect.poll(() => zoe.page.evaluate(() => window.mx.kitGroupSnapshot().participants.map((participant) => participant.identity).sort()))
      .toEqual([abe.identity, mo.identity].sort());
    await Promise.all([zoe, abe].map(({ page }) => page.evaluate(() => window.mx.kitLeaveGroupCall())));
  });

  test('a leave and a rejoin rotate the media keys, and media keeps decoding throughout', async ({ browser }) => {
    test.setTimeout(180_000);
    const { roomId, members } = await membersOfANewRoom(browser, ['Lou', 'Max', 'Ned'], { encrypted: true });
    const [lou, max, ned] = members as [Member, Member, Member];
    await max.page.evaluate(() => window.mx.kitRecordMediaKeys());
    await Promise.all(members.map(({ page }) => page.evaluate((room) => window.mx.kitJoinGroupCall(room), roomId)));
    await expectMediaBetweenAll(members);
    const louKeys = async () => (await max.page.evaluate(() => window.mx.kitMediaKeysSeen())).filter((key) => key.sender === lou.user.userId);
    const before = await louKeys();
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((key) => key.encrypted)).toBe(true);

    // Ned leaves: Lou makes a new key (a higher index) so that Ned cannot decode what follows, and hands it to Max.
    await ned.page.evaluate(() => window.mx.kitLeaveGroupCall());
    const newestBefore = Math.max(...before.map((key) => key.index));
    await expect.poll(async () => Math.max(...(await louKeys()).map((key) => key.index)), { message: 'Lou to rotate her key after Ned left', timeout: 45_000 }).toBeGreaterThan(newestBefore);
    // Lou and Max still decode each other under the new key.
    for (const [member, other] of [[lou, max], [max, lou]] as const) {
      const frames = async () => (await member.page.evaluate(() => window.mx.kitGroupReceived()))[other.identity]?.framesDecoded ?? 0;
      const at = await frames();
      await expect.poll(frames, { message: `${member.identity} to keep decoding ${other.identity} after the rotation`, timeout: 30_000 }).toBeGreaterThan(at + 30);
    }

    // Ned comes back: everyone decodes everyone again.
    expect(await ned.page.evaluate((room) => window.mx.kitJoinGroupCall(room), roomId)).toBeUndefined();
    await expectMediaBetweenAll(members);
    await Promise.all(members.map(({ page }) => page.evaluate(() => window.mx.kitLeaveGroupCall())));
  });

  test('a LiveKit participant holding a valid token but no keys decodes no frame of an encrypted room\'s call', async ({ browser }) => {
    test.setTimeout(150_000);
    const { roomId, members } = await membersOfANewRoom(browser, ['Xena', 'Yuri', 'Eve'], { encrypted: true });
    const [xena, yuri, eve] = members as [Member, Member, Member];
    await Promise.all([xena, yuri].map(({ page }) => page.evaluate((room) => window.mx.kitJoinGroupCall(room), roomId)));
    // Eve is in the room, so the token service gives her a token for the call's SFU room; she never joins the
    // call, so nobody sends her a key.
    await eve.page.evaluate((room) => window.mx.rtcEavesdropWithoutKeys(room, { e2ee: true }), roomId);
    await expectMediaBetweenAll([xena, yuri]);
    await expect.poll(() => eve.page.evaluate(() => window.mx.rtcEavesdropperReceived()), { message: 'Eve to receive both members\' video', timeout: 30_000 })
      .toMatchObject({ videoTracks: 2, bytesReceived: expect.any(Number) });
    await expect.poll(async () => (await eve.page.evaluate(() => window.mx.rtcEavesdropperReceived())).bytesReceived, { message: 'encrypted frames to reach Eve' }).toBeGreaterThan(100_000);
    expect((await eve.page.evaluate(() => window.mx.rtcEavesdropperReceived())).framesDecoded).toBe(0);
    await Promise.all([xena, yuri].map(({ page }) => page.evaluate(() => window.mx.kitLeaveGroupCall())));
  });

  test('a member whose media key never comes: its tile shows, the kit says once that its media cannot be decrypted, and the page is not flooded with a warning per frame', async ({ browser }) => {
    test.setTimeout(150_000);
    const { roomId, members } = await membersOfANewRoom(browser, ['Ida', 'Jon', 'Kai'], { encrypted: true });
    const [ida, jon, kai] = members as [Member, Member, Member];
    const idaPrinted: string[] = [];
    ida.page.on('console', (message) => idaPrinted.push(message.text()));
    await Promise.all([ida, jon].map(({ page }) => page.evaluate((room) => window.mx.kitJoinGroupCall(room), roomId)));
    await expectMediaBetweenAll([ida, jon]);
    // Kai publishes media encrypted with a key he sends nobody, and then a membership: a member to subscribe to.
    expect(await kai.page.evaluate((room) => window.mx.rtcPublishWithoutMembership(room, { encryptWithUnsentKey: true }), roomId)).toBe(kai.identity);
    await sendMembershipOf(kai, roomId);
    await expect.poll(() => kai.page.evaluate(() => window.mx.liveKitSubscriptionsToMine()), { message: 'the members to subscribe to Kai' }).toBeGreaterThan(0);
    await expect.poll(() => connectedIdentities(ida.page), { message: 'Ida to see Kai connected' }).toEqual([jon.identity, kai.identity].sort());
    const failures = () => idaPrinted.filter((text) => text.includes(`could not decrypt media of ${kai.identity} `));
    await expect.poll(() => failures().length, { message: 'the kit to say Ida cannot decrypt Kai' }).toBeGreaterThan(0);
    // Kai's frames keep arriving and failing for a while; Jon's keep decoding.
    await expectNewFrames([ida, jon]);
    expect((await ida.page.evaluate(() => window.mx.kitGroupReceived()))[kai.identity]?.framesDecoded ?? 0).toBe(0);
    expect(new Set(failures()).size, `each failure said once: ${failures().join(' | ')}`).toBe(failures().length);
    expect(idaPrinted.filter((text) => text.includes('skipping decryption'))).toEqual([]);
    await Promise.all([ida, jon].map(({ page }) => page.evaluate(() => window.mx.kitLeaveGroupCall())));
  });

  test('shared-secret mode (Element Call\'s password) in an unencrypted room: the same password decodes, another decodes nothing', async ({ browser }) => {
    test.setTimeout(150_000);
    const { roomId, members } = await membersOfANewRoom(browser, ['Abe', 'Bea', 'Cal']);
    const [abe, bea, cal] = members as [Member, Member, Member];
    const join = (member: Member, password: string) => member.page.evaluate(([room, secret]) => window.mx.kitJoinGroupCall(room, { password: secret }), [roomId, password] as const);
    // Cal cannot decrypt a frame: what the page prints of it, from LiveKit's E2EE worker and from the kit.
    const calPrinted: string[] = [];
    cal.page.on('console', (message) => calPrinted.push(message.text()));
    expect(await join(abe, 'correct horse battery staple')).toBeUndefined();
    expect(await join(bea, 'correct horse battery staple')).toBeUndefined();
    expect(await join(cal, 'a wrong guess')).toBeUndefined();
    await expectMediaBetweenAll([abe, bea], [cal]);
    for (const [member, other] of [[abe, bea], [bea, abe]] as const) {
      const snapshot = await member.page.evaluate(() => window.mx.kitGroupSnapshot());
      expect(snapshot.participants.find((participant) => participant.identity === other.identity)?.encrypted).toBe(true);
    }
    for (const [member, other] of [[abe, cal], [bea, cal], [cal, abe], [cal, bea]] as const) {
      expect((await member.page.evaluate(() => window.mx.kitGroupReceived()))[other.identity]?.framesDecoded ?? 0, `${member.identity} decodes nothing of ${other.identity}`).toBe(0);
    }
    // The kit says once whose media it cannot decrypt; LiveKit's worker does not warn of every frame (it did, at
    // hundreds of messages a second, each one posted to the page and printed).
    const failures = (other: Member) => calPrinted.filter((text) => text.includes(`could not decrypt media of ${other.identity} `));
    await expect.poll(() => [abe, bea].map((other) => failures(other).length > 0), { message: 'the kit to say Cal cannot decrypt Abe and Bea' }).toEqual([true, true]);
    await cal.page.waitForTimeout(3_000);
    for (const other of [abe, bea]) expect(new Set(failures(other)).size, `each failure said once: ${failures(other).join(' | ')}`).toBe(failures(other).length);
    expect(calPrinted.filter((text) => /maximum ratchet attempts|decoding frame failed|skipping decryption|marked as invalid/.test(text))).toEqual([]);
    // A password the kit cannot use is a typed error before anything is sent.
    await abe.page.evaluate(() => window.mx.kitLeaveGroupCall());
    expect(await join(abe, '')).toMatchObject({ code: 'INVALID_ARGUMENT' });
    await Promise.all([bea, cal].map(({ page }) => page.evaluate(() => window.mx.kitLeaveGroupCall())));
  });

  test('a plaintext media-key message changes nothing: media keeps decoding (the homeserver cannot hand out keys)', async ({ browser }) => {
    test.setTimeout(150_000);
    const { roomId, members } = await membersOfANewRoom(browser, ['Nia', 'Oli'], { encrypted: true });
    const [nia, oli] = members as [Member, Member];
    await Promise.all(members.map(({ page }) => page.evaluate((room) => window.mx.kitJoinGroupCall(room), roomId)));
    await expectMediaBetweenAll(members);

    const dropped = new Promise<void>((resolve) => nia.page.on('console', (message) => {
      if (message.text().includes('sent unencrypted')) resolve();
    }));
    // What a homeserver (or anyone who can send to-device as Oli) could inject: Oli's device's keys replaced by
    // garbage at the first indexes, sent in the clear. Taken, they would stop Nia decoding Oli.
    const [niaDevice, oliDevice] = [nia.identity.split(':').pop()!, oli.identity.split(':').pop()!];
    for (let index = 0; index < 4; index += 1) {
      const content = {
        keys: { index, key: btoa(String.fromCharCode(...Array.from({ length: 16 }, (_, i) => (i * 7 + index) % 256))) },
        room_id: roomId,
        member: { id: oli.identity, claimed_device_id: oliDevice },
        sent_ts: Date.now(),
      };
      await matrixRequest(oli.user, 'PUT', `/_matrix/client/v3/sendToDevice/io.element.call.encryption_keys/plaintext-${index}-${Date.now()}`, { messages: { [nia.user.userId]: { [niaDevice]: content } } });
    }
    await dropped;
    const before = (await nia.page.evaluate(() => window.mx.kitGroupReceived()))[oli.identity]?.framesDecoded ?? 0;
    await expect.poll(async () => (await nia.page.evaluate(() => window.mx.kitGroupReceived()))[oli.identity]?.framesDecoded ?? 0,
      { message: 'Nia to keep decoding Oli' }).toBeGreaterThan(before + 60);
    await Promise.all(members.map(({ page }) => page.evaluate(() => window.mx.kitLeaveGroupCall())));
  });

  test('forged and bad media-key messages over Olm (another member\'s identity, another room, out-of-range index, oversized, not base64) change nothing', async ({ browser }) => {
    test.setTimeout(150_000);
    const { roomId, members } = await membersOfANewRoom(browser, ['Rae', 'Sid', 'Mallory'], { encrypted: true });
    const [rae, sid, mallory] = members as [Member, Member, Member];
    await Promise.all([rae, sid].map(({ page }) => page.evaluate((room) => window.mx.kitJoinGroupCall(room), roomId)));
    await expectMediaBetweenAll([rae, sid]);
    await rae.page.evaluate(() => window.mx.kitRecordMediaKeys());

    // Mallory is in the room (so she has Olm sessions with everyone) but not in the call.
    const [raeDevice, sidDevice] = [rae.identity.split(':').pop()!, sid.identity.split(':').pop()!];
    const garbage = (seed: number) => btoa(String.fromCharCode(...Array.from({ length: 16 }, (_, i) => (i * 13 + seed) % 256)));
    const base = { room_id: roomId, sent_ts: Date.now() };
    const forged = [
      // Sid's identity claimed: the key would replace Sid's, were the claim believed.
      ...[0, 1, 2, 3].map((index) => ({ ...base, keys: { index, key: garbage(index) }, member: { id: sid.identity, claimed_device_id: sidDevice } })),
      { ...base, room_id: '!another:localhost', keys: { index: 0, key: garbage(9) }, member: { claimed_device_id: 'MALLORY' } },
      { ...base, keys: { index: 256, key: garbage(10) }, member: { claimed_device_id: 'MALLORY' } },
      { ...base, keys: { index: -1, key: garbage(11) }, member: { claimed_device_id: 'MALLORY' } },
      // Under Synapse's 64 KiB to-device limit, so it arrives.
      { ...base, keys: { index: 0, key: 'A'.repeat(20_000) }, member: { claimed_device_id: 'MALLORY' } },
      { ...base, keys: { index: 0, key: '<not base64>' }, member: { claimed_device_id: 'MALLORY' } },
      { ...base, keys: { index: 0 }, member: { claimed_device_id: 'MALLORY' } },
    ];
    for (const content of forged) await mallory.page.evaluate(([user, device, body]) => window.mx.kitSendMediaKeyMessage(user, device, body), [rae.user.userId, raeDevice, content] as const);
    // Once Rae's client has all of them (they arrive in order), decoding Sid must have gone on.
    await expect.poll(async () => (await rae.page.evaluate(() => window.mx.kitMediaKeysSeen())).filter((key) => key.sender === mallory.user.userId).length,
      { message: 'Rae to receive Mallory\'s key messages', timeout: 30_000 }).toBe(forged.length);
    const before = (await rae.page.evaluate(() => window.mx.kitGroupReceived()))[sid.identity]?.framesDecoded ?? 0;
    await expect.poll(async () => (await rae.page.evaluate(() => window.mx.kitGroupReceived()))[sid.identity]?.framesDecoded ?? 0,
      { message: 'Rae to keep decoding Sid' }).toBeGreaterThan(before + 60);
    expect((await rae.page.evaluate(() => window.mx.kitGroupSnapshot())).participants.map((participant) => participant.identity)).toEqual([sid.identity]);
    await Promise.all([rae, sid].map(({ page }) => page.evaluate(() => window.mx.kitLeaveGroupCall())));
  });

  test('the sticky membership form (MSC4354) where the homeserver serves it: both forms in one call see and hear each other', async ({ browser }) => {
    test.setTimeout(150_000);
    const { roomId, members } = await membersOfANewRoom(browser, ['Pia', 'Quinn'], { encrypted: true, stickyFor: ['Pia'] });
    const [pia, quinn] = members as [Member, Member];
    await Promise.all(members.map(({ page }) => page.evaluate((room) => window.mx.kitJoinGroupCall(room), roomId)));
    // Pia's LiveKit identity is the sticky form's hash of user, device and a fresh member id.
    const piaIdentity = await pia.page.evaluate(() => window.mx.kitGroupSnapshot().localIdentity);
    expect(piaIdentity).toMatch(/^[A-Za-z0-9+/]{43}$/);
    pia.identity = piaIdentity;
    await expectMediaBetweenAll(members);

    // Quinn's membership is a state event; Pia's is not: it is the sticky room event, which Quinn's client received.
    const held = await callMemberships(roomId, quinn.user);
    expect(Object.keys(held)).toEqual([`_${quinn.user.userId}_${quinn.identity.split(':').pop()}_m.call`]);
    expect(await quinn.page.evaluate((room) => window.mx.kitClientHasEvent(room, 'org.matrix.msc4143.rtc.member'), roomId)).toBe(true);
    await Promise.all(members.map(({ page }) => page.evaluate(() => window.mx.kitLeaveGroupCall())));
  });

  test.describe('ringing a DM', () => {
    /** A caller and a callee with two devices, each a kit page listening for calls, in an encrypted DM. */
    async function dmWithTwoCalleeDevices(browser: Browser) {
      const [caller, callee] = await Promise.all([registerUser({ displayName: 'Rae' }), registerUser({ displayName: 'Sam' })]);
      const roomId = await createRoom(caller, { invite: [callee.userId], isDirect: true, encrypted: true, eventPowerLevels: { [CALL_MEMBER]: 0 } });
      await joinRoom(callee, roomId);
      const calleeOtherDevice = await login(callee);
      const pages = await Promise.all([caller, callee, calleeOtherDevice].map(async (user) => {
        const page = await openHarness(browser);
        await page.evaluate((credentials) => window.mx.startKit(credentials), credentialsOf(user));
        return page;
      }));
      return { roomId, caller, callee, callerPage: pages[0]!, calleePages: [pages[1]!, pages[2]!] };
    }

    const ringing = (page: Page) => page.evaluate(() => window.mx.kitGroupRinging());

    test('the callee\'s devices ring; declining on one stops the other and ends the caller\'s ringing', async ({ browser }) => {
      test.setTimeout(150_000);
      const { roomId, caller, callee, callerPage, calleePages } = await dmWithTwoCalleeDevices(browser);
      expect(await callerPage.evaluate((room) => window.mx.kitJoinGroupCall(room, { notify: 'ring' }), roomId)).toBeUndefined();
      await expect.poll(() => callerPage.evaluate(() => window.mx.kitGroupSnapshot().ring?.state), { message: 'the caller to ring' }).toBe('ringing');
      for (const page of calleePages) {
        await expect.poll(() => ringing(page), { message: 'each of the callee\'s devices to ring' })
          .toEqual([{ roomId, sender: caller.userId, notificationType: 'ring', intent: 'video' }]);
      }

      await calleePages[0]!.evaluate((room) => window.mx.kitDeclineGroupRing(room), roomId);
      expect(await ringing(calleePages[0]!)).toEqual([]);
      await expect.poll(() => ringing(calleePages[1]!), { message: 'the other device to stop ringing' }).toEqual([]);
      await expect.poll(() => callerPage.evaluate(() => window.mx.kitGroupSnapshot().ring), { message: 'the caller\'s ringing to end' })
        .toMatchObject({ state: 'declined', declinedBy: [callee.userId] });
      await callerPage.evaluate(() => window.mx.kitLeaveGroupCall());
    });

    test('the legacy call.notify of older clients rings too; malformed ones and ones from outside the call do not', async ({ browser }) => {
      test.setTimeout(150_000);
      const { roomId, members } = await membersOfANewRoom(browser, ['Wes', 'Xia', 'Yul']);
      const [wes, xia, yul] = members as [Member, Member, Member];
      await xia.page.evaluate(() => window.mx.kitListenForIncoming());
      expect(await wes.page.evaluate((room) => window.mx.kitJoinGroupCall(room), roomId)).toBeUndefined();
      const notify = (from: TestUser, content: Record<string, unknown>) => matrixRequest(from, 'PUT',
        `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/org.matrix.msc4075.call.notify/${Date.now()}-${Math.random()}`, content);
      const valid = { application: 'm.call', call_id: '', 'm.mentions': { user_ids: [], room: true }, notify_type: 'ring' };
      // Yul is not in the call (and names Xia, as a member without the power to mention the room must); the
      // other two are malformed.
      await notify(yul.user, { ...valid, 'm.mentions': { user_ids: [xia.user.userId] } });
      await notify(wes.user, { ...valid, application: 'io.example.game' });
      await notify(wes.user, { ...valid, notify_type: 'shout' });
      await notify(wes.user, valid);
      await expect.poll(() => xia.page.evaluate(() => window.mx.kitGroupRinging()), { message: 'Wes\'s legacy ring, and only it' })
        .toEqual([{ roomId, sender: wes.user.userId, notificationType: 'ring', intent: undefined }]);
      await wes.page.evaluate(() => window.mx.kitLeaveGroupCall());
      await expect.poll(() => xia.page.evaluate(() => window.mx.kitGroupRinging()), { message: 'the ring to stop when the caller left' }).toEqual([]);
    });

    test('answering on one device stops the other ringing, and the caller sees it answered', async ({ browser }) => {
      test.setTimeout(150_000);
      const { roomId, callerPage, calleePages } = await dmWithTwoCalleeDevices(browser);
      expect(await callerPage.evaluate((room) => window.mx.kitJoinGroupCall(room, { notify: 'ring' }), roomId)).toBeUndefined();
      for (const page of calleePages) await expect.poll(() => ringing(page), { message: 'each device to ring' }).toHaveLength(1);

      expect(await calleePages[0]!.evaluate((room) => window.mx.kitJoinGroupCall(room), roomId)).toBeUndefined();
      await expect.poll(() => ringing(calleePages[1]!), { message: 'the other device to stop ringing' }).toEqual([]);
      await expect.poll(() => callerPage.evaluate(() => window.mx.kitGroupSnapshot().ring?.state), { message: 'the caller to see it answered' }).toBe('answered');
      await Promise.all([callerPage, calleePages[0]!].map((page) => page.evaluate(() => window.mx.kitLeaveGroupCall())));
    });
  });

  test('<mx-group-call> on the real stack: a tile per member with their name and state, and its leave button leaves', async ({ browser }) => {
    test.setTimeout(150_000);
    const { roomId, members } = await membersOfANewRoom(browser, ['Tess', 'Uma'], { encrypted: true });
    const [tess, uma] = members as [Member, Member];
    await Promise.all(members.map(({ page }) => page.evaluate((room) => window.mx.kitJoinGroupCall(room), roomId)));
    await expectMediaBetweenAll(members);
    await tess.page.evaluate(() => window.mx.kitShowGroupCall());

    const element = tess.page.locator('mx-group-call');
    const umaTile = element.getByRole('group', { name: 'Uma' });
    await expect(umaTile).toBeVisible();
    await expect(umaTile.getByRole('img', { name: 'End-to-end encrypted' })).toBeVisible();
    await expect(umaTile.getByRole('img', { name: 'Microphone muted' })).toHaveCount(0);
    // Uma mutes: her tile here says so, from the SFU's mute signal.
    await uma.page.evaluate(() => window.mx.kitSetGroupMicrophoneMuted(true));
    await expect(umaTile.getByRole('img', { name: 'Microphone muted' })).toBeVisible();

    await element.getByRole('button', { name: 'Leave call' }).click();
    await expect.poll(() => tess.page.evaluate(() => window.mx.kitGroupSnapshot().phase)).toBe('left');
    await expect.poll(() => tess.page.evaluate(() => document.querySelector('mx-group-call')?.matches(':state(left)'))).toBe(true);
    await expect(element.getByText('You left the call')).toHaveCount(2); // shown, and announced
    const left = await callMemberships(roomId, uma.user);
    expect(Object.keys(left)).toEqual([`_${uma.user.userId}_${uma.identity.split(':').pop()}_m.call`]);
    await uma.page.evaluate(() => window.mx.kitLeaveGroupCall());
  });

  test('raised hands and reactions (Element Call\'s events): shown both ways, replayed for who joins later, forged ones dropped', async ({ browser }) => {
    test.setTimeout(150_000);
    const { roomId, members } = await membersOfANewRoom(browser, ['Vera', 'Walt'], { encrypted: true });
    const [vera, walt] = members as [Member, Member];
    const mallory = await registerUser({ displayName: 'Mallory' });
    await joinRoomAfterInvite(vera.user, mallory, roomId);
    const handsAt = (member: Member) => member.page.evaluate(() => window.mx.kitGroupHands());

    // Vera raises her hand before Walt joins: he reads it from the timeline when he arrives.
    expect(await vera.page.evaluate((room) => window.mx.kitJoinGroupCall(room), roomId)).toBeUndefined();
    expect(await vera.page.evaluate(() => window.mx.kitSetGroupHandRaised(true))).toBeUndefined();
    expect((await handsAt(vera))[vera.identity]).toBe(true);
    expect(await walt.page.evaluate((room) => window.mx.kitJoinGroupCall(room), roomId)).toBeUndefined();
    await expect.poll(async () => (await handsAt(walt))[vera.identity], { message: 'Walt to see Vera\'s hand', timeout: 30_000 }).toBe(true);

    // Lowering redacts it.
    expect(await vera.page.evaluate(() => window.mx.kitSetGroupHandRaised(false))).toBeUndefined();
    await expect.poll(async () => (await handsAt(walt))[vera.identity], { message: 'Walt to see Vera\'s hand lowered', timeout: 30_000 }).toBe(false);

    // Mallory, in the room but not in the call, raises a hand and reacts on Vera's membership event.
    const state = await matrixRequest<{ type: string; state_key: string; event_id: string }[]>(vera.user, 'GET', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state`);
    const veraMembership = state.find((event) => event.type === CALL_MEMBER && event.state_key === `_${vera.identity.replace(/:([^:]+)$/, '_$1')}_m.call`)?.event_id;
    expect(veraMembership).toBeTruthy();
    const send = (type: string, content: Record<string, unknown>) =>
      matrixRequest(mallory, 'PUT', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/${type}/${crypto.randomUUID()}`, content);
    await send('m.reaction', { 'm.relates_to': { rel_type: 'm.annotation', event_id: veraMembership, key: '🖐️' } });
    await send('io.element.call.reaction', { 'm.relates_to': { rel_type: 'm.reference', event_id: veraMembership }, emoji: '💣', name: 'bomb' });

    // Walt reacts and raises his hand; once Vera sees his hand, she has read Mallory's events too.
    expect(await walt.page.evaluate(() => window.mx.kitSendGroupReaction('👍', 'thumbsup'))).toBeUndefined();
    expect(await walt.page.evaluate(() => window.mx.kitSetGroupHandRaised(true))).toBeUndefined();
    await expect.poll(async () => (await handsAt(vera))[walt.identity], { message: 'Vera to see Walt\'s hand', timeout: 30_000 }).toBe(true);
    const seen = await vera.page.evaluate(() => window.mx.kitGroupReactionsSeen());
    expect(seen.map(({ identity, emoji, name }) => ({ identity, emoji, name }))).toEqual([{ identity: walt.identity, emoji: '👍', name: 'thumbsup' }]);
    expect((await handsAt(vera))[vera.identity]).toBe(false);
    expect((await handsAt(walt))[vera.identity]).toBe(false);

    // Bad input from the app is a typed error, and nothing is sent.
    expect(await walt.page.evaluate(() => window.mx.kitSendGroupReaction('', 'nothing'))).toBe('INVALID_ARGUMENT');
    await Promise.all(members.map(({ page }) => page.evaluate(() => window.mx.kitLeaveGroupCall())));
  });

  test('a room whose power levels forbid call membership: RTC_MEMBERSHIP_FORBIDDEN says who can fix it, and nothing is left behind', async ({ browser }) => {
    const { roomId, members } = await membersOfANewRoom(browser, ['Owner', 'Guest'], { callMemberLevel: 'room default' });
    const guest = members[1]!;
    const failure = await guest.page.evaluate((room) => window.mx.kitJoinGroupCall(room), roomId);
    expect(failure).toMatchObject({ code: 'RTC_MEMBERSHIP_FORBIDDEN', message: expect.stringContaining('room admin') });
    expect(failure?.message).toContain(CALL_MEMBER);
    expect(await guest.page.evaluate(() => window.mx.kitGroupSnapshot().phase)).toBe('failed');
    expect(await callMemberships(roomId, guest.user)).toEqual({});
  });
});
