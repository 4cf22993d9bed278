import { describe, expect, it } from 'vitest';
import {
  IDLE_ASSUMPTIONS,
  IDLE_PARTS,
  type IdlePart,
  idleMonthly,
  idleRunMs,
  sweepQueriesPerRun,
} from '../../../bench/idle-cost.js';
import type { StackShape } from '../../../bench/stack-shape.js';
import { runsPerMonth } from '../../../bench/stack-shape.js';

/** A stack with a little of everything, counted by hand below. */
const shape: StackShape = {
  alarmSet: 'lean',
  alarms: 3,
  alarmMetrics: 4,
  filterMetrics: { total: 1, withDefaultValue: 0 },
  secrets: 2,
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
    {
      rule: 'Reconcile',
      schedule: 'rate(1 hour)',
      task: 'reconcile-meta',
      runsPerMonth: 730,
      memoryMb: 512,
      tracing: true,
    },
  ],
  scheduleGroups: 1,
  eventArchives: 1,
  logGroups: 3,
};

/**
 * Each part worked out by hand at list price, 730 hours a month, with IDLE_ASSUMPTIONS: 5 pollers x 3
 * polls a minute, every run a cold start of 1,000 ms, 5 ms of compute on a full vCPU, DynamoDB 6 ms a
 * call, Graph 150 ms, a secret read 20 ms, 3 day buckets a sweep.
 */
const runs = 8760 + 730;
const sweepMs = 1000 + Math.ceil(5 / (512 / 1769) + 3 * 6); // 1,036
const reconcileMs = 1000 + Math.ceil(5 / (512 / 1769) + 2 * 150 + 20); // 1,338
const gbSeconds = 8760 * (sweepMs / 1000) * 0.5 + 730 * (reconcileMs / 1000) * 0.5;
const logBytes = runs * (380 + 260 + 80) + runs * 150;
const expected: Record<IdlePart, number> = {
  alarms: 4 * 0.1,
  filterMetrics: 0,
  secrets: 2 * 0.4,
  sqsPolls: 2 * 5 * 3 * 730 * 60 * (0.4 / 1e6),
  scheduledEvents: 0,
  lambdaRequests: runs * (0.2 / 1e6),
  lambdaDuration: gbSeconds * 0.0000133334,
  dynamoReads: 8760 * 3 * 0.5 * (0.125 / 1e6),
  secretReads: runs * (0.05 / 1e4),
  kmsRequests: runs * (0.03 / 1e4),
  xrayTraces: runs * (5 / 1e6),
  logIngestion: (logBytes / 1024 ** 3) * 0.5,
  scheduler: 0,
  eventArchive: 0,
  storage: 0,
};
const expectedTotal = Object.values(expected).reduce((s, v) => s + v, 0);

describe('idle month', () => {
  const report = idleMonthly(shape);
  const line = (part: IdlePart) => report.lines.find((l) => l.part === part);

  it('has a line for every fixed part, each with the price or reason behind it', () => {
    expect(report.lines.map((l) => l.part)).toEqual([...IDLE_PARTS]);
    for (const l of report.lines) expect(l.basis, l.part).not.toBe('');
  });

  it('prices each part at list price', () => {
    for (const part of IDLE_PARTS) expect(line(part)?.perMonth, part).toBeCloseTo(expected[part], 9);
    expect(idleRunMs(shape.scheduledRuns[0] as never, IDLE_ASSUMPTIONS)).toBe(1036);
    expect(idleRunMs(shape.scheduledRuns[1] as never, IDLE_ASSUMPTIONS)).toBe(1338);
  });

  it('adds every part into the headline, and the free tier into none of it', () => {
    expect(report.perMonth).toBeCloseTo(expectedTotal, 9);
    // Alarms, SQS, Lambda, X-Ray, KMS and logs all fit the free tier here, SQS's 1 M requests partly.
    const freeAlarms = report.freeTier.find((t) => t.item.startsWith('CloudWatch: '));
    expect(freeAlarms?.perMonth).toBeCloseTo(4 * 0.1, 9);
    const freeSqs = report.freeTier.find((t) => t.item.startsWith('SQS'));
    expect(freeSqs?.perMonth).toBeCloseTo(1e6 * (0.4 / 1e6), 9);
    expect(report.freeTierPerMonth).toBeGreaterThan(freeAlarms?.perMonth ?? 0);
  });

  it('follows the stack: more alarm metrics, secrets, polled queues or runs cost more', () => {
    const more = idleMonthly({
      ...shape,
      alarmMetrics: 54,
      secrets: 3,
      sqsEventSources: { total: 3, withMaxConcurrency: 3 },
    });
    expect(more.perMonth - report.perMonth).toBeCloseTo(50 * 0.1 + 0.4 + 5 * 3 * 730 * 60 * (0.4 / 1e6), 9);
    const hourlySweeps = idleMonthly({
      ...shape,
      scheduledRuns: [
        {
          rule: 'Sweep',
          schedule: 'rate(5 minutes)',
          task: 'sweep',
          runsPerMonth: 730,
          memoryMb: 512,
          tracing: false,
        },
      ],
    });
    expect(hourlySweeps.lines.find((l) => l.part === 'xrayTraces')?.perMonth).toBe(0);
    expect(hourlySweeps.perMonth).toBeLessThan(report.perMonth);
  });

  it('counts the day buckets a sweep queries and the runs a rate expression makes', () => {
    expect(sweepQueriesPerRun(48)).toBe(3);
    expect(sweepQueriesPerRun(36)).toBe(3);
    expect(sweepQueriesPerRun(24)).toBe(2);
    expect(sweepQueriesPerRun(0)).toBe(1);
    expect(runsPerMonth('rate(5 minutes)')).toBe(8760);
    expect(runsPerMonth('rate(1 hour)')).toBe(730);
    expect(runsPerMonth('rate(2 days)')).toBeCloseTo(730 / 48, 9);
    expect(() => runsPerMonth('cron(0 12 * * ? *)')).toThrow(/not a rate/);
  });
});
