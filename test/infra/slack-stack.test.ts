import { fileURLToPath } from 'node:url';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import type { HubFunctionName } from '../../infra/constructs/hub-function.js';
import { LeadHubStack } from '../../infra/stacks/leadhub-stack.js';
import { SECRET_GROUPS } from '../../lib/adapters/secrets/groups.js';
import { EnvSchema } from '../../lib/config.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/leadhub.config.json', import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON is walked dynamically in assertions.
type Json = Record<string, any>;

function synth(context: Record<string, unknown> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = new LeadHubStack(app, 'LeadHub', { env: { region: 'us-east-1' }, configFile: FIXTURE });
  const template = Template.fromStack(stack);
  return { stack, template, json: template.toJSON() as Json };
}

const { stack, template, json } = synth();
const resources = json.Resources as Record<string, Json>;
const logicalId = (c: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(c.node.defaultChild as CfnElement);
const fnId = (name: HubFunctionName) => logicalId(stack.functions[name].fn);
const fnProps = (name: HubFunctionName) => resources[fnId(name)]?.Properties as Json;
const groupId = logicalId(stack.slaScheduleGroup);
const roleId = logicalId(stack.slaSchedulerRole);

function statements(name: HubFunctionName): Json[] {
  const role = logicalId(stack.functions[name].fn.role as never);
  return Object.values(resources)
    .filter(
      (r) => r.Type === 'AWS::IAM::Policy' && (r.Properties.Roles as Json[]).some((x) => x.Ref === role),
    )
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Json[]);
}
const actionsOf = (name: HubFunctionName) => new Set(statements(name).flatMap((s) => [s.Action].flat()));
const schedulesArn = {
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':scheduler:us-east-1:',
      { Ref: 'AWS::AccountId' },
      ':schedule/',
      { Ref: groupId },
      '/*',
    ],
  ],
};

describe('Slack app functions', () => {
  it('adds http-slack (10 s) and sla-escalator (30 s)', () => {
    expect(fnProps('http-slack').Timeout).toBe(10);
    expect(fnProps('sla-escalator').Timeout).toBe(30);
    expect(fnProps('http-slack').Handler).toBe('index.handler');
  });

  it('serves POST /slack/actions by http-slack without an authorizer, and the metrics route to admins', () => {
    const routes = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route');
    const slack = routes.find((r) => r.Properties.RouteKey === 'POST /slack/actions');
    expect(slack?.Properties.AuthorizationType ?? 'NONE').toBe('NONE');
    const metrics = routes.find((r) => r.Properties.RouteKey === 'GET /api/metrics/speed-to-lead');
    expect(metrics?.Properties.AuthorizationType).toBe('AWS_IAM');
    expect(stack.publicRoutes.map((r) => `${r.spec.method} ${r.spec.path}`)).toContain('POST /slack/actions');
  });

  it('lets the Slack functions write alerts and publish their events to the bus only', () => {
    for (const name of ['http-slack', 'sla-escalator'] as const) {
      expect(actionsOf(name).has('dynamodb:UpdateItem'), name).toBe(true);
      const puts = statements(name).filter((s) => [s.Action].flat().includes('events:PutEvents'));
      expect(puts.map((s) => s.Resource)).toEqual([{ 'Fn::GetAtt': [logicalId(stack.bus), 'Arn'] }]);
    }
  });

  it('keeps the signing secret and bot token in the Slack secret, never in the environment', () => {
    expect(SECRET_GROUPS.slack).toEqual(expect.arrayContaining(['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET']));
    for (const name of Object.keys(stack.functions) as HubFunctionName[]) {
      const env = Object.keys(fnProps(name).Environment.Variables);
      expect(env.filter((k) => k.startsWith('SLACK_'))).toEqual([]);
      const known = new Set([...Object.keys(EnvSchema.shape), 'NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME']);
      expect(env.filter((k) => !known.has(k))).toEqual([]);
    }
  });
});

