#!/usr/bin/env node
// End-to-end tests: installs what is missing, then runs the `test` stack and Playwright inside a private
// network namespace. Chromium never gathers WebRTC candidates on `lo`, so the namespace gets a veth carrying
// 127.20.0.1/32: every packet stays inside 127.0.0.0/8 and nothing of the test reaches another address.
//
//   node scripts/e2e.mjs [playwright test args…]
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, describeError, provision } from './stack.mjs';

const NETNS_SETUP = [
  'set -e',
  'ip link set lo up',
  'ip link add mxv0 type veth peer name mxv1',
  'ip addr add 127.20.0.1/32 dev mxv0',
  'ip link set mxv1 up',
  'ip link set mxv0 up',
].join('; ');

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

function ensureNetnsTools() {
  if (has('unshare') && has('ip')) return;
  const isRoot = process.getuid?.() === 0;
  if (isRoot && has('apt-get')) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
    spawnSync('apt-get', ['install', '-y', 'iproute2', 'util-linux'], { stdio: 'inherit', env });
  }
  if (!has('unshare') || !has('ip')) {
    throw new Error('e2e: "unshare" (util-linux) and "ip" (iproute2) are needed to make the private network namespace');
  }
}

async function main(args) {
  try {
    provision({ withChromium: true });
    ensureNetnsTools();
  } catch (error) {
    process.stderr.write(`${describeError(error)}\n`);
    return 1;
  }
  // As root a plain network namespace; otherwise a user namespace gives us the rights to make one.
  const unshareArgs = process.getuid?.() === 0 ? ['-n'] : ['-r', '-n'];
  const inside = [process.execPath, join(ROOT, 'scripts', 'e2e-inside.mjs'), ...args]
    .map((part) => `'${part.replaceAll("'", "'\\''")}'`).join(' ');
  const child = spawn('unshare', [...unshareArgs, 'sh', '-c', `${NETNS_SETUP}; exec ${inside}`], {
    cwd: ROOT,
    stdio: 'inherit',
    env: process.env,
  });
  return new Promise((resolve) => {
    child.once('error', (error) => {
      process.stderr.write(`e2e: could not enter a network namespace: ${error.message}\n`);
      resolve(1);
    });
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

process.exitCode = await main(process.argv.slice(2));
