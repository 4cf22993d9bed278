import { resolve } from 'node:path';
import { loadHubConfig, parseEnv } from '../config.js';
import type { HubDeps } from '../deps.js';
import { logger } from '../logger.js';
import { type Secrets, systemClock } from '../ports.js';
import { createLazyDocumentClient } from './dynamodb/client.js';
import { createDynamoDbLeadStore } from './dynamodb/lead-store.js';
import { createEventBridgeBus } from './eventbridge/event-bus.js';
import { createPowertoolsSpeedMetrics } from './metrics/speed-metrics.js';
import { createEventBridgeScheduler } from './scheduler/eventbridge-scheduler.js';
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

/** The Lambda runtime's dependencies: AWS adapters configured from the function's environment. */
export async function awsDeps(): Promise<HubDeps> {
  const env = parseEnv();
  if (!env.LEADHUB_SECRET_ARN) throw new Error('LEADHUB_SECRET_ARN is not set');
  const config = loadHubConfig(resolve(process.env.LAMBDA_TASK_ROOT ?? '.', env.LEADHUB_CONFIG));
  const secrets: Secrets = createSecretsManagerSecrets(env.LEADHUB_SECRET_ARN);
  const doc = createLazyDocumentClient({ endpoint: env.DYNAMODB_ENDPOINT, region: env.AWS_REGION });
  // Webhook URLs are secrets; a container reads them once, so a newly set URL reaches new containers.
  const webhookUrl = await secrets.get('SLACK_WEBHOOK_URL');
  const testWebhookUrl = await secrets.get('SLACK_TEST_WEBHOOK_URL');
  // A Slack app (bot token) wins over the webhook: buttons, updates in place and SLA escalation.
  const botToken = await secrets.get('SLACK_BOT_TOKEN');
  const appNotifier = botToken
    ? createSlackAppNotifier(
        createSlackWebApi({
          token: botToken,
          baseUrl: env.SLACK_API_URL,
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
