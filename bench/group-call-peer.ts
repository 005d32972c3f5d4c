// Group calls, the kit against Element Call's published widget build (@element-hq/element-call-embedded) in the
// same stack, the same Chromium and the same widget host the interop tests use (test/e2e/pages/widget-host.ts,
// Element Web's part reduced to one room). It runs inside the e2e network namespace (bench/run.mjs puts it there)
// and writes bench/results/group-call-peer.{md,json}.
//
//   npm run bench -- group-call-peer [--runs N (10)] [--fault-runs N (5)] [--sizes 2,4,8] [--steady-seconds S (60)]
//                                    [--window-seconds S (30)] [--only join,drop,restart,load | none]
//
// With --only, the measures not run keep their figures from the last results file (each says when it ran);
// --only none runs nothing and writes the report again from that file.
//
// Each side is a call of its own kind: the kit's pages call each other, Element Call's widgets call each other.
// The member already in the call is of the same kind as the one joining, because it is the one that hands the
// newcomer its media key; both rooms are encrypted with per-participant keys.
// - Join: from the click on "Join" in a page already signed in and synced (an app with the kit's session; Element
//   Web with its client, Element Call not loaded yet) to the first frame of the other member shown in a <video>.
//   The kit and Element Call alternate, run by run.
// - Recovery: a kit call and an Element Call call up at once; the SFU link is dropped for 5 s (every packet of
//   LiveKit's signalling port and every media packet), or LiveKit is restarted. The time from the link's return
//   (LiveKit answering again) until each member shows a new frame of the other; a call is back when both do.
// - CPU and memory per participant: N members of one kind in a Chromium of their own, every page in the call and
//   showing the others; CPU over a steady window and the proportional set size (PSS) of all of Chromium's
//   processes, divided by N.
// - Matrix requests per minute of one member of each kind in a steady call (the host page and its widget).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Frame, type Page } from 'playwright-core';
import { ROOT } from '../scripts/stack.mjs';
import { credentialsOf } from '../test/helpers/calls.js';
import { CHROMIUM_ARGS, CHROMIUM_EXECUTABLE } from '../test/helpers/chromium-flags.mjs';
import { matrixRequest } from '../test/helpers/raw-matrix.js';
import { dropSfuLink } from '../test/helpers/sfu-link.js';
import { startService, stopService } from '../test/helpers/stack-process.js';
import { loadStack } from '../test/helpers/stack.js';
import { createRoom, joinRoom, registerUser, type TestUser } from '../test/helpers/synapse.js';
import { median, openCdnBench, PEER_PACKAGE, peerVersion, runsLine, serveStatic, type CdnBench } from './measure.js';

type Kind = 'kit' | 'ec';
type Measure = 'join' | 'drop' | 'restart' | 'load';

interface Options {
  runs: number;
  faultRuns: number;
  sizes: number[];
  /** The steady call in which Matrix requests are counted (before each link drop). */
  steadySeconds: number;
  /** The window over which CPU is measured. */
  windowSeconds: number;
  only: Set<Measure>;
}

function parseArgs(args: string[]): Options {
  const options: Options = { runs: 10, faultRuns: 5, sizes: [2, 4, 8], steadySeconds: 60, windowSeconds: 30, only: new Set(['join', 'drop', 'restart', 'load']) };
  for (let i = 0; i < args.length; i += 2) {
    const [name, text] = [args[i], args[i + 1] ?? ''];
    const value = Number(text);
    if (name === '--runs' && Number.isInteger(value) && value > 0) options.runs = value;
    else if (name === '--fault-runs' && Number.isInteger(value) && value > 0) options.faultRuns = value;
    else if (name === '--steady-seconds' && value > 0) options.steadySeconds = value;
    else if (name === '--window-seconds' && value > 0) options.windowSeconds = value;
    else if (name === '--sizes' && text.split(',').every((size) => Number.isInteger(Number(size)) && Number(size) >= 2)) options.sizes = text.split(',').map(Number);
    else if (name === '--only' && text === 'none') options.only = new Set();
    else if (name === '--only' && text.split(',').every((measure) => ['join', 'drop', 'restart', 'load'].includes(measure))) options.only = new Set(text.split(',') as Measure[]);
    else throw new Error(`unknown option ${name} ${text} (group-call-peer takes --runs N, --fault-runs N, --sizes 2,4,8, --steady-seconds S, --window-seconds S and --only join,drop,restart,load)`);
  }
  return options;
}

