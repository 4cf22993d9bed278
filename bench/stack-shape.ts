/**
 * What the deployed stack holds that costs money by the month whatever the traffic: its alarms and the
 * queues Lambda polls. Counted from the synthesised template (without bundling), so the cost model
 * follows the stack as it changes.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { LeadHubStack } from '../infra/stacks/leadhub-stack.js';

export interface StackShape {
  alarms: number;
  queuesPolledByLambda: number;
}

export function stackShape(): StackShape {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const template = Template.fromStack(new LeadHubStack(app, 'LeadHub', { env: { region: 'us-east-1' } }));
  const count = (type: string) => Object.keys(template.findResources(type)).length;
  return {
    alarms: count('AWS::CloudWatch::Alarm'),
    queuesPolledByLambda: count('AWS::Lambda::EventSourceMapping'),
  };
}
