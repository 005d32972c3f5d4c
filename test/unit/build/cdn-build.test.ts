// The CDN build as a page without a bundler meets it: the files `npm run build` wrote to dist/cdn/, loaded by
// URL. This file imports nothing of the kit or Lit itself, so every class it sees comes from those files.
import { expect } from '@open-wc/testing';

const CDN = '/dist/cdn/';

/** Every URL a built module names: static and dynamic imports, and files fetched with `new URL(…, import.meta.url)`. */
function referencedUrls(source: string, base: string): string[] {
  const specifiers = [
    ...source.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g),
    ...source.matchAll(/new URL\(\s*"([^"]+)"\s*,\s*import\.meta\.url\s*\)/g),
  ].map((match) => match[1]!);
  return specifiers.map((specifier) => new URL(specifier, base).href);
}

/** The URLs a built module loads as soon as it is imported: its static imports only. */
function staticImports(source: string, base: string): string[] {
  return [...source.matchAll(/(?:\bfrom\s*|\bimport\s*)"(\.{1,2}\/[^"]+)"/g)].map((match) => new URL(match[1]!, base).href);
}

/** Follows the build's references from the entries; returns each file's URL with its response status. */
async function crawl(entries: readonly string[], references = referencedUrls): Promise<Map<string, { status: number; type: string }>> {
  const seen = new Map<string, { status: number; type: string }>();
  const queue = entries.map((entry) => new URL(entry, location.href).href);
  while (queue.length > 0) {
    const url = queue.shift()!;
    if (seen.has(url)) continue;
    const response = await fetch(url);
    seen.set(url, { status: response.status, type: response.headers.get('content-type') ?? '' });
    if (response.ok && url.endsWith('.js')) queue.push(...references(await response.text(), url));
  }
  return seen;
}

/** The entries are the package root and every define file; define/all.js imports each of those. */
async function entries(): Promise<string[]> {
  const response = await fetch(`${CDN}define/all.js`);
  if (!response.ok) throw new Error('dist/cdn/ is missing: `npm run build` writes it (npm test builds before the unit tests)');
  const all = await response.text();
  const defines = referencedUrls(all, new URL(`${CDN}define/all.js`, location.href).href).filter((url) => url.includes('/define/'));
  return [`${CDN}index.js`, `${CDN}define/all.js`, ...defines];
}

describe('the CDN build (dist/cdn)', () => {
  it('ships every file its modules import or fetch by URL, the crypto WebAssembly and the E2EE worker included', async () => {
    const files = await crawl(await entries());
    const missing = [...files].filter(([, { status }]) => status !== 200).map(([url]) => url);
    expect(missing).to.deep.equal([]);
    const wasm = [...files.keys()].filter((url) => url.endsWith('.wasm'));
    expect(wasm.some((url) => url.includes('matrix_sdk_crypto_wasm_bg'))).to.equal(true);
    // Group calls in encrypted rooms start LiveKit's worker from beside their chunk.
    const worker = [...files].find(([url]) => url.endsWith('/chunks/e2ee-worker.js'));
    expect(worker?.[1]).to.deep.include({ status: 200 });
    expect(worker?.[1].type).to.match(/javascript/);
  });

  it('loads no feature when the package root is imported: matrix-js-sdk, the 1:1 and the group calls come with their first use', async () => {
    // Chunks are named after their first module (rollup's chunkFileNames).
    const features = /\/chunks\/(browser-index|js-sdk-port|call-manager|group-calls|rust-crypto|livekit[^/]*)-[^/]+\.js$/;
    const loadedAtImport = [...(await crawl([`${CDN}index.js`], staticImports)).keys()];
    expect(loadedAtImport.filter((url) => features.test(url))).to.deep.equal([]);
    // The same pattern finds them among what a session and a call load later, so the check above can fail.
    const loadedOnDemand = [...(await crawl([`${CDN}index.js`])).keys()];
    expect(loadedOnDemand.filter((url) => features.test(url)).map((url) => features.exec(url)?.[1]))
      .to.include.members(['browser-index', 'call-manager', 'js-sdk-port', 'group-calls']);
  });

  it('gives every entry one copy of Lit and of each element class', async () => {
    // The test framework brings a Lit of its own; the CDN files must add exactly one more.
    const litCopies = () => (globalThis as { litHtmlVersions?: unknown[] }).litHtmlVersions?.length ?? 0;
    const before = litCopies();
    const root = (await import(/* @vite-ignore */ `${CDN}index.js`)) as Record<string, unknown>;
    const defines = (await entries()).filter((url) => url.includes('/define/'));
    for (const define of defines) await import(/* @vite-ignore */ define);

    expect(litCopies() - before).to.equal(1);
    const tags = ['mx-call', 'mx-call-controls', 'mx-incoming-call', 'mx-video-tile', 'mx-device-picker', 'mx-connection-status'];
    for (const tag of tags) {
      const registered = customElements.get(tag);
      expect(registered, tag).to.not.equal(undefined);
      const exported = Object.values(root).find((value) => value === registered);
      expect(exported, `${tag}'s class is the one the package root exports`).to.not.equal(undefined);
      expect(document.createElement(tag)).to.be.instanceOf(registered!);
    }
  });

});
