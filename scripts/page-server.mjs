// Serves browser pages whose scripts esbuild bundles (TypeScript, bare imports from node_modules, lazy
// chunks kept lazy). Used by `npm start` for the demo, by the end-to-end tests and by the benchmarks.
import { build, context } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from './stack.mjs';

/**
 * With `rebuildOnRequest` (the demo), a page load bundles again, so an edit shows on reload. Without it the
 * bundle is built once and served as plain files: esbuild's serve mode rebuilds on page requests, which costs
 * half a second of CPU or more on two cores, in the middle of what the tests and benchmarks measure.
 *
 * @param {{ servedir: string, entryPoints: string[], port: number, host?: string, rebuildOnRequest?: boolean }} options
 * @returns {Promise<{ url: string, stop: () => Promise<void> }>}
 */
export async function servePages({ servedir, entryPoints, port, host = '127.0.0.1', rebuildOnRequest = false }) {
  const bundleOptions = {
    absWorkingDir: ROOT,
    entryPoints,
    outdir: join(servedir, 'build'),
    bundle: true,
    splitting: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    sourcemap: 'linked',
    tsconfig: join(ROOT, 'tsconfig.json'),
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"development"' },
  };
  let ctx;
  if (rebuildOnRequest) {
    ctx = await context(bundleOptions);
    await ctx.rebuild();
  } else {
    await build(bundleOptions);
    // A context with nothing to bundle: its server only hands out the files already built.
    ctx = await context({ logLevel: 'warning' });
  }
  copyCryptoWasm(join(servedir, 'build'));
  // Chunks sit flat in build/, so the group-call chunk finds the worker beside it.
  copyFileSync(E2EE_WORKER_FILE, join(servedir, 'build', 'e2ee-worker.js'));
  const served = await ctx.serve({ host, port, servedir });
  return {
    url: `http://${host}:${served.port}`,
    stop: () => ctx.dispose(),
  };
}

/**
 * matrix-js-sdk's Rust crypto fetches its WebAssembly from `./pkg/` next to the script that imports it
 * (`new URL(..., import.meta.url)`), which bundlers leave as it is: put the file where that URL points.
 */
/** LiveKit's E2EE worker, self-contained: group calls in encrypted rooms load it as `./e2ee-worker.js`. */
export const E2EE_WORKER_FILE = fileURLToPath(import.meta.resolve('livekit-client/e2ee-worker'));

export function copyCryptoWasm(outdir) {
  const require = createRequire(join(ROOT, 'package.json'));
  // The package exports no ./package.json; its CommonJS entry sits at the package root.
  const wasmPackage = dirname(require.resolve('@matrix-org/matrix-sdk-crypto-wasm', { paths: [dirname(require.resolve('matrix-js-sdk'))] }));
  mkdirSync(join(outdir, 'pkg'), { recursive: true });
  copyFileSync(join(wasmPackage, 'pkg', 'matrix_sdk_crypto_wasm_bg.wasm'), join(outdir, 'pkg', 'matrix_sdk_crypto_wasm_bg.wasm'));
}
