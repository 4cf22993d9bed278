/**
 * From what the local runtime counted for N leads (bench/usage.ts) to AWS requests per lead and dollars
 * per million leads, with bench/prices.ts. Pure, so its arithmetic is unit-tested. Counted lines come
 * straight from the pipeline's calls; a few lines need an assumption (Lambda duration on AWS, log
 * volume, X-Ray sampling, secret cache hits): those assumptions are the named constants below.
 */
import { functionMemoryMb, vcpuShareOf } from '../infra/function-memory.js';
import { Prices } from './prices.js';
import { round } from './stats.js';
import { type HubUsage, PIPELINE_FUNCTIONS, type PipelineFunction } from './usage.js';

/**
 * Typical in-region latency of one call from Lambda, in ms: the local runtime answers these in about a
 * millisecond, AWS does not, and a Lambda is billed while it waits.
 */
export const AWS_CALL_LATENCY_MS = {
  dynamo: 6,
  sqsSend: 15,
  putEvents: 25,
  /** Slack's incoming webhook answers in roughly 150-400 ms. */
  slackPost: 250,
  /** Secrets are cached for 5 minutes by the adapter, so a warm call costs nothing. */
  secrets: 0,
  /** A Graph API read from us-east-1. */
  platformApi: 150,
} as const;

export interface CostAssumptions {
  /** Steady arrival rate, for the per-lead share of time-based costs (secret cache, X-Ray reservoir). */
  leadsPerSecond: number;
  /** Warm containers per function at that rate. */
  warmContainersPerFunction: number;
  /** How long a container caches the secret (lib/adapters/secrets/secrets-manager.ts). */
  secretCacheSeconds: number;
  /** Bytes Powertools adds to each JSON log line in Lambda (function name, ARN, request id, trace id...). */
  lambdaContextBytesPerLogLine: number;
  /** START, END and REPORT lines Lambda writes per invocation. */
  platformLogBytesPerInvocation: number;
  /** The HTTP API's access log line (infra/stacks/leadhub-stack.ts format). */
  accessLogBytesPerRequest: number;
  /** X-Ray default sampling rule: a reservoir of 1 request/s, then 5 %. */
  xrayReservoirPerSecond: number;
  xrayRate: number;
}

export const DEFAULT_ASSUMPTIONS: CostAssumptions = {
  leadsPerSecond: 50,
  warmContainersPerFunction: 2,
  secretCacheSeconds: 300,
  lambdaContextBytesPerLogLine: 260,
  platformLogBytesPerInvocation: 380,
  accessLogBytesPerRequest: 260,
  xrayReservoirPerSecond: 1,
  xrayRate: 0.05,
};

export interface CostLine {
  service: string;
  item: string;
  /** Billed units per lead, in the unit named. */
  perLead: number;
  unit: string;
  /** Dollars per million leads. */
  perMillion: number;
  /** In the list of services (HTTP API, Lambda, DynamoDB, SQS, EventBridge, Secrets Manager). */
  core: boolean;
  basis: 'counted' | 'modelled';
  note?: string;
}

export interface FunctionCost {
  fn: PipelineFunction;
  invocationsPerLead: number;
  recordsPerInvocation: number;
  /** Wall time per invocation in the metered run (under load: includes queueing in the one process). */
  localMsPerInvocation: number;
  /** Own compute per record on one local core (from the calibration run when there is one). */
  computeMsPerRecord: number;
  modelledMsPerInvocation: number;
  /** The function's memory in the stack (infra/function-memory.ts); its CPU share follows. */
  memoryMb: number;
  gbSecondsPerLead: number;
}

export interface CostReport {
  leads: number;
  lines: CostLine[];
  functions: FunctionCost[];
  /** Sum of the core lines: the number the issue's $5 target is about. */
  corePerMillion: number;
  /** Core plus CloudWatch Logs and X-Ray. */
  allPerMillion: number;
  assumptions: CostAssumptions;
  latencyAssumptionsMs: typeof AWS_CALL_LATENCY_MS;
  /** Whether handler compute came from a calibration run (else from the loaded run itself). */
  calibrated: boolean;
}

type Fn = HubUsage['functions'][PipelineFunction];

/** Records handled per "chain" of calls: a batch's records, else one per invocation. */
const chainsOf = (f: Fn) => Math.max(f.records, f.invocations);

/**
 * A handler's own compute per record, ms on one local core: wall time minus the time spent waiting on
 * calls. Best taken from a calibration run that sends leads one at a time, so nothing else competes for
 * the event loop (under load, a handler's wall time mostly measures its queue behind the others).
 */
export function computeMsPerRecord(f: Fn): number {
  const chains = chainsOf(f);
  return chains > 0 ? Math.max(0, f.wallMs - f.callMs) / chains : 0;
}