const CALL_MEMBER = 'org.matrix.msc3401.call.member';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs in every frame before its own scripts (Element Call's iframe included): notes each poll at which a <video>
 * showing a track received over WebRTC shows a new frame. Both sides are measured by this one probe.
 */
function watchRemoteFrames(pollMs: number): void {
  const Native = window.RTCPeerConnection;
  if (!Native) return;
  const remote = new WeakSet<MediaStreamTrack>();
  window.RTCPeerConnection = class WatchedPeerConnection extends Native {
    constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
      super(...args);
      this.addEventListener('track', (event) => remote.add(event.track));
    }
  };
  const videos = new Map<HTMLVideoElement, { frames: number; advancedAt: number }>();
  const srcObject = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'srcObject')!;
  Object.defineProperty(HTMLMediaElement.prototype, 'srcObject', {
    ...srcObject,
    set(this: HTMLMediaElement, stream: MediaProvider | null) {
      srcObject.set!.call(this, stream);
      if (this instanceof HTMLVideoElement) videos.set(this, { frames: 0, advancedAt: 0 });
    },
  });
  const advances: number[] = [];
  setInterval(() => {
    const now = Date.now();
    let advanced = false;
    for (const [video, seen] of videos) {
      const stream = video.srcObject;
      if (!video.isConnected || !(stream instanceof MediaStream) || !stream.getVideoTracks().some((track) => remote.has(track))) continue;
      // A new source restarts the element's count.
      const frames = video.getVideoPlaybackQuality().totalVideoFrames;
      if (frames > 0 && frames !== seen.frames) {
        advanced = true;
        seen.advancedAt = now;
      }
      seen.frames = frames;
    }
    if (advanced) advances.push(now);
    if (advances.length > 20_000) advances.splice(0, 10_000);
  }, pollMs);
  (window as unknown as { remoteFrames: RemoteFrames }).remoteFrames = {
    firstAfter: (time) => advances.find((at) => at >= time),
    showing: () => [...videos.values()].filter(({ advancedAt }) => advancedAt > Date.now() - 2_000).length,
  };
}

interface RemoteFrames {
  /** The first poll at or after `time` that saw a remote video show a new frame. */
  firstAfter(time: number): number | undefined;
  /** Remote videos that showed a new frame in the last 2 s. */
  showing(): number;
}

/** A member of a call: its page, and the frame where its call runs (Element Call's iframe, or the page). */
interface Member {
  kind: Kind;
  user: TestUser;
  context: BrowserContext;
  page: Page;
}

function callFrame(member: Member): Frame | undefined {
  return member.kind === 'kit' ? member.page.mainFrame() : member.page.frames().find((frame) => frame !== member.page.mainFrame());
}

/** Runs `read` in the member's call frame; undefined while Element Call's iframe is still loading. */
async function probe<T>(member: Member, read: (arg: number) => T | undefined, arg = 0): Promise<T | undefined> {
  try {
    return await callFrame(member)?.evaluate(read, arg);
  } catch {
    return undefined;
  }
}

const firstFrameAfter = (member: Member, time: number): Promise<number | undefined> =>
  probe(member, (after) => (window as unknown as { remoteFrames?: RemoteFrames }).remoteFrames?.firstAfter(after), time);
const videosShowing = async (member: Member): Promise<number> =>
  (await probe(member, () => (window as unknown as { remoteFrames?: RemoteFrames }).remoteFrames?.showing())) ?? 0;

interface Sites {
  bench: CdnBench;
  elementCallUrl: string;
}

/** Opens a page of `kind` signed in and synced as `user`, with Element Call not loaded and the kit not joined. */
async function signedIn(browser: Browser, sites: Sites, kind: Kind, user: TestUser, roomId: string, pollMs: number): Promise<Member> {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'], viewport: { width: 1100, height: 800 } });
  await context.addInitScript(watchRemoteFrames, pollMs);
  const page = await context.newPage();
  if (kind === 'kit') {
    await page.goto(`${sites.bench.siteUrl}index.html`, { waitUntil: 'networkidle' });
    await page.evaluate((credentials) => (window as unknown as { benchSignIn(c: unknown): Promise<void> }).benchSignIn(credentials), credentialsOf(user));
  } else {
    await page.goto(`${sites.bench.harnessUrl}widget-host.html`);
    await page.waitForFunction(() => window.ecHost?.ready === true);
    const { homeserverUrl } = loadStack();
    await page.evaluate((options) => window.ecHost.prepare(options), {
      homeserverUrl, userId: user.userId, accessToken: user.accessToken, deviceId: user.deviceId, roomId, elementCallUrl: sites.elementCallUrl, perParticipantE2EE: true,
    });
  }
  return { kind, user, context, page };
}

