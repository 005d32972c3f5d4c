#!/usr/bin/env node
// Bundles services/rtc-auth into one file, dist/rtc-auth.mjs, that runs on Node 20+ with no node_modules:
// what a deployer copies to a server. Skips the work when the bundle is newer than every source file.
import { build } from 'esbuild';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sourceDir = join(root, 'services', 'rtc-auth');
const outfile = join(root, 'dist', 'rtc-auth.mjs');

const newestSource = () => Math.max(
  statSync(join(root, 'package-lock.json')).mtimeMs,
  ...readdirSync(sourceDir, { recursive: true })
    .map(String)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
    .map((name) => statSync(join(sourceDir, name)).mtimeMs),
);

if (!existsSync(outfile) || statSync(outfile).mtimeMs < newestSource()) {
  await build({
    entryPoints: [join(sourceDir, 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    // Some dependencies are CommonJS and call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    legalComments: 'none',
    logLevel: 'warning',
  });
}
