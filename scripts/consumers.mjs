#!/usr/bin/env node
// `npm test`'s consumers phase: the package as its users install it. Packs it (after the build phase), checks
// what the tarball holds, then installs the tarball into each app of test/consumers/ (copied to
// .consumers/<name>/ with its own pinned dependencies from the registry), type-checks and builds each. The
// built apps are what test/e2e/consumers.spec.ts opens in Chromium against the real stack.
//
//   node scripts/consumers.mjs [name…]     only these apps (the tarball checks always run)
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './stack.mjs';

export const CONSUMERS_DIR = join(ROOT, '.consumers');
const FIXTURES = join(ROOT, 'test', 'consumers');
const TARBALL = join(CONSUMERS_DIR, 'matrix-call-kit.tgz');

const results = [];
function check(name, run) {
  try {
    run();
    results.push({ name, ok: true });
    process.stdout.write(`  ok      ${name}\n`);
  } catch (error) {
    results.push({ name, ok: false });
    process.stdout.write(`  FAILED  ${name}\n${String(error.message).replace(/^/gm, '          ')}\n`);
  }
}

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${result.status}\n${`${result.stdout}\n${result.stderr}`.trim().slice(-4000)}`);
  }
  return result.stdout;
}

/** The lowest major version a `>=X…` range allows; undefined for ranges it cannot read. */
function minimumMajor(range) {
  const match = /^\s*>=\s*v?(\d+)/.exec(range ?? '');
  return match ? Number(match[1]) : undefined;
}

/** `npm pack` of the built package; checks the files a user gets. */
function pack() {
  mkdirSync(CONSUMERS_DIR, { recursive: true });
  const [info] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', CONSUMERS_DIR], ROOT));
  renameSync(join(CONSUMERS_DIR, info.filename), TARBALL);
  const files = info.files.map((file) => file.path);
  const problems = [];
  for (const needed of ['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/custom-elements.json', 'dist/cdn/index.js']) {
    if (!files.includes(needed)) problems.push(`${needed} is not in the package`);
  }
  if (!files.some((file) => /^dist\/cdn\/.*matrix_sdk_crypto_wasm_bg.*\.wasm$/.test(file))) problems.push('the CDN build\'s crypto WASM is not in the package');
  problems.push(...files.filter((file) => file.endsWith('.d.ts.map')).map((file) => `${file} points at sources the package does not ship`));
  problems.push(...files.filter((file) => !/^(dist\/|LICENSE$|README\.md$|CHANGELOG\.md$|package\.json$)/.test(file)).map((file) => `${file} should not ship`));
  // The services are servers a site runs, built from the repository; a page's package has no use for them.
  problems.push(...files.filter((file) => /^dist\/(rtc-auth|visitor)\.mjs$/.test(file)).map((file) => `${file} should not ship`));
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const ours = minimumMajor(pkg.engines?.node);
  for (const dependency of Object.keys(pkg.dependencies ?? {})) {
    const theirs = minimumMajor(JSON.parse(readFileSync(join(ROOT, 'node_modules', dependency, 'package.json'), 'utf8')).engines?.node);
    if (theirs !== undefined && (ours === undefined || ours < theirs)) problems.push(`engines.node allows Node ${ours}, but ${dependency} needs ${theirs}`);
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
}

/** The TypeScript of README.md: its ```ts blocks and the module scripts of its ```html blocks. */
export function readmeSnippets(markdown) {
  const snippets = [];
  for (const [, language, body] of markdown.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)) {
    if (language === 'ts' || language === 'typescript') snippets.push(body);
    if (language === 'html') {
      for (const [, script] of body.matchAll(/<script type="module">([\s\S]*?)<\/script>/g)) snippets.push(script);
    }
  }
  return snippets;
}

/** Copies an app next to the tarball, installs it, and type-checks and builds it. */
function consumer(name) {
  const dir = join(CONSUMERS_DIR, name);
  const fixture = join(FIXTURES, name);
  // node_modules stays between runs (installs are then quick); everything else is the fixture's, afresh.
  if (existsSync(dir)) for (const entry of readdirSync(dir)) if (entry !== 'node_modules') rmSync(join(dir, entry), { recursive: true, force: true });
  cpSync(fixture, dir, { recursive: true });
  if (!existsSync(join(fixture, 'package.json'))) {
    // A page without a bundler: the CDN files, as a static server would hold them.
    check(`${name}: the page and the package's CDN files`, () => {
      run('tar', ['-xzf', TARBALL, '-C', dir], ROOT);
      mkdirSync(join(dir, 'dist'), { recursive: true });
      renameSync(join(dir, 'package', 'dist', 'cdn'), join(dir, 'dist', 'cdn'));
      renameSync(join(dir, 'index.html'), join(dir, 'dist', 'index.html'));
      rmSync(join(dir, 'package'), { recursive: true, force: true });
    });
    return;
  }
  if (name === 'vite-ts') {
    const snippets = readmeSnippets(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    mkdirSync(join(dir, 'src', 'readme'), { recursive: true });
    snippets.forEach((snippet, index) => writeFileSync(join(dir, 'src', 'readme', `snippet-${index + 1}.ts`), `${snippet}export {};\n`));
  }
  // The kit is reinstalled from the new tarball each run; its lock entry would pin the old one's hash.
  rmSync(join(dir, 'node_modules', 'matrix-call-kit'), { recursive: true, force: true });
  let installed = false;
  check(`${name}: npm install of the tarball`, () => {
    run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock'], dir);
    installed = true;
  });
  if (!installed) return;
  check(`${name}: type-checks (and refuses the wrong types it must)`, () => run('npm', ['run', '--silent', 'typecheck'], dir));
  check(`${name}: builds`, () => run('npm', ['run', '--silent', 'build'], dir));
}

function main(argv) {
  const names = argv.length > 0 ? argv : readdirSync(FIXTURES, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  let packed = false;
  check('npm pack: the package holds what users need and nothing else', () => {
    pack();
    packed = true;
  });
  if (packed) for (const name of names) consumer(name);
  const passed = results.filter((result) => result.ok).length;
  const failed = results.length - passed;
  if (process.env.CONSUMERS_SUMMARY_FILE) writeFileSync(process.env.CONSUMERS_SUMMARY_FILE, `${JSON.stringify({ passed, failed, skipped: 0 })}\n`);
  process.stdout.write(`consumers: ${passed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv.slice(2));
