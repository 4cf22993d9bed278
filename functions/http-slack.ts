import { createSlackHttpHandler } from '../lib/handlers/http-slack.js';
import { lambdaHandler } from '../lib/handlers/lambda.js';

export const handler = lambdaHandler(createSlackHttpHandler);
