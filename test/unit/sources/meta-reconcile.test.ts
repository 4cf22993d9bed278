import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SourceConnectionFailedV1 } from '../../../events/contracts.js';
import type { Receipt, ReceiptStore } from '../../../lib/ports.js';
import {
  createMetaGraphClient,
  type GraphListPage,
  leadListParams,
  type MetaGraphClient,
  type MetaLeadStub,
  MetaTransientError,
  metaConnectionError,
  parseListPage,
} from '../../../lib/sources/meta/fetch.js';
import { MetaLeadNotificationSchema } from '../../../lib/sources/meta/parse.js';
import {
  isoFromGraphTime,
  metaReconcileConfigured,
  notificationFromStub,
  parseReconcileArgs,
  reconcileMeta,
  reconcilePages,
} from '../../../lib/sources/meta/reconcile.js';
import { fakeDeps, fixedSecrets, recordingBus, recordingQueue, testConfig } from '../../support/fakes.js';

const PAGE_A = '153125381133';
const PAGE_B = '100200300400500';
const FORM = '912345678901234567';
const NOW = new Date('2026-11-30T10:00:00.000Z');
const NOW_S = NOW.getTime() / 1000;

/** Receipts in a map: the conditional put and the read ingest needs, nothing more. */
function memoryReceipts() {
  const receipts = new Map<string, Receipt>();
  const key = (k: { source: string; platformLeadId: string }) => `${k.source}#${k.platformLeadId}`;
  const receiptStore = {
    putReceipt: async (r: Receipt) => {
      if (receipts.has(key(r))) return 'duplicate';
      receipts.set(key(r), r);
      return 'created';
    },
    getReceipt: async (k: { source: string; platformLeadId: string }) => receipts.get(key(k)),
  } as unknown as ReceiptStore;
  return { receiptStore, receipts };
}

function depsWith(graphSecrets: Record<string, string> = {}, config: unknown = {}) {
  const { receiptStore, receipts } = memoryReceipts();
  const bus = recordingBus();
  const captureQueue = recordingQueue<{ source: string; platformLeadId: string }>();
  const deps = fakeDeps({
    receipts: receiptStore,
    bus,
    captureQueue: captureQueue as never,
    config: testConfig(config),
    secrets: fixedSecrets({
      META_APP_SECRET: 'app-secret',
      META_PAGE_TOKENS: JSON.stringify({ [PAGE_A]: 'token-a' }),
      ...graphSecrets,
    }),
  });
  return { deps, bus, captureQueue, receipts };
}

const stub = (id: string): MetaLeadStub => ({ id, created_time: '2026-11-30T08:00:00+0000', form_id: FORM });

/** A Graph client answering from scripts; records each listLeads query. */
function fakeGraph(options: {
  forms?: Record<string, string[]>;
  leads?: (formId: string, after: string | undefined) => GraphListPage<MetaLeadStub>;
  failPage?: Record<string, Error>;
}) {
  const leadQueries: { formId: string; createdAfterUnix: number; after?: string; limit?: number }[] = [];
  const graph: MetaGraphClient = {
    getLead: async () => {
      throw new Error('not used');
    },
    getForm: async () => {
      throw new Error('not used');
    },
    listForms: async (credentials) => {
      const failure = options.failPage?.[credentials.pageId];
      if (failure) throw failure;
      return { items: (options.forms?.[credentials.pageId] ?? []).map((id) => ({ id })) };
    },
    listLeads: async (formId, _credentials, query) => {
      leadQueries.push({ formId, ...query });
      return options.leads ? options.leads(formId, query.after) : { items: [] };
    },
  };
  return { graph, leadQueries };
}