/** The click on "Join"; resolves with its time (ms since the epoch, the pages' clock). */
function clickJoin(member: Member, roomId: string): Promise<number> {
  return member.kind === 'kit'
    ? member.page.evaluate((room) => {
      const clickedAt = Date.now();
      void (window as unknown as { benchJoinSignedIn(r: string): Promise<number> }).benchJoinSignedIn(room);
      return clickedAt;
    }, roomId)
    : member.page.evaluate(() => {
      const clickedAt = Date.now();
      void window.ecHost.open();
      return clickedAt;
    });
}

async function leave(member: Member): Promise<void> {
  await (member.kind === 'kit'
    ? member.page.evaluate(() => (window as unknown as { benchCall?: { leave(): Promise<unknown> } }).benchCall?.leave())
    : member.page.evaluate(() => window.ecHost.hangup())).catch(() => undefined);
  await member.context.close().catch(() => undefined);
}

/** Polls until `read` gives a value, or `timeoutMs` passes. */
async function until<T>(read: () => Promise<T | undefined>, timeoutMs: number): Promise<T | undefined> {
  for (const end = Date.now() + timeoutMs; Date.now() < end; await sleep(50)) {
    const value = await read();
    if (value !== undefined) return value;
  }
  return undefined;
}

async function membershipsOf(roomId: string, asUser: TestUser): Promise<string[]> {
  const state = await matrixRequest<{ type: string; state_key: string; content: Record<string, unknown> }[]>(asUser, 'GET', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state`);
  return state.filter((event) => event.type === CALL_MEMBER && Object.keys(event.content).length > 0).map((event) => event.state_key);
}

async function newRoom(names: string[]): Promise<{ roomId: string; users: TestUser[] }> {
  const users = await Promise.all(names.map((displayName) => registerUser({ displayName })));
  const roomId = await createRoom(users[0]!, { name: 'Bench', invite: users.slice(1).map((user) => user.userId), encrypted: true, eventPowerLevels: { [CALL_MEMBER]: 0 } });
  await Promise.all(users.slice(1).map((user) => joinRoom(user, roomId)));
  return { roomId, users };
}

/** Joins every member and waits until each shows a new frame of every other (or `timeoutMs` passes). */
async function joinAll(members: Member[], roomId: string, timeoutMs: number): Promise<{ showing: number[] }> {
  for (const member of members) await clickJoin(member, roomId);
  const others = members.length - 1;
  await until(async () => {
    const showing = await Promise.all(members.map(videosShowing));
    return showing.every((count) => count >= others) ? true : undefined;
  }, timeoutMs);
  return { showing: await Promise.all(members.map(videosShowing)) };
}

// ---- Join time

interface JoinRun { kind: Kind; ok: boolean; error?: string; clickToFirstFrameMs: number }

async function joinRun(browser: Browser, sites: Sites, kind: Kind): Promise<JoinRun> {
  const { roomId, users } = await newRoom(['Anchor', 'Joiner']);
  const members: Member[] = [];
  try {
    const anchor = await signedIn(browser, sites, kind, users[0]!, roomId, 10);
    members.push(anchor);
    await clickJoin(anchor, roomId);
    const anchorKey = `_${users[0]!.userId}_${users[0]!.deviceId}_m.call`;
    if (!(await until(async () => ((await membershipsOf(roomId, users[0]!)).includes(anchorKey) ? true : undefined), 60_000))) throw new Error('the member already in the call never joined');
    // Its membership is in the room; give it the time to publish, the same for both kinds.
    await sleep(3_000);
    const joiner = await signedIn(browser, sites, kind, users[1]!, roomId, 10);
    members.push(joiner);
    const clickedAt = await clickJoin(joiner, roomId);
    const firstFrameAt = await until(() => firstFrameAfter(joiner, clickedAt), 90_000);
    if (firstFrameAt === undefined) throw new Error('no frame of the other member within 90 s');
    return { kind, ok: true, clickToFirstFrameMs: firstFrameAt - clickedAt };
  } catch (error) {
    return { kind, ok: false, error: error instanceof Error ? error.message : String(error), clickToFirstFrameMs: Number.NaN };
  } finally {
    for (const member of members) await leave(member);
  }
}

// ---- Recovery and requests per minute

interface FaultRun {
  fault: 'drop' | 'restart';
  ok: boolean;
  error?: string;
  /** Per kind: ms from the link's return until each member shows a new frame of the other (NaN: not within 90 s). */
  recoveryMs: Record<Kind, number[]>;
  matrixRequestsPerMinute: Record<Kind, number>;
  /** For each kit member that did not come back: what its call said about itself then. */
  notBack?: string[];
}

/** A kit member's call as its snapshot describes it: the phase, and each other member's status and camera. */
function describeKitCall(member: Member): Promise<string> {
  return member.page.evaluate(async () => {
    type Feed = { purpose: string; videoMuted: boolean; stream: MediaStream };
    type Snapshot = { phase: string; participants: { identity: string; status: string; cameraMuted: boolean; feeds: Feed[] }[] };
    type Received = ReadonlyMap<string, { framesDecoded: number }>;
    const call = (window as unknown as { benchCall?: { getSnapshot(): Snapshot; receivedMedia(): Promise<Received> } }).benchCall;
    if (!call) return 'no call';
    const s = call.getSnapshot();
    // Decoded frames tell a picture that never arrives (keys, subscription) from one that is not drawn.
    const decoded = [...(await call.receivedMedia()).values()].map((media) => media.framesDecoded);
    const others = s.participants.map((p) => {
      const camera = p.feeds.find((feed) => feed.purpose === 'm.usermedia');
      const tracks = camera?.stream.getVideoTracks().map((track) => `${track.readyState}${track.muted ? ' muted' : ''}`).join('+') ?? 'no feed';
      return `${p.status}, camera ${p.cameraMuted ? 'off' : 'on'}${camera?.videoMuted ? ' (feed muted)' : ''}, video track ${tracks}`;
    });
    const videos = [...document.querySelectorAll('mx-group-call')].flatMap((el) => [...(el.shadowRoot?.querySelectorAll('video') ?? [])])
      .map((video) => `${video.hidden ? 'hidden' : 'shown'} ${video.paused ? 'paused' : 'playing'} ${video.getVideoPlaybackQuality().totalVideoFrames} frames`);
    return `phase ${s.phase}; others: ${others.join(' | ') || 'none'}; frames decoded from them: ${decoded.join(', ') || 'none'}; videos: ${videos.join(' | ')}`;
  });
}

/** `steadySeconds` 0: no requests are counted. */
async function faultRun(browser: Browser, sites: Sites, fault: 'drop' | 'restart', steadySeconds: number): Promise<FaultRun> {
  const run: FaultRun = { fault, ok: false, recoveryMs: { kit: [], ec: [] }, matrixRequestsPerMinute: { kit: Number.NaN, ec: Number.NaN } };
  const members: Member[] = [];
  try {
    for (const kind of ['kit', 'ec'] as const) {
      const { roomId, users } = await newRoom([`${kind} one`, `${kind} two`]);
      const pair = [await signedIn(browser, sites, kind, users[0]!, roomId, 10), await signedIn(browser, sites, kind, users[1]!, roomId, 10)];
      members.push(...pair);
      const { showing } = await joinAll(pair, roomId, 90_000);
      if (showing.some((count) => count < 1)) throw new Error(`the ${kind} call did not show both members`);
    }
    await sleep(3_000);
    // Matrix requests of one member of each kind in the steady call (its host page and its iframe).
    const { homeserverUrl } = loadStack();
    const counted = members.filter((_, index) => index % 2 === 0);
    const counts = counted.map((member) => {
      const count = { requests: 0 };
      member.page.on('request', (request) => {
        if (request.url().startsWith(homeserverUrl)) count.requests += 1;
      });
      return count;
    });
    await sleep(steadySeconds * 1000);
    if (steadySeconds > 0) {
      counted.forEach((member, index) => {
        run.matrixRequestsPerMinute[member.kind] = (counts[index]!.requests * 60) / steadySeconds;
      });
    }

    let backAt: number;
    if (fault === 'drop') {
      const restore = dropSfuLink();
      await sleep(5_000);
      restore();
      backAt = Date.now();
    } else {
      await stopService('livekit');
      await startService();
      backAt = Date.now();
    }
    const recovered = await Promise.all(members.map((member) => until(() => firstFrameAfter(member, backAt), 90_000)));
    members.forEach((member, index) => run.recoveryMs[member.kind].push(recovered[index] === undefined ? Number.NaN : recovered[index]! - backAt));
    const stuck = members.filter((member, index) => member.kind === 'kit' && recovered[index] === undefined);
    if (stuck.length > 0) run.notBack = await Promise.all(stuck.map(describeKitCall));
    run.ok = true;
    return run;
  } catch (error) {
    run.error = error instanceof Error ? error.message : String(error);
    return run;
  } finally {
    for (const member of members) await leave(member);
  }
}

// ---- CPU and memory per participant

interface LoadRun {
  kind: Kind;
  participants: number;
  ok: boolean;
  error?: string;
  /** Remote videos each page showed moving when the window started (each should show participants - 1). */
  showing: number[];
  /** Chromium's CPU (all its processes) over the window, in cores (1 = one core busy), per participant. */
  cpuCoresPerParticipant: number;
  /** Chromium's PSS (all its processes) at the window's end, per participant. */
  memoryBytesPerParticipant: number;
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

function processTable(): { pid: number; ppid: number; cmdline: string }[] {
  const table: { pid: number; ppid: number; cmdline: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      table.push({ pid: Number(entry), ppid, cmdline: readFileSync(`/proc/${entry}/cmdline`, 'utf8') });
    } catch {
      // The process ended while we read.
    }
  }
  return table;
}

/** The browser process launched with `tag` and all its descendants. */
function chromiumTree(tag: string): number[] {
  const table = processTable();
  const tree = new Set(table.filter(({ cmdline }) => cmdline.includes(tag) && cmdline.includes('--remote-debugging-pipe')).map(({ pid }) => pid));
  for (let grown = true; grown;) {
    grown = false;
    for (const { pid, ppid } of table) {
      if (tree.has(ppid) && !tree.has(pid)) {
        tree.add(pid);
        grown = true;
      }
    }
  }
  return [...tree];
}

function cpuTicks(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
    } catch {
      // Gone: its ticks are lost with it (rare in a steady call).
    }
  }
  return ticks;
}

function pssBytes(pids: number[]): number {
  let kib = 0;
  for (const pid of pids) {
    try {
      const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      kib += Number(match?.[1] ?? 0);
    } catch {
      // Gone.
    }
  }
  return kib * 1024;
}

async function loadRun(sites: Sites, kind: Kind, participants: number, windowSeconds: number): Promise<LoadRun> {
  const run: LoadRun = { kind, participants, ok: false, showing: [], cpuCoresPerParticipant: Number.NaN, memoryBytesPerParticipant: Number.NaN };
  const tag = `--mx-bench-load=${kind}-${participants}-${Date.now()}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM_EXECUTABLE, args: [...CHROMIUM_ARGS, tag] });
  try {
    const { roomId, users } = await newRoom(Array.from({ length: participants }, (_, index) => `${kind} ${index + 1}`));
    const members: Member[] = [];
    for (const user of users) members.push(await signedIn(browser, sites, kind, user, roomId, 500));
    run.showing = (await joinAll(members, roomId, 120_000)).showing;
    await sleep(10_000);
    const pids = chromiumTree(tag);
    if (pids.length === 0) throw new Error('Chromium\'s processes were not found');
    const before = cpuTicks(pids);
    const startedAt = Date.now();
    await sleep(windowSeconds * 1000);
    const seconds = (Date.now() - startedAt) / 1000;
    const pidsAfter = chromiumTree(tag);
    run.cpuCoresPerParticipant = (cpuTicks(pidsAfter) - before) / CLOCK_TICKS / seconds / participants;
    run.memoryBytesPerParticipant = pssBytes(pidsAfter) / participants;
    run.ok = true;
    for (const member of members) await leave(member);
    return run;
  } catch (error) {
    run.error = error instanceof Error ? error.message : String(error);
    return run;
  } finally {
    await browser.close();
  }
}

