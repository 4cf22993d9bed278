/**
 * What the deployed stack holds that costs money by the month whatever the traffic: alarms and the
 * metrics they read, log-filter metrics, secrets, the queues Lambda polls, the scheduled runs and what
 * else sits idle. Read from the synthesised template (without bundling), so the cost model follows the
 * stack as it changes; anything scheduled that the model cannot price fails here rather than being left out.
 */
import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { AlarmSet } from '../infra/constructs/alarms.js';
import { LeadHubStack } from '../infra/stacks/leadhub-stack.js';
import { RECONCILE_META_TASK } from '../lib/handlers/receipt-sweeper.js';
import { HOURS_PER_MONTH } from './prices.js';

/** Work a scheduled run does when there is nothing to do, as the cost model prices it. */
export type ScheduledTask = 'sweep' | typeof RECONCILE_META_TASK;

export interface ScheduledRun {
  rule: string;
  /** EventBridge's `rate(…)` expression. */
  schedule: string;
  task: ScheduledTask;
  runsPerMonth: number;
  /** The target function's memory and whether it records X-Ray traces (active tracing). */
  memoryMb: number;
  tracing: boolean;
}

export interface StackShape {
  alarmSet: AlarmSet;
  alarms: number;
  /** What CloudWatch bills alarms by: one per metric alarm, one per metric a metric-math alarm reads. */
  alarmMetrics: number;
  /** Custom metrics made by log metric filters; those with a default value publish on every log line. */
  filterMetrics: { total: number; withDefaultValue: number };
  secrets: number;
  /** SQS event source mappings (Lambda's pollers), and how many of them set a maximum concurrency. */
  sqsEventSources: { total: number; withMaxConcurrency: number };
  scheduledRuns: ScheduledRun[];
  /** Parts that cost nothing without traffic, counted so the idle table can name them. */
  scheduleGroups: number;
  eventArchives: number;
  logGroups: number;
}

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON is read dynamically.
type Json = Record<string, any>;

const MINUTES: Record<string, number> = { minute: 1, hour: 60, day: 24 * 60 };

/** Runs a month of an EventBridge `rate(…)` expression; cron expressions are not modelled. */
export function runsPerMonth(expression: string): number {
  const match = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  if (!match) throw new Error(`schedule ${expression} is not a rate(…) the cost model can price`);
  return (HOURS_PER_MONTH * 60) / (Number(match[1]) * (MINUTES[match[2] as string] as number));
}

export function stackShape(alarmSet?: AlarmSet): StackShape {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [], ...(alarmSet ? { alarms: alarmSet } : {}) },
  });
  const stack = new LeadHubStack(app, 'LeadHub', { env: { region: 'us-east-1' } });
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, Json>;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const props = (type: string) => ofType(type).map(([, r]) => (r.Properties ?? {}) as Json);

  const alarms = props('AWS::CloudWatch::Alarm');
  const alarmMetrics = alarms.reduce((n, a) => {
    if (a.Period !== undefined && a.Period < 60)
      throw new Error(`${a.AlarmName}: high-resolution alarms are not modelled`);
    if (a.MetricName) return n + 1;
    const read = (a.Metrics as Json[]).filter((m) => m.MetricStat);
    if ((a.Metrics as Json[]).some((m) => /SEARCH|SELECT|ANOMALY/i.test(m.Expression ?? ''))) {
      throw new Error(`${a.AlarmName}: search, Metrics Insights and anomaly alarms are priced otherwise`);
    }
    return n + read.length;
  }, 0);

  const transformations = props('AWS::Logs::MetricFilter').flatMap((f) => f.MetricTransformations as Json[]);
  const mappings = props('AWS::Lambda::EventSourceMapping').filter(
    (m) => resources[m.EventSourceArn?.['Fn::GetAtt']?.[0]]?.Type === 'AWS::SQS::Queue',
  );

  const sweeperId = stack.getLogicalId(stack.functions['receipt-sweeper'].fn.node.defaultChild as CfnElement);
  const scheduledRuns = ofType('AWS::Events::Rule')
    .filter(([, r]) => r.Properties.ScheduleExpression)
    .flatMap(([id, r]) =>
      (r.Properties.Targets as Json[]).map((target): ScheduledRun => {
        const fnId = target.Arn?.['Fn::GetAtt']?.[0];
        if (fnId !== sweeperId)
          throw new Error(`scheduled rule ${id} targets ${fnId}, which the cost model does not price`);
        const fn = resources[fnId]?.Properties as Json;
        const input = target.Input ? (JSON.parse(target.Input) as { task?: unknown }) : {};
        return {
          rule: id,
          schedule: r.Properties.ScheduleExpression,
          task: input.task === RECONCILE_META_TASK ? RECONCILE_META_TASK : 'sweep',
          runsPerMonth: runsPerMonth(r.Properties.ScheduleExpression),
          memoryMb: fn.MemorySize ?? 128,
          tracing: fn.TracingConfig?.Mode === 'Active',
        };
      }),
    );

  return {
    alarmSet: stack.alarmSet,
    alarms: alarms.length,
    alarmMetrics,
    filterMetrics: {
      total: transformations.length,
      withDefaultValue: transformations.filter((t) => t.DefaultValue !== undefined).length,
    },
    secrets: ofType('AWS::SecretsManager::Secret').length,
    sqsEventSources: {
      total: mappings.length,
      withMaxConcurrency: mappings.filter((m) => m.ScalingConfig?.MaximumConcurrency !== undefined).length,
    },
    scheduledRuns,
    scheduleGroups: ofType('AWS::Scheduler::ScheduleGroup').length,
    eventArchives: ofType('AWS::Events::Archive').length,
    logGroups: ofType('AWS::Logs::LogGroup').length,
  };
}
