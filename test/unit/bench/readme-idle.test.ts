import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { idleMarkdown, usd } from '../../../bench/report.js';
import type { BenchResults } from '../../../bench/results.js';

const read = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');

describe('README "A month without traffic"', () => {
  const results = JSON.parse(read('bench/results-cost.json')) as BenchResults;
  const readme = read('README.md');

  it('holds the idle table of the results file, as the bench prints it', () => {
    expect(results.idle).toBeDefined();
    if (!results.idle) return;
    expect(readme).toContain(idleMarkdown(results.idle));
    const verdict = results.idle.lean.perMonth < 3 ? 'is met' : 'is missed';
    expect(readme).toContain(`${verdict} at ${usd(results.idle.lean.perMonth)}`);
  });
});