// ---- The results

const finite = (values: number[]): number[] => values.filter(Number.isFinite);
const ms = (value: number): string => (Number.isFinite(value) ? `${Math.round(value)} ms` : '—');
const ratio = (kit: number, ec: number): string => (Number.isFinite(kit) && Number.isFinite(ec) && ec > 0 ? `${(kit / ec).toFixed(2)}×` : '—');
const verdict = (kit: number, ec: number, target: number): string => {
  if (!Number.isFinite(kit)) return 'not measured';
  if (!Number.isFinite(ec)) return 'met (Element Call did not come back)';
  return kit / ec <= target ? 'met' : 'NOT MET';
};
const range = (values: number[]): string => {
  const kept = finite(values);
  return kept.length === 0 ? '' : ` (${Math.round(Math.min(...kept))}–${Math.round(Math.max(...kept))})`;
};
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

export async function main(args: string[]): Promise<number> {
  const options = parseArgs(args);
  const bench = await openCdnBench('group-call.html', 'define/mx-group-call.js');
  if (!bench) return 1;
  const elementCall = await serveStatic(join(ROOT, 'node_modules', PEER_PACKAGE, 'dist'), 0);
  const sites: Sites = { bench, elementCallUrl: `${elementCall.url}index.html` };
  const say = (line: string): void => {
    process.stderr.write(`bench: ${line}\n`);
  };
  try {
    const joins: JoinRun[] = [];
    if (options.only.has('join')) {
      for (let i = 0; i < options.runs * 2; i++) {
        // Alternating, the kit first in even pairs and Element Call first in odd ones.
        const kind: Kind = (i % 2 === 0) === (Math.floor(i / 2) % 2 === 0) ? 'kit' : 'ec';
        const run = await joinRun(bench.browser, sites, kind);
        joins.push(run);
        say(`join ${i + 1}/${options.runs * 2} ${kind}: ${run.ok ? ms(run.clickToFirstFrameMs) : `FAILED: ${run.error}`}`);
      }
    }
    const faults: FaultRun[] = [];
    for (const fault of ['drop', 'restart'] as const) {
      if (!options.only.has(fault)) continue;
      for (let i = 0; i < options.faultRuns; i++) {
        const run = await faultRun(bench.browser, sites, fault, fault === 'drop' ? options.steadySeconds : 0);
        faults.push(run);
        say(`${fault} ${i + 1}/${options.faultRuns}: ${run.ok ? `kit ${run.recoveryMs.kit.map(ms).join(', ')}; Element Call ${run.recoveryMs.ec.map(ms).join(', ')}; requests/min kit ${run.matrixRequestsPerMinute.kit}, Element Call ${run.matrixRequestsPerMinute.ec}` : `FAILED: ${run.error}`}`);
        for (const said of run.notBack ?? []) say(`  a kit member not back: ${said}`);
      }
    }
    const loads: LoadRun[] = [];
    if (options.only.has('load')) {
      for (const participants of options.sizes) {
        for (const kind of ['kit', 'ec'] as const) {
          const run = await loadRun(sites, kind, participants, options.windowSeconds);
          loads.push(run);
          say(`load ${kind} × ${participants}: ${run.ok ? `${(run.cpuCoresPerParticipant * 100).toFixed(1)} % of a core and ${mib(run.memoryBytesPerParticipant)} per participant, showing ${run.showing.join('/')}` : `FAILED: ${run.error}`}`);
        }
      }
    }
    const outDir = join(ROOT, 'bench', 'results');
    mkdirSync(outDir, { recursive: true });
    const results = merged(join(outDir, 'group-call-peer.json'), options, { joins, faults, loads, measuredAt: {}, wallSeconds: {} }, bench);
    const markdown = report(options, results, bench);
    writeFileSync(join(outDir, 'group-call-peer.md'), markdown);
    writeFileSync(join(outDir, 'group-call-peer.json'), `${JSON.stringify({ peer: { package: PEER_PACKAGE, version: peerVersion() }, options: { ...options, only: [...options.only] }, ...results }, null, 1)}\n`);
    process.stdout.write(`\n${markdown}\nbench: wrote bench/results/group-call-peer.md and group-call-peer.json\n`);
    return 0;
  } finally {
    await elementCall.stop();
    await bench.close();
  }
}

