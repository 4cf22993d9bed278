import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { Patterns } from '../../../events/patterns.js';
import {
  InProcessBus,
  type InProcessBusOptions,
  type LocalBusEvent,
} from '../../../lib/local/in-process-bus.js';
import { InProcessQueue } from '../../../lib/local/in-process-queue.js';
import type { LocalLog } from '../../../lib/local/line-logger.js';
import type { BusEvent } from '../../../lib/ports.js';

// Only the envelope matters here; the bus does not read the detail.
const captured = (leadId: string) =>
  ({ detailType: 'LeadCaptured', detail: { version: '1', leadId } }) as unknown as BusEvent;
const scored = (leadId: string) =>
  ({ detailType: 'LeadScored', detail: { version: '1', leadId } }) as unknown as BusEvent;

function bus(options: InProcessBusOptions = {}) {
  return new InProcessBus({ retry: { maxAttempts: 3, baseDelayMs: 1 }, ...options });
}

function recordingLog() {
  const lines: Array<{ message: string; attributes: unknown }> = [];
  const at = (message: unknown, attributes?: unknown): void =>
    void lines.push({ message: String(message), attributes });
  return { log: { debug: at, info: at, warn: at, error: at } as LocalLog, lines };
}

describe('InProcessBus: events', () => {
  it('delivers a real EventBridge event', async () => {
    const b = bus({
      region: 'eu-west-1',
      accountId: '123456789012',
      now: () => new Date('2026-11-30T10:00:00.123Z'),
    });
    const received: LocalBusEvent[] = [];
    b.addRule({
      name: 'all',
      pattern: { source: ['leadhub'] },
      target: { kind: 'function', invoke: async (e) => void received.push(e) },
    });
    await b.publish([captured('L1')]);
    await b.drain();

    expect(received).toHaveLength(1);
    const event = received[0] as LocalBusEvent;
    expect(event).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      'detail-type': 'LeadCaptured',
      source: 'leadhub',
      account: '123456789012',
      time: '2026-11-30T10:00:00Z',
      region: 'eu-west-1',
      resources: [],
      detail: { version: '1', leadId: 'L1' },
    });
  });

  it('routes by the shared patterns and skips events no rule matches', async () => {
    const b = bus();
    const enrich: string[] = [];
    const slack: string[] = [];
    b.addRule({
      name: 'enrich',
      pattern: Patterns.leadCapturedToEnrich,
      target: { kind: 'function', invoke: async (e) => void enrich.push(e['detail-type']) },
    });
    b.addRule({
      name: 'slack',
      pattern: Patterns.leadScoredToSlack,
      target: { kind: 'function', invoke: async (e) => void slack.push(e['detail-type']) },
    });
    await b.publish([
      captured('L1'),
      scored('L1'),
      { detailType: 'LeadClaimed', detail: {} } as unknown as BusEvent,
    ]);
    await b.drain();
    expect(enrich).toEqual(['LeadCaptured']);
    expect(slack).toEqual(['LeadScored']);
  });

  it('gives each matching rule its own copy of the event', async () => {
    const b = bus();
    const seen: unknown[] = [];
    const invoke = async (e: LocalBusEvent) => {
      seen.push(structuredClone(e.detail));
      (e.detail as { leadId: string }).leadId = 'changed';
    };
    b.addRule({ name: 'one', pattern: { source: ['leadhub'] }, target: { kind: 'function', invoke } });
    b.addRule({ name: 'two', pattern: { source: ['leadhub'] }, target: { kind: 'function', invoke } });
    const entry = captured('L1');
    await b.publish([entry]);
    await b.drain();
    expect(seen).toEqual([
      { version: '1', leadId: 'L1' },
      { version: '1', leadId: 'L1' },
    ]);
    expect((entry.detail as { leadId: string }).leadId).toBe('L1');
  });

  it('sends the whole event JSON to a queue target, as EventBridge does to SQS', async () => {
    const b = bus();
    const q = new InProcessQueue({ name: 'enrich', batchWindowMs: 1 });
    const events: SQSEvent[] = [];
    q.attach(async (e) => void events.push(e));
    b.addRule({
      name: 'to-queue',
      pattern: Patterns.leadCapturedToEnrich,
      target: { kind: 'queue', queue: q },
    });
    await b.publish([captured('L7'), scored('L7')]);
    await b.drain();
    await q.drain();

    const records = events.flatMap((e) => e.Records);
    expect(records).toHaveLength(1);
    const body = JSON.parse(records[0]?.body ?? '') as LocalBusEvent;
    expect(body).toMatchObject({
      version: '0',
      source: 'leadhub',
      'detail-type': 'LeadCaptured',
      detail: { leadId: 'L7' },
    });
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('does not wait for targets in publish, but drain does', async () => {
    const b = bus();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let done = false;
    b.addRule({
      name: 'slow',
      pattern: { source: ['leadhub'] },
      target: {
        kind: 'function',
        invoke: async () => {
          await gate;
          done = true;
        },
      },
    });
    await b.publish([captured('L1')]);
    expect(done).toBe(false);
    expect(b.isIdle()).toBe(false);
    const drained = b.drain();
    release();
    await drained;
    expect(done).toBe(true);
  });

  it('rejects a detail that is not a JSON object, and delivers nothing from that call', async () => {
    const b = bus();
    const seen: string[] = [];
    b.addRule({
      name: 'all',
      pattern: { source: ['leadhub'] },
      target: { kind: 'function', invoke: async (e) => void seen.push(e.id) },
    });
    await expect(
      b.publish([captured('ok'), { detailType: 'LeadCaptured', detail: 'text' } as unknown as BusEvent]),
    ).rejects.toThrow(/JSON object/);
    await b.drain();
    expect(seen).toEqual([]);
  });

  it('rejects invalid rules', () => {
    const b = bus();
    const target = { kind: 'function' as const, invoke: async () => undefined };
    expect(() => b.addRule({ name: 'bad', pattern: { source: 'leadhub' }, target })).toThrow(
      /Invalid event pattern/,
    );
    b.addRule({ name: 'ok', pattern: { source: ['leadhub'] }, target });
    expect(() => b.addRule({ name: 'ok', pattern: { source: ['leadhub'] }, target })).toThrow(
      /already exists/,
    );
  });
});

