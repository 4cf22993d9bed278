import { describe, expect, it } from 'vitest';
import { FaultPlan, faultyBus, faultyQueue, faultySecrets } from '../../../bench/chaos/faults.js';
import type { BusEvent } from '../../../lib/ports.js';

describe('FaultPlan', () => {
  it('fails about the given share of calls, with kinds of the service', () => {
    const plan = new FaultPlan({ seed: 5, rate: 0.2 });
    const faults = Array.from({ length: 5000 }, (_, i) => plan.decide('dynamodb', `PutItem:${i}`));
    const failed = faults.filter((f) => f !== undefined);
    expect(failed.length / faults.length).toBeGreaterThan(0.18);
    expect(failed.length / faults.length).toBeLessThan(0.22);
    expect(new Set(failed)).toEqual(new Set(['throttled', 'unavailable', 'timeout', 'lost-response']));
    expect(plan.calls.dynamodb).toBe(5000);
    expect(Object.values(plan.injected.dynamodb).reduce((a, b) => a + b, 0)).toBe(failed.length);
    expect(plan.totalInjected()).toBe(failed.length);
  });

  it('repeats its decisions for the same seed, call by call, and differs for another seed', () => {
    const run = (seed: number) => {
      const plan = new FaultPlan({ seed, rate: 0.3 });
      return Array.from({ length: 200 }, (_, i) => plan.decide('sqs', `send:${i % 7}`));
    };
    expect(run(1)).toEqual(run(1));
    expect(run(1)).not.toEqual(run(2));
  });

  it('leaves alone what it is not told to break, when paused, and at rate 0', () => {
    const plan = new FaultPlan({ seed: 1, rate: 0.49, services: ['slack'] });
    expect(Array.from({ length: 100 }, (_, i) => plan.decide('dynamodb', String(i))).every((f) => !f)).toBe(
      true,
    );
    expect(Array.from({ length: 100 }, (_, i) => plan.decide('slack', String(i))).some((f) => f)).toBe(true);
    plan.active = false;
    expect(Array.from({ length: 100 }, (_, i) => plan.decide('slack', `p${i}`)).every((f) => !f)).toBe(true);
    const none = new FaultPlan({ seed: 1, rate: 0 });
    expect(Array.from({ length: 100 }, (_, i) => none.decide('slack', String(i))).every((f) => !f)).toBe(
      true,
    );
    expect(() => new FaultPlan({ seed: 1, rate: 1 })).toThrow(RangeError);
  });

  it('never hangs when hangs are off, and caps a platform object’s run of failures', () => {
    const plan = new FaultPlan({ seed: 3, rate: 0.45, hangs: false });
    const kinds = Array.from({ length: 2000 }, (_, i) => plan.decide('slack', String(i)));
    expect(kinds).not.toContain('hang');
    const runs = Array.from({ length: 2000 }, (_, i) => plan.failuresFor('platform', `meta:${i}`));
    expect(runs.every((r) => r === undefined || (r.times >= 1 && r.times <= 6 && r.kind !== 'hang'))).toBe(
      true,
    );
    expect(runs.some((r) => r !== undefined)).toBe(true);
  });
});

describe('port wrappers', () => {
  it('the queue: refused calls send nothing, lost responses sent anyway, the rest pass', async () => {
    const plan = new FaultPlan({ seed: 8, rate: 0.4, timeoutMs: 0 });
    const sent: string[] = [];
    const queue = faultyQueue<string>({ send: async (m) => void sent.push(m) }, plan, (m) => m);
    const outcomes: { id: string; error?: string }[] = [];
    for (let i = 0; i < 300; i++) {
      const id = `m${i}`;
      try {
        await queue.send(id);
        outcomes.push({ id });
      } catch (error) {
        outcomes.push({ id, error: (error as Error).name });
      }
    }
    const injected = plan.injected.sqs;
    const errors = outcomes.filter((o) => o.error);
    expect(errors).toHaveLength(
      (injected.unavailable ?? 0) + (injected.timeout ?? 0) + (injected['lost-response'] ?? 0),
    );
    expect(sent).toHaveLength(300 - (injected.unavailable ?? 0) - (injected.timeout ?? 0));
    // Every call that did not throw was sent; a ServiceUnavailable never was.
    for (const o of outcomes.filter((x) => !x.error)) expect(sent).toContain(o.id);
    for (const o of outcomes.filter((x) => x.error === 'ServiceUnavailable'))
      expect(sent).not.toContain(o.id);
    expect(injected['lost-response']).toBeGreaterThan(0);
  });

  it('the bus and secrets fail the same way and pass values through', async () => {
    const plan = new FaultPlan({ seed: 2, rate: 0.3, timeoutMs: 0 });
    const published: BusEvent[] = [];
    const bus = faultyBus({ publish: async (e) => void published.push(...e) }, plan);
    const secrets = faultySecrets({ get: async () => 'value' }, plan);
    let busErrors = 0;
    let secretErrors = 0;
    const values: unknown[] = [];
    for (let i = 0; i < 200; i++) {
      await bus
        .publish([{ detailType: 'LeadScored', detail: { leadId: `l${i}` } as never }])
        .catch(() => (busErrors += 1));
      try {
        values.push(await secrets.get('LEADHUB_PEPPER'));
      } catch {
        secretErrors += 1;
      }
    }
    const injectedCount = (service: 'eventbridge' | 'secrets') =>
      Object.values(plan.injected[service]).reduce((a, b) => a + b, 0);
    expect(busErrors).toBeGreaterThan(0);
    expect(busErrors).toBe(injectedCount('eventbridge'));
    expect(secretErrors).toBeGreaterThan(0);
    // Every call that failed was an injected fault, and every other call passed the value through.
    expect(secretErrors).toBe(injectedCount('secrets'));
    expect(values).toEqual(Array(200 - secretErrors).fill('value'));
    expect(published.length).toBe(
      200 - (plan.injected.eventbridge.unavailable ?? 0) - (plan.injected.eventbridge.timeout ?? 0),
    );
  });
});
