import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { acknowledgeNagFindings, registerNagChecks } from '../../infra/nag.js';
import { LeadHubStack } from '../../infra/stacks/leadhub-stack.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/leadhub.config.json', import.meta.url));

/** The same composition as infra/app.ts, with bundling skipped. */
function build(options: { acknowledge: boolean }) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new LeadHubStack(app, 'LeadHub', { env: { region: 'us-east-1' }, configFile: FIXTURE });
  if (options.acknowledge) acknowledgeNagFindings(stack);
  registerNagChecks(app);
  return { app, stack };
}

describe('cdk-nag AwsSolutions', () => {
  it('passes with the stack’s acknowledgements', () => {
    const { app } = build({ acknowledge: true });
    expect(() => app.synth()).not.toThrow();
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