describe('InProcessBus: retries and DLQ', () => {
  it('retries a failing function target and stops when it succeeds', async () => {
    const b = bus();
    let calls = 0;
    const ids = new Set<string>();
    b.addRule({
      name: 'flaky',
      pattern: { source: ['leadhub'] },
      target: {
        kind: 'function',
        invoke: async (e) => {
          calls += 1;
          ids.add(e.id);
          if (calls < 3) throw new Error('transient');
        },
      },
    });
    await b.publish([scored('L1')]);
    await b.drain();
    expect(calls).toBe(3);
    expect(ids.size).toBe(1);
    expect(b.deadLetters()).toEqual([]);
  });

  it('dead-letters the event after maxAttempts and logs its id, not its content', async () => {
    const { log, lines } = recordingLog();
    const b = bus({ logger: log, retry: { maxAttempts: 4, baseDelayMs: 1 } });
    let calls = 0;
    b.addRule({
      name: 'slack',
      pattern: Patterns.leadScoredToSlack,
      target: {
        kind: 'function',
        invoke: async () => {
          calls += 1;
          throw new TypeError('cannot post for jane@example.com');
        },
      },
    });
    await b.publish([
      {
        detailType: 'LeadScored',
        detail: { leadId: 'L9', email: 'jane@example.com' },
      } as unknown as BusEvent,
    ]);
    await b.drain();

    expect(calls).toBe(4);
    const [dead] = b.deadLetters();
    expect(dead).toMatchObject({ rule: 'slack', detailType: 'LeadScored', attempts: 4, error: 'TypeError' });
    expect(dead?.event.detail).toEqual({ leadId: 'L9', email: 'jane@example.com' });
    expect(lines.find((l) => l.message.includes('dead-letter'))?.attributes).toMatchObject({
      rule: 'slack',
      eventId: dead?.eventId,
    });
    expect(JSON.stringify(lines)).not.toContain('jane@example.com');
  });

  it('a rule can carry its own retry policy', async () => {
    const b = bus();
    let calls = 0;
    b.addRule({
      name: 'once',
      pattern: { source: ['leadhub'] },
      retry: { maxAttempts: 1, baseDelayMs: 1 },
      target: {
        kind: 'function',
        invoke: async () => {
          calls += 1;
          throw new Error('no');
        },
      },
    });
    await b.publish([scored('L1')]);
    await b.drain();
    expect(calls).toBe(1);
    expect(b.deadLetters()).toHaveLength(1);
  });

  it('refuses events after stop', async () => {
    const b = bus();
    await b.stop();
    await expect(b.publish([captured('L1')])).rejects.toThrow(/stopped/);
  });
});
