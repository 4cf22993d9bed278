import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EventBridgeEvent } from 'aws-lambda';
import { Patterns } from '../../events/patterns.js';
import type { DynamoClients } from '../adapters/dynamodb/client.js';
import { createDynamoClients } from '../adapters/dynamodb/client.js';
import { ensureTable } from '../adapters/dynamodb/create-table.js';
import {
  assertSlackAppChannels,
  type Env,
  type HubConfig,
  loadHubConfig,
  parseEnv,
  parseHubConfig,
} from '../config.js';
import type { HubDeps } from '../deps.js';
import { createPrivacyHttpHandler } from '../handlers/http-privacy.js';
import { type SweepOptions, type SweepResult, sweepReceipts } from '../pipeline/sweep.js';
import type { CaptureMessage, LeadStore, Notifier, ReceiptStore } from '../ports.js';
import { systemClock } from '../ports.js';
import { type HttpFunctionName, HttpRoutes } from '../routes.js';
import {
  metaReconcileConfigured,
  type ReconcileMetaResult,
  reconcileMeta,
} from '../sources/meta/reconcile.js';
import { type LocalDynamo, startDynalite } from './dynalite.js';
import { createEnvSecrets } from './env-secrets.js';
import { type HttpHandler, type LocalHttpServer, startHttpServer } from './http-server.js';
import { type BusDeadLetter, InProcessBus, type RetryPolicy } from './in-process-bus.js';
import { InProcessQueue, type QueueDeadLetter, type SqsHandler } from './in-process-queue.js';
import { LineLogger } from './line-logger.js';
import { type PepperOrigin, resolvePepper } from './pepper.js';
import { routeLimits } from './rate-limit.js';
import { ReconcileTimer } from './reconcile-timer.js';
import { loadLocalSlack, type SlackFactories } from './slack-wiring.js';
import { SweepTimer } from './sweep-timer.js';

export type SlackNotifierHandler = (event: EventBridgeEvent<'LeadScored', unknown>) => Promise<void>;

/** The factories the runtime wires; the defaults are the real handlers and adapters. */
export interface HubFactories extends SlackFactories {
  leadStore(options: { doc: DynamoClients['doc']; tableName: string }): LeadStore;
  receiptStore(options: { doc: DynamoClients['doc']; tableName: string }): ReceiptStore;
  webhookNotifier(url: string): Notifier;
  consoleNotifier(write?: (text: string) => void): Notifier;
  formsHttp(deps: HubDeps): HttpHandler;
  adminHttp(deps: HubDeps): HttpHandler;
  webhooksHttp(deps: HubDeps): HttpHandler;
  captureWorker(deps: HubDeps): SqsHandler;
  enrichWorker(deps: HubDeps): SqsHandler;
  slackNotifier(deps: HubDeps): SlackNotifierHandler;
}

/** Queue and retry timings; the defaults are short so that local failures show up quickly. */
export interface HubTuning {
  batchSize?: number;
  /** Batches each queue's consumer handles at once (Lambda's concurrency; default 2). */
  concurrency?: number;
  batchWindowMs?: number;
  visibilityTimeoutMs?: number;
  maxVisibilityTimeoutMs?: number;
  maxReceiveCount?: number;
  /** Retries of bus targets (the Slack notifier). */
  retry?: RetryPolicy;
  /** Request body cap of the HTTP server. */
  maxBodyBytes?: number;
  /**
   * The HTTP throttles of `limits` in the config; false turns them off (load and chaos harnesses, which
   * drive the hub far past them from one address on purpose).
   */
  rateLimits?: false;
  /**
   * The receipt sweeper's timer (the scheduled Lambda on AWS); false turns it off. By default it sweeps
   * every pending receipt at start, then every minute those pending for 2 minutes or more.
   */
  sweep?: false | { intervalMs?: number; olderThanMs?: number; lookbackHours?: number };
  /**
   * The Meta reconciliation timer (the hourly rule on AWS); false turns it off. It runs only when Meta is
   * configured (META_APP_SECRET and a page token) and `meta.reconcile.enabled`.
   */
  reconcile?: false | { intervalMs?: number; startupDelayMs?: number };
}

