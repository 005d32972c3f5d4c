// Call-setup benchmark: time from placing a 1:1 video call to the first decoded remote frame on each side,
// kit to kit against MatrixCall to MatrixCall, interleaved in one run on the same stack and browser. It runs
// inside the e2e network namespace (bench/run.mjs puts it there) and writes bench/results/voip-setup.{md,json}.
//
//   npm run bench -- [--runs N (20)] [--warmup N (2)] [--encrypted] [--camera-fps N] [--camera-start MS] [--timeout MS] [--kit-experiment NAME,…] [--chromium-log FILE] [--cpu-profile DIR]
//
// --camera-fps sets the frame rate of Chromium's fake camera for both implementations (its default is 20; most
// webcams run at 30) and writes voip-setup-camera<N>fps.{md,json}: the first remote frame is the first camera
// frame after the connection is up, so the frame interval is a step in every measurement.
//
// --camera-start makes every camera take MS longer to open, for both implementations (the page delays
// getUserMedia's answer), and writes voip-setup-camera-start<MS>ms.{md,json}: the fake camera opens in about
// 20 ms, a webcam in hundreds, and how often a call waits for a camera to open shows only then.
//
// --kit-experiment runs a modified kit (changes emulated from the bench page: no-candidate-wait, max-bundle;
// see EXPERIMENT_NOTES) against MatrixCall and writes voip-setup-<names>.{md,json} instead, so the plain
// comparison is never overwritten.
//
// --chromium-log FILE appends Chromium's libwebrtc log to FILE, to see inside the browser what the page cannot
// (see withChromiumLog), and adds each side's video send stream and first encoded frame to the milestones (see
// addEncoderMarks). Logging slows the browser, so that run's tables go to voip-setup-chromium-log.{md,json}.
//
// --cpu-profile DIR samples the JavaScript of both pages of every call (DevTools protocol, every 100 µs) and
// writes DIR/<run>-<implementation>-<side>.cpuprofile, to open in Chrome DevTools or read as JSON: where a
// page's main thread spends the call, and where it sits idle waiting for the browser. Each run's record in the
// JSON says when, after t0, the function profileAnchor of that profile began (see startCpuProfile), to match
// the samples to the milestones. Sampling slows the pages too: tables go to voip-setup-cpu-profile.{md,json}.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { servePages } from '../scripts/page-server.mjs';
import { ROOT, SYNAPSE_VERSION } from '../scripts/stack.mjs';
import { CHROMIUM_ARGS, CHROMIUM_EXECUTABLE } from '../test/helpers/chromium-flags.mjs';
import { credentialsOf } from '../test/helpers/calls.js';
import { createDirectRoom, registerUser, type TestUser } from '../test/helpers/synapse.js';
import type { Mark } from './pages/instrument.js';
import type { FirstFrame, Implementation, KitExperiment, Role } from './pages/voip-setup.js';

// A copy of the page's list: importing the page module here would pull DOM code into Node.
const KIT_EXPERIMENTS: readonly KitExperiment[] = ['no-candidate-wait', 'max-bundle'];
const EXPERIMENT_NOTES: Record<KitExperiment, string> = {
  'no-candidate-wait': 'invite and answer sent right after setLocalDescription (iceGatheringState made to read "complete"); later candidates trickle with the kit\'s batching',
  'max-bundle': 'RTCPeerConnection with bundlePolicy "max-bundle" (as MatrixCall), one transport to gather for',
};

const NAMES: Record<Implementation, string> = { kit: 'kit', sdk: 'MatrixCall' };
const TARGET_RATIO = 0.5;

interface Options {
  runs: number;
  warmup: number;
  encrypted: boolean;
  /** Frame rate of the fake camera; undefined keeps Chromium's default. */
  cameraFps: number | undefined;
  /** Extra time every camera takes to open, in ms (0: the fake camera as it is). */
  cameraStartMs: number;
  timeoutMs: number;
  kitExperiments: KitExperiment[];
  /** Where Chromium writes libwebrtc's log (its stderr), or undefined for no log. */
  chromiumLog: string | undefined;
  /** Where each call's CPU profiles go, or undefined for none. */
  cpuProfileDir: string | undefined;
}

