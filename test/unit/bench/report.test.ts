import { describe, expect, it } from 'vitest';
import { costReport, dynamoSteps } from '../../../bench/cost-model.js';
import { idleMonthly } from '../../../bench/idle-cost.js';
import { fmt, idleMarkdown, renderReport, table, usd } from '../../../bench/report.js';
import { type BenchResults, evaluateTargets } from '../../../bench/results.js';
import type { StackShape } from '../../../bench/stack-shape.js';
import { emptyUsage } from '../../../bench/usage.js';

const shape = (alarmSet: 'lean' | 'full', alarmMetrics: number): StackShape => ({
  alarmSet,
  alarms: alarmMetrics - 1,
  alarmMetrics,
  filterMetrics: { total: 1, withDefaultValue: 0 },
  secrets: 1,
  sqsEventSources: { total: 2, withMaxConcurrency: 2 },
  scheduledRuns: [
    {
      rule: 'Sweep',
      schedule: 'rate(5 minutes)',
      task: 'sweep',
      runsPerMonth: 8760,
      memoryMb: 512,
      tracing: true,
    },
  ],
  scheduleGroups: 1,
  eventArchives: 1,
  logGroups: 2,
});
const idle = { lean: idleMonthly(shape('lean', 17)), full: idleMonthly(shape('full', 54)) };

const latency = { count: 10, min: 1, mean: 5, p50: 5, p95: 9, p99: 10, max: 10 };

function fixture(): BenchResults {
  const usage = emptyUsage();
  usage.httpRequests = 10;
  usage.functions['http-forms'].invocations = 10;
  const partial = {
    ingest: [
      {
        source: 'form',
        mode: 'fixed-rate' as const,
        offeredPerSecond: 200,
        connections: 10,
        durationSeconds: 10,
        requests: 2000,
        accepted: 2000,
        rejected: 0,
        errors: 0,
        timeouts: 0,
        acceptedPerSecond: 200,
        latency,
        ingestOnly: false,
      },
    ],
    endToEnd: [
      {
        source: 'form',
        leads: 10,
        offeredPerSecond: 50,
        accepted: 10,
        rejected: 0,
        alerted: 10,
        missing: 0,
        duplicateAlerts: 0,
        alertsPerSecond: 50,
        endToEnd: latency,
        ingest: latency,
        batching: 'fast (10 ms window)',
      },
    ],
    bundles: [
      {
        fn: 'http-forms',
        bytes: 1000,
        gzipBytes: 500,
        initMs: 20,
        initRunsMs: [20],
        externals: [],
        externalsInitMs: 0,
        sdkOnFirstCall: ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb'],
        sdkFirstCallMs: 95.5,
        dataFiles: [{ name: 'email-domains.json.br', bytes: 2048, loadMs: 61 }],
        largestInputs: [{ input: 'zod', bytes: 800 }],
      },
    ],
    cost: [
      {
        source: 'form',
        leads: 10,
        perSecond: 20,
        modelPerSecond: 50,
        report: costReport(usage, 10),
        dynamoSteps: dynamoSteps(usage, 10),
        usage,
        endToEnd: {
          source: 'form',
          leads: 10,
          offeredPerSecond: 20,
          accepted: 10,
          rejected: 0,
          alerted: 10,
          missing: 0,
          duplicateAlerts: 0,
          alertsPerSecond: 20,
        },
      },
    ],
    soak: [],
    idle,
  };
  return {
    meta: {
      date: '2026-11-30T00:00:00.000Z',
      node: 'v24.21.0',
      platform: 'linux x64',
      cpus: 2,
      cpuModel: 'test',
      memoryMb: 1,
      loadAverageAtStart: [0, 0, 0],
      loadAverageAtEnd: [0, 0, 0],
      gitCommit: 'abc',
      gitDirty: false,
      command: 'npm run bench',
      options: {},
      seconds: 1,
    },
    prices: { asOf: '2026-11-30', region: 'us-east-1', table: {} },
    ...partial,
    targets: evaluateTargets(partial),
    notes: ['a note'],
  };
}

describe('report', () => {
  it('renders every section of a run', () => {
    const text = renderReport(fixture());
    for (const heading of [
      'Ingest',
      'End to end',
      'Lambda bundles',
      'Cost per lead',
      'Idle month',
      'Targets',
      'note: a note',
    ]) {
      expect(text).toContain(heading);
    }
    expect(text).toContain('core total');
  });

  it('shows what a bundle leaves to its first calls: SDK clients and data files', () => {
    const text = renderReport(fixture());
    expect(text).toContain('SDK on first call ms');
    expect(text).toContain('95.5 (2 packages)');
    expect(text).toContain('email-domains.json.br 2 KB, load 61 ms');
  });

  it('checks the idle month against its target and prints the README table', () => {
    const text = renderReport(fixture());
    expect(text).toContain(
      `total: lean $${idle.lean.perMonth.toFixed(2)}, full $${idle.full.perMonth.toFixed(2)}`,
    );
    expect(fixture().targets).toContainEqual(
      expect.objectContaining({ name: 'a month without traffic, default (lean) alarms', met: true }),
    );
    expect(text).toContain(idleMarkdown(idle));
  });

  it('renders the idle month as one README row a part, lean beside full, with the free tier apart', () => {
    const rows = idleMarkdown(idle).split('\n');
    expect(rows).toHaveLength(2 + idle.lean.lines.length + 2);
    expect(rows[2]).toBe(
      '| CloudWatch | 16 alarms reading 17 metrics (full: 53 alarms reading 54 metrics) | $1.70 | $5.40 | ' +
        `${idle.lean.lines[0]?.basis} |`,
    );
    expect(rows.at(-2)).toBe(
      `| **total** | at list price | **${usd(idle.lean.perMonth)}** | **${usd(idle.full.perMonth)}** | |`,
    );
    expect(rows.at(-1)).toMatch(
      /^\| free tier \| .* \| −\$1\.\d\d \| −\$1\.\d\d \| CloudWatch: 10 alarm metrics; /,
    );
    expect(usd(0)).toBe('$0');
    expect(usd(0.0019)).toBe('$0.0019');
    expect(usd(1.7)).toBe('$1.70');
  });

  it('pads columns and refuses rows that do not match the headers', () => {
    expect(table(['a', 'n'], [['x', 1234]]).split('\n')).toEqual(['a      n', '-  -----', 'x  1,234']);
    expect(() => table(['a', 'b'], [['only one']])).toThrow(/1 cells for 2 headers/);
  });

  it('formats numbers for people', () => {
    expect(fmt(1234567)).toBe('1,234,567');
    expect(fmt(12.3456)).toBe('12.35');
    expect(fmt(0.00012345)).toBe('0.000123');
    expect(fmt(Number.NaN)).toBe('-');
  });
});