/**
 * Modelled billed duration of one invocation on AWS: its records' compute, slowed down to the Lambda's
 * CPU share, plus one chain of network waits (a batch's records run in parallel, Powertools
 * BatchProcessor's default, so their waits overlap while their compute adds up).
 */
export function modelledInvocationMs(f: Fn, computeMs: number, memoryMb: number): number {
  if (f.invocations === 0) return 0;
  const c = f.calls;
  const waits =
    c.dynamo * AWS_CALL_LATENCY_MS.dynamo +
    c.sqsSend * AWS_CALL_LATENCY_MS.sqsSend +
    c.putEvents * AWS_CALL_LATENCY_MS.putEvents +
    c.slackPost * AWS_CALL_LATENCY_MS.slackPost +
    c.secrets * AWS_CALL_LATENCY_MS.secrets +
    c.platformApi * AWS_CALL_LATENCY_MS.platformApi;
  const chains = chainsOf(f);
  const recordsPerInvocation = chains / f.invocations;
  return (recordsPerInvocation * computeMs) / vcpuShareOf(memoryMb) + waits / chains;
}

/** X-Ray traces recorded per second for a function invoked `perSecond` times a second. */
export function xrayTracesPerSecond(
  perSecond: number,
  a: Pick<CostAssumptions, 'xrayReservoirPerSecond' | 'xrayRate'>,
) {
  const reservoir = Math.min(perSecond, a.xrayReservoirPerSecond);
  return reservoir + Math.max(0, perSecond - reservoir) * a.xrayRate;
}

