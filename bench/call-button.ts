// Call-button benchmark: what a website's visitor pays for <mx-call-button>, from the CDN build (dist/cdn, as a
// site without a bundler loads it), against Element Call's published embed (@element-hq/element-call-embedded),
// the iframe a site would otherwise put on its page. It runs inside the e2e network namespace (bench/run.mjs
// puts it there) and writes bench/results/call-button.{md,json}.
//
//   npm run bench -- call-button [--runs N (5)] [--timeout MS (60000)]
//
// Measured in Chromium from the responses each page receives, each JavaScript and WebAssembly body gzipped at
// level 6 (what a web server sends):
// - bytes before the click: the page with the button, loaded until the network is idle; beside it, Element
//   Call's embed loaded the same way (what an iframe costs a page before anyone clicks);
// - bytes from the click to the callee ringing: the kit, matrix-js-sdk, its crypto;
// - time from the click to the callee ringing: the visitor service making the account, the session's first
//   sync and crypto, the DM and its join by the callee (@support, MatrixCall accepting each invite as a
//   support desk would), and the invite. The times are medians over the runs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { ROOT } from '../scripts/stack.mjs';
import { credentialsOf } from '../test/helpers/calls.js';
import { loadStack } from '../test/helpers/stack.js';
import { supportUser } from '../test/helpers/visitor.js';
import { countBytes, kib, median, openCdnBench, peerBytes, PEER_PACKAGE, runsLine } from './measure.js';

const TARGET_BYTES_BEFORE_CLICK = 12 * 1024;

interface Options {
  runs: number;
  timeoutMs: number;
}

function parseArgs(args: string[]): Options {
  const options: Options = { runs: 5, timeoutMs: 60_000 };
  for (let i = 0; i < args.length; i++) {
    const value = Number(args[i + 1]);
    if (args[i] === '--runs' && Number.isInteger(value) && value > 0) options.runs = value;
    else if (args[i] === '--timeout' && value > 0) options.timeoutMs = value;
    else throw new Error(`unknown option ${args[i]} (call-button takes --runs N and --timeout MS)`);
    i += 1;
  }
  return options;
}

interface Run {
  ok: boolean;
  error?: string;
  bytesBeforeClick: number;
  bytesToRinging: number;
  clickToRingingMs: number;
}

async function runOnce(browser: Browser, siteUrl: string, deskUrl: string, options: Options): Promise<Run> {
  const stack = loadStack();
  const deskContext = await browser.newContext({ permissions: ['camera', 'microphone'] });
  const visitorContext = await browser.newContext({ permissions: ['camera', 'microphone'] });
  try {
    const desk = await deskContext.newPage();
    await desk.goto(`${deskUrl}harness.html`);
    await desk.waitForFunction(() => window.mx?.ready === true);
    await desk.evaluate(([credentials]) => window.mx.startSdkVoip(credentials), [credentialsOf(await supportUser())] as const);
    await desk.evaluate(() => window.mx.sdkAutoJoinInvites());

    const visitor = await visitorContext.newPage();
    const counter = countBytes(visitor);
    const attributes = { user: stack.visitorTargets[0], 'visitor-service': stack.visitorUrl };
    await visitor.goto(`${siteUrl}index.html#${encodeURIComponent(JSON.stringify(attributes))}`, { waitUntil: 'networkidle' });
    counter.phase = 'click';
    const clickedAt = await visitor.evaluate(() => {
      const button = document.querySelector('mx-call-button')?.shadowRoot?.querySelector('button');
      button?.click();
      return Date.now();
    });
    const callId = await desk.evaluate(() => window.mx.sdkNextIncoming());
    const ringingAt = await desk.evaluate((id) => window.mx.sdkIncomingAt(id), callId);
    // Responses still being read when the call rang belong to the click.
    await visitor.waitForTimeout(200);
    const run: Run = {
      ok: ringingAt !== undefined,
      bytesBeforeClick: counter.totals.get('load') ?? 0,
      bytesToRinging: counter.totals.get('click') ?? 0,
      clickToRingingMs: (ringingAt ?? Number.NaN) - clickedAt,
    };
    await desk.evaluate((id) => window.mx.sdkAction(id, 'reject'), callId);
    return run;
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error), bytesBeforeClick: 0, bytesToRinging: 0, clickToRingingMs: Number.NaN };
  } finally {
    await Promise.race([Promise.all([visitorContext.close(), deskContext.close()]), new Promise((resolve) => setTimeout(resolve, options.timeoutMs))]);
  }
}

export async function main(args: string[]): Promise<number> {
  const options = parseArgs(args);
  const bench = await openCdnBench('call-button.html', 'define/mx-call-button.js');
  if (!bench) return 1;
  const { browser } = bench;
  try {
    const peer = await peerBytes(browser);
    const runs: Run[] = [];
    for (let i = 0; i < options.runs; i++) {
      const run = await runOnce(browser, bench.siteUrl, bench.harnessUrl, options);
      runs.push(run);
      process.stderr.write(`bench: ${i + 1}/${options.runs} ${run.ok ? `before click ${kib(run.bytesBeforeClick)}, to ringing ${kib(run.bytesToRinging)}, ${Math.round(run.clickToRingingMs)} ms` : `FAILED: ${run.error ?? '?'}`}\n`);
    }
    const ok = runs.filter((run) => run.ok);
    if (ok.length === 0) return 1;
    const before = median(ok.map((run) => run.bytesBeforeClick));
    const toRinging = median(ok.map((run) => run.bytesToRinging));
    const time = median(ok.map((run) => run.clickToRingingMs));
    const ratio = before / peer.bytes;
    const met = before <= TARGET_BYTES_BEFORE_CLICK;
    const markdown = [
      '# Call button: what a visitor loads and waits for',
      '',
      `**Before the click: ${kib(before)} gzip of JavaScript, Lit included (target ≤ ${kib(TARGET_BYTES_BEFORE_CLICK)}): ${met ? 'MET' : 'NOT MET'}.** ` +
        `Element Call's embed (${PEER_PACKAGE} ${peer.version}) loads ${kib(peer.bytes)} before anyone clicks: the button is ${ratio.toFixed(3)} of it.`,
      '',
      '| measure | kit (`<mx-call-button>`, CDN build) | Element Call embed |',
      '|---|---|---|',
      `| JavaScript and WebAssembly before a click (gzip) | ${kib(before)} | ${kib(peer.bytes)} |`,
      `| … from the click to the callee ringing (gzip) | ${kib(toRinging)} | — |`,
      `| time from the click to the callee ringing (median of ${ok.length}) | ${Math.round(time)} ms | — |`,
      '',
      'The time includes the visitor service making the account, the first sync and the crypto of a new device, the',
      'DM, the callee joining it (a support desk accepting every invite) and the invite. Element Call\'s embed is an',
      'iframe app that needs a Matrix client around it (a widget host); its bytes are what the iframe fetches by itself.',
      '',
      runsLine(runs.length, runs.length - ok.length, bench),
      '',
    ].join('\n');
    const outDir = join(ROOT, 'bench', 'results');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'call-button.md'), markdown);
    writeFileSync(join(outDir, 'call-button.json'), `${JSON.stringify({ targetBytesBeforeClick: TARGET_BYTES_BEFORE_CLICK, peer, medians: { bytesBeforeClick: before, bytesToRinging: toRinging, clickToRingingMs: time }, runs }, null, 1)}\n`);
    process.stdout.write(`\n${markdown}\nbench: wrote bench/results/call-button.md and call-button.json\n`);
    return met ? 0 : 1;
  } finally {
    await bench.close();
  }
}
