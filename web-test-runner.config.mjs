import { fileURLToPath } from 'node:url';
import { defaultReporter } from '@web/test-runner';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { CHROMIUM_ARGS, CHROMIUM_EXECUTABLE } from './test/helpers/chromium-flags.mjs';
import { summaryFileReporter } from './test/helpers/wtr-summary-reporter.mjs';

export default {
  files: ['test/unit/**/*.test.ts'],
  nodeResolve: true,
  concurrency: 1,
  plugins: [
    // esbuild takes experimentalDecorators and useDefineForClassFields from tsconfig; Lit's decorators need both.
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: fileURLToPath(new URL('./tsconfig.json', import.meta.url)) }),
  ],
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      launchOptions: {
        executablePath: CHROMIUM_EXECUTABLE,
        headless: true,
        args: CHROMIUM_ARGS,
      },
      createBrowserContext: ({ browser }) => browser.newContext({ permissions: ['camera', 'microphone'] }),
    }),
  ],
  // Lit's development build stays on for its warnings; only its banner is dropped.
  filterBrowserLogs: ({ args }) => !(typeof args[0] === 'string' && args[0].startsWith('Lit is in dev mode')),
  testFramework: {
    config: { timeout: 5000 },
  },
  reporters: [defaultReporter(), summaryFileReporter()],
};
