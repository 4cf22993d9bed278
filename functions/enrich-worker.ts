import { createEnrichWorker } from '../lib/handlers/enrich-worker.js';
import { lambdaHandler } from '../lib/handlers/lambda.js';

export const handler = lambdaHandler(createEnrichWorker);
