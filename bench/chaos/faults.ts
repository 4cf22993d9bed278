import { setTimeout as sleep } from 'node:timers/promises';
import type { DynamoClients } from '../../lib/adapters/dynamodb/client.js';
import type { EventBus, Queue, Secrets } from '../../lib/ports.js';
import { KeyedDraws, pick } from './prng.js';

/** What the harness can break: the hub's dependencies, each at the seam where it talks to the service. */
export const FAULT_SERVICES = ['dynamodb', 'sqs', 'eventbridge', 'secrets', 'platform', 'slack'] as const;
export type FaultService = (typeof FAULT_SERVICES)[number];

/**
 * The kinds of failure per service, with their weights. `lost-response` is the nasty one: the call took
 * effect but the caller sees a timeout, so its retry meets its own earlier write.
 */
export const FAULT_KINDS = {
  dynamodb: [
    ['throttled', 2],
    ['unavailable', 2],
    ['timeout', 1],
    ['lost-response', 3],
  ],
  sqs: [
    ['unavailable', 2],
    ['timeout', 1],
    ['lost-response', 2],
  ],
  eventbridge: [
    ['unavailable', 2],
    ['timeout', 1],
    ['lost-response', 2],
  ],
  secrets: [
    ['unavailable', 2],
    ['timeout', 1],
  ],
  platform: [
    ['server-error', 3],
    ['throttled', 2],
    ['hang', 1],
  ],
  slack: [
    ['server-error', 3],
    ['rate-limited', 2],
    ['hang', 1],
  ],
} as const satisfies Record<FaultService, readonly (readonly [string, number])[]>;

export type FaultKind<S extends FaultService> = (typeof FAULT_KINDS)[S][number][0];

export interface FaultPlanOptions {
  seed: number;
  /** Share of calls that fail, per service (0.2: one call in five). */
  rate: number;
  /** Services to break (default all). */
  services?: readonly FaultService[];
  /** How long a `timeout` fault waits before it throws. */
  timeoutMs?: number;
  /** Allow `hang` faults (platform reads and Slack posts that never answer; they cost a client timeout). */
  hangs?: boolean;
}

/**
 * Decides, per call, whether and how it fails. Decisions come from the seed and the call's identity (see
 * prng.ts), so `--seed` reproduces a run's faults. Counts every call and every fault it injects.
 */
export class FaultPlan {
  readonly seed: number;
  readonly rate: number;
  readonly timeoutMs: number;
  readonly hangs: boolean;
  /** Faults can be paused (while the harness reads its results through the hub, say). */
  active = true;
  private readonly services: Set<FaultService>;
  private readonly draws: KeyedDraws;
  readonly calls: Record<FaultService, number>;
  readonly injected: Record<FaultService, Record<string, number>>;

  constructor(options: FaultPlanOptions) {
    if (!(options.rate >= 0 && options.rate < 1)) throw new RangeError('fault rate must be in [0, 1)');
    this.seed = options.seed;
    this.rate = options.rate;
    this.timeoutMs = options.timeoutMs ?? 50;
    this.hangs = options.hangs ?? true;
    this.services = new Set(options.services ?? FAULT_SERVICES);
    this.draws = new KeyedDraws(options.seed);
    this.calls = Object.fromEntries(FAULT_SERVICES.map((s) => [s, 0])) as Record<FaultService, number>;
    this.injected = Object.fromEntries(FAULT_SERVICES.map((s) => [s, {}])) as FaultPlan['injected'];
  }

  /** The fault for this call of `service` named `name` (same name: same call identity), or none. */
  decide<S extends FaultService>(service: S, name: string): FaultKind<S> | undefined {
    if (!this.active || !this.services.has(service) || this.rate === 0) return undefined;
    this.calls[service] += 1;
    const rng = this.draws.next(`${service}:${name}`);
    if (rng() >= this.rate) return undefined;
    const kinds = (FAULT_KINDS[service] as readonly (readonly [FaultKind<S>, number])[]).filter(
      ([kind]) => this.hangs || kind !== 'hang',
    );
    const kind = pick(kinds, rng());
    this.count(service, kind, 1);
    return kind;
  }

