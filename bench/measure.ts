// What the benchmarks share: static serving, counting the code a page loads, and Element Call's embed as the peer.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { context as esbuildContext } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { servePages } from '../scripts/page-server.mjs';
import { ROOT } from '../scripts/stack.mjs';
import { CHROMIUM_ARGS, CHROMIUM_EXECUTABLE } from '../test/helpers/chromium-flags.mjs';

export const PEER_PACKAGE = '@element-hq/element-call-embedded';

/** Serves a folder as a static site would, on 127.0.0.1. */
export async function serveStatic(servedir: string, port: number): Promise<{ url: string; stop: () => Promise<void> }> {
  const ctx = await esbuildContext({ logLevel: 'warning' });
  const served = await ctx.serve({ host: '127.0.0.1', port, servedir });
  return { url: `http://127.0.0.1:${served.port}/`, stop: () => ctx.dispose() };
}

/** Counts the gzipped JavaScript and WebAssembly a page receives, in phases the caller names. */
export function countBytes(page: Page): { phase: string; totals: Map<string, number>; files: Map<string, number> } {
  const counter = { phase: 'load', totals: new Map<string, number>(), files: new Map<string, number>() };
  page.on('response', async (response) => {
    const type = response.headers()['content-type'] ?? '';
    const url = response.url();
    if (!/javascript|wasm/.test(type) && !/\.(m?js|wasm)(\?|$)/.test(url)) return;
    const phase = counter.phase;
    try {
      const size = gzipSync(await response.body(), { level: 6 }).length;
      counter.totals.set(phase, (counter.totals.get(phase) ?? 0) + size);
      counter.files.set(`${phase} ${url.replace(/^https?:\/\/[^/]+/, '')}`, size);
    } catch {
      // A response whose body is gone (a redirect, a page that navigated away) carried no code.
    }
  });
  return counter;
}

/** The installed version of Element Call's embed. */
export const peerVersion = (): string =>
  (JSON.parse(readFileSync(join(ROOT, 'node_modules', PEER_PACKAGE, 'package.json'), 'utf8')) as { version: string }).version;

/** Element Call's embed, loaded as an iframe would load it: the JavaScript and WebAssembly it fetches by itself. */
export async function peerBytes(browser: Browser): Promise<{ version: string; bytes: number }> {
  const dist = join(ROOT, 'node_modules', PEER_PACKAGE, 'dist');
  const version = peerVersion();
  const server = await serveStatic(dist, 0);
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const counter = countBytes(page);
    await page.goto(`${server.url}index.html`, { waitUntil: 'networkidle' });
    return { version, bytes: counter.totals.get('load') ?? 0 };
  } finally {
    await context.close();
    await server.stop();
  }
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
export const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;


/** A site of the CDN build with one bench page as its index.html, the e2e harness beside it, and Chromium. */
export interface CdnBench {
  readonly siteUrl: string;
  /** The e2e harness pages (harness.html, for the other side of a call; widget-host.html, Element Call's host). */
  readonly harnessUrl: string;
  readonly browser: Browser;
  readonly startedAt: number;
  close(): Promise<void>;
}

/** Sets a CdnBench up with bench/pages/`page`; undefined (after saying so) when dist/cdn lacks `entry`. */
export async function openCdnBench(page: string, entry: string): Promise<CdnBench | undefined> {
  try {
    readFileSync(join(ROOT, 'dist', 'cdn', entry));
  } catch {
    process.stderr.write(`bench: dist/cdn/${entry} is missing; run \`npm run build\` first\n`);
    return undefined;
  }
  const site = mkdtempSync(join(tmpdir(), 'mck-bench-site-'));
  cpSync(join(ROOT, 'dist', 'cdn'), join(site, 'cdn'), { recursive: true });
  cpSync(join(ROOT, 'bench', 'pages', page), join(site, 'index.html'));
  const siteServer = await serveStatic(site, Number(process.env.BENCH_PAGE_PORT ?? 8101));
  const harness = await servePages({ servedir: join(ROOT, 'test', 'e2e', 'pages'), entryPoints: ['harness.ts', 'widget-host.ts'].map((entry) => join(ROOT, 'test', 'e2e', 'pages', entry)), port: 0 });
  const browser = await chromium.launch({ executablePath: CHROMIUM_EXECUTABLE, args: CHROMIUM_ARGS });
  return {
    siteUrl: siteServer.url,
    harnessUrl: `${harness.url}/`,
    browser,
    startedAt: Date.now(),
    async close() {
      await browser.close();
      await siteServer.stop();
      await harness.stop();
      rmSync(site, { recursive: true, force: true });
    },
  };
}

/** The closing line of a results file: runs, machine, browser, date and wall time. */
export function runsLine(runs: number, failed: number, bench: CdnBench): string {
  return `Runs: ${runs} (${failed} failed). Machine: ${cpus().length} × ${cpus()[0]?.model.trim() ?? '?'}, ` +
    `${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}. Chromium ${bench.browser.version()} (headless). Date ${new Date().toISOString()}, ` +
    `wall time ${Math.round((Date.now() - bench.startedAt) / 1000)} s.`;
}
