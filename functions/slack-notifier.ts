import { lambdaHandler } from '../lib/handlers/lambda.js';
import { createSlackNotifier } from '../lib/handlers/slack-notifier.js';

// Posts to Slack: the notifiers come from the Slack secret.
export const handler = lambdaHandler(createSlackNotifier, { notifiers: true });
