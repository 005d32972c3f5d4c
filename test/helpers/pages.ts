import { test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import type { TestUser } from './synapse.js';
import { loadStack } from './stack.js';

// Contexts of the test that opened them: a later test closes them, so clients, calls and media of earlier
// tests stop using the two cores.
let openedBy: string | undefined;
const openContexts: BrowserContext[] = [];

/** A page in a fresh browser context (its own storage, like another person's browser), closed by a later test. */
async function newPersonsPage(browser: Browser): Promise<Page> {
  const testId = test.info().testId;
  if (openedBy !== testId) {
    await Promise.all(openContexts.splice(0).map((context) => context.close().catch(() => undefined)));
    openedBy = testId;
  }
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  openContexts.push(context);
  return context.newPage();
}

/**
 * A page of a site as a person would open it, with what they could see go wrong collected: page errors,
 * console errors and failed requests (except the statuses the test provokes, and Rust crypto asking for a key
 * backup the test users never made). A test expects `problems` to stay empty.
 */
export async function openWatchedPage(browser: Browser, expectedStatuses: readonly number[] = []): Promise<{ page: Page; problems: string[] }> {
  const page = await newPersonsPage(browser);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(`console error: ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.status() < 400 || expectedStatuses.includes(response.status()) || response.url().endsWith('/room_keys/version')) return;
    problems.push(`HTTP ${response.status()} ${response.url()}`);
  });
  return { page, problems };
}

/** Opens the e2e harness page in a fresh browser context (its own storage, like another person's browser). */
export async function openHarness(browser: Browser): Promise<Page> {
  const page = await newPersonsPage(browser);
  page.on('response', (response) => {
    // Rust crypto asks for a key backup the test users never made.
    if (response.status() >= 400 && !response.url().endsWith('/room_keys/version')) console.error(`[page http ${response.status()}] ${response.url()}`);
  });
  page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
  page.on('console', (message) => {
    const text = message.text();
    if (text.startsWith('Failed to load resource')) return; // reported with its URL by the response handler
    if (message.type() === 'error' || (text.startsWith('[matrix-call-kit') && message.type() !== 'debug')) console.error(`[page ${message.type()}] ${text}`);
  });
  await page.goto('/harness.html');
  await page.waitForFunction(() => window.mx?.ready === true);
  return page;
}

/** Starts matrix-js-sdk for `user` inside the page and waits for its first sync. */
export async function startClientIn(page: Page, user: TestUser): Promise<void> {
  const { homeserverUrl } = loadStack();
  await page.evaluate(
    (credentials) => window.mx.startClient(credentials),
    { homeserverUrl, userId: user.userId, accessToken: user.accessToken, deviceId: user.deviceId },
  );
}

/**
 * What a page's call receives, from its peer connection's stats: decoded video frames and audio energy.
 * `findPeerConnection` runs in the page (the kit's call object keeps it as `peerConnection`).
 */
export async function receivedMedia(page: Page, findPeerConnection: () => RTCPeerConnection | undefined): Promise<{ framesDecoded: number; audioEnergy: number }> {
  const handle = await page.evaluateHandle(findPeerConnection);
  try {
    return await handle.evaluate(async (pc) => {
      let framesDecoded = 0;
      let audioEnergy = 0;
      (await pc?.getStats())?.forEach((report: RTCStats & Record<string, unknown>) => {
        if (report.type !== 'inbound-rtp') return;
        if (report.kind === 'video') framesDecoded += Number(report.framesDecoded ?? 0);
        if (report.kind === 'audio') audioEnergy += Number(report.totalAudioEnergy ?? 0);
      });
      return { framesDecoded, audioEnergy };
    });
  } finally {
    await handle.dispose();
  }
}
