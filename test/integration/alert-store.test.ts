import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createAdminHttpHandler } from '../../lib/handlers/http-admin.js';
import type { SentAlert, StoredLead } from '../../lib/ports.js';
import { fakeDeps, fixedClock, httpEvent } from '../support/fakes.js';
import { freshStore } from '../support/store.js';

function lead(id: string, overrides: Partial<StoredLead> = {}): StoredLead {
  return {
    leadId: id,
    contactId: `ct_${id}`,
    source: 'form',
    platformLeadId: `p_${id}`,
    platformCreatedAt: '2026-11-30T10:00:00.000Z',
    receivedAt: '2026-11-30T10:00:01.000Z',
    capturedAt: '2026-11-30T10:00:02.000Z',
    email: 'jane@acme.com',
    answers: [],
    attribution: { source: 'form', formId: 'contact', utm: {} },
    consents: [],
    context: {},
    isTest: false,
    ...overrides,
  };
}

const sent = (overrides: Partial<SentAlert> = {}): SentAlert => ({
  at: '2026-11-30T10:00:04.000Z',
  target: 'C0SALES',
  lead: {
    contactId: 'ct_a',
    platformLeadId: 'p_a',
    platformCreatedAt: '2026-11-30T10:00:00.000Z',
    source: 'form',
    isTest: false,
    grade: 'A',
    score: 88,
    formId: 'contact',
  },
  timings: {
    platformCreatedAt: '2026-11-30T10:00:00.000Z',
    receivedAt: '2026-11-30T10:00:01.000Z',
    alertedAt: '2026-11-30T10:00:04.000Z',
  },
  message: { channel: 'C0SALES', ts: '1764496804.000100', level: 0 },
  sla: { minutes: 5, dueAt: ['2026-11-30T10:05:00.000Z', '2026-11-30T10:15:00.000Z'], level: 0 },
  ...overrides,
});

async function alerted(id = 'a', overrides: Partial<SentAlert> = {}) {
  const ctx = await freshStore();
  expect(await ctx.store.claimAlert(id, '2026-11-30T10:00:03.000Z')).toEqual({ claimed: true });
  await ctx.store.recordAlertSent(id, sent(overrides));
  return ctx;
}

