// Stops and starts one service of the running test stack (Node side of the e2e tests), for tests of what the
// kit does while its homeserver or its SFU is away. Starting goes through the stack's own `up`, which starts only
// what is not running and records the new process, so the run's `down` stops it as usual.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stackConfig, up } from '../../scripts/stack.mjs';
import { loadStack } from './stack.js';

/** The instance scripts/e2e-inside.mjs started for this run. */
const instance = (): string => process.env.STACK_INSTANCE ?? loadStack().instance;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}

/** Services a test may stop and start again, each with a URL that answers only while it runs. */
const PROBES = {
  synapse: () => `${loadStack().homeserverUrl}/_matrix/client/versions`,
  livekit: () => loadStack().livekitUrl.replace(/^ws/, 'http'),
} as const;
export type StoppableService = keyof typeof PROBES;

/**
 * Stops a service (SIGTERM to its process group, as the stack stops it; SIGKILL after 10 s) and resolves once
 * its port refuses connections, so that every client request fails from then on.
 */
export async function stopService(name: StoppableService): Promise<void> {
  const { runDir } = stackConfig(instance());
  const pid = Number(readFileSync(join(runDir, `${name}.stack-pid`), 'utf8'));
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) throw new Error(`${name} of the "${instance()}" stack is not running`);
  process.kill(-pid, 'SIGTERM');
  for (let waited = 0; alive(pid); waited += 100) {
    if (waited >= 10_000) process.kill(-pid, 'SIGKILL');
    await sleep(100);
  }
  while (await answers(PROBES[name]())) await sleep(100);
}

/** Starts what the stack lacks (the stopped service) and resolves once it is healthy. */
export async function startService(): Promise<void> {
  await up(instance(), { quiet: true });
}

export const stopSynapse = (): Promise<void> => stopService('synapse');
export const startSynapse = startService;
