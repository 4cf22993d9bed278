import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { Queue } from '../ports.js';
import { errorName, errorSummary, type LocalLog, silentLog } from './line-logger.js';

/**
 * A queue consumer with Lambda's SQS contract (partial batch responses enabled): it resolves to an
 * SQSBatchResponse or nothing; anything else is read the way Lambda reads it.
 */
export type SqsHandler = (event: SQSEvent) => Promise<unknown>;

export interface InProcessQueueOptions {
  /** Queue name; also the last part of the eventSourceARN. */
  name: string;
  region?: string;
  accountId?: string;
  /** Records per delivered batch (Lambda event source mapping BatchSize). */
  batchSize?: number;
  /** How long a partial batch waits for more messages (MaximumBatchingWindowInSeconds). */
  batchWindowMs?: number;
  /** Batches handled at once (the event source mapping's concurrency). */
  concurrency?: number;
  /** Hidden time of a failed message before its next receive; doubles per receive up to the cap. */
  visibilityTimeoutMs?: number;
  maxVisibilityTimeoutMs?: number;
  /** Receives before a message moves to the DLQ (the redrive policy's maxReceiveCount). */
  maxReceiveCount?: number;
  logger?: LocalLog;
  now?: () => number;
}

/** A message moved to the queue's dead-letter list. */
export interface QueueDeadLetter {
  queue: string;
  messageId: string;
  body: string;
  receiveCount: number;
  sentTimestamp: number;
  movedAt: number;
  reason: string;
}

interface StoredMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  sentTimestamp: number;
  receiveCount: number;
  firstReceiveTimestamp?: number;
  visibleAt: number;
  inFlight: boolean;
  lastError?: string;
}

/** SQS's limit on a message body. */
export const MAX_MESSAGE_BYTES = 256 * 1024;

/**
 * An in-memory queue with the SQS semantics the workers rely on: at-least-once delivery in batches as a
 * real SQSEvent, partial batch failures, visibility timeout before redelivery, and maxReceiveCount → DLQ.
 * Unlike SQS, a batch stays invisible until its handler settles (no redelivery of slow batches).
 */
export class InProcessQueue<T = unknown> implements Queue<T> {
  readonly name: string;
  readonly arn: string;
  private readonly region: string;
  private readonly batchSize: number;
  private readonly batchWindowMs: number;
  private readonly concurrency: number;
  private readonly visibilityTimeoutMs: number;
  private readonly maxVisibilityTimeoutMs: number;
  private readonly maxReceiveCount: number;
  private readonly log: LocalLog;
  private readonly now: () => number;

  private readonly messages = new Map<string, StoredMessage>();
  private readonly dlq: QueueDeadLetter[] = [];
  private readonly running = new Set<Promise<void>>();
  private idleWaiters: Array<() => void> = [];
  private handler?: SqsHandler;
  private timer?: NodeJS.Timeout;
  private windowStart?: number;
  private stopped = false;

  constructor(options: InProcessQueueOptions) {
    this.name = options.name;
    this.region = options.region ?? 'us-east-1';
    this.arn = `arn:aws:sqs:${this.region}:${options.accountId ?? '000000000000'}:${options.name}`;
    this.batchSize = positive(options.batchSize ?? 10, 'batchSize');
    this.batchWindowMs = Math.max(0, options.batchWindowMs ?? 20);
    this.concurrency = positive(options.concurrency ?? 2, 'concurrency');
    this.visibilityTimeoutMs = Math.max(0, options.visibilityTimeoutMs ?? 1000);
    this.maxVisibilityTimeoutMs = Math.max(
      this.visibilityTimeoutMs,
      options.maxVisibilityTimeoutMs ?? 10_000,
    );
    this.maxReceiveCount = positive(options.maxReceiveCount ?? 3, 'maxReceiveCount');
    this.log = options.logger ?? silentLog;
    this.now = options.now ?? Date.now;
  }

  /** Queue<T>: the message is sent as its JSON text, like SendMessage. */
  async send(message: T): Promise<void> {
    const body = JSON.stringify(message);
    if (body === undefined) throw new TypeError(`${this.name}: message is not JSON-serialisable`);
    this.sendBody(body);
  }

  /** Sends a raw body; returns the new message id. */
  sendBody(body: string): string {
    if (this.stopped) throw new Error(`${this.name}: queue is stopped`);
    if (Buffer.byteLength(body) > MAX_MESSAGE_BYTES) {
      throw new Error(`${this.name}: message body exceeds ${MAX_MESSAGE_BYTES} bytes`);
    }
    const messageId = randomUUID();
    const now = this.now();
    this.messages.set(messageId, {
      messageId,
      body,
      md5OfBody: createHash('md5').update(body).digest('hex'),
      sentTimestamp: now,
      receiveCount: 0,
      visibleAt: now,
      inFlight: false,
    });
    this.wake();
    return messageId;
  }

  /** Starts delivering to the handler (the event source mapping). */
  attach(handler: SqsHandler): void {
    if (this.handler) throw new Error(`${this.name}: a handler is already attached`);
    this.handler = handler;
    this.wake();
  }

  /** Messages stored (visible, in flight or waiting out a visibility timeout). */
  get size(): number {
    return this.messages.size;
  }

  isIdle(): boolean {
    return this.messages.size === 0 && this.running.size === 0;
  }