describe('list request building and response parsing', () => {
  it('filters leads on time_created after the given unix seconds, asking only for ids', () => {
    expect(leadListParams({ createdAfterUnix: 1764237600.7, limit: 100, after: 'QVFI' })).toEqual({
      fields: 'id,created_time,ad_id,form_id',
      filtering: '[{"field":"time_created","operator":"GREATER_THAN","value":1764237600}]',
      limit: '100',
      after: 'QVFI',
    });
    expect(leadListParams({ createdAfterUnix: 5 })).not.toHaveProperty('after');
  });

  it('follows the after cursor only while Graph names a next page', () => {
    const item = MetaLeadNotificationSchema.shape.leadgenId;
    expect(
      parseListPage({ data: ['1'], paging: { cursors: { after: 'c2' }, next: 'https://x/next' } }, item),
    ).toEqual({ items: ['1'], after: 'c2' });
    expect(parseListPage({ data: ['1'], paging: { cursors: { after: 'c2' } } }, item)).toEqual({
      items: ['1'],
    });
    expect(parseListPage({ data: [] }, item)).toEqual({ items: [] });
    expect(parseListPage({ error: {}, data: 'x' }, item)).toBeUndefined();
  });

  it('sends the list requests with the page token, appsecret_proof, filtering and cursor', async () => {
    const calls: URL[] = [];
    const headers: Record<string, string>[] = [];
    const graph = createMetaGraphClient({
      baseUrl: 'https://graph.example',
      version: 'v25.0',
      fetch: (async (input: URL | string, init?: RequestInit) => {
        calls.push(new URL(String(input)));
        headers.push(init?.headers as Record<string, string>);
        return new Response(
          calls.length === 1
            ? '{"data":[{"id":912345678901234567,"name":"Demo","status":"ACTIVE"}]}'
            : '{"data":[{"id":"900000000000000001","created_time":"2026-11-30T08:00:00+0000","form_id":"912345678901234567"}],"paging":{"cursors":{"before":"b","after":"c2"},"next":"https://graph.example/next"}}',
          { status: 200 },
        );
      }) as typeof fetch,
    });
    const credentials = { pageId: PAGE_A, token: 'token-a', appSecret: 'app-secret' };
    const forms = await graph.listForms(credentials, { limit: 100 });
    expect(forms).toEqual({ items: [{ id: FORM, name: 'Demo', status: 'ACTIVE' }] });
    const leads = await graph.listLeads(FORM, credentials, {
      createdAfterUnix: 1000,
      limit: 100,
      after: 'c1',
    });
    expect(leads).toEqual({
      items: [{ id: '900000000000000001', created_time: '2026-11-30T08:00:00+0000', form_id: FORM }],
      after: 'c2',
    });

    expect(calls[0]?.pathname).toBe(`/v25.0/${PAGE_A}/leadgen_forms`);
    expect(calls[0]?.searchParams.get('fields')).toBe('id,name,status');
    expect(calls[1]?.pathname).toBe(`/v25.0/${FORM}/leads`);
    expect(JSON.parse(calls[1]?.searchParams.get('filtering') ?? '')).toEqual([
      { field: 'time_created', operator: 'GREATER_THAN', value: 1000 },
    ]);
    expect(calls[1]?.searchParams.get('after')).toBe('c1');
    const proof = createHmac('sha256', 'app-secret').update('token-a').digest('hex');
    for (const [i, url] of calls.entries()) {
      expect(url.searchParams.get('appsecret_proof')).toBe(proof);
      expect(headers[i]?.authorization).toBe('Bearer token-a');
    }
  });

  it('turns Graph times into the ISO form of the webhook receipt', () => {
    expect(isoFromGraphTime('2026-11-20T08:49:14+0000')).toBe('2026-11-20T08:49:14.000Z');
    expect(isoFromGraphTime('2026-11-20T10:49:14+0200')).toBe('2026-11-20T08:49:14.000Z');
    expect(isoFromGraphTime('yesterday')).toBeUndefined();
    expect(isoFromGraphTime(undefined)).toBeUndefined();
  });

  it('builds the same receipt payload as the webhook, marked as reconciled and valid for capture', () => {
    const payload = notificationFromStub(PAGE_A, FORM, {
      ...stub('900000000000000001'),
      ad_id: '120211234567890123',
    });
    expect(payload).toEqual({
      leadgenId: '900000000000000001',
      pageId: PAGE_A,
      formId: FORM,
      adId: '120211234567890123',
      createdTime: '2026-11-30T08:00:00.000Z',
      via: 'reconcile',
    });
    expect(MetaLeadNotificationSchema.safeParse(payload).success).toBe(true);
  });
});

