// One line per event, `time LEVEL message key=value…`, as services/rtc-auth logs, so both services' logs
// read and grep alike. Control characters are escaped so request data cannot forge log lines.

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

function formatValue(value: string | number | boolean): string {
  const text = String(value);
  return /^[\w@:.!#/+=,-]+$/.test(text) ? text : JSON.stringify(text);
}

export function formatLogLine(level: LogLevel, message: string, fields: LogFields = {}, now = new Date()): string {
  const pairs = Object.entries(fields)
    .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${formatValue(value)}`);
  return [now.toISOString(), level.toUpperCase(), message, ...pairs].join(' ')
    .replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function createLogger(level: LogLevel): Logger {
  const at = (lineLevel: LogLevel) => (message: string, fields?: LogFields) => {
    if (RANK[lineLevel] < RANK[level]) return;
    const line = formatLogLine(lineLevel, message, fields);
    if (lineLevel === 'error') console.error(line);
    else if (lineLevel === 'warn') console.warn(line);
    else console.info(line);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
