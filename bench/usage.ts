import type { MeterRow, MeterTotals } from './dynamo-meter.js';

/** The Lambdas a lead passes through (infra/constructs/hub-function.ts names). */
export const PIPELINE_FUNCTIONS = [
  'http-forms',
  'http-webhooks',
  'capture-worker',
  'enrich-worker',
  'slack-notifier',
] as const;
export type PipelineFunction = (typeof PIPELINE_FUNCTIONS)[number];

export interface FunctionUsage {
  invocations: number;
  /** SQS records handled (queue consumers) or events (the notifier). */
  records: number;
  /** Wall time of every invocation, summed, measured around the handler in the local runtime. */
  wallMs: number;
  /** Part of wallMs spent waiting on calls to other services (local stand-ins), summed per call. */
  callMs: number;
  /** Calls this function made to other services (what a Lambda waits on over the network). */
  calls: {
    dynamo: number;
    sqsSend: number;
    putEvents: number;
    slackPost: number;
    secrets: number;
    /** Reads from an ad platform's API (Meta Graph), counted at the platform stand-in. */
    platformApi: number;
  };
}

export interface QueueUsage {
  /** SendMessage requests, and their 64 KB chunks. */
  sends: number;
  sendChunks: number;
  /** ReceiveMessage requests that returned a batch (one per consumer invocation), in 64 KB chunks. */
  receives: number;
  receiveChunks: number;
  /** DeleteMessageBatch requests (one per batch with at least one success). */
  deletes: number;
  /** Records received for the first time, and again after a failure. */
  firstReceives: number;
  redeliveries: number;
}

/** Everything the instrumented local runtime counted; see bench/hub/instrument.ts. */
export interface HubUsage {
  /** HTTP requests routed to a Lambda (API Gateway requests). */
  httpRequests: number;
  httpStatus: Record<string, number>;
  functions: Record<PipelineFunction, FunctionUsage>;
  queues: { capture: QueueUsage; enrich: QueueUsage };
  events: {
    /** PutEvents calls (the EventBridge adapter sends up to 10 entries a call). */
    putEventsCalls: number;
    entries: number;
    /** Entries in 64 KB chunks: what EventBridge bills. */
    entryChunks: number;
    bytes: number;
    byType: Record<string, number>;
  };
  slackPosts: number;
  logs: { lines: number; bytes: number };
  dynamo?: { rows: MeterRow[]; totals: MeterTotals };
  /** Messages and events parked in the local dead-letter lists. */
  deadLetters?: { capture: number; enrich: number; slack: number };
}

export function emptyFunctionUsage(): FunctionUsage {
  return {
    invocations: 0,
    records: 0,
    wallMs: 0,
    callMs: 0,
    calls: { dynamo: 0, sqsSend: 0, putEvents: 0, slackPost: 0, secrets: 0, platformApi: 0 },
  };
}

export function emptyQueueUsage(): QueueUsage {
  return {
    sends: 0,
    sendChunks: 0,
    receives: 0,
    receiveChunks: 0,
    deletes: 0,
    firstReceives: 0,
    redeliveries: 0,
  };
}

export function emptyUsage(): HubUsage {
  return {
    httpRequests: 0,
    httpStatus: {},
    functions: {
      'http-forms': emptyFunctionUsage(),
      'http-webhooks': emptyFunctionUsage(),
      'capture-worker': emptyFunctionUsage(),
      'enrich-worker': emptyFunctionUsage(),
      'slack-notifier': emptyFunctionUsage(),
    },
    queues: { capture: emptyQueueUsage(), enrich: emptyQueueUsage() },
    events: { putEventsCalls: 0, entries: 0, entryChunks: 0, bytes: 0, byType: {} },
    slackPosts: 0,
    logs: { lines: 0, bytes: 0 },
  };
}

/** Requests SQS and EventBridge bill for a payload: one per started 64 KB, at least one. */
export function chunks64k(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / (64 * 1024)));
}
