import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type Browser } from '@playwright/test';
import { credentialsOf, startKitIn, startMatrixCallIn, twoPartiesInADm, type CallParty } from '../helpers/calls.js';
import { loadStack } from '../helpers/stack.js';
import type { TestUser } from '../helpers/synapse.js';

// The caller's avatar on the callee's screen, with matrix-js-sdk's MatrixCall (as Element Web calls) calling the
// kit, which shows the call in <mx-call>. An mxc:// avatar comes from the homeserver's authenticated media API
// as a blob: image; an avatar at any other URL is never requested, so a caller cannot learn through it that the
// callee's browser is ringing, or from where.

async function homeserver(user: TestUser, method: string, path: string, body?: BodyInit, contentType = 'application/json'): Promise<Record<string, unknown>> {
  const response = await fetch(`${loadStack().homeserverUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${user.accessToken}`, 'Content-Type': contentType },
    body,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} -> ${response.status} ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/** Sets the caller's global profile, which Synapse also writes into the DM's member event. */
async function setProfile(user: TestUser, profile: { displayname: string; avatar_url: string }): Promise<void> {
  const base = `/_matrix/client/v3/profile/${encodeURIComponent(user.userId)}`;
  await homeserver(user, 'PUT', `${base}/displayname`, JSON.stringify({ displayname: profile.displayname }));
  await homeserver(user, 'PUT', `${base}/avatar_url`, JSON.stringify({ avatar_url: profile.avatar_url }));
}

/** A 320x320 PNG drawn in the caller's page, uploaded to the homeserver; resolves with its mxc:// URI. */
async function uploadAvatar(caller: CallParty): Promise<string> {
  const bytes = await caller.page.evaluate(async () => {
    const canvas = new OffscreenCanvas(320, 320);
    const context = canvas.getContext('2d') as OffscreenCanvasRenderingContext2D;
    context.fillStyle = '#e76f51';
    context.fillRect(0, 0, 320, 320);
    context.fillStyle = '#264653';
    context.fillRect(80, 80, 160, 160);
    const blob = await canvas.convertToBlob({ type: 'image/png' });
    return [...new Uint8Array(await blob.arrayBuffer())];
  });
  const uploaded = await homeserver(caller.user, 'POST', '/_matrix/media/v3/upload?filename=avatar.png', new Uint8Array(bytes), 'image/png');
  const uri = uploaded.content_uri;
  if (typeof uri !== 'string' || !uri.startsWith('mxc://')) throw new Error(`upload gave no mxc URI: ${JSON.stringify(uploaded)}`);
  return uri;
}

/** The caller (MatrixCall) and the callee (the kit) in a DM; the caller's profile is set before either starts. */
async function setUp(browser: Browser, avatarFor: (caller: CallParty) => Promise<string>, displayname: string): Promise<{ kit: CallParty; caller: CallParty; roomId: string }> {
  const { a: kit, b: caller, roomId } = await twoPartiesInADm(browser);
  await setProfile(caller.user, { displayname, avatar_url: await avatarFor(caller) });
  await Promise.all([startKitIn(kit), startMatrixCallIn(caller)]);
  return { kit, caller, roomId };
}

/** MatrixCall calls the kit; resolves once the kit rings and shows the call in <mx-call>. */
async function callerRingsKit(kit: CallParty, caller: CallParty, roomId: string, kind: 'video' | 'voice'): Promise<string> {
  const callId = await caller.page.evaluate(([room, userId, k]) => window.mx.sdkPlaceCall(room, userId, k), [roomId, kit.user.userId, kind] as const);
  expect(await kit.page.evaluate(() => window.mx.kitNextIncoming())).toBe(callId);
  await kit.page.evaluate((id) => window.mx.kitShowCall(id), callId);
  return callId;
}

const avatarView = (kit: CallParty, callId: string) => kit.page.evaluate((id) => window.mx.kitAvatarView(id), callId);

test.describe('the caller\'s avatar', () => {
  test('an mxc avatar shows in the ringing dialog as a blob: image from the authenticated media API, released when the call ends', async ({ browser }) => {
    const { kit, caller, roomId } = await setUp(browser, uploadAvatar, 'Alice (demo)');
    const thumbnails: { url: string; authorization: string | undefined }[] = [];
    kit.page.on('request', (request) => {
      if (!request.url().includes('/media/')) return;
      void request.allHeaders().then((headers) => thumbnails.push({ url: request.url(), authorization: headers.authorization }));
    });

    const callId = await callerRingsKit(kit, caller, roomId, 'video');
    await expect.poll(async () => {
      const { dialogOpen, dialog } = await avatarView(kit, callId);
      return dialogOpen && !!dialog?.src?.startsWith('blob:') && dialog.naturalWidth > 0;
    }, { message: 'the decoded avatar in the ringing dialog' }).toBe(true);
    const { dialog } = await avatarView(kit, callId);
    const mxc = (await kit.page.evaluate((id) => window.mx.kitSnapshot(id), callId)).peer.avatarUrl ?? '';
    const [server, mediaId] = mxc.slice('mxc://'.length).split('/');
    expect(thumbnails.map((t) => new URL(t.url).pathname)).toEqual([`/_matrix/client/v1/media/thumbnail/${server}/${mediaId}`]);
    expect(thumbnails[0]?.authorization).toBe(`Bearer ${credentialsOf(kit.user).accessToken}`);

    await kit.page.evaluate((id) => window.mx.kitAction(id, 'reject'), callId);
    await expect.poll(() => kit.page.evaluate((src) => window.mx.blobUrlLive(src), dialog?.src ?? ''), { message: 'the blob: URL revoked once the call ended' }).toBe(false);
  });

  test.describe('at a URL of the caller\'s choosing', () => {
    let server: Server;
    let requests: string[];
    let origin: string;

    test.beforeEach(async () => {
      requests = [];
      server = createServer((request, response) => {
        requests.push(`${request.method} ${request.url}`);
        response.writeHead(200, { 'Content-Type': 'image/svg+xml' });
        response.end('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    test.afterEach(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    test('is never requested, while ringing or in the call; initials are shown', async ({ browser }) => {
      const { kit, caller, roomId } = await setUp(browser, () => Promise.resolve(`${origin}/avatar.png`), 'Alice (demo)');
      const callId = await callerRingsKit(kit, caller, roomId, 'voice');
      expect((await kit.page.evaluate((id) => window.mx.kitSnapshot(id), callId)).peer.avatarUrl).toBe(`${origin}/avatar.png`);

      await expect.poll(() => avatarView(kit, callId), { message: 'the ringing dialog with initials' })
        .toMatchObject({ dialogOpen: true, dialog: { src: undefined, text: 'AD' }, tile: { src: undefined, text: 'AD' } });

      await kit.page.evaluate((id) => window.mx.kitAction(id, 'answer-voice'), callId);
      await kit.page.evaluate((id) => window.mx.kitWaitForPhase(id, 'connected'), callId);
      await caller.page.evaluate((id) => window.mx.sdkWaitForState(id, 'connected'), callId);
      // A voice call: the remote tile shows the avatar placeholder for the whole call.
      await kit.page.evaluate((id) => window.mx.waitForMedia('kit', id, 0), callId);
      expect(await avatarView(kit, callId)).toMatchObject({ dialogOpen: false, tile: { src: undefined, text: 'AD' } });

      // The page fetches its own server now, so any request it made to the avatar's earlier has been made.
      await kit.page.evaluate(() => fetch('/harness.html').then((response) => response.text()));
      expect(requests).toEqual([]);
    });
  });
});
