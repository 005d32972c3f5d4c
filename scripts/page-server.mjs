// Serves browser pages whose scripts esbuild bundles on request (TypeScript, bare imports from
// node_modules, lazy chunks kept lazy). Used by `npm start` for the demo and by the end-to-end tests.
import { context } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ROOT } from './stack.mjs';

/**
 * @param {{ servedir: string, entryPoints: string[], port: number, host?: string }} options
 * @returns {Promise<{ url: string, stop: () => Promise<void> }>}
 */
export async function servePages({ servedir, entryPoints, port, host = '127.0.0.1' }) {
  const ctx = await context({
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
  });
  await ctx.rebuild();
  copyCryptoWasm(join(servedir, 'build'));
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
export function copyCryptoWasm(outdir) {
  const require = createRequire(join(ROOT, 'package.json'));
  // The package exports no ./package.json; its CommonJS entry sits at the package root.
  const wasmPackage = dirname(require.resolve('@matrix-org/matrix-sdk-crypto-wasm', { paths: [dirname(require.resolve('matrix-js-sdk'))] }));
  mkdirSync(join(outdir, 'pkg'), { recursive: true });
  copyFileSync(join(wasmPackage, 'pkg', 'matrix_sdk_crypto_wasm_bg.wasm'), join(outdir, 'pkg', 'matrix_sdk_crypto_wasm_bg.wasm'));
}
