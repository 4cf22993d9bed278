import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { LeadCapturedV2, SourceConnectionFailedV1 } from '../../events/contracts.js';
import { parseEnv } from '../../lib/config.js';
import { capture } from '../../lib/pipeline/capture.js';
import { ingest } from '../../lib/pipeline/ingest.js';
import type { CaptureMessage } from '../../lib/ports.js';
import {
  demoRequestForm,
  demoRequestLead,
  roofQuoteForm,
  roofQuoteLead,
  SANDBOX_FORMS,
  SANDBOX_PAGES,
} from '../../lib/sandbox/meta-fixtures.js';
import { type MetaSandbox, type SandboxLead, startMetaSandbox } from '../../lib/sandbox/meta-graph.js';
import type { MetaLeadNotification } from '../../lib/sources/meta/parse.js';
import { reconcileMeta } from '../../lib/sources/meta/reconcile.js';
import { fakeDeps, fixedSecrets, recordingBus, recordingQueue, testConfig } from '../support/fakes.js';
import { freshStore } from '../support/store.js';

const APP_SECRET = 'sandbox-app-secret';
const TOKENS = { [SANDBOX_PAGES.acme]: 'EAAG-acme', [SANDBOX_PAGES.roofing]: 'EAAG-roof' };
const HOUR = 3600_000;

let sandbox: MetaSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const now = new Date();
const ago = (hours: number) => new Date(now.getTime() - hours * HOUR).toISOString();

/** Three leads within the lookback on two forms (two pages), and one older than it. */
const delivered = demoRequestLead('900000000000000001', { createdTime: ago(2) });
const missedDemo = demoRequestLead('900000000000000002', {
  createdTime: ago(5),
  fieldData: [
    { name: 'full_name', values: ['Ana Lopez'] },
    { name: 'work_email', values: ['ana.lopez@acme-robotics.com'] },
  ],
});
const missedRoof = roofQuoteLead('800000000000000001', { createdTime: ago(30) });
const tooOld = roofQuoteLead('800000000000000002', { createdTime: ago(100) });

async function setup(leads: SandboxLead[] = [delivered, missedDemo, missedRoof, tooOld]) {
  sandbox = await startMetaSandbox({
    appSecret: APP_SECRET,
    pages: TOKENS,
    forms: [demoRequestForm, roofQuoteForm],
    leads,
  });
  const { store, receiptStore } = await freshStore();
  const bus = recordingBus();
  const captureQueue = recordingQueue<CaptureMessage>();
  const deps = fakeDeps({
    store,
    receipts: receiptStore,
    bus,
    captureQueue,
    env: parseEnv({ META_GRAPH_URL: sandbox.url, META_GRAPH_VERSION: 'v25.0' }),
    config: testConfig({}),
    secrets: fixedSecrets({
      LEADHUB_PEPPER: 'pepper',
      META_APP_SECRET: APP_SECRET,
      META_PAGE_TOKENS: JSON.stringify(TOKENS),
    }),
  });
  const reconcile = () =>
    reconcileMeta(deps, { now, lookbackHours: 72, graphOptions: { sleep: async () => undefined } });
  const captureAll = async () => {
    const outcomes = [];
    while (captureQueue.sent.length > 0) {
      const message = captureQueue.sent.shift() as CaptureMessage;
      outcomes.push({ id: message.platformLeadId, status: (await capture(deps, message)).status });
    }
    return outcomes;
  };
  const captured = () =>
    bus.events.filter((e) => e.detailType === 'LeadCaptured').map((e) => e.detail as LeadCapturedV2);
  const failures = () =>
    bus.events
      .filter((e) => e.detailType === 'SourceConnectionFailed')
      .map((e) => e.detail as SourceConnectionFailedV1);
  return { deps, store, receiptStore, captureQueue, reconcile, captureAll, captured, failures, sandbox };
}

