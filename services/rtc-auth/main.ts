// Entry point of dist/rtc-auth.mjs: environment → configuration → listening server, and a clean stop on
// SIGTERM/SIGINT so a supervisor (systemd, the test stack) never waits on open connections.
import { readFileSync } from 'node:fs';
import { createLogger } from '../shared/log.js';
import { configOrExit, listenOrExit, logUnhandledRejections } from '../shared/process.js';
import { parseConfig } from './config.js';
import { createCsApiClient } from './cs-api.js';
import { DEFAULT_DELEGATION_LIMITS, Delegations } from './delegations.js';
import { createUserInfoFetcher } from './homeserver.js';
import { createRtcAuthServer } from './server.js';
import { createParticipantLister, createRoomCreator, createTokenMinter } from './tokens.js';

const SHUTDOWN_GRACE_MS = 5_000;

const config = configOrExit('rtc-auth', () => parseConfig(process.env, (path) => readFileSync(path, 'utf8')));
const logger = createLogger(config.logLevel);
for (const notice of config.notices) logger.info(notice);

const csApi = createCsApiClient({ overrides: config.csApiOverrides });
const delegations = new Delegations(
  {
    listParticipants: createParticipantLister(config.livekitApiUrl, config.livekitKey, config.livekitSecret),
    delayedEventAction: csApi.delayedEventAction,
    logger,
  },
  { ...DEFAULT_DELEGATION_LIMITS, pollIntervalMs: config.presencePollIntervalMs },
);

const server = createRtcAuthServer(
  { livekitUrl: config.livekitUrl, fullAccess: config.fullAccess },
  {
    fetchUserInfo: createUserInfoFetcher({
      overrides: config.federationOverrides,
      insecureTls: config.insecureSkipVerifyTls,
      logger,
    }),
    mintToken: createTokenMinter(config.livekitKey, config.livekitSecret, config.tokenTtlSeconds),
    createRoom: createRoomCreator(config.livekitApiUrl, config.livekitKey, config.livekitSecret),
    resolveCsApi: csApi.resolve,
    delegations,
    logger,
  },
);

listenOrExit(server, config.bind, { service: 'rtc-auth', variable: 'LIVEKIT_JWT_BIND' }, (url) => {
  logger.info(`listening on ${url}`, {
    livekit: config.livekitUrl,
    fullAccess: config.fullAccess.kind === 'all' ? '*' : config.fullAccess.servers.join(','),
    overrides: [...config.federationOverrides].map(([name, url]) => `${name}=${url}`).join(',') || undefined,
    csApiOverrides: [...config.csApiOverrides].map(([name, url]) => `${name}=${url}`).join(',') || undefined,
    presencePollMs: config.presencePollIntervalMs,
  });
});

let stopping = false;
function stop(signal: string): void {
  if (stopping) return;
  stopping = true;
  logger.info(`${signal}: shutting down`);
  delegations.close();
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  // In-flight requests get a moment to finish (a userinfo call can take seconds), then everything goes.
  setTimeout(() => {
    server.closeAllConnections();
    process.exit(0);
  }, SHUTDOWN_GRACE_MS).unref();
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
logUnhandledRejections(logger);
