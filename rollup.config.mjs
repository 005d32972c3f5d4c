// Two builds of the public entries:
// - dist/: ES modules with preserved modules (deep imports and tree shaking work), dependencies external;
// - dist/cdn/: the entries for <script type="module">, dependencies bundled and minified, built together so
//   that every entry shares one copy of Lit, of the element and event classes and of the lazy chunks (a page
//   that loads index.js and define/mx-call.js gets one MxCall class, and `instanceof` holds). Heavy libraries
//   the kit imports lazily (matrix-js-sdk, its crypto) go to dist/cdn/chunks/ and load only when a session
//   starts, as they do from npm; files they fetch by URL (the crypto WASM) are emitted where they look.
import commonjs from '@rollup/plugin-commonjs';
import json from '@rollup/plugin-json';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { importMetaAssets } from '@web/rollup-plugin-import-meta-assets';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const dependencies = Object.keys(pkg.dependencies ?? {});
const isExternal = (id) => dependencies.some((dep) => id === dep || id.startsWith(`${dep}/`)) || id.startsWith('@lit/');

const defineEntries = Object.fromEntries(
  readdirSync('define')
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((file) => [`define/${file.slice(0, -3)}`, `define/${file}`]),
);
const input = { index: 'index.ts', 'signaling/index': 'signaling/index.ts', ...defineEntries };

const ts = (outDir) => typescript({
  tsconfig: 'tsconfig.build.json',
  declaration: false,
  declarationMap: false,
  emitDeclarationOnly: false,
  noEmit: false,
  outDir,
  outputToFilesystem: false,
});

// LiveKit's E2EE worker, self-contained: group calls in encrypted rooms start it as `./e2ee-worker.js` beside
// the group-call module (signaling/rtc/group-calls.ts), so each build puts a copy where that module ends up.
const e2eeWorker = (fileName) => ({
  name: 'e2ee-worker',
  generateBundle() {
    this.emitFile({ type: 'asset', fileName, source: readFileSync(fileURLToPath(import.meta.resolve('livekit-client/e2ee-worker'))) });
  },
});

const onwarn = (warning, warn) => {
  // matrix-js-sdk and livekit-client use `this` at module level and eval-free circular imports; both are harmless.
  if (warning.code === 'CIRCULAR_DEPENDENCY' || warning.code === 'THIS_IS_UNDEFINED') return;
  warn(warning);
};

export default [
  {
    input,
    external: isExternal,
    plugins: [ts('dist'), e2eeWorker('signaling/rtc/e2ee-worker.js')],
    output: {
      dir: 'dist',
      format: 'es',
      preserveModules: true,
      preserveModulesRoot: '.',
      entryFileNames: '[name].js',
      sourcemap: true,
    },
    onwarn,
  },
  {
    input: { index: 'index.ts', ...defineEntries },
    plugins: [
      nodeResolve({ browser: true, preferBuiltins: false }),
      commonjs(),
      json(),
      ts('dist/cdn'),
      // `new URL('./pkg/…wasm', import.meta.url)` in a bundled dependency: the file is copied next to the chunk
      // that asks for it, under a hashed name the chunk is rewritten to use.
      importMetaAssets({ exclude: ['signaling/rtc/group-calls.ts'] }),
      terser({ format: { comments: false } }),
      // Lazy chunks, the group-call one included, all sit in chunks/.
      e2eeWorker('chunks/e2ee-worker.js'),
    ],
    output: {
      dir: 'dist/cdn',
      format: 'es',
      entryFileNames: '[name].js',
      chunkFileNames: 'chunks/[name]-[hash].js',
      assetFileNames: 'chunks/assets/[name]-[hash][extname]',
      sourcemap: true,
    },
    onwarn,
  },
];
