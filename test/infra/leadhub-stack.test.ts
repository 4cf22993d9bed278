import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, type CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { Patterns } from '../../events/patterns.js';
import { formsWafLimit } from '../../infra/constructs/forms-edge.js';
import {
  BUNDLED_CONFIG_NAME,
  configCopyHooks,
  ESM_REQUIRE_BANNER,
  HUB_FUNCTIONS,
  HubFunction,
  type HubFunctionName,
} from '../../infra/constructs/hub-function.js';
import { type Access, FUNCTION_ACCESS, secretsOf } from '../../infra/function-access.js';
import { functionMemoryMb } from '../../infra/function-memory.js';
import {
  LeadHubStack,
  type LeadHubStackProps,
  PEPPER_LOCKED_ACTIONS,
  PLATFORM_CONTEXT,
  PROJECT_ROOT,
} from '../../infra/stacks/leadhub-stack.js';
import { TableDesign } from '../../lib/adapters/dynamodb/table-design.js';
import {
  PLATFORM_SECRET_GROUPS,
  SECRET_GROUPS,
  type SecretGroup,
} from '../../lib/adapters/secrets/groups.js';
import { EnvSchema } from '../../lib/config.js';
import { SLACK_INTERACTION_BUDGET_MS } from '../../lib/handlers/http-slack.js';
import { RECONCILE_META_TASK } from '../../lib/handlers/receipt-sweeper.js';
import { HttpRoutes } from '../../lib/routes.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/leadhub.config.json', import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON is walked dynamically in assertions.
type Json = Record<string, any>;

function synth(props: LeadHubStackProps = {}, context: Record<string, unknown> = {}) {
  // Skips esbuild: template assertions need no real bundles.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = new LeadHubStack(app, 'LeadHub', {
    env: { region: 'us-east-1' },
    configFile: FIXTURE,
    ...props,
  });
  const template = Template.fromStack(stack);
  return { stack, template, json: template.toJSON() as Json };
}

const { stack, template, json } = synth();
const resources = json.Resources as Record<string, Json>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const logicalId = (c: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(c.node.defaultChild as CfnElement);
const fnId = (name: HubFunctionName) => logicalId(stack.functions[name].fn);
const fnProps = (name: HubFunctionName) => resources[fnId(name)]?.Properties as Json;
const getAttArn = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const ALL_FUNCTIONS: readonly HubFunctionName[] = HUB_FUNCTIONS;
/** Functions that take deliveries and queue them for capture. */
const INGESTERS: HubFunctionName[] = ['http-forms', 'http-webhooks'];
/** Functions that send to the capture queue: the ingesters and the receipt sweeper. */
const QUEUE_SENDERS: HubFunctionName[] = [...INGESTERS, 'receipt-sweeper'];
/** Functions that publish on the bus. */
const PUBLISHERS: HubFunctionName[] = [
  // LeadDeleted, before a LinkedIn DELETED strips the lead.
  'http-webhooks',
  'capture-worker',
  'enrich-worker',
  'http-slack',
  'sla-escalator',
  'http-privacy',
  // SourceConnectionFailed from the Meta reconciliation.
  'receipt-sweeper',
];

/** The statements of a function role's inline policies. */
function grantStatements(name: HubFunctionName): Json[] {
  const roleId = logicalId(stack.functions[name].fn.role as never);
  const policies = ofType('AWS::IAM::Policy').filter(([, p]) =>
    (p.Properties.Roles as Json[]).some((r) => r.Ref === roleId),
  );
  expect(policies.length).toBeGreaterThan(0);
  return policies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[]);
}

/** Every IAM action granted to a function's role, with the resources it applies to. */
function grantedActions(name: HubFunctionName): { action: string; resource: unknown }[] {
  return grantStatements(name).flatMap((s) =>
    [s.Action].flat().map((action: string) => ({ action, resource: s.Resource })),
  );
}

