import { createSlackNotifier } from '../lib/handlers/slack-notifier.js';
import { lambdaHandler } from '../lib/handlers/lambda.js';

export const handler = lambdaHandler(createSlackNotifier);
