import type { IdleReport } from './idle-cost.js';
import type { BundleResult } from './phases/bundles.js';
import type { CostResult } from './phases/cost.js';
import type { EndToEndResult } from './phases/e2e.js';
import type { IngestResult } from './phases/ingest.js';
import type { SoakResult } from './phases/soak.js';
import { round } from './stats.js';

/** bench/results.json. */
export interface BenchResults {
  meta: {
    date: string;
    node: string;
    platform: string;
    cpus: number;
    cpuModel: string;
    memoryMb: number;
    /** 1, 5 and 15 minute load averages: other work on the machine skews every number here. */
    loadAverageAtStart: number[];
    loadAverageAtEnd: number[];
    gitCommit: string;
    gitDirty: boolean;
    command: string;
    options: unknown;
    seconds: number;
  };
  prices: { asOf: string; region: string; table: Record<string, number> };
  ingest: (IngestResult & { ingestOnly: boolean })[];
  endToEnd: (EndToEndResult & { batching: string })[];
  bundles: BundleResult[];
  cost: CostResult[];
  /** A month without traffic, by alarm set (measured with the cost phase; it depends on the stack only). */
  idle?: { lean: IdleReport; full: IdleReport };
  soak: SoakResult[];
  profile?: { file: string; groups: { group: string; share: number }[] };
  targets: Target[];
  notes: string[];
}

export interface Target {
  name: string;
  goal: string;
  measured: string;
  met: boolean;
}

/** The targets, checked against what was measured (reported, never asserted). */
export function evaluateTargets(
  r: Pick<BenchResults, 'ingest' | 'endToEnd' | 'bundles' | 'cost' | 'soak' | 'idle'>,
): Target[] {
  const targets: Target[] = [];
  for (const e of r.endToEnd.filter((x) => x.batching.startsWith('fast'))) {
    const p99 = e.endToEnd?.p99;
    targets.push({
      name: `${e.source}: webhook → Slack p99 at ${e.offeredPerSecond}/s`,
      goal: '< 1000 ms, none missing',
      measured: p99 === undefined ? 'no alerts' : `${round(p99, 0)} ms, ${e.missing} missing`,
      met: p99 !== undefined && p99 < 1000 && e.missing === 0,
    });
  }
  // Both rows count: the ingest path alone is what an ingest Lambda does on AWS (capture runs in other
  // Lambdas there); the whole pipeline in one process is what `npm start` does.
  for (const i of r.ingest) {
    const where = i.ingestOnly ? 'ingest path alone' : 'whole pipeline in one process';
    if (i.mode === 'fixed-rate') {
      const p99 = i.latency?.p99;
      targets.push({
        name: `${i.source}: ingest p99 at ${i.offeredPerSecond}/s offered (${where})`,
        goal: '< 50 ms (and the rate sustained)',
        measured: `${p99 === undefined ? '-' : round(p99, 1)} ms at ${i.acceptedPerSecond}/s`,
        met: p99 !== undefined && p99 < 50 && i.acceptedPerSecond >= (i.offeredPerSecond ?? 0) * 0.95,
      });
    } else {
      targets.push({
        name: `${i.source}: signed requests/s at saturation (${where})`,
        goal: '>= 1000/s',
        measured: `${i.acceptedPerSecond}/s`,
        met: i.acceptedPerSecond >= 1000,
      });
    }
  }
  for (const b of r.bundles) {
    targets.push({
      name: `${b.fn}: bundle size / init`,
      goal: '< 300 KB / < 100 ms',
      measured: `${round(b.bytes / 1024, 1)} KB / ${b.initMs} ms`,
      met: b.bytes < 300 * 1024 && b.initMs < 100,
    });
  }
  for (const c of r.cost) {
    targets.push({
      name: `${c.source}: $ per million leads (core services)`,
      goal: '< $5',
      measured: `$${round(c.report.corePerMillion, 2)}`,
      met: c.report.corePerMillion < 5,
    });
  }
  if (r.idle) {
    targets.push({
      name: 'a month without traffic, default (lean) alarms',
      goal: '< $3 at list price',
      measured: `$${round(r.idle.lean.perMonth, 2)} (full alarms: $${round(r.idle.full.perMonth, 2)})`,
      met: r.idle.lean.perMonth < 3,
    });
  }
  for (const s of r.soak) {
    // "Flat": the second half of the run (caches full by then) adds under 5 % to the RSS.
    const limit = s.rssEndMb * 0.05;
    targets.push({
      name: `${s.source}: RSS across a ${s.seconds} s soak (${s.store} store)`,
      goal: `flat (2nd half grows < ${round(limit, 0)} MB)`,
      measured: `${s.rssStartMb} → ${s.rssEndMb} MB; 2nd half ${s.secondHalfGrowthMb >= 0 ? '+' : ''}${s.secondHalfGrowthMb} MB`,
      met: s.secondHalfGrowthMb < limit,
    });
  }
  return targets;
}
