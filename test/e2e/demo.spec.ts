import { expect, test } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';

// `npm start` against the running test stack: the same script a newcomer runs, on a port of its own.
test.describe('npm start', () => {
  let demo: ChildProcess | undefined;
  let demoUrl = '';

  test.beforeAll(async () => {
    demo = spawn(process.execPath, ['scripts/start.mjs'], {
      env: { ...process.env, STACK_INSTANCE: process.env.STACK_INSTANCE ?? 'test', DEMO_PORT: '8101' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    demoUrl = await new Promise<string>((resolve, reject) => {
      demo?.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /matrix-call-kit demo: (\S+)/.exec(output);
        if (match?.[1]) resolve(match[1]);
      });
      demo?.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
      demo?.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
    });
    expect(output).toContain('alice / alice-demo-password');
    expect(output).toContain('bob / bob-demo-password');
  });

  test.afterAll(() => {
    demo?.kill('SIGTERM');
  });

  test('serves the demo: both demo users sign in and see each other\'s messages', async ({ page }) => {
    await page.goto(demoUrl);
    const alice = page.getByRole('region', { name: 'alice' });
    const bob = page.getByRole('region', { name: 'bob' });
    await expect(alice.locator('mx-connection-status')).toContainText('Connected as @alice:');
    await expect(bob.locator('mx-connection-status')).toContainText('Connected as @bob:');

    const text = `hello ${Date.now()}`;
    await alice.getByRole('textbox', { name: 'Message from alice' }).fill(text);
    await alice.getByRole('button', { name: 'Send' }).click();
    await expect(bob.getByText(text)).toBeVisible();
  });

  test('one tab per person with ?user=', async ({ page }) => {
    await page.goto(`${demoUrl}?user=bob`);
    await expect(page.getByRole('region', { name: 'bob' }).locator('mx-connection-status')).toContainText('Connected as @bob:');
    await expect(page.getByRole('region', { name: 'alice' })).toHaveCount(0);
  });
});
