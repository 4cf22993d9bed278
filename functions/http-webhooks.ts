import { createWebhooksHttpHandler } from '../lib/handlers/http-webhooks.js';
import { lambdaHandler } from '../lib/handlers/lambda.js';

export const handler = lambdaHandler(createWebhooksHttpHandler);
