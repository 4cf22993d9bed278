import {
  type AuditPage,
  type AuditQuery,
  type AuditRecord,
  InvalidCursorError,
  type LeadStore,
} from '../../ports.js';
import { batchGetItems } from './batch-get.js';
import { type DocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from './commands.js';
import { conditional } from './conditional.js';
import { decodeKeyCursor, encodeKeyCursor } from './cursor.js';
import { monthOf, previousMonth } from './months.js';
import { TableDesign } from './table-design.js';

/**
 * The privacy audit trail's part of the LeadStore. A record is AUDIT#{auditId} / AUDIT, listed by time in
 * the byMonth index (gsi2pk AUDITS#{yyyy-mm}, gsi2sk {at}#{auditId}); for each contact id it names, an
 * entry AUDIT#{auditId} / CONTACT#{contactId} lists it by contact in the byId index (gsi1pk
 * AUDITS#{contactId}, gsi1sk {at}#{auditId}): one item sits under one index key, and an action can name
 * a person's merged contacts too. Nothing here lives in a contact's partition, so an erasure (which
 * rewrites that partition) leaves the trail alone; DynamoDB's TTL removes it after its retention.
 */
export type AuditStoreMethods = Pick<LeadStore, 'putAudit' | 'completeAudit' | 'listAudit'>;

/** Month buckets one listing call walks at most; the cursor goes on from where it stopped. */
const MONTHS_PER_PAGE = 12;
const { byId, byMonth } = TableDesign.indexes;

type Item = Record<string, unknown>;

const auditKey = (auditId: string) => ({ pk: `AUDIT#${auditId}`, sk: 'AUDIT' });
const contactEntryKey = (auditId: string, contactId: string) => ({
  pk: `AUDIT#${auditId}`,
  sk: `CONTACT#${contactId}`,
});
const auditIdOf = (entry: Item) => String(entry.pk).slice('AUDIT#'.length);
const byContactPk = (contactId: string) => `AUDITS#${contactId}`;
const byMonthPk = (month: string) => `AUDITS#${month}`;
const timeSortKey = (record: Pick<AuditRecord, 'at' | 'auditId'>) => `${record.at}#${record.auditId}`;
const expiresAtOf = (record: Pick<AuditRecord, 'retainUntil'>) =>
  Math.floor(Date.parse(record.retainUntil) / 1000);

function recordFrom(item: Item): AuditRecord {
  const {
    pk: _pk,
    sk: _sk,
    type: _type,
    [TableDesign.ttlAttribute]: _exp,
    [byMonth.partitionKey]: _g2pk,
    [byMonth.sortKey]: _g2sk,
    ...record
  } = item;
  return record as unknown as AuditRecord;
}

interface TimeCursor {
  month: string;
  after?: string;
}

function decodeTimeCursor(raw: string, fromMonth: string, toMonth: string): TimeCursor {
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as TimeCursor;
    if (typeof c.month !== 'string' || !/^\d{4}-\d{2}$/.test(c.month)) throw new Error('month');
    if (c.month < fromMonth || c.month > toMonth) throw new Error('range');
    if (c.after !== undefined && typeof c.after !== 'string') throw new Error('after');
    return c;
  } catch {
    throw new InvalidCursorError('cursor is not one this API returned');
  }
}

const encodeTimeCursor = (c: TimeCursor) => Buffer.from(JSON.stringify(c)).toString('base64url');

/** DynamoDB refuses a start key outside the key condition: such a cursor is one of another query. */
function startKeyWithin(raw: string, pk: string, index: typeof byId, query: AuditQuery): Item {
  const key = decodeKeyCursor(raw, pk, index.partitionKey);
  const sk = key[index.sortKey];
  if (typeof sk !== 'string' || sk < query.from || sk > query.to) {
    throw new InvalidCursorError('cursor is not one this API returned');
  }
  return key;
}

