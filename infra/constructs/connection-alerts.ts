import { Duration } from 'aws-cdk-lib';
import {
  EventField,
  type EventPattern,
  type IEventBus,
  Rule,
  type RuleTargetConfig,
  RuleTargetInput,
} from 'aws-cdk-lib/aws-events';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * The fields of a matched event the notification reads: the envelope, and the reason and fix every
 * connection failure carries in words. Ids and codes only, never a lead's contents. The detail's ids
 * (platform lead, page, form) stay in the event, which the bus archive keeps 30 days under its id; the
 * fix already names the page or form it concerns.
 */
export const CONNECTION_ALERT_FIELDS = {
  detailType: '$.detail-type',
  eventId: '$.id',
  time: '$.time',
  account: '$.account',
  region: '$.region',
  reason: '$.detail.reason',
  fix: '$.detail.fix',
} as const;

const field = (name: keyof typeof CONNECTION_ALERT_FIELDS) =>
  EventField.fromPath(CONNECTION_ALERT_FIELDS[name]);

/**
 * The notification, in the custom-notification format of AWS Chatbot (Amazon Q Developer in chat
 * applications), which drops any other text it is sent; an email subscriber reads the same JSON.
 */
export const CONNECTION_ALERT_MESSAGE = RuleTargetInput.fromObject({
  version: '1.0',
  source: 'custom',
  id: field('eventId'),
  content: {
    textType: 'client-markdown',
    title: `LeadHub ${field('detailType')}: ${field('reason')}`,
    description: field('fix'),
    keywords: ['LeadHub', field('detailType'), field('reason')],
  },
  metadata: {
    eventType: field('detailType'),
    additionalContext: {
      eventId: field('eventId'),
      time: field('time'),
      account: field('account'),
      region: field('region'),
    },
  },
});

/** EventBridge's retries for a publish to the topic; what still fails lands in the (alarmed) dead-letter queue. */
const DELIVERY_RETRIES = 20;
const DELIVERY_MAX_AGE = Duration.hours(24);

export interface ConnectionAlertsProps {
  bus: IEventBus;
  /** Connection failures and DestinationFailing (events/patterns.ts). */
  eventPattern: EventPattern;
  topic: ITopic;
  deadLetterQueue: IQueue;
}

/**
 * Turns SourceConnectionFailed (and DestinationFailing, once CRM destinations publish it) into a message
 * on the alarm topic: what broke and how to fix it. One message per event: a token that expires fails
 * every lead of its page until it is replaced.
 */
export class ConnectionAlerts extends Construct {
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: ConnectionAlertsProps) {
    super(scope, id);
    const { topic, deadLetterQueue } = props;
    this.rule = new Rule(this, 'Rule', {
      eventBus: props.bus,
      description: 'SourceConnectionFailed, DestinationFailing → alarm topic, with the fix',
      eventPattern: props.eventPattern,
    });
    // CDK's SnsTopic target lets any EventBridge rule, of any account, publish; this lets only our rule.
    const events = new ServicePrincipal('events.amazonaws.com');
    const fromThisRule = { ArnEquals: { 'aws:SourceArn': this.rule.ruleArn } };
    topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'ConnectionAlertsPublish',
        principals: [events],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: fromThisRule,
      }),
    );
    deadLetterQueue.addToResourcePolicy(
      new PolicyStatement({
        principals: [events],
        actions: ['sqs:SendMessage'],
        resources: [deadLetterQueue.queueArn],
        conditions: fromThisRule,
      }),
    );
    this.rule.addTarget({
      bind: (): RuleTargetConfig => ({
        arn: topic.topicArn,
        input: CONNECTION_ALERT_MESSAGE,
        retryPolicy: {
          maximumRetryAttempts: DELIVERY_RETRIES,
          maximumEventAgeInSeconds: DELIVERY_MAX_AGE.toSeconds(),
        },
        deadLetterConfig: { arn: deadLetterQueue.queueArn },
        targetResource: topic,
      }),
    });
  }
}
