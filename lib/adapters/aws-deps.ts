import { resolve } from 'node:path';
import { loadHubConfig, parseEnv } from '../config.js';
import type { HubDeps } from '../deps.js';
import { logger } from '../logger.js';
import { type Secrets, systemClock } from '../ports.js';
import { createLazyDocumentClient } from './dynamodb/client.js';
import { createDynamoDbLeadStore } from './dynamodb/lead-store.js';
import { createDynamoDbReceiptStore } from './dynamodb/receipt-store.js';
import { createEventBridgeBus } from './eventbridge/event-bus.js';
import { createPowertoolsSpeedMetrics } from './metrics/speed-metrics.js';
import { createEventBridgeScheduler } from './scheduler/eventbridge-scheduler.js';
import { parseSecretArns } from './secrets/groups.js';
import { createSecretsManagerSecrets } from './secrets/secrets-manager.js';
import { createSlackAppNotifier } from './slack/app-notifier.js';
import { createSlackWebApi } from './slack/web-api.js';
import { createWebhookNotifier } from './slack/webhook-notifier.js';
import { createSqsQueue } from './sqs/sqs-queue.js';

const missingQueue = {
  async send(): Promise<void> {
    throw new Error('CAPTURE_QUEUE_URL is not set for this function');
  },
};

export interface AwsDepsOptions {
  /**
   * Build the Slack notifiers (from the Slack secret, which the function must then be given): only the
   * functions that post to Slack ask, so no other reads that secret.
   */
  notifiers?: boolean;
  /** The most a Slack Web API call may take, retries included (default: the notifier's policy). */
  slackBudgetMs?: number;
}

/** The Lambda runtime's dependencies: AWS adapters configured from the function's environment. */
export async function awsDeps(options: AwsDepsOptions = {}): Promise<HubDeps> {
  const env = parseEnv();
  const secretArns = parseSecretArns(env.LEADHUB_SECRET_ARNS);
  const config = loadHubConfig(resolve(process.env.LAMBDA_TASK_ROOT ?? '.', env.LEADHUB_CONFIG));
  const secrets: Secrets = createSecretsManagerSecrets(secretArns);
  const doc = createLazyDocumentClient({ endpoint: env.DYNAMODB_ENDPOINT, region: env.AWS_REGION });
  // Only the functions that post to Slack read its secret (and are granted it: infra/function-access.ts).
  // Webhook URLs are secrets; a container reads them once, so a newly set URL reaches new containers.
  const slack = options.notifiers === true;
  const webhookUrl = slack ? await secrets.get('SLACK_WEBHOOK_URL') : undefined;
  const testWebhookUrl = slack ? await secrets.get('SLACK_TEST_WEBHOOK_URL') : undefined;
  // A Slack app (bot token) wins over the webhook: buttons, updates in place and SLA escalation.
  const botToken = slack ? await secrets.get('SLACK_BOT_TOKEN') : undefined;
  const appNotifier = botToken
    ? createSlackAppNotifier(
        createSlackWebApi({
          token: botToken,
          baseUrl: env.SLACK_API_URL,
          ...(options.slackBudgetMs !== undefined ? { retry: { budgetMs: options.slackBudgetMs } } : {}),
          onPermanentError: (info) => logger.error('Slack rejected a call', info),
        }),
      )
    : undefined;
  // The notifier creates SLA schedules, the Slack actions function deletes them; the stack says which.
  const scheduler = env.SLA_SCHEDULE_GROUP
    ? createEventBridgeScheduler({
        groupName: env.SLA_SCHEDULE_GROUP,
        ...(env.SLA_ESCALATOR_ARN ? { targetArn: env.SLA_ESCALATOR_ARN } : {}),
        ...(env.SLA_SCHEDULER_ROLE_ARN ? { roleArn: env.SLA_SCHEDULER_ROLE_ARN } : {}),
        ...(env.SLA_DLQ_ARN ? { deadLetterArn: env.SLA_DLQ_ARN } : {}),
      })
    : undefined;
  return {
    env,
    config,
    store: createDynamoDbLeadStore({ doc, tableName: env.TABLE_NAME }),
    receipts: createDynamoDbReceiptStore({ doc, tableName: env.TABLE_NAME }),
    captureQueue: env.CAPTURE_QUEUE_URL ? createSqsQueue(env.CAPTURE_QUEUE_URL) : missingQueue,
    bus: createEventBridgeBus(env.EVENT_BUS_NAME),
    secrets,
    clock: systemClock,
    logger,
    ...(appNotifier
      ? { notifier: appNotifier }
      : webhookUrl
        ? { notifier: createWebhookNotifier(webhookUrl) }
        : {}),
    ...(scheduler ? { scheduler } : {}),
    metrics: createPowertoolsSpeedMetrics(),
    ...(testWebhookUrl ? { testNotifier: createWebhookNotifier(testWebhookUrl) } : {}),
  };
}
