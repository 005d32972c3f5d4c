// Serves browser pages whose scripts esbuild bundles on request (TypeScript, bare imports from
// node_modules, lazy chunks kept lazy). Used by `npm start` for the demo and by the end-to-end tests.
import { context } from 'esbuild';
import { join } from 'node:path';
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
  const served = await ctx.serve({ host, port, servedir });
  return {
    url: `http://${host}:${served.port}`,
    stop: () => ctx.dispose(),
  };
}
