import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { App, type CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { SourceConnectionFailedV1Schema } from '../../events/contracts.js';
import { Patterns } from '../../events/patterns.js';
import {
  ALARM_RULES,
  API_5XX_MIN_RESPONSES,
  API_401_METRIC,
  DEFAULT_ALARM_SET,
  HubAlarms,
  METRIC_NAMESPACE,
} from '../../infra/constructs/alarms.js';
import { CONNECTION_ALERT_FIELDS } from '../../infra/constructs/connection-alerts.js';
import type { HubFunctionName } from '../../infra/constructs/hub-function.js';
import { LeadHubStack } from '../../infra/stacks/leadhub-stack.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/leadhub.config.json', import.meta.url));
const SAMPLE_EVENT = fileURLToPath(
  new URL('../../events/samples/SourceConnectionFailed.v1.json', import.meta.url),
);

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON is walked dynamically in assertions.
type Json = Record<string, any>;

const synth = (context: Record<string, unknown> = {}) => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const built = new LeadHubStack(app, 'LeadHub', { env: { region: 'us-east-1' }, configFile: FIXTURE });
  return { stack: built, json: Template.fromStack(built).toJSON() as Json };
};
// The default stack has the lean alarm set; logical ids are the same in both (same construct paths).
const { stack, json } = synth();
const full = synth({ alarms: 'full' });
const ofType = (type: string, template: Json = json) =>
  Object.entries(template.Resources as Record<string, Json>).filter(([, r]) => r.Type === type);
const logicalId = (c: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(c.node.defaultChild as CfnElement);
const topicRef = { Ref: logicalId(stack.alarmTopic) };
const alarmsIn = (template: Json) =>
  ofType('AWS::CloudWatch::Alarm', template).map(([, a]) => a.Properties as Json);
const sets = { lean: alarmsIn(json), full: alarmsIn(full.json) } as const;
const alarms = sets.lean;
const fnName = (id: string) =>
  (Object.keys(stack.functions) as HubFunctionName[]).find((n) => logicalId(stack.functions[n].fn) === id);
const fnIds = (Object.keys(stack.functions) as HubFunctionName[]).map(
  (name) => [name, logicalId(stack.functions[name].fn)] as const,
);

/** Alarms on one metric of one resource, by the dimension that names it. */
function alarmsOn(metricName: string, dimension: string, id: string, among: Json[] = alarms): Json[] {
  return among.filter(
    (a) =>
      a.MetricName === metricName &&
      a.Dimensions?.some(
        (d: Json) => d.Name === dimension && (d.Value.Ref === id || d.Value['Fn::GetAtt']?.[0] === id),
      ),
  );
}

/**
 * Functions something invokes asynchronously, read from the template: targets of EventBridge rules (a
 * permission for events.amazonaws.com) and functions a role EventBridge Scheduler assumes may invoke.
 */
function asyncInvokedFromTemplate(): Set<HubFunctionName> {
  const names = new Set<HubFunctionName>();
  for (const [, p] of ofType('AWS::Lambda::Permission')) {
    if (p.Properties.Principal !== 'events.amazonaws.com') continue;
    const name = fnName(p.Properties.FunctionName['Fn::GetAtt'][0]);
    if (name) names.add(name);
  }
  const schedulerRoles = ofType('AWS::IAM::Role')
    .filter(([, r]) =>
      JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'),
    )
    .map(([id]) => id);
  for (const [, p] of ofType('AWS::IAM::Policy')) {
    if (!(p.Properties.Roles as Json[]).some((r) => schedulerRoles.includes(r.Ref))) continue;
    for (const s of p.Properties.PolicyDocument.Statement as Json[]) {
      if (![s.Action].flat().includes('lambda:InvokeFunction')) continue;
      for (const resource of [s.Resource].flat() as Json[]) {
        const name = fnName(resource['Fn::GetAtt']?.[0]);
        if (name) names.add(name);
      }
    }
  }
  return names;
}

/** Each asynchronously invoked function's on-failure queue (logical id), from its EventInvokeConfig. */
function onFailureQueues(): Map<HubFunctionName, string> {
  const queues = new Map<HubFunctionName, string>();
  for (const [, c] of ofType('AWS::Lambda::EventInvokeConfig')) {
    const name = fnName(c.Properties.FunctionName.Ref);
    if (name) queues.set(name, c.Properties.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0]);
  }
  return queues;
}

