// Entry point of dist/rtc-auth.mjs: environment → configuration → listening server, and a clean stop on
// SIGTERM/SIGINT so a supervisor (systemd, the test stack) never waits on open connections.
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { ConfigError, parseConfig, type RtcAuthConfig } from './config.js';
import { createUserInfoFetcher } from './homeserver.js';
import { createLogger } from './log.js';
import { createRtcAuthServer } from './server.js';
import { createRoomCreator, createTokenMinter } from './tokens.js';

const SHUTDOWN_GRACE_MS = 5_000;

function loadConfig(): RtcAuthConfig {
  try {
    return parseConfig(process.env, (path) => readFileSync(path, 'utf8'));
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`rtc-auth: configuration error: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}

const config = loadConfig();
const logger = createLogger(config.logLevel);
for (const notice of config.notices) logger.info(notice);

const server = createRtcAuthServer(
  { livekitUrl: config.livekitUrl, fullAccess: config.fullAccess },
  {
    fetchUserInfo: createUserInfoFetcher({
      overrides: config.federationOverrides,
      insecureTls: config.insecureSkipVerifyTls,
      logger,
    }),
    mintToken: createTokenMinter(config.livekitKey, config.livekitSecret),
    createRoom: createRoomCreator(config.livekitApiUrl, config.livekitKey, config.livekitSecret),
    logger,
  },
);

server.on('error', (error: NodeJS.ErrnoException) => {
  const where = `${config.bind.host ?? '*'}:${config.bind.port}`;
  console.error(`rtc-auth: cannot listen on ${where} (LIVEKIT_JWT_BIND): ${error.code ?? ''} ${error.message}`.replace(/\s+/g, ' '));
  process.exit(1);
});

server.listen(config.bind.port, config.bind.host, () => {
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  logger.info(`listening on http://${host}:${address.port}`, {
    livekit: config.livekitUrl,
    fullAccess: config.fullAccess.kind === 'all' ? '*' : config.fullAccess.servers.join(','),
    overrides: [...config.federationOverrides].map(([name, url]) => `${name}=${url}`).join(',') || undefined,
  });
});

let stopping = false;
function stop(signal: string): void {
  if (stopping) return;
  stopping = true;
  logger.info(`${signal}: shutting down`);
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
process.on('unhandledRejection', (reason) => {
  logger.error('unhandled rejection', { error: reason instanceof Error ? reason.stack ?? reason.message : String(reason) });
});
