import { createAdminHttpHandler } from '../lib/handlers/http-admin.js';
import { lambdaHandler } from '../lib/handlers/lambda.js';

export const handler = lambdaHandler(createAdminHttpHandler);
