import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, sep } from 'node:path';
import type { Browser, Frame, Page } from '@playwright/test';
import type { TestUser } from './synapse.js';
import { loadStack } from './stack.js';

// Element Call's published widget build (AGPL-3.0), run as a peer in the interop tests: served as it is, never copied.
const require = createRequire(import.meta.url);
const ELEMENT_CALL_DIST = join(dirname(require.resolve('@element-hq/element-call-embedded/package.json')), 'dist');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
  '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2', '.woff': 'font/woff',
  '.mp3': 'audio/mpeg', '.ogg': 'audio/ogg', '.webm': 'audio/webm', '.ico': 'image/x-icon', '.txt': 'text/plain',
};

/**
 * Serves Element Call's dist on its own loopback origin (127.0.0.1, its own port): cross-origin to the host page,
 * as it is to Element Web.
 */
export async function serveElementCall(): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)).replace(/^([/\\])+/, '');
    const file = join(ELEMENT_CALL_DIST, path === '' ? 'index.html' : path);
    if (!file.startsWith(ELEMENT_CALL_DIST + sep) && file !== ELEMENT_CALL_DIST) {
      response.writeHead(403).end();
      return;
    }
    readFile(file).then(
      (body) => response.writeHead(200, { 'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' }).end(body),
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/index.html`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A person in Element Call: the widget host page (signed in as `user`) with Element Call in its iframe, joining `roomId`. */
export async function openElementCall(browser: Browser, user: TestUser, roomId: string, elementCallUrl: string, options: { perParticipantE2EE: boolean; password?: string }): Promise<Page> {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[host page error] ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') console.error(`[ec ${message.type()}] ${message.text()}`);
  });
  await page.goto('/widget-host.html');
  await page.waitForFunction(() => window.ecHost?.ready === true);
  const { homeserverUrl } = loadStack();
  await page.evaluate((hostOptions) => window.ecHost.start(hostOptions), {
    homeserverUrl, userId: user.userId, accessToken: user.accessToken, deviceId: user.deviceId, roomId, elementCallUrl, ...options,
  });
  return page;
}

export function elementCallFrame(page: Page): Frame {
  const frame = page.frames().find((candidate) => candidate !== page.mainFrame());
  if (!frame) throw new Error('no Element Call iframe');
  return frame;
}

/** Every <video> in Element Call's iframe: the text of the tile around it (the member's name) and frames shown. */
export function elementCallVideos(page: Page): Promise<{ label: string; frames: number }[]> {
  return elementCallFrame(page).evaluate(() => [...document.querySelectorAll('video')].map((video) => {
    let tile: Element | null = video;
    while (tile && (tile as HTMLElement).innerText?.trim() === '' && tile.parentElement) tile = tile.parentElement;
    return { label: (tile as HTMLElement | null)?.innerText?.trim() ?? '', frames: video.getVideoPlaybackQuality().totalVideoFrames };
  }));
}
