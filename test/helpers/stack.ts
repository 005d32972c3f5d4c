// The endpoints of the running test stack, as scripts/stack.mjs wrote them (Node side of the e2e tests).
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StackEndpoints {
  instance: string;
  serverName: string;
  homeserverUrl: string;
  livekitUrl: string;
  rtcAuthUrl: string;
  /** services/visitor, and what the stack configured it with. */
  visitorUrl: string;
  visitorTargets: string[];
  /** The password of the first target, which the stack registers. */
  visitorTargetPassword: string;
  /** The public, encrypted room (made by the first target) whose group call visitors may join. */
  visitorRoomAlias: string;
  visitorAsToken: string;
  visitorLocalpartPrefix: string;
  turnUris: string[];
  registrationSharedSecret: string;
  livekitKey: string;
  livekitSecret: string;
  logDir: string;
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

let cached: StackEndpoints | undefined;

/** Reads `$STACK_JSON`, or the `test` instance's stack.json when the variable is unset. */
export function loadStack(): StackEndpoints {
  if (cached) return cached;
  const path = process.env.STACK_JSON ?? join(root, '.stack', 'run', 'test', 'stack.json');
  try {
    cached = JSON.parse(readFileSync(path, 'utf8')) as StackEndpoints;
  } catch (error) {
    throw new Error(`no running test stack (${path}): run the e2e tests through "npm test" or "npm run test:e2e"`, {
      cause: error,
    });
  }
  return cached;
}
