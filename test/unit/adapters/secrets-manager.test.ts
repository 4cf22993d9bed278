import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSecretsManagerSecrets } from '../../../lib/adapters/secrets/secrets-manager.js';

const mock = mockClient(SecretsManagerClient);
const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:leadhub';

describe('Secrets Manager secrets', () => {
  beforeEach(() => mock.reset());

  it('reads named values from the JSON secret, once for many reads', async () => {
    mock.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_WEBHOOK_URL: '', OTHER: 3 }),
    });
    const secrets = createSecretsManagerSecrets(ARN);
    const values = await Promise.all([
      secrets.get('SLACK_BOT_TOKEN'),
      secrets.get('SLACK_WEBHOOK_URL'),
      secrets.get('META_APP_SECRET'),
    ]);
    // Empty and missing values are not set; only strings count.
    expect(values).toEqual(['xoxb-1', undefined, undefined]);
    expect(await secrets.get('SLACK_BOT_TOKEN')).toBe('xoxb-1');
    const calls = mock.commandCalls(GetSecretValueCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({ SecretId: ARN });
  });

  it('reads the secret again after five minutes, so a changed value reaches warm containers', async () => {
    let now = 0;
    mock
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: '{"SLACK_BOT_TOKEN":"old"}' })
      .resolves({ SecretString: '{"SLACK_BOT_TOKEN":"new"}' });
    const secrets = createSecretsManagerSecrets(ARN, { now: () => now });
    expect(await secrets.get('SLACK_BOT_TOKEN')).toBe('old');
    now = 299_999;
    expect(await secrets.get('SLACK_BOT_TOKEN')).toBe('old');
    now = 300_000;
    expect(await secrets.get('SLACK_BOT_TOKEN')).toBe('new');
    expect(mock.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('does not keep a failed read, and accepts a binary secret', async () => {
    mock
      .on(GetSecretValueCommand)
      .rejectsOnce(new Error('throttled'))
      .resolves({ SecretBinary: new TextEncoder().encode('{"SLACK_BOT_TOKEN":"bin"}') });
    const secrets = createSecretsManagerSecrets(ARN);
    await expect(secrets.get('SLACK_BOT_TOKEN')).rejects.toThrow('throttled');
    expect(await secrets.get('SLACK_BOT_TOKEN')).toBe('bin');
  });
});