describe('alarms: every one', () => {
  it('notifies the alarm topic, treats missing data as fine and is named after the stack', () => {
    for (const set of [sets.lean, sets.full]) {
      expect(set.length).toBeGreaterThan(0);
      for (const a of set) {
        expect(a.AlarmActions, a.AlarmName).toEqual([topicRef]);
        expect(a.TreatMissingData, a.AlarmName).toBe('notBreaching');
        expect(a.ComparisonOperator, a.AlarmName).toBe('GreaterThanOrEqualToThreshold');
        expect(a.AlarmName).toMatch(/^LeadHub-/);
        expect(a.AlarmDescription).toMatch(/^LeadHub: /);
      }
      expect(new Set(set.map((a) => a.AlarmName)).size).toBe(set.length);
    }
  });

  it('deploys the lean set by default and the full set with context alarms=full, and refuses any other', () => {
    expect(stack.alarmSet).toBe(DEFAULT_ALARM_SET);
    expect(DEFAULT_ALARM_SET).toBe('lean');
    expect(full.stack.alarmSet).toBe('full');
    expect(() => synth({ alarms: 'all' })).toThrow(/CDK context alarms must be lean or full, got "all"/);
    // The full set holds every lean alarm, with the same rule, except the API's 5xx: a rate there.
    const fullByName = new Map(sets.full.map((a) => [a.AlarmName, a]));
    expect(fullByName.has('LeadHub-Api-5xx')).toBe(false);
    for (const a of sets.lean.filter((x) => x.AlarmName !== 'LeadHub-Api-5xx')) {
      expect(fullByName.get(a.AlarmName), a.AlarmName).toEqual(a);
    }
  });
});

describe('alarms: Lambda', () => {
  it('alarms on Errors and Throttles of every function in the full set', () => {
    for (const [name, id] of fnIds) {
      const [errors, ...moreErrors] = alarmsOn('Errors', 'FunctionName', id, sets.full);
      const [throttles, ...moreThrottles] = alarmsOn('Throttles', 'FunctionName', id, sets.full);
      expect(moreErrors, name).toEqual([]);
      expect(moreThrottles, name).toEqual([]);
      expect(errors, name).toMatchObject({
        Namespace: 'AWS/Lambda',
        Statistic: 'Sum',
        Period: 300,
        Threshold: ALARM_RULES.functionErrors.threshold,
        EvaluationPeriods: 1,
      });
      expect(throttles, name).toMatchObject({
        Namespace: 'AWS/Lambda',
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        EvaluationPeriods: 3,
      });
    }
  });

  it('leaves per-function Errors and Throttles out of the lean set', () => {
    for (const [name, id] of fnIds) {
      expect(alarmsOn('Errors', 'FunctionName', id), name).toEqual([]);
      expect(alarmsOn('Throttles', 'FunctionName', id), name).toEqual([]);
    }
  });

  it('alarms on dropped events of exactly the asynchronously invoked functions, in both sets', () => {
    const asyncInvoked = asyncInvokedFromTemplate();
    expect([...asyncInvoked].sort()).toEqual(['receipt-sweeper', 'sla-escalator', 'slack-notifier']);
    for (const set of [sets.lean, sets.full]) {
      for (const [name, id] of fnIds) {
        const found = alarmsOn('AsyncEventsDropped', 'FunctionName', id, set);
        expect(found, name).toHaveLength(asyncInvoked.has(name) ? 1 : 0);
        if (asyncInvoked.has(name)) {
          expect(found[0]).toMatchObject({ Namespace: 'AWS/Lambda', Statistic: 'Sum', Threshold: 1 });
        }
      }
    }
  });

  it('alarms on failed on-failure deliveries of those functions in the full set only', () => {
    const asyncInvoked = asyncInvokedFromTemplate();
    for (const [name, id] of fnIds) {
      expect(alarmsOn('DestinationDeliveryFailures', 'FunctionName', id), name).toEqual([]);
      const found = alarmsOn('DestinationDeliveryFailures', 'FunctionName', id, sets.full);
      expect(found, name).toHaveLength(asyncInvoked.has(name) ? 1 : 0);
    }
  });
});

