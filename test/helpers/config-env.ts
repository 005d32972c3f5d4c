// Fixtures for the services' configuration tests: files a test names, and the ConfigError a parser throws.
import { ConfigError, type Env, type ReadFile } from '../../services/shared/env.js';

/** A filesystem holding only `files`; reading anything else fails as Node's readFileSync does. */
export function filesystem(files: Record<string, string> = {}): ReadFile {
  return (path) => {
    const text = files[path];
    if (text === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
    return text;
  };
}

/** The ConfigError `parse` throws for `env`; fails the test when it accepts the environment. */
export function configErrorOf(parse: (env: Env, readFile: ReadFile) => unknown, env: Env, files: Record<string, string> = {}): ConfigError {
  try {
    parse(env, filesystem(files));
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('parseConfig accepted the environment');
}
