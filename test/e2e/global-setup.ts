import { join } from 'node:path';
import { servePages } from '../../scripts/page-server.mjs';
import { ROOT } from '../../scripts/stack.mjs';

/** Serves the test pages (test/e2e/pages) on 127.0.0.1:8100 for the whole run. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const servedir = join(ROOT, 'test', 'e2e', 'pages');
  const server = await servePages({
    servedir,
    entryPoints: [join(servedir, 'harness.ts'), join(servedir, 'call-button.ts'), join(servedir, 'widget-host.ts')],
    port: Number(process.env.E2E_PAGE_PORT ?? 8100),
  });
  process.env.E2E_BASE_URL = server.url;
  return server.stop;
}
