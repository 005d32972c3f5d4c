// Group-call benchmark: what an app pays for a MatrixRTC group call with the kit's CDN build, against Element
// Call's published embed (@element-hq/element-call-embedded). It runs inside the e2e network namespace
// (bench/run.mjs puts it there) and writes bench/results/group-call.{md,json}.
//
//   npm run bench -- group-call [--runs N (3)] [--steady-seconds S (60)] [--timeout MS (90000)]
//
// Per run, in Chromium, against the stack's Synapse, LiveKit and token service:
// - JavaScript and WebAssembly (gzip level 6, what a web server sends) of the page with <mx-group-call> before
//   the join, and from the click to the first frame of the other member (the kit, matrix-js-sdk, its crypto,
//   livekit-client, the E2EE worker of the encrypted room);
// - the time from the click to the first frame decoded from the member already in the call (sign-in, first sync,
//   crypto of a new device, transport discovery, token, membership, SFU and keys);
// - Matrix requests per minute once in the call (the sync long-poll and the delayed-leave restarts).
// Element Call's side: the bytes its embed loads before it can do anything (an iframe app that needs a widget
// host for the rest). Its join time and request rate need that host, which the interop tests build; they are
// not measured here yet.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { ROOT } from '../scripts/stack.mjs';
import { credentialsOf } from '../test/helpers/calls.js';
import { loadStack } from '../test/helpers/stack.js';
import { createRoom, joinRoom, registerUser } from '../test/helpers/synapse.js';
import { countBytes, kib, median, openCdnBench, peerBytes, PEER_PACKAGE, runsLine } from './measure.js';

interface Options {
  runs: number;
  steadySeconds: number;
  timeoutMs: number;
}

function parseArgs(args: string[]): Options {
  const options: Options = { runs: 3, steadySeconds: 60, timeoutMs: 90_000 };
  for (let i = 0; i < args.length; i++) {
    const value = Number(args[i + 1]);
    if (args[i] === '--runs' && Number.isInteger(value) && value > 0) options.runs = value;
    else if (args[i] === '--steady-seconds' && value > 0) options.steadySeconds = value;
    else if (args[i] === '--timeout' && value > 0) options.timeoutMs = value;
    else throw new Error(`unknown option ${args[i]} (group-call takes --runs N, --steady-seconds S and --timeout MS)`);
    i += 1;
  }
  return options;
}

interface Run {
  ok: boolean;
  error?: string;
  bytesBeforeJoin: number;
  bytesToFirstFrame: number;
  clickToJoinedMs: number;
  clickToFirstFrameMs: number;
  matrixRequestsPerMinute: number;
  /** Of the join's bytes, WebAssembly (matrix-js-sdk's Rust crypto). */
  wasmBytesToFirstFrame: number;
  /** The join's files by gzip size, largest first. */
  largestJoinFiles: { file: string; bytes: number }[];
}

const failed = (error: unknown): Run => ({
  ok: false, error: error instanceof Error ? error.message : String(error),
  bytesBeforeJoin: 0, bytesToFirstFrame: 0, clickToJoinedMs: Number.NaN, clickToFirstFrameMs: Number.NaN, matrixRequestsPerMinute: Number.NaN,
  wasmBytesToFirstFrame: 0,
  largestJoinFiles: [],
});

async function runOnce(browser: Browser, appUrl: string, harnessUrl: string, options: Options): Promise<Run> {
  const stack = loadStack();
  const contexts = await Promise.all([0, 1].map(() => browser.newContext({ permissions: ['camera', 'microphone'] })));
  try {
    const [host, guest] = await Promise.all([registerUser({ displayName: 'Host' }), registerUser({ displayName: 'Guest' })]);
    const roomId = await createRoom(host, { name: 'Bench', invite: [guest.userId], encrypted: true, eventPowerLevels: { 'org.matrix.msc3401.call.member': 0 } });
    await joinRoom(guest, roomId);

    // The member already in the call, on the test harness.
    const hostPage = await contexts[0]!.newPage();
    await hostPage.goto(`${harnessUrl}harness.html`);
    await hostPage.waitForFunction(() => window.mx?.ready === true);
    await hostPage.evaluate((credentials) => window.mx.startKit(credentials, { listenLater: true }), credentialsOf(host));
    const hostFailure = await hostPage.evaluate((room) => window.mx.kitJoinGroupCall(room), roomId);
    if (hostFailure) throw new Error(`the host could not join: ${hostFailure.message}`);

    const app = await contexts[1]!.newPage();
    const counter = countBytes(app);
    await app.goto(`${appUrl}index.html`, { waitUntil: 'networkidle' });
    counter.phase = 'join';
    const times = await app.evaluate(
      ([credentials, room]) => (window as unknown as { benchJoin(c: unknown, r: string): Promise<{ clickedAt: number; joinedAt: number; firstFrameAt: number }> }).benchJoin(credentials, room),
      [credentialsOf(guest), roomId] as const,
    );
    const bytesToFirstFrame = counter.totals.get('join') ?? 0;

    let requests = 0;
    app.on('request', (request) => {
      if (request.url().startsWith(stack.homeserverUrl)) requests += 1;
    });
    await app.waitForTimeout(options.steadySeconds * 1000);
    const run: Run = {
      ok: true,
      bytesBeforeJoin: counter.totals.get('load') ?? 0,
      bytesToFirstFrame,
      clickToJoinedMs: times.joinedAt - times.clickedAt,
      clickToFirstFrameMs: times.firstFrameAt - times.clickedAt,
      matrixRequestsPerMinute: (requests * 60) / options.steadySeconds,
      wasmBytesToFirstFrame: [...counter.files].filter(([key]) => key.startsWith('join ') && key.endsWith('.wasm')).reduce((sum, [, bytes]) => sum + bytes, 0),
      largestJoinFiles: [...counter.files].filter(([key]) => key.startsWith('join ')).map(([key, bytes]) => ({ file: key.slice(5).replace(/-[\w-]{8}\.(js|wasm)$/, '.$1'), bytes }))
        .sort((a, b) => b.bytes - a.bytes).slice(0, 6),
    };
    await app.evaluate(() => (window as unknown as { benchCall: { leave(): Promise<void> } }).benchCall.leave());
    await hostPage.evaluate(() => window.mx.kitLeaveGroupCall());
    return run;
  } catch (error) {
    return failed(error);
  } finally {
    await Promise.race([Promise.all(contexts.map((context) => context.close())), new Promise((resolve) => setTimeout(resolve, options.timeoutMs))]);
  }
}

