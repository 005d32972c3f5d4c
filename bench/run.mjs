#!/usr/bin/env node
// `npm run bench`: the benchmarks, never part of `npm test`. Outside the e2e network namespace it re-enters
// itself through scripts/e2e.mjs (which provisions, starts a stack and runs the command inside); inside, it
// bundles the TypeScript benchmark with esbuild and runs it. A first argument naming a benchmark picks it
// (voip-setup by default); the other arguments go to the benchmark (its options are listed at the top of
// bench/<name>.ts).
//
//   node bench/run.mjs [voip-setup|call-button|group-call|group-call-peer] [--runs N] [OPTION …]
//
// The stack instance is E2E_INSTANCE, `bench` by default, so its data never mixes with a test run's; its data
// is removed first.
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describeError, reset } from '../scripts/stack.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const INSIDE = '--inside-namespace';

function reenter(args) {
  const instance = process.env.E2E_INSTANCE ?? 'bench';
  // Every benchmark starts from an empty homeserver. Synapse slows as its database grows with the users and
  // rooms of earlier runs (each call's two hops through it took 72 and 59 ms instead of 56 and 49 on a
  // 100 MB database), and the result would depend on how many runs came before.
  try {
    reset(instance);
  } catch (error) {
    process.stderr.write(`bench: ${describeError(error)}\n`);
    return Promise.resolve(1);
  }
  const env = { ...process.env, E2E_INSTANCE: instance };
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'e2e.mjs'), '--exec', process.execPath, fileURLToPath(import.meta.url), INSIDE, ...args], {
    cwd: ROOT, stdio: 'inherit', env,
  });
  return new Promise((done) => {
    child.once('error', (error) => {
      process.stderr.write(`bench: could not start scripts/e2e.mjs: ${error.message}\n`);
      done(1);
    });
    child.once('exit', (code) => done(code ?? 1));
  });
}

// Node 20 cannot run TypeScript, so the benchmark is bundled to a scratch file first. Everything that is not
// the project's own TypeScript stays external and is imported by absolute URL: packages still resolve from this
// repository's node_modules, and .mjs modules keep their own import.meta.url (scripts/stack.mjs derives ROOT from it).
const externalByUrl = {
  name: 'external-by-url',
  setup(builder) {
    builder.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, external: true }));
    builder.onResolve({ filter: /^[^./]/ }, (args) => ({ path: import.meta.resolve(args.path), external: true }));
    builder.onResolve({ filter: /\.mjs$/ }, (args) => ({ path: pathToFileURL(resolve(args.resolveDir, args.path)).href, external: true }));
  },
};

const BENCHMARKS = ['voip-setup', 'call-button', 'group-call', 'group-call-peer'];

async function runInside(args) {
  const name = BENCHMARKS.includes(args[0]) ? args.shift() : 'voip-setup';
  const outdir = mkdtempSync(join(tmpdir(), 'mck-bench-'));
  try {
    const outfile = join(outdir, `${name}.mjs`);
    await build({
      absWorkingDir: ROOT,
      entryPoints: [join(HERE, `${name}.ts`)],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      tsconfig: join(ROOT, 'tsconfig.json'),
      logLevel: 'warning',
      plugins: [externalByUrl],
    });
    const { main } = await import(pathToFileURL(outfile).href);
    return await main(args);
  } catch (error) {
    process.stderr.write(`bench: ${error instanceof Error ? error.stack : String(error)}\n`);
    return 1;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const args = process.argv.slice(2);
process.exitCode = args[0] === INSIDE ? await runInside(args.slice(1)) : await reenter(args);
