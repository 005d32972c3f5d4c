// An instance of one of the Node services (dist/<name>.mjs) started by a test with settings of its own, beside
// the stack's instance. Its output is kept for the test to read.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadStack } from './stack.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export type ServiceName = 'rtc-auth' | 'visitor';

export class ServiceProcess {
  /** Everything the service wrote to stdout and stderr so far. */
  output = '';
  readonly child: ChildProcess;
  private readonly exit: Promise<number | null>;

  /** Builds dist/<name>.mjs if its sources changed, then starts it with PATH and `env` as its whole environment. */
  constructor(readonly name: ServiceName, env: Record<string, string>) {
    execFileSync(process.execPath, [`${ROOT}/scripts/build-${name}.mjs`], { stdio: 'inherit' });
    this.child = spawn(process.execPath, [`${ROOT}/dist/${name}.mjs`], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => { this.output += chunk.toString('utf8'); });
    this.child.stderr?.on('data', (chunk: Buffer) => { this.output += chunk.toString('utf8'); });
    this.exit = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve(code ?? (signal === null ? null : -1))));
  }

  /** The URL from the service's "listening on" line; throws with its output if it exits or never says it. */
  async url(): Promise<string> {
    for (let waited = 0; waited < 10_000; waited += 50) {
      const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(this.output);
      if (match?.[1]) return match[1];
      if (this.child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`${this.name} did not start:\n${this.output}`);
  }

  /** The exit code; -1 when a signal ended the process. */
  exited(): Promise<number | null> {
    return this.exit;
  }
}

/**
 * An rtc-auth instance beside the stack's, on a port of its own, with the stack's LiveKit key and homeserver (full
 * access and its federation API); `env` adds or replaces variables.
 */
export function startRtcAuth(env: Record<string, string> = {}): ServiceProcess {
  const stack = loadStack();
  const homeserver = `${stack.serverName}=${stack.homeserverUrl}`;
  return new ServiceProcess('rtc-auth', {
    LIVEKIT_URL: stack.livekitUrl,
    LIVEKIT_KEY: stack.livekitKey,
    LIVEKIT_SECRET: stack.livekitSecret,
    LIVEKIT_FULL_ACCESS_HOMESERVERS: '*',
    LIVEKIT_JWT_BIND: '127.0.0.1:0',
    LIVEKIT_FEDERATION_API_URL_OVERRIDES: homeserver,
    ...env,
  });
}
