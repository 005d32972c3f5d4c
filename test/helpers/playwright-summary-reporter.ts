import { writeFileSync } from 'node:fs';
import type { FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter';

/** Writes `{passed, failed, skipped}` to $E2E_SUMMARY_FILE for scripts/test.mjs's closing line. */
export default class SummaryReporter implements Reporter {
  private readonly outcomes = new Map<string, 'passed' | 'failed' | 'skipped'>();
  private readonly flaky = new Map<string, string>();

  onTestEnd(test: TestCase, result: TestResult): void {
    const outcome = test.outcome();
    if (outcome === 'flaky') this.flaky.set(test.id, test.titlePath().filter(Boolean).join(' › '));
    if (result.status === 'skipped' || outcome === 'skipped') this.outcomes.set(test.id, 'skipped');
    else this.outcomes.set(test.id, outcome === 'expected' || outcome === 'flaky' ? 'passed' : 'failed');
  }

  onEnd(result: FullResult): void {
    // Flaky tests pass on their retry; say which, so they are looked at rather than forgotten.
    for (const title of this.flaky.values()) process.stderr.write(`flaky (passed on retry): ${title}\n`);
    const file = process.env.E2E_SUMMARY_FILE;
    if (!file) return;
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const outcome of this.outcomes.values()) counts[outcome] += 1;
    // A run that broke before any test (a global setup failure, say) must not look green.
    if (result.status !== 'passed' && counts.failed === 0) counts.failed = 1;
    writeFileSync(file, JSON.stringify(counts));
  }
}
