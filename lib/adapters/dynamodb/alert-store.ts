import type {
  AlertRecord,
  LeadStore,
  LeadTimingsRow,
  PendingSla,
  SentAlert,
  StageTimings,
} from '../../ports.js';
import { batchGetItems } from './batch-get.js';
import {
  type DocumentClient as DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from './commands.js';
import { conditional, isConditionFailure } from './conditional.js';
import { TableDesign } from './table-design.js';

/**
 * The alert loop's part of the LeadStore: the alert item (ALERT#{leadId} / ALERT) carries where the alert
 * was posted, the lead's stage clock (alertedAt and claimedAt too: stamping them on the lead item would
 * pay for rewriting the whole lead), the SLA with its escalation level, and the rep's decision. Pending
 * SLAs sit in the sparse byId index under gsi1pk SLA#pending (gsi1sk = next due time), so the local
 * runtime can rebuild its timers with one query. Every write is a single-item (conditional) update.
 */
export type AlertStoreMethods = Pick<
  LeadStore,
  | 'recordAlertSent'
  | 'getAlert'
  | 'decideAlert'
  | 'markDecisionPublished'
  | 'escalateAlert'
  | 'claimEscalation'
  | 'releaseEscalation'
  | 'clearPendingSla'
  | 'listPendingSlas'
  | 'recordLeadStage'
  | 'listLeadTimings'
>;

export const SLA_PENDING_PK = 'SLA#pending';
/** What the speed-to-lead listing reads of a lead item: no PII travels (the read is charged in full anyway). */
const LEAD_TIMING_ATTRIBUTES = [
  'lead.leadId',
  'lead.source',
  'lead.isTest',
  'lead.platformCreatedAt',
  'lead.receivedAt',
  'lead.capturedAt',
  'lead.scoring.scoredAt',
  'alertedAt',
  'claimedAt',
];
/** How far back the speed-to-lead listing may reach. */
const TIMINGS_MAX_MONTHS = 36;

// The same keys as lib/adapters/dynamodb/lead-store.ts (an integration test writes through both).
const alertKey = (leadId: string) => ({ pk: `ALERT#${leadId}`, sk: 'ALERT' });
const scoreKey = (leadId: string) => ({ pk: `SCORE#${leadId}`, sk: 'SCORE' });
/**
 * The lead's stage stamps on its alert item, named apart from the alert's own times (its claimedAt is
 * when a notifier took the right to send it, not when a rep claimed the lead).
 */
const STAGE_ATTRIBUTES = { alertedAt: 'leadAlertedAt', claimedAt: 'leadClaimedAt' } as const;
const { byId, byMonth } = TableDesign.indexes;

/** `SET #a = :a, …` for every defined value, with placeholders (status, source, level are reserved). */
function setClause(fields: Record<string, unknown>) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    names[`#${name}`] = name;
    values[`:${name}`] = value;
    sets.push(`#${name} = :${name}`);
  }
  return { names, values, sets };
}

const ALERT_FIELDS = [
  'status',
  'target',
  'contactId',
  'platformLeadId',
  'platformCreatedAt',
  'source',
  'isTest',
  'grade',
  'score',
  'formId',
  'timings',
  'sla',
  'outcome',
  'outcomeBy',
  'outcomeAt',
  'decisionPublishedAt',
] as const;

function toAlertRecord(item: Record<string, unknown>): AlertRecord {
  const record: Record<string, unknown> = {
    leadId: item.leadId,
    messages: Array.isArray(item.messages) ? item.messages : [],
  };
  for (const field of ALERT_FIELDS)
    if (item[field] !== undefined && item[field] !== null) record[field] = item[field];
  return record as unknown as AlertRecord;
}

function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  const d = new Date(`${from.slice(0, 7)}-01T00:00:00.000Z`);
  const last = to.slice(0, 7);
  while (months.length < TIMINGS_MAX_MONTHS) {
    const month = d.toISOString().slice(0, 7);
    if (month > last) break;
    months.push(month);
    d.setUTCMonth(d.getUTCMonth() + 1);
  }
  return months;
}

