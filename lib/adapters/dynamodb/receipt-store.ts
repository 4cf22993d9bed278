import { gunzipSync, gzipSync } from 'node:zlib';
import {
  InvalidCursorError,
  type Receipt,
  type ReceiptKey,
  type ReceiptPage,
  type ReceiptStore,
} from '../../ports.js';
import { batchGetItems } from './batch-get.js';
import {
  type DocumentClient as DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from './commands.js';
import { conditional, isConditionFailure } from './conditional.js';
import { decodeKeyCursor, encodeKeyCursor } from './cursor.js';
import { TableDesign } from './table-design.js';

/**
 * Default receipt retention, counted from when the receipt is written; capture then applies the
 * configured `privacy.receiptRetentionDays` (at least 4 days: every platform's retry window).
 */
const DEFAULT_RECEIPT_RETENTION_DAYS = 30;
const DAY_SECONDS = 24 * 3600;

/** A receipt item: one per platform lead id of a source. */
const receiptKey = (k: ReceiptKey) => ({
  pk: `RECEIPT#${k.source}#${k.platformLeadId}`,
  sk: 'RECEIPT',
});

/** What the lead store's erasures need of the receipts: the payload gone, nothing else changed. */
export interface ReceiptPayloadEraser {
  erasePayload(k: ReceiptKey, at: string): Promise<void>;
}

type Item = Record<string, unknown>;

const nextDay = (day: string) =>
  new Date(Date.parse(`${day}T00:00:00.000Z`) + DAY_MS).toISOString().slice(0, 10);

/**
 * A failed receipt waits for its replay longer than a handled one: as long as Meta keeps the lead (about
 * 90 days), after which there is nothing left to fetch.
 */
const FAILED_RECEIPT_TTL_SECONDS = 90 * 24 * 3600;

/** Failed and quarantined receipts sit in the sparse byId index under this key until their status changes. */
const receiptsByStatus = (source: string, status: string) => `RECEIPTS#${source}#${status}`;

/**
 * A quarantined receipt's index entry sorts by its expiry, so a listing or count can leave out, by its key
 * condition alone, the receipts past their retention that DynamoDB has not removed yet (dynalite never does).
 */
const quarantineIndexKeys = (k: ReceiptKey, expiresAt: number) => ({
  gsi1pk: receiptsByStatus(k.source, 'quarantined'),
  gsi1sk: `${new Date(expiresAt * 1000).toISOString()}#${k.platformLeadId}`,
});
/** The lowest quarantine sort key still within its retention at `nowS`. */
const unexpiredQuarantineFrom = (nowS: number) => new Date((nowS + 1) * 1000).toISOString();

/** The byId query of one status listing; a quarantine listing leaves out what is past its retention. */
function receiptsByStatusQuery(
  pk: string,
  status: string,
  nowS: number,
): Pick<QueryCommandInput, 'IndexName' | 'KeyConditionExpression' | 'ExpressionAttributeNames'> & {
  ExpressionAttributeValues: Record<string, string>;
} {
  const index = TableDesign.indexes.byId;
  if (status !== 'quarantined') {
    return {
      IndexName: index.name,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': index.partitionKey },
      ExpressionAttributeValues: { ':pk': pk },
    };
  }
  return {
    IndexName: index.name,
    KeyConditionExpression: '#pk = :pk AND #sk >= :from',
    ExpressionAttributeNames: { '#pk': index.partitionKey, '#sk': index.sortKey },
    ExpressionAttributeValues: { ':pk': pk, ':from': unexpiredQuarantineFrom(nowS) },
  };
}

/**
 * Receipts still `received` sit in the sparse byId index under their day bucket (PENDING#yyyy-mm-dd of
 * when they became pending) until their status changes: a sweep reads a bucket with one query, whose sort
 * key range skips the entries still young enough to be in flight. Every source shares a bucket.
 */
const pendingBucket = (iso: string) => `PENDING#${iso.slice(0, 10)}`;
const DAY_MS = DAY_SECONDS * 1000;

interface PendingCursor {
  day: string;
  key?: Record<string, unknown>;
}

function decodePendingCursor(raw: string): PendingCursor {
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as PendingCursor;
    if (typeof c.day !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(c.day)) throw new Error('day');
    if (c.key !== undefined) decodeKeyCursor(encodeKeyCursor(c.key), pendingBucket(c.day));
    return c;
  } catch {
    throw new InvalidCursorError('cursor is not one this API returned');
  }
}
const pendingIndexKeys = (k: ReceiptKey, at: string) => ({
  gsi1pk: pendingBucket(at),
  gsi1sk: `${at}#${k.source}#${k.platformLeadId}`,
});

