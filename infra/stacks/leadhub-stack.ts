import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, RemovalPolicy, SecretValue, Stack, type StackProps, Token } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  HttpApi,
  HttpMethod,
  type HttpRoute,
  type HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, Billing, ProjectionType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import {
  Archive,
  type EventPattern as CdkEventPattern,
  EventBus,
  Rule,
  RuleTargetInput,
  Schedule,
} from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { AnyPrincipal, Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type CfnScheduleGroup, ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { type CfnResourcePolicy, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../events/contracts.js';
import { type EventPattern, Patterns } from '../../events/patterns.js';
import { TableDesign } from '../../lib/adapters/dynamodb/table-design.js';
import {
  PLATFORM_SECRET_GROUPS,
  type PlatformSecretGroup,
  SECRET_GROUPS,
  type SecretGroup,
} from '../../lib/adapters/secrets/groups.js';
import {
  assertSlackAppChannels,
  ConfigError,
  type LimitsConfig,
  loadHubConfig,
  parseEnv,
} from '../../lib/config.js';
import { RECONCILE_META_TASK } from '../../lib/handlers/receipt-sweeper.js';
import {
  type HttpFunctionName,
  type HttpRoute as HttpRouteSpec,
  HttpRoutes,
  LIMIT_GROUP,
  type RouteLimitGroup,
} from '../../lib/routes.js';
import { ALARM_SETS, type AlarmSet, DEFAULT_ALARM_SET, HubAlarms } from '../constructs/alarms.js';
import { ConnectionAlerts } from '../constructs/connection-alerts.js';
import {
  CLOUDFRONT_WAF_REGION,
  FormsEdge,
  FormsWafStack,
  FormsWebAcl,
  formsWafLimit,
} from '../constructs/forms-edge.js';
import { HubFunction, type HubFunctionName } from '../constructs/hub-function.js';
import { type Access, type AccessTarget, FUNCTION_ACCESS, kmsUseOf, secretsOf } from '../function-access.js';
import { functionMemoryMb } from '../function-memory.js';

/** Repository root: functions/, package-lock.json and the default leadhub.config.json live here. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const EVENT_BUS_NAME = 'leadhub';

/** Each secret's name in construct ids and outputs (`SlackSecret`, `SlackSecretArn`). */
export const SECRET_LABELS: Record<SecretGroup, string> = {
  pepper: 'Pepper',
  forms: 'Forms',
  slack: 'Slack',
  meta: 'Meta',
  linkedin: 'LinkedIn',
  tiktok: 'TikTok',
  google: 'Google',
};

/**
 * What may never happen to the pepper's secret while the lock is on: a new value (put, update, a version
 * stage moved, a rotation) or its deletion. Not the resource policy itself, so the stack can still
 * update or remove the lock, deliberately, with `-c pepperLock=false`.
 */
export const PEPPER_LOCKED_ACTIONS = [
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecret',
  'secretsmanager:UpdateSecretVersionStage',
  'secretsmanager:RotateSecret',
  'secretsmanager:CancelRotateSecret',
  'secretsmanager:DeleteSecret',
] as const;

/** A KMS key's ARN (not an alias: IAM grants name the key): a key id or a multi-Region key id. */
const KMS_KEY_ARN =
  /^arn:aws(?:-cn|-us-gov)?:kms:([a-z]{2}(?:-[a-z]+)+-\d):\d{12}:key\/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;

/**
 * The functions invoked asynchronously (by the LeadScoredToSlack rule, the SLA schedules, the sweep and
 * reconcile schedules), each with an on-failure queue.
 */
export const ASYNC_INVOKED = [
  'slack-notifier',
  'sla-escalator',
  'receipt-sweeper',
] as const satisfies readonly HubFunctionName[];

const HTTP_TIMEOUT = Duration.seconds(10);
const WORKER_TIMEOUT = Duration.seconds(30);
/** AWS's advice for Lambda-consumed queues: visibility at least 6x the function timeout. */
const VISIBILITY_FACTOR = 6;
const MAX_RECEIVE_COUNT = 5;
/**
 * At most this many capture and enrich invocations at once (each takes up to 10 records), far above any
 * lead volume (tens of leads a second), so that a backlog, say a dead-letter queue redriven after an
 * outage, neither takes the account's concurrency from the HTTP functions the platforms wait on nor
 * bursts the platforms' API rate limits in capture. Unlike reserved concurrency, the poller then leaves
 * the rest in the queue instead of being throttled (a throttled batch counts as a receive, towards the
 * DLQ).
 */
const QUEUE_CONSUMER_CONCURRENCY = 5;
const QUEUE_RETENTION = Duration.days(4);
const DLQ_RETENTION = Duration.days(14);
/** DynamoDB keeps point-in-time backups for 1 to 35 days; the longest is the default. */
const PITR_DAYS = { min: 1, max: 35 } as const;
/** How often the receipt sweeper looks for receipts stranded before capture (lib/pipeline/sweep.ts). */
export const SWEEP_RATE = Duration.minutes(5);
/** How often the receipt sweeper reads Meta leads back to recover missed webhooks (lib/sources/meta/reconcile.ts). */
export const RECONCILE_RATE = Duration.hours(1);
/** A reconcile run lists every form of every page, each Graph call retried within its own budget. */
const SWEEPER_TIMEOUT = Duration.minutes(5);

export interface LeadHubStackProps extends StackProps {
  /** Hub config copied into every bundle. Default: CDK context `configFile`, else leadhub.config.json at the root. */
  configFile?: string;
  /** Default: CDK context `deletionProtection`, else true. */
  deletionProtection?: boolean;
  /**
   * A CloudFront distribution with an AWS WAF rate-based rule per client address on the form routes, in
   * front of the API. Default: CDK context `formsWaf`, else false (it costs money by the month).
   */
  formsWaf?: boolean;
  /**
   * Days of DynamoDB point-in-time backups (1-35): an erasure cannot reach a backup, so this is how long an
   * erased person's data can still be restored. Default: CDK context `pitrDays`, else 35.
   */
  pitrDays?: number;
  /**
   * The deployment alerts through a Slack app (SLACK_BOT_TOKEN, a secret the synth cannot see), so the
   * synth checks that every alert has a channel. Default: CDK context `slackApp`, else false.
   */
  slackApp?: boolean;
  /**
   * The ad platforms this deployment connects: each gets its own secret ($0.40 a month each), and its
   * webhook answers 503 not_configured without one. Forms and Slack are always there. Default: CDK
   * context `sources` (`meta,linkedin,tiktok,google`, `all` or `none`), else none.
   */
  sources?: readonly PlatformSecretGroup[];
  /**
   * A customer-managed KMS key for the table, the queues, the event archive and the secrets. Default: CDK
   * context `kmsKeyArn`, else AWS-managed keys.
   */
  kmsKeyArn?: string;
  /**
   * Deny every change and the deletion of the pepper's secret to every principal. Default: CDK context
   * `pepperLock`, else true.
   */
  pepperLock?: boolean;
  /**
   * A stack deployed before the secrets were split: the ARN of its old one-secret `Secret`, whose
   * LEADHUB_PEPPER the new pepper secret takes over (a CloudFormation dynamic reference: the value never
   * appears in the template) instead of a generated one. Keep passing it on every later deploy. Default:
   * CDK context `pepperFromSecret`.
   */
  pepperFromSecret?: string;
  /**
   * Which alarms to deploy: `lean` keeps every sign of lost or stuck work within the idle budget, `full`
   * adds per-function alarms (infra/constructs/alarms.ts). Default: CDK context `alarms`, else lean.
   */
  alarms?: AlarmSet;
}

/** Context values arrive as strings from `cdk -c key=value` and as booleans from cdk.json or tests. */
function booleanContext(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`CDK context ${name} must be true or false, got ${JSON.stringify(value)}`);
}

/** `-c sources=meta,linkedin`: the platforms whose secrets the stack creates. */
function sourcesContext(value: unknown): PlatformSecretGroup[] {
  if (value === undefined) return [];
  const names = (Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [value])
    .map((name) => (typeof name === 'string' ? name.trim() : JSON.stringify(name)))
    .filter((name) => name !== '' && name !== 'none');
  if (names.includes('all')) return [...PLATFORM_SECRET_GROUPS];
  const unknown = names.filter((name) => !(PLATFORM_SECRET_GROUPS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new Error(
      `CDK context sources must list platforms from ${PLATFORM_SECRET_GROUPS.join(', ')} (or all, or none), ` +
        `got ${unknown.map((name) => JSON.stringify(name)).join(', ')}`,
    );
  }
  return PLATFORM_SECRET_GROUPS.filter((group) => names.includes(group));
}

/** A Secrets Manager secret's ARN, or a synth error naming the context key. */
function secretArnContext(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value === 'string' &&
    /^arn:aws(?:-cn|-us-gov)?:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/.test(value)
  ) {
    return value;
  }
  throw new Error(
    `CDK context ${name} must be the ARN of a Secrets Manager secret, got ${JSON.stringify(value)}`,
  );
}

/** `-c kmsKeyArn=…`: a KMS key ARN in the stack's Region, or a synth error naming the context key. */
function kmsKeyArnContext(value: unknown, region: string): string | undefined {
  if (value === undefined) return undefined;
  const match = typeof value === 'string' ? KMS_KEY_ARN.exec(value) : null;
  if (!match) {
    throw new Error(
      'CDK context kmsKeyArn must be the ARN of a KMS key (arn:aws:kms:{region}:{account}:key/{key id}; ' +
        `not an alias), got ${JSON.stringify(value)}`,
    );
  }
  if (!Token.isUnresolved(region) && match[1] !== region) {
    throw new Error(
      `CDK context kmsKeyArn names a key in ${match[1]}, but the stack is in ${region}: the table, queues ` +
        'and secrets need a key in their own Region',
    );
  }
  return value as string;
}

/** `-c alarms=lean|full`: which alarms the stack deploys. */
function alarmSetContext(value: unknown): AlarmSet {
  if (value === undefined) return DEFAULT_ALARM_SET;
  if ((ALARM_SETS as readonly unknown[]).includes(value)) return value as AlarmSet;
  throw new Error(`CDK context alarms must be ${ALARM_SETS.join(' or ')}, got ${JSON.stringify(value)}`);
}

function pick(env: Record<string, string>, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => names.includes(name)));
}

