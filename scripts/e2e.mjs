#!/usr/bin/env node
// End-to-end tests: installs what is missing, then runs the `test` stack and Playwright inside a private
// network namespace. Chromium never gathers WebRTC candidates on `lo`, so the namespace gets a veth carrying
// 127.20.0.1/32: every packet stays inside 127.0.0.0/8 and nothing of the test reaches another address.
//
//   node scripts/e2e.mjs [playwright test args…]
//   node scripts/e2e.mjs --exec CMD [ARGS…]     any command against the same stack (the benchmarks)
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, StackError, describeError, provision } from './stack.mjs';

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

// unshare and ip make the namespace; nft drops media packets inside it for the network-loss test.
const NETNS_TOOLS = { unshare: 'util-linux', ip: 'iproute2', nft: 'nftables' };

function ensureNetnsTools() {
  const missing = Object.entries(NETNS_TOOLS).filter(([command]) => !has(command));
  if (missing.length === 0) return;
  const isRoot = process.getuid?.() === 0;
  if (isRoot && has('apt-get')) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
    spawnSync('apt-get', ['install', '-y', ...missing.map(([, pkg]) => pkg)], { stdio: 'inherit', env });
  }
  const still = missing.filter(([command]) => !has(command));
  if (still.length > 0) {
    throw new StackError('e2e tools', `${still.map(([command, pkg]) => `${command} (${pkg})`).join(', ')} not installed`,
      'install them, or run the tests as root on Debian/Ubuntu so they are installed for you');
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
