#!/usr/bin/env node
// `npm test`: every check the project has, in order, ending with one line "N passed, N failed".
//
//   node scripts/test.mjs [--only provision,typecheck,lint,build,unit,storybook,consumers,e2e]
//
// Unit and end-to-end phases count their own tests; the other phases count as one check each.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './stack.mjs';

const bin = (name) => join(ROOT, 'node_modules', '.bin', name);

const PHASES = [
  // Installs what the later phases run (Chromium, coturn, Synapse, livekit-server) when it is missing.
  { name: 'provision', command: process.execPath, args: [join(ROOT, 'scripts', 'stack.mjs'), 'provision'] },
  { name: 'typecheck', command: bin('tsc'), args: ['-p', 'tsconfig.json', '--noEmit'] },
  { name: 'lint', command: bin('eslint'), args: ['.'] },
  { name: 'build', command: process.execPath, args: [join(ROOT, 'scripts', 'build.mjs')] },
  { name: 'unit', command: bin('web-test-runner'), args: [], summaryEnv: 'WTR_SUMMARY_FILE' },
  { name: 'storybook', command: bin('storybook'), args: ['build', '--quiet', '-o', join(ROOT, 'storybook-static')] },
  // Packs the package and installs, type-checks and builds the apps of test/consumers/ (the e2e phase runs them).
  { name: 'consumers', command: process.execPath, args: [join(ROOT, 'scripts', 'consumers.mjs')], summaryEnv: 'CONSUMERS_SUMMARY_FILE' },
  { name: 'e2e', command: process.execPath, args: [join(ROOT, 'scripts', 'e2e.mjs')], summaryEnv: 'E2E_SUMMARY_FILE' },
];

function runPhase(phase, scratch) {
  const summaryFile = phase.summaryEnv ? join(scratch, `${phase.name}.json`) : undefined;
  const started = Date.now();
  process.stdout.write(`\n=== ${phase.name}\n`);
  return new Promise((resolve) => {
    const child = spawn(phase.command, phase.args, {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, ...(summaryFile ? { [phase.summaryEnv]: summaryFile } : {}) },
    });
    child.once('error', (error) => resolve({ ...phase, code: 1, error: error.message, seconds: 0 }));
    child.once('exit', (code, signal) => {
      let counts;
      if (summaryFile) {
        try {
          counts = JSON.parse(readFileSync(summaryFile, 'utf8'));
        } catch {
          counts = undefined;
        }
      }
      resolve({ ...phase, code: code ?? 1, signal, counts, seconds: Math.round((Date.now() - started) / 1000) });
    });
  });
}

function tally(result) {
  if (result.counts) {
    let { passed = 0, failed = 0, skipped = 0 } = result.counts;
    // A runner that counted no failure but exited non-zero still failed (a crash after the last test, say).
    if (result.code !== 0 && failed === 0) failed = 1;
    return { passed, failed, skipped };
  }
  return result.code === 0 ? { passed: 1, failed: 0, skipped: 0 } : { passed: 0, failed: 1, skipped: 0 };
}

async function main(argv) {
  const onlyFlag = argv.indexOf('--only');
  const only = onlyFlag >= 0 ? new Set(argv[onlyFlag + 1]?.split(',')) : undefined;
  const phases = PHASES.filter((phase) => !only || only.has(phase.name));
  if (phases.length === 0) {
    process.stderr.write(`no phase matches; phases are ${PHASES.map((p) => p.name).join(', ')}\n`);
    return 2;
  }
  const scratch = mkdtempSync(join(tmpdir(), 'mx-test-'));
  const totals = { passed: 0, failed: 0, skipped: 0 };
  const lines = [];
  try {
    for (const phase of phases) {
      const result = await runPhase(phase, scratch);
      const counts = tally(result);
      totals.passed += counts.passed;
      totals.failed += counts.failed;
      totals.skipped += counts.skipped;
      const verdict = counts.failed === 0 ? 'ok' : 'FAILED';
      lines.push(`${phase.name.padEnd(10)} ${verdict.padEnd(7)} ${counts.passed} passed, ${counts.failed} failed` +
        `${counts.skipped ? `, ${counts.skipped} skipped` : ''}  (${result.seconds}s)${result.error ? ` ${result.error}` : ''}`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  process.stdout.write(`\n=== summary\n${lines.join('\n')}\n\n`);
  process.stdout.write(`${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}\n`);
  return totals.failed === 0 ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
