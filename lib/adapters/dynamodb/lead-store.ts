import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { CONTACT_FIELDS } from '../../lead/model.js';
import {
  type AlertClaim,
  type ConsentRecord,
  type ContactProfile,
  type ContactView,
  InvalidCursorError,
  type LeadPage,
  type LeadScore,
  type LeadStore,
  type Receipt,
  type ReceiptKey,
  type ReceiptPage,
  type StoredLead,
} from '../../ports.js';
import { createAlertStoreMethods } from './alert-store.js';
import { TableDesign } from './table-design.js';

/** Receipts outlive every platform's retry window (Meta 36 h, TikTok ~72 h) by a wide margin. */
const RECEIPT_TTL_SECONDS = 30 * 24 * 3600;
/** A claimed alert whose sender died is claimable again after this lease. */
const ALERT_LEASE_MS = 60_000;
/** How far back GET /api/leads walks the month buckets looking for leads. */
const LIST_MAX_MONTHS_BACK = 36;

const key = {
  receipt: (k: ReceiptKey) => ({ pk: `RECEIPT#${k.source}#${k.platformLeadId}`, sk: 'RECEIPT' }),
  identity: (hash: string) => ({ pk: `IDENTITY#${hash}`, sk: 'IDENTITY' }),
  suppression: (hash: string) => ({ pk: `SUPPRESS#${hash}`, sk: 'SUPPRESS' }),
  profile: (contactId: string) => ({ pk: `CONTACT#${contactId}`, sk: 'PROFILE' }),
  lead: (l: Pick<StoredLead, 'contactId' | 'platformCreatedAt' | 'leadId'>) => ({
    pk: `CONTACT#${l.contactId}`,
    sk: `LEAD#${l.platformCreatedAt}#${l.leadId}`,
  }),
  consent: (c: ConsentRecord) => ({
    pk: `CONTACT#${c.contactId}`,
    sk: `CONSENT#${c.at}#${c.purpose}#${c.leadId}`,
  }),
  alert: (leadId: string) => ({ pk: `ALERT#${leadId}`, sk: 'ALERT' }),
};

const monthOf = (iso: string) => iso.slice(0, 7);

/**
 * A failed receipt waits for its replay longer than a handled one: as long as Meta keeps the lead (about
 * 90 days), after which there is nothing left to fetch.
 */
const FAILED_RECEIPT_TTL_SECONDS = 90 * 24 * 3600;

/** Failed receipts sit in the sparse byId index under this key until their status changes again. */
const receiptsByStatus = (source: string, status: string) => `RECEIPTS#${source}#${status}`;

/** Drops the table's own attributes from a receipt item. */
function receiptFrom(item: Record<string, unknown>): Receipt {
  const { pk: _pk, sk: _sk, type: _type, expiresAt: _exp, gsi1pk: _g1pk, gsi1sk: _g1sk, ...receipt } = item;
  return receipt as unknown as Receipt;
}

function encodeKeyCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeKeyCursor(raw: string, expectedPk: string): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (key === null || typeof key !== 'object' || key.gsi1pk !== expectedPk) throw new Error('key');
    for (const value of Object.values(key)) if (typeof value !== 'string') throw new Error('value');
    return key;
  } catch {
    throw new InvalidCursorError('cursor is not one this API returned');
  }
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException;
}

/** Runs a conditional write; a failed condition means "already there" and is reported as false. */
async function conditional(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

interface Cursor {
  month: string;
  key?: Record<string, unknown>;
}

const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');

function decodeCursor(raw: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Cursor;
    if (typeof c.month !== 'string' || !/^\d{4}-\d{2}$/.test(c.month)) throw new Error('month');
    return c;
  } catch {
    throw new InvalidCursorError('cursor is not one this API returned');
  }
}

function previousMonth(month: string): string {
  const d = new Date(`${month}-01T00:00:00.000Z`);
  d.setUTCMonth(d.getUTCMonth() - 1);
  return monthOf(d.toISOString());
}

