#!/usr/bin/env node
// The local stack: Synapse, livekit-server, coturn, our token service (services/rtc-auth) and our visitor
// service (services/visitor, with its application-service registration and Synapse module), on loopback.
//
//   node scripts/stack.mjs up|down|status|provision|config|reset [--instance NAME]
//
// `provision` installs what is missing into .stack/ (git-ignored); `up` provisions, writes configs from
// scripts/templates/, starts what is not already running and healthy, waits, and prints the endpoints.
// Instances keep separate data and logs (.stack/run/<instance>): `dev` serves `npm start`, `test` runs inside
// the private network namespace of `npm test`, so both can run at once on the same ports.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { createConnection } from 'node:net';
import { existsSync, mkdirSync, readFileSync, writeFileSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const STACK_DIR = resolve(process.env.STACK_DIR ?? join(ROOT, '.stack'));
const TEMPLATES = join(ROOT, 'scripts', 'templates');

export const SYNAPSE_VERSION = '1.163.2';
export const LIVEKIT_VERSION = 'v1.13.5';
const MIN_GO = [1, 26];
const MIN_PYTHON = [3, 10];

export class StackError extends Error {
  /** @param {string} step @param {string} reason @param {string} hint */
  constructor(step, reason, hint) {
    super(`${step}: ${reason}`);
    this.step = step;
    this.reason = reason;
    this.hint = hint;
  }
}

const envInt = (name, fallback) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0 || value > 65535) {
    throw new StackError('configuration', `${name}=${raw} is not a port number`, `set ${name} to a number from 1 to 65535`);
  }
  return value;
};

