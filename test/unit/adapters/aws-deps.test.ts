import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { awsDeps } from '../../../lib/adapters/aws-deps.js';
import { rejection } from '../../support/thrown.js';

const mock = mockClient(SecretsManagerClient);
const SLACK = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:slack-AbCdEf';
const PEPPER = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:pepper-AbCdEf';

describe('the Lambda runtime dependencies', () => {
  beforeEach(() => {
    mock.reset();
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
  });
  afterEach(() => vi.unstubAllEnvs());

  it('needs LEADHUB_SECRET_ARNS', async () => {
    expect(await rejection(awsDeps())).toMatchObject({ message: 'LEADHUB_SECRET_ARNS is not set' });
  });

  it('reads no Slack secret in a function that does not post to Slack, even one given it', async () => {
    vi.stubEnv('LEADHUB_SECRET_ARNS', JSON.stringify({ pepper: PEPPER, slack: SLACK }));
    const deps = await awsDeps();
    expect(deps.notifier).toBeUndefined();
    expect(deps.testNotifier).toBeUndefined();
    expect(mock.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    // Its other secrets are read where its code asks, from their own secret.
    mock.on(GetSecretValueCommand).resolves({ SecretString: '{"LEADHUB_PEPPER":"p"}' });
    expect(await deps.secrets.get('LEADHUB_PEPPER')).toBe('p');
    expect(mock.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId)).toEqual([PEPPER]);
  });

  it('builds the notifiers from the Slack secret in a function that posts to Slack', async () => {
    vi.stubEnv('LEADHUB_SECRET_ARNS', JSON.stringify({ slack: SLACK }));
    mock.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({
        SLACK_BOT_TOKEN: 'xoxb-1',
        SLACK_TEST_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/test',
      }),
    });
    const deps = await awsDeps({ notifiers: true });
    expect(typeof deps.notifier?.update).toBe('function');
    expect(deps.testNotifier).toBeDefined();
    expect(mock.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId)).toEqual([SLACK]);
  });

  it('fails the cold start of a function that posts to Slack but was not given its secret', async () => {
    vi.stubEnv('LEADHUB_SECRET_ARNS', JSON.stringify({ pepper: PEPPER }));
    expect(await rejection(awsDeps({ notifiers: true }))).toMatchObject({
      message: expect.stringContaining(
        'SLACK_WEBHOOK_URL is in the slack secret, which this function was not given',
      ),
    });
    expect(mock.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });
});