interface Results {
  joins: JoinRun[];
  faults: FaultRun[];
  loads: LoadRun[];
  /** When each measure last ran (ISO time). */
  measuredAt: Partial<Record<Measure, string>>;
  /** The wall time of the run each measure's figures come from. */
  wallSeconds: Partial<Record<Measure, number>>;
}

/** This run's figures, over the last results file's for the measures not run now. */
function merged(file: string, options: Options, now: Results, bench: CdnBench): Results {
  let previous: Results = { joins: [], faults: [], loads: [], measuredAt: {}, wallSeconds: {} };
  try {
    // JSON writes NaN (a call not back, a failed run) as null.
    previous = { ...previous, ...(JSON.parse(readFileSync(file, 'utf8'), (_key, value: unknown) => (value === null ? Number.NaN : value)) as Partial<Results>) };
  } catch {
    // No earlier results: only this run's.
  }
  const ran = (measure: Measure): boolean => options.only.has(measure);
  const result: Results = {
    joins: ran('join') ? now.joins : previous.joins,
    faults: [...(['drop', 'restart'] as const).flatMap((fault) => (ran(fault) ? now.faults : previous.faults).filter((run) => run.fault === fault))],
    loads: ran('load') ? now.loads : previous.loads,
    measuredAt: { ...previous.measuredAt },
    wallSeconds: { ...previous.wallSeconds },
  };
  for (const measure of options.only) {
    result.measuredAt[measure] = new Date().toISOString();
    result.wallSeconds[measure] = Math.round((Date.now() - bench.startedAt) / 1000);
  }
  return result;
}

