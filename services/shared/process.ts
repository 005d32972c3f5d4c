// The process side of a service's entry point: configuration errors, listening, unexpected rejections. Node only.
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, type BindAddress } from './env.js';
import type { Logger } from './log.js';

/** What `parse` returns; a ConfigError ends the process with its message and exit code 1. */
export function configOrExit<T>(service: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`${service}: configuration error: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}

/**
 * Listens on `bind`, then hands `onListening` the URL it got (the port the OS picked for port 0). An address it
 * cannot listen on ends the process with exit code 1, naming `variable`, where the address came from.
 */
export function listenOrExit(
  server: http.Server,
  bind: BindAddress,
  where: { service: string; variable: string },
  onListening: (url: string) => void,
): void {
  server.on('error', (error: NodeJS.ErrnoException) => {
    const address = `${bind.host ?? '*'}:${bind.port}`;
    console.error(`${where.service}: cannot listen on ${address} (${where.variable}): ${error.code ?? ''} ${error.message}`.replace(/\s+/g, ' '));
    process.exit(1);
  });
  server.listen(bind.port, bind.host, () => {
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    onListening(`http://${host}:${address.port}`);
  });
}

/** Logs promise rejections nothing handled instead of letting them end the process. */
export function logUnhandledRejections(logger: Logger): void {
  process.on('unhandledRejection', (reason) => {
    logger.error('unhandled rejection', { error: reason instanceof Error ? reason.stack ?? reason.message : String(reason) });
  });
}
