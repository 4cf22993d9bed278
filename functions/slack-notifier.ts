import { lambdaHandler } from '../lib/handlers/lambda.js';
import { createSlackNotifier } from '../lib/handlers/slack-notifier.js';

export const handler = lambdaHandler(createSlackNotifier);
