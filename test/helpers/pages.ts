import { test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import type { TestUser } from './synapse.js';
import { loadStack } from './stack.js';

// Contexts of the test that opened them: a later test closes them, so clients, calls and media of earlier
// tests stop using the two cores.
let openedBy: string | undefined;
const openContexts: BrowserContext[] = [];

/** Opens the e2e harness page in a fresh browser context (its own storage, like another person's browser). */
export async function openHarness(browser: Browser): Promise<Page> {
  const testId = test.info().testId;
  if (openedBy !== testId) {
    await Promise.all(openContexts.splice(0).map((context) => context.close().catch(() => undefined)));
    openedBy = testId;
  }
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  openContexts.push(context);
  const page = await context.newPage();
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
