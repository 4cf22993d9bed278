import { describe, expect, it } from 'vitest';
import { stackShape } from '../../bench/stack-shape.js';

describe('the stack shape the cost model prices', () => {
  it('counts every alarm and the two queues Lambda polls', () => {
    const shape = stackShape();
    // Errors and Throttles of 10 functions (20); dropped and undeliverable events of the 3 invoked
    // asynchronously (6); the API's 5xx and 401 rates (2); the oldest message of the capture and enrich
    // queues (2); messages in, and the oldest message of, 11 dead-letter queues (22): capture and enrich,
    // five rule DLQs (three bus rules, the sweep and the Meta reconcile schedules), the notifier's, the
    // escalator's and the sweeper's on-failure queues, the SLA schedules' DLQ.
    expect(shape).toEqual({ alarms: 52, queuesPolledByLambda: 2 });
  });
});
