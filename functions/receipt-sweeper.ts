import { lambdaHandler } from '../lib/handlers/lambda.js';
import { createReceiptSweeper } from '../lib/handlers/receipt-sweeper.js';

export const handler = lambdaHandler((deps) => createReceiptSweeper(deps));
