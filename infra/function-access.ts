import type { TableDesign } from '../lib/adapters/dynamodb/table-design.js';
import type { SecretGroup } from '../lib/adapters/secrets/groups.js';
import type { HubFunctionName } from './constructs/hub-function.js';

/**
 * What each LeadHub Lambda's code calls, and on what: the one declaration the stack builds every function's
 * IAM policy from (infra/stacks/leadhub-stack.ts; no broad grants besides), checked against use by
 * test/infra/grants-match-use.test.ts, which runs each function's entry point through its scenarios,
 * records every AWS call it makes, and fails on a call its policy lacks or a grant no scenario used.
 * No CDK imports here, so the README's table and the tests read it as plain data.
 *
 * A new call needs one line here (and a scenario in that test that makes it); so does a secret a function
 * newly reads (its secret's ARN then reaches the function in LEADHUB_SECRET_ARNS). Grants the Lambda service
 * uses on a function's behalf come with the constructs instead: X-Ray tracing, the SQS event sources'
 * polling, the on-failure destinations' sends.
 */

/** Every DynamoDB action a LeadHub function calls. Scan, BatchWriteItem and transactions: none does. */
export type TableAction = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'Query' | 'BatchGetItem';

export type Access =
  /** Items of the table; `leadingKeys` limits them by partition key (dynamodb:LeadingKeys, IAM StringLike). */
  | { action: `dynamodb:${TableAction}`; on: 'table'; leadingKeys?: readonly string[] }
  /** A global secondary index of the table, by its key in lib/adapters/dynamodb/table-design.ts. */
  | { action: 'dynamodb:Query'; on: `index/${keyof typeof TableDesign.indexes}` }
  | { action: 'sqs:SendMessage'; on: 'captureQueue' }
  | { action: 'events:PutEvents'; on: 'bus' }
  /** One integration's secret (lib/adapters/secrets/groups.ts): the function is also handed its ARN. */
  | { action: 'secretsmanager:GetSecretValue'; on: `secret/${SecretGroup}` }
  /** The SLA timers: one-time schedules in the stack's schedule group. */
  | { action: 'scheduler:CreateSchedule' | 'scheduler:DeleteSchedule'; on: 'slaSchedules' }
  /** Handing the scheduler's role to EventBridge Scheduler with each schedule (only to that service). */
  | { action: 'iam:PassRole'; on: 'slaSchedulerRole' };

export type AccessTarget = Access['on'];

/** The web-form receipts: `RECEIPT#form#{key}` (lib/adapters/dynamodb/lead-store.ts). */
const FORM_RECEIPTS = ['RECEIPT#form#*'];
/** Every source's receipts. */
const RECEIPTS = ['RECEIPT#*'];
/** The alert records: `ALERT#{leadId}`. */
const ALERTS = ['ALERT#*'];

