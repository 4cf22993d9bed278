import { createHash } from 'node:crypto';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  InProcessQueue,
  type InProcessQueueOptions,
  MAX_MESSAGE_BYTES,
} from '../../../lib/local/in-process-queue.js';
import type { LocalLog } from '../../../lib/local/line-logger.js';

/** Fast timings so tests finish quickly; no assertion depends on them. */
function queue<T = unknown>(options: Partial<InProcessQueueOptions> = {}) {
  return new InProcessQueue<T>({
    name: 'test-queue',
    batchWindowMs: 5,
    visibilityTimeoutMs: 1,
    maxReceiveCount: 3,
    ...options,
  });
}

function recordingLog() {
  const lines: Array<{ level: string; message: string; attributes: unknown }> = [];
  const at =
    (level: string) =>
    (message: unknown, attributes?: unknown): void =>
      void lines.push({ level, message: String(message), attributes });
  const log = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } as LocalLog;
  return { log, lines };
}

const bodies = (event: SQSEvent) => event.Records.map((r) => JSON.parse(r.body) as unknown);

afterEach(() => {
  vi.useRealTimers();
});

describe('InProcessQueue: delivery', () => {
  it('delivers sent messages as a real SQSEvent', async () => {
    const q = queue<{ n: number }>({ region: 'eu-west-1', accountId: '123456789012' });
    const events: SQSEvent[] = [];
    q.attach(async (event) => void events.push(event));
    await q.send({ n: 1 });
    await q.send({ n: 2 });
    await q.drain();

    const records = events.flatMap((e) => e.Records);
    expect(records.map((r) => JSON.parse(r.body))).toEqual([{ n: 1 }, { n: 2 }]);
    const record = records[0] as SQSRecord;
    expect(record).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:test-queue',
      awsRegion: 'eu-west-1',
      body: '{"n":1}',
      md5OfBody: createHash('md5').update('{"n":1}').digest('hex'),
      messageAttributes: {},
    });
    expect(record.messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(record.receiptHandle.length).toBeGreaterThan(20);
    expect(record.attributes.ApproximateReceiveCount).toBe('1');
    expect(Number(record.attributes.SentTimestamp)).toBeGreaterThan(0);
    expect(Number(record.attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(
      Number(record.attributes.SentTimestamp),
    );
    expect(record.attributes.SenderId).toBeTruthy();
    expect(new Set(records.map((r) => r.messageId)).size).toBe(2);
  });

  it('holds messages sent before a handler is attached, then delivers them', async () => {
    const q = queue();
    await q.send('early');
    expect(q.size).toBe(1);
    const seen: unknown[] = [];
    q.attach(async (event) => void seen.push(...bodies(event)));
    await q.drain();
    expect(seen).toEqual(['early']);
    expect(q.size).toBe(0);
  });

  it('delivers in batches of at most batchSize, every message once', async () => {
    const q = queue<number>({ batchSize: 10, batchWindowMs: 20 });
    for (let n = 0; n < 25; n++) await q.send(n);
    const batches: number[][] = [];
    q.attach(async (event) => void batches.push(bodies(event) as number[]));
    await q.drain();
    expect(batches.every((b) => b.length >= 1 && b.length <= 10)).toBe(true);
    expect(batches.length).toBeGreaterThanOrEqual(3);
    expect(batches.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, n) => n));
  });

  it('gives every delivery its own event object', async () => {
    const q = queue();
    const events: SQSEvent[] = [];
    let first = true;
    q.attach(async (event) => {
      events.push(event);
      if (first) {
        first = false;
        (event.Records[0] as SQSRecord).body = 'tampered';
        throw new Error('retry me');
      }
    });
    await q.send('original');
    await q.drain();
    expect(events).toHaveLength(2);
    expect(events[1]?.Records[0]?.body).toBe('"original"');
  });

  it('rejects a body over the SQS size limit', async () => {
    const q = queue();
    await expect(q.send('x'.repeat(MAX_MESSAGE_BYTES))).rejects.toThrow(/exceeds/);
    expect(q.size).toBe(0);
  });
});