describe('Meta reconciliation (against the Graph sandbox)', () => {
  it('creates receipts only for the leads no webhook delivered, captures them, and does so once', async () => {
    const t = await setup();
    const notification: MetaLeadNotification = {
      leadgenId: delivered.id,
      pageId: delivered.pageId,
      formId: delivered.formId,
    };
    await ingest(t.deps, { source: 'meta', platformLeadId: delivered.id, payload: notification });
    expect(await t.captureAll()).toEqual([{ id: delivered.id, status: 'captured' }]);

    const first = await t.reconcile();
    expect(first).toMatchObject({ leadsSeen: 3, newReceipts: 2, alreadyKnown: 1, errors: 0 });
    expect(first.pages.map((p) => [p.pageId, p.forms, p.newReceipts, p.alreadyKnown]).sort()).toEqual(
      [
        [SANDBOX_PAGES.acme, 1, 1, 1],
        [SANDBOX_PAGES.roofing, 1, 1, 0],
      ].sort(),
    );
    expect(t.captureQueue.sent.map((m) => m.platformLeadId).sort()).toEqual(
      [missedDemo.id, missedRoof.id].sort(),
    );

    const receipt = await t.receiptStore.getReceipt({ source: 'meta', platformLeadId: missedRoof.id });
    expect(receipt?.payload).toEqual({
      leadgenId: missedRoof.id,
      pageId: SANDBOX_PAGES.roofing,
      formId: SANDBOX_FORMS.roofQuote,
      adId: missedRoof.adId,
      createdTime: new Date(Math.floor(Date.parse(missedRoof.createdTime) / 1000) * 1000).toISOString(),
      via: 'reconcile',
    });
    const webhookReceipt = await t.receiptStore.getReceipt({ source: 'meta', platformLeadId: delivered.id });
    expect(webhookReceipt?.payload).not.toHaveProperty('via');

    expect((await t.captureAll()).sort((a, b) => a.id.localeCompare(b.id))).toEqual(
      [
        { id: missedDemo.id, status: 'captured' },
        { id: missedRoof.id, status: 'captured' },
      ].sort((a, b) => a.id.localeCompare(b.id)),
    );
    expect(
      t
        .captured()
        .map((e) => e.platformLeadId)
        .sort(),
    ).toEqual([delivered.id, missedDemo.id, missedRoof.id].sort());

    const second = await t.reconcile();
    expect(second).toMatchObject({ leadsSeen: 3, newReceipts: 0, alreadyKnown: 3, errors: 0 });
    expect(t.captureQueue.sent).toEqual([]);
    expect(t.captured()).toHaveLength(3);
  });

  it('does not read leads older than the lookback', async () => {
    const t = await setup();
    const result = await t.reconcile();
    expect(result.leadsSeen).toBe(3);
    expect(await t.receiptStore.getReceipt({ source: 'meta', platformLeadId: tooOld.id })).toBeUndefined();

    const leadReads = t.sandbox.requests.filter((r) => r.object === 'leads');
    expect(leadReads).toHaveLength(2);
    for (const read of leadReads) {
      const [rule] = JSON.parse(read.query?.filtering ?? '[]');
      expect(rule).toEqual({
        field: 'time_created',
        operator: 'GREATER_THAN',
        value: Math.floor(now.getTime() / 1000) - 72 * 3600,
      });
      expect(read.fields).toEqual(['id', 'created_time', 'ad_id', 'form_id']);
    }
  });

  it('publishes SourceConnectionFailed for an expired page token and still reconciles the other page', async () => {
    const t = await setup();
    t.sandbox.fail(SANDBOX_PAGES.acme, { kind: 'token_expired' });
    const result = await t.reconcile();

    const acme = result.pages.find((p) => p.pageId === SANDBOX_PAGES.acme);
    expect(acme).toMatchObject({ connectionFailure: 'token_expired', errors: 1, forms: 0, newReceipts: 0 });
    const roofing = result.pages.find((p) => p.pageId === SANDBOX_PAGES.roofing);
    expect(roofing).toMatchObject({ forms: 1, newReceipts: 1, errors: 0 });

    expect(t.failures()).toEqual([
      expect.objectContaining({
        source: 'meta',
        reason: 'token_expired',
        pageId: SANDBOX_PAGES.acme,
        platformError: expect.objectContaining({ code: '190', subcode: '463' }),
      }),
    ]);
    expect(t.captureQueue.sent.map((m) => m.platformLeadId)).toEqual([missedRoof.id]);
  });

  it('retries a 429 and a 500 from the Graph API, then reads on', async () => {
    const t = await setup();
    t.sandbox.fail(SANDBOX_PAGES.roofing, { kind: 'throttle', status: 429, code: 4 }, 1);
    t.sandbox.fail(SANDBOX_FORMS.roofQuote, { kind: 'server_error', status: 500 }, 1);
    const result = await t.reconcile();

    expect(result).toMatchObject({ newReceipts: 3, errors: 0 });
    expect(t.failures()).toEqual([]);
    const statuses = (id: string) => t.sandbox.requests.filter((r) => r.id === id).map((r) => r.status);
    expect(statuses(SANDBOX_PAGES.roofing)).toEqual([429, 200]);
    expect(statuses(SANDBOX_FORMS.roofQuote)).toEqual([500, 200]);
  });

  it('counts a form whose reads keep failing as an error and carries on', async () => {
    const t = await setup();
    t.sandbox.fail(SANDBOX_FORMS.roofQuote, { kind: 'server_error', status: 503 });
    const result = await t.reconcile();
    expect(result).toMatchObject({ newReceipts: 2, errors: 1 });
    expect(result.pages.find((p) => p.pageId === SANDBOX_PAGES.roofing)?.byForm).toEqual([
      expect.objectContaining({ formId: SANDBOX_FORMS.roofQuote, errors: 1, leadsSeen: 0 }),
    ]);
    expect(t.failures()).toEqual([]);
  });

  it('follows the cursor through every page of a form', async () => {
    const many = Array.from({ length: 5 }, (_, i) =>
      demoRequestLead(`90000000000000010${i}`, { createdTime: ago(1 + i) }),
    );
    const t = await setup(many);
    const result = await reconcileMeta(t.deps, {
      now,
      lookbackHours: 72,
      pageSize: 2,
      graphOptions: { sleep: async () => undefined },
    });
    expect(result).toMatchObject({ leadsSeen: 5, newReceipts: 5, errors: 0 });
    expect(result.pages.find((p) => p.pageId === SANDBOX_PAGES.acme)?.byForm[0]?.truncated).toBe(false);
    const reads = t.sandbox.requests.filter((r) => r.object === 'leads');
    expect(reads.map((r) => [r.query?.limit, r.query?.after === undefined])).toEqual([
      ['2', true],
      ['2', false],
      ['2', false],
    ]);
    expect(t.captureQueue.sent.map((m) => m.platformLeadId).sort()).toEqual(many.map((l) => l.id).sort());
  });
});

