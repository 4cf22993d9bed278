import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { InvalidCursorError, type Receipt } from '../../lib/ports.js';
import { freshStore } from '../support/store.js';

const receipt = (id: string, source: Receipt['source'] = 'meta'): Receipt => ({
  source,
  platformLeadId: id,
  receivedAt: '2026-11-30T10:00:00.000Z',
  status: 'received',
  payload: { leadgenId: id, pageId: '1' },
});

/** A clock the test moves, so failures get distinct, ordered times. */
function steppingClock() {
  let t = Date.parse('2026-11-30T10:00:00.000Z');
  return () => {
    t += 1000;
    return new Date(t);
  };
}

describe('listReceipts (failed receipts, for replay)', () => {
  it('lists the failed receipts of a source, oldest failure first, without other sources or statuses', async () => {
    const { receiptStore } = await freshStore(steppingClock());
    for (const id of ['m1', 'm2', 'm3', 'm4']) await receiptStore.putReceipt(receipt(id));
    await receiptStore.putReceipt(receipt('f1', 'form'));
    await receiptStore.updateReceipt(
      { source: 'meta', platformLeadId: 'm3' },
      { status: 'failed', statusReason: 'meta token_expired' },
    );
    await receiptStore.updateReceipt(
      { source: 'meta', platformLeadId: 'm1' },
      { status: 'failed', statusReason: 'meta lead_not_found' },
    );
    await receiptStore.updateReceipt(
      { source: 'meta', platformLeadId: 'm2' },
      { status: 'captured', leadId: 'ld_2' },
    );
    await receiptStore.updateReceipt(
      { source: 'form', platformLeadId: 'f1' },
      { status: 'failed', statusReason: 'invalid' },
    );

    const page = await receiptStore.listReceipts('meta', 'failed', 10);
    expect(page.receipts.map((r) => [r.platformLeadId, r.statusReason])).toEqual([
      ['m3', 'meta token_expired'],
      ['m1', 'meta lead_not_found'],
    ]);
    expect(page.cursor).toBeUndefined();
    // The index keys stay inside the store.
    expect(page.receipts[0]).toEqual({
      ...receipt('m3'),
      status: 'failed',
      statusReason: 'meta token_expired',
      // Each of the five puts read the clock once (their expiry), so the first update is its sixth tick.
      updatedAt: '2026-11-30T10:00:06.000Z',
    });
    expect(
      (await receiptStore.listReceipts('form', 'failed', 10)).receipts.map((r) => r.platformLeadId),
    ).toEqual(['f1']);
    expect((await receiptStore.listReceipts('linkedin', 'failed', 10)).receipts).toEqual([]);
  });

  it('pages with a cursor', async () => {
    const { receiptStore } = await freshStore(steppingClock());
    const ids = ['a', 'b', 'c', 'd', 'e'];
    for (const id of ids) {
      await receiptStore.putReceipt(receipt(id));
      await receiptStore.updateReceipt(
        { source: 'meta', platformLeadId: id },
        { status: 'failed', statusReason: 'x' },
      );
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await receiptStore.listReceipts('meta', 'failed', 2, cursor);
      expect(page.receipts.length).toBeLessThanOrEqual(2);
      seen.push(...page.receipts.map((r) => r.platformLeadId));
      cursor = page.cursor;
    } while (cursor);
    expect(seen).toEqual(ids);
  });

  it('drops a receipt from the list, and clears its reason, once its status changes again', async () => {
    const { receiptStore } = await freshStore(steppingClock());
    await receiptStore.putReceipt(receipt('m1'));
    const key = { source: 'meta', platformLeadId: 'm1' } as const;
    await receiptStore.updateReceipt(key, { status: 'failed', statusReason: 'meta token_expired' });
    expect((await receiptStore.listReceipts('meta', 'failed', 10)).receipts).toHaveLength(1);
    await receiptStore.updateReceipt(key, { status: 'received' });
    expect((await receiptStore.listReceipts('meta', 'failed', 10)).receipts).toEqual([]);
    const reset = await receiptStore.getReceipt(key);
    expect(reset?.status).toBe('received');
    expect(reset?.statusReason).toBeUndefined();
    expect(reset).not.toHaveProperty('gsi1pk');
    // Failing again lists it again.
    await receiptStore.updateReceipt(key, { status: 'failed', statusReason: 'meta permission_missing' });
    expect(
      (await receiptStore.listReceipts('meta', 'failed', 10)).receipts.map((r) => r.statusReason),
    ).toEqual(['meta permission_missing']);
  });

  it('refuses a cursor it did not issue, or one from another list', async () => {
    const { receiptStore } = await freshStore(steppingClock());
    for (const id of ['a', 'b']) {
      await receiptStore.putReceipt(receipt(id));
      await receiptStore.updateReceipt(
        { source: 'meta', platformLeadId: id },
        { status: 'failed', statusReason: 'x' },
      );
    }
    const { cursor } = await receiptStore.listReceipts('meta', 'failed', 1);
    expect(cursor).toBeDefined();
    await expect(receiptStore.listReceipts('form', 'failed', 1, cursor)).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
    await expect(receiptStore.listReceipts('meta', 'failed', 1, 'garbage')).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
  });

  it('keeps a failed receipt for 90 days from the failure, for replay', async () => {
    const { receiptStore, doc, tableName } = await freshStore(steppingClock());
    await receiptStore.putReceipt(receipt('m1'));
    const key = { source: 'meta', platformLeadId: 'm1' } as const;
    const expiresAt = async () =>
      (
        await doc.send(
          new GetCommand({ TableName: tableName, Key: { pk: 'RECEIPT#meta#m1', sk: 'RECEIPT' } }),
        )
      ).Item?.expiresAt;
    // Expiry counts from when the store wrote the receipt (the clock's first tick, 10:00:01).
    const stored = Date.parse('2026-11-30T10:00:01.000Z') / 1000;
    expect(await expiresAt()).toBe(stored + 30 * 24 * 3600);
    await receiptStore.updateReceipt(key, { status: 'failed', statusReason: 'x' });
    expect(await expiresAt()).toBe(stored + 1 + 90 * 24 * 3600);
  });

  it('keeps lead lookups by id working on the shared index', async () => {
    const { store, receiptStore } = await freshStore(steppingClock());
    await receiptStore.putReceipt(receipt('m1'));
    await receiptStore.updateReceipt(
      { source: 'meta', platformLeadId: 'm1' },
      { status: 'failed', statusReason: 'x' },
    );
    expect(await store.getLead('m1')).toBeUndefined();
  });
});