export async function main(args: string[]): Promise<number> {
  const options = parseArgs(args);
  const bench = await openCdnBench('group-call.html', 'define/mx-group-call.js');
  if (!bench) return 1;
  const { browser } = bench;
  try {
    const peer = await peerBytes(browser);
    const runs: Run[] = [];
    for (let i = 0; i < options.runs; i++) {
      const run = await runOnce(browser, bench.siteUrl, bench.harnessUrl, options);
      runs.push(run);
      process.stderr.write(`bench: ${i + 1}/${options.runs} ${run.ok
        ? `before join ${kib(run.bytesBeforeJoin)}, to first frame ${kib(run.bytesToFirstFrame)}, ${Math.round(run.clickToFirstFrameMs)} ms, ${run.matrixRequestsPerMinute.toFixed(1)} requests/min`
        : `FAILED: ${run.error ?? '?'}`}\n`);
    }
    const ok = runs.filter((run) => run.ok);
    if (ok.length === 0) return 1;
    const medians = {
      bytesBeforeJoin: median(ok.map((run) => run.bytesBeforeJoin)),
      bytesToFirstFrame: median(ok.map((run) => run.bytesToFirstFrame)),
      clickToJoinedMs: median(ok.map((run) => run.clickToJoinedMs)),
      clickToFirstFrameMs: median(ok.map((run) => run.clickToFirstFrameMs)),
      matrixRequestsPerMinute: median(ok.map((run) => run.matrixRequestsPerMinute)),
      wasmBytesToFirstFrame: median(ok.map((run) => run.wasmBytesToFirstFrame)),
    };
    const total = medians.bytesBeforeJoin + medians.bytesToFirstFrame;
    const javascript = total - medians.wasmBytesToFirstFrame;
    const markdown = [
      '# Group call: what an app loads and waits for',
      '',
      `**A whole encrypted group call loads ${kib(javascript)} gzip of JavaScript, ${(javascript / peer.bytes).toFixed(2)}× what ` +
        `Element Call's embed (${PEER_PACKAGE} ${peer.version}) loads before it can do anything (${kib(peer.bytes)}), plus ` +
        `${kib(medians.wasmBytesToFirstFrame)} of WebAssembly for the end-to-end encryption of its own Matrix client ` +
        `(${kib(total)} in all, ${(total / peer.bytes).toFixed(2)}×).** The embed has no Matrix client of its own: its host's does the crypto.`,
      '',
      '| measure | kit (`<mx-group-call>` + `joinGroupCall`, CDN build) | Element Call embed |',
      '|---|---|---|',
      `| JavaScript and WebAssembly before the join (gzip) | ${kib(medians.bytesBeforeJoin)} | ${kib(peer.bytes)} (its initial load) |`,
      `| … from the click to the first remote frame (gzip) | ${kib(medians.bytesToFirstFrame)} | not measured |`,
      `| time from the click to joined (median of ${ok.length}) | ${Math.round(medians.clickToJoinedMs)} ms | not measured |`,
      `| time from the click to the first remote frame decoded (median of ${ok.length}) | ${Math.round(medians.clickToFirstFrameMs)} ms | not measured |`,
      `| Matrix requests per minute in a steady call (${options.steadySeconds} s) | ${medians.matrixRequestsPerMinute.toFixed(1)} | not measured |`,
      '',
      `Where the join's bytes go (first run): ${ok[0]!.largestJoinFiles.map(({ file, bytes }) => `${file.split('/').pop()} ${kib(bytes)}`).join(', ')}. ` +
        'matrix-js-sdk and its Rust crypto (WebAssembly) are most of it: the kit runs its own Matrix client, with end-to-end',
      'encryption, where Element Call\'s embed borrows its host\'s (a widget host does the crypto).',
      '',
      'The click starts from a page that has loaded the element only: the time includes signing in, the first sync and',
      'the crypto of a new device, transport discovery, the token, the membership, the SFU connection and the media',
      'keys of the encrypted room, with one member already in the call. Element Call\'s join time, recovery time,',
      'CPU and request rate need it hosted as a widget (issue 18 §6); they are not measured yet, so no ratio is claimed.',
      '',
      runsLine(runs.length, runs.length - ok.length, bench),
      '',
    ].join('\n');
    const outDir = join(ROOT, 'bench', 'results');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'group-call.md'), markdown);
    writeFileSync(join(outDir, 'group-call.json'), `${JSON.stringify({ peer, medians, runs }, null, 1)}\n`);
    process.stdout.write(`\n${markdown}\nbench: wrote bench/results/group-call.md and group-call.json\n`);
    return 0;
  } finally {
    await bench.close();
  }
}
