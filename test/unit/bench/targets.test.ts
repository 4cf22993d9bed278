import { describe, expect, it } from 'vitest';
import type { BenchResults } from '../../../bench/results.js';
import { evaluateTargets } from '../../../bench/results.js';

const latency = (p99: number) => ({
  count: 100,
  min: 1,
  mean: p99 / 2,
  p50: p99 / 2,
  p95: p99 * 0.9,
  p99,
  max: p99,
});

function results(over: Partial<Pick<BenchResults, 'ingest' | 'endToEnd' | 'bundles' | 'cost' | 'soak'>>) {
  return { ingest: [], endToEnd: [], bundles: [], cost: [], soak: [], ...over } as Pick<
    BenchResults,
    'ingest' | 'endToEnd' | 'bundles' | 'cost' | 'soak'
  >;
}

describe('evaluateTargets', () => {
  it('checks the fast end-to-end run only, and counts a missing alert as a miss', () => {
    const e2e = {
      source: 'form',
      leads: 2000,
      offeredPerSecond: 50,
      accepted: 2000,
      rejected: 0,
      alerted: 1999,
      missing: 1,
      duplicateAlerts: 0,
      alertsPerSecond: 50,
      endToEnd: latency(400),
    };
    const targets = evaluateTargets(
      results({
        endToEnd: [
          { ...e2e, batching: 'fast (10 ms window)' },
          { ...e2e, batching: 'as deployed' },
        ],
      }),
    );
    expect(targets).toHaveLength(1);
    expect(targets[0]?.met).toBe(false);
    expect(evaluateTargets(results({ endToEnd: [{ ...e2e, missing: 0, batching: 'fast' }] }))[0]?.met).toBe(
      true,
    );
  });

  it('needs the fixed rate sustained as well as a low p99, and 1,000/s at saturation', () => {
    const base = {
      source: 'form',
      connections: 10,
      durationSeconds: 10,
      requests: 1,
      accepted: 1,
      rejected: 0,
      errors: 0,
      timeouts: 0,
      ingestOnly: false,
    };
    const [slowRate, saturation, ingestAlone] = evaluateTargets(
      results({
        ingest: [
          {
            ...base,
            mode: 'fixed-rate',
            offeredPerSecond: 200,
            acceptedPerSecond: 120,
            latency: latency(20),
          },
          { ...base, mode: 'saturation', acceptedPerSecond: 1200, latency: latency(90) },
          { ...base, mode: 'saturation', acceptedPerSecond: 10, latency: latency(90), ingestOnly: true },
        ],
      }),
    );
    expect(slowRate?.met).toBe(false);
    expect(saturation?.met).toBe(true);
    // The ingest path alone (as on AWS) is a target of its own, named as such.
    expect(saturation?.name).toBe('form: signed requests/s at saturation (whole pipeline in one process)');
    expect(ingestAlone).toMatchObject({
      name: 'form: signed requests/s at saturation (ingest path alone)',
      measured: '10/s',
      met: false,
    });
  });

  it('checks bundle size and init together, and soak growth in the second half against 5 %', () => {
    const targets = evaluateTargets(
      results({
        bundles: [
          {
            fn: 'small',
            bytes: 100_000,
            gzipBytes: 1,
            initMs: 50,
            initRunsMs: [],
            externals: [],
            externalsInitMs: 0,
            sdkOnFirstCall: [],
            sdkFirstCallMs: 0,
            dataFiles: [],
            largestInputs: [],
          },
          {
            fn: 'slow',
            bytes: 100_000,
            gzipBytes: 1,
            initMs: 150,
            initRunsMs: [],
            externals: [],
            externalsInitMs: 0,
            sdkOnFirstCall: [],
            sdkFirstCallMs: 0,
            dataFiles: [],
            largestInputs: [],
          },
        ],
        soak: [
          {
            source: 'form',
            seconds: 60,
            perSecond: 20,
            store: 'file',
            leads: 1,
            alerted: 1,
            rssIdleMb: 100,
            rssStartMb: 200,
            rssEndMb: 215,
            rssGrowthMb: 15,
            rssGrowthMbPerMinute: 15,
            warmupSeconds: 18,
            // 15 MB overall, but only 5 MB in the second half (under 5 % of 215 MB): flat.
            secondHalfSlopeMbPerMinute: 10,
            secondHalfGrowthMb: 5,
            heapStartMb: 1,
            heapEndMb: 1,
            samples: [],
          },
        ],
      }),
    );
    expect(targets.map((t) => t.met)).toEqual([true, false, true]);
    const soak = targets[2];
    expect(soak?.measured).toContain('+5 MB');
  });

  it('fails a soak whose second half keeps growing', () => {
    const soak = {
      source: 'form',
      seconds: 600,
      perSecond: 10,
      store: 'file' as const,
      leads: 1,
      alerted: 1,
      rssIdleMb: 100,
      rssStartMb: 200,
      rssEndMb: 300,
      rssGrowthMb: 100,
      rssGrowthMbPerMinute: 11,
      warmupSeconds: 60,
      secondHalfSlopeMbPerMinute: 10,
      secondHalfGrowthMb: 50,
      heapStartMb: 1,
      heapEndMb: 1,
      samples: [],
    };
    expect(evaluateTargets(results({ soak: [soak] }))[0]?.met).toBe(false);
  });
});
