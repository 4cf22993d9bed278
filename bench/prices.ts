/**
 * THE price table of the cost model: AWS list prices, us-east-1, on-demand, first usage tier, no free
 * tier and no discounts. List prices as of the date below, as published on the AWS pricing pages (read
 * from stored copies and cross-checked against 2026 third-party summaries; no live page was fetched, so
 * check https://aws.amazon.com/pricing/ before quoting them). Change a price here and every number in
 * bench/results.json follows.
 */
export const PRICES_AS_OF = '2026-11-30';
export const PRICES_REGION = 'us-east-1';

export const Prices = {
  /** API Gateway HTTP API: per request, first 300 M a month; metered in 512 KB increments. */
  httpApiRequest: 1.0 / 1e6,
  /** Lambda: per invocation request. */
  lambdaRequest: 0.2 / 1e6,
  /** Lambda arm64 duration: per GB-second, first 7.5 B GB-s a month. */
  lambdaArmGbSecond: 0.0000133334,
  /** DynamoDB on-demand, Standard table class: per write request unit (1 KB). */
  dynamoWriteRequestUnit: 0.625 / 1e6,
  /** DynamoDB on-demand: per read request unit (4 KB strongly consistent, 2 x 4 KB eventually). */
  dynamoReadRequestUnit: 0.125 / 1e6,
  /** DynamoDB storage, per GB-month (Standard). */
  dynamoStorageGbMonth: 0.25,
  /** DynamoDB continuous backups (PITR), per GB-month. */
  dynamoPitrGbMonth: 0.2,
  /** SQS standard queue: per request; each 64 KB chunk of a payload is one request. */
  sqsRequest: 0.4 / 1e6,
  /** EventBridge custom events: per PutEvents entry, per 64 KB chunk. Rule deliveries are free. */
  eventBridgeEvent: 1.0 / 1e6,
  /** EventBridge archive: per GB of events archived (processing). */
  eventBridgeArchiveGb: 0.1,
  /** Secrets Manager: per API call ($0.05 per 10,000). */
  secretsManagerCall: 0.05 / 1e4,
  /** Secrets Manager: per secret per month (a fixed cost, not per lead). */
  secretsManagerSecretMonth: 0.4,
  /** CloudWatch Logs: per GB ingested (Standard class). */
  cloudWatchLogsIngestGb: 0.5,
  /** X-Ray: per trace recorded. */
  xrayTraceRecorded: 5.0 / 1e6,
  /**
   * CloudWatch standard-resolution alarm, per alarm metric per month (fixed): an alarm on one metric is
   * one alarm metric, a metric-math alarm counts each metric it reads (its expressions count nothing).
   */
  cloudWatchAlarmMetricMonth: 0.1,
  /** CloudWatch custom metric (a log metric filter's), per metric-month, prorated by the hour it gets data. */
  cloudWatchCustomMetricMonth: 0.3,
  /** KMS: per request (the Decrypt behind each GetSecretValue), $0.03 per 10,000. */
  kmsRequest: 0.03 / 1e4,
} as const;

export type PriceName = keyof typeof Prices;

/**
 * The permanent monthly free tier of the services above (not the 12-month or credit offers), per
 * account and shared by everything in it: shown beside the fixed costs, never subtracted from them.
 */
export const FreeTier = {
  cloudWatchAlarmMetrics: 10,
  cloudWatchCustomMetrics: 10,
  cloudWatchLogsIngestGb: 5,
  sqsRequests: 1e6,
  lambdaRequests: 1e6,
  lambdaGbSeconds: 400_000,
  xrayTracesRecorded: 100_000,
  kmsRequests: 20_000,
} as const;

/** Hours in the month AWS prices by: secrets, alarms and metrics are prorated by the hour. */
export const HOURS_PER_MONTH = 730;
