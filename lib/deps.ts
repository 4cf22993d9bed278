import type { Logger } from '@aws-lambda-powertools/logger';
import type { Env, HubConfig } from './config.js';
import type {
  CaptureMessage,
  Clock,
  EventBus,
  LeadStore,
  Notifier,
  Queue,
  ReceiptStore,
  Scheduler,
  Secrets,
  SpeedMetrics,
} from './ports.js';

/**
 * Everything a handler needs, built once per runtime: by lib/adapters/aws-deps.ts in Lambda and by
 * lib/local/ in the local runtime. Handlers and use cases only ever see these ports.
 */
export interface HubDeps {
  env: Env;
  config: HubConfig;
  store: LeadStore;
  /** Raw receipts of platform deliveries. */
  receipts: ReceiptStore;
  captureQueue: Queue<CaptureMessage>;
  bus: EventBus;
  secrets: Secrets;
  clock: Clock;
  logger: Logger;
  /** Main sales channel. Undefined when Slack is not configured. */
  notifier?: Notifier;
  /** Channel for test leads (never the main one). */
  testNotifier?: Notifier;
  /** SLA timers. Undefined where nothing schedules (then no SLA is set). */
  scheduler?: Scheduler;
  /** Stage-duration metrics (CloudWatch on AWS); undefined locally. */
  metrics?: SpeedMetrics;
}
