#!/usr/bin/env node
// Runs inside the private network namespace made by scripts/e2e.mjs: starts the `test` stack, runs
// Playwright against it, and always stops the stack again (its processes would keep the namespace alive).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, describeError, down, stackConfig, up } from './stack.mjs';

// A run may name its own instance (E2E_INSTANCE), so parallel runs in separate namespaces keep separate data.
const INSTANCE = process.env.E2E_INSTANCE ?? 'test';

/**
 * `--exec CMD ARGS…` runs CMD instead of Playwright Test (the benchmarks use it); anything else is passed to
 * `playwright test`.
 */
function commandFor(args) {
  if (args[0] === '--exec') return { command: args[1], args: args.slice(2) };
  return { command: join(ROOT, 'node_modules', '.bin', 'playwright'), args: ['test', ...args] };
}

async function main(args) {
  let code = 1;
  const { command, args: commandArgs } = commandFor(args);
  try {
    const started = Date.now();
    await up(INSTANCE);
    process.stderr.write(`e2e: stack ready in ${Math.round((Date.now() - started) / 1000)}s\n`);
    const { runDir } = stackConfig(INSTANCE);
    code = await new Promise((resolve) => {
      const child = spawn(command, commandArgs, {
        cwd: ROOT,
        stdio: 'inherit',
        env: { ...process.env, STACK_JSON: join(runDir, 'stack.json'), STACK_INSTANCE: INSTANCE },
      });
      child.once('error', (error) => {
        process.stderr.write(`e2e: ${command} could not start: ${error.message}\n`);
        resolve(1);
      });
      child.once('exit', (exitCode) => resolve(exitCode ?? 1));
    });
  } catch (error) {
    process.stderr.write(`${describeError(error)}\n`);
  } finally {
    await down(INSTANCE);
  }
  return code;
}

process.exitCode = await main(process.argv.slice(2));
