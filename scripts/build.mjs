#!/usr/bin/env node
// `npm run build`: rollup (dist/ and dist/cdn/), declarations (tsc), custom-elements.json (analyzer),
// the token service bundle (dist/rtc-auth.mjs), and the React, JSX and Vue entries written from the manifest.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './stack.mjs';

const bin = (name) => join(ROOT, 'node_modules', '.bin', name);
const steps = [
  ['rollup', bin('rollup'), ['-c', '--silent']],
  ['declarations', bin('tsc'), ['-p', 'tsconfig.build.json']],
  ['custom-elements.json', bin('custom-elements-manifest'), ['analyze', '--config', 'custom-elements-manifest.config.mjs']],
  ['rtc-auth', process.execPath, [join(ROOT, 'scripts', 'build-rtc-auth.mjs')]],
];

function run(name, command, args) {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`build: ${name} failed\n`);
    process.exit(1);
  }
  process.stdout.write(`build: ${name} (${((Date.now() - started) / 1000).toFixed(1)}s)\n`);
}

rmSync(join(ROOT, 'dist'), { recursive: true, force: true });
for (const [name, command, args] of steps) run(name, command, args);

// The analyzer reads the TypeScript sources; the manifest ships beside the JavaScript they become.
const manifestPath = join(ROOT, 'dist', 'custom-elements.json');
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'), (key, value) =>
  (key === 'path' || key === 'module') && typeof value === 'string' ? value.replace(/\.ts$/, '.js') : value);
writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);

run('framework entries', process.execPath, [join(ROOT, 'scripts', 'framework-entries.mjs')]);
