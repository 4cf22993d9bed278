import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretName, Secrets } from '../../ports.js';
import { loadOnce } from '../load-once.js';

/** Secrets stay cached this long in a warm Lambda; a changed secret reaches every container within it. */
const MAX_AGE_MS = 300_000;

export interface SecretsManagerOptions {
  /** Replaces the default client, e.g. in tests. */
  client?: SecretsManagerClient;
  now?: () => number;
}

/**
 * Secrets port on one Secrets Manager secret holding a JSON object of named values, read once per
 * MAX_AGE_MS, so warm invocations hit the cache, not the API. The SDK is loaded at the first read (see
 * load-once.ts), which is why this does not go through Powertools Parameters: its static import of the
 * SDK would load the client at every cold start.
 */
export function createSecretsManagerSecrets(secretArn: string, options: SecretsManagerOptions = {}): Secrets {
  const now = options.now ?? Date.now;
  const secretsManager = loadOnce(async () => {
    const sdk = await import('@aws-sdk/client-secrets-manager');
    return { sdk, client: options.client ?? new sdk.SecretsManagerClient({}) };
  });
  let cached: { values: Promise<Record<string, unknown>>; readAt: number } | undefined;

  async function read(): Promise<Record<string, unknown>> {
    const { sdk, client } = await secretsManager();
    const result = await client.send(new sdk.GetSecretValueCommand({ SecretId: secretArn }));
    const text =
      result.SecretString ?? (result.SecretBinary && Buffer.from(result.SecretBinary).toString('utf8'));
    const values: unknown = text ? JSON.parse(text) : {};
    return values !== null && typeof values === 'object' ? (values as Record<string, unknown>) : {};
  }

  function values(): Promise<Record<string, unknown>> {
    if (!cached || now() - cached.readAt >= MAX_AGE_MS) {
      const entry = { values: read(), readAt: now() };
      // A failed read is not kept: the next call reads again.
      entry.values.catch(() => {
        if (cached === entry) cached = undefined;
      });
      cached = entry;
    }
    return cached.values;
  }

  return {
    async get(name: SecretName) {
      const value = (await values())[name];
      return typeof value === 'string' && value !== '' ? value : undefined;
    },
  };
}
