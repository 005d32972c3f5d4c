import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { context as esbuildContext } from 'esbuild';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { ROOT } from '../../scripts/stack.mjs';
import { AUDIBLE_ENERGY } from '../helpers/audible.js';
import { credentialsOf, startMatrixCallIn, type CallParty } from '../helpers/calls.js';
import { openHarness, openWatchedPage, receivedMedia } from '../helpers/pages.js';
import { createDirectRoom, registerUser } from '../helpers/synapse.js';

// The apps of test/consumers/, as `npm test`'s consumers phase installed the packed tarball into them and
// built them (.consumers/<name>/dist). Each opens in Chromium against the real stack: it renders, starts a
// session with default options (encryption on, so the crypto WebAssembly must load from where the app's
// build put it), and logs no error. The CDN page and the React app then call MatrixCall in an encrypted DM.

interface ConsumerWindow {
  consumer?: {
    ready: boolean;
    error: string | undefined;
    elementIsExported?: boolean;
    placeCall?: (userId: string, kind: 'video' | 'voice') => Promise<string>;
    call?: { getSnapshot(): { phase: string }; peerConnection?: RTCPeerConnection };
  };
}

const CONSUMERS = join(ROOT, '.consumers');
const APPS = readdirSync(join(ROOT, 'test', 'consumers'), { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
const CALLING_APPS = new Set(['cdn', 'react']);

/** Serves one built app as a static site would. */
async function serveApp(name: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const ctx = await esbuildContext({ logLevel: 'warning' });
  const { port } = await ctx.serve({ host: '127.0.0.1', port: 0, servedir: join(CONSUMERS, name, 'dist') });
  return { url: `http://127.0.0.1:${port}/`, stop: () => ctx.dispose() };
}

/** Opens the app with a user's credentials in its hash. */
async function openApp(browser: Browser, url: string, credentials: object): Promise<{ page: Page; problems: string[] }> {
  const opened = await openWatchedPage(browser);
  await opened.page.goto(`${url}#${encodeURIComponent(JSON.stringify(credentials))}`);
  return opened;
}

async function waitUntilStarted(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const { consumer } = window as ConsumerWindow;
    return consumer?.ready === true || consumer?.error !== undefined;
  }, undefined, { timeout: 60_000 });
  expect(await page.evaluate(() => (window as ConsumerWindow).consumer?.error), 'the session starts with default options').toBeUndefined();
}

/** What the app's call receives. */
const appReceives = (page: Page) => receivedMedia(page, () => (window as ConsumerWindow).consumer?.call?.peerConnection);

for (const name of APPS) {
  test.describe(`the ${name} app`, () => {
    let server: { url: string; stop: () => Promise<void> };
    test.beforeAll(async () => {
      expect(existsSync(join(CONSUMERS, name, 'dist')), `.consumers/${name}/dist is built by npm test's consumers phase (node scripts/consumers.mjs ${name})`).toBe(true);
      server = await serveApp(name);
    });
    test.afterAll(async () => server?.stop());

    test('renders, starts a session with default options and logs no error', async ({ browser }) => {
      const user = await registerUser({ displayName: 'Consumer' });
      const { page, problems } = await openApp(browser, server.url, credentialsOf(user));
      await waitUntilStarted(page);
      expect(await page.locator('mx-call').evaluate((element) => element.shadowRoot !== null && customElements.get('mx-call') === element.constructor)).toBe(true);
      if (name === 'cdn') expect(await page.evaluate(() => (window as ConsumerWindow).consumer?.elementIsExported), 'the element is the class the root exports').toBe(true);
      const wasm = readdirSync(join(CONSUMERS, name, 'dist'), { recursive: true }).map(String).filter((file) => file.endsWith('.wasm'));
      expect(wasm, 'the build holds the crypto WebAssembly').toHaveLength(1);
      expect(problems).toEqual([]);
    });

    if (CALLING_APPS.has(name)) {
      test('calls MatrixCall in an encrypted DM; media flows both ways', async ({ browser }) => {
        const [caller, callee] = await Promise.all([registerUser({ displayName: 'Ada' }), registerUser({ displayName: 'Bo' })]);
        await createDirectRoom(caller, callee, { encrypted: true });
        const element: CallParty = { user: callee, page: await openHarness(browser) };
        await startMatrixCallIn(element, { encryption: true });
        const { page, problems } = await openApp(browser, server.url, credentialsOf(caller));
        await waitUntilStarted(page);

        const callId = await page.evaluate((userId) => (window as ConsumerWindow).consumer!.placeCall!(userId, 'video'), callee.userId);
        expect(await element.page.evaluate(() => window.mx.sdkNextIncoming())).toBe(callId);
        await element.page.evaluate((id) => window.mx.sdkAction(id, 'answer-video'), callId);
        await element.page.evaluate((id) => window.mx.sdkWaitForState(id, 'connected'), callId);
        await expect.poll(() => page.evaluate(() => (window as ConsumerWindow).consumer?.call?.getSnapshot().phase)).toBe('connected');

        const elementReceived = await element.page.evaluate((id) => window.mx.waitForMedia('sdk', id, 10), callId);
        expect(elementReceived.framesDecoded, 'MatrixCall sees the app').toBeGreaterThanOrEqual(10);
        expect(elementReceived.audioEnergy, 'MatrixCall hears the app').toBeGreaterThan(AUDIBLE_ENERGY);
        await expect.poll(async () => (await appReceives(page)).framesDecoded, { message: 'the app sees MatrixCall' }).toBeGreaterThanOrEqual(10);
        await expect.poll(async () => (await appReceives(page)).audioEnergy, { message: 'the app hears MatrixCall' }).toBeGreaterThan(AUDIBLE_ENERGY);
        // The element shows the call it was given.
        expect(await page.locator('mx-call').evaluate((view) => (view as unknown as { call?: unknown }).call === (window as ConsumerWindow).consumer?.call)).toBe(true);

        await element.page.evaluate((id) => window.mx.sdkAction(id, 'hangup'), callId);
        await expect.poll(() => page.evaluate(() => (window as ConsumerWindow).consumer?.call?.getSnapshot().phase)).toBe('ended');
        expect(problems).toEqual([]);
      });
    }
  });
}
