import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretName, Secrets } from '../../ports.js';

/** Secrets stay cached this long in a warm Lambda; a changed secret reaches every container within it. */
const MAX_AGE_SECONDS = 300;

/**
 * Secrets port on one Secrets Manager secret holding a JSON object of named values. Read through
 * Powertools Parameters, so warm invocations hit the cache, not the API.
 */
export function createSecretsManagerSecrets(secretArn: string): Secrets {
  return {
    async get(name: SecretName) {
      const values = await getSecret<Record<string, unknown>>(secretArn, {
        transform: 'json',
        maxAge: MAX_AGE_SECONDS,
      });
      const value = values?.[name];
      return typeof value === 'string' && value !== '' ? value : undefined;
    },
  };
}
