// Bundles one Node service of services/ into one file that runs on Node 20+ with no node_modules: what a
// deployer copies to a server. Skips the work when the bundle is newer than every source it could hold.
import { build } from 'esbuild';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// The lock file stands for the dependencies a service bundles; services/shared is bundled into every service.
function newestSource(serviceDir) {
  const dirs = [serviceDir, join(root, 'services', 'shared')];
  return Math.max(
    statSync(join(root, 'package-lock.json')).mtimeMs,
    ...dirs.flatMap((dir) => readdirSync(dir, { recursive: true })
      .map(String)
      .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
      .map((name) => statSync(join(dir, name)).mtimeMs)),
  );
}

/** Bundles services/<name>/<entry> into `outfile` (relative to the repo root) unless it is up to date. */
export async function buildService(name, entry, outfile) {
  const serviceDir = join(root, 'services', name);
  const target = join(root, outfile);
  if (existsSync(target) && statSync(target).mtimeMs >= newestSource(serviceDir)) return;
  await build({
    entryPoints: [join(serviceDir, entry)],
    outfile: target,
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