describe('alarms: HTTP API', () => {
  const apiRef = { Ref: logicalId(stack.api) };
  const mathAlarm = (metricName: string, among: Json[] = alarms) =>
    among.find((a) =>
      (a.Metrics as Json[] | undefined)?.some((m) => m.MetricStat?.Metric.MetricName === metricName),
    );
  const requests = (a: Json) =>
    (a.Metrics as Json[]).find((m) => m.MetricStat?.Metric.MetricName === 'Count');

  const stageDimensions = [
    { Name: 'ApiId', Value: apiRef },
    { Name: 'Stage', Value: '$default' },
  ];

  it('pages on the first 5xx of the stage in the lean set: one metric, no rate', () => {
    const found = alarms.filter((a) => a.MetricName === '5xx' || mathAlarm('5xx', [a]));
    expect(found).toEqual([
      expect.objectContaining({
        AlarmName: 'LeadHub-Api-5xx',
        Namespace: 'AWS/ApiGateway',
        MetricName: '5xx',
        Dimensions: stageDimensions,
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        EvaluationPeriods: 1,
      }),
    ]);
    expect(found[0]?.Metrics).toBeUndefined();
  });

  it('alarms on the 5xx share of the stage’s requests in the full set, from a few 5xx', () => {
    const alarm = mathAlarm('5xx', sets.full) as Json;
    expect(alarm).toBeDefined();
    expect(sets.full.filter((a) => a.MetricName === '5xx')).toEqual([]);
    const failed = (alarm.Metrics as Json[]).find((m) => m.MetricStat?.Metric.MetricName === '5xx') as Json;
    for (const m of [failed, requests(alarm) as Json]) {
      expect(m.MetricStat.Metric.Namespace).toBe('AWS/ApiGateway');
      expect(m.MetricStat.Metric.Dimensions).toEqual(stageDimensions);
      expect(m.MetricStat.Stat).toBe('Sum');
    }
    const expression = (alarm.Metrics as Json[]).find((m) => m.Expression)?.Expression;
    expect(expression).toBe(
      `IF(FILL(${failed.Id}, 0) >= ${API_5XX_MIN_RESPONSES}, 100 * FILL(${failed.Id}, 0) / ${requests(alarm)?.Id}, 0)`,
    );
    expect(alarm.Threshold).toBe(ALARM_RULES.api5xxPercent.threshold);
    // A lone 5xx is left to the failing function's Errors alarm.
    expect(API_5XX_MIN_RESPONSES).toBe(3);
  });

  it('counts 401s from the access log’s status field and alarms on their count, one metric, in both sets', () => {
    const [stage] = ofType('AWS::ApiGatewayV2::Stage');
    const accessLog = stage?.[1].Properties.AccessLogSettings;
    // The filter compares strings: the access log writes the status inside quotes.
    expect(JSON.parse(accessLog.Format).status).toBe('$context.status');
    const filters = ofType('AWS::Logs::MetricFilter').map(([, f]) => f.Properties as Json);
    // No default value: the metric gets data (and is billed) only in hours with a 401.
    expect(filters).toEqual([
      {
        LogGroupName: { Ref: accessLog.DestinationArn['Fn::GetAtt'][0] },
        FilterPattern: '{ $.status = "401" }',
        MetricTransformations: [
          { MetricNamespace: METRIC_NAMESPACE, MetricName: API_401_METRIC, MetricValue: '1' },
        ],
      },
    ]);
    for (const set of [sets.lean, sets.full]) {
      expect(set.filter((a) => mathAlarm(API_401_METRIC, [a]))).toEqual([]);
      const found = set.filter((a) => a.MetricName === API_401_METRIC);
      expect(found).toEqual([
        expect.objectContaining({
          AlarmName: 'LeadHub-Api-401',
          Namespace: METRIC_NAMESPACE,
          Statistic: 'Sum',
          Period: 900,
          Threshold: ALARM_RULES.api401Count.threshold,
          EvaluationPeriods: 1,
        }),
      ]);
      // The filter's metric has no dimensions: the alarm must not ask for any.
      expect(found[0]?.Dimensions).toBeUndefined();
    }
    expect(ALARM_RULES.api401Count.threshold).toBe(20);
  });
});