export function createAlertStoreMethods(options: {
  doc: DynamoDBDocumentClient;
  tableName: string;
}): AlertStoreMethods {
  const { doc } = options;
  const TableName = options.tableName;

  async function getAlert(leadId: string): Promise<AlertRecord | undefined> {
    const { Item } = await doc.send(
      new GetCommand({ TableName, Key: alertKey(leadId), ConsistentRead: true }),
    );
    return Item ? toAlertRecord(Item) : undefined;
  }

  async function queryAll(input: Omit<QueryCommandInput, 'TableName'>, limit = Number.POSITIVE_INFINITY) {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(new QueryCommand({ ...input, TableName, ExclusiveStartKey }));
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey && items.length < limit);
    return items.slice(0, limit);
  }

  return {
    getAlert,

    async recordAlertSent(leadId, sent: SentAlert) {
      const { names, values, sets } = setClause({
        status: 'sent',
        completedAt: sent.at,
        detail: sent.target,
        target: sent.target,
        ...sent.lead,
        timings: sent.timings,
        messages: sent.message ? [sent.message] : [],
        sla: sent.sla,
      });
      const due = sent.sla?.dueAt[0];
      if (due) {
        names['#gsi1pk'] = byId.partitionKey;
        names['#gsi1sk'] = byId.sortKey;
        values[':gsi1pk'] = SLA_PENDING_PK;
        values[':gsi1sk'] = `${due}#${leadId}`;
        sets.push('#gsi1pk = :gsi1pk', '#gsi1sk = :gsi1sk');
      }
      await doc.send(
        new UpdateCommand({
          TableName,
          Key: alertKey(leadId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    },

    async decideAlert(leadId, decision) {
      try {
        const { Attributes } = await doc.send(
          new UpdateCommand({
            TableName,
            Key: alertKey(leadId),
            UpdateExpression: 'SET #outcome = :outcome, #by = :by, #at = :at REMOVE #gsi1pk, #gsi1sk',
            // The first decision wins; every later click (or a concurrent one) fails this condition.
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#outcome)',
            ExpressionAttributeNames: {
              '#outcome': 'outcome',
              '#by': 'outcomeBy',
              '#at': 'outcomeAt',
              '#gsi1pk': byId.partitionKey,
              '#gsi1sk': byId.sortKey,
            },
            ExpressionAttributeValues: {
              ':outcome': decision.outcome,
              ':by': decision.userId,
              ':at': decision.at,
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return { won: true, alert: toAlertRecord(Attributes ?? { leadId }) };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const alert = await getAlert(leadId);
        return alert ? { won: false, alert } : { won: false };
      }
    },

    async markDecisionPublished(leadId, at) {
      await conditional(() =>
        doc.send(
          new UpdateCommand({
            TableName,
            Key: alertKey(leadId),
            UpdateExpression: 'SET #published = if_not_exists(#published, :at)',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#published': 'decisionPublishedAt' },
            ExpressionAttributeValues: { ':at': at },
          }),
        ),
      );
    },

    async escalateAlert(leadId, escalation) {
      const names: Record<string, string> = {
        '#sla': 'sla',
        '#level': 'level',
        '#outcome': 'outcome',
        '#gsi1pk': byId.partitionKey,
        '#gsi1sk': byId.sortKey,
      };
      names['#escalating'] = 'escalating';
      names['#until'] = 'escalatingUntil';
      const values: Record<string, unknown> = { ':level': escalation.level };
      const sets = ['#sla.#level = :level'];
      const removes: string[] = ['#sla.#escalating', '#sla.#until'];
      if (escalation.message) {
        names['#messages'] = 'messages';
        values[':message'] = [escalation.message];
        values[':none'] = [];
        sets.push('#messages = list_append(if_not_exists(#messages, :none), :message)');
      }
      if (escalation.nextDueAt) {
        values[':gsi1pk'] = SLA_PENDING_PK;
        values[':gsi1sk'] = `${escalation.nextDueAt}#${leadId}`;
        sets.push('#gsi1pk = :gsi1pk', '#gsi1sk = :gsi1sk');
      } else {
        removes.push('#gsi1pk', '#gsi1sk');
      }
      return conditional(() =>
        doc.send(
          new UpdateCommand({
            TableName,
            Key: alertKey(leadId),
            UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
            // One escalation per level, and none once a rep has decided.
            ConditionExpression:
              'attribute_exists(#sla) AND attribute_not_exists(#outcome) AND #sla.#level < :level',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        ),
      );
    },

    async claimEscalation(leadId, level, at, leaseMs) {
      const nowMs = Date.parse(at);
      return conditional(() =>
        doc.send(
          new UpdateCommand({
            TableName,
            Key: alertKey(leadId),
            UpdateExpression: 'SET #sla.#escalating = :level, #sla.#until = :until',
            ConditionExpression:
              'attribute_exists(#sla) AND attribute_not_exists(#outcome) AND #sla.#level < :level AND ' +
              '(attribute_not_exists(#sla.#until) OR #sla.#until < :now)',
            ExpressionAttributeNames: {
              '#sla': 'sla',
              '#level': 'level',
              '#escalating': 'escalating',
              '#until': 'escalatingUntil',
              '#outcome': 'outcome',
            },
            ExpressionAttributeValues: { ':level': level, ':until': nowMs + leaseMs, ':now': nowMs },
          }),
        ),
      );
    },

    async releaseEscalation(leadId, level) {
      await conditional(() =>
        doc.send(
          new UpdateCommand({
            TableName,
            Key: alertKey(leadId),
            UpdateExpression: 'REMOVE #sla.#escalating, #sla.#until',
            ConditionExpression: '#sla.#escalating = :level',
            ExpressionAttributeNames: {
              '#sla': 'sla',
              '#escalating': 'escalating',
              '#until': 'escalatingUntil',
            },
            ExpressionAttributeValues: { ':level': level },
          }),
        ),
      );
    },

    async clearPendingSla(leadId) {
      await conditional(() =>
        doc.send(
          new UpdateCommand({
            TableName,
            Key: alertKey(leadId),
            UpdateExpression: 'REMOVE #gsi1pk, #gsi1sk',
            ConditionExpression: '#gsi1pk = :pending',
            ExpressionAttributeNames: { '#gsi1pk': byId.partitionKey, '#gsi1sk': byId.sortKey },
            ExpressionAttributeValues: { ':pending': SLA_PENDING_PK },
          }),
        ),
      );
    },

    async listPendingSlas(limit = 1000): Promise<PendingSla[]> {
      const items = await queryAll(
        {
          IndexName: byId.name,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': byId.partitionKey },
          ExpressionAttributeValues: { ':pk': SLA_PENDING_PK },
        },
        limit,
      );
      // The index holds keys only: the SLA level is on the alert item. One that left the index since
      // (decided, escalated to the end) is no longer pending.
      const alerts = await batchGetItems(doc, TableName, items);
      return alerts.flatMap((item) => {
        if (!item || item[byId.partitionKey] !== SLA_PENDING_PK) return [];
        const sla = item.sla as { level?: number } | undefined;
        return [
          {
            leadId: String(item.leadId),
            level: (sla?.level ?? 0) + 1,
            dueAt: String(item[byId.sortKey]).split('#')[0] as string,
          },
        ];
      });
    },

    async recordLeadStage(lead, stage, at) {
      // Stamped on the alert item, which every stage follows; a lead without one is not stamped.
      await conditional(() =>
        doc.send(
          new UpdateCommand({
            TableName,
            Key: alertKey(lead.leadId),
            UpdateExpression: 'SET #stage = if_not_exists(#stage, :at)',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#stage': STAGE_ATTRIBUTES[stage] },
            ExpressionAttributeValues: { ':at': at },
          }),
        ),
      );
    },

    async listLeadTimings(from, to): Promise<LeadTimingsRow[]> {
      const rows: LeadTimingsRow[] = [];
      for (const month of monthsBetween(from, to)) {
        const entries = await queryAll({
          IndexName: byMonth.name,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
          ExpressionAttributeNames: { '#pk': byMonth.partitionKey, '#sk': byMonth.sortKey },
          // gsi2sk is `{receivedAt}#{leadId}`; \uffff sorts after every id character.
          ExpressionAttributeValues: { ':pk': `MONTH#${month}`, ':from': from, ':to': `${to}#\uffff` },
        });
        // The index holds keys only. A lead's clock is spread over three items: the lead (platform,
        // received, captured), its score (scored) and its alert (alerted, claimed).
        const leadItems = await batchGetItems(doc, TableName, entries, {
          attributes: LEAD_TIMING_ATTRIBUTES,
        });
        const leads = leadItems.flatMap((item) => {
          const lead = item?.lead as Record<string, unknown> | undefined;
          return item && lead ? [{ item, lead, leadId: String(lead.leadId) }] : [];
        });
        const others = await batchGetItems(
          doc,
          TableName,
          leads.flatMap(({ leadId }) => [scoreKey(leadId), alertKey(leadId)]),
          {
            attributes: [
              'scoring.scoredAt',
              STAGE_ATTRIBUTES.alertedAt,
              STAGE_ATTRIBUTES.claimedAt,
              'timings.alertedAt',
            ],
          },
        );
        for (const [n, { item, lead, leadId }] of leads.entries()) {
          const score = others[2 * n];
          const alert = others[2 * n + 1];
          const scoring = (score?.scoring ?? lead.scoring) as { scoredAt?: string } | undefined;
          const alertTimings = alert?.timings as { alertedAt?: string } | undefined;
          // Leads stamped before the stamps moved to the alert item carry them on the lead item.
          const alertedAt = alert?.[STAGE_ATTRIBUTES.alertedAt] ?? alertTimings?.alertedAt ?? item.alertedAt;
          const claimedAt = alert?.[STAGE_ATTRIBUTES.claimedAt] ?? item.claimedAt;
          const timings: StageTimings = {
            platformCreatedAt: String(lead.platformCreatedAt),
            receivedAt: String(lead.receivedAt),
          };
          if (typeof lead.capturedAt === 'string') timings.capturedAt = lead.capturedAt;
          if (typeof scoring?.scoredAt === 'string') timings.scoredAt = scoring.scoredAt;
          if (typeof alertedAt === 'string') timings.alertedAt = alertedAt;
          if (typeof claimedAt === 'string') timings.claimedAt = claimedAt;
          rows.push({
            leadId,
            source: lead.source as LeadTimingsRow['source'],
            isTest: lead.isTest === true,
            ...timings,
          });
        }
      }
      return rows;
    },
  };
}
