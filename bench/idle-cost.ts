/**
 * What the stack costs a month with no traffic at all: every part that bills by the month or by the
 * clock, read from the synthesised template (bench/stack-shape.ts) and priced at list price
 * (bench/prices.ts). Pure, so its arithmetic is unit-tested. Parts that cost nothing without traffic are
 * listed at $0 with the reason, so the table shows they were counted, not forgotten. The permanent free
 * tier is worked out beside the total, never subtracted from it.
 */
import type { AlarmSet } from '../infra/constructs/alarms.js';
import { vcpuShareOf } from '../infra/function-memory.js';
import { SWEEP_LOOKBACK_HOURS } from '../lib/pipeline/sweep.js';
import { AWS_CALL_LATENCY_MS, DEFAULT_ASSUMPTIONS } from './cost-model.js';
import { readUnits } from './dynamo-units.js';
import { FreeTier, HOURS_PER_MONTH, Prices } from './prices.js';
import type { ScheduledRun, StackShape } from './stack-shape.js';

export interface IdleAssumptions {
  /**
   * Lambda's pollers per SQS event source with no messages. Lambda's guide ("Configuring scaling
   * behavior for SQS event source mappings"): when traffic is low it scales back to five concurrent
   * batches, and only without a maximum concurrency can it go down to two. Both mappings set one.
   */
  sqsPollersPerQueue: number;
  /** Each poller long-polls for 20 seconds: three empty ReceiveMessage calls a minute. */
  receivesPerPollerPerMinute: number;
  /**
   * Share of scheduled runs that start a new container. Lambda does not say how long an idle container
   * lives, so every run is priced as a cold start: an upper bound.
   */
  coldStartShare: number;
  /**
   * Billed INIT of a cold start (billed since August 2025), ms: module import and the SDK clients a run
   * loads at a 512 MB CPU share, and the secret read (bench "bundles" phase: 60-90 ms import and
   * 130-190 ms for the SDK on a full local core, about 3.5 times that at 512 MB).
   */
  coldStartMs: number;
  /** A run's own compute on a full vCPU, ms (no records to handle). */
  runComputeMs: number;
  /** Graph reads of an idle Meta reconciliation: one page with one form (its forms, then its leads). */
  reconcileGraphCalls: number;
  /** A secret read that misses the 5-minute cache (the hourly reconciliation reads META_APP_SECRET). */
  secretFetchMs: number;
  /** App log lines per run ("receipt sweep done" and the like), each with Powertools' context. */
  appLogLinesPerRun: number;
  appLogMessageBytes: number;
  /** INIT_START and the init part of REPORT of a cold start. */
  coldStartLogBytes: number;
}

export const IDLE_ASSUMPTIONS: IdleAssumptions = {
  sqsPollersPerQueue: 5,
  receivesPerPollerPerMinute: 3,
  coldStartShare: 1,
  coldStartMs: 1000,
  runComputeMs: 5,
  reconcileGraphCalls: 2,
  secretFetchMs: 20,
  appLogLinesPerRun: 1,
  appLogMessageBytes: 80,
  coldStartLogBytes: 150,
};

/** Every part of the idle figure; the unit test fails if one goes missing. */
export const IDLE_PARTS = [
  'alarms',
  'filterMetrics',
  'secrets',
  'sqsPolls',
  'scheduledEvents',
  'lambdaRequests',
  'lambdaDuration',
  'dynamoReads',
  'secretReads',
  'kmsRequests',
  'xrayTraces',
  'logIngestion',
  'scheduler',
  'eventArchive',
  'storage',
] as const;
export type IdlePart = (typeof IDLE_PARTS)[number];

export interface IdleLine {
  part: IdlePart;
  service: string;
  item: string;
  perMonth: number;
  /** The rule or assumption behind the number. */
  basis: string;
}

export interface IdleReport {
  alarmSet: AlarmSet;
  lines: IdleLine[];
  /** Sum of the lines, at list price: the headline. */
  perMonth: number;
  /** What the permanent free tier would waive if nothing else in the account used it. Not netted. */
  freeTier: { item: string; perMonth: number }[];
  freeTierPerMonth: number;
  assumptions: IdleAssumptions;
}

/**
 * Day buckets one sweep queries: receipts pending are indexed by day, and a sweep reads every day from
 * its lookback's start to its cutoff (lib/adapters/dynamodb/lead-store.ts listPendingReceipts).
 */
export function sweepQueriesPerRun(lookbackHours = SWEEP_LOOKBACK_HOURS): number {
  return Math.floor(lookbackHours / 24) + (lookbackHours % 24 === 0 ? 1 : 2);
}