describe('the Graph sandbox list edges', () => {
  const get = async (path: string, token: string, params: Record<string, string> = {}) => {
    const url = new URL(`${sandbox?.url}/v25.0/${path}`);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    url.searchParams.set('appsecret_proof', createHmac('sha256', APP_SECRET).update(token).digest('hex'));
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    return {
      status: res.status,
      body: (await res.json()) as {
        data: { id: string }[];
        error: { code: number; error_subcode?: number };
      },
    };
  };

  it("lists a page's forms only with that page's token", async () => {
    await setup();
    const own = await get(`${SANDBOX_PAGES.acme}/leadgen_forms`, TOKENS[SANDBOX_PAGES.acme] as string);
    expect(own.status).toBe(200);
    expect(own.body.data.map((f) => f.id)).toEqual([SANDBOX_FORMS.demoRequest]);
    const other = await get(`${SANDBOX_PAGES.acme}/leadgen_forms`, TOKENS[SANDBOX_PAGES.roofing] as string);
    expect(other.status).toBe(400);
    expect(other.body.error).toMatchObject({ code: 100, error_subcode: 33 });
  });

  it('honours GREATER_THAN on time_created and refuses a filter it cannot read', async () => {
    await setup();
    const token = TOKENS[SANDBOX_PAGES.roofing] as string;
    const since = Math.floor(now.getTime() / 1000) - 50 * 3600;
    const recent = await get(`${SANDBOX_FORMS.roofQuote}/leads`, token, {
      filtering: JSON.stringify([{ field: 'time_created', operator: 'GREATER_THAN', value: since }]),
    });
    expect(recent.body.data.map((l) => l.id)).toEqual([missedRoof.id]);
    const all = await get(`${SANDBOX_FORMS.roofQuote}/leads`, token);
    expect(all.body.data.map((l) => l.id)).toEqual([missedRoof.id, tooOld.id]);
    const bad = await get(`${SANDBOX_FORMS.roofQuote}/leads`, token, {
      filtering: '[{"field":"time_created"',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe(100);
  });
});