describe('SLA timers (EventBridge Scheduler)', () => {
  it('has a schedule group and a role only EventBridge Scheduler of this account can assume', () => {
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ],
      },
    });
  });

  it('lets the scheduler role invoke the escalator and park what it cannot deliver, nothing else', () => {
    const policies = Object.values(resources).filter(
      (r) => r.Type === 'AWS::IAM::Policy' && (r.Properties.Roles as Json[]).some((x) => x.Ref === roleId),
    );
    const stmts = policies.flatMap((p) => p.Properties.PolicyDocument.Statement as Json[]);
    const invoke = stmts.filter((s) => s.Action === 'lambda:InvokeFunction');
    expect(invoke).toHaveLength(1);
    expect(JSON.stringify(invoke[0]?.Resource)).toContain(fnId('sla-escalator'));
    expect(JSON.stringify(invoke[0]?.Resource)).not.toContain(fnId('slack-notifier'));
    const dlqArn = { 'Fn::GetAtt': [logicalId(stack.deadLetterQueues.EventDeliveryDlq as never), 'Arn'] };
    const rest = stmts.filter((s) => s.Action !== 'lambda:InvokeFunction');
    expect(rest.map((s) => s.Resource)).toEqual([dlqArn]);
    expect(rest[0]?.Action).toBe('sqs:SendMessage');
    // The notifier names the queue in every schedule it creates.
    expect(fnProps('slack-notifier').Environment.Variables.SLA_DLQ_ARN).toEqual(dlqArn);
  });

  it('lets the notifier create schedules in the group and pass the role, with the wiring in its environment', () => {
    const s = statements('slack-notifier');
    expect(s).toContainEqual(
      expect.objectContaining({ Action: 'scheduler:CreateSchedule', Resource: schedulesArn }),
    );
    // Timers are cancelled by a claim (http-slack) and delete themselves after running.
    expect(actionsOf('slack-notifier').has('scheduler:DeleteSchedule')).toBe(false);
    expect(s).toContainEqual(
      expect.objectContaining({ Action: 'iam:PassRole', Resource: { 'Fn::GetAtt': [roleId, 'Arn'] } }),
    );
    expect(fnProps('slack-notifier').Environment.Variables).toMatchObject({
      SLA_SCHEDULE_GROUP: { Ref: groupId },
      SLA_ESCALATOR_ARN: { 'Fn::GetAtt': [fnId('sla-escalator'), 'Arn'] },
      SLA_SCHEDULER_ROLE_ARN: { 'Fn::GetAtt': [roleId, 'Arn'] },
    });
  });

  it('lets http-slack only delete schedules, and no other function touch them', () => {
    expect(statements('http-slack')).toContainEqual(
      expect.objectContaining({ Action: 'scheduler:DeleteSchedule', Resource: schedulesArn }),
    );
    expect(actionsOf('http-slack').has('scheduler:CreateSchedule')).toBe(false);
    expect(actionsOf('http-slack').has('iam:PassRole')).toBe(false);
    expect(Object.keys(fnProps('http-slack').Environment.Variables)).toContain('SLA_SCHEDULE_GROUP');
    expect(Object.keys(fnProps('http-slack').Environment.Variables)).not.toContain('SLA_ESCALATOR_ARN');
    for (const name of Object.keys(stack.functions) as HubFunctionName[]) {
      if (name === 'slack-notifier' || name === 'http-slack') continue;
      expect(
        [...actionsOf(name)].some((a) => String(a).startsWith('scheduler:')),
        name,
      ).toBe(false);
    }
  });

  it('parks a failing escalation in an alarmed queue after Lambda retries', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnId('sla-escalator') },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
    expect(Object.keys(stack.deadLetterQueues)).toContain('SlaEscalatorFailures');
  });
});

describe('Slack rate limits', () => {
  it('reserves a small concurrency for the notifier by default', () => {
    expect(fnProps('slack-notifier').ReservedConcurrentExecutions).toBe(2);
    expect(fnProps('http-slack').ReservedConcurrentExecutions).toBeUndefined();
  });

  it('takes the reservation from context, 0 for none, and rejects nonsense', () => {
    const props = (ctx: unknown) => {
      const s = synth({ slackNotifierConcurrency: ctx });
      return s.json.Resources[
        s.stack.getLogicalId(s.stack.functions['slack-notifier'].fn.node.defaultChild as CfnElement)
      ].Properties;
    };
    expect(props('5').ReservedConcurrentExecutions).toBe(5);
    expect(props(0).ReservedConcurrentExecutions).toBeUndefined();
    expect(() => synth({ slackNotifierConcurrency: 'lots' })).toThrow(
      /slackNotifierConcurrency must be a whole number/,
    );
  });
});
