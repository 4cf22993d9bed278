import type { LeadStore, StageDuration, StageTimings } from '../ports.js';

/**
 * The stages of the speed-to-lead clock, each the time from one timestamp to the next, plus the two
 * totals sales cares about: platform created → alerted, and platform created → claimed.
 */
export const STAGES = [
  { stage: 'received', from: 'platformCreatedAt', to: 'receivedAt' },
  { stage: 'captured', from: 'receivedAt', to: 'capturedAt' },
  { stage: 'scored', from: 'capturedAt', to: 'scoredAt' },
  { stage: 'alerted', from: 'scoredAt', to: 'alertedAt' },
  { stage: 'claimed', from: 'alertedAt', to: 'claimedAt' },
  { stage: 'createdToAlerted', from: 'platformCreatedAt', to: 'alertedAt' },
  { stage: 'createdToClaimed', from: 'platformCreatedAt', to: 'claimedAt' },
] as const satisfies readonly { stage: string; from: keyof StageTimings; to: keyof StageTimings }[];

export type StageName = (typeof STAGES)[number]['stage'];

/** Durations of the stages whose two timestamps are known (never negative: platform clocks drift). */
export function stageDurations(timings: StageTimings, only?: readonly StageName[]): StageDuration[] {
  const out: StageDuration[] = [];
  for (const { stage, from, to } of STAGES) {
    if (only && !only.includes(stage)) continue;
    const a = timings[from];
    const b = timings[to];
    if (!a || !b) continue;
    const ms = Date.parse(b) - Date.parse(a);
    if (Number.isFinite(ms)) out.push({ stage, ms: Math.max(0, ms) });
  }
  return out;
}

export interface StageStats {
  count: number;
  p50Ms: number;
  p95Ms: number;
}

export interface SpeedGroup {
  leads: number;
  stages: Partial<Record<StageName, StageStats>>;
}

export interface SpeedSummary {
  from: string;
  to: string;
  days: number;
  /** Real leads in the window (test leads are left out). */
  leads: number;
  stages: Partial<Record<StageName, StageStats>>;
  bySource: Record<string, SpeedGroup>;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] as number;
}

function group(rows: readonly StageTimings[]): SpeedGroup {
  const values = new Map<StageName, number[]>();
  for (const row of rows) {
    for (const { stage, ms } of stageDurations(row)) {
      const list = values.get(stage as StageName) ?? [];
      list.push(ms);
      values.set(stage as StageName, list);
    }
  }
  const stages: SpeedGroup['stages'] = {};
  for (const { stage } of STAGES) {
    const list = values.get(stage);
    if (!list) continue;
    list.sort((a, b) => a - b);
    stages[stage] = { count: list.length, p50Ms: percentile(list, 50), p95Ms: percentile(list, 95) };
  }
  return { leads: rows.length, stages };
}

/** p50/p95 per stage, overall and per source, for the real leads received in the last `days` days. */
export async function speedToLeadSummary(
  store: Pick<LeadStore, 'listLeadTimings'>,
  now: Date,
  days: number,
): Promise<SpeedSummary> {
  const to = now.toISOString();
  const from = new Date(now.getTime() - days * 86_400_000).toISOString();
  const rows = (await store.listLeadTimings(from, to)).filter((r) => !r.isTest);
  const bySource: Record<string, SpeedGroup> = {};
  for (const source of [...new Set(rows.map((r) => r.source))].sort()) {
    bySource[source] = group(rows.filter((r) => r.source === source));
  }
  const all = group(rows);
  return { from, to, days, leads: all.leads, stages: all.stages, bySource };
}

/** The summary as a few readable lines (the local runtime prints it on exit). */
export function formatSpeedSummary(summary: SpeedSummary): string {
  const lines = [`Speed to lead, last ${summary.days} days: ${summary.leads} lead(s)`];
  const fmt = (ms: number) =>
    ms < 1000 ? `${ms} ms` : ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60_000).toFixed(1)} min`;
  for (const [source, g] of Object.entries(summary.bySource)) {
    const parts = STAGES.filter(({ stage }) => g.stages[stage]).map(({ stage }) => {
      const s = g.stages[stage] as StageStats;
      return `${stage} p50 ${fmt(s.p50Ms)} p95 ${fmt(s.p95Ms)} (n=${s.count})`;
    });
    lines.push(`  ${source} (${g.leads}): ${parts.join('; ') || 'no stage timings yet'}`);
  }
  return lines.join('\n');
}