export const FUNCTION_ACCESS = {
  // The public form endpoint writes a receipt (a conditional put; a retry reads the one it found) and
  // queues it: nothing else of the table is within its reach. The pepper keys the dedupe of a post
  // without an id; the forms secret checks signed posts.
  'http-forms': [
    { action: 'dynamodb:GetItem', on: 'table', leadingKeys: FORM_RECEIPTS },
    { action: 'dynamodb:PutItem', on: 'table', leadingKeys: FORM_RECEIPTS },
    { action: 'sqs:SendMessage', on: 'captureQueue' },
    { action: 'secretsmanager:GetSecretValue', on: 'secret/pepper' },
    { action: 'secretsmanager:GetSecretValue', on: 'secret/forms' },
  ],
  // Platform webhooks write receipts and queue them; a LinkedIn DELETED publishes LeadDeleted, then strips
  // the stored lead (its item, score, consents, profile and raw receipt). Each platform's secret checks
  // its deliveries.
  'http-webhooks': [
    { action: 'dynamodb:GetItem', on: 'table' },
    { action: 'dynamodb:PutItem', on: 'table' },
    { action: 'dynamodb:UpdateItem', on: 'table' },
    { action: 'dynamodb:Query', on: 'table' },
    { action: 'dynamodb:Query', on: 'index/byId' },
    { action: 'dynamodb:BatchGetItem', on: 'table' },
    { action: 'sqs:SendMessage', on: 'captureQueue' },
    { action: 'events:PutEvents', on: 'bus' },
    { action: 'secretsmanager:GetSecretValue', on: 'secret/meta' },
    { action: 'secretsmanager:GetSecretValue', on: 'secret/linkedin' },
    { action: 'secretsmanager:GetSecretValue', on: 'secret/tiktok' },
    { action: 'secretsmanager:GetSecretValue', on: 'secret/google' },
  ],
  // Reads only: leads by id and by month, contacts, speed-to-lead timings.
  'http-admin': [
    { action: 'dynamodb:GetItem', on: 'table' },
    { action: 'dynamodb:Query', on: 'table' },
    { action: 'dynamodb:Query', on: 'index/byId' },
    { action: 'dynamodb:Query', on: 'index/byMonth' },
    { action: 'dynamodb:BatchGetItem', on: 'table' },
  ],
  // Export, withdraw, erase: erasure deletes the person's identity keys; publishes ConsentWithdrawn and
  // ContactErased.
  'http-privacy': [
    { action: 'dynamodb:GetItem', on: 'table' },
    { action: 'dynamodb:PutItem', on: 'table' },
    { action: 'dynamodb:UpdateItem', on: 'table' },
    { action: 'dynamodb:DeleteItem', on: 'table' },
    { action: 'dynamodb:Query', on: 'table' },
    { action: 'dynamodb:Query', on: 'index/byId' },
    // The audit trail by time.
    { action: 'dynamodb:Query', on: 'index/byMonth' },
    { action: 'dynamodb:BatchGetItem', on: 'table' },
    { action: 'events:PutEvents', on: 'bus' },
    { action: 'secretsmanager:GetSecretValue', on: 'secret/pepper' },
  ],
  // Capture resolves identities and merges contacts (a merge moves items: put, then delete the original).
  // The pepper keys identities; Meta's and LinkedIn's tokens fetch the leads their webhooks only name.
  'capture-worker': [
    { action: 'dynamodb:GetItem', on: 'table' },
    { action: 'dynamodb:PutItem', on: 'table' },
    { action: 'dynamodb:UpdateItem', on: 'table' },
    { action: 'dynamodb:DeleteItem', on: 'table' },
    { action: 'dynamodb:Query', on: 'table' },
    { action: 'dynamodb:Query', on: 'index/byId' },
    { action: 'dynamodb:BatchGetItem', on: 'table' },
    { action: 'events:PutEvents', on: 'bus' },
    { action: 'secretsmanager:GetSecretValue', on: 'secret/pepper' },
    { action: 'secretsmanager:GetSecretValue', on: 'secret/meta' },
    { action: 'secretsmanager:GetSecretValue', on: 'secret/linkedin' },
  ],
  // Saves the score (finding a lead a merge moved through byId), raises the profile's best; LeadScored.
  'enrich-worker': [
    { action: 'dynamodb:GetItem', on: 'table' },
    { action: 'dynamodb:PutItem', on: 'table' },
    { action: 'dynamodb:UpdateItem', on: 'table' },
    { action: 'dynamodb:Query', on: 'index/byId' },
    { action: 'dynamodb:BatchGetItem', on: 'table' },
    { action: 'events:PutEvents', on: 'bus' },
  ],
  // Reads the lead it announces (its item, or through byId when a merge moved it), claims the alert record
  // (a redelivery reads the claim it lost to), records it sent, sets the SLA timers. Contact and score
  // items are out of its reach.
  'slack-notifier': [
    { action: 'dynamodb:GetItem', on: 'table', leadingKeys: [...ALERTS, 'CONTACT#*'] },
    { action: 'dynamodb:Query', on: 'index/byId' },
    { action: 'dynamodb:BatchGetItem', on: 'table' },
    { action: 'dynamodb:PutItem', on: 'table', leadingKeys: ALERTS },
    { action: 'dynamodb:UpdateItem', on: 'table', leadingKeys: ALERTS },
    { action: 'scheduler:CreateSchedule', on: 'slaSchedules' },
    { action: 'iam:PassRole', on: 'slaSchedulerRole' },
    { action: 'secretsmanager:GetSecretValue', on: 'secret/slack' },
  ],
  // A Claim or Not a fit: decides the alert, cancels its timers, publishes LeadClaimed / LeadDisqualified.
  'http-slack': [
    { action: 'dynamodb:GetItem', on: 'table' },
    { action: 'dynamodb:UpdateItem', on: 'table' },
    { action: 'dynamodb:Query', on: 'index/byId' },
    { action: 'dynamodb:BatchGetItem', on: 'table' },
    { action: 'events:PutEvents', on: 'bus' },
    { action: 'scheduler:DeleteSchedule', on: 'slaSchedules' },
    { action: 'secretsmanager:GetSecretValue', on: 'secret/slack' },
  ],
  // An SLA timer: escalates an unclaimed alert and publishes LeadSlaBreached.
  'sla-escalator': [
    { action: 'dynamodb:GetItem', on: 'table' },
    { action: 'dynamodb:UpdateItem', on: 'table' },
    { action: 'dynamodb:Query', on: 'index/byId' },
    { action: 'dynamodb:BatchGetItem', on: 'table' },
    { action: 'events:PutEvents', on: 'bus' },
    { action: 'secretsmanager:GetSecretValue', on: 'secret/slack' },
  ],
  // The sweep reads pending receipts through byId, restarts each one's clock (an update) and queues it; the
  // Meta reconciliation writes receipts like a webhook and publishes SourceConnectionFailed. Receipts only.
  // Meta's secret: the page tokens and app secret of the reconciliation.
  'receipt-sweeper': [
    { action: 'dynamodb:GetItem', on: 'table', leadingKeys: RECEIPTS },
    { action: 'dynamodb:PutItem', on: 'table', leadingKeys: RECEIPTS },
    { action: 'dynamodb:UpdateItem', on: 'table', leadingKeys: RECEIPTS },
    { action: 'dynamodb:BatchGetItem', on: 'table', leadingKeys: RECEIPTS },
    { action: 'dynamodb:Query', on: 'index/byId' },
    { action: 'sqs:SendMessage', on: 'captureQueue' },
    { action: 'events:PutEvents', on: 'bus' },
    { action: 'secretsmanager:GetSecretValue', on: 'secret/meta' },
  ],
} as const satisfies Record<HubFunctionName, readonly Access[]>;

