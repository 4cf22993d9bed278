import { createCaptureWorker } from '../lib/handlers/capture-worker.js';
import { lambdaHandler } from '../lib/handlers/lambda.js';

export const handler = lambdaHandler(createCaptureWorker);