/**
 * LeadStore on one DynamoDB table. Every write is a single-item, idempotent (conditional) put or update:
 * at-least-once delivery may run any of them twice, and dynalite has no transactions.
 */
export function createDynamoDbLeadStore(options: {
  doc: DynamoDBDocumentClient;
  tableName: string;
  now?: () => Date;
}): LeadStore {
  const { doc, tableName } = options;
  const now = options.now ?? (() => new Date());
  const TableName = tableName;

  async function queryAll(input: Omit<QueryCommandInput, 'TableName'>): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(new QueryCommand({ ...input, TableName, ExclusiveStartKey }));
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }

  async function getIdentity(keyHash: string): Promise<string | undefined> {
    const { Item } = await doc.send(
      new GetCommand({ TableName, Key: key.identity(keyHash), ConsistentRead: true }),
    );
    return Item?.contactId as string | undefined;
  }

  return {
    getIdentity,

    async putReceipt(receipt) {
      const expiresAt = Math.floor(Date.parse(receipt.receivedAt) / 1000) + RECEIPT_TTL_SECONDS;
      const created = await conditional(() =>
        doc.send(
          new PutCommand({
            TableName,
            Item: { ...key.receipt(receipt), type: 'receipt', ...receipt, expiresAt },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      return created ? 'created' : 'duplicate';
    },

    async getReceipt(k) {
      const { Item } = await doc.send(
        new GetCommand({ TableName, Key: key.receipt(k), ConsistentRead: true }),
      );
      if (!Item) return undefined;
      return receiptFrom(Item);
    },

    async listReceipts(source, status, limit, rawCursor): Promise<ReceiptPage> {
      const pk = receiptsByStatus(source, status);
      const page = await doc.send(
        new QueryCommand({
          TableName,
          IndexName: TableDesign.indexes.byId.name,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': TableDesign.indexes.byId.partitionKey },
          ExpressionAttributeValues: { ':pk': pk },
          Limit: limit,
          ...(rawCursor ? { ExclusiveStartKey: decodeKeyCursor(rawCursor, pk) } : {}),
        }),
      );
      const receipts = (page.Items ?? []).map(receiptFrom);
      return page.LastEvaluatedKey
        ? { receipts, cursor: encodeKeyCursor(page.LastEvaluatedKey) }
        : { receipts };
    },

    async updateReceipt(k, update) {
      const at = now().toISOString();
      const names: Record<string, string> = {
        '#status': 'status',
        '#updatedAt': 'updatedAt',
        '#gsi1pk': TableDesign.indexes.byId.partitionKey,
        '#gsi1sk': TableDesign.indexes.byId.sortKey,
      };
      const values: Record<string, unknown> = { ':status': update.status, ':updatedAt': at };
      const sets = ['#status = :status', '#updatedAt = :updatedAt'];
      const removes: string[] = [];
      for (const field of ['statusReason', 'leadId', 'contactId'] as const) {
        if (update[field] === undefined) {
          // A reason belongs to the status it explains; an older one would mislabel the new status.
          if (field === 'statusReason') {
            names['#statusReason'] = 'statusReason';
            removes.push('#statusReason');
          }
          continue;
        }
        names[`#${field}`] = field;
        values[`:${field}`] = update[field];
        sets.push(`#${field} = :${field}`);
      }
      if (update.status === 'failed') {
        // Listable for replay through the sparse byId index, oldest failure first.
        values[':gsi1pk'] = receiptsByStatus(k.source, 'failed');
        values[':gsi1sk'] = `${at}#${k.platformLeadId}`;
        names['#expiresAt'] = TableDesign.ttlAttribute;
        values[':expiresAt'] = Math.floor(Date.parse(at) / 1000) + FAILED_RECEIPT_TTL_SECONDS;
        sets.push('#gsi1pk = :gsi1pk', '#gsi1sk = :gsi1sk', '#expiresAt = :expiresAt');
      } else {
        removes.push('#gsi1pk', '#gsi1sk');
      }
      await doc.send(
        new UpdateCommand({
          TableName,
          Key: key.receipt(k),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    },

    async isSuppressed(keyHashes) {
      for (const hash of keyHashes) {
        const { Item } = await doc.send(
          new GetCommand({ TableName, Key: key.suppression(hash), ConsistentRead: true }),
        );
        if (Item) return true;
      }
      return false;
    },

    async claimIdentity(keyHash, contactId) {
      const claimed = await conditional(() =>
        doc.send(
          new PutCommand({
            TableName,
            Item: { ...key.identity(keyHash), type: 'identity', contactId, createdAt: now().toISOString() },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      if (claimed) return { contactId, claimed: true };
      const holder = await getIdentity(keyHash);
      if (!holder) throw new Error('identity key vanished after a failed claim');
      return { contactId: holder, claimed: holder === contactId };
    },

    async upsertContact(profile, leadId) {
      // Latest lead wins for each field it carries; counters move once per lead (leadIds guards re-runs).
      const names: Record<string, string> = {
        '#createdAt': 'createdAt',
        '#updatedAt': 'updatedAt',
        '#lastLeadAt': 'lastLeadAt',
        '#leadCount': 'leadCount',
        '#leadIds': 'leadIds',
        '#sources': 'sources',
        '#contactId': 'contactId',
        '#type': 'type',
      };
      const values: Record<string, unknown> = {
        ':createdAt': profile.createdAt,
        ':updatedAt': profile.updatedAt,
        ':lastLeadAt': profile.lastLeadAt,
        ':one': 1,
        ':leadIdSet': new Set([leadId]),
        ':leadId': leadId,
        ':sources': new Set(profile.sources),
        ':contactId': profile.contactId,
        ':type': 'contact',
      };
      const sets = [
        '#createdAt = if_not_exists(#createdAt, :createdAt)',
        '#updatedAt = :updatedAt',
        '#lastLeadAt = :lastLeadAt',
        '#contactId = :contactId',
        '#type = :type',
      ];
      for (const field of CONTACT_FIELDS) {
        if (profile[field] === undefined) continue;
        names[`#${field}`] = field;
        values[`:${field}`] = profile[field];
        sets.push(`#${field} = :${field}`);
      }
      await conditional(() =>
        doc.send(
          new UpdateCommand({
            TableName,
            Key: key.profile(profile.contactId),
            UpdateExpression: `SET ${sets.join(', ')} ADD #leadCount :one, #leadIds :leadIdSet, #sources :sources`,
            ConditionExpression: 'attribute_not_exists(pk) OR NOT contains(#leadIds, :leadId)',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        ),
      );
    },

    async putLead(lead) {
      await conditional(() =>
        doc.send(
          new PutCommand({
            TableName,
            Item: {
              ...key.lead(lead),
              type: 'lead',
              gsi1pk: `LEAD#${lead.leadId}`,
              gsi1sk: 'LEAD',
              gsi2pk: `MONTH#${monthOf(lead.receivedAt)}`,
              gsi2sk: `${lead.receivedAt}#${lead.leadId}`,
              lead,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    },

    async putConsent(record) {
      await conditional(() =>
        doc.send(
          new PutCommand({
            TableName,
            Item: { ...key.consent(record), type: 'consent', record },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    },

    async saveScore(lead, score: LeadScore) {
      await doc.send(
        new UpdateCommand({
          TableName,
          Key: key.lead(lead),
          UpdateExpression: 'SET #lead.#scoring = :scoring',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#lead': 'lead', '#scoring': 'scoring' },
          ExpressionAttributeValues: { ':scoring': score },
        }),
      );
      // The profile keeps the best score seen and the stage that came with it.
      await conditional(() =>
        doc.send(
          new UpdateCommand({
            TableName,
            Key: key.profile(lead.contactId),
            UpdateExpression: 'SET #best = :score, #stage = :stage',
            ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#best) OR #best < :score)',
            ExpressionAttributeNames: { '#best': 'bestScore', '#stage': 'lifecycleStage' },
            ExpressionAttributeValues: { ':score': score.score, ':stage': score.stage },
          }),
        ),
      );
    },

    async getLead(leadId) {
      const { Items } = await doc.send(
        new QueryCommand({
          TableName,
          IndexName: TableDesign.indexes.byId.name,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': TableDesign.indexes.byId.partitionKey },
          ExpressionAttributeValues: { ':pk': `LEAD#${leadId}` },
          Limit: 1,
        }),
      );
      return Items?.[0]?.lead as StoredLead | undefined;
    },

    async listLeads(limit, rawCursor): Promise<LeadPage> {
      const start = rawCursor ? decodeCursor(rawCursor) : { month: monthOf(now().toISOString()) };
      const leads: StoredLead[] = [];
      let month = start.month;
      let startKey = start.key;
      for (let walked = 0; walked < LIST_MAX_MONTHS_BACK; walked++) {
        do {
          const page = await doc.send(
            new QueryCommand({
              TableName,
              IndexName: TableDesign.indexes.byMonth.name,
              KeyConditionExpression: '#pk = :pk',
              ExpressionAttributeNames: { '#pk': TableDesign.indexes.byMonth.partitionKey },
              ExpressionAttributeValues: { ':pk': `MONTH#${month}` },
              ScanIndexForward: false,
              Limit: limit - leads.length,
              ExclusiveStartKey: startKey,
            }),
          );
          for (const item of page.Items ?? []) leads.push(item.lead as StoredLead);
          startKey = page.LastEvaluatedKey;
          if (leads.length >= limit) {
            const next = startKey ? { month, key: startKey } : { month: previousMonth(month) };
            return { leads, cursor: encodeCursor(next) };
          }
        } while (startKey);
        month = previousMonth(month);
      }
      return { leads };
    },

    async getContact(contactId) {
      const items = await queryAll({
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `CONTACT#${contactId}` },
      });
      const profileItem = items.find((i) => i.sk === 'PROFILE');
      if (!profileItem) return undefined;
      const { pk: _pk, sk: _sk, type: _type, leadIds: _leadIds, sources, ...profile } = profileItem;
      const view: ContactView = {
        profile: {
          ...(profile as Omit<ContactProfile, 'sources'>),
          sources: [...((sources as Set<string>) ?? [])].sort(),
        } as ContactProfile,
        leads: items
          .filter((i) => String(i.sk).startsWith('LEAD#'))
          .map((i) => i.lead as StoredLead)
          .reverse(),
        consents: items
          .filter((i) => String(i.sk).startsWith('CONSENT#'))
          .map((i) => i.record as ConsentRecord),
      };
      return view;
    },

    async claimAlert(leadId, at): Promise<AlertClaim> {
      const atMs = Date.parse(at);
      const claimed = await conditional(() =>
        doc.send(
          new PutCommand({
            TableName,
            Item: {
              ...key.alert(leadId),
              type: 'alert',
              leadId,
              status: 'sending',
              claimedAt: at,
              leaseUntil: atMs + ALERT_LEASE_MS,
            },
            ConditionExpression:
              'attribute_not_exists(pk) OR #status = :failed OR (#status = :sending AND #lease < :now)',
            ExpressionAttributeNames: { '#status': 'status', '#lease': 'leaseUntil' },
            ExpressionAttributeValues: { ':failed': 'failed', ':sending': 'sending', ':now': atMs },
          }),
        ),
      );
      if (claimed) return { claimed: true };
      const { Item } = await doc.send(
        new GetCommand({ TableName, Key: key.alert(leadId), ConsistentRead: true }),
      );
      return { claimed: false, status: String(Item?.status ?? 'unknown') };
    },

    async completeAlert(leadId, update) {
      await doc.send(
        new UpdateCommand({
          TableName,
          Key: key.alert(leadId),
          UpdateExpression: 'SET #status = :status, #completedAt = :at, #detail = :detail',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: {
            '#status': 'status',
            '#completedAt': 'completedAt',
            '#detail': 'detail',
          },
          ExpressionAttributeValues: {
            ':status': update.status,
            ':at': update.at,
            ':detail': update.detail ?? null,
          },
        }),
      );
    },

    ...createAlertStoreMethods({ doc, tableName }),
  };
}