/**
 * A whole number from CDK context (a string from `-c key=value`, a number from cdk.json or tests), ≥ 0 or
 * within `range`.
 */
function numberContext(
  value: unknown,
  name: string,
  fallback: number,
  range: { min: number; max: number } = { min: 0, max: Number.POSITIVE_INFINITY },
): number {
  if (value === undefined) return fallback;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n === 'number' && Number.isInteger(n) && n >= range.min && n <= range.max) return n;
  const allowed = Number.isFinite(range.max) ? `from ${range.min} to ${range.max}` : `(${range.min} or more)`;
  throw new Error(`CDK context ${name} must be a whole number ${allowed}, got ${JSON.stringify(value)}`);
}

/**
 * Platform settings that are not secrets, from CDK context (`-c tiktokAdvertiserIds=123,456`), as the
 * environment names the functions read. Validated by the same schema as the local runtime's environment,
 * so a bad value fails the synth rather than a cold start.
 */
export const PLATFORM_CONTEXT = {
  metaGraphVersion: 'META_GRAPH_VERSION',
  linkedinApiVersion: 'LINKEDIN_API_VERSION',
  tiktokAdvertiserIds: 'TIKTOK_ADVERTISER_IDS',
} as const;

function platformSettings(node: Construct['node']): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [contextKey, envName] of Object.entries(PLATFORM_CONTEXT)) {
    const value = node.tryGetContext(contextKey);
    if (value === undefined) continue;
    env[envName] = String(value);
  }
  try {
    parseEnv(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new Error(`CDK context: ${error.message}`);
    throw error;
  }
  return env;
}

