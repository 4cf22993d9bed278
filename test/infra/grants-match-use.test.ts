import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { Context, SQSBatchResponse } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import {
  BUNDLED_CONFIG_NAME,
  HUB_FUNCTIONS,
  type HubFunctionName,
} from '../../infra/constructs/hub-function.js';
import { KMS_USE } from '../../infra/function-access.js';
import { LeadHubStack } from '../../infra/stacks/leadhub-stack.js';
import { createDynamoClients } from '../../lib/adapters/dynamodb/client.js';
import { ensureTable } from '../../lib/adapters/dynamodb/create-table.js';
import { createDynamoDbReceiptStore } from '../../lib/adapters/dynamodb/receipt-store.js';
import {
  PLATFORM_SECRET_GROUPS,
  SECRET_GROUPS,
  type SecretGroup,
} from '../../lib/adapters/secrets/groups.js';
import { slackSignature } from '../../lib/adapters/slack/signature.js';
import { ALERT_ACTIONS } from '../../lib/alerts/actions.js';
import { RECONCILE_META_TASK } from '../../lib/handlers/receipt-sweeper.js';
import { hmacSha256Hex } from '../../lib/http/raw-body.js';
import { googleLead, googleWebhookBody } from '../../lib/sandbox/google-webhook.js';
import { type LinkedInSandbox, startLinkedInSandbox } from '../../lib/sandbox/linkedin-api.js';
import { linkedInDemoForm, linkedInResponse } from '../../lib/sandbox/linkedin-fixtures.js';
import {
  leadNotification,
  linkedInWebhookBody,
  signLinkedInBody,
} from '../../lib/sandbox/linkedin-webhook.js';
import { demoRequestForm, demoRequestLead, SANDBOX_PAGES } from '../../lib/sandbox/meta-fixtures.js';
import { type MetaSandbox, startMetaSandbox } from '../../lib/sandbox/meta-graph.js';
import { leadgenEntries, metaWebhookBody, signMetaBody } from '../../lib/sandbox/meta-webhook.js';
import { signTikTokBody, tiktokLead, tiktokWebhookBody } from '../../lib/sandbox/tiktok-webhook.js';
import {
  type AwsCall,
  FAKE_ACCOUNT,
  FAKE_REGION,
  type FakeAws,
  fakeArn,
  startFakeAws,
} from '../support/fake-aws.js';
import { type FakeSlack, startFakeSlackApi } from '../support/fake-slack-api.js';
import { httpEvent, sqsEvent } from '../support/fakes.js';
import {
  describeCall,
  grantsOf,
  roleStatements,
  type Statement,
  statementAllows,
  templateResolver,
} from '../support/iam-policy.js';
import { rejection } from '../support/thrown.js';

/**
 * Every function's grants against its use. Each function's own entry point (functions/*.ts, with the
 * environment the synthesised template gives it and the AWS SDK as deployed) runs through its scenarios;
 * every AWS request it makes reaches one fake endpoint (AWS_ENDPOINT_URL), which records it as the action
 * and resource IAM authorises and passes DynamoDB on to dynalite. Then each recorded call must be allowed
 * by that function's policy in the template, and each grant must have been used by some call.
 */

// Before the logger and the metrics are made (module init): the functions' logs and metrics stay quiet.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON is walked dynamically.
type Json = Record<string, any>;

