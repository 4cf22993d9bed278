import { Logger } from '@aws-lambda-powertools/logger';

/** One logger for the hub. Log ids, never PII (emails, phones, names, answers). */
export const logger = new Logger({ serviceName: 'leadhub' });
