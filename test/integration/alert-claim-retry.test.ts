import { describe, expect, it } from 'vitest';
import { freshStore } from '../support/store.js';

/**
 * Found by the reliability harness (npm run chaos): a claim write whose response is lost is retried by the
 * AWS SDK, and the retry fails its own condition. The store must recognise its own claim; and a sender
 * that outlived its lease must not undo an alert that another one has since sent.
 */
describe('alert claims under lost responses', () => {
  it('takes a claim whose first response was lost as its own when the SDK retries the put', async () => {
    const { store, doc } = await freshStore();
    let lose = 1;
    doc.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName === 'PutItemCommand' && lose > 0) {
          lose -= 1;
          // The write landed; the caller sees a timeout, which the SDK retries.
          throw Object.assign(new Error('response lost'), { name: 'TimeoutError' });
        }
        return result;
      },
      { step: 'deserialize', name: 'loseOneResponse', priority: 'high' },
    );
    expect(await store.claimAlert('ld_lost', '2026-11-30T10:00:00.000Z')).toEqual({ claimed: true });
    expect(lose).toBe(0);
    // Someone else still cannot take it.
    expect(await store.claimAlert('ld_lost', '2026-11-30T10:00:01.000Z')).toEqual({
      claimed: false,
      status: 'sending',
    });
  });

  it('never turns a sent alert back into failed (a late sender completing its expired claim)', async () => {
    const { store } = await freshStore();
    expect(await store.claimAlert('ld_late', '2026-11-30T10:00:00.000Z')).toEqual({ claimed: true });
    // The first sender hangs past its lease; a second one claims and sends.
    expect(await store.claimAlert('ld_late', '2026-11-30T10:05:00.000Z')).toEqual({ claimed: true });
    await store.completeAlert('ld_late', { status: 'sent', at: '2026-11-30T10:05:01.000Z' });
    // The first one finally gives up and reports its failure: the alert stays sent.
    await store.completeAlert('ld_late', {
      status: 'failed',
      at: '2026-11-30T10:05:02.000Z',
      detail: 'timed out',
    });
    expect(await store.claimAlert('ld_late', '2026-11-30T10:10:00.000Z')).toEqual({
      claimed: false,
      status: 'sent',
    });
    expect((await store.getAlert('ld_late'))?.status).toBe('sent');
  });

  it('still refuses to complete a claim that was never made', async () => {
    const { store } = await freshStore();
    await expect(
      store.completeAlert('ld_none', { status: 'sent', at: '2026-11-30T10:00:00.000Z' }),
    ).rejects.toThrow(/no alert claim/);
  });

  it('takes the lease from the store options', async () => {
    const { doc, tableName } = await freshStore();
    const { createDynamoDbLeadStore } = await import('../../lib/adapters/dynamodb/lead-store.js');
    const store = createDynamoDbLeadStore({ doc, tableName, alertLeaseMs: 5_000 });
    expect(await store.claimAlert('ld_short', '2026-11-30T10:00:00.000Z')).toEqual({ claimed: true });
    expect((await store.claimAlert('ld_short', '2026-11-30T10:00:04.000Z')).claimed).toBe(false);
    expect(await store.claimAlert('ld_short', '2026-11-30T10:00:06.000Z')).toEqual({ claimed: true });
  });
});
