import { describe, expect, it } from 'vitest';
import { stackShape } from '../../bench/stack-shape.js';

describe('the stack shape the idle cost model prices', () => {
  const lean = stackShape();
  const full = stackShape('full');

  it('counts the default (lean) alarms and the metrics they read', () => {
    // Messages in 3 dead-letter queues (capture, enrich, and EventDeliveryDlq for every rule target and
    // SLA schedule); the 3 asynchronously invoked functions' dropped events (their on-failure queues get
    // nothing else); the capture and enrich queues' oldest message; the API's 5xx and 401 counts, one
    // metric each.
    expect(lean).toMatchObject({ alarmSet: 'lean', alarms: 10, alarmMetrics: 10 });
  });

  it('counts the full set: per function, dead letters’ age, failed on-failure deliveries', () => {
    // The lean 10, plus Errors and Throttles of 10 functions (20), the 3 on-failure queues' messages,
    // the oldest message of 6 dead-letter queues and the 3 functions' failed deliveries to them; the
    // API's 5xx is a rate there (two metrics).
    expect(full).toMatchObject({ alarmSet: 'full', alarms: 42, alarmMetrics: 43 });
  });

  it('counts what else bills by the month or by the clock, the same in both sets', () => {
    for (const shape of [lean, full]) {
      expect(shape).toMatchObject({
        // The 401 count, published only when a 401 is logged.
        filterMetrics: { total: 1, withDefaultValue: 0 },
        // The pepper, forms and Slack: no ad platform by default (-c sources).
        secrets: 3,
        sqsEventSources: { total: 2, withMaxConcurrency: 2 },
        scheduleGroups: 1,
        eventArchives: 1,
        logGroups: 11,
      });
      expect(shape.scheduledRuns.map(({ rule: _rule, ...run }) => run)).toEqual([
        { schedule: 'rate(5 minutes)', task: 'sweep', runsPerMonth: 8760, memoryMb: 512, tracing: true },
        { schedule: 'rate(1 hour)', task: 'reconcile-meta', runsPerMonth: 730, memoryMb: 512, tracing: true },
      ]);
    }
  });
});
