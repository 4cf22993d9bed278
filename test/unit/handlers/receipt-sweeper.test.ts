import { describe, expect, it } from 'vitest';
import { createReceiptSweeper, RECONCILE_META_TASK } from '../../../lib/handlers/receipt-sweeper.js';
import type { ReceiptStore } from '../../../lib/ports.js';
import type { MetaGraphClient } from '../../../lib/sources/meta/fetch.js';
import { fakeDeps, fixedSecrets, recordingQueue, testConfig } from '../../support/fakes.js';
import { rejection } from '../../support/thrown.js';

const PAGE = '153125381133';

/** Records which of the two jobs touched the store: the sweep lists pending receipts, reconcile puts them. */
function setup(options: { secrets?: Record<string, string>; config?: unknown } = {}) {
  const calls: string[] = [];
  const receipts = {
    listPendingReceipts: async () => {
      calls.push('listPendingReceipts');
      return { receipts: [] };
    },
    putReceipt: async () => {
      calls.push('putReceipt');
      return 'created';
    },
  } as unknown as ReceiptStore;
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
    receipts,
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

  it('fails a sweep that could not queue a receipt again, after queuing the others', async () => {
    const queue = recordingQueue();
    const denied = Object.assign(new Error('not authorized to perform: dynamodb:UpdateItem'), {
      name: 'AccessDeniedException',
    });
    const pending = ['a', 'b', 'c'].map((id) => ({
      source: 'meta',
      platformLeadId: id,
      receivedAt: '2026-11-30T09:00:00.000Z',
      status: 'received',
      payload: {},
    }));
    const receipts = {
      listPendingReceipts: async () => ({ receipts: pending }),
      markReceiptSwept: async (key: { platformLeadId: string }) => {
        if (key.platformLeadId === 'b') throw denied;
        return true;
      },
    } as unknown as ReceiptStore;
    const handler = createReceiptSweeper(fakeDeps({ receipts, captureQueue: queue }));

    const error = await rejection(handler({ 'detail-type': 'Scheduled Event' }));
    expect(error).toMatchObject({
      name: 'IncompleteRunError',
      message: 'receipt sweep: 1 of 3 receipts could not be queued again (AccessDeniedException)',
    });
    expect(queue.sent).toEqual([
      { source: 'meta', platformLeadId: 'a' },
      { source: 'meta', platformLeadId: 'c' },
    ]);
  });

  it('fails a Meta reconciliation with a lead it could not take in, after taking in the others', async () => {
    const t = setup();
    const handler = createReceiptSweeper(
      fakeDeps({
        receipts: {
          putReceipt: async (receipt: { platformLeadId: string }) => {
            if (receipt.platformLeadId === '900000000000000002') throw new Error('throttled');
            t.calls.push(`putReceipt ${receipt.platformLeadId}`);
            return 'created';
          },
        } as unknown as ReceiptStore,
        secrets: fixedSecrets({
          META_APP_SECRET: 'app-secret',
          META_PAGE_TOKENS: JSON.stringify({ [PAGE]: 'token' }),
        }),
      }),
      {
        reconcile: {
          graph: {
            getLead: async () => ({}) as never,
            getForm: async () => ({}) as never,
            listForms: async () => ({ items: [{ id: '912345678901234567' }] }),
            listLeads: async () => ({
              items: ['900000000000000001', '900000000000000002', '900000000000000003'].map((id) => ({ id })),
            }),
          },
        },
      },
    );

    const error = await rejection(handler({ task: RECONCILE_META_TASK }));
    expect(error).toMatchObject({
      name: 'IncompleteRunError',
      message: 'meta reconcile: 1 error(s) over 1 page(s); 3 leads seen, 2 new receipts',
    });
    expect(t.calls).toEqual(['putReceipt 900000000000000001', 'putReceipt 900000000000000003']);
  });
});
