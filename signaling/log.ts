/** Where the kit writes what it did and why it dropped something. Replace it to route logs elsewhere. */
export interface Logger {
  debug(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

export function consoleLogger(prefix: string): Logger {
  const tag = `[matrix-call-kit ${prefix}]`;
  return {
    debug: (message, ...details) => console.debug(tag, message, ...details),
    info: (message, ...details) => console.info(tag, message, ...details),
    warn: (message, ...details) => console.warn(tag, message, ...details),
    error: (message, ...details) => console.error(tag, message, ...details),
  };
}

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
