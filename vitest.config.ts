import { defineConfig } from 'vitest/config';
import type { TestModule } from 'vitest/node';

// Prints one plain closing line ("N passed, N failed, N skipped") that log readers understand.
const summaryReporter = {
  onTestRunEnd(modules: ReadonlyArray<TestModule>) {
    const count = (state: 'passed' | 'failed' | 'skipped') =>
      modules.reduce((n, m) => n + [...m.children.allTests(state)].length, 0);
    console.log(`${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped`);
  },
};

export default defineConfig({
  test: {
    reporters: ['default', summaryReporter],
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/dynalite-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          // The grants test runs every function against dynalite (test/infra/grants-match-use.test.ts).
          globalSetup: ['test/support/dynalite-setup.ts'],
          testTimeout: 120_000,
        },
      },
    ],
  },
});
