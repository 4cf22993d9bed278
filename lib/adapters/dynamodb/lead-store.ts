import { randomUUID } from 'node:crypto';
import { CONSENT_PERSONAL_FIELDS, proofOf } from '../../consent/ledger.js';
import {
  CONTACT_FIELDS,
  type ContactField,
  campaignAttribution,
  pickContactFields,
} from '../../lead/model.js';
import {
  type AlertClaim,
  type ConsentProof,
  type ConsentRecord,
  type ContactProfile,
  type ContactRef,
  type ContactTombstone,
  type ContactView,
  type ErasureRecord,
  InvalidCursorError,
  type LeadDeletionReason,
  type LeadPage,
  type LeadScore,
  type LeadStore,
  type MergeRecord,
  type StoredLead,
} from '../../ports.js';
import { createAlertStoreMethods } from './alert-store.js';
import { createAuditStoreMethods } from './audit-store.js';
import { batchGetItems } from './batch-get.js';
import {
  DeleteCommand,
  type DocumentClient as DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from './commands.js';
import { conditional, isConditionFailure } from './conditional.js';
import { monthOf, previousMonth } from './months.js';
import { createDynamoDbReceiptStore } from './receipt-store.js';
import { TableDesign } from './table-design.js';

/** A claimed alert whose sender died is claimable again after this lease. */
const ALERT_LEASE_MS = 60_000;
/** How far back GET /api/leads walks the month buckets looking for leads. */
const LIST_MAX_MONTHS_BACK = 36;

const key = {
  identity: (hash: string) => ({ pk: `IDENTITY#${hash}`, sk: 'IDENTITY' }),
  suppression: (hash: string) => ({ pk: `SUPPRESS#${hash}`, sk: 'SUPPRESS' }),
  profile: (contactId: string) => ({ pk: `CONTACT#${contactId}`, sk: 'PROFILE' }),
  lead: (l: Pick<StoredLead, 'contactId' | 'platformCreatedAt' | 'leadId'>) => ({
    pk: `CONTACT#${l.contactId}`,
    sk: `LEAD#${l.platformCreatedAt}#${l.leadId}`,
  }),
  consent: (c: ConsentRecord) => ({
    pk: `CONTACT#${c.contactId}`,
    sk: `CONSENT#${c.at}#${c.purpose}#${c.leadId ?? c.recordId ?? ''}`,
  }),
  alert: (leadId: string) => ({ pk: `ALERT#${leadId}`, sk: 'ALERT' }),
  score: (leadId: string) => ({ pk: `SCORE#${leadId}`, sk: 'SCORE' }),
  merge: (survivorId: string, mergedId: string) => ({
    pk: `CONTACT#${survivorId}`,
    sk: `MERGED#${mergedId}`,
  }),
  tombstone: (contactId: string) => ({ pk: `CONTACT#${contactId}`, sk: 'TOMBSTONE' }),
  erasure: (keyHash: string) => ({ pk: `ERASURE#${keyHash}`, sk: 'ERASURE' }),
};

/** Identity items sit in the sparse byId index under their contact, so a contact's keys can be listed. */
const identitiesOf = (contactId: string) => `IDENTITIES#${contactId}`;

/** A lead's item attributes for the two indexes. */
function leadIndexKeys(lead: StoredLead) {
  return {
    gsi1pk: `LEAD#${lead.leadId}`,
    gsi1sk: 'LEAD',
    gsi2pk: `MONTH#${monthOf(lead.receivedAt)}`,
    gsi2sk: `${lead.receivedAt}#${lead.leadId}`,
  };
}

/**
 * What is left of a lead once its personal data goes: ids, campaign attribution (without landing URL,
 * referrer and click ids, which can identify the click), consent choices (notice texts, no PII), timings
 * and the score without its reasons and enrichment (they name the email domain).
 */
export function strippedLead(lead: StoredLead, reason: LeadDeletionReason, at: string): StoredLead {
  return {
    leadId: lead.leadId,
    contactId: lead.contactId,
    source: lead.source,
    platformLeadId: lead.platformLeadId,
    platformCreatedAt: lead.platformCreatedAt,
    receivedAt: lead.receivedAt,
    capturedAt: lead.capturedAt,
    isTest: lead.isTest,
    answers: [],
    attribution: campaignAttribution(lead.attribution),
    consents: lead.consents,
    context: {},
    ...(lead.scoring ? { scoring: strippedScore(lead.scoring) } : {}),
    deletedAt: lead.deletedAt ?? at,
    deletedReason: lead.deletedReason === 'erased' ? 'erased' : reason,
  };
}

/** A score without its reasons and enrichment (they name the email domain). */
function strippedScore(scoring: LeadScore): LeadScore {
  return {
    score: scoring.score,
    grade: scoring.grade,
    stage: scoring.stage,
    scoredAt: scoring.scoredAt,
    breakdown: { ...scoring.breakdown, reasons: [] },
    enrichment: {},
  };
}

/**
 * A stored lead as readers see it: the lead item's lead with the score from its score item. A lead scored
 * before scores had their own item carries its score inline, which stands when there is no score item.
 */
function withScore(lead: StoredLead, scoreItem: Record<string, unknown> | undefined): StoredLead {
  const scoring = scoreItem?.scoring as LeadScore | undefined;
  return scoring ? { ...lead, scoring } : lead;
}

/** A consent record without its personal parts; the proof stays. */
function strippedConsent(record: ConsentRecord, at: string): ConsentRecord {
  const copy: Record<string, unknown> = { ...record };
  for (const field of CONSENT_PERSONAL_FIELDS) delete copy[field];
  return { ...(copy as unknown as ConsentRecord), erasedAt: record.erasedAt ?? at };
}

function hasPersonalParts(record: ConsentRecord): boolean {
  return CONSENT_PERSONAL_FIELDS.some((f) => record[f] !== undefined);
}

function mergeRecordFrom(item: Record<string, unknown>): MergeRecord {
  const { pk: _pk, sk: _sk, type: _type, ...record } = item;
  return record as unknown as MergeRecord;
}

type Item = Record<string, unknown>;

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

/**
 * LeadStore on one DynamoDB table. Every write is a single-item, idempotent (conditional) put or update:
 * at-least-once delivery may run any of them twice, and dynalite has no transactions.
 */
export function createDynamoDbLeadStore(options: {
  doc: DynamoDBDocumentClient;
  tableName: string;
  now?: () => Date;
  /** How long a claimed alert stays claimed when its sender never completes it (default 60 s). */
  alertLeaseMs?: number;
}): LeadStore {
  const { doc, tableName } = options;
  const now = options.now ?? (() => new Date());
  const TableName = tableName;
  // Erasures and platform deletions remove the receipt's raw payload too.
  const { erasePayload } = createDynamoDbReceiptStore(options);

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

  async function getItem(Key: Record<string, string>): Promise<Record<string, unknown> | undefined> {
    const { Item } = await doc.send(new GetCommand({ TableName, Key, ConsistentRead: true }));
    return Item;
  }

  async function putIfAbsent(Item: Record<string, unknown>): Promise<boolean> {
    return conditional(() =>
      doc.send(new PutCommand({ TableName, Item, ConditionExpression: 'attribute_not_exists(pk)' })),
    );
  }

  async function contactItems(contactId: string): Promise<Record<string, unknown>[]> {
    return queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `CONTACT#${contactId}` },
      ConsistentRead: true,
    });
  }

  async function listContactIdentities(contactId: string): Promise<string[]> {
    const items = await queryAll({
      IndexName: TableDesign.indexes.byId.name,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': TableDesign.indexes.byId.partitionKey },
      ExpressionAttributeValues: { ':pk': identitiesOf(contactId) },
    });
    return items.map((i) => String(i.pk).slice('IDENTITY#'.length));
  }

  /**
   * All copies of a lead found through the byId index (one, or two for a moment while a merge moves it),
   * the copy placed last first, and its score item: one query for the keys, one BatchGetItem for the items.
   */
  async function findLead(leadId: string): Promise<{ items: Item[]; score?: Item }> {
    const { Items } = await doc.send(
      new QueryCommand({
        TableName,
        IndexName: TableDesign.indexes.byId.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': TableDesign.indexes.byId.partitionKey },
        ExpressionAttributeValues: { ':pk': `LEAD#${leadId}` },
      }),
    );
    if (!Items || Items.length === 0) return { items: [] };
    const [score, ...copies] = await batchGetItems(doc, TableName, [key.score(leadId), ...Items]);
    // The copy placed last is where the lead lives now.
    const items = copies
      .filter((i): i is Item => i !== undefined)
      .sort((a, b) => String(b.placedAt ?? '').localeCompare(String(a.placedAt ?? '')));
    return score ? { items, score } : { items };
  }

  /** The items behind index entries, in the index's order; entries whose item is gone since are left out. */
  async function itemsAt(entries: readonly Item[]): Promise<Item[]> {
    const items = await batchGetItems(doc, TableName, entries);
    return items.filter((i): i is Item => i !== undefined);
  }

  /** The stored leads of lead items, each with its score item's score. */
  async function leadsWithScores(items: readonly Item[]): Promise<StoredLead[]> {
    const leads = items.map((i) => i.lead as StoredLead);
    const scores = await batchGetItems(
      doc,
      TableName,
      leads.map((l) => key.score(l.leadId)),
    );
    return leads.map((lead, n) => withScore(lead, scores[n]));
  }

  /**
   * Marks a lead's score item deleted (creating it when the lead was never scored), which refuses every
   * later saveScore, then strips the score it holds the way strippedLead strips a lead. Marking first
   * means no score can land between the read of the score and its stripped rewrite.
   */
  async function stripScoreItem(leadId: string, at: string): Promise<void> {
    const { Attributes } = await doc.send(
      new UpdateCommand({
        TableName,
        Key: key.score(leadId),
        UpdateExpression: 'SET #deletedAt = if_not_exists(#deletedAt, :at), #type = :type, #leadId = :leadId',
        ExpressionAttributeNames: { '#deletedAt': 'deletedAt', '#type': 'type', '#leadId': 'leadId' },
        ExpressionAttributeValues: { ':at': at, ':type': 'score', ':leadId': leadId },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const scoring = Attributes?.scoring as LeadScore | undefined;
    if (!scoring) return;
    if (scoring.breakdown.reasons.length === 0 && Object.keys(scoring.enrichment ?? {}).length === 0) return;
    await doc.send(new PutCommand({ TableName, Item: { ...Attributes, scoring: strippedScore(scoring) } }));
  }

  /** Replaces a lead item with its stripped form (same keys and indexes, PII gone). */
  async function putStrippedLead(
    item: Record<string, unknown>,
    reason: LeadDeletionReason,
    at: string,
  ): Promise<StoredLead> {
    const lead = strippedLead(item.lead as StoredLead, reason, at);
    const { lead: _lead, ...rest } = item;
    await doc.send(
      new PutCommand({
        TableName,
        Item: { ...rest, deletedAt: lead.deletedAt, deletedReason: lead.deletedReason, lead },
      }),
    );
    return lead;
  }

  async function stripConsentsOf(
    items: readonly Record<string, unknown>[],
    at: string,
    leadId?: string,
  ): Promise<ConsentProof[]> {
    const proofs: ConsentProof[] = [];
    for (const item of items) {
      if (!String(item.sk).startsWith('CONSENT#')) continue;
      const record = item.record as ConsentRecord;
      if (leadId !== undefined && record.leadId !== leadId) continue;
      proofs.push(proofOf(record));
      if (!hasPersonalParts(record)) continue;
      await doc.send(new PutCommand({ TableName, Item: { ...item, record: strippedConsent(record, at) } }));
    }
    return proofs;
  }

  /** Keeps the best score and its stage on a profile. */
  async function raiseBestScore(contactId: string, score: Pick<LeadScore, 'score' | 'stage'>) {
    await conditional(() =>
      doc.send(
        new UpdateCommand({
          TableName,
          Key: key.profile(contactId),
          UpdateExpression: 'SET #best = :score, #stage = :stage',
          ConditionExpression:
            'attribute_exists(pk) AND attribute_not_exists(#erasedAt) AND ' +
            '(attribute_not_exists(#best) OR #best < :score)',
          ExpressionAttributeNames: {
            '#best': 'bestScore',
            '#stage': 'lifecycleStage',
            '#erasedAt': 'erasedAt',
          },
          ExpressionAttributeValues: { ':score': score.score, ':stage': score.stage },
        }),
      ),
    );
  }

  async function upsertContact(profile: ContactProfile, leadId: string): Promise<void> {
    // Counters move once per lead (leadIds guards re-runs); fields follow the latest lead (by its
    // platform time), so an older lead that arrives late (or moves in with a merge) only fills gaps. An
    // erased profile takes nothing.
    const fields = CONTACT_FIELDS.filter((f) => profile[f] !== undefined);
    const names: Record<string, string> = {
      '#createdAt': 'createdAt',
      '#contactId': 'contactId',
      '#type': 'type',
      '#leadCount': 'leadCount',
      '#leadIds': 'leadIds',
      '#sources': 'sources',
      '#erasedAt': 'erasedAt',
      '#updatedAt': 'updatedAt',
      '#lastLeadAt': 'lastLeadAt',
    };
    const values: Record<string, unknown> = {
      ':createdAt': profile.createdAt,
      ':contactId': profile.contactId,
      ':type': 'contact',
      ':one': 1,
      ':leadIdSet': new Set([leadId]),
      ':leadId': leadId,
      ':sources': new Set(profile.sources),
      ':updatedAt': profile.updatedAt,
      ':lastLeadAt': profile.lastLeadAt,
    };
    for (const field of fields) {
      names[`#${field}`] = field;
      values[`:${field}`] = profile[field];
    }
    const identity =
      'SET #createdAt = if_not_exists(#createdAt, :createdAt), #contactId = :contactId, #type = :type';
    const counters = 'ADD #leadCount :one, #leadIds :leadIdSet, #sources :sources';
    const newLead = '(attribute_not_exists(pk) OR NOT contains(#leadIds, :leadId))';
    const newest = '(attribute_not_exists(#lastLeadAt) OR #lastLeadAt <= :lastLeadAt)';
    const fieldSets = [
      '#updatedAt = :updatedAt',
      '#lastLeadAt = :lastLeadAt',
      ...fields.map((f) => `#${f} = :${f}`),
    ];
    /** One conditional update, with exactly the placeholders its expressions use. */
    const update = (expression: string, condition: string) => {
      const fullCondition = `${condition} AND attribute_not_exists(#erasedAt)`;
      const used = new Set(`${expression} ${fullCondition}`.match(/[#:][A-Za-z]+/g));
      return conditional(() =>
        doc.send(
          new UpdateCommand({
            TableName,
            Key: key.profile(profile.contactId),
            UpdateExpression: expression,
            ConditionExpression: fullCondition,
            ExpressionAttributeNames: Object.fromEntries(Object.entries(names).filter(([k]) => used.has(k))),
            ExpressionAttributeValues: Object.fromEntries(
              Object.entries(values).filter(([k]) => used.has(k)),
            ),
          }),
        ),
      );
    };

    // The common case, a new lead that is the person's latest: one write.
    if (await update(`${identity}, ${fieldSets.join(', ')} ${counters}`, `${newLead} AND ${newest}`)) return;
    await update(`${identity} ${counters}`, newLead);
    if (await update(`SET ${fieldSets.join(', ')}`, `attribute_exists(pk) AND ${newest}`)) return;
    if (fields.length === 0) return;
    await update(
      `SET #updatedAt = :updatedAt, ${fields.map((f) => `#${f} = if_not_exists(#${f}, :${f})`).join(', ')}`,
      'attribute_exists(pk)',
    );
  }

  /** Rebuilds a profile's fields from its live leads (latest lead wins), after one lost its data. */
  async function rebuildProfile(contactId: string): Promise<void> {
    const items = await contactItems(contactId);
    const live = items
      .filter((i) => String(i.sk).startsWith('LEAD#') && !i.deletedAt)
      .map((i) => i.lead as StoredLead)
      .sort((a, b) => a.platformCreatedAt.localeCompare(b.platformCreatedAt));
    const fields: Partial<Record<ContactField, string>> = {};
    for (const lead of live) Object.assign(fields, pickContactFields(lead));
    const names: Record<string, string> = { '#erasedAt': 'erasedAt', '#mergedInto': 'mergedInto' };
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    const removes: string[] = [];
    for (const field of CONTACT_FIELDS) {
      names[`#${field}`] = field;
      if (fields[field] === undefined) {
        removes.push(`#${field}`);
      } else {
        values[`:${field}`] = fields[field];
        sets.push(`#${field} = :${field}`);
      }
    }
    await conditional(() =>
      doc.send(
        new UpdateCommand({
          TableName,
          Key: key.profile(contactId),
          UpdateExpression: [
            sets.length > 0 ? `SET ${sets.join(', ')}` : '',
            removes.length > 0 ? `REMOVE ${removes.join(', ')}` : '',
          ]
            .join(' ')
            .trim(),
          ConditionExpression:
            'attribute_exists(pk) AND attribute_not_exists(#erasedAt) AND attribute_not_exists(#mergedInto)',
          ExpressionAttributeNames: names,
          ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
        }),
      ),
    );
  }

  return {
    getIdentity,
    listContactIdentities,

    async isSuppressed(keyHashes) {
      if (keyHashes.length === 0) return false;
      const items = await batchGetItems(doc, TableName, keyHashes.map(key.suppression), { consistent: true });
      return items.some((item) => item !== undefined);
    },

    async getIdentities(keyHashes) {
      const holders = new Map<string, string>();
      if (keyHashes.length === 0) return holders;
      const items = await batchGetItems(doc, TableName, keyHashes.map(key.identity), { consistent: true });
      items.forEach((item, i) => {
        const hash = keyHashes[i] as string;
        if (typeof item?.contactId === 'string') holders.set(hash, item.contactId);
      });
      return holders;
    },

    async claimIdentity(keyHash, contactId) {
      const claimed = await conditional(() =>
        doc.send(
          new PutCommand({
            TableName,
            Item: {
              ...key.identity(keyHash),
              type: 'identity',
              contactId,
              createdAt: now().toISOString(),
              gsi1pk: identitiesOf(contactId),
              gsi1sk: keyHash,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      if (claimed) return { contactId, claimed: true };
      const holder = await getIdentity(keyHash);
      if (!holder) throw new Error('identity key vanished after a failed claim');
      return { contactId: holder, claimed: holder === contactId };
    },

    upsertContact,

    async putLead(lead) {
      const created = await putIfAbsent({
        ...key.lead(lead),
        type: 'lead',
        ...leadIndexKeys(lead),
        placedAt: now().toISOString(),
        lead,
      });
      return created ? 'created' : 'exists';
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
      // The score has an item of its own (keyed by lead id, so a merge never moves it): updating the large
      // lead item would be charged for the whole lead, in the table and again in both indexes.
      let item = await getItem(key.lead(lead));
      // Moved to another contact by a merge since the event was published?
      if (!item) item = (await findLead(lead.leadId)).items[0];
      if (!item) throw new Error(`lead ${lead.leadId} does not exist`);
      // A lead whose data was removed takes no enrichment back; removing it marks the score item first,
      // so a removal that lands after this read still refuses the write below.
      if (item.deletedAt) return;
      const saved = await conditional(() =>
        doc.send(
          new PutCommand({
            TableName,
            Item: { ...key.score(lead.leadId), type: 'score', leadId: lead.leadId, scoring: score },
            ConditionExpression: 'attribute_not_exists(#deletedAt)',
            ExpressionAttributeNames: { '#deletedAt': 'deletedAt' },
          }),
        ),
      );
      // The profile keeps the best score seen and the stage that came with it.
      if (saved) await raiseBestScore((item.lead as StoredLead).contactId, score);
    },

    async getLead(leadId) {
      const { items, score } = await findLead(leadId);
      const item = items[0];
      return item ? withScore(item.lead as StoredLead, score) : undefined;
    },

    async getLeadAt(lead) {
      const item = (await getItem(key.lead(lead))) ?? (await findLead(lead.leadId)).items[0];
      if (!item) return undefined;
      // A lead scored before scores had their own item carries its score inline: not this read's business.
      const { scoring: _scoring, ...stored } = item.lead as StoredLead;
      return stored;
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
              ScanIndexForward: false,
              ExpressionAttributeNames: { '#pk': TableDesign.indexes.byMonth.partitionKey },
              ExpressionAttributeValues: { ':pk': `MONTH#${month}` },
              Limit: limit - leads.length,
              ExclusiveStartKey: startKey,
            }),
          );
          // Erased leads keep their timings for the metrics, but are not listed. Like the filter this
          // replaces (the index holds keys only), the page limit counts them.
          const items = (await itemsAt(page.Items ?? [])).filter((i) => i.deletedReason !== 'erased');
          leads.push(...(await leadsWithScores(items)));
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
      const items = await contactItems(contactId);
      const profileItem = items.find((i) => i.sk === 'PROFILE');
      if (!profileItem) return undefined;
      const { pk: _pk, sk: _sk, type: _type, leadIds: _leadIds, sources, ...profile } = profileItem;
      const leads = await leadsWithScores(items.filter((i) => String(i.sk).startsWith('LEAD#')));
      const view: ContactView = {
        profile: {
          ...(profile as Omit<ContactProfile, 'sources'>),
          sources: [...((sources as Set<string>) ?? [])].sort(),
        } as ContactProfile,
        leads: leads.reverse(),
        consents: items
          .filter((i) => String(i.sk).startsWith('CONSENT#'))
          .map((i) => i.record as ConsentRecord),
        merges: items.filter((i) => String(i.sk).startsWith('MERGED#')).map(mergeRecordFrom),
      };
      return view;
    },

    async ensureContact(contactId, createdAt) {
      const { Attributes } = await doc.send(
        new UpdateCommand({
          TableName,
          Key: key.profile(contactId),
          UpdateExpression:
            'SET #createdAt = if_not_exists(#createdAt, :createdAt), #contactId = :contactId, #type = :type',
          ExpressionAttributeNames: { '#createdAt': 'createdAt', '#contactId': 'contactId', '#type': 'type' },
          ExpressionAttributeValues: { ':createdAt': createdAt, ':contactId': contactId, ':type': 'contact' },
          // The contact as it stands after the write, so a caller needs no second read for it.
          ReturnValues: 'ALL_NEW',
        }),
      );
      return contactRefOf(contactId, Attributes ?? {});
    },

    async getContactRef(contactId): Promise<ContactRef | undefined> {
      const item = await getItem(key.profile(contactId));
      return item ? contactRefOf(contactId, item) : undefined;
    },

    async markContactMerged(mergedId, survivorId, at) {
      return conditional(() =>
        doc.send(
          new UpdateCommand({
            TableName,
            Key: key.profile(mergedId),
            UpdateExpression:
              'SET #mergedInto = :survivor, #mergedAt = if_not_exists(#mergedAt, :at), ' +
              '#contactId = :merged, #type = :type',
            ConditionExpression:
              '(attribute_not_exists(#mergedInto) OR #mergedInto = :survivor) AND attribute_not_exists(#erasedAt)',
            ExpressionAttributeNames: {
              '#mergedInto': 'mergedInto',
              '#mergedAt': 'mergedAt',
              '#erasedAt': 'erasedAt',
              '#contactId': 'contactId',
              '#type': 'type',
            },
            ExpressionAttributeValues: {
              ':survivor': survivorId,
              ':at': at,
              ':merged': mergedId,
              ':type': 'contact',
            },
          }),
        ),
      );
    },

    async moveContactData(fromId, toId) {
      const at = now().toISOString();
      const items = await contactItems(fromId);
      const scored = new Map(
        (await leadsWithScores(items.filter((i) => String(i.sk).startsWith('LEAD#')))).map((l) => [
          l.leadId,
          l,
        ]),
      );
      const leadIds: string[] = [];
      for (const item of items) {
        const sk = String(item.sk);
        if (sk.startsWith('LEAD#')) {
          const lead = { ...(item.lead as StoredLead), contactId: toId };
          const scoring = scored.get(lead.leadId)?.scoring;
          leadIds.push(lead.leadId);
          // Copy first (a re-run finds it there), then join the survivor's profile, then drop the original.
          await putIfAbsent({ ...item, ...key.lead(lead), lead, placedAt: at });
          const fields = lead.deletedAt ? {} : pickContactFields(lead);
          await upsertContact(
            {
              contactId: toId,
              createdAt: at,
              updatedAt: at,
              lastLeadAt: lead.platformCreatedAt,
              leadCount: 1,
              sources: [lead.source],
              ...fields,
            },
            lead.leadId,
          );
          if (scoring && !lead.deletedAt) await raiseBestScore(toId, scoring);
          await doc.send(new DeleteCommand({ TableName, Key: { pk: item.pk, sk: item.sk } }));
        } else if (sk.startsWith('CONSENT#')) {
          const record = { ...(item.record as ConsentRecord), contactId: toId };
          await putIfAbsent({ ...item, ...key.consent(record), record });
          await doc.send(new DeleteCommand({ TableName, Key: { pk: item.pk, sk: item.sk } }));
        }
      }
      for (const hash of await listContactIdentities(fromId)) {
        await conditional(() =>
          doc.send(
            new UpdateCommand({
              TableName,
              Key: key.identity(hash),
              UpdateExpression: 'SET #contactId = :to, #gsi1pk = :gsi1pk',
              ConditionExpression: '#contactId = :from',
              ExpressionAttributeNames: {
                '#contactId': 'contactId',
                '#gsi1pk': TableDesign.indexes.byId.partitionKey,
              },
              ExpressionAttributeValues: { ':to': toId, ':from': fromId, ':gsi1pk': identitiesOf(toId) },
            }),
          ),
        );
      }
      // The loser's profile remembers every lead it had, so a merge finished by someone else still names them.
      const known = items.find((i) => i.sk === 'PROFILE')?.leadIds;
      for (const id of (known as Set<string> | undefined) ?? []) if (!leadIds.includes(id)) leadIds.push(id);
      // The loser keeps only its pointer (and birth time); its person now lives in the survivor.
      await doc
        .send(
          new UpdateCommand({
            TableName,
            Key: key.profile(fromId),
            UpdateExpression: `REMOVE ${CONTACT_FIELDS.map((f) => `#${f}`).join(', ')}, #best, #stage`,
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: {
              ...Object.fromEntries(CONTACT_FIELDS.map((f) => [`#${f}`, f])),
              '#best': 'bestScore',
              '#stage': 'lifecycleStage',
            },
          }),
        )
        .catch((error: unknown) => {
          if (!isConditionFailure(error)) throw error;
        });
      return { leadIds: leadIds.sort() };
    },

    async putMergeRecord(record) {
      const item = { ...key.merge(record.survivorId, record.mergedId), type: 'merge', ...record };
      if (await putIfAbsent(item)) return record;
      const stored = await getItem(key.merge(record.survivorId, record.mergedId));
      return stored ? mergeRecordFrom(stored) : record;
    },

    async markMergePublished(survivorId, mergedId, at) {
      await conditional(() =>
        doc.send(
          new UpdateCommand({
            TableName,
            Key: key.merge(survivorId, mergedId),
            UpdateExpression: 'SET #publishedAt = if_not_exists(#publishedAt, :at)',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#publishedAt': 'publishedAt' },
            ExpressionAttributeValues: { ':at': at },
          }),
        ),
      );
    },

    async suppress(keyHash, entry) {
      await putIfAbsent({ ...key.suppression(keyHash), type: 'suppression', ...entry });
    },

    async getErasure(keyHash) {
      const item = await getItem(key.erasure(keyHash));
      if (!item) return undefined;
      const { pk: _pk, sk: _sk, type: _type, ...record } = item;
      return record as unknown as ErasureRecord;
    },

    async putErasure(record) {
      await doc.send(
        new PutCommand({ TableName, Item: { ...key.erasure(record.keyHash), type: 'erasure', ...record } }),
      );
    },

    async eraseContact(contactId, erasure) {
      const at = erasure.at;
      const items = await contactItems(contactId);
      const leadIds: string[] = [];
      let count = 0;
      for (const item of items) {
        if (!String(item.sk).startsWith('LEAD#')) continue;
        const lead = item.lead as StoredLead;
        leadIds.push(lead.leadId);
        if (item.deletedReason !== 'erased') {
          await putStrippedLead(item, 'erased', at);
          count++;
        }
        await stripScoreItem(lead.leadId, at);
        await erasePayload({ source: lead.source, platformLeadId: lead.platformLeadId }, at);
        // Alert records hold ids and times only; the mark says the person behind them is gone.
        await conditional(() =>
          doc.send(
            new UpdateCommand({
              TableName,
              Key: key.alert(lead.leadId),
              UpdateExpression: 'SET #erasedAt = if_not_exists(#erasedAt, :at)',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeNames: { '#erasedAt': 'erasedAt' },
              ExpressionAttributeValues: { ':at': at },
            }),
          ),
        );
      }
      const consentProofs = await stripConsentsOf(items, at);
      const identityHashes = await listContactIdentities(contactId);
      for (const hash of identityHashes) {
        await conditional(() =>
          doc.send(
            new DeleteCommand({
              TableName,
              Key: key.identity(hash),
              ConditionExpression: '#contactId = :id',
              ExpressionAttributeNames: { '#contactId': 'contactId' },
              ExpressionAttributeValues: { ':id': contactId },
            }),
          ),
        );
      }
      const profile = items.find((i) => i.sk === 'PROFILE');
      if (profile) {
        await doc.send(
          new UpdateCommand({
            TableName,
            Key: key.profile(contactId),
            UpdateExpression: `SET #erasedAt = if_not_exists(#erasedAt, :at) REMOVE ${CONTACT_FIELDS.map((f) => `#${f}`).join(', ')}`,
            ExpressionAttributeNames: {
              '#erasedAt': 'erasedAt',
              ...Object.fromEntries(CONTACT_FIELDS.map((f) => [`#${f}`, f])),
            },
            ExpressionAttributeValues: { ':at': at },
          }),
        );
      }
      const tombstone: ContactTombstone = {
        contactId,
        erasedAt: at,
        erasureId: erasure.erasureId,
        leadIds: [...leadIds].sort(),
        mergedContactIds: erasure.mergedContactIds ?? [],
        consentProofs,
      };
      await doc.send(
        new PutCommand({ TableName, Item: { ...key.tombstone(contactId), type: 'tombstone', ...tombstone } }),
      );
      return {
        contactId,
        leadIds: tombstone.leadIds,
        identityHashes,
        consentProofs,
        items: count + identityHashes.length,
      };
    },

    async getTombstone(contactId) {
      const item = await getItem(key.tombstone(contactId));
      if (!item) return undefined;
      const { pk: _pk, sk: _sk, type: _type, ...tombstone } = item;
      return tombstone as unknown as ContactTombstone;
    },

    async deleteLeadData(lead, at) {
      let item = await getItem(key.lead(lead));
      if (!item) item = (await findLead(lead.leadId)).items[0];
      if (!item) return;
      const stored = item.lead as StoredLead;
      if (!item.deletedAt) await putStrippedLead(item, 'deleted_on_platform', at);
      await stripScoreItem(stored.leadId, at);
      await erasePayload({ source: stored.source, platformLeadId: stored.platformLeadId }, at);
      await stripConsentsOf(await contactItems(stored.contactId), at, stored.leadId);
      await rebuildProfile(stored.contactId);
    },

    async claimAlert(leadId, at): Promise<AlertClaim> {
      const atMs = Date.parse(at);
      // Names this claim, so that a retry of the put whose first response was lost (the SDK retries
      // timeouts) recognises its own write instead of reading it as someone else's claim.
      const claimId = randomUUID();
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
              claimId,
              leaseUntil: atMs + (options.alertLeaseMs ?? ALERT_LEASE_MS),
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
      if (Item?.claimId === claimId && Item.status === 'sending') return { claimed: true };
      return { claimed: false, status: String(Item?.status ?? 'unknown') };
    },

    async completeAlert(leadId, update) {
      // Only a claim still being sent is completed: a sender that outlived its lease must not turn an
      // alert someone else has since sent back into 'failed' (which would let it be claimed and sent again).
      const completed = await conditional(() =>
        doc.send(
          new UpdateCommand({
            TableName,
            Key: key.alert(leadId),
            UpdateExpression: 'SET #status = :status, #completedAt = :at, #detail = :detail',
            ConditionExpression: '#status = :sending',
            ExpressionAttributeNames: {
              '#status': 'status',
              '#completedAt': 'completedAt',
              '#detail': 'detail',
            },
            ExpressionAttributeValues: {
              ':status': update.status,
              ':sending': 'sending',
              ':at': update.at,
              ':detail': update.detail ?? null,
            },
          }),
        ),
      );
      if (!completed && !(await getItem(key.alert(leadId)))) throw new Error(`no alert claim for ${leadId}`);
    },

    ...createAlertStoreMethods({ doc, tableName }),
    ...createAuditStoreMethods({ doc, tableName, now }),
  };
}

function contactRefOf(contactId: string, item: Record<string, unknown>): ContactRef {
  return {
    contactId,
    ...(typeof item.createdAt === 'string' ? { createdAt: item.createdAt } : {}),
    ...(typeof item.mergedInto === 'string' ? { mergedInto: item.mergedInto } : {}),
    ...(typeof item.erasedAt === 'string' ? { erasedAt: item.erasedAt } : {}),
  };
}
