import { performance } from 'node:perf_hooks';
import type { FakeSlack } from '../fake-slack.js';
import type { HubMemory, HubProcess } from '../hub/client.js';
import { sendPaced } from '../load/paced.js';
import type { BenchSource } from '../sources/types.js';
import { type LatencySummary, round, slope, summarise } from '../stats.js';

const MB = 1024 * 1024;

export interface SoakSample {
  atSeconds: number;
  rssMb: number;
  heapUsedMb: number;
  /** The dynalite process's RSS (it runs beside the hub). */
  databaseRssMb?: number;
}

export interface SoakResult {
  source: string;
  seconds: number;
  perSecond: number;
  store: 'memory' | 'file';
  leads: number;
  alerted: number;
  /** RSS right after start (idle), at the end of the warm-up, and at the end of the run. */
  rssIdleMb: number;
  rssStartMb: number;
  rssEndMb: number;
  /** End minus start (after warm-up): what a leak would show as; and the same per minute. */
  rssGrowthMb: number;
  rssGrowthMbPerMinute: number;
  warmupSeconds: number;
  /**
   * RSS trend over the second half of the run (least-squares slope of the samples, MB per minute) and
   * the growth it amounts to over that half: robust to one noisy reading, and past the caches' fill-up.
   */
  secondHalfSlopeMbPerMinute: number;
  secondHalfGrowthMb: number;
  /** Heap after a full GC at the end of warm-up and at the end. */
  heapStartMb: number;
  heapEndMb: number;
  /** The dynalite process's RSS at the end of warm-up and at the end (absent with an external endpoint). */
  databaseRssStartMb?: number;
  databaseRssEndMb?: number;
  samples: SoakSample[];
  /** End-to-end latency over the first and the last 20 % of the leads: a growing backlog shows here. */
  endToEndFirst?: LatencySummary;
  endToEndLast?: LatencySummary;
}

/**
 * A steady rate for `seconds`, reading the hub process's memory every few seconds. RSS "start" is taken
 * after a warm-up (JIT, caches and pools filled), so growth measures what the run keeps accumulating.
 */
export async function runSoak(options: {
  hub: HubProcess;
  slack: FakeSlack;
  source: BenchSource;
  run: string;
  seconds: number;
  perSecond: number;
  store: 'memory' | 'file';
}): Promise<SoakResult> {
  const { hub, slack, source, run, seconds, perSecond } = options;
  // The store's caches and the allocator's arenas fill during the first part of a run; a leak is what
  // keeps growing after that.
  const warmupSeconds = Math.min(60, Math.max(10, seconds * 0.3));
  const idle = await hub.memory(true);
  const samples: SoakSample[] = [];
  const started = performance.now();
  let startMem: HubMemory | undefined;
  let startAt = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      if (!sampling) break;
      const atSeconds = (performance.now() - started) / 1000;
      const takeStart = !startMem && atSeconds >= warmupSeconds;
      const m = await hub.memory(takeStart);
      if (takeStart) {
        startMem = m;
        startAt = atSeconds;
      }
      samples.push({
        atSeconds: round(atSeconds, 1),
        rssMb: round(m.rss / MB, 1),
        heapUsedMb: round(m.heapUsed / MB, 1),
        ...(m.databaseRss !== undefined ? { databaseRssMb: round(m.databaseRss / MB, 1) } : {}),
      });
    }
  })();
  const paced = await sendPaced({
    baseUrl: hub.url,
    source,
    run,
    count: Math.round(seconds * perSecond),
    perSecond,
  });
  const accepted = paced.sends.filter((s) => s.status === source.acceptedStatus);
  await slack.waitFor(
    accepted.map((s) => s.token),
    60_000,
  );
  sampling = false;
  await sampler;
  const end = await hub.memory(true);
  const endAt = (performance.now() - started) / 1000;
  startMem ??= idle;

  const e2e = accepted.map((s) => {
    const at = slack.arrivals.get(s.token);
    return at === undefined ? undefined : at - s.sentAt;
  });
  const secondHalf = samples
    .filter((x) => x.atSeconds >= endAt / 2)
    .map((x) => ({ x: x.atSeconds / 60, y: x.rssMb }));
  const halfSlope = slope(secondHalf);
  const fifth = Math.max(1, Math.floor(e2e.length / 5));
  const arrived = (xs: (number | undefined)[]) => xs.filter((x): x is number => x !== undefined);
  const first = summarise(arrived(e2e.slice(0, fifth)));
  const last = summarise(arrived(e2e.slice(-fifth)));
  return {
    source: source.name,
    seconds,
    perSecond,
    store: options.store,
    leads: paced.sends.length,
    alerted: arrived(e2e).length,
    rssIdleMb: round(idle.rss / MB, 1),
    rssStartMb: round(startMem.rss / MB, 1),
    rssEndMb: round(end.rss / MB, 1),
    rssGrowthMb: round((end.rss - startMem.rss) / MB, 1),
    rssGrowthMbPerMinute:
      endAt > startAt ? round((end.rss - startMem.rss) / MB / ((endAt - startAt) / 60), 2) : 0,
    warmupSeconds: round(warmupSeconds, 0),
    secondHalfSlopeMbPerMinute: round(halfSlope, 2),
    secondHalfGrowthMb: round(halfSlope * (endAt / 2 / 60), 1),
    heapStartMb: round(startMem.heapUsed / MB, 1),
    heapEndMb: round(end.heapUsed / MB, 1),
    ...(startMem.databaseRss !== undefined
      ? { databaseRssStartMb: round(startMem.databaseRss / MB, 1) }
      : {}),
    ...(end.databaseRss !== undefined ? { databaseRssEndMb: round(end.databaseRss / MB, 1) } : {}),
    samples,
    ...(first ? { endToEndFirst: first } : {}),
    ...(last ? { endToEndLast: last } : {}),
  };
}
