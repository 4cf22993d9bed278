import { describe, expect, it } from 'vitest';
import { createReceiptSweeper, RECONCILE_META_TASK } from '../../../lib/handlers/receipt-sweeper.js';
import type { LeadStore } from '../../../lib/ports.js';
import type { MetaGraphClient } from '../../../lib/sources/meta/fetch.js';
import { fakeDeps, fixedSecrets, testConfig } from '../../support/fakes.js';

const PAGE = '153125381133';

/** Records which of the two jobs touched the store: the sweep lists pending receipts, reconcile puts them. */
function setup(options: { secrets?: Record<string, string>; config?: unknown } = {}) {
  const calls: string[] = [];
  const store = {
    listPendingReceipts: async () => {
      calls.push('listPendingReceipts');
      return { receipts: [] };
    },
    putReceipt: async () => {
      calls.push('putReceipt');
      return 'created';
    },
  } as unknown as LeadStore;
  const graph: MetaGraphClient = {
    getLead: async () => {
      throw new Error('not used');
    },
    getForm: async () => {
      throw new Error('not used');
    },
    listForms: async () => {
      calls.push('listForms');
      return { items: [{ id: '912345678901234567' }] };
    },
    listLeads: async (_formId, _credentials, query) => {
      calls.push(`listLeads since ${query.createdAfterUnix}`);
      return { items: [{ id: '900000000000000001' }] };
    },
  };
  const deps = fakeDeps({
    store,
    config: testConfig(options.config ?? {}),
    secrets: fixedSecrets({
      META_APP_SECRET: 'app-secret',
      META_PAGE_TOKENS: JSON.stringify({ [PAGE]: 'token' }),
      ...options.secrets,
    }),
  });
  return { calls, handler: createReceiptSweeper(deps, { reconcile: { graph } }) };
}

describe('receipt-sweeper handler dispatch', () => {
  it('sweeps on the scheduled event, without reading Meta', async () => {
    const t = setup();
    expect(await t.handler({ 'detail-type': 'Scheduled Event' })).toEqual({ requeued: 0, errors: [] });
    expect(t.calls).toEqual(['listPendingReceipts']);
  });

  it('reconciles Meta on the reconcile task, with the configured lookback', async () => {
    const t = setup({ config: { meta: { reconcile: { lookbackHours: 24 } } } });
    const result = await t.handler({ task: RECONCILE_META_TASK });
    // fakeDeps' clock: 2026-11-30T10:00:00Z.
    const since = Date.parse('2026-11-30T10:00:00.000Z') / 1000 - 24 * 3600;
    expect(result).toMatchObject({
      task: RECONCILE_META_TASK,
      since,
      pages: 1,
      leadsSeen: 1,
      newReceipts: 1,
    });
    expect(t.calls).toEqual(['listForms', `listLeads since ${since}`, 'putReceipt']);
  });

  it('skips the reconcile task when it is disabled or Meta is not configured', async () => {
    for (const t of [
      setup({ config: { meta: { reconcile: { enabled: false } } } }),
      setup({ secrets: { META_APP_SECRET: '' } }),
      setup({ secrets: { META_PAGE_TOKENS: '' } }),
    ]) {
      expect(await t.handler({ task: RECONCILE_META_TASK })).toEqual({
        task: RECONCILE_META_TASK,
        skipped: 'disabled_or_not_configured',
      });
      expect(t.calls).toEqual([]);
    }
  });
});
