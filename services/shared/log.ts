// The services' log: one line per event, `time LEVEL message key=value…`, so refusals can be grepped and both
// services' logs read alike. Messages and values often hold request data (user IDs, server names): control
// characters are escaped so a client cannot forge log lines.

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogFields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/g;

function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function formatValue(value: string | number | boolean): string {
  const text = String(value);
  return /^[\w@:.!#/+=,-]+$/.test(text) ? text : JSON.stringify(text);
}

/** Formats one log line (exported for tests). */
export function formatLogLine(level: LogLevel, message: string, fields: LogFields = {}, now = new Date()): string {
  const pairs = Object.entries(fields)
    .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${formatValue(value)}`);
  return escapeControl([now.toISOString(), level.toUpperCase(), message, ...pairs].join(' '));
}

export function createLogger(level: LogLevel, write: (level: LogLevel, line: string) => void = writeConsole): Logger {
  const at = (lineLevel: LogLevel) => (message: string, fields?: LogFields) => {
    if (RANK[lineLevel] >= RANK[level]) write(lineLevel, formatLogLine(lineLevel, message, fields));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function writeConsole(level: LogLevel, line: string): void {
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.info(line);
}
