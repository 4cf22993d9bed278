import { createSlackHttpHandler, SLACK_INTERACTION_BUDGET_MS } from '../lib/handlers/http-slack.js';
import { lambdaHandler } from '../lib/handlers/lambda.js';

// Posts to Slack: the notifiers come from the Slack secret, with room for a click's 10 s.
export const handler = lambdaHandler(createSlackHttpHandler, {
  notifiers: true,
  slackBudgetMs: SLACK_INTERACTION_BUDGET_MS,
});