describe('alert records on DynamoDB (dynalite)', () => {
  it('records a sent alert with its message, clock and SLA, and blocks a second send', async () => {
    const { store } = await alerted();
    const alert = await store.getAlert('a');
    expect(alert).toEqual({
      leadId: 'a',
      status: 'sent',
      target: 'C0SALES',
      contactId: 'ct_a',
      platformLeadId: 'p_a',
      platformCreatedAt: '2026-11-30T10:00:00.000Z',
      source: 'form',
      isTest: false,
      grade: 'A',
      score: 88,
      formId: 'contact',
      timings: sent().timings,
      messages: [{ channel: 'C0SALES', ts: '1764496804.000100', level: 0 }],
      sla: { minutes: 5, dueAt: ['2026-11-30T10:05:00.000Z', '2026-11-30T10:15:00.000Z'], level: 0 },
    });
    expect(await store.claimAlert('a', '2026-11-30T11:00:00.000Z')).toEqual({
      claimed: false,
      status: 'sent',
    });
    expect(await store.getAlert('nope')).toBeUndefined();
  });

  it('lets exactly one of ten concurrent decisions win, and takes the lead off the pending index', async () => {
    const { store } = await alerted();
    expect(await store.listPendingSlas()).toEqual([
      { leadId: 'a', level: 1, dueAt: '2026-11-30T10:05:00.000Z' },
    ]);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store.decideAlert('a', {
          outcome: i % 3 ? 'claimed' : 'disqualified',
          userId: `U0REP${i}`,
          at: `2026-11-30T10:02:0${i}.000Z`,
        }),
      ),
    );
    const winners = results.filter((r) => r.won);
    expect(winners).toHaveLength(1);
    const winner = winners[0]?.alert;
    for (const r of results.filter((x) => !x.won)) {
      expect(r.alert).toMatchObject({ outcome: winner?.outcome, outcomeBy: winner?.outcomeBy });
    }
    expect(await store.listPendingSlas()).toEqual([]);
    expect(
      await store.decideAlert('nope', { outcome: 'claimed', userId: 'U0X', at: '2026-11-30T10:02:00Z' }),
    ).toEqual({
      won: false,
    });
  });

  it('marks the decision published once', async () => {
    const { store } = await alerted();
    await store.decideAlert('a', { outcome: 'claimed', userId: 'U0A', at: '2026-11-30T10:02:00.000Z' });
    await store.markDecisionPublished('a', '2026-11-30T10:02:01.000Z');
    await store.markDecisionPublished('a', '2026-11-30T10:09:00.000Z');
    expect((await store.getAlert('a'))?.decisionPublishedAt).toBe('2026-11-30T10:02:01.000Z');
  });

  it('escalates each level once, under a lease, and moves the pending index to the next level', async () => {
    const { store } = await alerted();
    const claims = await Promise.all(
      Array.from({ length: 5 }, () => store.claimEscalation('a', 1, '2026-11-30T10:05:00.000Z', 60_000)),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    // A failed post gives the lease back; the retry claims it again.
    await store.releaseEscalation('a', 1);
    expect(await store.claimEscalation('a', 1, '2026-11-30T10:05:01.000Z', 60_000)).toBe(true);
    // A lease held by a crashed escalator runs out.
    expect(await store.claimEscalation('a', 1, '2026-11-30T10:06:30.000Z', 60_000)).toBe(true);

    const escalation = {
      level: 1,
      at: '2026-11-30T10:06:31.000Z',
      message: { channel: 'C0ESC', ts: '1764497191.000200', level: 1 },
      nextDueAt: '2026-11-30T10:15:00.000Z',
    };
    expect(await store.escalateAlert('a', escalation)).toBe(true);
    expect(await store.escalateAlert('a', escalation)).toBe(false);
    expect(await store.claimEscalation('a', 1, '2026-11-30T10:20:00.000Z', 60_000)).toBe(false);
    const alert = await store.getAlert('a');
    expect(alert?.sla).toEqual({ minutes: 5, dueAt: sent().sla?.dueAt, level: 1 });
    expect(alert?.messages.map((m) => m.level)).toEqual([0, 1]);
    expect(await store.listPendingSlas()).toEqual([
      { leadId: 'a', level: 2, dueAt: '2026-11-30T10:15:00.000Z' },
    ]);

    expect(await store.escalateAlert('a', { level: 2, at: '2026-11-30T10:15:01.000Z' })).toBe(true);
    expect(await store.listPendingSlas()).toEqual([]);
  });

  it('never escalates a decided lead', async () => {
    const { store } = await alerted();
    await store.decideAlert('a', { outcome: 'claimed', userId: 'U0A', at: '2026-11-30T10:02:00.000Z' });
    expect(await store.claimEscalation('a', 1, '2026-11-30T10:05:00.000Z', 60_000)).toBe(false);
    expect(await store.escalateAlert('a', { level: 1, at: '2026-11-30T10:05:00.000Z' })).toBe(false);
  });

  it('lists pending SLAs soonest first from the sparse index, next to failed receipts in the same GSI', async () => {
    const { store } = await freshStore();
    for (const [id, due] of [
      ['late', '2026-11-30T11:00:00.000Z'],
      ['soon', '2026-11-30T10:05:00.000Z'],
      ['none', undefined],
    ] as const) {
      await store.claimAlert(id, '2026-11-30T10:00:00.000Z');
      await store.recordAlertSent(
        id,
        sent(due ? { sla: { minutes: 5, dueAt: [due], level: 0 } } : { sla: undefined }),
      );
    }
    expect((await store.listPendingSlas()).map((p) => p.leadId)).toEqual(['soon', 'late']);
    await store.clearPendingSla('soon');
    await store.clearPendingSla('none');
    expect((await store.listPendingSlas()).map((p) => p.leadId)).toEqual(['late']);
    // The lead lookup by id (the same GSI) is unaffected.
    await store.putLead(lead('x'));
    expect((await store.getLead('x'))?.leadId).toBe('x');
  });

  it('stamps alertedAt and claimedAt on the alert item once, and lists every stage by month', async () => {
    const { store, doc, tableName } = await freshStore();
    const a = lead('a');
    const b = lead('b', {
      source: 'meta',
      receivedAt: '2026-10-31T23:59:59.000Z',
      platformCreatedAt: '2026-10-31T23:59:00.000Z',
    });
    const t = lead('t', { isTest: true });
    for (const l of [a, b, t]) await store.putLead(l);
    await store.saveScore(a, {
      score: 80,
      grade: 'B',
      stage: 'sales_development',
      breakdown: { fit: 0, intent: 0, negative: 0, completeness: 0, reasons: [] },
      enrichment: {},
      scoredAt: '2026-11-30T10:00:03.000Z',
    });
    await store.claimAlert('a', '2026-11-30T10:00:03.500Z');
    await store.recordLeadStage(a, 'alertedAt', '2026-11-30T10:00:04.000Z');
    await store.recordLeadStage(a, 'alertedAt', '2026-11-30T10:09:00.000Z');
    await store.recordLeadStage(a, 'claimedAt', '2026-11-30T10:03:00.000Z');
    // A lead without an alert is skipped quietly: no alert item appears for it.
    await store.recordLeadStage(lead('gone'), 'claimedAt', '2026-11-30T10:03:00.000Z');
    const { Item } = await doc.send(
      new GetCommand({ TableName: tableName, Key: { pk: 'ALERT#gone', sk: 'ALERT' } }),
    );
    expect(Item).toBeUndefined();
    // The lead item is never rewritten for a stamp: it holds exactly what putLead wrote.
    const leadItem = await doc.send(
      new GetCommand({
        TableName: tableName,
        Key: { pk: 'CONTACT#ct_a', sk: 'LEAD#2026-11-30T10:00:00.000Z#a' },
      }),
    );
    expect(leadItem.Item?.alertedAt).toBeUndefined();
    expect(leadItem.Item?.lead).toEqual(a);

    const rows = await store.listLeadTimings('2026-10-01T00:00:00.000Z', '2026-11-30T23:59:59.999Z');
    expect(rows.map((r) => r.leadId).sort()).toEqual(['a', 'b', 't']);
    expect(rows.find((r) => r.leadId === 'a')).toEqual({
      leadId: 'a',
      source: 'form',
      isTest: false,
      platformCreatedAt: '2026-11-30T10:00:00.000Z',
      receivedAt: '2026-11-30T10:00:01.000Z',
      capturedAt: '2026-11-30T10:00:02.000Z',
      scoredAt: '2026-11-30T10:00:03.000Z',
      alertedAt: '2026-11-30T10:00:04.000Z',
      claimedAt: '2026-11-30T10:03:00.000Z',
    });
    // The window is by receivedAt, inclusive, across month buckets.
    expect(
      (await store.listLeadTimings('2026-11-01T00:00:00.000Z', '2026-11-30T23:59:59.999Z'))
        .map((r) => r.leadId)
        .sort(),
    ).toEqual(['a', 't']);
    expect(
      (await store.listLeadTimings('2026-10-31T23:59:59.000Z', '2026-10-31T23:59:59.000Z')).map(
        (r) => r.leadId,
      ),
    ).toEqual(['b']);
  });

  it('serves GET /api/metrics/speed-to-lead to admins only, from the month listing', async () => {
    const { store, receiptStore } = await freshStore();
    const a = lead('a', { receivedAt: '2026-11-30T10:00:02.000Z' });
    await store.putLead(a);
    // The notifier's record of the sent alert carries the lead's alertedAt; a claim stamps claimedAt.
    await store.claimAlert('a', '2026-11-30T10:00:04.000Z');
    await store.recordAlertSent(
      'a',
      sent({
        at: '2026-11-30T10:00:05.000Z',
        timings: {
          platformCreatedAt: a.platformCreatedAt,
          receivedAt: a.receivedAt,
          alertedAt: '2026-11-30T10:00:05.000Z',
        },
      }),
    );
    await store.recordLeadStage(a, 'claimedAt', '2026-11-30T10:04:00.000Z');
    const handler = createAdminHttpHandler(
      fakeDeps({ store, receipts: receiptStore, clock: fixedClock('2026-12-01T00:00:00.000Z') }),
    );
    const get = (query: Record<string, string>, token?: string) =>
      handler(
        httpEvent({
          method: 'GET',
          routeKey: 'GET /api/metrics/speed-to-lead',
          path: '/api/metrics/speed-to-lead',
          query,
          headers: token ? { authorization: `Bearer ${token}` } : {},
        }),
      );
    expect((await get({})).statusCode).toBe(401);
    expect((await get({ days: '0' }, 'admin-token')).statusCode).toBe(400);
    expect((await get({ days: 'x' }, 'admin-token')).statusCode).toBe(400);
    const res = await get({ days: '7' }, 'admin-token');
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(String(res.body));
    expect(body).toMatchObject({
      days: 7,
      leads: 1,
      from: '2026-11-24T00:00:00.000Z',
      to: '2026-12-01T00:00:00.000Z',
      bySource: {
        form: {
          leads: 1,
          stages: {
            received: { count: 1, p50Ms: 2000, p95Ms: 2000 },
            createdToAlerted: { count: 1, p50Ms: 5000, p95Ms: 5000 },
            createdToClaimed: { count: 1, p50Ms: 240_000, p95Ms: 240_000 },
          },
        },
      },
    });
    expect(JSON.stringify(body)).not.toContain('jane@acme.com');
  });
});