describe('reconcileMeta', () => {
  it('reads back only the lookback window', async () => {
    const { deps } = depsWith();
    const g = fakeGraph({ forms: { [PAGE_A]: [FORM] } });
    const result = await reconcileMeta(deps, { now: NOW, lookbackHours: 72, graph: g.graph });
    expect(result.since).toBe(NOW_S - 72 * 3600);
    expect(g.leadQueries).toEqual([{ formId: FORM, createdAfterUnix: NOW_S - 72 * 3600, limit: 100 }]);
  });

  it('stops a form after the page bound and says it left leads for the next run', async () => {
    const { deps, captureQueue } = depsWith();
    let n = 0;
    const g = fakeGraph({
      forms: { [PAGE_A]: [FORM] },
      leads: () => ({ items: [stub(String(900 + n++))], after: `c${n}` }),
    });
    const result = await reconcileMeta(deps, {
      now: NOW,
      lookbackHours: 24,
      graph: g.graph,
      maxListPages: 3,
    });
    expect(g.leadQueries.map((q) => q.after)).toEqual([undefined, 'c1', 'c2']);
    expect(result.pages[0]?.byForm).toEqual([
      { formId: FORM, truncated: true, leadsSeen: 3, newReceipts: 3, alreadyKnown: 0, errors: 0 },
    ]);
    expect(captureQueue.sent.map((m) => m.platformLeadId)).toEqual(['900', '901', '902']);
  });

  it('ingests each lead once: a known receipt is counted, not queued', async () => {
    const { deps, captureQueue } = depsWith();
    const g = fakeGraph({ forms: { [PAGE_A]: [FORM] }, leads: () => ({ items: [stub('7'), stub('8')] }) });
    const first = await reconcileMeta(deps, { now: NOW, lookbackHours: 24, graph: g.graph });
    const second = await reconcileMeta(deps, { now: NOW, lookbackHours: 24, graph: g.graph });
    expect(first).toMatchObject({ leadsSeen: 2, newReceipts: 2, alreadyKnown: 0 });
    expect(second).toMatchObject({ leadsSeen: 2, newReceipts: 0, alreadyKnown: 2 });
    expect(captureQueue.sent).toHaveLength(2);
  });

  it('publishes SourceConnectionFailed for a page whose token is refused and reconciles the others', async () => {
    const { deps, bus, captureQueue } = depsWith({
      META_PAGE_TOKENS: JSON.stringify({ [PAGE_A]: 'token-a', [PAGE_B]: 'token-b' }),
    });
    const g = fakeGraph({
      forms: { [PAGE_B]: [FORM] },
      failPage: {
        [PAGE_A]: metaConnectionError('token_expired', PAGE_A, { platformError: { code: '190' } }),
      },
      leads: () => ({ items: [stub('7')] }),
    });
    const result = await reconcileMeta(deps, { now: NOW, lookbackHours: 24, graph: g.graph });
    expect(result.pages.map((p) => [p.pageId, p.connectionFailure, p.errors, p.newReceipts])).toEqual([
      [PAGE_A, 'token_expired', 1, 0],
      [PAGE_B, undefined, 0, 1],
    ]);
    const events = bus.events.filter((e) => e.detailType === 'SourceConnectionFailed');
    expect(events).toHaveLength(1);
    expect(events[0]?.detail as SourceConnectionFailedV1).toMatchObject({
      source: 'meta',
      reason: 'token_expired',
      pageId: PAGE_A,
      occurredAt: '2026-11-30T10:00:00.000Z',
    });
    expect(captureQueue.sent.map((m) => m.platformLeadId)).toEqual(['7']);
  });

  it('counts a transient failure as an error without publishing anything', async () => {
    const { deps, bus } = depsWith();
    const g = fakeGraph({ failPage: { [PAGE_A]: new MetaTransientError('throttled') } });
    const result = await reconcileMeta(deps, { now: NOW, lookbackHours: 24, graph: g.graph });
    expect(result).toMatchObject({ errors: 1, newReceipts: 0 });
    expect(result.pages[0]?.connectionFailure).toBeUndefined();
    expect(bus.events).toEqual([]);
  });

  it('publishes token_missing for a configured page without a token', async () => {
    const { deps, bus } = depsWith({}, { meta: { reconcile: { pages: [PAGE_B] } } });
    const g = fakeGraph({ forms: { [PAGE_A]: [] } });
    const result = await reconcileMeta(deps, { now: NOW, lookbackHours: 24, graph: g.graph });
    expect(result.pages.map((p) => [p.pageId, p.connectionFailure])).toEqual([
      [PAGE_A, undefined],
      [PAGE_B, 'token_missing'],
    ]);
    expect(bus.events.map((e) => (e.detail as SourceConnectionFailedV1).pageId)).toEqual([PAGE_B]);
  });

  it('does nothing without an app secret', async () => {
    const { deps } = depsWith({ META_APP_SECRET: '' });
    const g = fakeGraph({ forms: { [PAGE_A]: [FORM] } });
    expect(await reconcileMeta(deps, { now: NOW, lookbackHours: 24, graph: g.graph })).toMatchObject({
      skipped: 'app_secret_missing',
      pages: [],
    });
  });
});

