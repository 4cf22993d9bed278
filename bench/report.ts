import type { IdleReport } from './idle-cost.js';
import { HOURS_PER_MONTH } from './prices.js';
import type { BenchResults } from './results.js';
import { round } from './stats.js';

/** A plain text table: columns padded to their widest cell, numbers right-aligned. */
export function table(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const ragged = rows.find((r) => r.length !== headers.length);
  if (ragged) throw new Error(`table row has ${ragged.length} cells for ${headers.length} headers`);
  const cells = [headers, ...rows].map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map((_, i) => rows.every((r) => typeof r[i] === 'number' || r[i] === '-'));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [
    line(cells[0] ?? []),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.slice(1).map(line),
  ].join('\n');
}

/** Numbers for people: thousands separators, at most 2 decimals (more for tiny values). */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return '-';
  const abs = Math.abs(n);
  const digits = abs === 0 || abs >= 100 ? 0 : abs >= 1 ? 2 : abs >= 0.01 ? 3 : 6;
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

const kb = (bytes: number) => `${round(bytes / 1024, 1)} KB`;
const ms = (n: number | undefined) => (n === undefined ? '-' : round(n, 1));

/** The terminal report of a run. */
export function renderReport(r: BenchResults): string {
  const out: string[] = [];
  const m = r.meta;
  out.push(
    `LeadHub bench — ${m.date}, node ${m.node}, ${m.cpus} CPUs (${m.cpuModel}), commit ${m.gitCommit}${m.gitDirty ? ' (dirty)' : ''}`,
    `load average at start ${m.loadAverageAtStart.join(' ')}, at end ${m.loadAverageAtEnd.join(' ')} (other work on the machine skews every number)`,
  );

  if (r.ingest.length > 0) {
    out.push('', 'Ingest (signed requests, autocannon; ms)');
    out.push(
      table(
        ['source', 'run', 'offered/s', 'conns', 'accepted/s', 'p50', 'p95', 'p99', 'non-accepted'],
        r.ingest.map((i) => [
          i.source,
          `${i.mode}${i.ingestOnly ? ' (ingest path only)' : ''}`,
          i.offeredPerSecond ?? '-',
          i.connections,
          i.acceptedPerSecond,
          ms(i.latency?.p50),
          ms(i.latency?.p95),
          ms(i.latency?.p99),
          i.rejected + i.errors,
        ]),
      ),
    );
  }

  if (r.endToEnd.length > 0) {
    out.push('', 'End to end (request → Slack webhook request; ms)');
    out.push(
      table(
        [
          'source',
          'batching',
          'leads',
          'offered/s',
          'alerts/s',
          'alerted',
          'missing',
          'dup',
          'p50',
          'p95',
          'p99',
          'max',
          'ingest p99',
        ],
        r.endToEnd.map((e) => [
          e.source,
          e.batching,
          e.leads,
          e.offeredPerSecond,
          e.alertsPerSecond,
          e.alerted,
          e.missing,
          e.duplicateAlerts,
          ms(e.endToEnd?.p50),
          ms(e.endToEnd?.p95),
          ms(e.endToEnd?.p99),
          ms(e.endToEnd?.max),
          ms(e.ingest?.p99),
        ]),
      ),
    );
  }

  if (r.bundles.length > 0) {
    out.push(
      '',
      `Lambda bundles (esbuild, minified ESM; init = median import in a fresh node ${m.node}; ` +
        'SDK on first call = importing, after the bundle, every @aws-sdk package it can load on first use ' +
        '(an upper bound: each loads at the first call that needs it); ' +
        'data files ship beside index.mjs and load at first use)',
    );
    out.push(
      table(
        [
          'function',
          'bytes',
          'size',
          'gzip',
          'init ms',
          'externals at init ms',
          'SDK on first call ms',
          'data files',
          'largest inputs',
        ],
        r.bundles.map((b) => [
          b.fn,
          b.bytes,
          kb(b.bytes),
          kb(b.gzipBytes),
          b.initMs,
          b.externalsInitMs,
          b.sdkOnFirstCall.length > 0 ? `${b.sdkFirstCallMs} (${b.sdkOnFirstCall.length} packages)` : '-',
          b.dataFiles.map((d) => `${d.name} ${kb(d.bytes)}, load ${d.loadMs} ms`).join('; ') || '-',
          b.largestInputs
            .slice(0, 3)
            .map((x) => `${x.input} ${kb(x.bytes)}`)
            .join(', '),
        ]),
      ),
    );
  }

  for (const c of r.cost) {
    out.push(
      '',
      `Cost per lead (${c.source}: ${c.leads} leads metered at ${c.perSecond}/s, time-based parts at ${c.modelPerSecond}/s; ` +
        `list prices ${r.prices.region} as of ${r.prices.asOf})`,
    );
    out.push(
      table(
        ['service', 'item', 'per lead', 'unit', '$ per 1M leads', 'share', 'basis'],
        c.report.lines.map((l) => [
          l.service,
          l.item,
          round(l.perLead, 6),
          l.unit,
          round(l.perMillion, 3),
          `${round((l.perMillion / c.report.allPerMillion) * 100, 1)} %`,
          `${l.basis}${l.core ? '' : ', not in core total'}`,
        ]),
      ),
    );
    out.push(
      `  core total (issue's services): $${round(c.report.corePerMillion, 2)} per million leads; ` +
        `with CloudWatch Logs and X-Ray: $${round(c.report.allPerMillion, 2)}`,
    );
    const lat = c.report.latencyAssumptionsMs;
    out.push(
      '',
      '  Lambda per lead (modelled ms = records x compute / vCPU share of its memory + waits: ' +
        `DynamoDB ${lat.dynamo}, SQS ${lat.sqsSend}, PutEvents ${lat.putEvents}, Slack ${lat.slackPost} ms per call)`,
    );
    out.push(
      indent(
        table(
          [
            'function',
            'invocations/lead',
            'records/inv',
            'compute ms/record',
            'loaded wall ms/inv',
            'modelled ms/inv',
            'memory MB',
            'GB-s/lead',
          ],
          c.report.functions
            .filter((f) => f.invocationsPerLead > 0)
            .map((f) => [
              f.fn,
              round(f.invocationsPerLead, 3),
              round(f.recordsPerInvocation, 1),
              round(f.computeMsPerRecord, 2),
              round(f.localMsPerInvocation, 1),
              round(f.modelledMsPerInvocation, 1),
              f.memoryMb,
              round(f.gbSecondsPerLead, 5),
            ]),
        ),
      ),
    );
    out.push('', '  DynamoDB per step (who writes what, per lead)');
    out.push(
      indent(
        table(
          ['function', 'op', 'item', 'calls', 'cond. failed', 'WRU', 'GSI WRU', 'RRU', '$ per 1M leads'],
          c.dynamoSteps.map((s) => [
            s.fn,
            s.op,
            s.item,
            round(s.callsPerLead, 2),
            round(s.conditionFailedPerLead, 2),
            round(s.wruPerLead, 2),
            round(s.gsiWruPerLead, 2),
            round(s.rruPerLead, 2),
            round(s.perMillion, 3),
          ]),
        ),
      ),
    );
  }

  if (r.idle) {
    const { lean, full } = r.idle;
    out.push(
      '',
      `Idle month, no traffic (list prices, every hour of ${HOURS_PER_MONTH}): default alarms (lean) and -c alarms=full`,
    );
    out.push(
      table(
        ['service', 'what (lean)', 'lean $/month', 'full $/month', 'basis'],
        lean.lines.map((l, i) => [l.service, l.item, l.perMonth, full.lines[i]?.perMonth ?? 0, l.basis]),
      ),
    );
    out.push(
      `total: lean $${round(lean.perMonth, 2)}, full $${round(full.perMonth, 2)} a month; the permanent free ` +
        `tier would waive up to $${round(lean.freeTierPerMonth, 2)} / $${round(full.freeTierPerMonth, 2)} of it ` +
        'if nothing else in the account used it (not subtracted)',
    );
    out.push('', 'README table (README "Performance and cost"):', idleMarkdown(r.idle));
  }

  for (const s of r.soak) {
    out.push(
      '',
      `Soak (${s.source}, ${s.seconds} s at ${s.perSecond} leads/s, ${s.store} store; start = after ${s.warmupSeconds} s ` +
        'of warm-up; memory read after a full GC)',
    );
    out.push(
      table(
        [
          'RSS idle MB',
          'RSS start MB',
          'RSS end MB',
          'growth MB',
          '2nd half MB/min',
          'heap start MB',
          'heap end MB',
          'dynalite RSS start/end MB',
          'alerted',
          'e2e p99 first/last 20%',
        ],
        [
          [
            s.rssIdleMb,
            s.rssStartMb,
            s.rssEndMb,
            s.rssGrowthMb,
            s.secondHalfSlopeMbPerMinute,
            s.heapStartMb,
            s.heapEndMb,
            s.databaseRssStartMb === undefined
              ? '-'
              : `${s.databaseRssStartMb} / ${s.databaseRssEndMb ?? '-'}`,
            `${s.alerted}/${s.leads}`,
            `${ms(s.endToEndFirst?.p99)} / ${ms(s.endToEndLast?.p99)}`,
          ],
        ],
      ),
    );
  }

  if (r.profile) {
    out.push('', `CPU profile of the hub process (${r.profile.file})`);
    out.push(
      table(
        ['where', 'self time'],
        r.profile.groups.map((g) => [g.group, `${round(g.share * 100, 1)} %`]),
      ),
    );
  }

  if (r.targets.length > 0) {
    out.push('', 'Targets (goals measured here, never asserted in tests)');
    out.push(
      table(
        ['target', 'goal', 'measured', 'met'],
        r.targets.map((t) => [t.name, t.goal, t.measured, t.met ? 'yes' : 'NO']),
      ),
    );
  }
  for (const note of r.notes) out.push(`note: ${note}`);
  return out.join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

/** Dollars for the idle table: cents, or four decimals below a cent so that no part reads as free. */
export function usd(n: number): string {
  if (n === 0) return '$0';
  return n < 0.01 ? `$${n.toFixed(4)}` : `$${n.toFixed(2)}`;
}

/**
 * The idle month as the README shows it, from a results file: README numbers are pasted from this
 * output, never typed, and a unit test checks that README.md holds it.
 */
export function idleMarkdown(idle: { lean: IdleReport; full: IdleReport }): string {
  const { lean, full } = idle;
  const rows = lean.lines.map((l, i) => {
    const f = full.lines[i];
    if (!f || f.part !== l.part) throw new Error(`idle lines differ between alarm sets at ${l.part}`);
    const item = f.item === l.item ? l.item : `${l.item} (full: ${f.item})`;
    return `| ${l.service} | ${item} | ${usd(l.perMonth)} | ${usd(f.perMonth)} | ${l.basis} |`;
  });
  return [
    '| service | what | default (`lean`) | `-c alarms=full` | price and assumption |',
    '|---|---|---|---|---|',
    ...rows,
    `| **total** | at list price | **${usd(lean.perMonth)}** | **${usd(full.perMonth)}** | |`,
    `| free tier | the permanent free tier, if nothing else in the account used it (not subtracted above) | −${usd(lean.freeTierPerMonth)} | −${usd(full.freeTierPerMonth)} | ${lean.freeTier.map((t) => t.item).join('; ')} |`,
  ].join('\n');
}