/** Patterns in events/ use EventBridge's JSON keys; CDK's EventPattern wants camelCase keys. */
export function toCdkPattern(pattern: EventPattern): CdkEventPattern {
  return {
    source: [...pattern.source],
    detailType: [...pattern['detail-type']],
    ...(pattern.detail ? { detail: pattern.detail } : {}),
  };
}

/**
 * A function's declared access as policy statements: one per resource and key condition, holding every
 * action declared on it. A role passed to a service may be passed to EventBridge Scheduler only.
 */
function accessStatements(access: readonly Access[], arns: Record<AccessTarget, string>): PolicyStatement[] {
  const groups = new Map<string, { on: AccessTarget; leadingKeys?: readonly string[]; actions: string[] }>();
  for (const grant of access) {
    const leadingKeys = 'leadingKeys' in grant ? grant.leadingKeys : undefined;
    const id = JSON.stringify([grant.on, leadingKeys ?? null]);
    const group = groups.get(id) ?? { on: grant.on, ...(leadingKeys ? { leadingKeys } : {}), actions: [] };
    if (group.actions.includes(grant.action))
      throw new Error(`${grant.action} on ${grant.on} is declared twice`);
    group.actions.push(grant.action);
    groups.set(id, group);
  }
  return [...groups.values()].map(
    ({ on, leadingKeys, actions }) =>
      new PolicyStatement({
        actions,
        resources: [arns[on]],
        ...(leadingKeys
          ? { conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...leadingKeys] } } }
          : on === 'slaSchedulerRole'
            ? { conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } } }
            : {}),
      }),
  );
}

/** Each index of the table design by its name, as a target of the declared access: no index/* wildcard. */
function indexArns(tableArn: string) {
  const indexes = TableDesign.indexes;
  return Object.fromEntries(
    (Object.keys(indexes) as (keyof typeof indexes)[]).map((key) => [
      `index/${key}`,
      `${tableArn}/index/${indexes[key].name}`,
    ]),
  ) as Record<`index/${keyof typeof indexes}`, string>;
}

/** API Gateway's throttle for a route group's limits. */
function routeThrottle(limits: LimitsConfig, group: RouteLimitGroup) {
  const { ratePerSecond, burst } = limits.routes[group];
  return { rateLimit: ratePerSecond, burstLimit: burst };
}

export class LeadHubStack extends Stack {
  readonly configFile: string;
  readonly deletionProtection: boolean;
  readonly pitrDays: number;
  readonly formsWaf: boolean;
  readonly alarmSet: AlarmSet;
  readonly table: TableV2;
  readonly bus: EventBus;
  /** Each secret the deployment has, by what it holds (lib/adapters/secrets/groups.ts). */
  readonly secrets: Partial<Record<SecretGroup, Secret>>;
  /** The ad platforms whose secrets exist (CDK context `sources`). */
  readonly sources: readonly PlatformSecretGroup[];
  /** The customer-managed key (CDK context `kmsKeyArn`); AWS-managed keys without it. */
  readonly kmsKey?: IKey;
  readonly alarmTopic: Topic;
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly functions: Record<HubFunctionName, HubFunction>;
  /** Routes with no API Gateway authorizer: the functions authenticate these themselves. */
  readonly publicRoutes: { spec: HttpRouteSpec; route: HttpRoute }[] = [];
  /** With formsWaf: the distribution in front of the API, and its web ACL (here or in formsWafStack). */
  readonly formsEdge?: FormsEdge;
  readonly formsWebAcl?: FormsWebAcl;
  /** With formsWaf outside us-east-1: the stack holding the web ACL there. */
  readonly formsWafStack?: FormsWafStack;
  /**
   * Every dead-letter queue: the capture and enrich queues' redrive DLQs, EventDeliveryDlq (every rule
   * target's and SLA schedule's failed deliveries) and the asynchronous functions' on-failure queues.
   */
  readonly deadLetterQueues: Record<string, Queue> = {};
  /** The Lambda-consumed work queues, by name. */
  readonly workQueues: Record<string, Queue> = {};
  /** SLA timers: one-time schedules that invoke sla-escalator, through this role. */
  readonly slaScheduleGroup: ScheduleGroup;
  readonly slaSchedulerRole: Role;