describe('which pages, and whether to run', () => {
  it('takes the pages of META_PAGE_TOKENS and meta.reconcile.pages, each once', async () => {
    const { deps } = depsWith({}, { meta: { reconcile: { pages: [PAGE_A, PAGE_B] } } });
    expect(await reconcilePages(deps)).toEqual([PAGE_A, PAGE_B]);
  });

  it('runs only when enabled, with an app secret and a page token', async () => {
    expect(await metaReconcileConfigured(depsWith().deps)).toBe(true);
    expect(await metaReconcileConfigured(depsWith({ META_APP_SECRET: '' }).deps)).toBe(false);
    expect(await metaReconcileConfigured(depsWith({ META_PAGE_TOKENS: '' }).deps)).toBe(false);
    // A page named in the config, but no token that could read it.
    expect(
      await metaReconcileConfigured(
        depsWith({ META_PAGE_TOKENS: '' }, { meta: { reconcile: { pages: [PAGE_B] } } }).deps,
      ),
    ).toBe(false);
    expect(
      await metaReconcileConfigured(depsWith({}, { meta: { reconcile: { enabled: false } } }).deps),
    ).toBe(false);
    expect(
      await metaReconcileConfigured(
        depsWith(
          { META_PAGE_TOKENS: '', META_PAGE_ACCESS_TOKEN: 'single' },
          { meta: { reconcile: { pages: [PAGE_B] } } },
        ).deps,
      ),
    ).toBe(true);
  });

  it('defaults the config keys', () => {
    expect(testConfig().meta.reconcile).toEqual({ enabled: true, lookbackHours: 72, pages: [] });
    expect(() => testConfig({ meta: { reconcile: { lookbackHours: 0 } } })).toThrow();
    expect(() => testConfig({ meta: { reconcile: { pages: ['not-a-page'] } } })).toThrow();
  });
});

describe('parseReconcileArgs', () => {
  it('reads --source meta and --lookback-hours', () => {
    expect(parseReconcileArgs(['--source', 'meta'])).toEqual({ source: 'meta', verbose: false });
    expect(parseReconcileArgs(['--source=meta', '--lookback-hours', '24'])).toEqual({
      source: 'meta',
      lookbackHours: 24,
      verbose: false,
    });
  });

  it('refuses other sources, bad hours and unknown flags', () => {
    expect(() => parseReconcileArgs([])).toThrow(/--source is required/);
    expect(() => parseReconcileArgs(['--source', 'linkedin'])).toThrow(/only --source meta/);
    expect(() => parseReconcileArgs(['--source', 'meta', '--lookback-hours', '0'])).toThrow(/lookback-hours/);
    expect(() => parseReconcileArgs(['--source', 'meta', '--since', '1'])).toThrow(/unknown argument/);
  });
});
