import { lambdaHandler } from '../lib/handlers/lambda.js';
import { createSlaEscalator } from '../lib/handlers/sla-escalator.js';

export const handler = lambdaHandler(createSlaEscalator);