function report(options: Options, { joins, faults, loads, measuredAt, wallSeconds }: Results, bench: CdnBench): string {
  const joinOf = (kind: Kind) => finite(joins.filter((run) => run.kind === kind && run.ok).map((run) => run.clickToFirstFrameMs));
  // A call is back when both of its members show the other again.
  const recoveryOf = (fault: 'drop' | 'restart', kind: Kind) => faults.filter((run) => run.fault === fault && run.ok).map((run) => Math.max(...run.recoveryMs[kind]));
  const requestsOf = (kind: Kind) => finite(faults.filter((run) => run.ok).map((run) => run.matrixRequestsPerMinute[kind]));
  const lines = [
    `# Group calls: the kit against Element Call (${PEER_PACKAGE} ${peerVersion()})`,
    '',
    '| measure | kit | Element Call | kit ÷ Element Call | target |',
    '|---|---|---|---|---|',
  ];
  if (joins.length > 0) {
    const [kit, ec] = [joinOf('kit'), joinOf('ec')];
    const [kitMedian, ecMedian] = [kit.length ? median(kit) : Number.NaN, ec.length ? median(ec) : Number.NaN];
    lines.push(`| join: click to the other member's first frame shown (median of ${kit.length} and ${ec.length}) | ${ms(kitMedian)}${range(kit)} | ${ms(ecMedian)}${range(ec)} | ${ratio(kitMedian, ecMedian)} | ≤ 0.7×: ${verdict(kitMedian, ecMedian, 0.7)} |`);
  }
  for (const [fault, label] of [['drop', 'SFU link dropped for 5 s'], ['restart', 'LiveKit restarted']] as const) {
    const runs = faults.filter((run) => run.fault === fault);
    if (runs.length === 0) continue;
    const [kit, ec] = [recoveryOf(fault, 'kit'), recoveryOf(fault, 'ec')];
    const notBack = (values: number[]) => values.filter((value) => !Number.isFinite(value)).length;
    const [kitMedian, ecMedian] = [kit.length ? median(kit.map((value) => (Number.isFinite(value) ? value : Infinity))) : Number.NaN, ec.length ? median(ec.map((value) => (Number.isFinite(value) ? value : Infinity))) : Number.NaN];
    // A call of ours that did not come back fails the target, however Element Call did.
    const recoveryVerdict = notBack(kit) > 0 ? `NOT MET (the kit's call was not back in ${notBack(kit)} of ${kit.length})` : verdict(kitMedian, ecMedian, 0.5);
    lines.push(`| recovery, ${label}: until both members show new frames (median of ${kit.length}; calls not back within 90 s: kit ${notBack(kit)}, Element Call ${notBack(ec)}) | ${ms(kitMedian)}${range(kit)} | ${Number.isFinite(ecMedian) ? ms(ecMedian) : 'over 90 s'}${range(ec)} | ${ratio(kitMedian, ecMedian)} | ≤ 0.5×: ${recoveryVerdict} |`);
  }
  if (faults.length > 0) {
    const [kit, ec] = [requestsOf('kit'), requestsOf('ec')];
    const [kitMedian, ecMedian] = [kit.length ? median(kit) : Number.NaN, ec.length ? median(ec) : Number.NaN];
    lines.push(`| Matrix requests per minute of one member in a steady call (${options.steadySeconds} s before each link drop, median of ${kit.length}) | ${kitMedian.toFixed(1)} | ${ecMedian.toFixed(1)} | ${ratio(kitMedian, ecMedian)} | (none) |`);
  }
  for (const participants of [...new Set(loads.map((run) => run.participants))]) {
    const [kit, ec] = (['kit', 'ec'] as const).map((kind) => loads.find((run) => run.kind === kind && run.participants === participants));
    if (!kit || !ec) continue;
    const showing = (run: LoadRun) => (run.ok ? ` (showing ${Math.min(...run.showing)}–${Math.max(...run.showing)} of ${participants - 1})` : ` (failed: ${run.error})`);
    // The CPU and memory of a call showing every video are not comparable with those of a call showing none of
    // them: on a machine too small for N pages, each figure says how busy the machine was, not what a call costs.
    const allMoving = (run: LoadRun) => run.ok && run.showing.length > 0 && Math.min(...run.showing) >= participants - 1;
    const comparable = allMoving(kit) && allMoving(ec);
    const notComparable = 'not comparable: not every remote video was moving (the machine could not keep up; bench/README.md says where the time goes)';
    const cpuVerdict = comparable ? verdict(kit.cpuCoresPerParticipant, ec.cpuCoresPerParticipant, 1) : notComparable;
    const memoryVerdict = comparable ? verdict(kit.memoryBytesPerParticipant, ec.memoryBytesPerParticipant, 1) : notComparable;
    lines.push(`| CPU per participant, ${participants} in one Chromium (${options.windowSeconds} s) | ${(kit.cpuCoresPerParticipant * 100).toFixed(1)} % of a core${showing(kit)} | ${(ec.cpuCoresPerParticipant * 100).toFixed(1)} % of a core${showing(ec)} | ${ratio(kit.cpuCoresPerParticipant, ec.cpuCoresPerParticipant)} | ≤ 1.0×: ${cpuVerdict} |`);
    lines.push(`| memory (PSS) per participant, ${participants} in one Chromium | ${mib(kit.memoryBytesPerParticipant)} | ${mib(ec.memoryBytesPerParticipant)} | ${ratio(kit.memoryBytesPerParticipant, ec.memoryBytesPerParticipant)} | ≤ 1.0×: ${memoryVerdict} |`);
  }
  const failed = [...joins, ...faults, ...loads].filter((run) => !run.ok);
  lines.push(
    '',
    'How: each side is a call of its own kind (kit pages with `<mx-group-call>` from the CDN build; Element Call',
    'in the test widget host, which does what Element Web does for it). Both start signed in and synced, so the',
    'join time is what a user waits for after clicking "Join": for Element Call it includes loading its app into',
    'the iframe, for the kit loading livekit-client and the E2EE worker. A frame counts when a <video> showing a',
    'track received over WebRTC shows a new one (one probe in both, polled every 10 ms). The member already in the',
    'call is of the same kind, since it hands the newcomer its key. Recovery runs a kit call and an Element Call',
    'call at once through the same fault. CPU and memory are all of a dedicated Chromium\'s processes (the host',
    'page\'s Matrix client counts for Element Call, the kit\'s own for the kit), divided by the participants.',
    '',
    ...(failed.length > 0 ? [`Failed runs: ${failed.map((run) => run.error ?? '?').join('; ')}`, ''] : []),
    ...faults.flatMap((run) => (run.notBack ?? []).map((said) => `A kit member not back after the ${run.fault === 'drop' ? 'link drop' : 'LiveKit restart'}: ${said}.`)),
    ...(faults.some((run) => run.notBack?.length) ? [''] : []),
    `Measured (with the wall time of that run): ${Object.entries(measuredAt).map(([measure, at]) => `${measure} ${at}${wallSeconds[measure as Measure] === undefined ? '' : ` (${wallSeconds[measure as Measure]} s)`}`).join(', ')}.`,
    runsLine(joins.length + faults.length + loads.length, failed.length, bench),
    '',
  );
  return lines.join('\n');
}
