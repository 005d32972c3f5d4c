import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Counts every test of every session; a session that failed without any failing test (it did not load, or a hook or uncaught error broke it) counts as one failure, so the totals never look green when the run is not. */
export function summarize(sessions) {
  const totals = { passed: 0, failed: 0, skipped: 0 };
  for (const session of sessions) {
    const failedBefore = totals.failed;
    if (session.testResults) countSuite(session.testResults, totals);
    if (session.passed === false && totals.failed === failedBefore) totals.failed += 1;
  }
  return totals;
}

function countSuite(suite, totals) {
  for (const test of suite.tests) {
    if (test.skipped) totals.skipped += 1;
    else if (test.passed) totals.passed += 1;
    else totals.failed += 1;
  }
  for (const child of suite.suites) countSuite(child, totals);
}

/** Writes `{passed, failed, skipped}` as JSON to `file` after every test run; does nothing without a file. */
export function summaryFileReporter({ file = process.env.WTR_SUMMARY_FILE } = {}) {
  return {
    onTestRunFinished({ sessions }) {
      if (!file) return;
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, `${JSON.stringify(summarize(sessions))}\n`);
    },
  };
}
