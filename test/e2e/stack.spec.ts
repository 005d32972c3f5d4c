import { expect, test } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { reset, stackConfig } from '../../scripts/stack.mjs';
import { openHarness, startClientIn } from '../helpers/pages.js';
import { loadStack } from '../helpers/stack.js';
import { createRoom, getTurnServer, joinRoom, registerUser, requestOpenIdToken } from '../helpers/synapse.js';
import { AUDIBLE_ENERGY } from '../helpers/audible.js';

test.describe('the local stack is real', () => {
  test('two users exchange messages through matrix-js-sdk in two Chromium pages', async ({ browser }) => {
    const alice = await registerUser({ displayName: 'Alice' });
    const bob = await registerUser({ displayName: 'Bob' });
    const roomId = await createRoom(alice, { invite: [bob.userId] });
    await joinRoom(bob, roomId);

    const alicePage = await openHarness(browser);
    const bobPage = await openHarness(browser);
    await startClientIn(alicePage, alice);
    await startClientIn(bobPage, bob);

    const bobReceives = bobPage.evaluate((room) => window.mx.nextMessage(room), roomId);
    await alicePage.evaluate(([room, text]) => window.mx.sendText(room, text), [roomId, 'hello from alice'] as const);
    expect(await bobReceives).toEqual({ sender: alice.userId, body: 'hello from alice' });

    const aliceReceives = alicePage.evaluate((room) => window.mx.nextMessage(room), roomId);
    await bobPage.evaluate(([room, text]) => window.mx.sendText(room, text), [roomId, 'hello from bob'] as const);
    expect(await aliceReceives).toEqual({ sender: bob.userId, body: 'hello from bob' });
  });

  test('a page publishes fake camera video to LiveKit with a JWT from our token service; another decodes it', async ({ browser }) => {
    const stack = loadStack();
    const publisher = await registerUser();
    const viewer = await registerUser();
    const roomId = await createRoom(publisher, { invite: [viewer.userId] });
    await joinRoom(viewer, roomId);

    const publisherPage = await openHarness(browser);
    const viewerPage = await openHarness(browser);
    await startClientIn(publisherPage, publisher);
    await startClientIn(viewerPage, viewer);

    const publisherToken = await publisherPage.evaluate(
      ([url, room]) => window.mx.fetchLiveKitToken(url, room, 'publisher-member'), [stack.rtcAuthUrl, roomId] as const);
    const viewerToken = await viewerPage.evaluate(
      ([url, room]) => window.mx.fetchLiveKitToken(url, room, 'viewer-member'), [stack.rtcAuthUrl, roomId] as const);
    expect(publisherToken.url).toBe(stack.livekitUrl);

    const publisherIdentity = await publisherPage.evaluate(
      ({ url, jwt }) => window.mx.publishCamera(url, jwt), publisherToken);
    const frames = await viewerPage.evaluate(
      ([token, identity]) => window.mx.subscribeAndCountFrames(token.url, token.jwt, identity, 30),
      [viewerToken, publisherIdentity] as const);
    expect(frames).toBeGreaterThanOrEqual(30);

    await viewerPage.evaluate(() => window.mx.leaveLiveKit());
    await publisherPage.evaluate(() => window.mx.leaveLiveKit());
    // The OpenID token a page got is a real one: the homeserver vouches for it.
    const openid = await requestOpenIdToken(publisher);
    const userinfo = await fetch(`${stack.homeserverUrl}/_matrix/federation/v1/openid/userinfo?access_token=${openid.access_token}`);
    expect(await userinfo.json()).toEqual({ sub: publisher.userId });
  });

  test('two peer connections forced to relay through coturn with /voip/turnServer credentials carry media', async ({ browser }) => {
    const user = await registerUser();
    const turn = await getTurnServer(user);
    expect(turn.uris.length).toBeGreaterThan(0);
    expect(turn.username).toContain(user.userId);

    const page = await openHarness(browser);
    const result = await page.evaluate(
      (server) => window.mx.relayCall([{ urls: server.uris, username: server.username, credential: server.password }], 30),
      turn);
    expect(result.localCandidateType).toBe('relay');
    expect(result.remoteCandidateType).toBe('relay');
    expect(result.framesDecoded).toBeGreaterThanOrEqual(30);
    expect(result.audioEnergy).toBeGreaterThan(AUDIBLE_ENERGY);
  });

  test('TURN refuses credentials the homeserver did not sign', async ({ browser }) => {
    const user = await registerUser();
    const turn = await getTurnServer(user);
    const page = await openHarness(browser);
    const outcome = await page.evaluate(async (server) => {
      const pc = new RTCPeerConnection({
        iceServers: [{ urls: server.uris, username: server.username, credential: 'not-the-password' }],
        iceTransportPolicy: 'relay',
      });
      pc.createDataChannel('probe');
      const relayCandidates: string[] = [];
      const done = new Promise<void>((resolve) => {
        pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === 'complete') resolve(); };
      });
      pc.onicecandidate = (event) => { if (event.candidate?.type === 'relay') relayCandidates.push(event.candidate.candidate); };
      await pc.setLocalDescription();
      await done;
      pc.close();
      return relayCandidates.length;
    }, turn);
    expect(outcome).toBe(0);
  });

  test('a second stack:up reuses the running stack and what was provisioned', () => {
    const result = spawnSync(process.execPath, ['scripts/stack.mjs', 'up', '--instance', process.env.STACK_INSTANCE ?? 'test'], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/installing|building|apt-get/);
    expect(result.stderr.match(/already running/g) ?? []).toHaveLength(5);
  });

  test('reset refuses to remove the data of an instance that is running', () => {
    const instance = process.env.STACK_INSTANCE ?? 'test';
    expect(() => reset(instance)).toThrow(/is running \(.*synapse/);
    expect(existsSync(join(stackConfig(instance).runDir, 'synapse'))).toBe(true);
  });
});
