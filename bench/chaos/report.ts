import type { FuzzReport } from './fuzz.js';
import type { ChaosReport, HostileCaseTally } from './harness.js';

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** One line per delivery run: what was sent, what the hub owed, and what it delivered. */
export function renderRuns(reports: readonly ChaosReport[]): string {
  return table(
    [
      'scenario',
      'sent',
      'dups',
      'unique',
      'accepted',
      'refused',
      'stored',
      'scored',
      'alerted',
      'in DLQ',
      'stuck',
      'lost',
      'doubled',
      'faults',
      'seconds',
      'result',
    ],
    reports.map((r) => [
      r.name,
      String(r.sent),
      String(r.duplicatesSent),
      String(r.uniqueLeads),
      String(r.accepted),
      String(r.refused),
      String(r.stored),
      String(r.scored),
      String(r.alerted),
      r.inDlq < 0 ? '?' : String(r.inDlq),
      String(r.stuck),
      String(r.lost),
      String(r.doubled),
      String(r.faults.total),
      r.seconds.toFixed(1),
      r.ok ? 'ok' : 'FAIL',
    ]),
  );
}

/** The details behind a delivery run's line: faults by service and kind, recovery, and any lost ids. */
export function renderRunDetail(r: ChaosReport): string {
  const lines = [
    `${r.name} (seed ${r.seed}, fault rate ${r.faultRate}, sources ${r.sources.join(', ')})`,
    `  requests ${r.requests} (${Object.entries(r.statuses)
      .map(([s, n]) => `${s}: ${n}`)
      .join(', ')}), unacknowledged leads ${r.unacknowledged}`,
    `  dead letters: capture ${r.deadLettered.capture}, enrich ${r.deadLettered.enrich}, slack ${r.deadLettered.slack}; redriven ${r.redriven}; swept ${r.swept} (recovery) + ${r.sweptByTimer} (sweep timer); pending receipts ${r.pendingReceipts}; failed receipts ${r.failedReceipts}; quarantined ${r.quarantined}`,
    `  platform reads ${r.platformCalls}, Slack posts ${r.slackRequests}, hub warnings ${r.hubWarnings}, settled ${r.settled} after ${r.rounds} round(s)`,
  ];
  if (r.faults.total > 0) {
    const faults = Object.entries(r.faults.injected)
      .filter(([, kinds]) => Object.keys(kinds).length > 0)
      .map(
        ([service, kinds]) =>
          `${service} ${Object.entries(kinds)
            .map(([k, n]) => `${k} ${n}`)
            .join(
              ', ',
            )}${r.faults.calls[service as keyof typeof r.faults.calls] ? ` of ${r.faults.calls[service as keyof typeof r.faults.calls]} calls` : ''}`,
      );
    lines.push(`  faults injected: ${faults.join('; ')}`);
  }
  const sample = (ids: string[]) => `${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''}`;
  const { notStored, notScored, notAlerted, refused } = r.lostDetail;
  if (notStored.length > 0) lines.push(`  NOT STORED (${notStored.length}): ${sample(notStored)}`);
  if (notScored.length > 0) lines.push(`  NOT SCORED (${notScored.length}): ${sample(notScored)}`);
  if (notAlerted.length > 0) lines.push(`  NOT ALERTED (${notAlerted.length}): ${sample(notAlerted)}`);
  if (refused.length > 0) lines.push(`  REAL LEADS REFUSED (${refused.length}): ${sample(refused)}`);
  if (r.refusedButStored.length > 0)
    lines.push(`  STORED AFTER A 4xx (${r.refusedButStored.length}): ${sample(r.refusedButStored)}`);
  const { storedTwice, alertedTwice } = r.doubledDetail;
  if (storedTwice.length > 0) lines.push(`  STORED TWICE (${storedTwice.length}): ${sample(storedTwice)}`);
  if (alertedTwice.length > 0)
    lines.push(`  ALERTED TWICE (${alertedTwice.length}): ${sample(alertedTwice)}`);
  if (r.strangers > 0) lines.push(`  UNKNOWN STORED LEADS: ${r.strangers}`);
  if (r.hostile) lines.push(indent(renderHostileCases(r.hostile)));
  return lines.join('\n');
}

const indent = (text: string) =>
  text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');

/** The hostile scenario per case: the hub's answers, and what it owes and delivered for those leads. */
export function renderHostileCases(cases: readonly HostileCaseTally[]): string {
  return table(
    [
      'hostile case',
      'leads',
      'sent',
      'answers',
      'accepted',
      'refused',
      'stored',
      'alerted',
      'lost',
      'doubled',
      'result',
    ],
    cases.map((c) => [
      c.case,
      String(c.leads),
      String(c.sent),
      Object.entries(c.statuses)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([s, n]) => `${s}:${n}`)
        .join(' '),
      String(c.accepted),
      String(c.refused),
      String(c.stored),
      String(c.alerted),
      String(c.lost),
      String(c.doubled),
      c.lost === 0 && c.doubled === 0 ? 'ok' : 'FAIL',
    ]),
  );
}

export function renderFuzz(reports: readonly FuzzReport[]): string {
  const body = table(
    ['fuzz family', 'requests', 'answers', 'stored', 'result'],
    reports.map((r) => [
      r.family,
      String(r.runs),
      Object.entries(r.statuses)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([s, n]) => `${s}:${n}`)
        .join(' '),
      r.family === 'forged' ? String(r.storedByForged) : '-',
      r.failure || r.storedByForged > 0 ? 'FAIL' : 'ok',
    ]),
  );
  const failures = reports
    .filter((r) => r.failure)
    .map(
      (r) =>
        `  ${r.family}: ${r.failure?.reason}\n    counterexample (seed ${r.seed}): ${r.failure?.request}`,
    );
  return [body, ...failures].join('\n');
}