function parseArgs(args: string[]): Options {
  const options: Options = { runs: 20, warmup: 2, encrypted: false, cameraFps: undefined, cameraStartMs: 0, timeoutMs: 20_000, kitExperiments: [], chromiumLog: undefined, cpuProfileDir: undefined };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = (): number => {
      const n = Number(args[++i]);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${arg} needs a whole number`);
      return n;
    };
    if (arg === '--runs') options.runs = Math.max(1, value());
    else if (arg === '--warmup') options.warmup = value();
    else if (arg === '--timeout') options.timeoutMs = value();
    else if (arg === '--encrypted') options.encrypted = true;
    else if (arg === '--camera-fps') options.cameraFps = Math.min(60, Math.max(1, value()));
    else if (arg === '--camera-start') options.cameraStartMs = Math.min(5_000, value());
    else if (arg === '--chromium-log') {
      const path = args[++i];
      if (!path) throw new Error('--chromium-log needs a file');
      options.chromiumLog = resolve(path);
    }
    else if (arg === '--cpu-profile') {
      const path = args[++i];
      if (!path) throw new Error('--cpu-profile needs a directory');
      options.cpuProfileDir = resolve(path);
    }
    else if (arg === '--kit-experiment') {
      const names = (args[++i] ?? '').split(',');
      for (const name of names) {
        if (!KIT_EXPERIMENTS.includes(name as KitExperiment)) throw new Error(`--kit-experiment ${name}: use some of ${KIT_EXPERIMENTS.join(',')}`);
        if (!options.kitExperiments.includes(name as KitExperiment)) options.kitExperiments.push(name as KitExperiment);
      }
    } else throw new Error(`unknown argument ${arg ?? ''} (use --runs N, --warmup N, --encrypted, --camera-fps N, --camera-start MS, --timeout MS, --kit-experiment LIST, --chromium-log FILE, --cpu-profile DIR)`);
  }
  return options;
}

/** Marks relative to the run's t0, in ms with one decimal: what the JSON keeps and the tables read. */
type Timeline = { t: number; what: string; detail?: string }[];

interface RunRecord {
  sequence: number;
  pair: number;
  warmup: boolean;
  implementation: Implementation;
  ok: boolean;
  error?: string;
  callerMs?: number;
  calleeMs?: number;
  bothMs?: number;
  selectedPair?: string;
  /** How long the run waited for the clients and the machine to go quiet before placing the call. */
  settledMs?: number;
  frames?: { caller?: FirstFrame; callee?: FirstFrame };
  timeline?: { caller: Timeline; callee: Timeline };
  /** When the call was placed, in epoch ms (the timelines are relative to it). */
  t0?: number;
  /** With --cpu-profile: each page's profile, and when its profileAnchor began, in ms after t0. */
  cpuProfiles?: Record<Side, { file: string; anchorMs: number }>;
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

/** In time order: /sync arrivals are filed late (after their body is read) under the time they came in. */
function relative(marks: Mark[], t0: number): Timeline {
  return marks.map((m) => ({ ...m, t: round1(m.t - t0) })).sort((x, y) => x.t - y.t);
}

async function openPage(browser: Browser, baseURL: string, label: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL, permissions: ['camera', 'microphone'] });
  const page = await context.newPage();
  page.on('pageerror', (error) => process.stderr.write(`[${label} page error] ${error.message}\n`));
  page.on('response', (response) => {
    // Rust crypto asks for a key backup the users never made.
    if (response.status() >= 400 && !response.url().endsWith('/room_keys/version')) process.stderr.write(`[${label} http ${response.status()}] ${response.url()}\n`);
  });
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) process.stderr.write(`[${label} console] ${message.text()}\n`);
  });
  await page.goto('/voip-setup.html');
  await page.waitForFunction(() => window.bench?.ready === true);
  return { context, page };
}

async function startParty(page: Page, implementation: Implementation, role: Role, user: TestUser, options: Options): Promise<void> {
  await page.evaluate(([which, as, credentials, opts]) => window.bench.start(which, as, credentials, opts),
    [implementation, role, credentialsOf(user), { encryption: options.encrypted, kitExperiments: options.kitExperiments, cameraStartMs: options.cameraStartMs }] as const);
}

/** At least this long between both clients being started and the call, for their start-up work to finish. */
const SETTLE_MIN_MS = 1_000;
/** Then the call waits until the machine's CPUs were this idle over one sample (or SETTLE_MAX_MS pass). */
const SETTLE_IDLE_SHARE = 0.85;
const SETTLE_SAMPLE_MS = 250;
const SETTLE_MAX_MS = 10_000;

/** CPU time counters from /proc/stat: idle (idle + iowait), stolen by the hypervisor, and all, in ticks. */
function cpuTimes(): { idle: number; steal: number; total: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1, 9).map(Number) ?? [];
    if (fields.length < 8 || fields.some((n) => !Number.isFinite(n))) return undefined;
    return { idle: (fields[3] ?? 0) + (fields[4] ?? 0), steal: fields[7] ?? 0, total: fields.reduce((sum, n) => sum + n, 0) };
  } catch {
    return undefined;
  }
}

type CpuTimes = NonNullable<ReturnType<typeof cpuTimes>>;

/** The CPU time between two readings, or undefined when either is missing or no time passed. */
function cpuBetween(before: CpuTimes | undefined, after: CpuTimes | undefined): CpuTimes | undefined {
  if (!before || !after || after.total <= before.total) return undefined;
  return { idle: after.idle - before.idle, steal: after.steal - before.steal, total: after.total - before.total };
}

/** Busy and stolen shares of the CPUs between two readings: a neighbour on the same host slows both implementations. */
function cpuShares(before: CpuTimes | undefined, after: CpuTimes | undefined): string {
  const spent = cpuBetween(before, after);
  if (!spent) return 'unknown (no /proc/stat)';
  const percent = (ticks: number): string => `${Math.round((100 * ticks) / spent.total)} %`;
  return `busy ${percent(spent.total - spent.idle)}, of which stolen by the hypervisor ${percent(spent.steal)}`;
}

/** The share of CPU time spent idle over the next `ms`, or undefined where /proc/stat cannot be read. */
async function idleShareOver(ms: number): Promise<number | undefined> {
  const before = cpuTimes();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const spent = cpuBetween(before, cpuTimes());
  return spent && spent.idle / spent.total;
}

/**
 * Waits for the state an app sits in when someone calls: both clients idle in their /sync long-poll, and
 * the start-up work of the pages, the clients and the homeserver (registering the users, making the room)
 * finished, seen as the whole machine going quiet. The two implementations share the CPUs with the homeserver
 * and each other, so work left over from setting up a run would land inside the measured call.
 * Returns how long it waited, in ms.
 */
async function settle(pages: Page[]): Promise<number> {
  const started = Date.now();
  const idleInSync = (): Promise<unknown> => Promise.all(pages.map((page) => page.waitForFunction(() => window.bench.syncPending(), undefined, { timeout: 15_000 })));
  await idleInSync();
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MIN_MS));
  while (Date.now() - started < SETTLE_MAX_MS) {
    const idle = await idleShareOver(SETTLE_SAMPLE_MS);
    if (idle === undefined || idle >= SETTLE_IDLE_SHARE) break;
  }
  await idleInSync();
  return Date.now() - started;
}

interface CpuProfiler { stop: (file: string) => Promise<void>; anchorAt: number }

/**
 * Starts sampling a page's JavaScript. The page then runs profileAnchor, a named 1 ms busy loop that reads the
 * clock on entry: the first sample inside it is at `anchorAt` (epoch ms), which ties the profile's own
 * clock to the milestones'.
 */
async function startCpuProfile(page: Page): Promise<CpuProfiler> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await cdp.send('Profiler.start');
  const anchorAt = await page.evaluate('(function profileAnchor() { const at = performance.timeOrigin + performance.now(); const end = performance.now() + 1; while (performance.now() < end); return at; })()') as number;
  return {
    anchorAt,
    stop: async (file) => {
      const { profile } = await cdp.send('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      await cdp.detach();
    },
  };
}

async function runOnce(browser: Browser, baseURL: string, implementation: Implementation, options: Options, sequence: number): Promise<Omit<RunRecord, 'sequence' | 'pair' | 'warmup'>> {
  const opened: BrowserContext[] = [];
  let caller: Page | undefined;
  let callee: Page | undefined;
  let t0 = 0;
  try {
    const [userA, userB] = await Promise.all([registerUser({ displayName: 'Caller' }), registerUser({ displayName: 'Callee' })]);
    const roomId = await createDirectRoom(userA, userB, { encrypted: options.encrypted });
    const [a, b] = await Promise.all([openPage(browser, baseURL, `${implementation} caller`), openPage(browser, baseURL, `${implementation} callee`)]);
    opened.push(a.context, b.context);
    caller = a.page;
    callee = b.page;
    await Promise.all([
      startParty(caller, implementation, 'caller', userA, options),
      startParty(callee, implementation, 'callee', userB, options),
    ]);
    const settledMs = await settle([caller, callee]);

    const profileDir = options.cpuProfileDir;
    const profilers = profileDir ? { caller: await startCpuProfile(caller), callee: await startCpuProfile(callee) } : undefined;
    t0 = await caller.evaluate(([room, peer]) => window.bench.place(room, peer), [roomId, userB.userId] as const);
    const timeout = options.timeoutMs;
    const [callerFrame, calleeFrame] = await Promise.allSettled([
      caller.evaluate((ms) => window.bench.firstFrame(ms), timeout),
      callee.evaluate((ms) => window.bench.firstFrame(ms), timeout),
    ]);
    let cpuProfiles: RunRecord['cpuProfiles'];
    if (profilers && profileDir) {
      mkdirSync(profileDir, { recursive: true });
      const written = async (side: Side): Promise<{ file: string; anchorMs: number }> => {
        const file = join(profileDir, `${String(sequence).padStart(3, '0')}-${NAMES[implementation]}-${side}.cpuprofile`);
        await profilers[side].stop(file);
        return { file, anchorMs: round1(profilers[side].anchorAt - t0) };
      };
      cpuProfiles = { caller: await written('caller'), callee: await written('callee') };
    }
    const selectedPair = await caller.evaluate(() => window.bench.selectedPair()).catch(() => undefined);
    const timeline = { caller: relative(await caller.evaluate(() => window.bench.marks()), t0), callee: relative(await callee.evaluate(() => window.bench.marks()), t0) };
    const frames = {
      caller: callerFrame.status === 'fulfilled' ? callerFrame.value : undefined,
      callee: calleeFrame.status === 'fulfilled' ? calleeFrame.value : undefined,
    };
    const callerMs = frames.caller ? round1(frames.caller.presented - t0) : undefined;
    const calleeMs = frames.callee ? round1(frames.callee.presented - t0) : undefined;
    const errors = [
      callerFrame.status === 'rejected' ? `caller: ${errorText(callerFrame.reason)}` : undefined,
      calleeFrame.status === 'rejected' ? `callee: ${errorText(calleeFrame.reason)}` : undefined,
    ].filter((e): e is string => e !== undefined);
    const ok = callerMs !== undefined && calleeMs !== undefined;
    return {
      implementation,
      ok,
      ...(errors.length ? { error: errors.join('; ') } : {}),
      callerMs,
      calleeMs,
      bothMs: ok ? Math.max(callerMs, calleeMs) : undefined,
      selectedPair,
      settledMs,
      frames,
      timeline,
      t0,
      ...(cpuProfiles ? { cpuProfiles } : {}),
    };
  } catch (error) {
    let timeline: RunRecord['timeline'];
    if (caller && callee && t0) {
      timeline = {
        caller: relative(await caller.evaluate(() => window.bench.marks()).catch(() => []), t0),
        callee: relative(await callee.evaluate(() => window.bench.marks()).catch(() => []), t0),
      };
    }
    return { implementation, ok: false, error: errorText(error), timeline };
  } finally {
    // What the teardown logs (sends cut short by the stopping clients) is not about the measured call.
    for (const page of [caller, callee]) page?.removeAllListeners('console').removeAllListeners('response');
    await caller?.evaluate(() => window.bench.hangup()).catch(() => undefined);
    // Lets the hangup leave before the pages go, so nothing of this call is still ringing into the next.
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const page of [caller, callee]) await page?.evaluate(() => window.bench.stop()).catch(() => undefined);
    await Promise.all(opened.map((context) => context.close().catch(() => undefined)));
  }
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}

// ---------------------------------------------------------------------------------------------------------
// Statistics and tables

interface Summary { n: number; median: number; p90: number; min: number; max: number }

function summarize(values: number[]): Summary | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((x, y) => x - y);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { n: sorted.length, median, p90: at(0.9), min: sorted[0] as number, max: sorted[sorted.length - 1] as number };
}

/** "a ×3, b ×1": how often each value occurs, most frequent first. */
function tally(values: (string | undefined)[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value ?? '?', (counts.get(value ?? '?') ?? 0) + 1);
  return [...counts].sort((x, y) => y[1] - x[1]).map(([value, count]) => `${value} ×${count}`).join(', ') || '—';
}

const ms = (n: number | undefined): string => (n === undefined ? '—' : `${Math.round(n)}`);

type Side = 'caller' | 'callee';

/** The first mark on `side` at or after t0 matching `what` (and `detail`, when given, one of several). */
function at(run: RunRecord, side: Side, what: string, detail?: string | string[], after = 0): number | undefined {
  const details = detail === undefined ? undefined : Array.isArray(detail) ? detail : [detail];
  const matches = (d: string | undefined): boolean => d !== undefined && details !== undefined && details.some((x) => d === x || d.startsWith(`${x} `));
  return run.timeline?.[side].find((m) => m.t >= after && m.what === what && (!details || matches(m.detail)))?.t;
}

interface Milestone { label: string; get: (run: RunRecord) => number | undefined }

// Encrypted call events arrive as m.room.encrypted; the first one after the counterpart sent is the one.
const INVITE_TYPES = ['m.call.invite', 'm.room.encrypted'];
const ANSWER_TYPES = ['m.call.answer', 'm.room.encrypted'];
const calleeSentAnswer = (run: RunRecord): number => at(run, 'callee', 'send_start', ['m.call.answer', 'm.room.encrypted']) ?? 0;

/** Read from libwebrtc's log (--chromium-log), per side: see addEncoderMarks. */
const ENCODER_MILESTONES: Milestone[] = (['caller', 'callee'] as const).flatMap((side) => [
  { label: `${side}: video send stream made (libwebrtc log)`, get: (r: RunRecord) => at(r, side, 'send_stream_made') },
  { label: `${side}: a camera frame sets up its encoder, unsent (libwebrtc log)`, get: (r: RunRecord) => at(r, side, 'encoder_set_up') },
  { label: `${side}: first video frame encoded (libwebrtc log)`, get: (r: RunRecord) => at(r, side, 'first_frame_encoded') },
]);

const MILESTONES: Milestone[] = [
  { label: 'caller: getUserMedia called', get: (r) => at(r, 'caller', 'gum_start') },
  { label: 'caller: camera + mic open (getUserMedia)', get: (r) => at(r, 'caller', 'gum_done') },
  { label: 'caller: TURN credentials fetched', get: (r) => at(r, 'caller', 'turn_done') },
  { label: 'caller: RTCPeerConnection created', get: (r) => at(r, 'caller', 'pc_created') },
  { label: 'caller: offer set (setLocalDescription)', get: (r) => at(r, 'caller', 'sld_done', 'offer') },
  { label: 'caller: first host candidate', get: (r) => at(r, 'caller', 'local_candidate', 'host') },
  { label: 'caller: ICE gathering complete', get: (r) => at(r, 'caller', 'gathering', 'complete') },
  { label: 'caller: invite PUT starts', get: (r) => at(r, 'caller', 'send_start', ['m.call.invite', 'm.room.encrypted']) },
  { label: 'caller: invite PUT returns', get: (r) => at(r, 'caller', 'send_done', ['m.call.invite', 'm.room.encrypted']) },
  { label: 'callee: invite arrives in /sync', get: (r) => at(r, 'callee', 'sync_recv', INVITE_TYPES) },
  { label: 'callee: ringing (app told; answers at once)', get: (r) => at(r, 'callee', 'ringing') },
  { label: 'callee: answer() called', get: (r) => at(r, 'callee', 'answer') },
  { label: 'callee: TURN credentials fetched', get: (r) => at(r, 'callee', 'turn_done') },
  { label: 'callee: offer applied (setRemoteDescription)', get: (r) => at(r, 'callee', 'srd_done', 'offer') },
  { label: 'callee: getUserMedia called', get: (r) => at(r, 'callee', 'gum_start') },
  { label: 'callee: camera + mic open (getUserMedia)', get: (r) => at(r, 'callee', 'gum_done') },
  { label: 'callee: answer set (setLocalDescription)', get: (r) => at(r, 'callee', 'sld_done', 'answer') },
  { label: 'callee: ICE connected', get: (r) => at(r, 'callee', 'ice', ['connected', 'completed']) },
  { label: 'callee: answer PUT starts', get: (r) => at(r, 'callee', 'send_start', ['m.call.answer', 'm.room.encrypted']) },
  { label: 'callee: answer PUT returns', get: (r) => at(r, 'callee', 'send_done', ['m.call.answer', 'm.room.encrypted']) },
  { label: 'caller: answer arrives in /sync', get: (r) => at(r, 'caller', 'sync_recv', ANSWER_TYPES, calleeSentAnswer(r)) },
  { label: 'caller: answer handed to setRemoteDescription', get: (r) => at(r, 'caller', 'srd_start', 'answer') },
  { label: 'caller: answer applied (setRemoteDescription)', get: (r) => at(r, 'caller', 'srd_done', 'answer') },
  { label: 'caller: ICE connected', get: (r) => at(r, 'caller', 'ice', ['connected', 'completed']) },
  { label: 'callee: DTLS connected (connectionState)', get: (r) => at(r, 'callee', 'connection', 'connected') },
  { label: 'caller: DTLS connected (connectionState)', get: (r) => at(r, 'caller', 'connection', 'connected') },
  { label: 'caller: first remote frame: last packet in', get: (r) => at(r, 'caller', 'first_frame_received') },
  { label: 'caller: first remote frame presented', get: (r) => r.callerMs },
  { label: 'callee: first remote frame: last packet in', get: (r) => at(r, 'callee', 'first_frame_received') },
  { label: 'callee: first remote frame presented', get: (r) => r.calleeMs },
  { label: 'caller: first m.call.candidates PUT', get: (r) => at(r, 'caller', 'send_start', 'm.call.candidates') },
  { label: 'callee: first m.call.candidates PUT', get: (r) => at(r, 'callee', 'send_start', 'm.call.candidates') },
];

interface Segment { label: string; why: string; from: (r: RunRecord) => number | undefined; to: (r: RunRecord) => number | undefined }

const m = (label: string): ((r: RunRecord) => number | undefined) => {
  const found = MILESTONES.find((x) => x.label === label);
  if (!found) throw new Error(`no milestone ${label}`);
  return found.get;
};

/** The later of two milestones: where work done one after the other (or side by side) is all finished. */
const later = (a: string, b: string): ((r: RunRecord) => number | undefined) => (r) => {
  const [x, y] = [m(a)(r), m(b)(r)];
  return x === undefined || y === undefined ? undefined : Math.max(x, y);
};

// The critical path, in order; each segment is the per-run difference of two milestones. Camera and local
// description share a segment: MatrixCall does one after the other, the kit both side by side.
const SEGMENTS: Segment[] = [
  { label: '1. caller: until getUserMedia is called', why: 'library work before asking for media', from: () => 0, to: m('caller: getUserMedia called') },
  { label: '2. caller: camera + mic, and the offer', why: 'getUserMedia; RTCPeerConnection, transceivers, setLocalDescription', from: m('caller: getUserMedia called'), to: later('caller: camera + mic open (getUserMedia)', 'caller: offer set (setLocalDescription)') },
  { label: '3. caller: waits before sending the invite', why: 'tracks into senders, early-candidate wait (and in encrypted rooms, encrypting incl. key sharing)', from: later('caller: camera + mic open (getUserMedia)', 'caller: offer set (setLocalDescription)'), to: m('caller: invite PUT starts') },
  { label: '4. invite: PUT until the callee\'s /sync returns it', why: 'homeserver persists the event and wakes the callee\'s long-poll', from: m('caller: invite PUT starts'), to: m('callee: invite arrives in /sync') },
  { label: '5. callee: until getUserMedia is called', why: 'sync processing, peer connection, setRemoteDescription(offer), ring, answer()', from: m('callee: invite arrives in /sync'), to: m('callee: getUserMedia called') },
  { label: '6. callee: camera + mic, and the answer', why: 'getUserMedia; transceivers, setLocalDescription', from: m('callee: getUserMedia called'), to: later('callee: camera + mic open (getUserMedia)', 'callee: answer set (setLocalDescription)') },
  { label: '7. callee: waits before sending the answer', why: 'tracks into senders, early-candidate wait (and in encrypted rooms, encrypting incl. key sharing)', from: later('callee: camera + mic open (getUserMedia)', 'callee: answer set (setLocalDescription)'), to: m('callee: answer PUT starts') },
  { label: '8. answer: PUT until the caller\'s /sync returns it', why: 'homeserver persists the event and wakes the caller\'s long-poll', from: m('callee: answer PUT starts'), to: m('caller: answer arrives in /sync') },
  { label: '9. caller: until setRemoteDescription(answer) is called', why: 'sync processing, event dispatch, effect queue', from: m('caller: answer arrives in /sync'), to: m('caller: answer handed to setRemoteDescription') },
  { label: '10. caller: setRemoteDescription(answer)', why: 'applying the answer (transports, receivers)', from: m('caller: answer handed to setRemoteDescription'), to: m('caller: answer applied (setRemoteDescription)') },
  { label: '11. caller: until DTLS is connected', why: 'ICE checks and DTLS handshake finishing after the answer', from: m('caller: answer applied (setRemoteDescription)'), to: m('caller: DTLS connected (connectionState)') },
  { label: '12. media until both sides have shown a frame', why: 'first key frame: the caller\'s video send stream, made when the answer was applied, uses its first frame to set up its encoder and sends the next one (Chromium; see --chromium-log): MatrixCall and the kit both wait for camera frames; encode, send, decode, present', from: m('caller: DTLS connected (connectionState)'), to: (r) => r.bothMs },
];

function delta(run: RunRecord, segment: Segment): number | undefined {
  const from = segment.from(run);
  const to = segment.to(run);
  return from === undefined || to === undefined ? undefined : to - from;
}

/** What `get` reads from each run, leaving out the runs where it has no value. */
function valuesOf(runs: RunRecord[], get: (run: RunRecord) => number | undefined): number[] {
  return runs.map(get).filter((v): v is number => v !== undefined);
}

function medianOf(runs: RunRecord[], get: (run: RunRecord) => number | undefined): { median: number | undefined; n: number } {
  const values = valuesOf(runs, get);
  return { median: summarize(values)?.median, n: values.length };
}

/**
 * A 95 % bootstrap interval for the ratio of two medians: both samples are resampled with replacement, the
 * ratio of the resampled medians taken each time. The first remote frame waits for the next camera frame, so
 * the samples bunch at steps of one frame interval and one run's median ratio can move by a step between runs;
 * the interval shows how far. Seeded, so a report is reproducible from its JSON.
 */
function bootstrapRatioInterval(kit: number[], peer: number[], rounds = 4000): [number, number] | undefined {
  if (kit.length < 2 || peer.length < 2) return undefined;
  let seed = 0x2545f491;
  const random = (): number => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  const resampledMedian = (values: number[]): number => summarize(values.map(() => values[Math.floor(random() * values.length)] as number))?.median ?? Number.NaN;
  const ratios = Array.from({ length: rounds }, () => resampledMedian(kit) / resampledMedian(peer)).sort((x, y) => x - y);
  return [ratios[Math.floor(0.025 * rounds)] as number, ratios[Math.ceil(0.975 * rounds) - 1] as number];
}

interface Report { markdown: string; json: unknown }

function report(records: RunRecord[], options: Options, meta: Record<string, string>): Report {
  const counted = records.filter((r) => !r.warmup);
  const ok = (impl: Implementation): RunRecord[] => counted.filter((r) => r.implementation === impl && r.ok);
  const failed = (impl: Implementation): number => counted.filter((r) => r.implementation === impl && !r.ok).length;
  const sides = ['callerMs', 'calleeMs', 'bothMs'] as const;
  const sideNames: Record<(typeof sides)[number], string> = { callerMs: 'caller', calleeMs: 'callee', bothMs: 'both (max)' };
  const summaries = Object.fromEntries((['kit', 'sdk'] as const).map((impl) => [impl, Object.fromEntries(sides.map((side) =>
    [side, summarize(valuesOf(ok(impl), (r) => r[side]))]))])) as Record<Implementation, Record<(typeof sides)[number], Summary | undefined>>;
  const ratio = (side: (typeof sides)[number]): number | undefined => {
    const k = summaries.kit[side]?.median;
    const s = summaries.sdk[side]?.median;
    return k === undefined || s === undefined || s === 0 ? undefined : k / s;
  };
  const bothRatio = ratio('bothMs');
  const met = bothRatio !== undefined && bothRatio <= TARGET_RATIO;
  const interval = bootstrapRatioInterval(valuesOf(ok('kit'), (r) => r.bothMs), valuesOf(ok('sdk'), (r) => r.bothMs));
  const metBeyondNoise = interval !== undefined && interval[1] <= TARGET_RATIO;
  const beyondNoise = interval === undefined ? 'no interval' : metBeyondNoise ? 'met beyond noise' : interval[0] > TARGET_RATIO ? 'missed beyond noise' : 'the interval straddles the target';
  // A median on the target's side of the line with an interval across it is not a result either way.
  const verdict = metBeyondNoise ? 'MET' : met ? 'NOT MET beyond noise (the median ratio is within the target)' : 'NOT MET';

  const lines: string[] = [];
  lines.push(`# Call setup: kit vs MatrixCall${options.kitExperiments.length ? ' (kit with emulated changes)' : ''}`, '');
  lines.push('Time from placing a 1:1 video call (the caller page invokes `placeCall` / `placeVideoCall`) to the first decoded');
  lines.push('remote video frame presented in a `<video>` (requestVideoFrameCallback `presentationTime`), on each side;');
  lines.push('"both" is the later of the two. Same homeserver, same browser, runs interleaved; the callee answers in-page as');
  lines.push(`soon as it rings. Written by \`npm run bench\` (bench/voip-setup.ts); raw samples in ${baseName(options)}.json.`, '');
  if (options.kitExperiments.length) {
    lines.push('**This is not the shipped kit.** "kit" below is the kit with these changes emulated from the bench page, to');
    lines.push('estimate what each would gain (the plain comparison is voip-setup.md):', '');
    for (const name of options.kitExperiments) lines.push(`- \`${name}\`: ${EXPERIMENT_NOTES[name]}`);
    lines.push('');
  }
  for (const [key, value] of Object.entries(meta)) lines.push(`- ${key}: ${value}`);
  lines.push(`- Runs: ${options.runs} per implementation, interleaved in pairs of alternating order (kit first, then MatrixCall first, …), after ${options.warmup} warm-up pair(s) that are listed below but not counted`);
  const settled = (impl: Implementation): string => ms(summarize(counted.filter((r) => r.implementation === impl && r.settledMs !== undefined).map((r) => r.settledMs as number))?.median);
  lines.push(`- Before each call: fresh users and DM, both clients started and idle in their /sync long-poll, at least ${SETTLE_MIN_MS} ms, then until the CPUs were ≥ ${Math.round(SETTLE_IDLE_SHARE * 100)} % idle over ${SETTLE_SAMPLE_MS} ms (at most ${SETTLE_MAX_MS / 1000} s); median wait kit ${settled('kit')} ms, MatrixCall ${settled('sdk')} ms`);
  lines.push(`- Failed runs (counted, excluded from the statistics): kit ${failed('kit')}, MatrixCall ${failed('sdk')}`);
  lines.push(`- **Target (kit ≤ ${TARGET_RATIO} × MatrixCall, both sides, medians): ${verdict}** (ratio ${bothRatio === undefined ? '—' : bothRatio.toFixed(2)}; 95 % bootstrap interval ${interval ? `${interval[0].toFixed(2)}–${interval[1].toFixed(2)}` : '—'}: ${beyondNoise})`, '');

  lines.push('| implementation | side | median ms | p90 ms | min ms | max ms | ok runs |');
  lines.push('|---|---|---:|---:|---:|---:|---:|');
  for (const impl of ['kit', 'sdk'] as const) {
    for (const side of sides) {
      const s = summaries[impl][side];
      lines.push(`| ${NAMES[impl]} | ${sideNames[side]} | ${ms(s?.median)} | ${ms(s?.p90)} | ${ms(s?.min)} | ${ms(s?.max)} | ${s?.n ?? 0} |`);
    }
  }
  lines.push(`| **ratio kit / MatrixCall (medians)** | caller ${ratio('callerMs')?.toFixed(2) ?? '—'} | callee ${ratio('calleeMs')?.toFixed(2) ?? '—'} | **both ${bothRatio?.toFixed(2) ?? '—'}** | | | |`, '');
  // What a person feels after clicking answer; the benchmark's instant answer makes it part of the total above.
  const afterAnswer = (impl: Implementation): Summary | undefined => summarize(valuesOf(ok(impl), (r) => {
    const answered = at(r, 'callee', 'answer');
    return answered === undefined || r.bothMs === undefined ? undefined : r.bothMs - answered;
  }));
  const [kitAnswer, sdkAnswer] = [afterAnswer('kit'), afterAnswer('sdk')];
  lines.push(`From the callee's answer() to a frame on both sides (median / p90 ms): kit ${ms(kitAnswer?.median)} / ${ms(kitAnswer?.p90)}, ` +
    `MatrixCall ${ms(sdkAnswer?.median)} / ${ms(sdkAnswer?.p90)}, ratio ${kitAnswer && sdkAnswer ? (kitAnswer.median / sdkAnswer.median).toFixed(2) : '—'}.`, '');
  for (const impl of ['kit', 'sdk'] as const) {
    const runs = ok(impl);
    const camera = tally(runs.flatMap((r) => (['caller', 'callee'] as const).map((side) => r.timeline?.[side].find((x) => x.what === 'gum_done')?.detail)));
    const frames = tally(runs.flatMap((r) => [r.frames?.caller, r.frames?.callee].map((f) => (f ? `${f.width}x${f.height}` : undefined))));
    const pairs = tally(runs.map((r) => r.selectedPair));
    lines.push(`- ${NAMES[impl]}: camera opened at ${camera}; first remote frames ${frames}; ICE pair (caller's view) ${pairs}`);
  }
  lines.push('');

  lines.push('## Where the time goes', '');
  lines.push('Medians over the ok runs of each milestone, in ms after the call was placed (t0). Both pages share one clock');
  lines.push('(`performance.timeOrigin + performance.now()`, same machine). Milestones come from the same browser-level');
  lines.push('hooks for both implementations (fetch, getUserMedia, RTCPeerConnection); "—" means it did not happen after t0.', '');
  lines.push('| milestone | kit | MatrixCall | kit − MatrixCall |');
  lines.push('|---|---:|---:|---:|');
  // Both implementations' medians of one per-run measure, and their difference, as table cells.
  const compared = (get: (run: RunRecord) => number | undefined): string => {
    const k = medianOf(ok('kit'), get).median;
    const s = medianOf(ok('sdk'), get).median;
    return `${ms(k)} | ${ms(s)} | ${k === undefined || s === undefined ? '—' : ms(k - s)}`;
  };
  for (const milestone of [...MILESTONES, ...(options.chromiumLog ? ENCODER_MILESTONES : [])]) lines.push(`| ${milestone.label} | ${compared(milestone.get)} |`);
  lines.push('');
  lines.push('The critical path as segments (median of each run\'s difference between two milestones, so the column sums');
  lines.push('are close to, not exactly, the "both" medians):', '');
  lines.push('| segment | what happens | kit | MatrixCall | kit − MatrixCall |');
  lines.push('|---|---|---:|---:|---:|');
  for (const segment of SEGMENTS) lines.push(`| ${segment.label} | ${segment.why} | ${compared((r) => delta(r, segment))} |`);
  lines.push('');

  lines.push('## Runs', '');
  lines.push('| # | pair | implementation | caller ms | callee ms | both ms | frame (caller ← / callee ←) | ICE pair | status |');
  lines.push('|---:|---:|---|---:|---:|---:|---|---|---|');
  for (const r of records) {
    const frame = (f: FirstFrame | undefined): string => (f ? `${f.width}x${f.height}` : '—');
    const status = r.ok ? (r.warmup ? 'warm-up (not counted)' : 'ok') : `${r.warmup ? 'warm-up, ' : ''}FAILED: ${r.error ?? '?'}`;
    lines.push(`| ${r.sequence} | ${r.pair} | ${NAMES[r.implementation]} | ${ms(r.callerMs)} | ${ms(r.calleeMs)} | ${ms(r.bothMs)} | ${frame(r.frames?.caller)} / ${frame(r.frames?.callee)} | ${r.selectedPair ?? '—'} | ${status} |`);
  }
  lines.push('');

  const json = {
    meta,
    options,
    target: { ratio: TARGET_RATIO, bothRatio, met, metBeyondNoise, bothRatioInterval95: interval },
    summaries: { kit: summaries.kit, MatrixCall: summaries.sdk },
    ratios: { caller: ratio('callerMs'), callee: ratio('calleeMs'), both: bothRatio },
    runs: records,
  };
  return { markdown: `${lines.join('\n')}\n`, json };
}

/** voip-setup for the plain comparison; variants (encrypted, camera rate, camera start, kit experiments) get their own files. */
function baseName(options: Options): string {
  const experiments = options.kitExperiments.map((name) => `kit-${name}`);
  const variant = [...(options.encrypted ? ['encrypted'] : []), ...(options.cameraFps === undefined ? [] : [`camera${options.cameraFps}fps`]), ...(options.cameraStartMs > 0 ? [`camera-start${options.cameraStartMs}ms`] : []), ...experiments,
    ...(options.chromiumLog ? ['chromium-log'] : []), ...(options.cpuProfileDir ? ['cpu-profile'] : [])].join('+');
  return variant ? `voip-setup-${variant}` : 'voip-setup';
}

// ---------------------------------------------------------------------------------------------------------

export async function main(args: string[]): Promise<number> {
  const options = parseArgs(args);
  const servedir = mkdtempSync(join(tmpdir(), 'mck-bench-pages-'));
  copyFileSync(join(ROOT, 'bench', 'pages', 'voip-setup.html'), join(servedir, 'voip-setup.html'));
  const server = await servePages({
    servedir,
    entryPoints: [join(ROOT, 'bench', 'pages', 'voip-setup.ts')],
    port: Number(process.env.BENCH_PAGE_PORT ?? 8101),
  });
  const chromiumArgs = options.cameraFps === undefined ? CHROMIUM_ARGS
    : CHROMIUM_ARGS.map((flag) => (flag === '--use-fake-device-for-media-stream' ? `${flag}=fps=${options.cameraFps}` : flag));
  const launch = options.chromiumLog ? withChromiumLog(options.chromiumLog, servedir) : { executablePath: CHROMIUM_EXECUTABLE, args: [] };
  const browser = await chromium.launch({ executablePath: launch.executablePath, args: [...chromiumArgs, ...launch.args] });
  const cpuBefore = cpuTimes();
  const loadBefore = loadavg().map((l) => l.toFixed(2)).join(' ');
  const started = Date.now();
  const records: RunRecord[] = [];
  try {
    const pairs = options.warmup + options.runs;
    for (let pair = 0; pair < pairs; pair++) {
      // Alternating order inside the pairs (kit first, then MatrixCall first) cancels drift and order effects.
      const order: Implementation[] = pair % 2 === 0 ? ['kit', 'sdk'] : ['sdk', 'kit'];
      const warmup = pair < options.warmup;
      for (const implementation of order) {
        const sequence = records.length + 1;
        const result = await runOnce(browser, server.url, implementation, options, sequence);
        records.push({ sequence, pair: pair + 1, warmup, ...result });
        process.stderr.write(`bench: ${String(sequence).padStart(2)}/${pairs * 2} ${warmup ? '(warm-up) ' : ''}${NAMES[implementation].padEnd(10)} ` +
          (result.ok ? `caller ${ms(result.callerMs)} ms, callee ${ms(result.calleeMs)} ms` : `FAILED: ${result.error ?? '?'}`) + '\n');
      }
    }
    const meta: Record<string, string> = {
      Date: new Date().toISOString(),
      Machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? '?'} (nproc ${cpus().length}), ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}`,
      'Load average (1/5/15 min) before / after': `${loadBefore} / ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
      Browser: `Chromium ${browser.version()} (headless, fake camera/mic, camera at ${options.cameraFps === undefined ? 'the fake device\'s default rate' : `${options.cameraFps} fps`}${options.cameraStartMs > 0 ? `, every camera ${options.cameraStartMs} ms slower to open (as a webcam)` : ''}, ${CHROMIUM_EXECUTABLE}); camera and microphone permission granted beforehand on both sides, as for a returning user`,
      Homeserver: `Synapse ${SYNAPSE_VERSION} (sqlite) and coturn on loopback, in the e2e network namespace`,
      Software: `Node ${process.version}, matrix-js-sdk ${sdkVersion()}`,
      Room: options.encrypted ? 'encrypted DM, Rust crypto on both sides' : 'unencrypted DM, no crypto on either side',
      'Wall time': `${Math.round((Date.now() - started) / 1000)} s`,
      'CPU over the run': cpuShares(cpuBefore, cpuTimes()),
    };
    if (options.chromiumLog) addEncoderMarks(records, options.chromiumLog);
    const { markdown, json } = report(records, options, meta);
    const outDir = join(ROOT, 'bench', 'results');
    mkdirSync(outDir, { recursive: true });
    const base = baseName(options);
    writeFileSync(join(outDir, `${base}.md`), markdown);
    writeFileSync(join(outDir, `${base}.json`), `${JSON.stringify(json, null, 1)}\n`);
    process.stdout.write(`\n${markdown}\nbench: wrote bench/results/${base}.md and ${base}.json\n`);
    return records.some((r) => !r.warmup && r.ok) ? 0 : 1;
  } finally {
    await browser.close();
    await server.stop();
    rmSync(servedir, { recursive: true, force: true });
  }
}

