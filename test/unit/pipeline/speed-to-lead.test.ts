import type { Metrics } from '@aws-lambda-powertools/metrics';
import { describe, expect, it } from 'vitest';
import { createPowertoolsSpeedMetrics } from '../../../lib/adapters/metrics/speed-metrics.js';
import {
  formatSpeedSummary,
  percentile,
  speedToLeadSummary,
  stageDurations,
} from '../../../lib/pipeline/speed-to-lead.js';
import type { LeadTimingsRow } from '../../../lib/ports.js';

const t0 = Date.parse('2026-01-05T10:00:00.000Z');
const at = (ms: number) => new Date(t0 + ms).toISOString();

function row(i: number, overrides: Partial<LeadTimingsRow> = {}): LeadTimingsRow {
  return {
    leadId: `ld_${i}`,
    source: 'form',
    isTest: false,
    platformCreatedAt: at(0),
    receivedAt: at(100 * i),
    capturedAt: at(100 * i + 200),
    scoredAt: at(100 * i + 500),
    alertedAt: at(100 * i + 1000),
    claimedAt: at(60_000 * i),
    ...overrides,
  };
}

describe('stage durations', () => {
  it('measures each stage from the previous timestamp, plus the two totals', () => {
    expect(stageDurations(row(1))).toEqual([
      { stage: 'received', ms: 100 },
      { stage: 'captured', ms: 200 },
      { stage: 'scored', ms: 300 },
      { stage: 'alerted', ms: 500 },
      { stage: 'claimed', ms: 58_900 },
      { stage: 'createdToAlerted', ms: 1100 },
      { stage: 'createdToClaimed', ms: 60_000 },
    ]);
  });

  it('skips stages without both ends, clamps drift at zero and can be limited', () => {
    const partial = { platformCreatedAt: at(5000), receivedAt: at(1000) };
    expect(stageDurations(partial)).toEqual([{ stage: 'received', ms: 0 }]);
    expect(stageDurations(row(1), ['claimed'])).toEqual([{ stage: 'claimed', ms: 58_900 }]);
  });

  it('percentile is nearest-rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBe(0);
  });
});

describe('speedToLeadSummary', () => {
  it('gives p50/p95 per stage, overall and per source, leaving test leads out', async () => {
    const rows = [
      ...Array.from({ length: 20 }, (_, i) => row(i + 1)),
      row(99, { source: 'meta', claimedAt: undefined }),
      row(98, { isTest: true, source: 'tiktok' }),
    ];
    let asked: [string, string] | undefined;
    const summary = await speedToLeadSummary(
      {
        listLeadTimings: async (from, to) => {
          asked = [from, to];
          return rows;
        },
      },
      new Date('2026-01-08T00:00:00.000Z'),
      7,
    );
    expect(asked).toEqual(['2026-01-01T00:00:00.000Z', '2026-01-08T00:00:00.000Z']);
    expect(summary.leads).toBe(21);
    expect(Object.keys(summary.bySource)).toEqual(['form', 'meta']);
    expect(summary.bySource.form?.stages.createdToClaimed).toEqual({
      count: 20,
      p50Ms: 600_000,
      p95Ms: 1_140_000,
    });
    expect(summary.bySource.meta?.stages.createdToClaimed).toBeUndefined();
    expect(summary.stages.received).toEqual({ count: 21, p50Ms: 1100, p95Ms: 2000 });
    const text = formatSpeedSummary(summary);
    expect(text).toContain('Speed to lead, last 7 days: 21 lead(s)');
    expect(text).toMatch(/form \(20\): received p50 1\.0 s p95 1\.9 s \(n=20\)/);
    expect(text).toContain('createdToClaimed p50 10.0 min p95 19.0 min (n=20)');
  });
});

describe('Powertools speed metrics', () => {
  it('emits StageLatency per stage with source and stage dimensions, and nothing for test leads', () => {
    const emitted: { dimensions: Record<string, string>; name: string; unit: string; value: number }[] = [];
    const fake = {
      singleMetric() {
        const dimensions: Record<string, string> = {};
        return {
          addDimensions(d: Record<string, string>) {
            Object.assign(dimensions, d);
          },
          addMetric(name: string, unit: string, value: number) {
            emitted.push({ dimensions, name, unit, value });
          },
        };
      },
    } as unknown as Metrics;
    const metrics = createPowertoolsSpeedMetrics(fake);
    metrics.recordStages({ source: 'meta', isTest: false }, [
      { stage: 'received', ms: 120 },
      { stage: 'alerted', ms: 900 },
    ]);
    metrics.recordStages({ source: 'meta', isTest: true }, [{ stage: 'received', ms: 1 }]);
    expect(emitted).toEqual([
      {
        dimensions: { source: 'meta', stage: 'received' },
        name: 'StageLatency',
        unit: 'Milliseconds',
        value: 120,
      },
      {
        dimensions: { source: 'meta', stage: 'alerted' },
        name: 'StageLatency',
        unit: 'Milliseconds',
        value: 900,
      },
    ]);
  });
});