describe('functions', () => {
  it('has exactly the hub entry points, each on nodejs24.x / arm64 with tracing', () => {
    template.resourceCountIs('AWS::Lambda::Function', ALL_FUNCTIONS.length);
    expect(Object.keys(stack.functions).sort()).toEqual([...ALL_FUNCTIONS].sort());
    for (const [, fn] of ofType('AWS::Lambda::Function')) {
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    }
    // The workers mostly wait on the network: 256 MB; the HTTP functions answer platforms: 512 MB.
    for (const name of ALL_FUNCTIONS) {
      expect(resources[fnId(name)]?.Properties.MemorySize, name).toBe(
        ['capture-worker', 'enrich-worker', 'slack-notifier'].includes(name) ? 256 : 512,
      );
      expect(resources[fnId(name)]?.Properties.MemorySize).toBe(functionMemoryMb(name));
    }
  });

  it("leaves the Slack click function's Slack calls room to finish within its timeout", () => {
    const timeoutMs = (fnProps('http-slack').Timeout as number) * 1000;
    expect(SLACK_INTERACTION_BUDGET_MS).toBeLessThan(timeoutMs);
    expect(readFileSync(new URL('../../functions/http-slack.ts', import.meta.url), 'utf8')).toContain(
      'slackBudgetMs: SLACK_INTERACTION_BUDGET_MS',
    );
  });

  it('gives http functions 10 s and workers 30 s', () => {
    expect(fnProps('http-forms').Timeout).toBe(10);
    expect(fnProps('http-admin').Timeout).toBe(10);
    expect(fnProps('capture-worker').Timeout).toBe(30);
    expect(fnProps('enrich-worker').Timeout).toBe(30);
    expect(fnProps('slack-notifier').Timeout).toBe(30);
  });

  it('logs each function to its own log group with a retention', () => {
    for (const name of ALL_FUNCTIONS) {
      const ref = fnProps(name).LoggingConfig?.LogGroup?.Ref as string;
      expect(resources[ref]?.Type).toBe('AWS::Logs::LogGroup');
      expect(resources[ref]?.Properties.RetentionInDays).toBeGreaterThan(0);
    }
  });

  it('sets the house environment and the config file path on every function', () => {
    for (const name of ALL_FUNCTIONS) {
      const env = fnProps(name).Environment.Variables as Json;
      expect(env).toMatchObject({
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'leadhub',
        LEADHUB_CONFIG: BUNDLED_CONFIG_NAME,
        TABLE_NAME: { Ref: logicalId(stack.table) },
        EVENT_BUS_NAME: { Ref: logicalId(stack.bus) },
      });
    }
  });

  it('uses only env names the functions read (EnvSchema) and gives CAPTURE_QUEUE_URL only to queue senders', () => {
    const known = new Set([...Object.keys(EnvSchema.shape), 'NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME']);
    for (const name of ALL_FUNCTIONS) {
      const keys = Object.keys(fnProps(name).Environment.Variables);
      expect(keys.filter((k) => !known.has(k))).toEqual([]);
      expect(keys.includes('CAPTURE_QUEUE_URL')).toBe(QUEUE_SENDERS.includes(name));
    }
    expect(fnProps('http-forms').Environment.Variables.CAPTURE_QUEUE_URL).toEqual({
      Ref: logicalId(stack.node.findChild('CaptureQueue') as never),
    });
  });

  it('never puts a secret in an environment variable, only the secrets’ ARNs', () => {
    const secretish = /SECRET|PEPPER|TOKEN|PASSWORD|WEBHOOK|PRIVATE|API_?KEY/i;
    const secretIds = new Set(ofType('AWS::SecretsManager::Secret').map(([id]) => id));
    for (const name of ALL_FUNCTIONS) {
      const env = fnProps(name).Environment.Variables as Json;
      for (const [key, value] of Object.entries(env)) {
        if (key === 'LEADHUB_SECRET_ARNS') {
          // JSON text around references to the stack's secrets (their ARNs), nothing else.
          const parts = typeof value === 'string' ? [value] : (value['Fn::Join'][1] as unknown[]);
          for (const part of parts) {
            if (typeof part === 'string') expect(part).toMatch(/^[{}",:a-z]*$/);
            else expect(secretIds.has((part as Json).Ref), JSON.stringify(part)).toBe(true);
          }
          continue;
        }
        expect(key).not.toMatch(secretish);
        const text = JSON.stringify(value);
        expect(text).not.toMatch(/resolve:secretsmanager|hooks\.slack\.com|SecretString/);
        // Plain values are the house defaults; everything else must be a reference to a stack resource.
        if (typeof value === 'string') {
          expect(['--enable-source-maps', 'leadhub', BUNDLED_CONFIG_NAME]).toContain(value);
        } else {
          // A reference to a stack resource (a name or an ARN), never a literal.
          expect([['Ref'], ['Fn::GetAtt']]).toContainEqual(Object.keys(value));
        }
      }
    }
  });
});

describe('bundling', () => {
  it('copies the config file into the bundle with an afterBundling hook, quoting paths', () => {
    const hooks = configCopyHooks("/repo/my 'odd' config.json");
    expect(hooks.beforeBundling('/in', '/out')).toEqual([]);
    expect(hooks.afterBundling('/in', '/asset out')).toEqual([
      `cp '/repo/my '\\''odd'\\'' config.json' '/asset out/${BUNDLED_CONFIG_NAME}'`,
    ]);
  });

  // Real esbuild run on a throwaway project: proves the hook, the banner and the ESM output end to end.
  const workDir = mkdtempSync(join(tmpdir(), 'leadhub-bundle-'));
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('produces an ESM bundle with the require banner and the config file beside it', () => {
    const root = join(workDir, 'project');
    mkdirSync(join(root, 'functions'), { recursive: true });
    writeFileSync(join(root, 'package-lock.json'), '{"lockfileVersion": 3}');
    // CDK runs `npx --no-install esbuild` in the project root: lend it this repo's esbuild.
    symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(root, 'node_modules'));
    writeFileSync(
      join(root, 'functions', 'http-admin.ts'),
      'export const handler = async () => ({ ok: true });\n',
    );
    const config = join(workDir, 'config with space.json');
    writeFileSync(config, '{"forms": {}}');

    const outdir = join(workDir, 'cdk.out');
    const app = new App({ outdir });
    const bundled = new Stack(app, 'Bundled', { env: { region: 'us-east-1' } });
    new HubFunction(bundled, 'Fn', {
      name: 'http-admin',
      projectRoot: root,
      configFile: config,
      timeout: Duration.seconds(10),
    });
    app.synth();

    const assetDirs = readdirSync(outdir).filter((d) => d.startsWith('asset.'));
    expect(assetDirs).toHaveLength(1);
    const asset = join(outdir, assetDirs[0] as string);
    expect(readFileSync(join(asset, BUNDLED_CONFIG_NAME), 'utf8')).toBe('{"forms": {}}');
    expect(existsSync(join(asset, 'index.mjs.map'))).toBe(true);
    const code = readFileSync(join(asset, 'index.mjs'), 'utf8');
    expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
    expect(code).toMatch(/export\s*\{/);
    // The bundle loads as ESM with the banner's `require` in scope.
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(join(asset, 'index.mjs'))}); console.log(JSON.stringify(await m.handler()))`,
      ],
      { encoding: 'utf8' },
    );
    expect(out.trim()).toBe('{"ok":true}');
  });
});

describe('table', () => {
  const tableId = logicalId(stack.table);

  it('is built from TableDesign: keys, keys-only GSIs, TTL, on-demand', () => {
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    const props = resources[tableId]?.Properties as Json;
    expect(props.KeySchema).toEqual([
      { AttributeName: TableDesign.partitionKey, KeyType: 'HASH' },
      { AttributeName: TableDesign.sortKey, KeyType: 'RANGE' },
    ]);
    expect(props.GlobalSecondaryIndexes).toEqual(
      Object.values(TableDesign.indexes).map((i) => ({
        IndexName: i.name,
        KeySchema: [
          { AttributeName: i.partitionKey, KeyType: 'HASH' },
          { AttributeName: i.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      })),
    );
    expect(props.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    expect(props.BillingMode).toBe('PAY_PER_REQUEST');
  });

  it('has point-in-time recovery and server-side encryption', () => {
    const props = resources[tableId]?.Properties as Json;
    expect(props.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
    expect(props.Replicas).toHaveLength(1);
    expect(props.Replicas[0].PointInTimeRecoverySpecification).toEqual({
      PointInTimeRecoveryEnabled: true,
      RecoveryPeriodInDays: 35,
    });
  });

  it('keeps point-in-time backups for CDK context pitrDays (1 to 35; a number or CLI string)', () => {
    const pitr = (pitrDays: unknown) => {
      const s = synth({}, { pitrDays });
      return s.json.Resources[logicalId(s.stack.table)].Properties.Replicas[0]
        .PointInTimeRecoverySpecification;
    };
    expect(pitr(7)).toEqual({ PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 7 });
    expect(pitr('1')).toEqual({ PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 1 });
    expect(pitr(35)).toEqual({ PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 35 });
    for (const bad of [0, 36, '14.5', 'week', -3]) {
      expect(() => synth({}, { pitrDays: bad }), String(bad)).toThrow(
        /CDK context pitrDays must be a whole number from 1 to 35/,
      );
    }
  });

  it('is protected from deletion by default', () => {
    expect(resources[tableId]?.Properties.Replicas[0].DeletionProtectionEnabled).toBe(true);
    expect(resources[tableId]?.DeletionPolicy).toBe('Retain');
    expect(resources[tableId]?.UpdateReplacePolicy).toBe('Retain');
  });

  it('drops deletion protection when the context says so (boolean or CLI string)', () => {
    for (const value of [false, 'false']) {
      const off = synth({}, { deletionProtection: value });
      const table = off.json.Resources[logicalId(off.stack.table)];
      expect(table.Properties.Replicas[0].DeletionProtectionEnabled).toBe(false);
      expect(table.DeletionPolicy).toBe('Delete');
    }
  });

  it('rejects a deletionProtection context that is not a boolean', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], deletionProtection: 'nope' } });
    expect(() => new LeadHubStack(app, 'LeadHub', { configFile: FIXTURE })).toThrow(/deletionProtection/);
  });
});

describe('platform settings from CDK context', () => {
  const envOf = (t: ReturnType<typeof synth>, name: HubFunctionName) =>
    t.json.Resources[t.stack.getLogicalId(t.stack.functions[name].fn.node.defaultChild as CfnElement)]
      .Properties.Environment.Variables as Record<string, unknown>;

  it('passes the TikTok allow-list to the webhooks and the API versions to the capture worker, as plain values', () => {
    const t = synth(
      {},
      { tiktokAdvertiserIds: '7001, 7002', linkedinApiVersion: '202610', metaGraphVersion: 'v24.0' },
    );
    expect(envOf(t, 'http-webhooks').TIKTOK_ADVERTISER_IDS).toBe('7001, 7002');
    expect(envOf(t, 'capture-worker')).toMatchObject({
      LINKEDIN_API_VERSION: '202610',
      META_GRAPH_VERSION: 'v24.0',
    });
    // Only where they are read.
    expect(envOf(t, 'http-forms').TIKTOK_ADVERTISER_IDS).toBeUndefined();
    expect(envOf(t, 'http-webhooks').LINKEDIN_API_VERSION).toBeUndefined();
  });

  it('sets none of them without context, so the functions use their defaults', () => {
    for (const name of ['http-webhooks', 'capture-worker'] as const) {
      const env = envOf({ stack, template, json }, name);
      for (const envName of Object.values(PLATFORM_CONTEXT)) expect(env[envName], envName).toBeUndefined();
    }
  });

  it('fails the synth on a value the functions would refuse', () => {
    expect(() => synth({}, { tiktokAdvertiserIds: 'acme' })).toThrow(/CDK context.*TIKTOK_ADVERTISER_IDS/s);
    expect(() => synth({}, { linkedinApiVersion: '2026-11' })).toThrow(/LINKEDIN_API_VERSION/);
    expect(() => synth({}, { metaGraphVersion: '25' })).toThrow(/META_GRAPH_VERSION/);
  });
});

describe('config file', () => {
  it('fails the synth when the config file is missing', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    expect(
      () => new LeadHubStack(app, 'LeadHub', { configFile: '/nonexistent/leadhub.config.json' }),
    ).toThrow(/not found/);
  });

  it('fails the synth when the config file is invalid', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leadhub-config-'));
    try {
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, '{"forms": {"bad id!": {}}}');
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      expect(() => new LeadHubStack(app, 'LeadHub', { configFile: bad })).toThrow(/Invalid LeadHub config/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('with CDK context slackApp, fails the synth when leads no route matches have no channel', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leadhub-config-'));
    try {
      const withChannel = join(dir, 'with-channel.json');
      writeFileSync(withChannel, JSON.stringify({ alerts: { defaultChannel: 'C0SALES' } }));
      for (const slackApp of [true, 'true']) {
        const app = new App({ context: { 'aws:cdk:bundling-stacks': [], slackApp } });
        // The fixture names no channel at all.
        expect(() => new LeadHubStack(app, 'LeadHub', { configFile: FIXTURE })).toThrow(
          /CDK context slackApp is true.*\n {2}alerts\.defaultChannel: is not set/,
        );
      }
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [], slackApp: 'true' } });
      expect(new LeadHubStack(app, 'LeadHub', { configFile: withChannel }).configFile).toBe(withChannel);
      // Without the context the synth cannot know the bot token will be set: the notifier refuses then.
      const plain = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      expect(new LeadHubStack(plain, 'LeadHub', { configFile: FIXTURE }).configFile).toBe(FIXTURE);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes the config path from CDK context', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], configFile: FIXTURE } });
    expect(new LeadHubStack(app, 'LeadHub').configFile).toBe(FIXTURE);
  });
});

describe('queues', () => {
  const mappings = ofType('AWS::Lambda::EventSourceMapping');
  const sourceQueueIds = mappings.map(([, m]) => m.Properties.EventSourceArn['Fn::GetAtt'][0] as string);

  it('caps each queue consumer’s concurrency (a backlog waits in its queue, never throttled)', () => {
    const cap = (name: HubFunctionName) =>
      mappings.find(([, m]) => m.Properties.FunctionName.Ref === fnId(name))?.[1].Properties.ScalingConfig;
    expect(cap('capture-worker')).toEqual({ MaximumConcurrency: 5 });
    expect(cap('enrich-worker')).toEqual({ MaximumConcurrency: 5 });
  });

  it('feeds capture-worker and enrich-worker from SQS with partial batch failures', () => {
    expect(mappings).toHaveLength(2);
    const consumers = mappings.map(([, m]) => m.Properties.FunctionName.Ref).sort();
    expect(consumers).toEqual([fnId('capture-worker'), fnId('enrich-worker')].sort());
    for (const [, m] of mappings) {
      expect(m.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      expect(m.Properties.BatchSize).toBe(10);
      // No batching window: a lone lead must not wait for a batch to fill.
      expect(m.Properties.MaximumBatchingWindowInSeconds ?? 0).toBe(0);
    }
  });

  it('gives each work queue a DLQ, visibility >= 6x the consumer timeout, and a longer DLQ retention', () => {
    for (const [, m] of mappings) {
      const queue = resources[m.Properties.EventSourceArn['Fn::GetAtt'][0]]?.Properties as Json;
      const consumer = resources[m.Properties.FunctionName.Ref]?.Properties as Json;
      expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * consumer.Timeout);
      expect(queue.RedrivePolicy.maxReceiveCount).toBe(5);
      const dlq = resources[queue.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0]]?.Properties as Json;
      expect(dlq.MessageRetentionPeriod).toBe(14 * 24 * 3600);
      expect(queue.MessageRetentionPeriod).toBe(4 * 24 * 3600);
      expect(dlq.MessageRetentionPeriod).toBeGreaterThan(queue.MessageRetentionPeriod);
    }
    expect(new Set(sourceQueueIds).size).toBe(2);
  });

  it('encrypts every queue and denies non-TLS access to it', () => {
    const queues = ofType('AWS::SQS::Queue');
    expect(queues.length).toBeGreaterThanOrEqual(7);
    const policies = ofType('AWS::SQS::QueuePolicy');
    for (const [id, q] of queues) {
      expect(q.Properties.SqsManagedSseEnabled).toBe(true);
      const policy = policies.find(([, p]) => p.Properties.Queues.some((r: Json) => r.Ref === id));
      expect(policy, id).toBeDefined();
      expect(policy?.[1].Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });
});

describe('events', () => {
  const busId = logicalId(stack.bus);
  const allRules = ofType('AWS::Events::Rule');
  // Pattern rules on the leadhub bus; the sweep's schedule rule lives on the default bus.
  const rules = allRules.filter(([, r]) => r.Properties.EventPattern !== undefined);

  it('has a custom bus named leadhub with a 30-day archive of leadhub events', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'leadhub' });
    template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: getAttArn(busId),
      EventPattern: { source: ['leadhub'] },
      RetentionDays: 30,
    });
  });

  it('builds one rule per pattern in events/patterns.ts, verbatim, on the leadhub bus', () => {
    expect(rules).toHaveLength(Object.keys(Patterns).length);
    for (const pattern of Object.values(Patterns)) {
      const matching = rules.filter(
        ([, r]) => JSON.stringify(r.Properties.EventPattern) === JSON.stringify(pattern),
      );
      expect(matching, JSON.stringify(pattern)).toHaveLength(1);
      expect(matching[0]?.[1].Properties.EventBusName).toEqual({ Ref: busId });
    }
  });

  const ruleFor = (pattern: object) =>
    rules.find(([, r]) => JSON.stringify(r.Properties.EventPattern) === JSON.stringify(pattern))?.[1] as Json;

  it('routes LeadCaptured to the enrich queue and LeadScored to the slack notifier', () => {
    const enrichQueueId = sourceQueueOf('enrich-worker');
    expect(ruleFor(Patterns.leadCapturedToEnrich).Properties.Targets.map((t: Json) => t.Arn)).toEqual([
      getAttArn(enrichQueueId),
    ]);
    expect(ruleFor(Patterns.leadScoredToSlack).Properties.Targets.map((t: Json) => t.Arn)).toEqual([
      getAttArn(fnId('slack-notifier')),
    ]);
  });

  const scheduled = () => allRules.filter(([, r]) => r.Properties.ScheduleExpression !== undefined);
  const scheduleOf = (expression: string) => {
    const found = scheduled().filter(([, r]) => r.Properties.ScheduleExpression === expression);
    expect(found, expression).toHaveLength(1);
    return found[0]?.[1] as Json;
  };

  it('has two schedules, both on the receipt sweeper: the sweep and the Meta reconciliation', () => {
    expect(
      scheduled()
        .map(([, r]) => r.Properties.ScheduleExpression)
        .sort(),
    ).toEqual(['rate(1 hour)', 'rate(5 minutes)']);
  });

  it('sweeps stranded receipts every 5 minutes, a sweep expiring when the next one is due', () => {
    const rule = scheduleOf('rate(5 minutes)');
    expect(rule.Properties.EventBusName).toBeUndefined();
    expect(rule.Properties.Targets).toHaveLength(1);
    expect(rule.Properties.Targets[0]).toMatchObject({
      Arn: getAttArn(fnId('receipt-sweeper')),
      RetryPolicy: { MaximumEventAgeInSeconds: 300 },
    });
    expect(rule.Properties.Targets[0].Input).toBeUndefined();
    expect(fnProps('receipt-sweeper').Timeout).toBe(300);
  });

  it('reconciles Meta hourly by invoking the sweeper with the reconcile task', () => {
    const rule = scheduleOf('rate(1 hour)');
    expect(rule.Properties.EventBusName).toBeUndefined();
    expect(rule.Properties.Targets).toHaveLength(1);
    const target = (rule.Properties.Targets as Json[])[0] as Json;
    expect(target).toMatchObject({
      Arn: getAttArn(fnId('receipt-sweeper')),
      RetryPolicy: { MaximumEventAgeInSeconds: 3600 },
    });
    expect(JSON.parse(target.Input)).toEqual({ task: RECONCILE_META_TASK });
    // The Graph version the sweeper reads leads with is the one capture fetches them with.
    expect(fnProps('receipt-sweeper').Environment.Variables.META_GRAPH_VERSION).toBe(
      fnProps('capture-worker').Environment.Variables.META_GRAPH_VERSION,
    );
  });

  it('lets the sweeper read, put and update receipts (restarting a pending clock), queue captures and publish', () => {
    const a = new Set(grantedActions('receipt-sweeper').map((g) => g.action));
    for (const action of [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:BatchGetItem',
    ]) {
      const statements = grantStatements('receipt-sweeper').filter((st) =>
        [st.Action].flat().includes(action),
      );
      expect(
        statements.map((st) => st.Condition),
        action,
      ).toEqual([{ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['RECEIPT#*'] } }]);
    }
    expect(a.has('dynamodb:Query')).toBe(true);
    for (const w of ['dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:Scan'])
      expect(a.has(w), w).toBe(false);
    expect(a.has('sqs:SendMessage')).toBe(true);
    expect(a.has('events:PutEvents')).toBe(true);
    // Its only secret is Meta's, which the default deploy does not create.
    expect(a.has('secretsmanager:GetSecretValue')).toBe(false);
  });

  it('gives up on a Slack alert or an SLA escalation an hour old (not Lambda’s 6 hours)', () => {
    for (const name of ['slack-notifier', 'sla-escalator'] as const) {
      const config = ofType('AWS::Lambda::EventInvokeConfig').find(
        ([, c]) => c.Properties.FunctionName.Ref === fnId(name),
      )?.[1].Properties as Json;
      expect(config.MaximumEventAgeInSeconds, name).toBe(3600);
    }
    const toSlack = ruleFor(Patterns.leadScoredToSlack).Properties.Targets[0] as Json;
    expect(toSlack.RetryPolicy.MaximumEventAgeInSeconds).toBe(3600);
  });

  it('parks a sweep or reconciliation that failed an item (it throws) in its own on-failure queue', () => {
    const config = ofType('AWS::Lambda::EventInvokeConfig').find(
      ([, c]) => c.Properties.FunctionName.Ref === fnId('receipt-sweeper'),
    )?.[1].Properties as Json;
    // An hour: the age of the hourly reconciliation's event when the next one is due.
    expect(config.MaximumEventAgeInSeconds).toBe(3600);
    const dlq = config.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0];
    expect(dlq).toBe(logicalId(stack.deadLetterQueues.ReceiptSweeperFailures as never));
  });

  it('gives every target a retry policy and parks its failed deliveries in the one EventDeliveryDlq', () => {
    const dlqId = logicalId(stack.deadLetterQueues.EventDeliveryDlq as never);
    expect(resources[dlqId]?.Type).toBe('AWS::SQS::Queue');
    // The three bus rules (enrich, Slack, connection alerts), the sweep and the Meta reconcile.
    expect(allRules).toHaveLength(5);
    for (const [, rule] of allRules) {
      for (const target of rule.Properties.Targets as Json[]) {
        expect(target.RetryPolicy.MaximumRetryAttempts).toBeGreaterThan(0);
        expect(target.RetryPolicy.MaximumEventAgeInSeconds).toBeGreaterThan(0);
        expect(target.DeadLetterConfig).toEqual({ Arn: getAttArn(dlqId) });
      }
    }
    // The SLA schedules name the same queue (the notifier's SLA_DLQ_ARN).
    expect(fnProps('slack-notifier').Environment.Variables.SLA_DLQ_ARN).toEqual(getAttArn(dlqId));
  });

  it('lets EventBridge send to EventDeliveryDlq from this stack’s rules only, each by its ARN', () => {
    const dlqId = logicalId(stack.deadLetterQueues.EventDeliveryDlq as never);
    const policies = ofType('AWS::SQS::QueuePolicy').filter(([, p]) =>
      (p.Properties.Queues as Json[]).some((q) => q.Ref === dlqId),
    );
    expect(policies).toHaveLength(1);
    const statements = (policies[0]?.[1].Properties.PolicyDocument.Statement ?? []) as Json[];
    const allows = statements.filter((st) => st.Effect === 'Allow');
    // One statement per rule, no other principal: the scheduler sends with its role's own grant.
    expect(allows).toHaveLength(allRules.length);
    const sourceArns = allows.map((st) => {
      expect(st).toMatchObject({
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: getAttArn(dlqId),
      });
      return st.Condition.ArnEquals['aws:SourceArn'];
    });
    expect(sourceArns).toEqual(expect.arrayContaining(allRules.map(([id]) => getAttArn(id))));
    expect(new Set(sourceArns.map((a) => JSON.stringify(a))).size).toBe(allRules.length);
  });

  it('retries the async slack-notifier, sla-escalator and receipt-sweeper twice, then parks the event in a queue', () => {
    const configs = ofType('AWS::Lambda::EventInvokeConfig');
    expect(configs.map(([, c]) => c.Properties.FunctionName.Ref).sort()).toEqual(
      [fnId('slack-notifier'), fnId('sla-escalator'), fnId('receipt-sweeper')].sort(),
    );
    for (const [, config] of configs) {
      const props = config.Properties as Json;
      expect(props.MaximumRetryAttempts).toBe(2);
      const dest = props.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0];
      expect(resources[dest]?.Type).toBe('AWS::SQS::Queue');
    }
  });
});

function sourceQueueOf(name: HubFunctionName): string {
  const m = ofType('AWS::Lambda::EventSourceMapping').find(
    ([, e]) => e.Properties.FunctionName.Ref === fnId(name),
  );
  return m?.[1].Properties.EventSourceArn['Fn::GetAtt'][0];
}

describe('alarms', () => {
  it('alarms on every dead-letter queue, by its messages or its function’s dropped events, and sends to an SSL-only SNS topic', () => {
    const dlqIds = new Set<string>();
    for (const [, q] of ofType('AWS::SQS::Queue')) {
      if (q.Properties.RedrivePolicy)
        dlqIds.add(q.Properties.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0]);
    }
    for (const [, r] of ofType('AWS::Events::Rule')) {
      for (const t of r.Properties.Targets) dlqIds.add(t.DeadLetterConfig.Arn['Fn::GetAtt'][0]);
    }
    for (const [, c] of ofType('AWS::Lambda::EventInvokeConfig')) {
      dlqIds.add(c.Properties.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0]);
    }
    // capture + enrich redrive, one queue for every rule target's and SLA schedule's failed deliveries,
    // three async-invoke failure queues (notifier, escalator, sweeper)
    dlqIds.add(logicalId(stack.deadLetterQueues.EventDeliveryDlq as never));
    expect(dlqIds.size).toBe(6);
    expect(Object.keys(stack.deadLetterQueues)).toHaveLength(6);

    const topicId = logicalId(stack.alarmTopic);
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties as Json);
    // The default (lean) alarms leave an on-failure queue to its function's AsyncEventsDropped alarm:
    // every event the queue receives is one the function dropped.
    const droppedBy = new Map<string, string>();
    for (const [, c] of ofType('AWS::Lambda::EventInvokeConfig')) {
      const queue = c.Properties.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0];
      droppedBy.set(queue, c.Properties.FunctionName.Ref);
    }
    for (const dlqId of dlqIds) {
      const fnOfQueue = droppedBy.get(dlqId);
      const alarm = alarms.find((a) =>
        fnOfQueue
          ? a.MetricName === 'AsyncEventsDropped' &&
            a.Dimensions?.some((d: Json) => d.Name === 'FunctionName' && d.Value.Ref === fnOfQueue)
          : a.Dimensions?.some((d: Json) => d.Name === 'QueueName' && d.Value['Fn::GetAtt']?.[0] === dlqId),
      );
      expect(alarm, dlqId).toBeDefined();
      expect(alarm).toMatchObject({
        Namespace: fnOfQueue ? 'AWS/Lambda' : 'AWS/SQS',
        MetricName: fnOfQueue ? 'AsyncEventsDropped' : 'ApproximateNumberOfMessagesVisible',
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        AlarmActions: [{ Ref: topicId }],
      });
    }
    expect(droppedBy.size).toBe(3);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('HTTP API', () => {
  const routes = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties as Json);

  it('serves exactly the routes of HttpRoutes, each by its function', () => {
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(
      HttpRoutes.map((r) => `${r.method} ${r.path}`).sort(),
    );
    const integrations = Object.fromEntries(ofType('AWS::ApiGatewayV2::Integration'));
    for (const spec of HttpRoutes) {
      const route = routes.find((r) => r.RouteKey === `${spec.method} ${spec.path}`) as Json;
      const integrationId = (route.Target['Fn::Join'][1] as unknown[]).at(-1) as Json;
      const integration = integrations[integrationId.Ref];
      expect(integration?.Properties.IntegrationUri).toEqual(getAttArn(fnId(spec.fn)));
    }
  });

  it('IAM-authorises admin routes and leaves public routes to the functions', () => {
    for (const spec of HttpRoutes) {
      const route = routes.find((r) => r.RouteKey === `${spec.method} ${spec.path}`) as Json;
      expect(route.AuthorizationType, route.RouteKey).toBe(spec.auth === 'admin' ? 'AWS_IAM' : 'NONE');
      expect(route.AuthorizerId).toBeUndefined();
    }
    expect(HttpRoutes.some((r) => r.auth === 'admin')).toBe(true);
    expect(stack.publicRoutes.map((r) => r.spec)).toEqual(HttpRoutes.filter((r) => r.auth === 'none'));
  });

  it('leaves CORS to the forms function', () => {
    const [api] = ofType('AWS::ApiGatewayV2::Api');
    expect(api?.[1].Properties.CorsConfiguration).toBeUndefined();
  });

  it('gives every route its own throttle by group, the webhooks apart from the forms', () => {
    const [[stageId, stage]] = ofType('AWS::ApiGatewayV2::Stage') as [[string, Json]];
    const settings = stage.Properties.RouteSettings as Record<string, Json>;
    expect(Object.keys(settings).sort()).toEqual(HttpRoutes.map((r) => `${r.method} ${r.path}`).sort());
    const webhooks = { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 };
    const forms = { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 };
    const slack = { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 };
    const admin = { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 };
    const expected = { 'http-webhooks': webhooks, 'http-forms': forms, 'http-slack': slack };
    for (const route of HttpRoutes) {
      const key = `${route.method} ${route.path}`;
      expect(settings[key], key).toEqual(expected[route.fn as keyof typeof expected] ?? admin);
    }
    // The default covers no route; it is the strictest, should one ever be added without a group.
    expect(stage.Properties.DefaultRouteSettings).toEqual({
      ThrottlingBurstLimit: 20,
      ThrottlingRateLimit: 10,
    });
    // Route settings name routes by key: CloudFormation must create every route before the stage.
    const routeIds = ofType('AWS::ApiGatewayV2::Route').map(([id]) => id);
    expect(routeIds).toHaveLength(HttpRoutes.length);
    for (const id of routeIds) expect(resources[stageId]?.DependsOn).toContain(id);
  });

  it('takes the route throttles from limits.routes in the config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leadhub-limits-'));
    try {
      const file = join(dir, 'leadhub.config.json');
      const config = JSON.parse(readFileSync(FIXTURE, 'utf8'));
      config.limits = { routes: { forms: { ratePerSecond: 2, burst: 3 }, webhooks: { ratePerSecond: 500 } } };
      writeFileSync(file, JSON.stringify(config));
      const t = synth({ configFile: file });
      const [stage] = Object.values(t.template.findResources('AWS::ApiGatewayV2::Stage')) as Json[];
      const settings = stage?.Properties.RouteSettings as Record<string, Json>;
      expect(settings['POST /forms/{formId}']).toEqual({ ThrottlingRateLimit: 2, ThrottlingBurstLimit: 3 });
      expect(settings['POST /webhooks/meta']).toEqual({
        ThrottlingRateLimit: 500,
        ThrottlingBurstLimit: 200,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes PII-free access logs to a retained log group, naming the IAM caller of admin routes', () => {
    const stages = ofType('AWS::ApiGatewayV2::Stage');
    expect(stages).toHaveLength(1);
    const stage = stages[0]?.[1].Properties as Json;
    expect(stage.StageName).toBe('$default');
    expect(stage.AutoDeploy).toBe(true);
    const logGroup = resources[stage.AccessLogSettings.DestinationArn['Fn::GetAtt'][0]] as Json;
    expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
    expect(logGroup.Properties.RetentionInDays).toBeGreaterThan(0);
    const format = JSON.parse(stage.AccessLogSettings.Format);
    expect(format.requestId).toBe('$context.requestId');
    // Who called: the IAM principal API Gateway authorised (privacy actions are on record by it too).
    expect(format.caller).toBe('$context.identity.userArn');
    // The route key, never the path or query string (a path can carry a token, a query string a person).
    expect(format.routeKey).toBe('$context.routeKey');
    expect(stage.AccessLogSettings.Format).not.toMatch(/sourceIp|userAgent|\$context\.path|querystring/i);
    const variables = stage.AccessLogSettings.Format.match(/\$context\.[A-Za-z.]+/g) as string[];
    expect(variables.filter((v) => v.startsWith('$context.identity.'))).toEqual([
      '$context.identity.userArn',
    ]);
  });
});

describe('forms WAF (optional)', () => {
  const ofTypeIn = (j: Json, type: string) =>
    Object.entries(j.Resources as Record<string, Json>).filter(([, r]) => r.Type === type);

  it('is off by default: no distribution, no web ACL, no second stack', () => {
    expect(stack.formsWaf).toBe(false);
    expect(ofType('AWS::CloudFront::Distribution')).toEqual([]);
    expect(ofType('AWS::WAFv2::WebACL')).toEqual([]);
    expect(stack.formsWafStack).toBeUndefined();
    expect(json.Outputs.FormsUrl).toBeUndefined();
  });

  it('in us-east-1, puts a distribution with a per-client rate rule on the form routes in front of the API', () => {
    const t = synth({}, { formsWaf: 'true' });
    const [[aclId, acl]] = ofTypeIn(t.json, 'AWS::WAFv2::WebACL') as [[string, Json]];
    expect(acl.Properties.Scope).toBe('CLOUDFRONT');
    expect(acl.Properties.DefaultAction).toEqual({ Allow: {} });
    expect(acl.Properties.VisibilityConfig.SampledRequestsEnabled).toBe(false);
    const [rule] = acl.Properties.Rules as Json[];
    expect(acl.Properties.Rules).toHaveLength(1);
    // limits.formsPerClient defaults (burst 20, 10 a minute): at most 30 in any minute.
    expect(rule?.Statement.RateBasedStatement).toEqual({
      AggregateKeyType: 'IP',
      EvaluationWindowSec: 60,
      Limit: 30,
      ScopeDownStatement: {
        ByteMatchStatement: {
          FieldToMatch: { UriPath: {} },
          PositionalConstraint: 'STARTS_WITH',
          SearchString: '/forms/',
          TextTransformations: [{ Priority: 0, Type: 'NONE' }],
        },
      },
    });
    const response = rule?.Action.Block.CustomResponse as Json;
    expect(response.ResponseCode).toBe(429);
    expect(response.ResponseHeaders).toEqual([{ Name: 'Retry-After', Value: '60' }]);
    const body = acl.Properties.CustomResponseBodies[response.CustomResponseBodyKey] as Json;
    expect(body.ContentType).toBe('APPLICATION_JSON');
    expect(JSON.parse(body.Content)).toMatchObject({ error: 'rate_limited', retryAfterSeconds: 60 });

    const [[, distribution]] = ofTypeIn(t.json, 'AWS::CloudFront::Distribution') as [[string, Json]];
    const config = distribution.Properties.DistributionConfig as Json;
    expect(config.WebACLId).toEqual({ 'Fn::GetAtt': [aclId, 'Arn'] });
    const [origin] = config.Origins as Json[];
    expect(JSON.stringify(origin?.DomainName)).toContain(logicalId(t.stack.api));
    expect(JSON.stringify(origin?.DomainName)).toContain('.execute-api.us-east-1.');
    expect(origin?.CustomOriginConfig.OriginProtocolPolicy).toBe('https-only');
    const behavior = config.DefaultCacheBehavior as Json;
    expect(behavior.AllowedMethods).toEqual(expect.arrayContaining(['POST', 'OPTIONS', 'GET']));
    expect(behavior.ViewerProtocolPolicy).toBe('https-only');
    // AWS's managed CachingDisabled and AllViewerExceptHostHeader policies: nothing cached, API's own Host.
    expect(behavior.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad');
    expect(behavior.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac');
    expect(JSON.stringify(t.json.Outputs.FormsUrl.Value)).toContain('DomainName');
    expect(t.stack.formsWafStack).toBeUndefined();
  });

  it('derives the rule limit from limits.formsPerClient, never under WAF’s minimum of 10', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leadhub-waf-'));
    try {
      const file = join(dir, 'leadhub.config.json');
      const config = JSON.parse(readFileSync(FIXTURE, 'utf8'));
      config.limits = { formsPerClient: { perMinute: 100, burst: 50 } };
      writeFileSync(file, JSON.stringify(config));
      const t = synth({ configFile: file, formsWaf: true });
      const [[, acl]] = ofTypeIn(t.json, 'AWS::WAFv2::WebACL') as [[string, Json]];
      expect(acl.Properties.Rules[0].Statement.RateBasedStatement.Limit).toBe(150);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(formsWafLimit({ perMinute: 1, burst: 2 })).toBe(10);
    expect(formsWafLimit({ perMinute: 0.5, burst: 20 })).toBe(21);
  });

  it('elsewhere, keeps the web ACL in a us-east-1 stack and references it across Regions', () => {
    const t = synth({ env: { region: 'eu-west-1' } }, { formsWaf: true });
    const wafStack = t.stack.formsWafStack;
    expect(wafStack?.region).toBe('us-east-1');
    const wafJson = Template.fromStack(wafStack as Stack).toJSON() as Json;
    expect(ofTypeIn(wafJson, 'AWS::WAFv2::WebACL')).toHaveLength(1);
    expect(ofTypeIn(t.json, 'AWS::WAFv2::WebACL')).toEqual([]);
    const [[, distribution]] = ofTypeIn(t.json, 'AWS::CloudFront::Distribution') as [[string, Json]];
    expect(JSON.stringify(distribution.Properties.DistributionConfig.WebACLId)).toContain('FormsWebAcl');
    expect(JSON.stringify(distribution.Properties.DistributionConfig.Origins)).toContain(
      '.execute-api.eu-west-1.',
    );
    expect(t.stack.dependencies).toContain(wafStack);
  });

  it('needs a known Region and a boolean context', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], formsWaf: true } });
    expect(() => new LeadHubStack(app, 'LeadHub', { configFile: FIXTURE })).toThrow(/formsWaf.*Region/);
    expect(() => synth({}, { formsWaf: 'yes' })).toThrow(/formsWaf must be true or false/);
  });
});

describe('secrets', () => {
  const allPlatforms = synth({ sources: PLATFORM_SECRET_GROUPS });
  const secretId = (st: typeof stack, group: SecretGroup) =>
    st.getLogicalId(st.secrets[group]?.node.defaultChild as CfnElement);
  const arnsOf = (st: typeof stack, t: Json, name: HubFunctionName) => {
    const id = st.getLogicalId(st.functions[name].fn.node.defaultChild as CfnElement);
    const value = t.Resources[id].Properties.Environment.Variables.LEADHUB_SECRET_ARNS;
    // The Fn::Join back to JSON, each secret's Ref as its logical id.
    const text =
      typeof value === 'string'
        ? value
        : (value['Fn::Join'][1] as unknown[])
            .map((p) => (typeof p === 'string' ? p : (p as Json).Ref))
            .join('');
    return JSON.parse(text) as Record<string, string | null>;
  };
  /** The secrets a function's role may read, by group. */
  const readable = (st: typeof stack, t: Json, name: HubFunctionName) => {
    const roleId = st.getLogicalId(st.functions[name].fn.role?.node.defaultChild as CfnElement);
    const byId = new Map(Object.keys(st.secrets).map((g) => [secretId(st, g as SecretGroup), g]));
    return Object.values(t.Resources as Record<string, Json>)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: Json) => x.Ref === roleId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Json[])
      .filter((st) => [st.Action].flat().includes('secretsmanager:GetSecretValue'))
      .flatMap((st) => [st.Resource].flat().map((r: Json) => byId.get(r.Ref) ?? JSON.stringify(r)))
      .sort();
  };

  it('has three by default (pepper, forms, Slack) and seven with every platform', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 3);
    expect(Object.keys(stack.secrets).sort()).toEqual(['forms', 'pepper', 'slack']);
    allPlatforms.template.resourceCountIs('AWS::SecretsManager::Secret', 7);
    expect(Object.keys(allPlatforms.stack.secrets).sort()).toEqual(Object.keys(SECRET_GROUPS).sort());
    expect(Object.keys(synth({}, { sources: 'meta, tiktok' }).stack.secrets).sort()).toEqual([
      'forms',
      'meta',
      'pepper',
      'slack',
      'tiktok',
    ]);
    expect(Object.keys(synth({}, { sources: 'all' }).stack.secrets)).toHaveLength(7);
    expect(Object.keys(synth({}, { sources: 'none' }).stack.secrets)).toHaveLength(3);
  });

  it('fails the synth on a platform it does not know, naming the context key', () => {
    expect(() => synth({}, { sources: 'meta,hubspot' })).toThrow(/CDK context sources .*"hubspot"/);
  });

  it('generates the pepper alone; the others hold empty placeholders of their names, never a value', () => {
    const pepper = resources[secretId(stack, 'pepper')] as Json;
    expect(pepper.Properties.GenerateSecretString).toEqual({
      SecretStringTemplate: '{}',
      GenerateStringKey: 'LEADHUB_PEPPER',
      ExcludePunctuation: true,
      PasswordLength: 64,
    });
    expect(pepper.Properties.SecretString).toBeUndefined();
    const all = allPlatforms.json.Resources as Record<string, Json>;
    for (const group of Object.keys(SECRET_GROUPS).filter((g) => g !== 'pepper') as SecretGroup[]) {
      const secret = all[secretId(allPlatforms.stack, group)] as Json;
      expect(JSON.parse(secret.Properties.SecretString)).toEqual(
        Object.fromEntries(SECRET_GROUPS[group].map((name) => [name, ''])),
      );
      expect(secret.Properties.Description).toContain(SECRET_GROUPS[group].join(', '));
    }
  });

  it('lets each function read exactly the secrets its code reads (infra/function-access.ts), and hands it their ARNs', () => {
    for (const name of ALL_FUNCTIONS) {
      const declared = secretsOf(FUNCTION_ACCESS[name]).sort();
      expect(readable(allPlatforms.stack, allPlatforms.json, name), name).toEqual(declared);
      const arns = arnsOf(allPlatforms.stack, allPlatforms.json, name);
      expect(Object.keys(arns).sort(), name).toEqual(declared);
      for (const group of declared)
        expect(arns[group]).toBe(secretId(allPlatforms.stack, group as SecretGroup));
    }
    // The pepper goes to the three functions that key identities, the Slack secret to the three that post.
    const readers = (group: SecretGroup) =>
      ALL_FUNCTIONS.filter((name) => readable(allPlatforms.stack, allPlatforms.json, name).includes(group));
    expect(readers('pepper')).toEqual(['http-forms', 'http-privacy', 'capture-worker']);
    expect(readers('slack')).toEqual(['http-slack', 'slack-notifier', 'sla-escalator']);
    expect(readers('forms')).toEqual(['http-forms']);
    expect(readers('meta')).toEqual(['http-webhooks', 'capture-worker', 'receipt-sweeper']);
    expect(readers('tiktok')).toEqual(['http-webhooks']);
    expect(readable(allPlatforms.stack, allPlatforms.json, 'http-admin')).toEqual([]);
    expect(readable(allPlatforms.stack, allPlatforms.json, 'enrich-worker')).toEqual([]);
  });

  it('gives a platform the deployment leaves out to no one: its functions get null, so its webhook answers 503', () => {
    expect(readable(stack, json, 'http-webhooks')).toEqual([]);
    expect(arnsOf(stack, json, 'http-webhooks')).toEqual({
      meta: null,
      linkedin: null,
      tiktok: null,
      google: null,
    });
    expect(arnsOf(stack, json, 'capture-worker')).toEqual({
      pepper: secretId(stack, 'pepper'),
      meta: null,
      linkedin: null,
    });
    expect(arnsOf(stack, json, 'enrich-worker')).toEqual({});
  });

  it('locks the pepper: every principal is denied a new value and its deletion, and the lock stays with it', () => {
    const [[, policy]] = ofType('AWS::SecretsManager::ResourcePolicy') as [[string, Json]];
    expect(policy.Properties.SecretId).toEqual({ Ref: secretId(stack, 'pepper') });
    expect(policy.Properties.ResourcePolicy.Statement).toEqual([
      {
        Sid: 'PepperNeverChanges',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: [...PEPPER_LOCKED_ACTIONS],
        Resource: '*',
      },
    ]);
    expect(PEPPER_LOCKED_ACTIONS).toEqual(
      expect.arrayContaining([
        'secretsmanager:PutSecretValue',
        'secretsmanager:UpdateSecret',
        'secretsmanager:RotateSecret',
        'secretsmanager:DeleteSecret',
      ]),
    );
    // The stack can still change or lift the lock itself.
    expect(PEPPER_LOCKED_ACTIONS).not.toContain('secretsmanager:PutResourcePolicy');
    expect(PEPPER_LOCKED_ACTIONS).not.toContain('secretsmanager:DeleteResourcePolicy');
    expect(policy.DeletionPolicy).toBe('Retain');
    // Only the pepper is locked: the operator fills in the others.
    allPlatforms.template.resourceCountIs('AWS::SecretsManager::ResourcePolicy', 1);
  });

  it('takes over the pepper of a stack deployed before the split, by reference, never by value', () => {
    const old = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:SecretA720EF05-AbCdEf';
    const migrated = synth({}, { pepperFromSecret: old });
    const pepper = migrated.json.Resources[secretId(migrated.stack, 'pepper')] as Json;
    expect(pepper.Properties.GenerateSecretString).toBeUndefined();
    expect(JSON.stringify(pepper.Properties.SecretString)).toContain(
      `{{resolve:secretsmanager:${old}:SecretString:LEADHUB_PEPPER::}}`,
    );
    migrated.template.resourceCountIs('AWS::SecretsManager::ResourcePolicy', 1);
    expect(() => synth({}, { pepperFromSecret: 'LeadHubSecret' })).toThrow(
      /CDK context pepperFromSecret must be the ARN of a Secrets Manager secret/,
    );
  });

  it('lifts the lock with pepperLock=false, and is retained like the table', () => {
    synth({}, { pepperLock: 'false' }).template.resourceCountIs('AWS::SecretsManager::ResourcePolicy', 0);
    expect(() => synth({}, { pepperLock: 'off' })).toThrow(/pepperLock must be true or false/);
    for (const [, secret] of ofType('AWS::SecretsManager::Secret'))
      expect(secret.DeletionPolicy).toBe('Retain');
    // A throwaway stack deletes them: the lock goes first (it depends on the secret), then the secret.
    const throwaway = synth({ deletionProtection: false });
    for (const [, r] of Object.entries(throwaway.json.Resources as Record<string, Json>)) {
      if (r.Type.startsWith('AWS::SecretsManager::')) expect(r.DeletionPolicy).toBe('Delete');
    }
  });
});

describe('customer-managed key (kmsKeyArn)', () => {
  const KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const keyed = synth({ sources: PLATFORM_SECRET_GROUPS }, { kmsKeyArn: KEY });
  const keyedOfType = (type: string) =>
    Object.values(keyed.json.Resources as Record<string, Json>).filter((r) => r.Type === type);

  it('encrypts the table, every queue, the event archive and every secret with the key', () => {
    const [table] = keyedOfType('AWS::DynamoDB::GlobalTable');
    expect(table?.Properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
    expect(table?.Properties.Replicas[0].SSESpecification).toEqual({ KMSMasterKeyId: KEY });
    const queues = keyedOfType('AWS::SQS::Queue');
    expect(queues.length).toBeGreaterThanOrEqual(7);
    for (const q of queues) {
      expect(q.Properties.KmsMasterKeyId).toBe(KEY);
      expect(q.Properties.SqsManagedSseEnabled).toBeUndefined();
    }
    expect(keyedOfType('AWS::Events::Archive').map((a) => a.Properties.KmsKeyIdentifier)).toEqual([KEY]);
    const secrets = keyedOfType('AWS::SecretsManager::Secret');
    expect(secrets).toHaveLength(7);
    for (const secret of secrets) expect(secret.Properties.KmsKeyId).toBe(KEY);
  });

  it('changes nothing without it: AWS-managed keys everywhere', () => {
    // The archive's identifier is empty without a key: EventBridge's own key.
    expect(ofType('AWS::Events::Archive').map(([, a]) => a.Properties.KmsKeyIdentifier)).toEqual(['']);
    expect(JSON.stringify(json)).not.toMatch(/KmsMasterKeyId|"KmsKeyId"|"kms:|arn:aws:kms/);
    expect(resources[logicalId(stack.table)]?.Properties.Replicas[0].SSESpecification).toBeUndefined();
  });

  it('lets each function use the key only through the services it calls, as its calls need', () => {
    const statements = (name: HubFunctionName) => {
      const roleId = keyed.stack.getLogicalId(
        keyed.stack.functions[name].fn.role?.node.defaultChild as CfnElement,
      );
      return keyedOfType('AWS::IAM::Policy')
        .filter((p) => p.Properties.Roles.some((r: Json) => r.Ref === roleId))
        .flatMap((p) => p.Properties.PolicyDocument.Statement as Json[])
        .filter((st) => [st.Action].flat().some((a: string) => a.startsWith('kms:')));
    };
    const via = (service: string) => ({
      StringEquals: { 'kms:ViaService': `${service}.us-east-1.amazonaws.com` },
    });
    // The public form endpoint: reads and writes receipts, queues them, reads two secrets.
    expect(statements('http-forms')).toEqual([
      {
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
        Resource: KEY,
        Condition: via('dynamodb'),
      },
      {
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: KEY,
        Condition: via('sqs'),
      },
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY, Condition: via('secretsmanager') },
    ]);
    // A reader of the table with no secret: decrypt and describe, through DynamoDB only.
    expect(statements('http-admin')).toEqual([
      {
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:DescribeKey'],
        Resource: KEY,
        Condition: via('dynamodb'),
      },
    ]);
  });

  it('fails the synth on a malformed key ARN or a key in another Region, naming the context key', () => {
    for (const bad of [
      'alias/leadhub',
      'arn:aws:kms:us-east-1:123456789012:alias/leadhub',
      '1234abcd-12ab-34cd-56ef-1234567890ab',
      `${KEY} `,
      'arn:aws:kms:us-east-1:1234:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    ]) {
      expect(() => synth({}, { kmsKeyArn: bad }), bad).toThrow(
        /CDK context kmsKeyArn must be the ARN of a KMS key/,
      );
    }
    expect(() => synth({}, { kmsKeyArn: KEY.replace('us-east-1', 'eu-west-1') })).toThrow(
      /CDK context kmsKeyArn names a key in eu-west-1, but the stack is in us-east-1/,
    );
    // A multi-Region key's id is accepted.
    expect(() =>
      synth({}, { kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab' }),
    ).not.toThrow();
  });
});

describe('least privilege', () => {
  const actions = (name: HubFunctionName) => new Set(grantedActions(name).map((g) => g.action));
  const writes = [
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
  ];

  /**
   * What the Lambda service does with the role, not the code: tracing, and SQS calls on any queue but the
   * capture queue (the enrich source, the on-failure destinations), or on it by its consumer (polling).
   */
  const platform = (name: HubFunctionName, g: { action: string; resource: unknown }) =>
    g.action.startsWith('xray:') ||
    (g.action.startsWith('sqs:') &&
      (JSON.stringify(g.resource) !== JSON.stringify(getAttArn(sourceQueueOf('capture-worker'))) ||
        name === 'capture-worker'));

  it('builds each role from infra/function-access.ts: the declared actions, nothing else but the platform’s', () => {
    for (const name of ALL_FUNCTIONS) {
      const granted = grantedActions(name)
        .filter((g) => !platform(name, g))
        .map((g) => g.action);
      // A platform secret the default deploy does not create is granted to no one.
      const declared = (FUNCTION_ACCESS[name] as readonly Access[]).filter(
        (a) => !a.on.startsWith('secret/') || a.on.slice('secret/'.length) in stack.secrets,
      );
      expect([...new Set(granted)].sort(), name).toEqual([...new Set(declared.map((a) => a.action))].sort());
    }
  });

  it('grants no function Scan, BatchWriteItem, transactions, streams or table management', () => {
    for (const name of ALL_FUNCTIONS) {
      const dynamo = grantedActions(name).filter((g) => g.action.startsWith('dynamodb:'));
      expect(
        dynamo.filter(
          (g) => !/^dynamodb:(GetItem|PutItem|UpdateItem|DeleteItem|Query|BatchGetItem)$/.test(g.action),
        ),
        name,
      ).toEqual([]);
      // Each index by its name: no index/* wildcard.
      expect(JSON.stringify(dynamo.map((g) => g.resource)), name).not.toContain('/index/*');
    }
  });

  it('lets the public form function only get and put web-form receipts', () => {
    const dynamo = grantStatements('http-forms').filter((st) =>
      String([st.Action].flat()[0]).startsWith('dynamodb:'),
    );
    expect(dynamo).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        Resource: getAttArn(logicalId(stack.table)),
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['RECEIPT#form#*'] } },
      },
    ]);
  });

  it('lets the Slack notifier write alert records only, read leads, and pass the scheduler role to the scheduler only', () => {
    const dynamo = grantStatements('slack-notifier').filter((st) =>
      String([st.Action].flat()[0]).startsWith('dynamodb:'),
    );
    const writesTo = dynamo.filter((st) =>
      [st.Action].flat().some((a) => a === 'dynamodb:PutItem' || a === 'dynamodb:UpdateItem'),
    );
    expect(writesTo.map((st) => st.Condition)).toEqual([
      { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ALERT#*'] } },
    ]);
    const gets = dynamo.filter((st) => [st.Action].flat().includes('dynamodb:GetItem'));
    expect(gets.map((st) => st.Condition)).toEqual([
      { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ALERT#*', 'CONTACT#*'] } },
    ]);
    expect(grantStatements('slack-notifier')).toContainEqual(
      expect.objectContaining({
        Action: 'iam:PassRole',
        Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
  });

  it('lets http-admin only read the table', () => {
    const a = actions('http-admin');
    expect(a.has('dynamodb:Query')).toBe(true);
    for (const w of writes) expect(a.has(w), w).toBe(false);
    expect(a.has('events:PutEvents')).toBe(false);
    expect(a.has('sqs:SendMessage')).toBe(false);
  });

  it('lets http-privacy write the table and publish, but queue nothing', () => {
    const a = actions('http-privacy');
    for (const action of ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']) {
      expect(a.has(action), action).toBe(true);
    }
    expect(a.has('dynamodb:DeleteItem')).toBe(true);
    expect(a.has('events:PutEvents')).toBe(true);
    expect(a.has('sqs:SendMessage')).toBe(false);
  });

  it("lets http-privacy keep and list the audit trail: Query on the table's indexes, BatchGetItem", () => {
    const granted = grantedActions('http-privacy');
    expect(granted.some((g) => g.action === 'dynamodb:BatchGetItem')).toBe(true);
    // The trail is listed through byMonth (by time) and byId (by contact).
    const queryable = JSON.stringify(
      granted.filter((g) => g.action === 'dynamodb:Query').map((g) => g.resource),
    );
    expect(queryable).toContain('/index/byMonth');
    expect(queryable).toContain('/index/byId');
  });

  it('routes the privacy API to http-privacy behind IAM, and nothing else to it', () => {
    const privacy = HttpRoutes.filter((r) => r.fn === 'http-privacy');
    expect(privacy.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      'GET /api/privacy/audit',
      'POST /api/privacy/erase',
      'POST /api/privacy/export',
      'POST /api/privacy/withdraw',
    ]);
    expect(privacy.every((r) => r.auth === 'admin')).toBe(true);
  });

  it('lets only the ingesters and the sweeper send to the capture queue', () => {
    const captureQueueId = sourceQueueOf('capture-worker');
    for (const name of ALL_FUNCTIONS) {
      const sends = grantedActions(name).filter(
        (g) =>
          g.action === 'sqs:SendMessage' &&
          JSON.stringify(g.resource) === JSON.stringify(getAttArn(captureQueueId)),
      );
      expect(sends.length > 0, name).toBe(QUEUE_SENDERS.includes(name));
    }
  });

  it('lets only the publishers put events, and only to the leadhub bus', () => {
    for (const name of ALL_FUNCTIONS) {
      const puts = grantedActions(name).filter((g) => g.action === 'events:PutEvents');
      const publisher = PUBLISHERS.includes(name);
      expect(puts.map((g) => g.resource)).toEqual(publisher ? [getAttArn(logicalId(stack.bus))] : []);
    }
  });

  it('lets forms, workers and notifier write the table', () => {
    for (const name of ['http-forms', 'capture-worker', 'enrich-worker', 'slack-notifier'] as const) {
      expect(actions(name).has('dynamodb:PutItem'), name).toBe(true);
    }
  });

  it('grants Resource "*" only for X-Ray', () => {
    for (const name of ALL_FUNCTIONS) {
      const wildcard = grantedActions(name).filter((g) => g.resource === '*');
      expect(wildcard.map((g) => g.action).sort()).toEqual([
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ]);
    }
  });
});

describe('outputs', () => {
  it("exports the API URL, table, bus, each secret's ARN and alarm topic", () => {
    expect(Object.keys(json.Outputs).sort()).toEqual(
      [
        'AlarmTopicArn',
        'ApiUrl',
        'EventBusName',
        'FormsSecretArn',
        'PepperSecretArn',
        'SlackSecretArn',
        'TableName',
      ].sort(),
    );
    expect(json.Outputs.SlackSecretArn.Value).toEqual({ Ref: logicalId(stack.secrets.slack as never) });
    const all = synth({ sources: PLATFORM_SECRET_GROUPS }).json.Outputs;
    expect(
      Object.keys(all)
        .filter((k) => k.endsWith('SecretArn'))
        .sort(),
    ).toEqual(
      ['Forms', 'Google', 'LinkedIn', 'Meta', 'Pepper', 'Slack', 'TikTok'].map((l) => `${l}SecretArn`),
    );
    expect(json.Outputs.TableName.Value).toEqual({ Ref: logicalId(stack.table) });
    expect(JSON.stringify(json.Outputs.ApiUrl.Value)).toContain('execute-api');
  });
});
