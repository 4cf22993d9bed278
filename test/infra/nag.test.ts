import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { acknowledgeNagFindings, registerNagChecks } from '../../infra/nag.js';
import { LeadHubStack } from '../../infra/stacks/leadhub-stack.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/leadhub.config.json', import.meta.url));

/** The same composition as infra/app.ts, with bundling skipped. */
function build(options: {
  acknowledge: boolean;
  formsWaf?: boolean;
  region?: string;
  context?: Record<string, string>;
}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...options.context } });
  const stack = new LeadHubStack(app, 'LeadHub', {
    env: { region: options.region ?? 'us-east-1' },
    configFile: FIXTURE,
    formsWaf: options.formsWaf ?? false,
  });
  if (options.acknowledge) acknowledgeNagFindings(stack);
  registerNagChecks(app);
  return { app, stack };
}

describe('cdk-nag AwsSolutions', () => {
  it('passes with the stack’s acknowledgements', () => {
    const { app } = build({ acknowledge: true });
    expect(() => app.synth()).not.toThrow();
  });

  it('passes with the forms WAF on, in us-east-1 and in another Region', () => {
    for (const region of ['us-east-1', 'eu-west-1']) {
      const { app } = build({ acknowledge: true, formsWaf: true, region });
      expect(() => app.synth(), region).not.toThrow();
    }
  });

  it('passes with every platform’s secret and a customer-managed key', () => {
    const { app } = build({
      acknowledge: true,
      context: {
        sources: 'all',
        kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      },
    });
    expect(() => app.synth()).not.toThrow();
  });

  it('reports the distribution’s findings without its acknowledgements', () => {
    const { app } = build({ acknowledge: false, formsWaf: true });
    expect(() => app.synth()).toThrow(/AwsSolutions-CFR3/);
  });

  it('fails without them', () => {
    const { app } = build({ acknowledge: false });
    expect(() => app.synth()).toThrow(/AwsSolutions-/);
  });

  it('acknowledges narrowly: a new queue without a DLQ is still reported', () => {
    const { app, stack } = build({ acknowledge: true });
    new Queue(stack, 'Stray', { enforceSSL: true, encryption: QueueEncryption.SQS_MANAGED });
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS3/);
  });
});
