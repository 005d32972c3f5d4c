// What both services' configuration parsers share: the error that names a variable, the environment and file
// reads they are handed (so they stay pure and unit-tested), and listen addresses.

/** A missing or invalid variable. The message starts with the variable's name. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`${variable}: ${detail}`);
    this.name = 'ConfigError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;
export type ReadFile = (path: string) => string;

/** Reads the file a variable names; a failure is a ConfigError for that variable. */
export function readVariableFile(variable: string, path: string, readFile: ReadFile): string {
  try {
    return readFile(path);
  } catch (error) {
    throw new ConfigError(variable, `cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export interface BindAddress {
  /** undefined: every interface. */
  host: string | undefined;
  /** 0 lets the OS pick a free port (the service logs the one it got). */
  port: number;
}

/** Parses `host:port`, `:port` or `[v6]:port`. Throws an Error describing the problem. */
export function parseBindAddress(raw: string): BindAddress {
  const value = raw.trim();
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]*)):(\d{1,5})$/.exec(value);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) throw new Error(`"${raw}" is not host:port or :port`);
  const host = match[1] ?? match[2];
  return { host: host === '' || host === undefined ? undefined : host, port };
}

/** parseBindAddress for the value of `variable`; a bad address is a ConfigError for that variable. */
export function parseBindVariable(variable: string, raw: string): BindAddress {
  try {
    return parseBindAddress(raw);
  } catch (error) {
    throw new ConfigError(variable, error instanceof Error ? error.message : String(error));
  }
}
