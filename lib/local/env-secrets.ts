import type { Env } from '../config.js';
import type { SecretName, Secrets } from '../ports.js';

/**
 * Secrets from the (parsed) environment, the local stand-in for Secrets Manager. Fallbacks fill what
 * the environment leaves unset, e.g. the generated pepper.
 */
export function createEnvSecrets(
  env: Pick<Env, SecretName>,
  fallbacks: Partial<Record<SecretName, string>> = {},
): Secrets {
  return {
    async get(name: SecretName): Promise<string | undefined> {
      return env[name] ?? fallbacks[name];
    },
  };
}