/** The local queue gives up on a message within seconds, so a receipt pending for minutes is stranded. */
const LOCAL_SWEEP_INTERVAL_MS = 60_000;
const LOCAL_SWEEP_OLDER_THAN_MS = 2 * 60_000;
/** At start everything pending is stranded; a week back covers a hub stopped over a long weekend. */
const STARTUP_SWEEP_LOOKBACK_HOURS = 7 * 24;
const LOCAL_RECONCILE_INTERVAL_MS = 60 * 60_000;
/** Long enough for the webhooks queued at Meta while the hub was down to arrive first. */
const LOCAL_RECONCILE_STARTUP_DELAY_MS = 30_000;

export interface StartHubOptions {
  /** Environment to read (default process.env); see lib/config.ts for the names. */
  env?: NodeJS.ProcessEnv;
  /** Overrides PORT (0 picks a free port). */
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Receives every log line (default stdout). */
  log?: (line: string) => void;
  /** A config object instead of the LEADHUB_CONFIG file. */
  config?: unknown;
  /** Replace some of the real handlers or adapters (tests). */
  factories?: Partial<HubFactories>;
  tuning?: HubTuning;
  /** Called when a part the hub cannot run without fails (the database process exits); default: logs. */
  onFatal?: (reason: string) => void;
}

export interface HubDeadLetters {
  capture: readonly QueueDeadLetter[];
  enrich: readonly QueueDeadLetter[];
  slack: readonly BusDeadLetter[];
}

export interface RunningHub {
  url: string;
  deps: HubDeps;
  /** Where the data lives: a directory, 'memory', or the DYNAMODB_ENDPOINT used. */
  database: string;
  /** Memory of the dynalite process this hub started (none with DYNAMODB_ENDPOINT), after a full collection when `gc` is set. */
  databaseMemory?: (gc?: boolean) => Promise<NodeJS.MemoryUsage>;
  pepperOrigin: PepperOrigin;
  /** Resolves once no request, queue message or bus delivery is pending anywhere. */
  drain(): Promise<void>;
  /** Stops accepting requests, drains in-flight work, then closes queues, bus and database. */
  stop(): Promise<void>;
  deadLetters(): HubDeadLetters;
  /** Runs the receipt sweeper now (by default with the timer's options); resolves to what it queued. */
  sweep(options?: SweepOptions): Promise<SweepResult>;
  /** Runs the Meta reconciliation now (after a running one), whether or not its timer is on. */
  reconcileMeta(options?: { lookbackHours?: number }): Promise<ReconcileMetaResult>;
}

export const LOCAL_ACCOUNT_ID = '000000000000';

