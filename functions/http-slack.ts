import { createSlackHttpHandler } from '../lib/handlers/http-slack.js';
import { lambdaHandler } from '../lib/handlers/lambda.js';

// Posts to Slack: the notifiers come from the Slack secret.
export const handler = lambdaHandler(createSlackHttpHandler, { notifiers: true });