export function createAuditStoreMethods(options: {
  doc: DocumentClient;
  tableName: string;
  now: () => Date;
}): AuditStoreMethods {
  const { doc, tableName: TableName, now } = options;

  /** The index entry under each contact id: plain puts of fixed content, so a retry rewrites the same. */
  async function putContactEntries(record: AuditRecord, contactIds: readonly string[]): Promise<void> {
    for (const contactId of contactIds) {
      await doc.send(
        new PutCommand({
          TableName,
          Item: {
            ...contactEntryKey(record.auditId, contactId),
            type: 'audit-contact',
            auditId: record.auditId,
            contactId,
            [byId.partitionKey]: byContactPk(contactId),
            [byId.sortKey]: timeSortKey(record),
            [TableDesign.ttlAttribute]: expiresAtOf(record),
          },
        }),
      );
    }
  }

  /** The records behind index entries, in the entries' order; gone or expired ones are left out. */
  async function recordsAt(entries: readonly Item[]): Promise<AuditRecord[]> {
    const nowS = Math.floor(now().getTime() / 1000);
    const items = await batchGetItems(
      doc,
      TableName,
      entries.map((e) => auditKey(auditIdOf(e))),
    );
    return items
      .filter((i): i is Item => i !== undefined)
      .filter((i) => !(typeof i[TableDesign.ttlAttribute] === 'number' && (i.expiresAt as number) <= nowS))
      .map(recordFrom);
  }

  async function queryPage(
    index: typeof byId,
    pk: string,
    query: AuditQuery,
    limit: number,
    startKey: Item | undefined,
  ) {
    return doc.send(
      new QueryCommand({
        TableName,
        IndexName: index.name,
        // Sort keys are `{at}#{auditId}`: BETWEEN takes records at `from`, not at `to`.
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#pk': index.partitionKey, '#sk': index.sortKey },
        ExpressionAttributeValues: { ':pk': pk, ':from': query.from, ':to': query.to },
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: startKey,
      }),
    );
  }

  async function listByContact(contactId: string, query: AuditQuery): Promise<AuditPage> {
    const pk = byContactPk(contactId);
    const startKey = query.cursor ? startKeyWithin(query.cursor, pk, byId, query) : undefined;
    const page = await queryPage(byId, pk, query, query.limit, startKey);
    const records = await recordsAt(page.Items ?? []);
    return page.LastEvaluatedKey ? { records, cursor: encodeKeyCursor(page.LastEvaluatedKey) } : { records };
  }

  async function listByTime(query: AuditQuery): Promise<AuditPage> {
    const fromMonth = monthOf(query.from);
    const toMonth = monthOf(query.to);
    const start = query.cursor ? decodeTimeCursor(query.cursor, fromMonth, toMonth) : { month: toMonth };
    const records: AuditRecord[] = [];
    let month = start.month;
    let startKey = start.after ? startKeyWithin(start.after, byMonthPk(month), byMonth, query) : undefined;
    for (let walked = 0; walked < MONTHS_PER_PAGE && month >= fromMonth; walked++) {
      do {
        const page = await queryPage(
          byMonth,
          byMonthPk(month),
          query,
          query.limit - records.length,
          startKey,
        );
        records.push(...(await recordsAt(page.Items ?? [])));
        startKey = page.LastEvaluatedKey;
        if (records.length >= query.limit) {
          if (startKey)
            return { records, cursor: encodeTimeCursor({ month, after: encodeKeyCursor(startKey) }) };
          const older = previousMonth(month);
          return older >= fromMonth ? { records, cursor: encodeTimeCursor({ month: older }) } : { records };
        }
      } while (startKey);
      month = previousMonth(month);
    }
    // Stopped at the walk's limit with months left: the cursor goes on (a page may then hold fewer).
    return month >= fromMonth ? { records, cursor: encodeTimeCursor({ month }) } : { records };
  }

  return {
    async putAudit(record) {
      const item = {
        ...auditKey(record.auditId),
        type: 'audit',
        ...record,
        [byMonth.partitionKey]: byMonthPk(monthOf(record.at)),
        [byMonth.sortKey]: timeSortKey(record),
        [TableDesign.ttlAttribute]: expiresAtOf(record),
      };
      const created = await conditional(() =>
        doc.send(new PutCommand({ TableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' })),
      );
      let stored = record;
      if (!created) {
        const { Item } = await doc.send(
          new GetCommand({ TableName, Key: auditKey(record.auditId), ConsistentRead: true }),
        );
        if (!Item) throw new Error(`audit record ${record.auditId} vanished after a failed create`);
        stored = recordFrom(Item);
      }
      // After the record, so a failure here leaves a record that a retry (finding it) completes.
      await putContactEntries(stored, stored.contactIds);
      return { created, record: stored };
    },

    async completeAudit(record, completion) {
      // Entries for contact ids the action found beyond those recorded go first: should the update then
      // fail, the retry that completes it rewrites them the same.
      const known = new Set(record.contactIds);
      await putContactEntries(
        record,
        completion.contactIds.filter((id) => !known.has(id)),
      );
      const names: Record<string, string> = { '#outcome': 'outcome' };
      const values: Record<string, unknown> = { ':started': 'started' };
      const sets: string[] = [];
      for (const [field, value] of Object.entries(completion)) {
        if (value === undefined) continue;
        names[`#${field}`] = field;
        values[`:${field}`] = value;
        sets.push(`#${field} = :${field}`);
      }
      // A failure only replaces `started`; a success replaces either, and nothing replaces a success.
      let condition = '#outcome = :started';
      if (completion.outcome !== 'failed') {
        values[':failed'] = 'failed';
        condition = '#outcome IN (:started, :failed)';
      }
      return conditional(() =>
        doc.send(
          new UpdateCommand({
            TableName,
            Key: auditKey(record.auditId),
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: condition,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        ),
      );
    },

    async listAudit(query) {
      return query.contactId ? listByContact(query.contactId, query) : listByTime(query);
    },
  };
}
