import { createPrivacyHttpHandler } from '../lib/handlers/http-privacy.js';
import { lambdaHandler } from '../lib/handlers/lambda.js';

export const handler = lambdaHandler(createPrivacyHttpHandler);
