import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretName, Secrets } from '../../ports.js';
import { loadOnce } from '../load-once.js';
import { type SecretArns, type SecretGroup, secretGroupOf } from './groups.js';

/** Secrets stay cached this long in a warm Lambda; a changed secret reaches every container within it. */
const MAX_AGE_MS = 300_000;

export interface SecretsManagerOptions {
  /** Replaces the default client, e.g. in tests. */
  client?: SecretsManagerClient;
  now?: () => number;
}

/**
 * Secrets port on the function's Secrets Manager secrets (lib/adapters/secrets/groups.ts), each a JSON
 * object of named values, each read once per MAX_AGE_MS, so warm invocations hit the cache, not the API.
 * A name whose secret the function was not given is a wiring mistake and throws, naming both; a name in
 * a secret the deployment does not create (a platform left out, given as null) reads as unset, as does a
 * local-only name. The SDK is loaded at the first read (see load-once.ts), which is why this does not go
 * through Powertools Parameters: its static import of the SDK would load the client at every cold start.
 */
export function createSecretsManagerSecrets(arns: SecretArns, options: SecretsManagerOptions = {}): Secrets {
  const now = options.now ?? Date.now;
  const secretsManager = loadOnce(async () => {
    const sdk = await import('@aws-sdk/client-secrets-manager');
    return { sdk, client: options.client ?? new sdk.SecretsManagerClient({}) };
  });
  const cache = new Map<SecretGroup, { values: Promise<Record<string, unknown>>; readAt: number }>();

  async function read(secretArn: string): Promise<Record<string, unknown>> {
    const { sdk, client } = await secretsManager();
    const result = await client.send(new sdk.GetSecretValueCommand({ SecretId: secretArn }));
    const text =
      result.SecretString ?? (result.SecretBinary && Buffer.from(result.SecretBinary).toString('utf8'));
    const values: unknown = text ? JSON.parse(text) : {};
    return values !== null && typeof values === 'object' ? (values as Record<string, unknown>) : {};
  }

  function values(group: SecretGroup, secretArn: string): Promise<Record<string, unknown>> {
    const cached = cache.get(group);
    if (cached && now() - cached.readAt < MAX_AGE_MS) return cached.values;
    const entry = { values: read(secretArn), readAt: now() };
    // A failed read is not kept: the next call reads again.
    entry.values.catch(() => {
      if (cache.get(group) === entry) cache.delete(group);
    });
    cache.set(group, entry);
    return entry.values;
  }

  return {
    async get(name: SecretName) {
      const group = secretGroupOf(name);
      if (group === undefined) return undefined;
      if (!(group in arns)) {
        throw new Error(
          `${name} is in the ${group} secret, which this function was not given ` +
            '(LEADHUB_SECRET_ARNS; grants in infra/function-access.ts)',
        );
      }
      const secretArn = arns[group];
      if (!secretArn) return undefined;
      const value = (await values(group, secretArn))[name];
      return typeof value === 'string' && value !== '' ? value : undefined;
    },
  };
}