/** Billed ms of one idle run: the cold start's share, then its compute at the CPU share and its calls. */
export function idleRunMs(run: ScheduledRun, a: IdleAssumptions): number {
  const compute = a.runComputeMs / vcpuShareOf(run.memoryMb);
  const calls =
    run.task === 'sweep'
      ? sweepQueriesPerRun() * AWS_CALL_LATENCY_MS.dynamo
      : a.reconcileGraphCalls * AWS_CALL_LATENCY_MS.platformApi + a.secretFetchMs;
  return a.coldStartShare * a.coldStartMs + Math.ceil(compute + calls);
}

const dollars = (n: number) => `$${n.toFixed(2)}`;
const count = (n: number) => Math.round(n).toLocaleString('en-US');

export function idleMonthly(shape: StackShape, a: IdleAssumptions = IDLE_ASSUMPTIONS): IdleReport {
  const lines: IdleLine[] = [];
  const add = (line: IdleLine) => lines.push(line);
  const runs = shape.scheduledRuns;
  const totalRuns = runs.reduce((n, r) => n + r.runsPerMonth, 0);
  const sweeps = runs.filter((r) => r.task === 'sweep').reduce((n, r) => n + r.runsPerMonth, 0);
  const reconciles = totalRuns - sweeps;
  const coldStarts = a.coldStartShare * totalRuns;

  add({
    part: 'alarms',
    service: 'CloudWatch',
    item: `${shape.alarms} alarms reading ${shape.alarmMetrics} metrics`,
    perMonth: shape.alarmMetrics * Prices.cloudWatchAlarmMetricMonth,
    basis: `${dollars(Prices.cloudWatchAlarmMetricMonth)} per standard-resolution alarm metric; a metric-math alarm pays for each metric it reads`,
  });
  const f = shape.filterMetrics;
  add({
    part: 'filterMetrics',
    service: 'CloudWatch',
    item: `${f.total} custom metric${f.total === 1 ? '' : 's'} from log metric filters`,
    perMonth: 0,
    basis:
      `${dollars(Prices.cloudWatchCustomMetricMonth)} a month, prorated by the hour it gets data; with no log lines ` +
      `at idle, none (${dollars(f.total * Prices.cloudWatchCustomMetricMonth)} for data every hour${
        f.withDefaultValue > 0
          ? `; ${f.withDefaultValue} publish on every log line`
          : ', which is a 401 every hour'
      })`,
  });
  add({
    part: 'secrets',
    service: 'Secrets Manager',
    item: `${shape.secrets} secret${shape.secrets === 1 ? '' : 's'}`,
    perMonth: shape.secrets * Prices.secretsManagerSecretMonth,
    basis: `${dollars(Prices.secretsManagerSecretMonth)} per secret-month`,
  });
  const q = shape.sqsEventSources;
  const receives = q.total * a.sqsPollersPerQueue * a.receivesPerPollerPerMinute * HOURS_PER_MONTH * 60;
  add({
    part: 'sqsPolls',
    service: 'SQS',
    item: `empty long polls by Lambda on ${q.total} queue${q.total === 1 ? '' : 's'} (${count(receives)} receives)`,
    perMonth: receives * Prices.sqsRequest,
    basis:
      `${a.sqsPollersPerQueue} pollers a queue (Lambda's guide: five when traffic is low, as few as two only ` +
      `without a maximum concurrency, which ${q.withMaxConcurrency === q.total ? `all ${q.total}` : `${q.withMaxConcurrency} of ${q.total}`} ` +
      `mappings set), each making ${a.receivesPerPollerPerMinute} 20-second long polls a minute`,
  });
  add({
    part: 'scheduledEvents',
    service: 'EventBridge',
    item: `${runs.length} scheduled rules (${count(totalRuns)} events)`,
    perMonth: 0,
    basis: 'scheduled-rule events are not custom events: no charge',
  });
  add({
    part: 'lambdaRequests',
    service: 'Lambda',
    item: `${count(sweeps)} sweeps, ${count(reconciles)} Meta reconciliations`,
    perMonth: totalRuns * Prices.lambdaRequest,
    basis: `one a run: ${runs.map((r) => `${r.task} ${r.schedule}`).join(', ')}, ${HOURS_PER_MONTH} hours a month`,
  });
  const gbSeconds = runs.reduce(
    (s, r) => s + r.runsPerMonth * (idleRunMs(r, a) / 1000) * (r.memoryMb / 1024),
    0,
  );
  add({
    part: 'lambdaDuration',
    service: 'Lambda',
    item: `duration of the scheduled runs (${count(gbSeconds)} GB-s)`,
    perMonth: gbSeconds * Prices.lambdaArmGbSecond,
    basis:
      `every run a cold start (${count(a.coldStartMs)} ms billed INIT, an upper bound), then ${sweepQueriesPerRun()} ` +
      `index queries a sweep or ${a.reconcileGraphCalls} Graph reads a reconciliation, at ${runs[0]?.memoryMb ?? 0} MB`,
  });
  const rru = sweeps * sweepQueriesPerRun() * readUnits(0, false);
  add({
    part: 'dynamoReads',
    service: 'DynamoDB',
    item: `${count(rru)} read units (${sweepQueriesPerRun()} empty queries a sweep)`,
    perMonth: rru * Prices.dynamoReadRequestUnit,
    basis: `one query per day bucket of the ${SWEEP_LOOKBACK_HOURS}-hour lookback, 0.5 RRU each (eventually consistent index read)`,
  });
  // Every cold start reads the secret; a warm reconciliation reads it again (the cache lasts 5 minutes).
  const secretReads = coldStarts + (1 - a.coldStartShare) * reconciles;
  add({
    part: 'secretReads',
    service: 'Secrets Manager',
    item: `${count(secretReads)} GetSecretValue calls`,
    perMonth: secretReads * Prices.secretsManagerCall,
    basis: 'one per cold start, and one per warm reconciliation',
  });
  add({
    part: 'kmsRequests',
    service: 'KMS',
    item: `${count(secretReads)} Decrypt requests`,
    perMonth: secretReads * Prices.kmsRequest,
    basis: 'Secrets Manager decrypts the secret’s data key with KMS on each read',
  });
  const traces = runs.filter((r) => r.tracing).reduce((n, r) => n + r.runsPerMonth, 0);
  add({
    part: 'xrayTraces',
    service: 'X-Ray',
    item: `${count(traces)} traces`,
    perMonth: traces * Prices.xrayTraceRecorded,
    basis: 'active tracing samples the first request each second: every run',
  });
  const logBytes =
    totalRuns *
      (DEFAULT_ASSUMPTIONS.platformLogBytesPerInvocation +
        a.appLogLinesPerRun * (DEFAULT_ASSUMPTIONS.lambdaContextBytesPerLogLine + a.appLogMessageBytes)) +
    coldStarts * a.coldStartLogBytes;
  add({
    part: 'logIngestion',
    service: 'CloudWatch Logs',
    item: `ingestion of the scheduled runs' logs (${(logBytes / 1024 ** 2).toFixed(1)} MB)`,
    perMonth: (logBytes / 1024 ** 3) * Prices.cloudWatchLogsIngestGb,
    basis: 'START, END and REPORT lines, the init lines of a cold start and one app line a run',
  });
  add({
    part: 'scheduler',
    service: 'EventBridge Scheduler',
    item: `${shape.scheduleGroups} schedule group`,
    perMonth: 0,
    basis: 'SLA schedules are made per lead and billed per invocation: none at idle',
  });
  add({
    part: 'eventArchive',
    service: 'EventBridge',
    item: `${shape.eventArchives} event archive`,
    perMonth: 0,
    basis: `${dollars(Prices.eventBridgeArchiveGb)} per GB archived: no events at idle (what traffic archived is kept 30 days)`,
  });
  add({
    part: 'storage',
    service: 'CloudWatch Logs, DynamoDB',
    item: `${shape.logGroups} log groups, the table and its backups`,
    perMonth: 0,
    basis: 'billed per GB stored: about $0 idle; grows with the data traffic leaves',
  });

  const lambdaRequestsFree = Math.min(totalRuns, FreeTier.lambdaRequests) * Prices.lambdaRequest;
  const freeTier = [
    {
      item: `CloudWatch: ${FreeTier.cloudWatchAlarmMetrics} alarm metrics`,
      perMonth:
        Math.min(shape.alarmMetrics, FreeTier.cloudWatchAlarmMetrics) * Prices.cloudWatchAlarmMetricMonth,
    },
    {
      item: `SQS: ${count(FreeTier.sqsRequests)} requests`,
      perMonth: Math.min(receives, FreeTier.sqsRequests) * Prices.sqsRequest,
    },
    {
      item: `Lambda: ${count(FreeTier.lambdaRequests)} requests and ${count(FreeTier.lambdaGbSeconds)} GB-s`,
      perMonth: lambdaRequestsFree + Math.min(gbSeconds, FreeTier.lambdaGbSeconds) * Prices.lambdaArmGbSecond,
    },
    {
      item: `X-Ray: ${count(FreeTier.xrayTracesRecorded)} traces`,
      perMonth: Math.min(traces, FreeTier.xrayTracesRecorded) * Prices.xrayTraceRecorded,
    },
    {
      item: `KMS: ${count(FreeTier.kmsRequests)} requests`,
      perMonth: Math.min(secretReads, FreeTier.kmsRequests) * Prices.kmsRequest,
    },
    {
      item: `CloudWatch Logs: ${FreeTier.cloudWatchLogsIngestGb} GB`,
      perMonth:
        Math.min(logBytes / 1024 ** 3, FreeTier.cloudWatchLogsIngestGb) * Prices.cloudWatchLogsIngestGb,
    },
  ];
  return {
    alarmSet: shape.alarmSet,
    lines,
    perMonth: lines.reduce((s, l) => s + l.perMonth, 0),
    freeTier,
    freeTierPerMonth: freeTier.reduce((s, l) => s + l.perMonth, 0),
    assumptions: a,
  };
}