  /**
   * Resolves once the queue is empty and no batch is in flight, failed messages included (they are
   * retried or dead-lettered first). With no handler attached it waits until one is.
   */
  drain(): Promise<void> {
    if (this.isIdle() || (this.stopped && this.running.size === 0)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  deadLetters(): readonly QueueDeadLetter[] {
    return [...this.dlq];
  }

  /** Stops polling and waits for in-flight batches; messages still queued are dropped. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.running]);
    if (this.messages.size > 0) {
      this.log.warn('Queue stopped with undelivered messages', {
        queue: this.name,
        count: this.messages.size,
      });
    }
    this.notifyIdle();
  }

  /** Delivers what can be delivered now, then sets one timer for the next moment something can. */
  private wake(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped || !this.handler) return;
    const now = this.now();
    let visible = this.visibleMessages(now);
    if (visible.length > 0) this.windowStart ??= now;
    while (visible.length > 0 && this.running.size < this.concurrency) {
      const windowOver = now - (this.windowStart ?? now) >= this.batchWindowMs;
      if (visible.length < this.batchSize && !windowOver) break;
      this.dispatch(visible.slice(0, this.batchSize), now);
      visible = visible.slice(this.batchSize);
    }
    if (visible.length === 0) this.windowStart = undefined;

    let next: number | undefined;
    if (visible.length > 0 && this.running.size < this.concurrency) {
      next = (this.windowStart ?? now) + this.batchWindowMs;
    }
    for (const m of this.messages.values()) {
      if (!m.inFlight && m.visibleAt > now && (next === undefined || m.visibleAt < next)) next = m.visibleAt;
    }
    if (next !== undefined) this.timer = setTimeout(() => this.wake(), Math.max(0, next - now));
  }

  private visibleMessages(now: number): StoredMessage[] {
    return [...this.messages.values()].filter((m) => !m.inFlight && m.visibleAt <= now);
  }

  private dispatch(batch: StoredMessage[], now: number): void {
    const handler = this.handler;
    if (!handler) return;
    for (const m of batch) {
      m.inFlight = true;
      m.receiveCount += 1;
      m.firstReceiveTimestamp ??= now;
    }
    // A fresh event per delivery: handlers may mutate what they get.
    const event: SQSEvent = { Records: batch.map((m) => this.toRecord(m)) };
    const run = (async () => {
      let failed: Set<string> | 'all';
      let reason = 'listed in batchItemFailures';
      try {
        failed = failedIds(await handler(event), batch);
        if (failed === 'all') reason = 'invalid batch response';
      } catch (error) {
        failed = 'all';
        reason = `handler threw: ${errorName(error)}`;
        this.log.warn('Queue handler failed; the batch will be retried', {
          queue: this.name,
          messageIds: batch.map((m) => m.messageId),
          error: errorSummary(error),
        });
      }
      this.settle(batch, failed, reason);
    })();
    this.running.add(run);
    void run.finally(() => {
      this.running.delete(run);
      this.wake();
      this.notifyIdle();
    });
  }

  private toRecord(m: StoredMessage): SQSRecord {
    return {
      messageId: m.messageId,
      // A new receipt handle per receive, as SQS issues.
      receiptHandle: randomBytes(48).toString('base64'),
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentTimestamp),
        SenderId: 'AIDALOCALLEADHUB',
        ApproximateFirstReceiveTimestamp: String(m.firstReceiveTimestamp ?? m.sentTimestamp),
      },
      messageAttributes: {},
      md5OfBody: m.md5OfBody,
      eventSource: 'aws:sqs',
      eventSourceARN: this.arn,
      awsRegion: this.region,
    };
  }

  private settle(batch: StoredMessage[], failed: Set<string> | 'all', reason: string): void {
    const now = this.now();
    for (const m of batch) {
      if (failed !== 'all' && !failed.has(m.messageId)) {
        this.messages.delete(m.messageId);
        continue;
      }
      if (m.receiveCount >= this.maxReceiveCount) {
        // SQS moves it on the next receive attempt; doing it now gives the same outcome sooner.
        this.messages.delete(m.messageId);
        this.dlq.push({
          queue: this.name,
          messageId: m.messageId,
          body: m.body,
          receiveCount: m.receiveCount,
          sentTimestamp: m.sentTimestamp,
          movedAt: now,
          reason,
        });
        this.log.error('Message moved to the dead-letter queue', {
          queue: this.name,
          messageId: m.messageId,
          receiveCount: m.receiveCount,
          reason,
        });
        continue;
      }
      const backoff = Math.min(
        this.maxVisibilityTimeoutMs,
        this.visibilityTimeoutMs * 2 ** (m.receiveCount - 1),
      );
      m.inFlight = false;
      m.visibleAt = now + backoff;
      m.lastError = reason;
    }
  }

  private notifyIdle(): void {
    if (!this.isIdle() && !(this.stopped && this.running.size === 0)) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/**
 * Lambda's reading of a partial batch response: nothing or an empty list means all succeeded; an entry
 * that does not name a record of the batch makes the whole batch fail.
 */
function failedIds(response: unknown, batch: readonly StoredMessage[]): Set<string> | 'all' {
  if (response === undefined || response === null) return new Set();
  if (typeof response !== 'object') return 'all';
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return 'all';
  const ids = new Set(batch.map((m) => m.messageId));
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !ids.has(id)) return 'all';
    failed.add(id);
  }
  return failed;
}

function positive(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}