/**
 * Raw payloads whose JSON is larger than this are stored gzip-compressed, as a Binary attribute. A
 * receipt's other attributes take about 250 bytes, so a payload of about 750 bytes already makes every
 * write of the receipt (its put, then capture's status update) cost a second WRU; JSON compresses to
 * about half at these sizes.
 */
const COMPRESS_PAYLOAD_OVER_BYTES = 512;

function storedPayload(payload: unknown): unknown {
  if (payload === null || payload === undefined) return payload;
  const json = JSON.stringify(payload);
  return Buffer.byteLength(json, 'utf8') > COMPRESS_PAYLOAD_OVER_BYTES ? gzipSync(json) : payload;
}

/** A payload as it was received: a raw payload is JSON, so a Binary one is one that was compressed. */
function payloadFrom(stored: unknown): unknown {
  return stored instanceof Uint8Array ? JSON.parse(gunzipSync(stored).toString('utf8')) : stored;
}

/** Drops the table's own attributes from a receipt item. */
function receiptFrom(item: Record<string, unknown>): Receipt {
  const { pk: _pk, sk: _sk, type: _type, expiresAt: _exp, gsi1pk: _g1pk, gsi1sk: _g1sk, ...receipt } = item;
  return { ...receipt, payload: payloadFrom(receipt.payload) } as unknown as Receipt;
}

/** DynamoDB deletes expired items only eventually (and dynalite never): reads treat them as gone. */
function expired(item: Record<string, unknown>, nowSeconds: number): boolean {
  const at = item.expiresAt;
  return typeof at === 'number' && at <= nowSeconds;
}

/**
 * ReceiptStore on the hub's one DynamoDB table: a receipt is RECEIPT#{source}#{platformLeadId} / RECEIPT.
 * Every write is a single-item, idempotent (conditional) put or update.
 */
