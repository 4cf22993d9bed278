import { describe, expect, it } from 'vitest';
import { stackShape } from '../../bench/stack-shape.js';

describe('the stack shape the cost model prices', () => {
  it('counts every default (lean) alarm and the two queues Lambda polls', () => {
    const shape = stackShape();
    // Messages in 8 dead-letter queues (all but the 3 on-failure queues, whose events their functions'
    // AsyncEventsDropped alarms count); those 3 dropped-events alarms; the oldest message of the capture
    // and enrich queues (2); the API's 5xx and 401 rates (2).
    expect(shape).toEqual({ alarms: 15, queuesPolledByLambda: 2 });
  });
});
