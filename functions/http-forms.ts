import { createFormsHttpHandler } from '../lib/handlers/http-forms.js';
import { lambdaHandler } from '../lib/handlers/lambda.js';

export const handler = lambdaHandler(createFormsHttpHandler);