const TARGET_NAMES: Record<
  Exclude<AccessTarget, 'table' | 'index/byId' | 'index/byMonth' | `secret/${SecretGroup}`>,
  string
> = {
  captureQueue: 'capture queue',
  bus: '`leadhub` bus',
  slaSchedules: 'SLA schedule group',
  slaSchedulerRole: 'SLA scheduler role, to EventBridge Scheduler only',
};

const isSecret = (on: AccessTarget): on is `secret/${SecretGroup}` => on.startsWith('secret/');

/** The secrets a function's code reads, by the declaration. */
export function secretsOf(access: readonly Access[]): SecretGroup[] {
  return access.flatMap((g) => (isSecret(g.on) ? [g.on.slice('secret/'.length) as SecretGroup] : []));
}

/** The declaration as the README's table (README "Deploy to AWS"; a test keeps the two the same). */
export function accessTableMarkdown(): string {
  const rows = Object.entries(FUNCTION_ACCESS).map(([name, access]) => {
    const grants: readonly Access[] = access;
    const items = new Map<string, string[]>();
    const indexes: string[] = [];
    const other: string[] = [];
    for (const grant of grants) {
      const action = grant.action.slice(grant.action.indexOf(':') + 1);
      if (grant.on === 'table') {
        const keys = grant.leadingKeys
          ? ` (${grant.leadingKeys.map((k) => `\`${k}\``).join(', ')} only)`
          : '';
        items.set(keys, [...(items.get(keys) ?? []), action]);
      } else if (grant.action === 'dynamodb:Query') {
        indexes.push(`${action} ${grant.on.slice('index/'.length)}`);
      } else if (!isSecret(grant.on)) {
        other.push(`${action} (${TARGET_NAMES[grant.on]})`);
      }
    }
    const table = [...items].map(([keys, actions]) => `${actions.join(', ')}${keys}`).join('; ');
    const secrets = secretsOf(grants).map((g) => `\`${g}\``);
    return `| \`${name}\` | ${table || '–'} | ${indexes.join(', ') || '–'} | ${other.join(', ') || '–'} | ${secrets.join(', ') || '–'} |`;
  });
  return [
    '| function | table items | indexes | other | secrets (GetSecretValue) |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/** What a call asks of the KMS key that encrypts its resource, when that key is a customer-managed one. */
export type KmsAction = 'kms:Decrypt' | 'kms:DescribeKey' | 'kms:Encrypt' | 'kms:GenerateDataKey';
/** The services that use the key on a function's behalf (kms:ViaService `{service}.{region}.amazonaws.com`). */
export type KmsService = 'dynamodb' | 'sqs' | 'secretsmanager';

const TABLE_READ: readonly KmsAction[] = ['kms:Decrypt', 'kms:DescribeKey'];
const TABLE_WRITE: readonly KmsAction[] = [...TABLE_READ, 'kms:Encrypt', 'kms:GenerateDataKey'];

/**
 * The KMS calls each declared action needs of a customer-managed key (`-c kmsKeyArn`), as AWS documents
 * them: SQS's producer needs GenerateDataKey and Decrypt, Secrets Manager's reader Decrypt; DynamoDB's
 * reads and writes as CDK's own table grants have them. Nothing else the functions call is encrypted with
 * the key (the bus is not, only its archive, which EventBridge encrypts itself).
 */
export const KMS_USE: Partial<
  Record<Access['action'], { service: KmsService; actions: readonly KmsAction[] }>
> = {
  'dynamodb:GetItem': { service: 'dynamodb', actions: TABLE_READ },
  'dynamodb:Query': { service: 'dynamodb', actions: TABLE_READ },
  'dynamodb:BatchGetItem': { service: 'dynamodb', actions: TABLE_READ },
  'dynamodb:PutItem': { service: 'dynamodb', actions: TABLE_WRITE },
  'dynamodb:UpdateItem': { service: 'dynamodb', actions: TABLE_WRITE },
  'dynamodb:DeleteItem': { service: 'dynamodb', actions: TABLE_WRITE },
  'sqs:SendMessage': { service: 'sqs', actions: ['kms:GenerateDataKey', 'kms:Decrypt'] },
  'secretsmanager:GetSecretValue': { service: 'secretsmanager', actions: ['kms:Decrypt'] },
};

/** The KMS actions a function needs of the key, by the service that uses it on the function's behalf. */
export function kmsUseOf(access: readonly Access[]): Map<KmsService, KmsAction[]> {
  const use = new Map<KmsService, KmsAction[]>();
  for (const grant of access) {
    const need = KMS_USE[grant.action];
    if (!need) continue;
    const actions = use.get(need.service) ?? [];
    use.set(need.service, [...new Set([...actions, ...need.actions])]);
  }
  return use;
}
