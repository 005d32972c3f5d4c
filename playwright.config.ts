import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_EXECUTABLE } from './test/helpers/chromium-flags.mjs';

// End-to-end tests against the real local stack. Run them with `npm test` or `npm run test:e2e`, which
// start the stack inside a private network namespace first; see scripts/e2e.mjs.
export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './test/e2e/global-setup.ts',
  fullyParallel: false,
  workers: 1,
  // Real browsers, servers and media on two cores: one retry absorbs a rare scheduling hiccup, and the run
  // still reports the test as flaky.
  retries: 1,
  timeout: 90_000,
  expect: { timeout: 20_000 },
  forbidOnly: true,
  reporter: [
    ['list'],
    ['./test/helpers/playwright-summary-reporter.ts'],
  ],
  use: {
    browserName: 'chromium',
    baseURL: process.env.E2E_BASE_URL ?? 'http://127.0.0.1:8100',
    permissions: ['camera', 'microphone'],
    launchOptions: {
      executablePath: CHROMIUM_EXECUTABLE,
      args: CHROMIUM_ARGS,
    },
    trace: 'off',
  },
});