  constructor(scope: Construct, id: string, props: LeadHubStackProps = {}) {
    const formsWaf =
      props.formsWaf ?? booleanContext(scope.node.tryGetContext('formsWaf'), 'formsWaf', false);
    const region = props.env?.region;
    if (formsWaf && (region === undefined || Token.isUnresolved(region))) {
      throw new Error(
        'CDK context formsWaf needs the stack in a known Region (env.region): its web ACL lives in ' +
          `${CLOUDFRONT_WAF_REGION}, referenced from the stack's Region`,
      );
    }
    // The web ACL's ARN crosses Regions by a reference CDK carries through SSM parameters.
    const crossRegion = formsWaf && region !== CLOUDFRONT_WAF_REGION;
    super(scope, id, { ...props, ...(crossRegion ? { crossRegionReferences: true } : {}) });
    this.formsWaf = formsWaf;

    const configPath = props.configFile ?? this.node.tryGetContext('configFile') ?? 'leadhub.config.json';
    this.configFile = resolve(PROJECT_ROOT, String(configPath));
    if (!existsSync(this.configFile)) {
      throw new Error(
        `LeadHub config file ${this.configFile} not found: create it (see README) or pass -c configFile=<path>`,
      );
    }
    // Fail the synth, not the first cold start, on an invalid config.
    const config = loadHubConfig(this.configFile);
    const { limits } = config;
    const slackApp = props.slackApp ?? booleanContext(this.node.tryGetContext('slackApp'), 'slackApp', false);
    if (slackApp) {
      assertSlackAppChannels(config, {
        because: 'CDK context slackApp is true (Slack app mode)',
        origin: this.configFile,
        // SLACK_TEST_WEBHOOK_URL is a secret filled in after deploy: the notifier checks test leads.
        testWebhook: true,
      });
    }

    this.alarmSet = props.alarms ?? alarmSetContext(this.node.tryGetContext('alarms'));
    this.deletionProtection =
      props.deletionProtection ??
      booleanContext(this.node.tryGetContext('deletionProtection'), 'deletionProtection', true);

    this.pitrDays = numberContext(
      props.pitrDays ?? this.node.tryGetContext('pitrDays'),
      'pitrDays',
      PITR_DAYS.max,
      PITR_DAYS,
    );
    const kmsKeyArn =
      props.kmsKeyArn !== undefined
        ? kmsKeyArnContext(props.kmsKeyArn, this.region)
        : kmsKeyArnContext(this.node.tryGetContext('kmsKeyArn'), this.region);
    if (kmsKeyArn) this.kmsKey = Key.fromKeyArn(this, 'CustomerKey', kmsKeyArn);
    this.sources = props.sources ?? sourcesContext(this.node.tryGetContext('sources'));
    const pepperLock =
      props.pepperLock ?? booleanContext(this.node.tryGetContext('pepperLock'), 'pepperLock', true);

    // ---- storage -------------------------------------------------------------------------------------
    const str = (name: string) => ({ name, type: AttributeType.STRING });
    this.table = new TableV2(this, 'Table', {
      partitionKey: str(TableDesign.partitionKey),
      sortKey: str(TableDesign.sortKey),
      globalSecondaryIndexes: Object.values(TableDesign.indexes).map((index) => ({
        indexName: index.name,
        partitionKey: str(index.partitionKey),
        sortKey: str(index.sortKey),
        ...(index.projection.type === 'INCLUDE'
          ? { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...index.projection.attributes] }
          : { projectionType: ProjectionType[index.projection.type] }),
      })),
      timeToLiveAttribute: TableDesign.ttlAttribute,
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: {
        pointInTimeRecoveryEnabled: true,
        recoveryPeriodInDays: this.pitrDays,
      },
      encryption: this.kmsKey
        ? TableEncryptionV2.customerManagedKey(this.kmsKey)
        : TableEncryptionV2.awsManagedKey(),
      deletionProtection: this.deletionProtection,
      removalPolicy: this.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    const pepperFrom = secretArnContext(
      props.pepperFromSecret ?? this.node.tryGetContext('pepperFromSecret'),
      'pepperFromSecret',
    );
    this.secrets = this.createSecrets(pepperLock, pepperFrom);

    this.bus = new EventBus(this, 'Bus', { eventBusName: EVENT_BUS_NAME });
    // Not bus.archive(), which drops the key; under the bus, so the archive keeps its logical id.
    new Archive(this.bus, 'Archive', {
      sourceEventBus: this.bus,
      description: 'Every LeadHub event, for replay after a consumer bug',
      eventPattern: { source: [EVENT_SOURCE] },
      retention: Duration.days(30),
      ...(this.kmsKey ? { kmsKey: this.kmsKey } : {}),
    });

    this.alarmTopic = new Topic(this, 'AlarmTopic', { displayName: 'LeadHub alarms', enforceSSL: true });

    // ---- functions -----------------------------------------------------------------------------------
    const platform = platformSettings(this.node);
    const commonEnv = {
      TABLE_NAME: this.table.tableName,
      EVENT_BUS_NAME: this.bus.eventBusName,
    };
    const captureQueue = this.workQueue('Capture', WORKER_TIMEOUT);
    const enrichQueue = this.workQueue('Enrich', WORKER_TIMEOUT);

    const make = (id: string, name: HubFunctionName, timeout: Duration, env: Record<string, string> = {}) =>
      new HubFunction(this, id, {
        name,
        projectRoot: PROJECT_ROOT,
        configFile: this.configFile,
        timeout,
        memorySize: functionMemoryMb(name),
        environment: { ...commonEnv, LEADHUB_SECRET_ARNS: this.secretArnsOf(name), ...env },
      });
    this.functions = {
      'http-forms': make('HttpForms', 'http-forms', HTTP_TIMEOUT, {
        CAPTURE_QUEUE_URL: captureQueue.queueUrl,
      }),
      'http-admin': make('HttpAdmin', 'http-admin', HTTP_TIMEOUT),
      'http-privacy': make('HttpPrivacy', 'http-privacy', HTTP_TIMEOUT),
      'http-webhooks': make('HttpWebhooks', 'http-webhooks', HTTP_TIMEOUT, {
        CAPTURE_QUEUE_URL: captureQueue.queueUrl,
        ...pick(platform, ['TIKTOK_ADVERTISER_IDS']),
      }),
      'capture-worker': make(
        'CaptureWorker',
        'capture-worker',
        WORKER_TIMEOUT,
        pick(platform, ['META_GRAPH_VERSION', 'LINKEDIN_API_VERSION']),
      ),
      'enrich-worker': make('EnrichWorker', 'enrich-worker', WORKER_TIMEOUT),
      'slack-notifier': make('SlackNotifier', 'slack-notifier', WORKER_TIMEOUT),
      'http-slack': make('HttpSlack', 'http-slack', HTTP_TIMEOUT),
      'sla-escalator': make('SlaEscalator', 'sla-escalator', WORKER_TIMEOUT),
      'receipt-sweeper': make('ReceiptSweeper', 'receipt-sweeper', SWEEPER_TIMEOUT, {
        CAPTURE_QUEUE_URL: captureQueue.queueUrl,
        ...pick(platform, ['META_GRAPH_VERSION']),
      }),
    };
    const fn = (name: HubFunctionName) => this.functions[name].fn;

    // ---- SLA timers (EventBridge Scheduler one-time schedules) -----------------------------------------
    this.slaScheduleGroup = new ScheduleGroup(this, 'SlaSchedules', { removalPolicy: RemovalPolicy.DESTROY });
    this.slaSchedulerRole = new Role(this, 'SlaSchedulerRole', {
      description: 'EventBridge Scheduler invokes the LeadHub SLA escalator',
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    });
    fn('sla-escalator').grantInvoke(this.slaSchedulerRole);
    // Ref of the group is its name (a reference, so the functions' environment names no literal).
    const groupName = (this.slaScheduleGroup.node.defaultChild as CfnScheduleGroup).ref;
    const schedulesArn = this.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${groupName}/*`,
    });
    fn('slack-notifier').addEnvironment('SLA_SCHEDULE_GROUP', groupName);
    fn('slack-notifier').addEnvironment('SLA_ESCALATOR_ARN', fn('sla-escalator').functionArn);
    fn('slack-notifier').addEnvironment('SLA_SCHEDULER_ROLE_ARN', this.slaSchedulerRole.roleArn);
    // One dead-letter queue, alarmed once, for every delivery EventBridge (each rule's target) or
    // EventBridge Scheduler (each SLA schedule) gives up on: both add message attributes naming the rule
    // or schedule, the target and the error, so a dead letter still says where it came from. Each rule's
    // target adds a policy statement letting events.amazonaws.com send from that rule's ARN only; the
    // scheduler sends with its role (below), which only Scheduler of this account can assume.
    const eventDeliveryDlq = this.deadLetterQueue('EventDeliveryDlq');
    // A check the scheduler could not deliver within its retry policy (an hour, lib/adapters/scheduler) is
    // parked there; every schedule names it.
    this.slaSchedulerRole.addToPolicy(
      new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [eventDeliveryDlq.queueArn] }),
    );
    if (this.kmsKey)
      this.slaSchedulerRole.addToPolicy(this.kmsStatement('sqs', ['kms:GenerateDataKey', 'kms:Decrypt']));
    fn('slack-notifier').addEnvironment('SLA_DLQ_ARN', eventDeliveryDlq.queueArn);
    fn('http-slack').addEnvironment('SLA_SCHEDULE_GROUP', groupName);
    // The scheduler invokes asynchronously: a failing escalation is retried by Lambda, then parked here.
    // An escalation an hour late has lost its point, like the alert it escalates.
    fn('sla-escalator').configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      onFailure: new SqsDestination(this.deadLetterQueue('SlaEscalatorFailures')),
    });

    // ---- least-privilege grants: what infra/function-access.ts declares, nothing else -----------------
    // A platform's secret that the deployment does not create is granted to no one.
    const accessTargets: Partial<Record<AccessTarget, string>> = {
      table: this.table.tableArn,
      ...indexArns(this.table.tableArn),
      captureQueue: captureQueue.queueArn,
      bus: this.bus.eventBusArn,
      ...Object.fromEntries(
        Object.entries(this.secrets).map(([group, secret]) => [`secret/${group}`, secret.secretArn]),
      ),
      slaSchedules: schedulesArn,
      slaSchedulerRole: this.slaSchedulerRole.roleArn,
    };
    for (const name of Object.keys(this.functions) as HubFunctionName[]) {
      const access = (FUNCTION_ACCESS[name] as readonly Access[]).filter(
        (g) => accessTargets[g.on] !== undefined,
      );
      for (const statement of accessStatements(access, accessTargets as Record<AccessTarget, string>)) {
        fn(name).addToRolePolicy(statement);
      }
      // With a customer-managed key, what each service asks of it on the function's behalf, and no more.
      if (this.kmsKey) {
        for (const [service, actions] of kmsUseOf(access)) {
          fn(name).addToRolePolicy(this.kmsStatement(service, actions));
        }
      }
    }

    // Slack allows about one message per second per channel: a few notifier instances at most, each pacing
    // its posts per channel. Context slackNotifierConcurrency=0 leaves it unreserved (new accounts with a
    // concurrency limit of 10 cannot reserve any).
    const notifierConcurrency = numberContext(
      this.node.tryGetContext('slackNotifierConcurrency'),
      'slackNotifierConcurrency',
      2,
    );
    if (notifierConcurrency > 0) {
      (fn('slack-notifier').node.defaultChild as CfnFunction).reservedConcurrentExecutions =
        notifierConcurrency;
    }

    // ---- queue consumers -----------------------------------------------------------------------------
    const consume = (queue: Queue) =>
      new SqsEventSource(queue, {
        batchSize: 10,
        maxConcurrency: QUEUE_CONSUMER_CONCURRENCY,
        // Speed-to-lead: no batching window, so a lone lead is processed the moment it arrives; under load
        // batches still fill up to 10 from what is waiting.
        reportBatchItemFailures: true,
      });
    fn('capture-worker').addEventSource(consume(captureQueue));
    fn('enrich-worker').addEventSource(consume(enrichQueue));

    // ---- event routing -------------------------------------------------------------------------------
    // Enrichment is worth doing however late; a Slack alert an hour late has lost its speed-to-lead value
    // and is better seen in the DLQ alarm. Both park what they cannot deliver in the alarmed EventDeliveryDlq.
    new Rule(this, 'LeadCapturedToEnrich', {
      eventBus: this.bus,
      description: 'LeadCaptured → enrich + score queue',
      eventPattern: toCdkPattern(Patterns.leadCapturedToEnrich),
      targets: [
        new SqsQueue(enrichQueue, {
          maxEventAge: Duration.hours(24),
          retryAttempts: 185,
          deadLetterQueue: eventDeliveryDlq,
        }),
      ],
    });
    new Rule(this, 'LeadScoredToSlack', {
      eventBus: this.bus,
      description: 'LeadScored → Slack notifier',
      eventPattern: toCdkPattern(Patterns.leadScoredToSlack),
      targets: [
        new LambdaFunction(fn('slack-notifier'), {
          maxEventAge: Duration.hours(1),
          retryAttempts: 20,
          deadLetterQueue: eventDeliveryDlq,
        }),
      ],
    });
    // EventBridge invokes Lambda asynchronously: a failing notifier is retried by Lambda, then parked here.
    // A separate queue from the rules' DLQ, because the two hold different message shapes.
    fn('slack-notifier').configureAsyncInvoke({
      retryAttempts: 2,
      // Lambda would keep retrying for 6 hours; an alert is worth an hour, as on the rule's target above.
      maxEventAge: Duration.hours(1),
      onFailure: new SqsDestination(this.deadLetterQueue('SlackNotifierFailures')),
    });

    // A receipt whose capture message was lost (written, then the enqueue failed) or dead-lettered is
    // queued again by the sweeper. A sweep older than the next one is worth nothing, hence the short age;
    // one that cannot be delivered at all lands in the alarmed EventDeliveryDlq, so a broken sweeper is noticed.
    new Rule(this, 'ReceiptSweep', {
      description: 'Queue receipts stranded before capture again (lib/pipeline/sweep.ts)',
      schedule: Schedule.rate(SWEEP_RATE),
      targets: [
        new LambdaFunction(fn('receipt-sweeper'), {
          maxEventAge: SWEEP_RATE,
          retryAttempts: 2,
          deadLetterQueue: eventDeliveryDlq,
        }),
      ],
    });
    // A sweep or reconciliation that could not do an item throws once it has done the rest (the handler's
    // IncompleteRunError): Lambda retries the run, then parks the event here, alarmed. An hour: the age of
    // a reconciliation's event when the next one is due.
    fn('receipt-sweeper').configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: RECONCILE_RATE,
      onFailure: new SqsDestination(this.deadLetterQueue('ReceiptSweeperFailures')),
    });
    // Meta drops a webhook it could not deliver after 36 h: the hourly read-back recovers it. Same
    // Lambda, told by its input to reconcile; a run older than the next one is worth nothing.
    new Rule(this, 'MetaReconcile', {
      description: 'Read back recent Meta leads whose webhook never arrived (lib/sources/meta/reconcile.ts)',
      schedule: Schedule.rate(RECONCILE_RATE),
      targets: [
        new LambdaFunction(fn('receipt-sweeper'), {
          event: RuleTargetInput.fromObject({ task: RECONCILE_META_TASK }),
          maxEventAge: RECONCILE_RATE,
          retryAttempts: 2,
          deadLetterQueue: eventDeliveryDlq,
        }),
      ],
    });

    // A broken platform connection (and, once CRM destinations exist, a failing one) reaches whoever
    // watches the alarm topic, with its fix.
    new ConnectionAlerts(this, 'ConnectionAlerts', {
      bus: this.bus,
      eventPattern: toCdkPattern(Patterns.connectionFailuresToAlarms),
      topic: this.alarmTopic,
      deadLetterQueue: eventDeliveryDlq,
    });

    // ---- HTTP API ------------------------------------------------------------------------------------
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // CORS is answered by the forms function (per-form origins), so the API has no CORS configuration.
    this.api = new HttpApi(this, 'Api', {
      description: 'LeadHub: lead forms in, admin API',
      createDefaultStage: false,
    });
    // Our own $default stage, because HttpApi's default stage takes no throttling or access-log settings.
    // Every route gets its group's throttle below; the default (the strictest) covers none of them.
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: routeThrottle(limits, 'admin'),
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // No source IP or user agent, and the route key rather than the path (no query string, no path
        // token): access logs stay free of personal data. The caller is the IAM principal of an admin or
        // privacy route (`-` on public routes); the privacy audit trail names the same requestId.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            caller: '$context.identity.userArn',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            responseLatency: '$context.responseLatency',
            integrationStatus: '$context.integrationStatus',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    const integrations: Record<HttpFunctionName, HttpLambdaIntegration> = {
      'http-forms': new HttpLambdaIntegration('FormsIntegration', fn('http-forms')),
      'http-admin': new HttpLambdaIntegration('AdminIntegration', fn('http-admin')),
      'http-privacy': new HttpLambdaIntegration('PrivacyIntegration', fn('http-privacy')),
      'http-webhooks': new HttpLambdaIntegration('WebhooksIntegration', fn('http-webhooks')),
      'http-slack': new HttpLambdaIntegration('SlackIntegration', fn('http-slack')),
    };
    const iamAuthorizer = new HttpIamAuthorizer();
    const stage = this.stage.node.defaultChild as CfnStage;
    for (const route of HttpRoutes) {
      const [created] = this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: integrations[route.fn],
        ...(route.auth === 'admin' ? { authorizer: iamAuthorizer } : {}),
      });
      if (!created) continue;
      if (route.auth === 'none') this.publicRoutes.push({ spec: route, route: created });
      // Route settings name their route by key: it must exist before the stage names it.
      stage.node.addDependency(created);
    }
    // Each route its own token bucket, by its group (lib/routes.ts): form spam, however heavy, takes
    // nothing from the webhooks' buckets. These are per route, for all clients together.
    stage.routeSettings = Object.fromEntries(
      HttpRoutes.map((route) => {
        const { rateLimit, burstLimit } = routeThrottle(limits, LIMIT_GROUP[route.fn]);
        // routeSettings is untyped JSON: CloudFormation's own property names.
        return [
          `${route.method} ${route.path}`,
          { ThrottlingRateLimit: rateLimit, ThrottlingBurstLimit: burstLimit },
        ];
      }),
    );

    // ---- optional: per-client form limit at the edge ------------------------------------------------
    if (formsWaf) {
      const limit = formsWafLimit(limits.formsPerClient);
      if (crossRegion) {
        this.formsWafStack = new FormsWafStack(this.node.scope as Construct, `${id}FormsWaf`, {
          env: {
            ...(props.env?.account ? { account: props.env.account } : {}),
            region: CLOUDFRONT_WAF_REGION,
          },
          crossRegionReferences: true,
          description:
            'LeadHub: the AWS WAF web ACL of the forms distribution (CloudFront web ACLs live here)',
          limit,
        });
        this.formsWebAcl = this.formsWafStack.webAcl;
      } else {
        this.formsWebAcl = new FormsWebAcl(this, 'FormsWebAcl', { limit });
      }
      this.formsEdge = new FormsEdge(this, 'FormsEdge', {
        api: this.api,
        webAclArn: this.formsWebAcl.acl.attrArn,
      });
    }

    // ---- alarms and outputs --------------------------------------------------------------------------
    new HubAlarms(this, 'Alarms', {
      set: this.alarmSet,
      topic: this.alarmTopic,
      functions: this.functions,
      // By the LeadScoredToSlack rule, the SLA schedules, the sweep and reconcile schedules; each with
      // its on-failure queue (configureAsyncInvoke above).
      asyncInvoked: {
        'slack-notifier': 'SlackNotifierFailures',
        'sla-escalator': 'SlaEscalatorFailures',
        'receipt-sweeper': 'ReceiptSweeperFailures',
      },
      stage: this.stage,
      accessLogs,
      workQueues: this.workQueues,
      deadLetterQueues: this.deadLetterQueues,
      deadLetterRetention: DLQ_RETENTION,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.stage.url, description: 'Base URL of the HTTP API' });
    if (this.formsEdge) {
      new CfnOutput(this, 'FormsUrl', {
        value: `https://${this.formsEdge.distribution.distributionDomainName}`,
        description: 'Base URL for web forms, limited per client by AWS WAF (webhooks stay on ApiUrl)',
      });
    }
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBusName });
    for (const [group, secret] of Object.entries(this.secrets) as [SecretGroup, Secret][]) {
      new CfnOutput(this, `${SECRET_LABELS[group]}SecretArn`, {
        value: secret.secretArn,
        description:
          group === 'pepper'
            ? 'LEADHUB_PEPPER, generated: never change it once leads exist'
            : `Fill in ${SECRET_GROUPS[group].join(', ')} here (JSON)`,
      });
    }
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarmTopic.topicArn,
      description: 'Subscribe an email or chat endpoint to receive alarms and connection failures',
    });
  }

  /**
   * One secret per integration (lib/adapters/secrets/groups.ts): the pepper, generated and locked; the
   * forms and Slack secrets; a secret for each platform in `sources`. Each holds a JSON object of its
   * names, the operator's to fill in (an empty string means not configured). Kept when the stack is
   * deleted, like the table, unless deletion protection is off.
   */
  private createSecrets(pepperLock: boolean, pepperFrom?: string): Partial<Record<SecretGroup, Secret>> {
    const removalPolicy = this.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const encryption = this.kmsKey ? { encryptionKey: this.kmsKey } : {};
    // Keep these properties as they are: once locked, the secret refuses UpdateSecret, so a changed
    // description or template would fail the deploy (and roll it back) rather than touch the pepper.
    const pepper = new Secret(this, 'PepperSecret', {
      description:
        `LeadHub identity pepper (LEADHUB_PEPPER), ${pepperFrom ? 'taken over from the one-secret stack' : 'generated'}. ` +
        'Never change it once leads exist: every identity ' +
        'and suppression key is an HMAC under it. Locked by its resource policy (-c pepperLock=false lifts it).',
      ...(pepperFrom
        ? {
            // The old secret's pepper, read by CloudFormation at deploy: identity keys stay valid.
            secretObjectValue: {
              LEADHUB_PEPPER: SecretValue.secretsManager(pepperFrom, { jsonField: 'LEADHUB_PEPPER' }),
            },
          }
        : {
            generateSecretString: {
              secretStringTemplate: '{}',
              generateStringKey: 'LEADHUB_PEPPER',
              excludePunctuation: true,
              passwordLength: 64,
            },
          }),
      removalPolicy,
      ...encryption,
    });
    if (pepperLock) {
      pepper.addToResourcePolicy(
        new PolicyStatement({
          sid: 'PepperNeverChanges',
          effect: Effect.DENY,
          principals: [new AnyPrincipal()],
          actions: [...PEPPER_LOCKED_ACTIONS],
          resources: ['*'],
        }),
      );
      // The lock stays with a retained secret.
      (pepper.node.findChild('Policy').node.defaultChild as CfnResourcePolicy).applyRemovalPolicy(
        removalPolicy,
      );
    }
    const secrets: Partial<Record<SecretGroup, Secret>> = { pepper };
    const configured = ['forms', 'slack', ...this.sources] as const;
    for (const group of configured) {
      const names = SECRET_GROUPS[group];
      secrets[group] = new Secret(this, `${SECRET_LABELS[group]}Secret`, {
        description: `LeadHub ${SECRET_LABELS[group]} secrets (JSON): fill in ${names.join(', ')} after deploy (an empty string means not configured).`,
        // Empty placeholders only, never a value: the operator puts the values (README "Deploy to AWS").
        // This JSON is the secret's CloudFormation value: changing it would overwrite what was put there.
        secretObjectValue: Object.fromEntries(names.map((name) => [name, SecretValue.unsafePlainText('')])),
        removalPolicy,
        ...encryption,
      });
    }
    return secrets;
  }

  /**
   * A function's LEADHUB_SECRET_ARNS: the ARN of each secret its code reads (infra/function-access.ts),
   * null for a platform the deployment leaves out (its names read as unset). ARNs, never values.
   */
  private secretArnsOf(name: HubFunctionName): string {
    const groups = secretsOf(FUNCTION_ACCESS[name]);
    return this.toJsonString(
      Object.fromEntries(groups.map((group) => [group, this.secrets[group]?.secretArn ?? null])),
    );
  }

  /** The customer-managed key's use by one service on a role's behalf (kms:ViaService). */
  private kmsStatement(service: string, actions: readonly string[]): PolicyStatement {
    return new PolicyStatement({
      actions: [...actions],
      resources: [(this.kmsKey as IKey).keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `${service}.${this.region}.amazonaws.com` } },
    });
  }

  private queueEncryption() {
    return this.kmsKey
      ? { encryption: QueueEncryption.KMS, encryptionMasterKey: this.kmsKey }
      : { encryption: QueueEncryption.SQS_MANAGED };
  }

  /** A dead-letter queue: kept longer than its source so a failure can be inspected and redriven. */
  private deadLetterQueue(id: string): Queue {
    const queue = new Queue(this, id, {
      enforceSSL: true,
      ...this.queueEncryption(),
      retentionPeriod: DLQ_RETENTION,
    });
    this.deadLetterQueues[id] = queue;
    return queue;
  }

  /** A Lambda-consumed work queue with its DLQ. */
  private workQueue(name: string, consumerTimeout: Duration): Queue {
    const queue = new Queue(this, `${name}Queue`, {
      enforceSSL: true,
      ...this.queueEncryption(),
      retentionPeriod: QUEUE_RETENTION,
      visibilityTimeout: Duration.seconds(consumerTimeout.toSeconds() * VISIBILITY_FACTOR),
      deadLetterQueue: { queue: this.deadLetterQueue(`${name}Dlq`), maxReceiveCount: MAX_RECEIVE_COUNT },
    });
    this.workQueues[name] = queue;
    return queue;
  }
}
