// A second SFU beside the stack's, for calls whose members publish on different SFUs (multi-SFU): its own
// livekit-server on other ports, and its own token service (services/rtc-auth) in front of it. Started and
// stopped by the test that needs it.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { secondLivekit } from '../../scripts/stack.mjs';
import { startRtcAuth } from './service-process.js';
import { loadStack } from './stack.js';

export interface SecondSfu {
  /** Its token service: what a transport names as `livekit_service_url`. */
  readonly serviceUrl: string;
  readonly livekitUrl: string;
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function startSecondSfu(): Promise<SecondSfu> {
  const stack = loadStack();
  const dir = mkdtempSync(join(tmpdir(), 'mx-second-sfu-'));
  // Ports beside the stack's (7880–7882 by default).
  const port = Number(new URL(stack.livekitUrl).port) + 100;
  const { bin, args } = secondLivekit({ dir, port, tcpPort: port + 1, udpPort: port + 2 });
  const livekit = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  livekit.stdout.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
  livekit.stderr.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
  const livekitUrl = `ws://127.0.0.1:${port}`;
  for (let waited = 0; ; waited += 200) {
    if (livekit.exitCode !== null || waited > 30_000) throw new Error(`the second livekit-server did not start:\n${output}`);
    if (await fetch(`http://127.0.0.1:${port}/`).then((response) => response.ok, () => false)) break;
    await sleep(200);
  }
  const tokenService = startRtcAuth({ LIVEKIT_URL: livekitUrl, LIVEKIT_CS_API_URL_OVERRIDES: `${stack.serverName}=${stack.homeserverUrl}` });
  const serviceUrl = await tokenService.url();
  return {
    serviceUrl,
    livekitUrl,
    async stop() {
      tokenService.child.kill('SIGTERM');
      livekit.kill('SIGTERM');
      await Promise.all([tokenService.exited(), new Promise((resolve) => (livekit.exitCode !== null ? resolve(undefined) : livekit.on('exit', resolve)))]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
