import { Duration, Stack } from 'aws-cdk-lib';
import type { HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  MathExpression,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { FilterPattern, type ILogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { HubFunction, HubFunctionName } from './hub-function.js';

/** An alarm fires when the metric is at least `threshold` in `evaluationPeriods` periods in a row. */
export interface AlarmRule {
  threshold: number;
  period: Duration;
  evaluationPeriods: number;
}

const FIVE_MINUTES = Duration.minutes(5);

/** Every alarm's threshold, by kind (README "Deploy to AWS" has the table). Missing data never breaches. */
export const ALARM_RULES = {
  /**
   * A function error is a thrown exception or a timeout: handlers answer bad input with a 4xx, and the
   * queue workers report failed records without failing. Every one is a failed request (the platform
   * retries it) or a failed run, so the first one pages.
   */
  functionErrors: { threshold: 1, period: FIVE_MINUTES, evaluationPeriods: 1 },
  /**
   * Throttling for 15 minutes on end: the function lacks concurrency (the account's limit, or the Slack
   * notifier's reservation). A short burst is retried (asynchronous and queued invocations) or shows in
   * the API's 5xx rate.
   */
  functionThrottles: { threshold: 1, period: FIVE_MINUTES, evaluationPeriods: 3 },
  /**
   * Lambda gave up on an asynchronous event (retries exhausted, too old, no concurrency): the notifier's
   * and escalator's go to their on-failure queue, anything else is gone.
   */
  asyncEventsDropped: { threshold: 1, period: FIVE_MINUTES, evaluationPeriods: 1 },
  /** Not even the on-failure destination took the event: it is lost. */
  destinationDeliveryFailures: { threshold: 1, period: FIVE_MINUTES, evaluationPeriods: 1 },
  /**
   * Lean set: 5xx responses, the first one pages (without per-function Errors alarms, the API's 5xx is
   * the only page of a failed HTTP request; at low volume a platform's retries come too far apart to
   * make more than one in 5 minutes). One metric, where a rate would read two.
   */
  api5xxCount: { threshold: 1, period: FIVE_MINUTES, evaluationPeriods: 1 },
  /** Full set: percent of requests; at least API_5XX_MIN_RESPONSES of them (a lone 5xx pages its function's Errors). */
  api5xxPercent: { threshold: 5, period: FIVE_MINUTES, evaluationPeriods: 1 },
  /**
   * Requests refused 401 (a bad signature, token or key) in 15 minutes. A secret changed on one side only
   * refuses every delivery of that platform, and platforms retry each one, so it passes 20 within minutes
   * of the first lead; a probe or a forger sends a few. One metric, where a share of requests would read two.
   */
  api401Count: { threshold: 20, period: Duration.minutes(15), evaluationPeriods: 1 },
  /** A message in a dead-letter queue: something failed for good and waits to be redriven. */
  deadLetterMessages: { threshold: 1, period: Duration.minutes(1), evaluationPeriods: 1 },
} as const satisfies Record<string, AlarmRule>;

/**
 * Which alarms the stack deploys (CDK context `alarms`). `lean`, the default, watches every sign of lost
 * or stuck work within the idle budget: each alarm costs $0.10 a month per metric it reads, every day.
 * `full` adds an alarm per function (Errors, Throttles), dead letters' age and failed on-failure
 * deliveries: earlier and more specific pages of the same failures (README "Alarms and notifications").
 */
export const ALARM_SETS = ['lean', 'full'] as const;
export type AlarmSet = (typeof ALARM_SETS)[number];
export const DEFAULT_ALARM_SET: AlarmSet = 'lean';

/**
 * The fewest 5xx in a period that page the full set's 5xx rate: it leaves a lone 5xx to the failing
 * function's Errors alarm. The lean set pages on every 5xx (ALARM_RULES.api5xxCount).
 */
export const API_5XX_MIN_RESPONSES = 3;

/**
 * The oldest message a work queue may hold, by its intent. Capture: a lead's first step, retried every
 * 3 minutes (visibility timeout) up to 5 times; past 10 minutes it is on its fourth try or nobody is
 * consuming, and its Slack alert is late. Enrich: no platform call to wait on, and the Slack alert waits
 * for it; past 5 minutes (a retry and more) it is stuck.
 */
export const WORK_QUEUE_MAX_AGE: Readonly<Record<string, Duration>> = {
  Capture: Duration.minutes(10),
  Enrich: Duration.minutes(5),
};

/** A dead-letter message this old has waited half its retention: redrive it before it expires. */
export const DEAD_LETTER_AGE_FRACTION = 0.5;

/** The namespace of metrics LeadHub makes from its own logs. */
export const METRIC_NAMESPACE = 'LeadHub';
export const API_401_METRIC = 'ApiUnauthorized';

export interface HubAlarmsProps {
  set: AlarmSet;
  topic: ITopic;
  functions: Readonly<Record<HubFunctionName, HubFunction>>;
  /**
   * Functions invoked asynchronously (EventBridge rules, EventBridge Scheduler), each with the name of its
   * on-failure queue in `deadLetterQueues`: its dropped events alarm, and every event it drops lands
   * in that queue (or is lost), so the lean set needs no second alarm on the queue.
   */
  asyncInvoked: Readonly<Partial<Record<HubFunctionName, string>>>;
  stage: HttpStage;
  /** The stage's access log: JSON lines whose `status` is the response status, as a string. */
  accessLogs: ILogGroup;
  /** By name; each must have a WORK_QUEUE_MAX_AGE. */
  workQueues: Readonly<Record<string, IQueue>>;
  deadLetterQueues: Readonly<Record<string, IQueue>>;
  deadLetterRetention: Duration;
}

/** The alarms that page someone, all to the alarm topic. */
export class HubAlarms extends Construct {
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: HubAlarmsProps) {
    super(scope, id);
    for (const name of Object.keys(props.workQueues)) {
      if (!WORK_QUEUE_MAX_AGE[name]) {
        throw new Error(`Work queue ${name} has no WORK_QUEUE_MAX_AGE (infra/constructs/alarms.ts)`);
      }
    }
    const asyncInvoked = Object.entries(props.asyncInvoked) as [HubFunctionName, string][];
    for (const [name, queue] of asyncInvoked) {
      if (!props.deadLetterQueues[queue]) {
        throw new Error(`${name}'s on-failure queue ${queue} is not among the dead-letter queues`);
      }
    }
    const full = props.set === 'full';
    this.action = new SnsAction(props.topic);

    if (full) {
      for (const [name, hub] of Object.entries(props.functions)) {
        const fn = hub.fn;
        this.alarm(`${name}-Errors`, ALARM_RULES.functionErrors, {
          metric: fn.metricErrors({ statistic: Stats.SUM, period: ALARM_RULES.functionErrors.period }),
          description: `${name} failed (an exception or a timeout): read its log group for the error`,
        });
        this.alarm(`${name}-Throttles`, ALARM_RULES.functionThrottles, {
          metric: fn.metricThrottles({ statistic: Stats.SUM, period: ALARM_RULES.functionThrottles.period }),
          description: `${name} has been throttled for 15 minutes: raise its concurrency or the account's limit`,
        });
      }
    }
    for (const [name, queue] of asyncInvoked) {
      const fn = props.functions[name].fn;
      this.alarm(`${name}-AsyncEventsDropped`, ALARM_RULES.asyncEventsDropped, {
        metric: fn.metric('AsyncEventsDropped', {
          statistic: Stats.SUM,
          period: ALARM_RULES.asyncEventsDropped.period,
        }),
        description:
          `${name} gave up on an asynchronous event (errors, throttling or age): read its log group, then ` +
          `redrive the event from ${queue}`,
      });
      if (full) {
        this.alarm(`${name}-DestinationDeliveryFailures`, ALARM_RULES.destinationDeliveryFailures, {
          metric: fn.metric('DestinationDeliveryFailures', {
            statistic: Stats.SUM,
            period: ALARM_RULES.destinationDeliveryFailures.period,
          }),
          description: `${name} could not park a failed event in ${queue}: the event is lost; check the queue's policy`,
        });
      }
    }

    this.apiAlarms(props.stage, props.accessLogs, props.set);

    for (const [name, queue] of Object.entries(props.workQueues)) {
      const maxAge = WORK_QUEUE_MAX_AGE[name] as Duration;
      this.queueAgeAlarm(
        `${name}Queue`,
        queue,
        maxAge,
        `the ${name} queue's oldest message is over ${maxAge.toHumanString()} old: nobody consumes it or ` +
          `its consumer fails; read the consumer's log group`,
      );
    }
    // Each of these queues gets only what its function's AsyncEventsDropped alarm has already paged.
    const onFailureQueues = new Set(asyncInvoked.map(([, queue]) => queue));
    const deadLetterMaxAge = Duration.seconds(
      props.deadLetterRetention.toSeconds() * DEAD_LETTER_AGE_FRACTION,
    );
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      if (full || !onFailureQueues.has(name)) {
        this.alarm(`${name}-Messages`, ALARM_RULES.deadLetterMessages, {
          metric: queue.metricApproximateNumberOfMessagesVisible({
            statistic: Stats.MAXIMUM,
            period: ALARM_RULES.deadLetterMessages.period,
          }),
          description: `messages in dead-letter queue ${name}: inspect and redrive`,
        });
      }
      if (full) {
        this.queueAgeAlarm(
          name,
          queue,
          deadLetterMaxAge,
          `dead-letter queue ${name} holds a message ${deadLetterMaxAge.toHumanString()} old: redrive it before it expires`,
        );
      }
    }
  }

  private alarm(id: string, rule: AlarmRule, options: { metric: IMetric; description: string }): Alarm {
    const alarm = new Alarm(this, id, {
      // The name is the subject of every notification: say which stack and what, not a generated id.
      alarmName: `${Stack.of(this).stackName}-${id}`,
      alarmDescription: `LeadHub: ${options.description}`,
      metric: options.metric,
      threshold: rule.threshold,
      evaluationPeriods: rule.evaluationPeriods,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    return alarm;
  }

  private queueAgeAlarm(name: string, queue: IQueue, maxAge: Duration, description: string): Alarm {
    return this.alarm(
      `${name}-OldestMessage`,
      { threshold: maxAge.toSeconds(), period: FIVE_MINUTES, evaluationPeriods: 1 },
      {
        metric: queue.metricApproximateAgeOfOldestMessage({ statistic: Stats.MAXIMUM, period: FIVE_MINUTES }),
        description,
      },
    );
  }

  /**
   * The API's 5xx from its own metrics, and its 401s from the access log: API Gateway's 4xx metric also
   * counts unknown forms (404), oversize bodies (413) and throttling (429), all routine, while a 401 is a
   * signature, token or key that did not verify.
   */
  private apiAlarms(stage: HttpStage, accessLogs: ILogGroup, set: AlarmSet): void {
    const howToRead =
      "the access log's routeKey names the route and integrationError says why API Gateway failed; the " +
      "route's function log group says why it did";
    if (set === 'full') {
      const rule5xx = ALARM_RULES.api5xxPercent;
      this.alarm('Api-5xxRate', rule5xx, {
        metric: new MathExpression({
          expression: `IF(FILL(failed, 0) >= ${API_5XX_MIN_RESPONSES}, 100 * FILL(failed, 0) / requests, 0)`,
          usingMetrics: {
            failed: stage.metricServerError({ statistic: Stats.SUM, period: rule5xx.period }),
            requests: stage.metricCount({ statistic: Stats.SUM, period: rule5xx.period }),
          },
          label: '5xx, % of requests',
          period: rule5xx.period,
        }),
        description: `the API answered 5xx to ${rule5xx.threshold}% or more of requests: ${howToRead}`,
      });
    } else {
      const rule5xx = ALARM_RULES.api5xxCount;
      this.alarm('Api-5xx', rule5xx, {
        metric: stage.metricServerError({ statistic: Stats.SUM, period: rule5xx.period }),
        description: `the API answered 5xx (a platform retries it): ${howToRead}`,
      });
    }

    const rule401 = ALARM_RULES.api401Count;
    const unauthorized = new MetricFilter(this, 'Api401Filter', {
      logGroup: accessLogs,
      // The access log writes `status` as a JSON string ("$context.status" inside quotes).
      filterPattern: FilterPattern.stringValue('$.status', '=', '401'),
      metricNamespace: METRIC_NAMESPACE,
      metricName: API_401_METRIC,
      metricValue: '1',
      // No default value: a custom metric is billed for each hour it gets data, so it publishes 401s only
      // (the alarm treats a period without data as not breaching).
    });
    this.alarm('Api-401', rule401, {
      metric: unauthorized.metric({ statistic: Stats.SUM, period: rule401.period }),
      description:
        `the API refused ${rule401.threshold} or more requests in ${rule401.period.toHumanString()} with 401: ` +
        "a platform's secret (app secret, signing secret, webhook token or key) differs from the one in " +
        'the LeadHub secret, or someone is forging requests; the access log names the routes',
    });
  }
}
