// Entry point of dist/visitor.mjs.
//   node visitor.mjs                 runs the service (configured by VISITOR_* variables, see README.md)
//   node visitor.mjs registration    prints the application-service registration YAML for the homeserver
// On SIGTERM/SIGINT it stops taking requests and deactivates every live visitor account before it exits.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { createLogger } from '../shared/log.js';
import { configOrExit, listenOrExit, logUnhandledRejections } from '../shared/process.js';
import { VisitorAccounts } from './accounts.js';
import { parseConfig, parseRegistrationConfig, type VisitorConfig } from './config.js';
import { createHomeserver } from './homeserver.js';
import { RateLimiter } from './rate-limit.js';
import { registrationYaml, visitorUserRegex } from './registration.js';
import { createVisitorServer } from './server.js';
import { StateFile } from './state.js';

const SHUTDOWN_DEADLINE_MS = 20_000;
const SWEEP_INTERVAL_MS = 60_000;

const readText = (path: string) => readFileSync(path, 'utf8');

/** 26 random characters of a-z and 0-9 (about 130 bits): visitor IDs cannot be guessed or enumerated. */
function randomSuffix(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  // 252 = 7 × 36: bytes above it are dropped so every character is equally likely.
  return [...randomBytes(40)].filter((byte) => byte < 252).slice(0, 26).map((byte) => alphabet[byte % 36]).join('');
}

function argument(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}

if (process.argv[2] === 'registration') {
  const args = process.argv.slice(3);
  const config = configOrExit('visitor', () => parseRegistrationConfig(process.env, readText));
  const sender = argument(args, '--sender') ?? 'matrix-call-kit-visitor-service';
  // The guard module restricts every user of the namespace; the service's own user must not be one.
  if (new RegExp(`^${visitorUserRegex(config.localpartPrefix, config.serverName)}$`).test(`@${sender}:${config.serverName}`)) {
    console.error(`visitor: --sender ${sender} is inside the visitor namespace (VISITOR_LOCALPART_PREFIX=${config.localpartPrefix}); choose another`);
    process.exit(1);
  }
  process.stdout.write(registrationYaml({
    id: argument(args, '--id') ?? 'matrix-call-kit-visitors',
    asToken: config.asToken,
    hsToken: config.hsToken ?? randomBytes(32).toString('hex'),
    senderLocalpart: sender,
    localpartPrefix: config.localpartPrefix,
    serverName: config.serverName,
  }));
} else if (process.argv[2] !== undefined) {
  console.error(`visitor: unknown command "${process.argv[2]}"; use no command to run the service, or "registration"`);
  process.exit(2);
} else {
  await serve(configOrExit('visitor', () => parseConfig(process.env, readText)));
}

async function serve(config: VisitorConfig): Promise<void> {
  const logger = createLogger(config.logLevel);
  const homeserver = createHomeserver({ baseUrl: config.homeserverUrl, asToken: config.asToken, fetch });
  const state = new StateFile({
    read: async () => {
      try {
        return await readFile(config.stateFile, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    // A crash mid-write must leave the old file or the new one, never half of one.
    write: async (text) => {
      const temporary = `${config.stateFile}.tmp`;
      await writeFile(temporary, text, { mode: 0o600 });
      await rename(temporary, config.stateFile);
    },
  });
  const accounts = new VisitorAccounts({
    homeserver,
    state,
    logger,
    timers: { now: Date.now, setTimeout: (callback, ms) => setTimeout(callback, ms), clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout) },
    serverName: config.serverName,
    localpartPrefix: config.localpartPrefix,
    displayName: config.displayName,
    lifetimeMs: config.lifetimeMs,
    maxAccounts: config.maxAccounts,
    randomSuffix,
  });
  try {
    await accounts.restore();
  } catch (error) {
    console.error(`visitor: cannot use the state file ${config.stateFile} (VISITOR_STATE_FILE): ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  const rateLimiter = new RateLimiter(config.rateLimit, Date.now);
  const sweeper = setInterval(() => rateLimiter.sweep(), SWEEP_INTERVAL_MS);
  sweeper.unref();

  const server = createVisitorServer(
    {
      clientHomeserverUrl: config.clientHomeserverUrl,
      allowedOrigins: config.allowedOrigins,
      allowedTargets: config.allowedTargets,
      allowedRooms: config.allowedRooms,
      trustedProxies: config.trustedProxies,
    },
    { accounts, homeserver, rateLimiter, logger },
  );

  listenOrExit(server, config.bind, { service: 'visitor', variable: 'VISITOR_BIND' }, (url) => {
    logger.info(`listening on ${url}`, {
      homeserver: config.homeserverUrl,
      origins: [...config.allowedOrigins].join(','),
      targets: [...config.allowedTargets].join(','),
      rooms: [...config.allowedRooms].join(','),
      lifetimeSeconds: config.lifetimeMs / 1000,
      stateFile: config.stateFile,
    });
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: deactivating ${accounts.size} live visitor account(s), then exiting`);
    server.close();
    server.closeIdleConnections();
    // Past the deadline, what is left stays in the state file and the next start deactivates it.
    const deadline = setTimeout(() => {
      logger.warn('shutdown deadline passed; the state file keeps the accounts still live');
      process.exit(0);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    void accounts.stop().then(() => {
      server.closeAllConnections();
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  logUnhandledRejections(logger);
}