interface LogLine { pid: number; t: number; text: string }

/** Chromium's log lines, `[pid:tid:MMDD/HHMMSS.micros:LEVEL:source] text`, stamped in local time without a year. */
function readChromiumLog(path: string, year: number): LogLine[] {
  const lines: LogLine[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^\[(\d+):\d+:(\d\d)(\d\d)\/(\d\d)(\d\d)(\d\d)\.(\d{6}):[^\]]*\] (.*)$/.exec(line);
    if (!match) continue;
    const [, pid, month, day, hours, minutes, seconds, micros, text] = match;
    const t = new Date(year, Number(month) - 1, Number(day), Number(hours), Number(minutes), Number(seconds)).getTime() + Number(micros) / 1000;
    lines.push({ pid: Number(pid), t, text: text ?? '' });
  }
  return lines;
}

/**
 * Adds to each run's timelines what libwebrtc logged in that side's renderer: the video send stream made
 * (the caller's when the answer is applied, the callee's with its answer), the camera frame that sets up the
 * stream's encoder without being sent, and the first frame encoded. A side's renderer is the process that
 * logged its signalling state after the call was placed: have-local-offer for the caller, have-remote-offer
 * for the callee.
 */
function addEncoderMarks(records: RunRecord[], logPath: string): void {
  const placed = records.map((r) => r.t0).filter((t): t is number => t !== undefined);
  if (placed.length === 0) return;
  const log = readChromiumLog(logPath, new Date(placed[0] as number).getFullYear());
  for (const record of records) {
    const { t0, timeline } = record;
    if (t0 === undefined || !timeline) continue;
    const next = Math.min(...placed.filter((t) => t > t0));
    const during = log.filter((line) => line.t >= t0 && line.t < next);
    for (const [side, state] of [['caller', 'New state: have-local-offer'], ['callee', 'New state: have-remote-offer']] as const) {
      const pid = during.find((line) => line.text.includes(state))?.pid;
      const lines = during.filter((line) => line.pid === pid);
      const setUp = lines.find((line) => line.text.startsWith('Video frame parameters changed'));
      if (!setUp) continue;
      const made = lines.filter((line) => line.t <= setUp.t && line.text.startsWith('SetStartBitrate')).at(-1);
      const encoded = lines.find((line) => line.t >= setUp.t && line.text.startsWith('EncodeVideoFrame posted'));
      const marks = [[made, 'send_stream_made'], [setUp, 'encoder_set_up'], [encoded, 'first_frame_encoded']] as const;
      for (const [line, what] of marks) if (line) timeline[side].push({ t: round1(line.t - t0), what });
      timeline[side].sort((x, y) => x.t - y.t);
    }
  }
}

/**
 * Chromium logs libwebrtc (the renderers' too) only to its stderr, which Playwright does not hand on: a
 * wrapper script in `scratchDir` appends it to `logPath`. Level 1 has what explains the first frame: when
 * each video send stream is made (SetStartBitrate), the frame that sets its encoder up (Video frame
 * parameters changed), the bitrate arriving (suspend state), and each frame encoded (EncodeVideoFrame).
 */
function withChromiumLog(logPath: string, scratchDir: string): { executablePath: string; args: string[] } {
  const quote = (text: string): string => `'${text.replaceAll("'", "'\\''")}'`;
  const executablePath = join(scratchDir, 'chromium-with-log.sh');
  writeFileSync(executablePath, `#!/bin/sh\nexec ${quote(CHROMIUM_EXECUTABLE)} "$@" 2>>${quote(logPath)}\n`, { mode: 0o755 });
  return { executablePath, args: ['--enable-logging=stderr', '--vmodule=*/third_party/webrtc/*=1'] };
}

function sdkVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'node_modules', 'matrix-js-sdk', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}