describe('alarms: queues', () => {
  const minutes = (n: number) => n * 60;
  const dlqIds = Object.values(stack.deadLetterQueues).map(logicalId);

  it('alarms on the age of the oldest message of both work queues, by its intent, in both sets', () => {
    const expected: Record<string, number> = {
      [logicalId(stack.workQueues.Capture as Queue)]: minutes(10),
      [logicalId(stack.workQueues.Enrich as Queue)]: minutes(5),
    };
    for (const set of [sets.lean, sets.full]) {
      for (const [id, threshold] of Object.entries(expected)) {
        const found = alarmsOn('ApproximateAgeOfOldestMessage', 'QueueName', id, set);
        expect(found, id).toHaveLength(1);
        expect(found[0]).toMatchObject({ Namespace: 'AWS/SQS', Statistic: 'Maximum', Threshold: threshold });
      }
    }
  });

  it('alarms on dead letters’ age (half their 14-day retention) in the full set only', () => {
    const queueIds = ofType('AWS::SQS::Queue').map(([id]) => id);
    expect([...dlqIds, ...Object.values(stack.workQueues).map(logicalId)].sort()).toEqual(queueIds.sort());
    for (const id of dlqIds) {
      expect(alarmsOn('ApproximateAgeOfOldestMessage', 'QueueName', id), id).toEqual([]);
      const found = alarmsOn('ApproximateAgeOfOldestMessage', 'QueueName', id, sets.full);
      expect(found, id).toHaveLength(1);
      expect(found[0]).toMatchObject({ Statistic: 'Maximum', Threshold: minutes(7 * 24 * 60) });
    }
  });

  it('alarms on messages in every dead-letter queue; the lean set leaves an on-failure queue to its function’s dropped events', () => {
    const onFailure = onFailureQueues();
    expect([...onFailure.keys()].sort()).toEqual([...asyncInvokedFromTemplate()].sort());
    const leftToDropped = new Set(onFailure.values());
    for (const id of dlqIds) {
      const messages = { Namespace: 'AWS/SQS', Statistic: 'Maximum', Period: 60, Threshold: 1 };
      expect(alarmsOn('ApproximateNumberOfMessagesVisible', 'QueueName', id, sets.full), id).toEqual([
        expect.objectContaining(messages),
      ]);
      const lean = alarmsOn('ApproximateNumberOfMessagesVisible', 'QueueName', id);
      expect(lean, id).toEqual(leftToDropped.has(id) ? [] : [expect.objectContaining(messages)]);
    }
    // Every event such a queue receives was counted by its function's AsyncEventsDropped, alarmed above.
    for (const [name] of onFailure) {
      const id = logicalId(stack.functions[name].fn);
      expect(alarmsOn('AsyncEventsDropped', 'FunctionName', id), name).toHaveLength(1);
    }
    expect(leftToDropped.size).toBe(3);
  });

  it('refuses a work queue with no age threshold, and an on-failure queue it does not know', () => {
    const scope = new Stack(new App(), 'Scope');
    const props = {
      set: 'lean' as const,
      topic: stack.alarmTopic,
      functions: stack.functions,
      asyncInvoked: {},
      stage: stack.stage,
      accessLogs: {} as never,
      workQueues: {},
      deadLetterQueues: {},
      deadLetterRetention: Duration.days(14),
    };
    expect(
      () =>
        new HubAlarms(scope, 'Stray', { ...props, workQueues: { Stray: new Queue(scope, 'StrayQueue') } }),
    ).toThrow(/Stray has no WORK_QUEUE_MAX_AGE/);
    expect(
      () => new HubAlarms(scope, 'Unknown', { ...props, asyncInvoked: { 'slack-notifier': 'Nowhere' } }),
    ).toThrow(/slack-notifier's on-failure queue Nowhere is not among the dead-letter queues/);
  });
});

describe('connection alerts', () => {
  const rule = ofType('AWS::Events::Rule').find(
    ([, r]) =>
      JSON.stringify(r.Properties.EventPattern) === JSON.stringify(Patterns.connectionFailuresToAlarms),
  )?.[1] as Json;
  const target = rule?.Properties.Targets[0] as Json;
  const transformer = target?.InputTransformer as {
    InputPathsMap: Record<string, string>;
    InputTemplate: string;
  };

  it('sends SourceConnectionFailed and DestinationFailing from the leadhub bus to the alarm topic', () => {
    expect(rule).toBeDefined();
    expect(Patterns.connectionFailuresToAlarms['detail-type']).toEqual([
      'SourceConnectionFailed',
      'DestinationFailing',
    ]);
    expect(rule.Properties.EventBusName).toEqual({ Ref: logicalId(stack.bus) });
    expect(rule.Properties.Targets).toHaveLength(1);
    expect(target.Arn).toEqual(topicRef);
    expect(target.RetryPolicy.MaximumRetryAttempts).toBeGreaterThan(0);
    const dlqId = target.DeadLetterConfig.Arn['Fn::GetAtt'][0];
    expect(Object.values(stack.deadLetterQueues).map(logicalId)).toContain(dlqId);
  });

  it('lets only this rule publish to the topic, which still refuses plain HTTP', () => {
    const [policy] = ofType('AWS::SNS::TopicPolicy').map(([, p]) => p.Properties as Json);
    expect(policy?.Topics).toEqual([topicRef]);
    const statements = policy?.PolicyDocument.Statement as Json[];
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    const allows = statements.filter((s) => s.Effect === 'Allow');
    const ruleId = ofType('AWS::Events::Rule').find(([, r]) => r === rule)?.[0];
    expect(allows).toEqual([
      expect.objectContaining({
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sns:Publish',
        Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ruleId, 'Arn'] } } },
      }),
    ]);
  });

  it('reads only the envelope and the reason and fix every SourceConnectionFailed carries: no personal data', () => {
    const paths = Object.values(transformer.InputPathsMap).sort();
    expect(paths).toEqual(Object.values(CONNECTION_ALERT_FIELDS).sort());
    const envelope = ['$.id', '$.detail-type', '$.time', '$.account', '$.region'];
    const detailFields = paths.filter((p) => !envelope.includes(p)).map((p) => p.replace('$.detail.', ''));
    expect(detailFields.sort()).toEqual(['fix', 'reason']);
    // Both are required by the contract, so no variable is ever left without a value.
    const { detail } = JSON.parse(readFileSync(SAMPLE_EVENT, 'utf8'));
    expect(SourceConnectionFailedV1Schema.safeParse(detail).success).toBe(true);
    for (const name of detailFields) {
      const { [name]: _dropped, ...without } = detail;
      expect(SourceConnectionFailedV1Schema.safeParse(without).success, name).toBe(false);
    }
    // Nothing copies the whole event or its detail.
    expect(transformer.InputTemplate).not.toMatch(/aws\.events\.event|<detail>/);
  });

  it('renders a chat-ready notification with the reason and the fix', () => {
    const event = JSON.parse(readFileSync(SAMPLE_EVENT, 'utf8'));
    // A fix can quote a config key, as the missing-token one does.
    event.detail.fix = 'Add "153125381133": "<page access token>" to META_PAGE_TOKENS, then replay';
    const message = JSON.parse(renderTemplate(transformer, event));
    expect(message).toMatchObject({
      version: '1.0',
      source: 'custom',
      id: event.id,
      content: {
        title: 'LeadHub SourceConnectionFailed: token_expired',
        description: event.detail.fix,
      },
      metadata: { eventType: 'SourceConnectionFailed', additionalContext: { eventId: event.id } },
    });
    expect(JSON.stringify(message)).not.toContain(event.detail.platformLeadId);
  });
});

/**
 * EventBridge's input transformer as documented: a variable outside quotes becomes the value as JSON,
 * inside a quoted string its text (escaped), so the template must give JSON once filled.
 */
function renderTemplate(
  transformer: { InputPathsMap: Record<string, string>; InputTemplate: string },
  event: Json,
): string {
  const valueAt = (path: string) =>
    path
      .replace(/^\$\./, '')
      .split('.')
      .reduce<unknown>((v, key) => (v as Json | undefined)?.[key], event);
  let out = '';
  let inString = false;
  const template = transformer.InputTemplate;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    const variable = c === '<' ? /^<([^<>]+)>/.exec(template.slice(i)) : null;
    if (variable?.[1] && variable[1] in transformer.InputPathsMap) {
      const value = valueAt(transformer.InputPathsMap[variable[1]] as string);
      out += inString ? JSON.stringify(value).slice(1, -1) : JSON.stringify(value);
      i += variable[0].length - 1;
      continue;
    }
    if (c === '"' && template[i - 1] !== '\\') inString = !inString;
    out += c;
  }
  return out;
}