/** Starts the whole hub in this process: database, queues, bus, workers and the HTTP server. */
export async function startHub(options: StartHubOptions = {}): Promise<RunningHub> {
  const env = parseEnv(options.env ?? process.env);
  const { config, origin } = resolveConfig(env, options);
  if (env.SLACK_BOT_TOKEN) {
    assertSlackAppChannels(config, {
      because: 'SLACK_BOT_TOKEN is set (Slack app mode)',
      origin,
      testWebhook: Boolean(env.SLACK_TEST_WEBHOOK_URL),
    });
  }
  const logger = new LineLogger(options.log, { serviceName: 'leadhub' });
  const tuning = options.tuning ?? {};
  const region = env.AWS_REGION ?? 'us-east-1';
  const memory = env.LEADHUB_DB === 'memory';
  const dataDir = resolve(env.LEADHUB_DATA_DIR);

  const cleanups: Array<() => Promise<void>> = [];
  const cleanup = async () => {
    for (const fn of cleanups.splice(0).reverse()) {
      await fn().catch(() => undefined);
    }
  };

  try {
    const factories = await loadFactories(options.factories ?? {});
    const localSlack = await loadLocalSlack(env, options.factories ?? {}, logger);

    let dynamo: LocalDynamo | undefined;
    let endpoint = env.DYNAMODB_ENDPOINT;
    if (!endpoint) {
      const onUnexpectedExit = (reason: string) => {
        logger.error('The local database stopped', { reason });
        options.onFatal?.(reason);
      };
      dynamo = await startDynalite(
        memory ? { onUnexpectedExit } : { path: join(dataDir, 'db'), onUnexpectedExit },
      );
      cleanups.push(() => (dynamo as LocalDynamo).close());
      endpoint = dynamo.endpoint;
    }
    const clients = await createDynamoClients({ endpoint, region });
    cleanups.push(async () => clients.client.destroy());
    await ensureTable(clients.client, env.TABLE_NAME).catch((error: unknown) => {
      throw new Error(
        `Cannot set up table ${env.TABLE_NAME} at ${dynamo?.path ?? endpoint}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    });

    const { pepper, origin: pepperOrigin } = await resolvePepper({
      configured: env.LEADHUB_PEPPER,
      dataDir,
      persist: !memory,
    });

    const queueOptions = {
      region,
      accountId: LOCAL_ACCOUNT_ID,
      logger,
      batchSize: tuning.batchSize,
      concurrency: tuning.concurrency,
      batchWindowMs: tuning.batchWindowMs,
      visibilityTimeoutMs: tuning.visibilityTimeoutMs,
      maxVisibilityTimeoutMs: tuning.maxVisibilityTimeoutMs,
      maxReceiveCount: tuning.maxReceiveCount,
    };
    const captureQueue = new InProcessQueue<CaptureMessage>({ ...queueOptions, name: 'leadhub-capture' });
    const enrichQueue = new InProcessQueue({ ...queueOptions, name: 'leadhub-enrich' });
    const bus = new InProcessBus({
      name: env.EVENT_BUS_NAME,
      region,
      accountId: LOCAL_ACCOUNT_ID,
      logger,
      ...(tuning.retry ? { retry: tuning.retry } : {}),
    });
    cleanups.push(() => captureQueue.stop());
    cleanups.push(() => enrichQueue.stop());
    cleanups.push(() => bus.stop());

    const deps: HubDeps = {
      env,
      config,
      store: factories.leadStore({ doc: clients.doc, tableName: env.TABLE_NAME }),
      receipts: factories.receiptStore({ doc: clients.doc, tableName: env.TABLE_NAME }),
      captureQueue,
      bus,
      secrets: createEnvSecrets(env, { LEADHUB_PEPPER: pepper }),
      clock: systemClock,
      logger,
      // A Slack app (bot token) wins over an incoming webhook; with neither, alerts are printed.
      notifier:
        localSlack.appNotifier ??
        (env.SLACK_WEBHOOK_URL
          ? factories.webhookNotifier(env.SLACK_WEBHOOK_URL)
          : factories.consoleNotifier(
              options.log ? (text) => options.log?.(text.replace(/\n$/, '')) : undefined,
            )),
      ...(env.SLACK_TEST_WEBHOOK_URL
        ? { testNotifier: factories.webhookNotifier(env.SLACK_TEST_WEBHOOK_URL) }
        : {}),
    };

    const slaTimers = await localSlack.startScheduler(deps);
    if (slaTimers) cleanups.push(() => slaTimers.stop());
    captureQueue.attach(factories.captureWorker(deps));
    enrichQueue.attach(factories.enrichWorker(deps));
    const slack = factories.slackNotifier(deps);
    bus.addRule({
      name: 'lead-captured-to-enrich',
      pattern: Patterns.leadCapturedToEnrich,
      target: { kind: 'queue', queue: enrichQueue },
    });
    bus.addRule({
      name: 'lead-scored-to-slack',
      pattern: Patterns.leadScoredToSlack,
      target: {
        kind: 'function',
        invoke: (event) => slack(event as EventBridgeEvent<'LeadScored', unknown>),
      },
    });

    const handlers: Record<HttpFunctionName, HttpHandler> = {
      'http-forms': factories.formsHttp(deps),
      'http-admin': factories.adminHttp(deps),
      'http-privacy': createPrivacyHttpHandler(deps),
      'http-webhooks': factories.webhooksHttp(deps),
      'http-slack': localSlack.http(deps),
    };
    const http: LocalHttpServer = await startHttpServer({
      routes: HttpRoutes.map((route) => ({
        method: route.method,
        path: route.path,
        handler: handlers[route.fn],
        ...(tuning.rateLimits === false ? {} : { limits: routeLimits(route, config.limits) }),
      })),
      port: options.port ?? env.PORT,
      host: options.host ?? '127.0.0.1',
      logger,
      now: () => deps.clock.now(),
      trustedProxyHops: config.limits.trustedProxyHops,
      ...(tuning.maxBodyBytes ? { maxBodyBytes: tuning.maxBodyBytes } : {}),
    });
    cleanups.push(() => http.close());

    const sweepTuning = tuning.sweep === false ? undefined : (tuning.sweep ?? {});
    const sweeper = new SweepTimer({
      sweep: (sweepOptions) => sweepReceipts(deps, sweepOptions),
      intervalMs: sweepTuning ? (sweepTuning.intervalMs ?? LOCAL_SWEEP_INTERVAL_MS) : 0,
      periodic: {
        olderThanMs: sweepTuning?.olderThanMs ?? LOCAL_SWEEP_OLDER_THAN_MS,
        ...(sweepTuning?.lookbackHours !== undefined ? { lookbackHours: sweepTuning.lookbackHours } : {}),
      },
      ...(sweepTuning ? { startup: { olderThanMs: 0, lookbackHours: STARTUP_SWEEP_LOOKBACK_HOURS } } : {}),
      logger,
    });
    sweeper.start();
    cleanups.push(() => sweeper.stop());

    const reconcileTuning = tuning.reconcile === false ? undefined : (tuning.reconcile ?? {});
    const reconciler = new ReconcileTimer({
      run: (runOptions?: { lookbackHours?: number }) =>
        reconcileMeta(deps, {
          now: deps.clock.now(),
          lookbackHours: runOptions?.lookbackHours ?? config.meta.reconcile.lookbackHours,
        }),
      intervalMs: reconcileTuning ? (reconcileTuning.intervalMs ?? LOCAL_RECONCILE_INTERVAL_MS) : 0,
      startupDelayMs: reconcileTuning?.startupDelayMs ?? LOCAL_RECONCILE_STARTUP_DELAY_MS,
      logger,
    });
    if (reconcileTuning && (await metaReconcileConfigured(deps))) reconciler.start();
    cleanups.push(() => reconciler.stop());

    const database = env.DYNAMODB_ENDPOINT ?? (memory ? 'memory' : join(dataDir, 'db'));
    logger.info('LeadHub started', {
      url: http.url,
      database,
      forms: Object.keys(config.forms),
      pepper: pepperOrigin,
      slack: localSlack.mode,
    });

    // Work moves between parts (HTTP → capture queue → bus → enrich queue → bus → Slack), so one pass
    // over them is not enough: repeat until a whole pass finds every part idle.
    const parts = [http, sweeper, reconciler, captureQueue, bus, enrichQueue];
    const idle = () =>
      http.inFlight() === 0 &&
      sweeper.isIdle() &&
      reconciler.isIdle() &&
      captureQueue.isIdle() &&
      bus.isIdle() &&
      enrichQueue.isIdle();
    const drain = async () => {
      do {
        for (const part of parts) await part.drain();
      } while (!idle());
    };

    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= (async () => {
        logger.info('LeadHub stopping');
        await http.close();
        await drain();
        await logSpeedSummary(deps, logger);
        await cleanup();
        logger.info('LeadHub stopped');
      })();
      return stopping;
    };

    return {
      url: http.url,
      deps,
      database,
      ...(dynamo ? { databaseMemory: dynamo.memory } : {}),
      pepperOrigin,
      drain,
      stop,
      deadLetters: () => ({
        capture: captureQueue.deadLetters(),
        enrich: enrichQueue.deadLetters(),
        slack: bus.deadLetters(),
      }),
      sweep: (sweepOptions) => sweeper.sweep(sweepOptions),
      reconcileMeta: (reconcileOptions = {}) => reconciler.run(reconcileOptions),
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** The speed-to-lead summary of the last week, in the log on exit (skipped when the store cannot say). */
async function logSpeedSummary(deps: HubDeps, logger: LineLogger): Promise<void> {
  try {
    const { speedToLeadSummary, formatSpeedSummary } = await import('../pipeline/speed-to-lead.js');
    const summary = await speedToLeadSummary(deps.store, deps.clock.now(), 7);
    logger.info(formatSpeedSummary(summary), { speedToLead: summary });
  } catch (error) {
    logger.debug('no speed-to-lead summary', { error: (error as Error).name });
  }
}

/**
 * The config: an object given by the caller, else the LEADHUB_CONFIG file. When that variable is unset
 * and its default file is missing, the hub starts with no forms (and says so) rather than not at all.
 */
function resolveConfig(env: Env, options: StartHubOptions): { config: HubConfig; origin: string } {
  if (options.config !== undefined) {
    const origin = 'the config given to startHub';
    return { config: parseHubConfig(options.config, origin), origin };
  }
  const explicit = Boolean((options.env ?? process.env).LEADHUB_CONFIG);
  if (!explicit && !existsSync(env.LEADHUB_CONFIG)) {
    return { config: parseHubConfig({}), origin: `the defaults (no ${env.LEADHUB_CONFIG})` };
  }
  return { config: loadHubConfig(env.LEADHUB_CONFIG), origin: env.LEADHUB_CONFIG };
}

/** Imports the real factories lazily, only those not replaced, so tests need none of them. */
async function loadFactories(overrides: Partial<HubFactories>): Promise<HubFactories> {
  const pick = async <K extends keyof HubFactories>(
    key: K,
    load: () => Promise<HubFactories[K]>,
  ): Promise<HubFactories[K]> => overrides[key] ?? (await load());
  const [
    leadStore,
    receiptStore,
    webhookNotifier,
    consoleNotifier,
    formsHttp,
    adminHttp,
    captureWorker,
    enrichWorker,
    slackNotifier,
    webhooksHttp,
  ] = await Promise.all([
    pick(
      'leadStore',
      async () => (await import('../adapters/dynamodb/lead-store.js')).createDynamoDbLeadStore,
    ),
    pick(
      'receiptStore',
      async () => (await import('../adapters/dynamodb/receipt-store.js')).createDynamoDbReceiptStore,
    ),
    pick(
      'webhookNotifier',
      async () => (await import('../adapters/slack/webhook-notifier.js')).createWebhookNotifier,
    ),
    pick(
      'consoleNotifier',
      async () => (await import('../adapters/slack/console-notifier.js')).createConsoleNotifier,
    ),
    pick('formsHttp', async () => (await import('../handlers/http-forms.js')).createFormsHttpHandler),
    pick('adminHttp', async () => (await import('../handlers/http-admin.js')).createAdminHttpHandler),
    pick('captureWorker', async () => (await import('../handlers/capture-worker.js')).createCaptureWorker),
    pick('enrichWorker', async () => (await import('../handlers/enrich-worker.js')).createEnrichWorker),
    pick('slackNotifier', async () => (await import('../handlers/slack-notifier.js')).createSlackNotifier),
    pick(
      'webhooksHttp',
      async () => (await import('../handlers/http-webhooks.js')).createWebhooksHttpHandler,
    ),
  ]);
  return {
    leadStore,
    receiptStore,
    webhookNotifier,
    consoleNotifier,
    formsHttp,
    adminHttp,
    captureWorker,
    enrichWorker,
    slackNotifier,
    webhooksHttp,
  };
}