const CONFIG = fileURLToPath(new URL('./fixtures/grants.config.json', import.meta.url));
const BOT_TOKEN = 'xoxb-grants-bot-token';
const SIGNING_SECRET = 'grants-signing-secret';
const META_APP_SECRET = 'grants-meta-app-secret';
const META_VERIFY_TOKEN = 'grants-verify-token';
const PAGE_TOKEN = 'grants-page-token';
const LINKEDIN_SECRET = 'grants-linkedin-secret';
const LINKEDIN_TOKEN = 'grants-linkedin-token';
const FORM_SECRET = 'grants-form-secret';
const TIKTOK_TOKEN = 'grants-tiktok-path-token';
const TIKTOK_SECRET = 'grants-tiktok-secret';
const GOOGLE_KEY = 'grants-google-key';
const KMS_KEY_ARN = `arn:aws:kms:${FAKE_REGION}:${FAKE_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

/** Every secret value, each served only by the secret that holds it (lib/adapters/secrets/groups.ts). */
const SECRETS: Record<string, string> = {
  LEADHUB_PEPPER: 'grants-pepper',
  LEADHUB_FORM_SECRET: FORM_SECRET,
  SLACK_BOT_TOKEN: BOT_TOKEN,
  SLACK_SIGNING_SECRET: SIGNING_SECRET,
  META_APP_SECRET,
  META_VERIFY_TOKEN,
  // The roofing page's token is not one Meta knows: its reconciliation fails (SourceConnectionFailed).
  META_PAGE_TOKENS: JSON.stringify({ [SANDBOX_PAGES.acme]: PAGE_TOKEN, [SANDBOX_PAGES.roofing]: 'revoked' }),
  LINKEDIN_CLIENT_SECRET: LINKEDIN_SECRET,
  LINKEDIN_ACCESS_TOKEN: LINKEDIN_TOKEN,
  TIKTOK_WEBHOOK_TOKEN: TIKTOK_TOKEN,
  TIKTOK_APP_SECRET: TIKTOK_SECRET,
  GOOGLE_WEBHOOK_KEY: GOOGLE_KEY,
};

const ALL_FUNCTIONS: readonly HubFunctionName[] = HUB_FUNCTIONS;
/**
 * Grants for the Lambda service, not the code: X-Ray (Tracing.ACTIVE), the SQS event source's polling and
 * the on-failure destination's sends, all made with the function's role.
 */
const PLATFORM_ACTIONS = {
  tracing: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
  eventSource: [
    'sqs:ReceiveMessage',
    'sqs:ChangeMessageVisibility',
    'sqs:GetQueueUrl',
    'sqs:DeleteMessage',
    'sqs:GetQueueAttributes',
  ],
  onFailure: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
};

// ---- the synthesised template, with names the fake AWS answers to ----------------------------------------
/** Every platform enabled, so that every secret a function may be given is there to prove by use. */
function synth(kmsKeyArn?: string) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new LeadHubStack(app, 'LeadHub', {
    env: { region: FAKE_REGION },
    configFile: CONFIG,
    sources: PLATFORM_SECRET_GROUPS,
    ...(kmsKeyArn ? { kmsKeyArn } : {}),
  });
  return { stack, resources: (Template.fromStack(stack).toJSON() as Json).Resources as Record<string, Json> };
}
const { stack, resources } = synth();
const logicalId = (c: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(c.node.defaultChild as CfnElement);
const fnId = (name: HubFunctionName) => logicalId(stack.functions[name].fn);
const roleId = (name: HubFunctionName) => logicalId(stack.functions[name].fn.role as never);
/** Which secret a (fake) secret ARN is. */
const secretGroupOfArn = new Map(
  (Object.entries(stack.secrets) as [SecretGroup, never][]).map(([group, secret]) => [
    fakeArn.secret(logicalId(secret)),
    group,
  ]),
);
/** The values one secret holds. */
function secretValues(secretArn: string): Record<string, string> {
  const group = secretGroupOfArn.get(secretArn);
  if (!group) throw new Error(`no such secret ${secretArn}`);
  const names: readonly string[] = SECRET_GROUPS[group];
  return Object.fromEntries(Object.entries(SECRETS).filter(([name]) => names.includes(name)));
}
const tableName = `leadhub-grants-${randomUUID().slice(0, 8)}`;

let aws: FakeAws;
let slack: FakeSlack;
let meta: MetaSandbox;
let linkedin: LinkedInSandbox;
let taskRoot: string;
let resolve: (value: unknown) => string;

function resolverFor(awsUrl: string, resources: Record<string, Json>) {
  const physical = (id: string, r: Json) =>
    r.Type === 'AWS::DynamoDB::GlobalTable'
      ? tableName
      : r.Type === 'AWS::Events::EventBus'
        ? String(r.Properties.Name)
        : id;
  return templateResolver(
    resources,
    {
      ref(id, r) {
        switch (r.Type) {
          case 'AWS::SQS::Queue':
            return `${awsUrl}/${FAKE_ACCOUNT}/${id}`;
          case 'AWS::SecretsManager::Secret':
            return fakeArn.secret(id);
          default:
            return physical(id, r);
        }
      },
      attribute(id, r, attribute) {
        if (attribute !== 'Arn') throw new Error(`GetAtt ${id}.${attribute}`);
        const name = physical(id, r);
        const arns: Record<string, (n: string) => string> = {
          'AWS::DynamoDB::GlobalTable': fakeArn.table,
          'AWS::SQS::Queue': fakeArn.queue,
          'AWS::Events::EventBus': fakeArn.bus,
          'AWS::Scheduler::ScheduleGroup': fakeArn.scheduleGroup,
          'AWS::IAM::Role': fakeArn.role,
          'AWS::Lambda::Function': fakeArn.function,
        };
        const arn = arns[r.Type as string];
        if (!arn) throw new Error(`no fake ARN for ${r.Type}`);
        return arn(name);
      },
    },
    { 'AWS::Partition': 'aws', 'AWS::Region': FAKE_REGION, 'AWS::AccountId': FAKE_ACCOUNT },
  );
}

// ---- running a function as Lambda would ------------------------------------------------------------------
const handlers = new Map<HubFunctionName, (event: unknown, context: Context) => Promise<unknown>>();
let environmentKeys: string[] = [];

/** The function's environment from the template, plus where the fake platforms and AWS are. */
function environmentOf(name: HubFunctionName): Record<string, string> {
  const variables = resources[fnId(name)]?.Properties.Environment.Variables as Record<string, unknown>;
  return {
    ...Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, resolve(value)])),
    LAMBDA_TASK_ROOT: taskRoot,
    AWS_REGION: FAKE_REGION,
    AWS_ACCESS_KEY_ID: 'fake',
    AWS_SECRET_ACCESS_KEY: 'fake',
    AWS_ENDPOINT_URL: aws.url,
    META_GRAPH_URL: meta.url,
    LINKEDIN_API_URL: linkedin.url,
    SLACK_API_URL: slack.apiUrl,
  };
}

/** Invokes a function's entry point, cold-starting it in its own environment the first time. */
async function invoke(name: HubFunctionName, event: unknown): Promise<unknown> {
  for (const key of environmentKeys) delete process.env[key];
  const environment = environmentOf(name);
  Object.assign(process.env, environment);
  environmentKeys = Object.keys(environment);
  let handler = handlers.get(name);
  if (!handler) {
    handler = ((await import(`../../functions/${name}.ts`)) as { handler: typeof handler }).handler;
    handlers.set(name, handler as never);
  }
  aws.actAs(name);
  const context = {
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: fakeArn.function(name),
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    getRemainingTimeInMillis: () => 10_000,
  } as unknown as Context;
  return (handler as NonNullable<typeof handler>)(event, context);
}

const http = (name: HubFunctionName, options: Parameters<typeof httpEvent>[0], admin = false) => {
  const event = httpEvent(options);
  if (admin) {
    // What API Gateway's IAM authorizer adds to an admin route's event.
    (event.requestContext as Json).authorizer = {
      iam: { userArn: `arn:aws:iam::${FAKE_ACCOUNT}:user/admin`, callerId: 'AIDAADMIN' },
    };
  }
  return invoke(name, event) as Promise<{ statusCode: number; body?: string }>;
};

const busEvent = (detailType: string, detail: Json) => ({
  version: '0',
  id: randomUUID(),
  'detail-type': detailType,
  source: 'leadhub',
  account: FAKE_ACCOUNT,
  time: new Date().toISOString(),
  region: FAKE_REGION,
  resources: [],
  detail,
});

/** Runs each record alone (one receive each), as a quiet queue delivers them. */
async function consume(name: 'capture-worker' | 'enrich-worker', bodies: readonly string[]) {
  for (const body of bodies) {
    const result = (await invoke(name, sqsEvent([body], fakeArn.queue(name)))) as SQSBatchResponse;
    expect(result.batchItemFailures, `${name}: ${body.slice(0, 80)}`).toEqual([]);
  }
}

const published = (detailType: string) => aws.events.filter((e) => e.detailType === detailType);
let takenMessages = 0;
/** The capture messages queued since the last call. */
function newCaptureMessages(): string[] {
  const fresh = aws.messages.slice(takenMessages).map((m) => m.body);
  takenMessages = aws.messages.length;
  return fresh;
}

/** A form post; a signed one (a server-side integrator's) carries X-LeadHub-Signature. */
const formPost = (fields: Record<string, string>, signed = false) => {
  const body = JSON.stringify(fields);
  return http('http-forms', {
    method: 'POST',
    routeKey: 'POST /forms/{formId}',
    path: '/forms/contact',
    pathParameters: { formId: 'contact' },
    headers: {
      'content-type': 'application/json',
      origin: 'https://example.com',
      ...(signed ? { 'x-leadhub-signature': `sha256=${hmacSha256Hex(FORM_SECRET, body)}` } : {}),
    },
    body,
  });
};

const slackClick = (leadId: string, userId: string) => {
  const body = `payload=${encodeURIComponent(
    JSON.stringify({
      type: 'block_actions',
      user: { id: userId, username: userId.toLowerCase() },
      channel: { id: 'C0SALES' },
      message: { ts: '1767600000.000001' },
      response_url: slack.responseUrl(userId),
      actions: [{ action_id: ALERT_ACTIONS.claim, value: leadId, type: 'button' }],
    }),
  )}`;
  const ts = String(Math.floor(Date.now() / 1000));
  return http('http-slack', {
    method: 'POST',
    routeKey: 'POST /slack/actions',
    path: '/slack/actions',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': ts,
      'x-slack-signature': slackSignature(SIGNING_SECRET, ts, body),
    },
    body,
  });
};

// ---- the scenarios ------------------------------------------------------------------------------------
const ana = { email: 'ana.lopez@example.org', phone: '+1 415 555 0101', name: 'Ana Lopez' };
const ben = { email: 'ben.okafor@example.org', phone: '+1 415 555 0102', name: 'Ben Okafor' };

async function runScenarios() {
  // Web forms: a post, its retry, a post with an id; a third post joins Ana's email to Ben's phone.
  expect((await formPost({ ...ana, marketing_opt_in: 'on' })).statusCode).toBe(202);
  const retry = await formPost({ ...ana, marketing_opt_in: 'on' });
  expect(JSON.parse(retry.body ?? '{}')).toMatchObject({ duplicate: true });
  expect((await formPost({ ...ben, submission_id: 'ben-1' }, true)).statusCode).toBe(202);
  expect((await formPost({ email: ana.email, phone: ben.phone, name: 'Ana L.' })).statusCode).toBe(202);
  const preflight = await http('http-forms', {
    method: 'OPTIONS',
    routeKey: 'OPTIONS /forms/{formId}',
    path: '/forms/contact',
    pathParameters: { formId: 'contact' },
    headers: { origin: 'https://example.com' },
  });
  expect(preflight.statusCode).toBe(204);

  // Platform webhooks: Meta's handshake and a lead, a LinkedIn lead.
  const handshake = await http('http-webhooks', {
    method: 'GET',
    routeKey: 'GET /webhooks/meta',
    path: '/webhooks/meta',
    query: { 'hub.mode': 'subscribe', 'hub.verify_token': META_VERIFY_TOKEN, 'hub.challenge': '42' },
  });
  expect(handshake.statusCode).toBe(200);
  const metaLead = demoRequestLead('900000000000001', {
    createdTime: new Date(Date.now() - 3_600_000).toISOString(),
  });
  meta.addLead(metaLead);
  const metaBody = metaWebhookBody(leadgenEntries([metaLead]));
  const metaDelivery = await http('http-webhooks', {
    method: 'POST',
    routeKey: 'POST /webhooks/meta',
    path: '/webhooks/meta',
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': signMetaBody(metaBody, META_APP_SECRET),
    },
    body: metaBody,
  });
  expect(metaDelivery.statusCode).toBe(200);
  const liResponse = linkedInResponse('li-grants-1');
  linkedin.addResponse(liResponse);
  const linkedInPost = (action: 'CREATED' | 'DELETED') => {
    const body = linkedInWebhookBody([leadNotification(liResponse, action)]);
    return http('http-webhooks', {
      method: 'POST',
      routeKey: 'POST /webhooks/linkedin',
      path: '/webhooks/linkedin',
      headers: {
        'content-type': 'application/json',
        'x-li-signature': signLinkedInBody(body, LINKEDIN_SECRET),
      },
      body,
    });
  };
  expect((await linkedInPost('CREATED')).statusCode).toBe(200);

  // TikTok (the path token and a signature) and Google Ads (the form's key): a lead each.
  const tiktokBody = tiktokWebhookBody([tiktokLead('7300000000000000001')]);
  const tiktokDelivery = await http('http-webhooks', {
    method: 'POST',
    routeKey: 'POST /webhooks/tiktok/{token}',
    path: `/webhooks/tiktok/${TIKTOK_TOKEN}`,
    pathParameters: { token: TIKTOK_TOKEN },
    headers: {
      'content-type': 'application/json',
      'x-open-signature': signTikTokBody(tiktokBody, TIKTOK_SECRET),
    },
    body: tiktokBody,
  });
  expect(tiktokDelivery.statusCode).toBe(200);
  const googleDelivery = await http('http-webhooks', {
    method: 'POST',
    routeKey: 'POST /webhooks/google',
    path: '/webhooks/google',
    headers: { 'content-type': 'application/json' },
    body: googleWebhookBody(googleLead('gl-grants-1'), GOOGLE_KEY),
  });
  expect(googleDelivery.statusCode).toBe(200);

  // Capture everything queued: the third form lead merges Ana's and Ben's contacts.
  await consume('capture-worker', newCaptureMessages());
  expect(published('LeadCaptured')).toHaveLength(7);
  expect(published('ContactsMerged').length).toBeGreaterThan(0);

  // LinkedIn withdraws its lead: LeadDeleted first, then the stored lead is stripped.
  expect((await linkedInPost('DELETED')).statusCode).toBe(200);
  expect(published('LeadDeleted')).toHaveLength(1);

  // Enrich every captured lead (one of them was moved by the merge since its event).
  await consume(
    'enrich-worker',
    published('LeadCaptured').map((e) => JSON.stringify(busEvent('LeadCaptured', e.detail))),
  );
  const scored = published('LeadScored');
  expect(scored.length).toBeGreaterThanOrEqual(3);

  // Alert each scored lead (a Slack app with SLA timers), then a redelivery of the first. One of the leads
  // the merge moved is announced under the contact it had before (a merge landing between scoring and
  // alerting), so the notifier finds it through the index.
  const mergeEvent = published('ContactsMerged')[0]?.detail as Json;
  const movedLeadId = (mergeEvent.leadIds as string[])[0];
  for (const e of scored) {
    const detail = e.detail as Json;
    const stale =
      detail.leadId === movedLeadId ? { ...detail, contactId: mergeEvent.mergedContactId } : detail;
    await invoke('slack-notifier', busEvent('LeadScored', stale));
  }
  await invoke('slack-notifier', busEvent('LeadScored', (scored[0] as Json).detail));
  // Each names the dead-letter queue the stack made for failed EventBridge and Scheduler deliveries.
  const slaDlq = resolve({
    'Fn::GetAtt': [logicalId(stack.deadLetterQueues.EventDeliveryDlq as never), 'Arn'],
  });
  for (const schedule of aws.schedules.values()) {
    expect((schedule as Json).Target.DeadLetterConfig).toEqual({ Arn: slaDlq });
  }
  // What each timer will deliver, taken before a claim deletes its schedule.
  const timers = [...aws.schedules.values()].map((s) => JSON.parse((s as Json).Target.Input) as Json);
  expect(timers.length).toBeGreaterThan(0);

  // A rep claims the first lead, a second rep is told it is taken.
  const [first, second] = scored.map((e) => String(e.detail.leadId));
  expect((await slackClick(first as string, 'U0FIRST')).statusCode).toBe(200);
  expect((await slackClick(first as string, 'U0SECOND')).statusCode).toBe(200);
  expect(published('LeadClaimed')).toHaveLength(1);

  // The SLA timers fire: the second lead escalates, the claimed one is found decided.
  for (const leadId of [second, first]) {
    await invoke(
      'sla-escalator',
      timers.find((t) => t.leadId === leadId),
    );
  }
  expect(published('LeadSlaBreached')).toHaveLength(1);

  // Admin reads.
  const merged = published('ContactsMerged')[0]?.detail as Json;
  const reads: [string, string, Record<string, string>][] = [
    ['/health', 'GET /health', {}],
    ['/api/leads', 'GET /api/leads', {}],
    [`/api/leads/${first}`, 'GET /api/leads/{leadId}', { leadId: String(first) }],
    [
      `/api/contacts/${merged.mergedContactId}`,
      'GET /api/contacts/{contactId}',
      { contactId: merged.mergedContactId },
    ],
    ['/api/metrics/speed-to-lead', 'GET /api/metrics/speed-to-lead', {}],
  ];
  for (const [path, routeKey, pathParameters] of reads) {
    const answer = await http('http-admin', { method: 'GET', routeKey, path, pathParameters }, true);
    expect(answer.statusCode, path).toBe(200);
  }

  // Privacy: export, withdraw, erase Ana (merged with Ben).
  const privacy = (method: string, path: string, body?: Json, query?: Record<string, string>) =>
    http(
      'http-privacy',
      {
        method,
        routeKey: `${method} ${path}`,
        path,
        ...(query ? { query } : {}),
        ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
      },
      true,
    );
  expect((await privacy('POST', '/api/privacy/export', { email: ana.email })).statusCode).toBe(200);
  expect(
    (await privacy('POST', '/api/privacy/withdraw', { email: ana.email, purpose: 'all', requestId: 'w-1' }))
      .statusCode,
  ).toBe(200);
  // A retry finds its audit record and completes it.
  expect(
    (await privacy('POST', '/api/privacy/withdraw', { email: ana.email, purpose: 'all', requestId: 'w-1' }))
      .statusCode,
  ).toBe(200);
  expect((await privacy('POST', '/api/privacy/erase', { email: ana.email })).statusCode).toBe(200);
  expect(published('ContactErased').length).toBeGreaterThan(0);
  // The audit trail, by time and by contact.
  expect((await privacy('GET', '/api/privacy/audit')).statusCode).toBe(200);
  expect(
    (await privacy('GET', '/api/privacy/audit', undefined, { contactId: merged.contactId })).statusCode,
  ).toBe(200);

  // The sweeper: a receipt stranded 20 minutes ago is queued again; the Meta reconciliation reads back a
  // lead no webhook delivered and the one that was, and fails on the page whose token Meta refuses.
  const direct = await createDynamoClients({ endpoint: inject('dynamoEndpoint'), region: FAKE_REGION });
  const past = createDynamoDbReceiptStore({
    doc: direct.doc,
    tableName,
    now: () => new Date(Date.now() - 20 * 60_000),
  });
  await past.putReceipt({
    source: 'form',
    platformLeadId: 'h_stranded',
    receivedAt: new Date(Date.now() - 20 * 60_000).toISOString(),
    status: 'received',
    payload: {},
  });
  newCaptureMessages();
  await invoke('receipt-sweeper', { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} });
  expect(newCaptureMessages()).toEqual([JSON.stringify({ source: 'form', platformLeadId: 'h_stranded' })]);
  meta.addLead(
    demoRequestLead('900000000000002', { createdTime: new Date(Date.now() - 7_200_000).toISOString() }),
  );
  // The page Meta refuses fails the run, after the other page is read: Lambda counts an error.
  const failedRun = await rejection(invoke('receipt-sweeper', { task: RECONCILE_META_TASK }));
  expect(failedRun).toMatchObject({ name: 'IncompleteRunError' });
  expect(newCaptureMessages()).toEqual([
    JSON.stringify({ source: 'meta', platformLeadId: '900000000000002' }),
  ]);
  expect(published('SourceConnectionFailed')).toHaveLength(1);
}

beforeAll(async () => {
  taskRoot = mkdtempSync(join(tmpdir(), 'leadhub-grants-'));
  copyFileSync(CONFIG, join(taskRoot, BUNDLED_CONFIG_NAME));
  aws = await startFakeAws({ dynamoEndpoint: inject('dynamoEndpoint'), secretValues });
  resolve = resolverFor(aws.url, resources);
  slack = await startFakeSlackApi(BOT_TOKEN);
  meta = await startMetaSandbox({
    appSecret: META_APP_SECRET,
    pages: { [SANDBOX_PAGES.acme]: PAGE_TOKEN, [SANDBOX_PAGES.roofing]: 'roofing-token' },
    forms: [demoRequestForm],
  });
  linkedin = await startLinkedInSandbox({ tokens: [LINKEDIN_TOKEN], forms: [linkedInDemoForm] });
  const direct = await createDynamoClients({ endpoint: inject('dynamoEndpoint'), region: FAKE_REGION });
  await ensureTable(direct.client, tableName);
  await runScenarios();
}, 90_000);

afterAll(async () => {
  await Promise.all([aws?.close(), slack?.close(), meta?.close(), linkedin?.close()]);
  if (taskRoot) rmSync(taskRoot, { recursive: true, force: true });
});

// ---- the comparison ---------------------------------------------------------------------------------
/**
 * With a customer-managed key, what Lambda's polling and on-failure sends need of it (CDK's grants on
 * the queues' key, made with the function's role).
 */
const PLATFORM_KMS_ACTIONS = {
  eventSource: ['kms:Decrypt'],
  onFailure: ['kms:Decrypt', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
};

/** The grants the Lambda service uses with this function's role: not the code's. */
function platformGrant(name: HubFunctionName, grant: { action: string; resource: string }): boolean {
  if (PLATFORM_ACTIONS.tracing.includes(grant.action)) return grant.resource === '*';
  if (grant.resource === KMS_KEY_ARN) {
    const has = (type: string) =>
      Object.values(resources).some((r) => r.Type === type && r.Properties.FunctionName.Ref === fnId(name));
    return (
      (PLATFORM_KMS_ACTIONS.eventSource.includes(grant.action) && has('AWS::Lambda::EventSourceMapping')) ||
      (PLATFORM_KMS_ACTIONS.onFailure.includes(grant.action) && has('AWS::Lambda::EventInvokeConfig'))
    );
  }
  const consumed = Object.values(resources)
    .filter(
      (r) => r.Type === 'AWS::Lambda::EventSourceMapping' && r.Properties.FunctionName.Ref === fnId(name),
    )
    .map((r) => resolve(r.Properties.EventSourceArn));
  if (PLATFORM_ACTIONS.eventSource.includes(grant.action) && consumed.includes(grant.resource)) return true;
  const destinations = Object.values(resources)
    .filter(
      (r) => r.Type === 'AWS::Lambda::EventInvokeConfig' && r.Properties.FunctionName.Ref === fnId(name),
    )
    .map((r) => resolve(r.Properties.DestinationConfig.OnFailure.Destination));
  return PLATFORM_ACTIONS.onFailure.includes(grant.action) && destinations.includes(grant.resource);
}

/** What is wrong with a function's grants given its calls: calls not allowed, grants never used. */
function grantProblems(
  name: HubFunctionName,
  statements: readonly Statement[],
  calls: readonly AwsCall[],
): { notGranted: string[]; unused: string[] } {
  const mine = calls.filter((c) => c.caller === name);
  const notGranted = [
    ...new Set(mine.filter((c) => !statements.some((s) => statementAllows(s, c))).map(describeCall)),
  ].sort();
  const unused = grantsOf(statements)
    .filter((g) => !platformGrant(name, g) && !mine.some((c) => statementAllows(g, c)))
    .map((g) => `${g.action} on ${g.resource}${g.condition ? ` if ${JSON.stringify(g.condition)}` : ''}`)
    .sort();
  return { notGranted, unused };
}

const statementsOf = (name: HubFunctionName) => roleStatements(resources, roleId(name), resolve);

describe('each function is granted exactly what its code calls', () => {
  it.each(ALL_FUNCTIONS)('%s', (name) => {
    expect(
      aws.calls.some((c) => c.caller === name),
      `${name} made no AWS call`,
    ).toBe(true);
    expect(grantProblems(name, statementsOf(name), aws.calls)).toEqual({ notGranted: [], unused: [] });
  });

  it('made no call the fake AWS does not know', () => {
    expect(aws.calls.filter((c) => c.action.startsWith('unknown:')).map(describeCall)).toEqual([]);
  });

  it('reports a call whose grant is missing, and a grant no call used', () => {
    const sweeper = statementsOf('receipt-sweeper');
    const withoutUpdate = sweeper.map((s) => ({
      ...s,
      actions: s.actions.filter((a) => a !== 'dynamodb:UpdateItem'),
    }));
    expect(grantProblems('receipt-sweeper', withoutUpdate, aws.calls).notGranted).toEqual([
      expect.stringMatching(
        /^dynamodb:UpdateItem on arn:aws:dynamodb:.*:table\/leadhub-grants-.* \(keys RECEIPT#form#\)$/,
      ),
    ]);
    const extra: Statement = { actions: ['dynamodb:Scan'], resources: [fakeArn.table(tableName)] };
    expect(grantProblems('receipt-sweeper', [...sweeper, extra], aws.calls).unused).toEqual([
      `dynamodb:Scan on ${fakeArn.table(tableName)}`,
    ]);
  });
});

/**
 * The calls a function's recorded calls make on the customer-managed key when the table, queues and
 * secrets are encrypted with it: KMS_USE (AWS's documented needs per action, by the service that calls
 * KMS on the function's behalf). The fake AWS does no KMS, so these are derived from the real calls.
 */
function kmsCallsOf(calls: readonly AwsCall[]): AwsCall[] {
  return calls.flatMap((call) => {
    const need = KMS_USE[call.action as keyof typeof KMS_USE];
    return (need?.actions ?? []).map((action) => ({
      caller: call.caller,
      action,
      resource: KMS_KEY_ARN,
      context: { 'kms:ViaService': `${need?.service}.${FAKE_REGION}.amazonaws.com` },
    }));
  });
}

describe('with a customer-managed key (kmsKeyArn), each function may use it exactly as its calls need', () => {
  // The same stack with the key: the same logical ids, so the same names for the same resources.
  const withKey = synth(KMS_KEY_ARN);
  const kmsStatementsOf = (name: HubFunctionName) =>
    roleStatements(withKey.resources, roleId(name), resolverFor(aws.url, withKey.resources));

  it.each(ALL_FUNCTIONS)('%s', (name) => {
    const calls = [...aws.calls, ...kmsCallsOf(aws.calls)];
    expect(grantProblems(name, kmsStatementsOf(name), calls)).toEqual({ notGranted: [], unused: [] });
  });

  it('derives the key use from the calls: a table write needs more of it than a read', () => {
    const reads = kmsCallsOf([{ caller: 'x', action: 'dynamodb:GetItem', resource: '*' }]);
    const writes = kmsCallsOf([{ caller: 'x', action: 'dynamodb:PutItem', resource: '*' }]);
    expect(reads.map((c) => c.action)).toEqual(['kms:Decrypt', 'kms:DescribeKey']);
    expect(writes.map((c) => c.action)).toEqual(
      expect.arrayContaining(['kms:Encrypt', 'kms:GenerateDataKey']),
    );
    // A function without the key's use for its secret reads is told so.
    const forms = kmsStatementsOf('http-forms').filter(
      (s) => !JSON.stringify(s.condition ?? {}).includes('secretsmanager'),
    );
    const calls = [...aws.calls, ...kmsCallsOf(aws.calls)];
    expect(grantProblems('http-forms', forms, calls).notGranted).toEqual([`kms:Decrypt on ${KMS_KEY_ARN}`]);
  });
});
