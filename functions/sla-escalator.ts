import { lambdaHandler } from '../lib/handlers/lambda.js';
import { createSlaEscalator } from '../lib/handlers/sla-escalator.js';

// Posts to Slack: the notifiers come from the Slack secret.
export const handler = lambdaHandler(createSlaEscalator, { notifiers: true });
