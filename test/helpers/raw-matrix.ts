// Node-side helpers for tests that act as a Matrix client by hand: raw requests and raw room events as a
// test user, and a hold on a page's /sync so that events sent meanwhile reach its client in one batch.
import type { Page, Route } from '@playwright/test';
import { loadStack } from './stack.js';
import type { TestUser } from './synapse.js';

let txnCounter = 0;

export async function matrixRequest<T>(user: TestUser, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${loadStack().homeserverUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${user.accessToken}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} as ${user.userId} -> ${response.status} ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
}

/** Sends a raw room event as `user` (PUT /rooms/{roomId}/send/{type}/{txnId}); returns its event id. */
export async function sendAs(user: TestUser, roomId: string, type: string, content: Record<string, unknown>): Promise<string> {
  const txnId = `raw-${Date.now()}-${txnCounter++}`;
  const path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/${encodeURIComponent(type)}/${txnId}`;
  const { event_id } = await matrixRequest<{ event_id: string }>(user, 'PUT', path, content);
  return event_id;
}

/**
 * Holds the page's next /sync request until release() is called, so that events sent meanwhile reach the
 * client in one sync batch. `held` resolves once a request is being held: the long-poll already in flight
 * returns only when an event arrives for the client (or after its timeout), so send one before awaiting it.
 */
export async function holdSync(page: Page): Promise<{ held: Promise<void>; release: () => Promise<void> }> {
  let onHeld!: () => void;
  const held = new Promise<void>((resolve) => { onHeld = resolve; });
  let open!: () => void;
  const gate = new Promise<void>((resolve) => { open = resolve; });
  const matcher = (url: URL): boolean => url.pathname.endsWith('/sync');
  const inFlight = new Set<Promise<void>>();
  const handler = (route: Route): Promise<void> => {
    const handled = (async () => {
      onHeld();
      await gate;
      await route.continue();
    })();
    inFlight.add(handled);
    return handled.finally(() => inFlight.delete(handled));
  };
  await page.route(matcher, handler);
  return {
    held,
    release: async () => {
      open();
      await Promise.all(inFlight);
      // A request that arrives after this point is no longer routed; one in between was let through above.
      await page.unroute(matcher, handler);
    },
  };
}
