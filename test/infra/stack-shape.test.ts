import { describe, expect, it } from 'vitest';
import { stackShape } from '../../bench/stack-shape.js';

describe('the stack shape the cost model prices', () => {
  it('counts an alarm per dead-letter queue and the two queues Lambda polls', () => {
    const shape = stackShape();
    // Capture and enrich DLQs, four rule DLQs (two bus rules, the sweep and the Meta reconcile schedules),
    // the notifier's and the escalator's on-failure queues.
    expect(shape).toEqual({ alarms: 8, queuesPolledByLambda: 2 });
  });
});