describe('InProcessQueue: failures', () => {
  it('redelivers only the records listed in batchItemFailures', async () => {
    const q = queue<string>({ batchWindowMs: 10 });
    const deliveries: SQSRecord[] = [];
    q.attach(async (event) => {
      deliveries.push(...event.Records);
      const failures = event.Records.filter(
        (r) => r.body === '"b"' && r.attributes.ApproximateReceiveCount === '1',
      );
      return { batchItemFailures: failures.map((r) => ({ itemIdentifier: r.messageId })) };
    });
    await q.send('a');
    await q.send('b');
    await q.send('c');
    await q.drain();

    const count = (body: string) => deliveries.filter((r) => r.body === JSON.stringify(body)).length;
    expect([count('a'), count('b'), count('c')]).toEqual([1, 2, 1]);
    const [first, second] = deliveries.filter((r) => r.body === '"b"') as [SQSRecord, SQSRecord];
    expect(second.messageId).toBe(first.messageId);
    expect(second.receiptHandle).not.toBe(first.receiptHandle);
    expect(second.attributes.ApproximateReceiveCount).toBe('2');
    expect(second.attributes.ApproximateFirstReceiveTimestamp).toBe(
      first.attributes.ApproximateFirstReceiveTimestamp,
    );
    expect(q.deadLetters()).toEqual([]);
  });

  it('redelivers the whole batch when the handler throws', async () => {
    const q = queue<string>({ batchWindowMs: 10 });
    const seen: string[] = [];
    let calls = 0;
    q.attach(async (event) => {
      calls += 1;
      seen.push(...event.Records.map((r) => r.body));
      if (calls === 1) throw new Error('boom');
    });
    await q.send('a');
    await q.send('b');
    await q.drain();
    expect(seen.sort()).toEqual(['"a"', '"a"', '"b"', '"b"']);
  });

  it('treats an itemIdentifier outside the batch as a failure of the whole batch, as Lambda does', async () => {
    const q = queue<string>({ batchWindowMs: 10 });
    const seen: string[] = [];
    q.attach(async (event) => {
      seen.push(...event.Records.map((r) => r.body));
      if (seen.length <= 2) return { batchItemFailures: [{ itemIdentifier: 'not-a-message-id' }] };
      return { batchItemFailures: [] };
    });
    await q.send('a');
    await q.send('b');
    await q.drain();
    expect(seen.sort()).toEqual(['"a"', '"a"', '"b"', '"b"']);
  });

  it('moves a message to the DLQ after maxReceiveCount receives, and logs its id only', async () => {
    const { log, lines } = recordingLog();
    const q = queue<{ email: string }>({ maxReceiveCount: 4, logger: log });
    const receives: string[] = [];
    q.attach(async (event) => {
      receives.push(...event.Records.map((r) => r.attributes.ApproximateReceiveCount));
      return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
    });
    await q.send({ email: 'jane@example.com' });
    await q.drain();

    expect(receives).toEqual(['1', '2', '3', '4']);
    const [dead] = q.deadLetters();
    expect(dead).toMatchObject({
      queue: 'test-queue',
      receiveCount: 4,
      body: '{"email":"jane@example.com"}',
    });
    expect(q.size).toBe(0);
    const logged = lines.find((l) => l.message.includes('dead-letter'));
    expect(logged?.attributes).toMatchObject({
      queue: 'test-queue',
      messageId: dead?.messageId,
      receiveCount: 4,
    });
    expect(JSON.stringify(lines)).not.toContain('jane@example.com');
  });

  it('never logs a thrown error message (it may carry PII)', async () => {
    const { log, lines } = recordingLog();
    const q = queue({ maxReceiveCount: 1, logger: log });
    q.attach(async () => {
      throw new Error('bad email jane@example.com');
    });
    await q.send('x');
    await q.drain();
    expect(q.deadLetters()).toHaveLength(1);
    expect(q.deadLetters()[0]?.reason).toBe('handler threw: Error');
    expect(JSON.stringify(lines)).not.toContain('jane@example.com');
  });

  it('keeps a failed message invisible for the visibility timeout, growing per receive', async () => {
    vi.useFakeTimers();
    const q = queue({ batchWindowMs: 0, visibilityTimeoutMs: 1000, maxReceiveCount: 5 });
    let calls = 0;
    q.attach(async () => {
      calls += 1;
      if (calls < 3) throw new Error('again');
    });
    await q.send('m');
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(1);

    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toBe(2);

    // second failure: the timeout doubles
    await vi.advanceTimersByTimeAsync(1999);
    expect(calls).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toBe(3);
    expect(q.isIdle()).toBe(true);
  });
});

describe('InProcessQueue: drain and stop', () => {
  it('drain resolves at once on an empty queue', async () => {
    await expect(queue().drain()).resolves.toBeUndefined();
  });

  it('drain waits for in-flight batches and pending retries', async () => {
    const q = queue();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered: () => void = () => {};
    const handlerEntered = new Promise<void>((resolve) => {
      entered = resolve;
    });
    let attempts = 0;
    q.attach(async () => {
      attempts += 1;
      if (attempts === 1) {
        entered();
        await gate;
        throw new Error('first attempt fails');
      }
    });
    await q.send('m');
    let drained = false;
    const drain = q.drain().then(() => {
      drained = true;
    });
    // The batch is in the handler, held there: however long that takes, drain must not resolve.
    await handlerEntered;
    await new Promise((resolve) => setImmediate(resolve));
    expect(drained).toBe(false);
    expect(q.isIdle()).toBe(false);
    release();
    await drain;
    expect(attempts).toBe(2);
    expect(q.isIdle()).toBe(true);
  });

  it('refuses sends after stop and lets drain return', async () => {
    const q = queue();
    await q.send('never handled');
    const drain = q.drain();
    await q.stop();
    await drain;
    await expect(q.send('late')).rejects.toThrow(/stopped/);
  });

  it('refuses a second handler', () => {
    const q = queue();
    q.attach(async () => undefined);
    expect(() => q.attach(async () => undefined)).toThrow(/already/);
  });
});
