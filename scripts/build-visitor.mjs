#!/usr/bin/env node
// Bundles services/visitor into one file, dist/visitor.mjs, that runs on Node 20+ with no node_modules
// (the service uses Node's own modules only): what a deployer copies to a server. Skips the work when the
// bundle is newer than every source file.
import { build } from 'esbuild';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sourceDir = join(root, 'services', 'visitor');
const outfile = join(root, 'dist', 'visitor.mjs');

const newestSource = () => Math.max(
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
    legalComments: 'none',
    logLevel: 'warning',
  });
}
