import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  LOCAL_ONLY_SECRETS,
  parseSecretArns,
  SECRET_GROUPS,
  secretGroupOf,
} from '../../../lib/adapters/secrets/groups.js';
import { createSecretsManagerSecrets } from '../../../lib/adapters/secrets/secrets-manager.js';
import { EnvSchema } from '../../../lib/config.js';
import { rejection } from '../../support/thrown.js';

const mock = mockClient(SecretsManagerClient);
const arn = (name: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`;
const SLACK = arn('slack');
const PEPPER = arn('pepper');

describe('Secrets Manager secrets', () => {
  beforeEach(() => mock.reset());

  it('reads named values from the JSON secret, once for many reads', async () => {
    mock.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_WEBHOOK_URL: '', OTHER: 3 }),
    });
    const secrets = createSecretsManagerSecrets({ slack: SLACK });
    const values = await Promise.all([
      secrets.get('SLACK_BOT_TOKEN'),
      secrets.get('SLACK_WEBHOOK_URL'),
      secrets.get('SLACK_SIGNING_SECRET'),
    ]);
    // Empty and missing values are not set; only strings count.
    expect(values).toEqual(['xoxb-1', undefined, undefined]);
    expect(await secrets.get('SLACK_BOT_TOKEN')).toBe('xoxb-1');
    const calls = mock.commandCalls(GetSecretValueCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({ SecretId: SLACK });
  });

  it('reads each name from its own secret, each cached on its own', async () => {
    mock
      .on(GetSecretValueCommand, { SecretId: SLACK })
      .resolves({ SecretString: '{"SLACK_BOT_TOKEN":"xoxb-2"}' })
      .on(GetSecretValueCommand, { SecretId: PEPPER })
      .resolves({ SecretString: '{"LEADHUB_PEPPER":"pepper-1"}' });
    const secrets = createSecretsManagerSecrets({ slack: SLACK, pepper: PEPPER });
    expect(await secrets.get('LEADHUB_PEPPER')).toBe('pepper-1');
    expect(await secrets.get('SLACK_BOT_TOKEN')).toBe('xoxb-2');
    expect(await secrets.get('LEADHUB_PEPPER')).toBe('pepper-1');
    expect(mock.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId)).toEqual([
      PEPPER,
      SLACK,
    ]);
  });

  it('fails loudly, without a call, on a name whose secret the function was not given', async () => {
    const secrets = createSecretsManagerSecrets({ pepper: PEPPER });
    const error = await rejection(secrets.get('META_APP_SECRET'));
    expect(error).toMatchObject({
      message: expect.stringMatching(
        /META_APP_SECRET is in the meta secret, which this function was not given/,
      ),
    });
    expect(mock.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('reads a platform the deployment leaves out (null) and a local-only name as unset, without a call', async () => {
    const secrets = createSecretsManagerSecrets({ meta: null, tiktok: null });
    expect(await secrets.get('META_APP_SECRET')).toBeUndefined();
    expect(await secrets.get('TIKTOK_WEBHOOK_TOKEN')).toBeUndefined();
    expect(await secrets.get('LEADHUB_ADMIN_TOKEN')).toBeUndefined();
    expect(mock.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('reads the secret again after five minutes, so a changed value reaches warm containers', async () => {
    let now = 0;
    mock
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: '{"SLACK_BOT_TOKEN":"old"}' })
      .resolves({ SecretString: '{"SLACK_BOT_TOKEN":"new"}' });
    const secrets = createSecretsManagerSecrets({ slack: SLACK }, { now: () => now });
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
    const secrets = createSecretsManagerSecrets({ slack: SLACK });
    await expect(secrets.get('SLACK_BOT_TOKEN')).rejects.toThrow('throttled');
    expect(await secrets.get('SLACK_BOT_TOKEN')).toBe('bin');
  });
});

describe('secret groups', () => {
  it('puts every secret name in exactly one secret, each also a local environment variable', () => {
    // That every SecretName is placed is checked by the typecheck (lib/adapters/secrets/groups.ts).
    const grouped = Object.values(SECRET_GROUPS).flat();
    expect(new Set(grouped).size).toBe(grouped.length);
    for (const name of [...grouped, ...LOCAL_ONLY_SECRETS]) expect(EnvSchema.shape).toHaveProperty(name);
    expect(grouped.map((name) => secretGroupOf(name))).not.toContain(undefined);
    expect(secretGroupOf('LEADHUB_ADMIN_TOKEN')).toBeUndefined();
    expect(SECRET_GROUPS.pepper).toEqual(['LEADHUB_PEPPER']);
  });

  it('parses LEADHUB_SECRET_ARNS, refusing anything but known secrets to ARNs or null', () => {
    expect(parseSecretArns(`{"pepper":"${PEPPER}","meta":null}`)).toEqual({ pepper: PEPPER, meta: null });
    expect(parseSecretArns('{}')).toEqual({});
    expect(() => parseSecretArns(undefined)).toThrow('LEADHUB_SECRET_ARNS is not set');
    expect(() => parseSecretArns(PEPPER)).toThrow('LEADHUB_SECRET_ARNS is not JSON');
    expect(() => parseSecretArns('{"crm":"arn"}')).toThrow(/LEADHUB_SECRET_ARNS is invalid/);
    expect(() => parseSecretArns('{"pepper":""}')).toThrow(/LEADHUB_SECRET_ARNS is invalid: pepper/);
    expect(() => parseSecretArns('["pepper"]')).toThrow(/LEADHUB_SECRET_ARNS is invalid/);
  });
});
