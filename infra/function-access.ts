import type { TableDesign } from '../lib/adapters/dynamodb/table-design.js';
import type { HubFunctionName } from './constructs/hub-function.js';

/**
 * What each LeadHub Lambda's code calls, and on what: the one declaration the stack builds every function's
 * IAM policy from (infra/stacks/leadhub-stack.ts; no broad grants besides), checked against use by
 * test/infra/grants-match-use.test.ts, which runs each function's entry point through its scenarios,
 * records every AWS call it makes, and fails on a call its policy lacks or a grant no scenario used.
 * No CDK imports here, so the README's table and the tests read it as plain data.
 *
 * A new call needs one line here (and a scenario in that test that makes it). Grants the Lambda service
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
  | { action: 'secretsmanager:GetSecretValue'; on: 'secret' }
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
  // queues it: nothing else of the table is within its reach.
  'http-forms': [
    { action: 'dynamodb:GetItem', on: 'table', leadingKeys: FORM_RECEIPTS },
    { action: 'dynamodb:PutItem', on: 'table', leadingKeys: FORM_RECEIPTS },
    { action: 'sqs:SendMessage', on: 'captureQueue' },
    { action: 'secretsmanager:GetSecretValue', on: 'secret' },
  ],
  // Platform webhooks write receipts and queue them; a LinkedIn DELETED publishes LeadDeleted, then strips
  // the stored lead (its item, score, consents, profile and raw receipt).
  'http-webhooks': [
    { action: 'dynamodb:GetItem', on: 'table' },
    { action: 'dynamodb:PutItem', on: 'table' },
    { action: 'dynamodb:UpdateItem', on: 'table' },
    { action: 'dynamodb:Query', on: 'table' },
    { action: 'dynamodb:Query', on: 'index/byId' },
    { action: 'dynamodb:BatchGetItem', on: 'table' },
    { action: 'sqs:SendMessage', on: 'captureQueue' },
    { action: 'events:PutEvents', on: 'bus' },
    { action: 'secretsmanager:GetSecretValue', on: 'secret' },
  ],
  // Reads only: leads by id and by month, contacts, speed-to-lead timings.
  'http-admin': [
    { action: 'dynamodb:GetItem', on: 'table' },
    { action: 'dynamodb:Query', on: 'table' },
    { action: 'dynamodb:Query', on: 'index/byId' },
    { action: 'dynamodb:Query', on: 'index/byMonth' },
    { action: 'dynamodb:BatchGetItem', on: 'table' },
    { action: 'secretsmanager:GetSecretValue', on: 'secret' },
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
    { action: 'secretsmanager:GetSecretValue', on: 'secret' },
  ],
  // Capture resolves identities and merges contacts (a merge moves items: put, then delete the original).
  'capture-worker': [
    { action: 'dynamodb:GetItem', on: 'table' },
    { action: 'dynamodb:PutItem', on: 'table' },
    { action: 'dynamodb:UpdateItem', on: 'table' },
    { action: 'dynamodb:DeleteItem', on: 'table' },
    { action: 'dynamodb:Query', on: 'table' },
    { action: 'dynamodb:Query', on: 'index/byId' },
    { action: 'dynamodb:BatchGetItem', on: 'table' },
    { action: 'events:PutEvents', on: 'bus' },
    { action: 'secretsmanager:GetSecretValue', on: 'secret' },
  ],
  // Saves the score (finding a lead a merge moved through byId), raises the profile's best; LeadScored.
  'enrich-worker': [
    { action: 'dynamodb:GetItem', on: 'table' },
    { action: 'dynamodb:PutItem', on: 'table' },
    { action: 'dynamodb:UpdateItem', on: 'table' },
    { action: 'dynamodb:Query', on: 'index/byId' },
    { action: 'dynamodb:BatchGetItem', on: 'table' },
    { action: 'events:PutEvents', on: 'bus' },
    { action: 'secretsmanager:GetSecretValue', on: 'secret' },
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
    { action: 'secretsmanager:GetSecretValue', on: 'secret' },
  ],
  // A Claim or Not a fit: decides the alert, cancels its timers, publishes LeadClaimed / LeadDisqualified.
  'http-slack': [
    { action: 'dynamodb:GetItem', on: 'table' },
    { action: 'dynamodb:UpdateItem', on: 'table' },
    { action: 'dynamodb:Query', on: 'index/byId' },
    { action: 'dynamodb:BatchGetItem', on: 'table' },
    { action: 'events:PutEvents', on: 'bus' },
    { action: 'scheduler:DeleteSchedule', on: 'slaSchedules' },
    { action: 'secretsmanager:GetSecretValue', on: 'secret' },
  ],
  // An SLA timer: escalates an unclaimed alert and publishes LeadSlaBreached.
  'sla-escalator': [
    { action: 'dynamodb:GetItem', on: 'table' },
    { action: 'dynamodb:UpdateItem', on: 'table' },
    { action: 'dynamodb:Query', on: 'index/byId' },
    { action: 'dynamodb:BatchGetItem', on: 'table' },
    { action: 'events:PutEvents', on: 'bus' },
    { action: 'secretsmanager:GetSecretValue', on: 'secret' },
  ],
  // The sweep reads pending receipts through byId, restarts each one's clock (an update) and queues it; the
  // Meta reconciliation writes receipts like a webhook and publishes SourceConnectionFailed. Receipts only.
  'receipt-sweeper': [
    { action: 'dynamodb:GetItem', on: 'table', leadingKeys: RECEIPTS },
    { action: 'dynamodb:PutItem', on: 'table', leadingKeys: RECEIPTS },
    { action: 'dynamodb:UpdateItem', on: 'table', leadingKeys: RECEIPTS },
    { action: 'dynamodb:BatchGetItem', on: 'table', leadingKeys: RECEIPTS },
    { action: 'dynamodb:Query', on: 'index/byId' },
    { action: 'sqs:SendMessage', on: 'captureQueue' },
    { action: 'events:PutEvents', on: 'bus' },
    { action: 'secretsmanager:GetSecretValue', on: 'secret' },
  ],
} as const satisfies Record<HubFunctionName, readonly Access[]>;

const TARGET_NAMES: Record<
  Exclude<AccessTarget, 'table' | 'index/byId' | 'index/byMonth' | 'secret'>,
  string
> = {
  captureQueue: 'capture queue',
  bus: '`leadhub` bus',
  slaSchedules: 'SLA schedule group',
  slaSchedulerRole: 'SLA scheduler role, to EventBridge Scheduler only',
};

/**
 * The declaration as the README's table (README "Deploy to AWS"; a test keeps the two the same). Every
 * function also reads the one secret, which the README says once, below the table.
 */
export function accessTableMarkdown(): string {
  const rows = Object.entries(FUNCTION_ACCESS).map(([name, access]) => {
    const grants: readonly Access[] = access;
    if (!grants.some((g) => g.on === 'secret')) throw new Error(`${name} does not read the secret`);
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
      } else if (grant.on !== 'secret') {
        other.push(`${action} (${TARGET_NAMES[grant.on]})`);
      }
    }
    const table = [...items].map(([keys, actions]) => `${actions.join(', ')}${keys}`).join('; ');
    return `| \`${name}\` | ${table || '–'} | ${indexes.join(', ') || '–'} | ${other.join(', ') || '–'} |`;
  });
  return ['| function | table items | indexes | other |', '|---|---|---|---|', ...rows].join('\n');
}
