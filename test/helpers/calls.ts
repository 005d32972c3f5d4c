import type { Browser, Page } from '@playwright/test';
import type { ClientTestOptions, KitTestOptions } from '../e2e/pages/harness.js';
import { openHarness } from './pages.js';
import { loadStack } from './stack.js';
import { createDirectRoom, registerUser, type TestUser } from './synapse.js';

export interface CallParty {
  user: TestUser;
  page: Page;
}

/** Two fresh users in a fresh DM, each in their own browser context, not yet signed in anywhere. */
export async function twoPartiesInADm(browser: Browser, options: { encrypted?: boolean } = {}): Promise<{ a: CallParty; b: CallParty; roomId: string }> {
  const [userA, userB] = await Promise.all([registerUser({ displayName: 'Ada' }), registerUser({ displayName: 'Bo' })]);
  const roomId = await createDirectRoom(userA, userB, options);
  const [pageA, pageB] = await Promise.all([openHarness(browser), openHarness(browser)]);
  return { a: { user: userA, page: pageA }, b: { user: userB, page: pageB }, roomId };
}

export function credentialsOf(user: TestUser): { homeserverUrl: string; userId: string; accessToken: string; deviceId: string } {
  return { homeserverUrl: loadStack().homeserverUrl, userId: user.userId, accessToken: user.accessToken, deviceId: user.deviceId };
}

export async function startKitIn(party: CallParty, options: KitTestOptions = {}): Promise<void> {
  await party.page.evaluate(([credentials, opts]) => window.mx.startKit(credentials, opts), [credentialsOf(party.user), options] as const);
}

export async function startMatrixCallIn(party: CallParty, options: ClientTestOptions = {}): Promise<void> {
  await party.page.evaluate(([credentials, opts]) => window.mx.startSdkVoip(credentials, opts), [credentialsOf(party.user), options] as const);
}

/** Starts the hand-written raw peer (test/e2e/pages/raw-peer.ts): a plain client, no call stack of its own. */
export async function startRawPeerIn(party: CallParty): Promise<void> {
  await party.page.evaluate((credentials) => window.mx.rawStart(credentials), credentialsOf(party.user));
}