export function createDynamoDbReceiptStore(options: {
  doc: DynamoDBDocumentClient;
  tableName: string;
  now?: () => Date;
  /** Retention of a new receipt until capture applies the configured one. */
  receiptRetentionDays?: number;
}): ReceiptStore & ReceiptPayloadEraser {
  const { doc } = options;
  const TableName = options.tableName;
  const now = options.now ?? (() => new Date());
  const nowSeconds = () => Math.floor(now().getTime() / 1000);
  const receiptRetentionDays = options.receiptRetentionDays ?? DEFAULT_RECEIPT_RETENTION_DAYS;

  async function getItem(Key: Record<string, string>): Promise<Record<string, unknown> | undefined> {
    const { Item } = await doc.send(new GetCommand({ TableName, Key, ConsistentRead: true }));
    return Item;
  }

  /** The items behind index entries, in the index's order; entries whose item is gone since are left out. */
  async function itemsAt(entries: readonly Item[]): Promise<Item[]> {
    const items = await batchGetItems(doc, TableName, entries);
    return items.filter((i): i is Item => i !== undefined);
  }

  return {
    /** Removes a receipt's raw payload (an erasure or a platform deletion); a missing receipt is left alone. */
    async erasePayload(k: ReceiptKey, at: string): Promise<void> {
      await conditional(() =>
        doc.send(
          new UpdateCommand({
            TableName,
            Key: receiptKey(k),
            UpdateExpression: 'SET #payload = :null, #erasedAt = if_not_exists(#erasedAt, :at)',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#payload': 'payload', '#erasedAt': 'payloadErasedAt' },
            ExpressionAttributeValues: { ':null': null, ':at': at },
          }),
        ),
      );
    },

    async putReceipt(receipt, options = {}) {
      // Counted on the store's clock (the one reads compare with), not from the receipt's own time.
      const at = now();
      const nowS = Math.floor(at.getTime() / 1000);
      const expiresAt = nowS + (options.retainDays ?? receiptRetentionDays) * DAY_SECONDS;
      // Pending (listable by the sweeper) until capture moves it on; a quarantined one is listable as such.
      const indexKeys =
        receipt.status === 'received'
          ? pendingIndexKeys(receipt, at.toISOString())
          : receipt.status === 'quarantined'
            ? quarantineIndexKeys(receipt, expiresAt)
            : {};
      // An expired receipt is gone even if DynamoDB has not removed it yet: a new delivery replaces it.
      const created = await conditional(() =>
        doc.send(
          new PutCommand({
            TableName,
            Item: {
              ...receiptKey(receipt),
              type: 'receipt',
              ...receipt,
              payload: storedPayload(receipt.payload),
              ...indexKeys,
              expiresAt,
            },
            ConditionExpression: 'attribute_not_exists(pk) OR #exp <= :now',
            ExpressionAttributeNames: { '#exp': TableDesign.ttlAttribute },
            ExpressionAttributeValues: { ':now': nowS },
          }),
        ),
      );
      return created ? 'created' : 'duplicate';
    },

    async getReceipt(k) {
      const Item = await getItem(receiptKey(k));
      if (!Item || expired(Item, nowSeconds())) return undefined;
      return receiptFrom(Item);
    },

    async listReceipts(source, status, limit, rawCursor): Promise<ReceiptPage> {
      const pk = receiptsByStatus(source, status);
      const nowS = nowSeconds();
      const page = await doc.send(
        new QueryCommand({
          TableName,
          ...receiptsByStatusQuery(pk, status, nowS),
          Limit: limit,
          ...(rawCursor ? { ExclusiveStartKey: decodeKeyCursor(rawCursor, pk) } : {}),
        }),
      );
      // The index holds keys only; a receipt whose status moved on since the index was read is left out.
      const receipts = (await itemsAt(page.Items ?? []))
        .filter((i) => !expired(i, nowS) && i[TableDesign.indexes.byId.partitionKey] === pk)
        .map(receiptFrom);
      return page.LastEvaluatedKey
        ? { receipts, cursor: encodeKeyCursor(page.LastEvaluatedKey) }
        : { receipts };
    },

    async countReceipts(source, status) {
      const query = receiptsByStatusQuery(receiptsByStatus(source, status), status, nowSeconds());
      let count = 0;
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await doc.send(
          new QueryCommand({ TableName, ...query, Select: 'COUNT', ExclusiveStartKey }),
        );
        count += page.Count ?? 0;
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return count;
    },

    async recordCaptureFailure(k, error) {
      const names = {
        '#status': 'status',
        '#failures': 'captureFailures',
        '#lastError': 'lastCaptureError',
      };
      const write = (update: string, condition: string) =>
        doc.send(
          new UpdateCommand({
            TableName,
            Key: receiptKey(k),
            UpdateExpression: update,
            ConditionExpression: condition,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ':received': 'received', ':error': error, ':one': 1 },
            ReturnValues: 'UPDATED_NEW',
          }),
        );
      // The same error again counts on; another one starts the count again (two single-item writes).
      try {
        const { Attributes } = await write(
          'SET #failures = #failures + :one, #lastError = :error',
          '#status = :received AND #lastError = :error AND attribute_exists(#failures)',
        );
        return Number(Attributes?.captureFailures);
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
      }
      const first = await conditional(() =>
        write('SET #failures = :one, #lastError = :error', '#status = :received'),
      );
      return first ? 1 : undefined;
    },

    async listPendingReceipts({ since, before, limit, cursor: rawCursor }): Promise<ReceiptPage> {
      const start = rawCursor ? decodePendingCursor(rawCursor) : { day: since.slice(0, 10) };
      const lastDay = before.slice(0, 10);
      const receipts: Receipt[] = [];
      let day = start.day;
      let startKey = start.key;
      while (day <= lastDay) {
        const pk = pendingBucket(day);
        do {
          const page = await doc.send(
            new QueryCommand({
              TableName,
              IndexName: TableDesign.indexes.byId.name,
              // Sort keys are `{at}#{source}#{id}`: BETWEEN takes receipts pending at `since`, not at `before`.
              KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :since AND :before',
              ExpressionAttributeNames: {
                '#pk': TableDesign.indexes.byId.partitionKey,
                '#sk': TableDesign.indexes.byId.sortKey,
              },
              ExpressionAttributeValues: { ':pk': pk, ':since': since, ':before': before },
              Limit: limit - receipts.length,
              ExclusiveStartKey: startKey,
            }),
          );
          const nowS = nowSeconds();
          for (const item of await itemsAt(page.Items ?? [])) {
            if (!expired(item, nowS) && item.status === 'received') receipts.push(receiptFrom(item));
          }
          startKey = page.LastEvaluatedKey;
          if (receipts.length >= limit && (startKey || day < lastDay)) {
            const next: PendingCursor = startKey ? { day, key: startKey } : { day: nextDay(day) };
            return { receipts, cursor: Buffer.from(JSON.stringify(next)).toString('base64url') };
          }
        } while (startKey);
        day = nextDay(day);
      }
      return { receipts };
    },

    async markReceiptSwept(k, at) {
      const pending = pendingIndexKeys(k, at);
      return conditional(() =>
        doc.send(
          new UpdateCommand({
            TableName,
            Key: receiptKey(k),
            UpdateExpression: 'SET #gsi1pk = :gsi1pk, #gsi1sk = :gsi1sk, #sweptAt = :at',
            ConditionExpression: '#status = :received',
            ExpressionAttributeNames: {
              '#gsi1pk': TableDesign.indexes.byId.partitionKey,
              '#gsi1sk': TableDesign.indexes.byId.sortKey,
              '#sweptAt': 'sweptAt',
              '#status': 'status',
            },
            ExpressionAttributeValues: {
              ':gsi1pk': pending.gsi1pk,
              ':gsi1sk': pending.gsi1sk,
              ':at': at,
              ':received': 'received',
            },
          }),
        ),
      );
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
      if (update.erasePayload) {
        names['#payload'] = 'payload';
        names['#payloadErasedAt'] = 'payloadErasedAt';
        values[':null'] = null;
        sets.push('#payload = :null', '#payloadErasedAt = if_not_exists(#payloadErasedAt, :updatedAt)');
      }
      if (update.quarantineKind !== undefined) {
        names['#quarantineKind'] = 'quarantineKind';
        values[':quarantineKind'] = update.quarantineKind;
        sets.push('#quarantineKind = :quarantineKind');
      }
      if (update.retainDays !== undefined && update.status !== 'failed' && update.status !== 'quarantined') {
        names['#expiresAt'] = TableDesign.ttlAttribute;
        values[':expiresAt'] = nowSeconds() + update.retainDays * DAY_SECONDS;
        sets.push('#expiresAt = :expiresAt');
      }
      if (update.status === 'quarantined') {
        // Kept for the receipt retention, listable through the sparse byId index until it moves on.
        const expiresAt = nowSeconds() + (update.retainDays ?? receiptRetentionDays) * DAY_SECONDS;
        const quarantine = quarantineIndexKeys(k, expiresAt);
        values[':gsi1pk'] = quarantine.gsi1pk;
        values[':gsi1sk'] = quarantine.gsi1sk;
        names['#expiresAt'] = TableDesign.ttlAttribute;
        values[':expiresAt'] = expiresAt;
        sets.push('#gsi1pk = :gsi1pk', '#gsi1sk = :gsi1sk', '#expiresAt = :expiresAt');
      } else if (update.status === 'failed') {
        // Listable for replay through the sparse byId index, oldest failure first.
        values[':gsi1pk'] = receiptsByStatus(k.source, 'failed');
        values[':gsi1sk'] = `${at}#${k.platformLeadId}`;
        names['#expiresAt'] = TableDesign.ttlAttribute;
        values[':expiresAt'] = Math.floor(Date.parse(at) / 1000) + FAILED_RECEIPT_TTL_SECONDS;
        sets.push('#gsi1pk = :gsi1pk', '#gsi1sk = :gsi1sk', '#expiresAt = :expiresAt');
      } else if (update.status === 'received') {
        // Back to pending (a replay): the sweeper finds it again if its capture message is lost.
        const pending = pendingIndexKeys(k, at);
        values[':gsi1pk'] = pending.gsi1pk;
        values[':gsi1sk'] = pending.gsi1sk;
        sets.push('#gsi1pk = :gsi1pk', '#gsi1sk = :gsi1sk');
        // A fresh start: earlier capture failures must not quarantine it again at the first new one.
        names['#captureFailures'] = 'captureFailures';
        names['#lastCaptureError'] = 'lastCaptureError';
        removes.push('#captureFailures', '#lastCaptureError');
      } else {
        removes.push('#gsi1pk', '#gsi1sk');
      }
      const guarded = update.unlessStatus ?? [];
      guarded.forEach((status, i) => {
        values[`:unless${i}`] = status;
      });
      const conditions = ['attribute_exists(pk)'];
      if (guarded.length > 0)
        conditions.push(`NOT #status IN (${guarded.map((_, i) => `:unless${i}`).join(', ')})`);
      if (update.onlyIfStatus !== undefined) {
        values[':onlyIf'] = update.onlyIfStatus;
        conditions.push('#status = :onlyIf');
      }
      const written = await conditional(() =>
        doc.send(
          new UpdateCommand({
            TableName,
            Key: receiptKey(k),
            UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
            ConditionExpression: conditions.join(' AND '),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        ),
      );
      if (written) return true;
      // Refused: a missing receipt is an error, as without a guard; a guarded status is an answer.
      const current = await getItem(receiptKey(k));
      const status = current?.status as Receipt['status'] | undefined;
      if (status && (guarded.includes(status) || (update.onlyIfStatus && status !== update.onlyIfStatus)))
        return false;
      throw new Error(`receipt ${k.source}#${k.platformLeadId} does not exist`);
    },
  };
}