  /** A run of consecutive failures for one object (a platform lead read `times` times), decided up front. */
  failuresFor<S extends FaultService>(
    service: S,
    name: string,
  ): { kind: FaultKind<S>; times: number } | undefined {
    if (!this.services.has(service) || this.rate === 0) return undefined;
    const rng = this.draws.next(`${service}:${name}`);
    let times = 0;
    // Each read fails with the plan's rate: geometric, capped so the platform client gives up at most twice.
    while (times < 6 && rng() < this.rate) times += 1;
    if (times === 0) return undefined;
    const kinds = (FAULT_KINDS[service] as readonly (readonly [FaultKind<S>, number])[]).filter(
      ([kind]) => this.hangs || kind !== 'hang',
    );
    const kind = pick(kinds, rng());
    this.count(service, kind, times);
    return { kind, times };
  }

  private count(service: FaultService, kind: string, n: number): void {
    const counts: Record<string, number> = this.injected[service];
    counts[kind] = (counts[kind] ?? 0) + n;
  }

  totalInjected(): number {
    return FAULT_SERVICES.reduce(
      (sum, s) => sum + Object.values(this.injected[s]).reduce((a, b) => a + b, 0),
      0,
    );
  }
}

/** An error shaped like what the AWS SDK throws, so its own retry strategy classifies it the same way. */
export function awsError(name: string, status: number, message: string): Error {
  return Object.assign(new Error(`chaos: ${message}`), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, attempts: 1, totalRetryDelay: 0 },
  });
}

const timeoutError = (what: string) =>
  Object.assign(new Error(`chaos: ${what} timed out`), { name: 'TimeoutError', code: 'ETIMEDOUT' });

/**
 * Breaks DynamoDB calls on the wire: a middleware at the deserialize step, inside the SDK's retry loop,
 * so the client's standard retries (3 attempts) meet the faults the way they meet real throttling, 5xx
 * and timeouts. A `lost-response` fault lets the request through and throws after it took effect, which
 * is how a conditional write's own retry ends up failing its condition.
 */
export function injectDynamoFaults(doc: DynamoClients['doc'], plan: FaultPlan): void {
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const input = (args as { input?: Record<string, unknown> }).input ?? {};
      const fault = plan.decide('dynamodb', `${context.commandName}:${callIdentity(input)}`);
      switch (fault) {
        case undefined:
          return next(args);
        case 'throttled':
          throw awsError('ProvisionedThroughputExceededException', 400, 'throughput exceeded');
        case 'unavailable':
          throw awsError('InternalServerError', 500, 'internal server error');
        case 'timeout':
          await sleep(plan.timeoutMs);
          throw timeoutError('DynamoDB request');
        case 'lost-response':
          await next(args);
          throw timeoutError('DynamoDB response');
      }
    },
    { step: 'deserialize', name: 'chaosFaults', priority: 'high', override: true },
  );
}

/** The key (or the partition a query reads) of a DynamoDB call, as stable text. */
function callIdentity(input: Record<string, unknown>): string {
  const item = input.Item as Record<string, unknown> | undefined;
  const key = input.Key ?? (item ? { pk: item.pk, sk: item.sk } : input.ExpressionAttributeValues);
  return JSON.stringify(key ?? {});
}

/** A port call that fails before it happens, hangs, or happens and then reports a timeout. */
async function faultyCall<T>(
  plan: FaultPlan,
  service: 'sqs' | 'eventbridge' | 'secrets',
  name: string,
  call: () => Promise<T>,
): Promise<T> {
  const fault = plan.decide(service, name);
  switch (fault) {
    case undefined:
      return call();
    case 'unavailable':
      throw awsError('ServiceUnavailable', 503, `${service} unavailable`);
    case 'timeout':
      await sleep(plan.timeoutMs);
      throw timeoutError(service);
    case 'lost-response':
      await call();
      throw timeoutError(`${service} response`);
    default:
      return call();
  }
}

/** The capture queue as an ingester or the sweeper sees it (SendMessage). */
export function faultyQueue<T>(queue: Queue<T>, plan: FaultPlan, nameOf: (message: T) => string): Queue<T> {
  return { send: (message) => faultyCall(plan, 'sqs', `send:${nameOf(message)}`, () => queue.send(message)) };
}

/** The bus as a worker sees it (PutEvents). */
export function faultyBus(bus: EventBus, plan: FaultPlan): EventBus {
  return {
    publish: (events) => {
      const first = events[0];
      const id = (first?.detail as { leadId?: string } | undefined)?.leadId ?? '';
      return faultyCall(plan, 'eventbridge', `put:${first?.detailType}:${id}`, () => bus.publish(events));
    },
  };
}

/** Secrets as a handler sees them (Secrets Manager GetSecretValue). */
export function faultySecrets(secrets: Secrets, plan: FaultPlan): Secrets {
  return { get: (name) => faultyCall(plan, 'secrets', `get:${name}`, () => secrets.get(name)) };
}