export function costReport(
  usage: HubUsage,
  leads: number,
  assumptions = DEFAULT_ASSUMPTIONS,
  /** Usage of a calibration run (leads sent one at a time), for each handler's own compute. */
  calibration?: HubUsage,
): CostReport {
  if (!(leads > 0)) throw new RangeError('cost needs at least one lead');
  const per = (n: number) => n / leads;
  const lines: CostLine[] = [];
  const add = (line: Omit<CostLine, 'perMillion'> & { price: number }) => {
    const { price, ...rest } = line;
    lines.push({ ...rest, perLead: rest.perLead, perMillion: rest.perLead * price * 1e6 });
  };

  add({
    service: 'API Gateway',
    item: 'HTTP API requests',
    perLead: per(usage.httpRequests),
    unit: 'requests',
    price: Prices.httpApiRequest,
    core: true,
    basis: 'counted',
  });

  const functions: FunctionCost[] = PIPELINE_FUNCTIONS.map((fn) => {
    const f = usage.functions[fn];
    const calibrated = calibration?.functions[fn];
    const computeMs = computeMsPerRecord(calibrated && calibrated.invocations > 0 ? calibrated : f);
    const memoryMb = functionMemoryMb(fn);
    const modelled = modelledInvocationMs(f, computeMs, memoryMb);
    // Lambda bills whole milliseconds per invocation.
    const billedMs = f.invocations > 0 ? Math.ceil(modelled) : 0;
    return {
      fn,
      invocationsPerLead: per(f.invocations),
      recordsPerInvocation: f.invocations > 0 ? chainsOf(f) / f.invocations : 0,
      localMsPerInvocation: f.invocations > 0 ? f.wallMs / f.invocations : 0,
      computeMsPerRecord: computeMs,
      modelledMsPerInvocation: modelled,
      memoryMb,
      gbSecondsPerLead: per(f.invocations) * (memoryMb / 1024) * (billedMs / 1000),
    };
  });
  const invocations = PIPELINE_FUNCTIONS.reduce((n, fn) => n + usage.functions[fn].invocations, 0);
  add({
    service: 'Lambda',
    item: 'invocations',
    perLead: per(invocations),
    unit: 'requests',
    price: Prices.lambdaRequest,
    core: true,
    basis: 'counted',
  });
  add({
    service: 'Lambda',
    item: 'duration (arm64, memory per function)',
    perLead: functions.reduce((s, f) => s + f.gbSecondsPerLead, 0),
    unit: 'GB-s',
    price: Prices.lambdaArmGbSecond,
    core: true,
    basis: 'modelled',
    note: 'handler compute at the Lambda CPU share + assumed AWS call latencies',
  });

  const dynamo = usage.dynamo?.totals;
  add({
    service: 'DynamoDB',
    item: 'write request units (table)',
    perLead: per(dynamo?.wru ?? 0),
    unit: 'WRU',
    price: Prices.dynamoWriteRequestUnit,
    core: true,
    basis: 'counted',
  });
  add({
    service: 'DynamoDB',
    item: 'write request units (GSIs)',
    perLead: per(dynamo?.gsiWru ?? 0),
    unit: 'WRU',
    price: Prices.dynamoWriteRequestUnit,
    core: true,
    basis: 'counted',
  });
  add({
    service: 'DynamoDB',
    item: 'read request units',
    perLead: per(dynamo?.rru ?? 0),
    unit: 'RRU',
    price: Prices.dynamoReadRequestUnit,
    core: true,
    basis: 'counted',
  });

  for (const [name, q] of Object.entries(usage.queues)) {
    add({
      service: 'SQS',
      item: `${name} queue: send, receive, delete`,
      perLead: per(q.sendChunks + q.receiveChunks + q.deletes),
      unit: 'requests',
      price: Prices.sqsRequest,
      core: true,
      basis: 'counted',
    });
  }

  add({
    service: 'EventBridge',
    item: 'PutEvents entries (64 KB chunks)',
    perLead: per(usage.events.entryChunks),
    unit: 'events',
    price: Prices.eventBridgeEvent,
    core: true,
    basis: 'counted',
    note: 'rule deliveries to SQS and Lambda are free for custom events',
  });
  add({
    service: 'EventBridge',
    item: 'archive (every event)',
    perLead: per(usage.events.bytes) / 1024,
    unit: 'KB',
    price: Prices.eventBridgeArchiveGb / 1024 ** 2,
    core: true,
    basis: 'counted',
  });

  const secretCalls =
    (PIPELINE_FUNCTIONS.length * assumptions.warmContainersPerFunction) /
    (assumptions.secretCacheSeconds * assumptions.leadsPerSecond);
  add({
    service: 'Secrets Manager',
    item: 'GetSecretValue (cached)',
    perLead: secretCalls,
    unit: 'calls',
    price: Prices.secretsManagerCall,
    core: true,
    basis: 'modelled',
    note: `one call per warm container per ${assumptions.secretCacheSeconds} s`,
  });

  const logLines = usage.logs.lines;
  const logBytes =
    usage.logs.bytes +
    logLines * assumptions.lambdaContextBytesPerLogLine +
    invocations * assumptions.platformLogBytesPerInvocation +
    usage.httpRequests * assumptions.accessLogBytesPerRequest;
  add({
    service: 'CloudWatch Logs',
    item: 'ingestion (app + platform + access logs)',
    perLead: per(logBytes) / 1024,
    unit: 'KB',
    price: Prices.cloudWatchLogsIngestGb / 1024 ** 2,
    core: false,
    basis: 'modelled',
    note: `${round(per(logLines), 2)} app lines/lead counted locally`,
  });

  const tracesPerSecond = PIPELINE_FUNCTIONS.reduce(
    (sum, fn) =>
      sum +
      xrayTracesPerSecond(per(usage.functions[fn].invocations) * assumptions.leadsPerSecond, assumptions),
    0,
  );
  add({
    service: 'X-Ray',
    item: 'traces recorded (active tracing, default sampling)',
    perLead: tracesPerSecond / assumptions.leadsPerSecond,
    unit: 'traces',
    price: Prices.xrayTraceRecorded,
    core: false,
    basis: 'modelled',
    note: `at ${assumptions.leadsPerSecond} leads/s`,
  });

  const corePerMillion = lines.filter((l) => l.core).reduce((s, l) => s + l.perMillion, 0);
  const allPerMillion = lines.reduce((s, l) => s + l.perMillion, 0);
  return {
    leads,
    lines,
    functions,
    corePerMillion,
    allPerMillion,
    assumptions,
    latencyAssumptionsMs: AWS_CALL_LATENCY_MS,
    calibrated: calibration !== undefined,
  };
}

/** DynamoDB spend per step: which function writes or reads which item, per lead, in dollars per million. */
export interface DynamoStepCost {
  fn: string;
  op: string;
  item: string;
  callsPerLead: number;
  conditionFailedPerLead: number;
  wruPerLead: number;
  gsiWruPerLead: number;
  rruPerLead: number;
  perMillion: number;
}

export function dynamoSteps(usage: HubUsage, leads: number): DynamoStepCost[] {
  if (!(leads > 0)) throw new RangeError('cost needs at least one lead');
  return (usage.dynamo?.rows ?? [])
    .map((r) => ({
      fn: r.fn,
      op: r.op,
      item: r.item,
      callsPerLead: r.calls / leads,
      conditionFailedPerLead: r.conditionFailed / leads,
      wruPerLead: r.wru / leads,
      gsiWruPerLead: r.gsiWru / leads,
      rruPerLead: r.rru / leads,
      perMillion:
        (((r.wru + r.gsiWru) * Prices.dynamoWriteRequestUnit + r.rru * Prices.dynamoReadRequestUnit) /
          leads) *
        1e6,
    }))
    .sort((a, b) => b.perMillion - a.perMillion);
}
