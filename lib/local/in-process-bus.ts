import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventBridgeEvent } from 'aws-lambda';
import { EVENT_SOURCE } from '../../events/contracts.js';
import { MAX_EVENT_BYTES } from '../lead/limits.js';
import type { BusEvent, EventBus } from '../ports.js';
import { errorName, errorSummary, type LocalLog, silentLog } from './line-logger.js';
import { assertValidPattern, matchesPattern } from './pattern-match.js';

/** An event as EventBridge delivers it to a target. */
export type LocalBusEvent = EventBridgeEvent<string, unknown>;

/** Retry policy of a target (EventBridge: up to 185 attempts over 24 h; locally a few, quickly). */
export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs?: number;
}

/** Something that accepts an SQS message body (an InProcessQueue). */
export interface QueueLike {
  sendBody(body: string): unknown;
}

export type BusTarget =
  | { kind: 'queue'; queue: QueueLike }
  | { kind: 'function'; invoke: (event: LocalBusEvent) => Promise<unknown> };

export interface BusRule {
  name: string;
  pattern: Record<string, unknown>;
  target: BusTarget;
  retry?: RetryPolicy;
}

/** An event that a rule's target did not accept after all attempts (the rule target's DLQ). */
export interface BusDeadLetter {
  rule: string;
  eventId: string;
  detailType: string;
  event: LocalBusEvent;
  attempts: number;
  error: string;
  failedAt: string;
}

export interface InProcessBusOptions {
  name?: string;
  region?: string;
  accountId?: string;
  source?: string;
  retry?: RetryPolicy;
  logger?: LocalLog;
  now?: () => Date;
}

/** EventBridge's limit on one PutEvents entry, as the hub holds every event to it. */
export const MAX_ENTRY_BYTES = MAX_EVENT_BYTES;

/**
 * An in-memory EventBridge bus: publish() builds real EventBridge events and returns at once, like
 * PutEvents; every rule whose pattern matches gets its own copy, delivered in the background with
 * retries and a dead-letter list. drain() waits until every delivery has finished.
 */
export class InProcessBus implements EventBus {
  readonly name: string;
  private readonly region: string;
  private readonly accountId: string;
  private readonly source: string;
  private readonly retry: RetryPolicy;
  private readonly log: LocalLog;
  private readonly now: () => Date;
  private readonly rules: BusRule[] = [];
  private readonly pending = new Set<Promise<void>>();
  private readonly dlq: BusDeadLetter[] = [];
  private idleWaiters: Array<() => void> = [];
  private stopped = false;

  constructor(options: InProcessBusOptions = {}) {
    this.name = options.name ?? 'leadhub';
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '000000000000';
    this.source = options.source ?? EVENT_SOURCE;
    this.retry = options.retry ?? { maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 5_000 };
    this.log = options.logger ?? silentLog;
    this.now = options.now ?? (() => new Date());
  }

  addRule(rule: BusRule): void {
    assertValidPattern(rule.pattern);
    if (this.rules.some((r) => r.name === rule.name)) throw new Error(`Rule ${rule.name} already exists`);
    this.rules.push(rule);
  }

  async publish(events: readonly BusEvent[]): Promise<void> {
    if (this.stopped) throw new Error(`Event bus ${this.name} is stopped`);
    // Validate the whole call first: PutEvents either takes an entry or reports it, never half-builds one.
    const built = events.map((e) => this.toEvent(e));
    for (const event of built) {
      const text = JSON.stringify(event);
      for (const rule of this.rules) {
        if (matchesPattern(rule.pattern, event)) this.track(this.deliver(rule, text));
      }
    }
  }

  isIdle(): boolean {
    return this.pending.size === 0;
  }

  /** Resolves once every matched delivery (retries included) has succeeded or been dead-lettered. */
  drain(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  deadLetters(): readonly BusDeadLetter[] {
    return [...this.dlq];
  }

  /** Refuses new events and waits for deliveries already started. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.drain();
  }

  private toEvent(entry: BusEvent): LocalBusEvent {
    if (typeof entry.detailType !== 'string' || entry.detailType.length === 0) {
      throw new Error('Event detailType must be a non-empty string');
    }
    const detailText = JSON.stringify(entry.detail);
    if (detailText === undefined || !detailText.startsWith('{')) {
      throw new Error(`Event ${entry.detailType}: detail must be a JSON object`);
    }
    const event: LocalBusEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.detailType,
      source: this.source,
      account: this.accountId,
      // EventBridge stamps whole seconds.
      time: this.now()
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z'),
      region: this.region,
      resources: [],
      detail: JSON.parse(detailText) as unknown,
    };
    if (Buffer.byteLength(JSON.stringify(event)) > MAX_ENTRY_BYTES) {
      throw new Error(`Event ${entry.detailType} exceeds ${MAX_ENTRY_BYTES} bytes`);
    }
    return event;
  }

  private async deliver(rule: BusRule, text: string): Promise<void> {
    // Let publish() return first: EventBridge delivers asynchronously.
    await new Promise((resolve) => setImmediate(resolve));
    const policy = rule.retry ?? this.retry;
    const maxAttempts = Math.max(1, policy.maxAttempts);
    let lastError: unknown;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      // Each attempt gets its own parse of the JSON, as a real delivery would.
      const event = JSON.parse(text) as LocalBusEvent;
      try {
        if (rule.target.kind === 'queue') rule.target.queue.sendBody(text);
        else await rule.target.invoke(event);
        return;
      } catch (error) {
        lastError = error;
        this.log.warn('Event delivery failed', {
          rule: rule.name,
          eventId: event.id,
          attempt,
          maxAttempts,
          error: errorSummary(error),
        });
        if (attempt < maxAttempts) {
          const delay = Math.min(
            policy.maxDelayMs ?? Number.POSITIVE_INFINITY,
            policy.baseDelayMs * 2 ** (attempt - 1),
          );
          await sleep(delay);
        }
      }
    }
    const event = JSON.parse(text) as LocalBusEvent;
    this.dlq.push({
      rule: rule.name,
      eventId: event.id,
      detailType: event['detail-type'],
      event,
      attempts: maxAttempts,
      error: errorName(lastError),
      failedAt: this.now().toISOString(),
    });
    this.log.error('Event moved to the dead-letter queue', {
      rule: rule.name,
      eventId: event.id,
      detailType: event['detail-type'],
      attempts: maxAttempts,
    });
  }

  private track(delivery: Promise<void>): void {
    this.pending.add(delivery);
    void delivery.finally(() => {
      this.pending.delete(delivery);
      if (this.pending.size > 0) return;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    });
  }
}