/** Everything an instance is: ports, secrets, folders and the URLs clients use. */
export function stackConfig(instance = 'dev') {
  if (!/^[a-z0-9-]+$/.test(instance)) {
    throw new StackError('configuration', `instance name "${instance}" is not [a-z0-9-]+`, 'use a simple name such as dev or test');
  }
  const synapsePort = envInt('SYNAPSE_PORT', 8008);
  const livekitPort = envInt('LIVEKIT_PORT', 7880);
  const rtcAuthPort = envInt('RTC_AUTH_PORT', 8090);
  const turnPort = envInt('TURN_PORT', 3478);
  const visitorPort = envInt('VISITOR_PORT', 8091);
  const runDir = join(STACK_DIR, 'run', instance);
  const serverName = process.env.SYNAPSE_SERVER_NAME ?? 'localhost';
  // The pages that show the call button: the demo, the e2e pages, the benchmark pages; more with
  // STACK_VISITOR_ORIGINS (comma separated).
  const pagePorts = [envInt('DEMO_PORT', 8080), envInt('E2E_PAGE_PORT', 8100), envInt('BENCH_PAGE_PORT', 8101)];
  const visitorOrigins = [
    ...pagePorts.flatMap((port) => [`http://127.0.0.1:${port}`, `http://localhost:${port}`]),
    ...(process.env.STACK_VISITOR_ORIGINS ?? '').split(',').map((origin) => origin.trim()).filter((origin) => origin !== ''),
  ];
  return {
    instance,
    stackDir: STACK_DIR,
    runDir,
    logDir: join(runDir, 'logs'),
    serverName,
    synapsePort,
    livekitPort,
    livekitTcpPort: envInt('LIVEKIT_TCP_PORT', 7881),
    livekitUdpPort: envInt('LIVEKIT_UDP_PORT', 7882),
    rtcAuthPort,
    turnPort,
    visitorPort,
    visitorAsToken: 'matrix-call-kit-local-only-visitor-as-token',
    visitorHsToken: 'matrix-call-kit-local-only-visitor-hs-token',
    visitorLocalpartPrefix: 'visitor-',
    // The stack makes this user (see ensureVisitorTarget), so a call button on the demo or test pages rings someone.
    visitorTarget: { localpart: 'support', password: 'support-local-only-password' },
    visitorTargets: [`@support:${serverName}`],
    // A public, encrypted room @support makes (see ensureVisitorRoom), whose group call visitors may join.
    visitorRoomAlias: `#visitor-call:${serverName}`,
    visitorOrigins,
    registrationSharedSecret: 'matrix-call-kit-local-only-registration-secret',
    turnSecret: 'matrix-call-kit-local-only-turn-secret',
    livekitKey: 'devkey',
    livekitSecret: 'matrix-call-kit-local-only-livekit-secret-0123456789',
    homeserverUrl: `http://127.0.0.1:${synapsePort}`,
    livekitUrl: `ws://127.0.0.1:${livekitPort}`,
    rtcAuthUrl: `http://127.0.0.1:${rtcAuthPort}`,
    visitorUrl: `http://127.0.0.1:${visitorPort}`,
    turnUri: `turn:127.0.0.1:${turnPort}`,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Provisioning

const log = (message) => process.stderr.write(`stack: ${message}\n`);

function which(command) {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

function versionAtLeast(actual, wanted) {
  for (let i = 0; i < wanted.length; i++) {
    if ((actual[i] ?? 0) > wanted[i]) return true;
    if ((actual[i] ?? 0) < wanted[i]) return false;
  }
  return true;
}

function run(step, command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
  if (result.error) throw new StackError(step, `${command} could not start: ${result.error.message}`, options.hint ?? '');
  if (result.status !== 0) {
    const tail = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new StackError(step, `${command} ${args.join(' ')} exited with ${result.status}\n${tail}`, options.hint ?? '');
  }
  return result.stdout;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;
let aptUpdated = false;

/** Installs Debian packages when we are root on a Debian-like machine; otherwise says what to do. */
function aptInstall(step, packages, hint) {
  if (!isRoot() || !which('apt-get')) {
    throw new StackError(step, `${packages.join(', ')} not installed`, hint);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    log(`apt-get update (for ${packages.join(', ')})`);
    run(step, 'apt-get', ['update'], { env, hint });
    aptUpdated = true;
  }
  log(`apt-get install ${packages.join(' ')}`);
  run(step, 'apt-get', ['install', '-y', ...packages], { env, hint });
}

function provisionSynapse() {
  if (process.env.SYNAPSE_BIN) return checkBinary('synapse', process.env.SYNAPSE_BIN, 'SYNAPSE_BIN');
  const venv = join(STACK_DIR, 'venv-synapse');
  const bin = join(venv, 'bin', 'synapse_homeserver');
  const marker = join(venv, `.matrix-synapse-${SYNAPSE_VERSION}`);
  if (existsSync(bin) && existsSync(marker)) return bin;
  const hint = `install Python ${MIN_PYTHON.join('.')}+ with venv (Debian: apt-get install python3-venv) or set SYNAPSE_BIN to a synapse_homeserver executable`;
  const python = process.env.PYTHON ?? which('python3');
  if (!python) throw new StackError('synapse', 'python3 not found', hint);
  const version = run('synapse', python, ['-c', 'import sys; print(sys.version_info[0], sys.version_info[1])'], { hint })
    .trim().split(' ').map(Number);
  if (!versionAtLeast(version, MIN_PYTHON)) {
    throw new StackError('synapse', `python3 is ${version.join('.')}, Synapse needs ${MIN_PYTHON.join('.')}+`, hint);
  }
  log(`installing matrix-synapse ${SYNAPSE_VERSION} into ${venv} (pip, a few minutes on first use)`);
  if (!existsSync(join(venv, 'bin', 'pip'))) run('synapse', python, ['-m', 'venv', venv], { hint });
  run('synapse', join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', `matrix-synapse==${SYNAPSE_VERSION}`], {
    hint: 'check that PyPI is reachable, or set SYNAPSE_BIN to an existing synapse_homeserver',
  });
  writeFileSync(marker, `${new Date().toISOString()}\n`);
  return bin;
}

/**
 * livekit-server's binary and a config of the stack's form on other ports, for a test that needs a second SFU
 * (multi-SFU calls) beside the stack's.
 */
export function secondLivekit({ dir, port, tcpPort, udpPort }) {
  const config = stackConfig(process.env.STACK_INSTANCE ?? 'dev');
  const file = join(dir, 'livekit.yaml');
  writeFileSync(file, render('livekit.yaml', {
    LIVEKIT_PORT: port, LIVEKIT_TCP_PORT: tcpPort, LIVEKIT_UDP_PORT: udpPort,
    LIVEKIT_KEY: config.livekitKey, LIVEKIT_SECRET: config.livekitSecret, TURN_PORT: config.turnPort,
  }));
  return { bin: provisionLivekit(), args: ['--config', file] };
}

function provisionLivekit() {
  if (process.env.LIVEKIT_BIN) return checkBinary('livekit-server', process.env.LIVEKIT_BIN, 'LIVEKIT_BIN');
  const bin = join(STACK_DIR, 'bin', 'livekit-server');
  const marker = join(STACK_DIR, 'bin', `.livekit-server-${LIVEKIT_VERSION}`);
  if (existsSync(bin) && existsSync(marker)) return bin;
  const hint = `install Go ${MIN_GO.join('.')}+ or set LIVEKIT_BIN to a livekit-server ${LIVEKIT_VERSION} binary`;
  const go = which('go');
  if (!go) throw new StackError('livekit-server', 'go not found', hint);
  const goVersion = run('livekit-server', go, ['env', 'GOVERSION'], { hint }).trim();
  const parsed = /go(\d+)\.(\d+)/.exec(goVersion);
  if (!parsed || !versionAtLeast([Number(parsed[1]), Number(parsed[2])], MIN_GO)) {
    throw new StackError('livekit-server', `${goVersion} is older than go${MIN_GO.join('.')}`, hint);
  }
  mkdirSync(dirname(bin), { recursive: true });
  log(`building livekit-server ${LIVEKIT_VERSION} with go install (several minutes on first use)`);
  run('livekit-server', go, ['install', `github.com/livekit/livekit-server/cmd/server@${LIVEKIT_VERSION}`], {
    env: { ...process.env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0', GOBIN: dirname(bin) },
    hint: 'check that the Go module proxy is reachable, or set LIVEKIT_BIN',
  });
  renameSync(join(dirname(bin), 'server'), bin);
  writeFileSync(marker, `${new Date().toISOString()}\n`);
  return bin;
}

function provisionCoturn() {
  if (process.env.TURNSERVER_BIN) return checkBinary('coturn', process.env.TURNSERVER_BIN, 'TURNSERVER_BIN');
  const found = which('turnserver');
  if (found) return found;
  aptInstall('coturn', ['coturn'], 'install coturn (Debian/Ubuntu: apt-get install coturn) or set TURNSERVER_BIN');
  return which('turnserver') ?? '/usr/bin/turnserver';
}

export function chromiumPath() {
  return process.env.CHROMIUM_BIN ?? which('chromium') ?? which('chromium-browser') ?? '/usr/bin/chromium';
}

function provisionChromium() {
  if (process.env.CHROMIUM_BIN) return checkBinary('chromium', process.env.CHROMIUM_BIN, 'CHROMIUM_BIN');
  const found = which('chromium') ?? which('chromium-browser');
  if (found) return found;
  aptInstall('chromium', ['chromium'], 'install Chromium (Debian: apt-get install chromium) or set CHROMIUM_BIN');
  return chromiumPath();
}

function provisionRtcAuth() {
  run('rtc-auth', process.execPath, [join(ROOT, 'scripts', 'build-rtc-auth.mjs')], {
    hint: 'run npm install first; the token service is bundled with esbuild',
  });
  return join(ROOT, 'dist', 'rtc-auth.mjs');
}

function provisionVisitor() {
  run('visitor', process.execPath, [join(ROOT, 'scripts', 'build-visitor.mjs')], {
    hint: 'run npm install first; the visitor service is bundled with esbuild',
  });
  return join(ROOT, 'dist', 'visitor.mjs');
}

function checkBinary(step, path, variable) {
  if (!existsSync(path)) throw new StackError(step, `${variable}=${path} does not exist`, `unset ${variable} or point it at the binary`);
  return path;
}

/** Installs everything the stack and the browser tests need; quick when all is there already. */
export function provision({ withChromium = true } = {}) {
  mkdirSync(STACK_DIR, { recursive: true });
  const bins = {
    turnserver: provisionCoturn(),
    livekit: provisionLivekit(),
    synapse: provisionSynapse(),
    rtcAuth: provisionRtcAuth(),
    visitor: provisionVisitor(),
  };
  if (withChromium) bins.chromium = provisionChromium();
  return bins;
}

// ---------------------------------------------------------------------------------------------------------
// Configs, processes, health

function render(templateName, values) {
  const text = readFileSync(join(TEMPLATES, templateName), 'utf8');
  return text.replace(/\$\{([A-Z_]+)\}/g, (_, key) => {
    if (!(key in values)) throw new StackError('configuration', `template ${templateName} uses unknown \${${key}}`, 'fix the template');
    return String(values[key]);
  });
}

// The same namespace as services/visitor/registration.ts writes into the registration.
const escapeRegex = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The visitor service's environment, shared by the running service and its `registration` command. */
function visitorEnv(config) {
  return {
    VISITOR_HOMESERVER_URL: config.homeserverUrl,
    VISITOR_SERVER_NAME: config.serverName,
    VISITOR_AS_TOKEN: config.visitorAsToken,
    VISITOR_HS_TOKEN: config.visitorHsToken,
    VISITOR_LOCALPART_PREFIX: config.visitorLocalpartPrefix,
    VISITOR_ALLOWED_ORIGINS: config.visitorOrigins.join(','),
    VISITOR_ALLOWED_TARGETS: config.visitorTargets.join(','),
    VISITOR_ALLOWED_ROOMS: config.visitorRoomAlias,
    VISITOR_DISPLAY_NAME: 'Visitor (local stack)',
    VISITOR_BIND: `127.0.0.1:${config.visitorPort}`,
    VISITOR_STATE_FILE: join(config.runDir, 'visitor-state.json'),
    // Every page and test comes from 127.0.0.1: the stack's instance must not throttle them; the e2e test of
    // the limit starts its own instance.
    VISITOR_RATE_BURST: '10000',
    VISITOR_RATE_REFILL_SECONDS: '1',
    VISITOR_MAX_ACCOUNTS: '1000',
  };
}

const visitorRegistrationPath = (config) => join(config.runDir, 'visitor-registration.yaml');

function writeConfigs(config, visitorBundle) {
  const dataDir = join(config.runDir, 'synapse');
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(config.logDir, { recursive: true });
  // Written by the service's own `registration` command, as a deployer would.
  const registration = run('visitor', process.execPath, [visitorBundle, 'registration', '--id', 'matrix-call-kit-visitors'], {
    env: { ...process.env, ...visitorEnv(config) },
    hint: 'node scripts/build-visitor.mjs must have built dist/visitor.mjs',
  });
  writeFileSync(visitorRegistrationPath(config), registration);
  const values = {
    SERVER_NAME: config.serverName,
    SYNAPSE_PORT: config.synapsePort,
    DATA_DIR: dataDir,
    REGISTRATION_SHARED_SECRET: config.registrationSharedSecret,
    RTC_AUTH_URL: config.rtcAuthUrl,
    TURN_PORT: config.turnPort,
    TURN_SECRET: config.turnSecret,
    LIVEKIT_PORT: config.livekitPort,
    LIVEKIT_TCP_PORT: config.livekitTcpPort,
    LIVEKIT_UDP_PORT: config.livekitUdpPort,
    LIVEKIT_KEY: config.livekitKey,
    LIVEKIT_SECRET: config.livekitSecret,
    SYNAPSE_LOG_LEVEL: process.env.SYNAPSE_LOG_LEVEL ?? 'WARNING',
    VISITOR_REGISTRATION_FILE: visitorRegistrationPath(config),
    VISITOR_USER_REGEX_JSON: JSON.stringify(`@${escapeRegex(config.visitorLocalpartPrefix)}[a-z0-9]+:${escapeRegex(config.serverName)}`),
    VISITOR_TARGETS_JSON: JSON.stringify(config.visitorTargets),
    VISITOR_ROOMS_JSON: JSON.stringify([config.visitorRoomAlias]),
  };
  writeFileSync(join(config.runDir, 'homeserver.yaml'), render('homeserver.yaml', values));
  writeFileSync(join(dataDir, 'log.config'), render('synapse-log.config', values));
  writeFileSync(join(config.runDir, 'livekit.yaml'), render('livekit.yaml', values));
}

/** For what only names, checks or stops the services: no binary is looked up. */
const NOT_STARTING = { turnserver: '', livekit: '', synapse: '', rtcAuth: '', visitor: '' };

const VISITOR_MODULE_DIR = join(ROOT, 'services', 'visitor', 'synapse');

/** Synapse restarts when its configuration or the visitor module changed (both are read at start only). */
function synapseFingerprint(config) {
  const hash = createHash('sha256');
  for (const file of [join(config.runDir, 'homeserver.yaml'), visitorRegistrationPath(config), join(VISITOR_MODULE_DIR, 'mx_visitor_guard.py')]) {
    hash.update(existsSync(file) ? readFileSync(file) : '');
  }
  return hash.digest('hex');
}

function services(config, bins) {
  return [
    {
      name: 'coturn',
      command: bins.turnserver,
      args: [
        '-n', '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${config.turnPort}`,
        '--min-port=49160', '--max-port=49200', '--use-auth-secret', `--static-auth-secret=${config.turnSecret}`,
        `--realm=${config.serverName}`, '--allow-loopback-peers', '--no-cli', '--no-tls', '--no-dtls',
        '--log-file=stdout', '--simple-log', `--pidfile=${join(config.runDir, 'turnserver.pid')}`,
      ],
      healthy: () => tcpOpen(config.turnPort),
      endpoint: `${config.turnUri} (udp and tcp)`,
    },
    {
      name: 'livekit',
      command: bins.livekit,
      args: ['--config', join(config.runDir, 'livekit.yaml')],
      healthy: () => httpOk(`http://127.0.0.1:${config.livekitPort}/`),
      endpoint: `${config.livekitUrl} (ICE tcp ${config.livekitTcpPort}, udp ${config.livekitUdpPort})`,
    },
    {
      name: 'synapse',
      command: bins.synapse,
      args: ['-c', join(config.runDir, 'homeserver.yaml')],
      cwd: join(config.runDir, 'synapse'),
      // The visitor guard module is a plain file loaded from its folder: nothing to pip install.
      env: { PYTHONPATH: [VISITOR_MODULE_DIR, process.env.PYTHONPATH].filter(Boolean).join(':') },
      healthy: () => httpOk(`${config.homeserverUrl}/health`),
      endpoint: `${config.homeserverUrl} (server name ${config.serverName})`,
      fingerprint: () => synapseFingerprint(config),
      // First start migrates an empty database: slow on two cores.
      startTimeoutMs: 240_000,
    },
    {
      name: 'rtc-auth',
      command: process.execPath,
      args: [bins.rtcAuth],
      env: {
        LIVEKIT_URL: config.livekitUrl,
        LIVEKIT_KEY: config.livekitKey,
        LIVEKIT_SECRET: config.livekitSecret,
        LIVEKIT_FULL_ACCESS_HOMESERVERS: '*',
        LIVEKIT_JWT_BIND: `127.0.0.1:${config.rtcAuthPort}`,
        LIVEKIT_FEDERATION_API_URL_OVERRIDES: `${config.serverName}=${config.homeserverUrl}`,
        // Where it restarts and sends delayed leave events it takes over (localhost has no .well-known).
        LIVEKIT_CS_API_URL_OVERRIDES: `${config.serverName}=${config.homeserverUrl}`,
      },
      healthy: () => httpOk(`${config.rtcAuthUrl}/healthz`),
      endpoint: config.rtcAuthUrl,
      // A rebuilt bundle replaces a running service started from an older one.
      fingerprint: () => (bins.rtcAuth && existsSync(bins.rtcAuth) ? String(statSync(bins.rtcAuth).mtimeMs) : ''),
    },
    {
      name: 'visitor',
      command: process.execPath,
      args: [bins.visitor],
      env: visitorEnv(config),
      healthy: () => httpOk(`${config.visitorUrl}/healthz`),
      endpoint: `${config.visitorUrl} (targets ${config.visitorTargets.join(', ')})`,
      fingerprint: () => (bins.visitor && existsSync(bins.visitor) ? String(statSync(bins.visitor).mtimeMs) : ''),
    },
  ];
}

function tcpOpen(port) {
  return new Promise((resolvePromise) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok) => { socket.destroy(); resolvePromise(ok); };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(1000, () => done(false));
  });
}

async function httpOk(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return response.ok;
  } catch {
    return false;
  }
}

const pidFile = (config, name) => join(config.runDir, `${name}.stack-pid`);

function alivePid(config, name) {
  const file = pidFile(config, name);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8'));
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function logTail(path, lines = 20) {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

const fingerprintFile = (config, name) => join(config.runDir, `${name}.stack-fingerprint`);

function sameBuild(config, service) {
  if (!service.fingerprint) return true;
  const file = fingerprintFile(config, service.name);
  return existsSync(file) && readFileSync(file, 'utf8') === service.fingerprint();
}

async function startService(config, service) {
  const pid = alivePid(config, service.name);
  if (pid !== undefined && sameBuild(config, service) && (await service.healthy())) return { reused: true };
  if (pid === undefined && (await service.healthy())) {
    throw new StackError(service.name, `something else already answers on its port (${service.endpoint})`,
      `stop it, or move this stack with the *_PORT variables (see README)`);
  }
  if (pid !== undefined) await stopPid(pid);
  const logPath = join(config.logDir, `${service.name}.log`);
  const out = openSync(logPath, 'a');
  const child = spawn(service.command, service.args, {
    cwd: service.cwd ?? config.runDir,
    env: { ...process.env, ...service.env },
    stdio: ['ignore', out, out],
    detached: true,
  });
  let exited;
  child.once('exit', (code, signal) => { exited = signal ?? `exit code ${code}`; });
  child.once('error', (error) => { exited = error.message; });
  child.unref();
  writeFileSync(pidFile(config, service.name), String(child.pid));
  if (service.fingerprint) writeFileSync(fingerprintFile(config, service.name), service.fingerprint());
  const deadline = Date.now() + (service.startTimeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (exited) {
      throw new StackError(service.name, `stopped while starting (${exited}); last lines of ${logPath}:\n${logTail(logPath)}`,
        `read ${logPath}`);
    }
    if (await service.healthy()) return { reused: false };
    await sleep(250);
  }
  throw new StackError(service.name, `not healthy after ${(service.startTimeoutMs ?? 60_000) / 1000}s; last lines of ${logPath}:\n${logTail(logPath)}`,
    `read ${logPath}`);
}

async function stopPid(pid) {
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    try { process.kill(pid, 'SIGTERM'); } catch { return; }
  }
  for (let i = 0; i < 40; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await sleep(250);
  }
  try { process.kill(-pid, 'SIGKILL'); } catch { /* already gone */ }
}

/** A client-server API call of the stack's own set-up; answers the status and the JSON body (empty if none). */
async function homeserverCall(config, method, path, { token, body } = {}) {
  const response = await fetch(`${config.homeserverUrl}${path}`, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, json: await response.json().catch(() => ({})) };
}

/** Runs `use` with an access token of the visitors' target, logged in with the stack's password, then logs out. */
async function asVisitorTarget(config, use) {
  const { localpart, password } = config.visitorTarget;
  const login = await homeserverCall(config, 'POST', '/_matrix/client/v3/login',
    { body: { type: 'm.login.password', identifier: { type: 'm.id.user', user: localpart }, password } });
  if (login.status !== 200) {
    // The tests and the demo sign in with the stack's password, so it must be that one.
    throw new StackError('visitor', `@${localpart} cannot log in with the stack's password (${login.status} ${login.json.errcode ?? ''})`,
      `remove the instance's data: node scripts/stack.mjs reset --instance ${config.instance}`);
  }
  try {
    return await use(login.json.access_token);
  } finally {
    await homeserverCall(config, 'POST', '/_matrix/client/v3/logout', { token: login.json.access_token });
  }
}

/** Registers the visitor service's allowed target through the shared-secret admin API; an existing one is kept. */
async function ensureVisitorTarget(config) {
  const { localpart, password } = config.visitorTarget;
  const hint = `read ${join(config.logDir, 'synapse.log')}`;
  try {
    const { json: { nonce } } = await homeserverCall(config, 'GET', '/_synapse/admin/v1/register');
    const mac = createHmac('sha1', config.registrationSharedSecret).update(`${nonce}\0${localpart}\0${password}\0notadmin`).digest('hex');
    const registered = await homeserverCall(config, 'POST', '/_synapse/admin/v1/register',
      { body: { nonce, username: localpart, password, admin: false, displayname: 'Support (local stack)', mac } });
    if (registered.status === 200) return;
    if (registered.json.errcode !== 'M_USER_IN_USE') {
      throw new StackError('visitor', `cannot register the visitors' target @${localpart}: ${registered.status} ${JSON.stringify(registered.json)}`, hint);
    }
    // It exists: make sure the stack's password still signs it in.
    await asVisitorTarget(config, async () => undefined);
  } catch (error) {
    if (error instanceof StackError) throw error;
    throw new StackError('visitor', `cannot register the visitors' target @${localpart}: ${error instanceof Error ? error.message : String(error)}`, hint);
  }
}

/**
 * Makes sure the room visitors may join exists: public, encrypted, and letting members (power level 0) send
 * their call membership, as a room for a site's visitors must (services/visitor/README.md).
 */
async function ensureVisitorRoom(config) {
  const alias = config.visitorRoomAlias;
  try {
    const found = await homeserverCall(config, 'GET', `/_matrix/client/v3/directory/room/${encodeURIComponent(alias)}`);
    if (found.status === 200) return;
    await asVisitorTarget(config, async (token) => {
      const created = await homeserverCall(config, 'POST', '/_matrix/client/v3/createRoom', {
        token,
        body: {
          preset: 'public_chat',
          room_alias_name: alias.slice(1, alias.indexOf(':')),
          name: 'Visitor call (local stack)',
          initial_state: [{ type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } }],
          power_level_content_override: { events: { 'org.matrix.msc3401.call.member': 0 } },
        },
      });
      if (created.status !== 200) throw new Error(`creating it answered ${created.status} ${JSON.stringify(created.json)}`);
    });
  } catch (error) {
    if (error instanceof StackError) throw error;
    throw new StackError('visitor', `cannot make the visitors' room ${alias}: ${error instanceof Error ? error.message : String(error)}`,
      `read ${join(config.logDir, 'synapse.log')}`);
  }
}

/** Starts the stack (provisioning first) and returns its endpoints; reuses services that are already healthy. */
export async function up(instance = 'dev', { quiet = false } = {}) {
  const config = stackConfig(instance);
  const bins = provision({ withChromium: instance === 'test' });
  writeConfigs(config, bins.visitor);
  for (const service of services(config, bins)) {
    const { reused } = await startService(config, service);
    if (!quiet) log(`${service.name.padEnd(9)} ${reused ? 'already running' : 'started'}  ${service.endpoint}`);
  }
  await ensureVisitorTarget(config);
  await ensureVisitorRoom(config);
  const endpoints = {
    instance,
    serverName: config.serverName,
    homeserverUrl: config.homeserverUrl,
    livekitUrl: config.livekitUrl,
    rtcAuthUrl: config.rtcAuthUrl,
    visitorUrl: config.visitorUrl,
    visitorTargets: config.visitorTargets,
    visitorTargetPassword: config.visitorTarget.password,
    visitorRoomAlias: config.visitorRoomAlias,
    visitorAsToken: config.visitorAsToken,
    visitorLocalpartPrefix: config.visitorLocalpartPrefix,
    turnUris: [`${config.turnUri}?transport=udp`, `${config.turnUri}?transport=tcp`],
    registrationSharedSecret: config.registrationSharedSecret,
    livekitKey: config.livekitKey,
    livekitSecret: config.livekitSecret,
    logDir: config.logDir,
  };
  writeFileSync(join(config.runDir, 'stack.json'), `${JSON.stringify(endpoints, null, 2)}\n`);
  return endpoints;
}

export async function down(instance = 'dev') {
  const config = stackConfig(instance);
  for (const service of services(config, NOT_STARTING).reverse()) {
    const pid = alivePid(config, service.name);
    if (pid !== undefined) {
      await stopPid(pid);
      log(`${service.name.padEnd(9)} stopped`);
    }
    rmSync(pidFile(config, service.name), { force: true });
  }
}

export async function status(instance = 'dev') {
  const config = stackConfig(instance);
  const rows = [];
  for (const service of services(config, NOT_STARTING)) {
    const pid = alivePid(config, service.name);
    const healthy = await service.healthy();
    rows.push({ name: service.name, pid, healthy, endpoint: service.endpoint });
  }
  return rows;
}

/**
 * Removes an instance's data (the database, media and logs), for a clean start. Refuses while any of the
 * instance's services runs: their files would go from under them, and whoever started them is still using them.
 */
export function reset(instance) {
  const config = stackConfig(instance);
  const running = services(config, NOT_STARTING)
    .filter((service) => alivePid(config, service.name) !== undefined)
    .map((service) => service.name);
  if (running.length > 0) {
    throw new StackError('reset', `instance "${instance}" is running (${running.join(', ')})`,
      `wait for what uses it to finish, or stop it: node scripts/stack.mjs down --instance ${instance}`);
  }
  if (existsSync(config.runDir) && statSync(config.runDir).isDirectory()) rmSync(config.runDir, { recursive: true, force: true });
}

export function describeError(error) {
  if (error instanceof StackError) {
    return `stack: ${error.step} failed: ${error.reason}${error.hint ? `\n  what to do: ${error.hint}` : ''}`;
  }
  return `stack: ${error instanceof Error ? error.stack : String(error)}`;
}

async function main(argv) {
  const [command = 'status', ...rest] = argv;
  const instanceFlag = rest.indexOf('--instance');
  const instance = instanceFlag >= 0 ? rest[instanceFlag + 1] : (process.env.STACK_INSTANCE ?? 'dev');
  switch (command) {
    case 'provision':
      provision();
      log('everything is installed');
      return 0;
    case 'up': {
      const endpoints = await up(instance);
      process.stdout.write(
        `\nmatrix-call-kit stack "${instance}" is up:\n` +
        `  homeserver   ${endpoints.homeserverUrl}  (server name ${endpoints.serverName})\n` +
        `  LiveKit      ${endpoints.livekitUrl}\n` +
        `  token svc    ${endpoints.rtcAuthUrl}  (POST /sfu/get, POST /get_token)\n` +
        `  visitor svc  ${endpoints.visitorUrl}  (POST /visitor/session; target ${endpoints.visitorTargets.join(', ')}, password ${endpoints.visitorTargetPassword}; room ${endpoints.visitorRoomAlias})\n` +
        `  TURN         ${endpoints.turnUris.join(', ')}\n` +
        `  logs         ${endpoints.logDir}\n`);
      return 0;
    }
    case 'down':
      await down(instance);
      return 0;
    case 'config': {
      const config = stackConfig(instance);
      writeConfigs(config, provisionVisitor());
      log(`wrote ${join(config.runDir, 'homeserver.yaml')}, ${visitorRegistrationPath(config)} and ${join(config.runDir, 'livekit.yaml')}`);
      return 0;
    }
    case 'status': {
      let allHealthy = true;
      for (const row of await status(instance)) {
        allHealthy &&= row.healthy;
        const state = row.healthy ? 'healthy' : row.pid ? 'running, not healthy' : 'stopped';
        process.stdout.write(`${row.name.padEnd(9)} ${state.padEnd(21)} ${row.endpoint}\n`);
      }
      return allHealthy ? 0 : 1;
    }
    case 'reset':
      await down(instance);
      reset(instance);
      log(`removed the data of instance "${instance}"`);
      return 0;
    default:
      process.stderr.write('usage: node scripts/stack.mjs up|down|status|provision|config|reset [--instance NAME]\n');
      return 2;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (error) => {
      process.stderr.write(`${describeError(error)}\n`);
      process.exitCode = 1;
    });
}

