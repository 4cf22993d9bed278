import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createFormsHttpHandler } from '../../lib/handlers/http-forms.js';
import { createReceiptSweeper } from '../../lib/handlers/receipt-sweeper.js';
import { type RunningHub, startHub } from '../../lib/local/runtime.js';
import { sweepReceipts } from '../../lib/pipeline/sweep.js';
import { type CaptureMessage, InvalidCursorError, type Queue, type Receipt } from '../../lib/ports.js';
import { startFakeSlack } from '../e2e/support.js';
import { fakeDeps, fixedClock, recordingQueue, silentLogger } from '../support/fakes.js';
import { freshStore } from '../support/store.js';

const receipt = (id: string, source: Receipt['source'] = 'meta'): Receipt => ({
  source,
  platformLeadId: id,
  receivedAt: '2026-11-30T10:00:00.000Z',
  status: 'received',
  payload: { leadgenId: id, pageId: '1' },
});

const ids = (receipts: { platformLeadId: string }[]) => receipts.map((r) => r.platformLeadId);

describe('pending receipts (the sweeper’s sparse index)', () => {
  it('lists a receipt in the hour it was written, until it leaves received', async () => {
    const clock = fixedClock('2026-11-30T10:15:00.000Z');
    const { receiptStore } = await freshStore(clock.now);
    await receiptStore.putReceipt(receipt('m1'));
    clock.set('2026-11-30T10:40:00.000Z');
    await receiptStore.putReceipt(receipt('f1', 'form'));
    clock.set('2026-11-30T11:05:00.000Z');
    await receiptStore.putReceipt(receipt('m2'));

    const hour10 = { since: '2026-11-30T10:00:00.000Z', limit: 10 };
    expect(
      ids(
        (await receiptStore.listPendingReceipts({ ...hour10, before: '2026-11-30T11:00:00.000Z' })).receipts,
      ),
    ).toEqual(['m1', 'f1']);
    // Only those pending since before the cutoff.
    expect(
      ids(
        (await receiptStore.listPendingReceipts({ ...hour10, before: '2026-11-30T10:30:00.000Z' })).receipts,
      ),
    ).toEqual(['m1']);
    const hour11 = { since: '2026-11-30T11:00:00.000Z', before: '2026-11-30T12:00:00.000Z', limit: 10 };
    expect(ids((await receiptStore.listPendingReceipts(hour11)).receipts)).toEqual(['m2']);
    // The index keys stay inside the store.
    expect((await receiptStore.listPendingReceipts(hour11)).receipts[0]).toEqual(receipt('m2'));

    await receiptStore.updateReceipt(
      { source: 'meta', platformLeadId: 'm1' },
      { status: 'captured', leadId: 'ld_1' },
    );
    await receiptStore.updateReceipt(
      { source: 'form', platformLeadId: 'f1' },
      { status: 'failed', statusReason: 'x' },
    );
    expect(
      (await receiptStore.listPendingReceipts({ ...hour10, before: '2026-11-30T11:00:00.000Z' })).receipts,
    ).toEqual([]);

    // A replay puts a failed receipt back to received: pending again, at the time of the reset.
    clock.set('2026-11-30T11:20:00.000Z');
    await receiptStore.updateReceipt({ source: 'form', platformLeadId: 'f1' }, { status: 'received' });
    expect(ids((await receiptStore.listPendingReceipts(hour11)).receipts)).toEqual(['m2', 'f1']);
    expect((await receiptStore.listReceipts('form', 'failed', 10)).receipts).toEqual([]);
  });

  it('pages through a bucket with a cursor and refuses a cursor of another bucket', async () => {
    const clock = fixedClock('2026-11-30T10:00:00.000Z');
    const { receiptStore } = await freshStore(clock.now);
    for (const [i, id] of ['a', 'b', 'c'].entries()) {
      clock.set(`2026-11-30T10:0${i}:00.000Z`);
      await receiptStore.putReceipt(receipt(id));
    }
    const query = { since: '2026-11-30T10:00:00.000Z', before: '2026-11-30T11:00:00.000Z', limit: 2 };
    const first = await receiptStore.listPendingReceipts(query);
    expect(ids(first.receipts)).toEqual(['a', 'b']);
    expect(first.cursor).toBeDefined();
    const second = await receiptStore.listPendingReceipts({ ...query, cursor: first.cursor });
    expect(ids(second.receipts)).toEqual(['c']);
    await expect(
      receiptStore.listPendingReceipts({ ...query, cursor: 'bm90LWEtY3Vyc29y' }),
    ).rejects.toBeInstanceOf(InvalidCursorError);
    const forged = Buffer.from(JSON.stringify({ day: '2026-11-30', key: { gsi1pk: 'LEAD#x' } })).toString(
      'base64url',
    );
    await expect(receiptStore.listPendingReceipts({ ...query, cursor: forged })).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
  });

  it('reads across day buckets, oldest first, and pages from one day into the next', async () => {
    const clock = fixedClock('2026-11-29T23:50:00.000Z');
    const { receiptStore } = await freshStore(clock.now);
    await receiptStore.putReceipt(receipt('late-29th'));
    clock.set('2026-11-30T00:10:00.000Z');
    await receiptStore.putReceipt(receipt('early-30th'));
    clock.set('2026-12-01T09:00:00.000Z');
    await receiptStore.putReceipt(receipt('1st'));
    const query = { since: '2026-11-29T12:00:00.000Z', before: '2026-12-01T10:00:00.000Z' };
    expect(ids((await receiptStore.listPendingReceipts({ ...query, limit: 10 })).receipts)).toEqual([
      'late-29th',
      'early-30th',
      '1st',
    ]);
    const first = await receiptStore.listPendingReceipts({ ...query, limit: 1 });
    expect(ids(first.receipts)).toEqual(['late-29th']);
    const second = await receiptStore.listPendingReceipts({ ...query, limit: 2, cursor: first.cursor });
    expect(ids(second.receipts)).toEqual(['early-30th', '1st']);
    // `since` bounds the first day too.
    expect(
      ids(
        (await receiptStore.listPendingReceipts({ ...query, since: '2026-11-30T00:00:00.000Z', limit: 10 }))
          .receipts,
      ),
    ).toEqual(['early-30th', '1st']);
  });
});

describe('sweepReceipts', () => {
  async function setup(queue: Queue<CaptureMessage> = recordingQueue<CaptureMessage>()) {
    const clock = fixedClock('2026-11-30T08:10:00.000Z');
    const { store, receiptStore } = await freshStore(clock.now);
    const deps = { receipts: receiptStore, captureQueue: queue, clock, logger: silentLogger };
    return { clock, store, receiptStore, deps };
  }

  it('queues receipts pending longer than the cutoff, from every source, and leaves the recent ones', async () => {
    const queue = recordingQueue<CaptureMessage>();
    const { clock, receiptStore, deps } = await setup(queue);
    await receiptStore.putReceipt(receipt('old-meta'));
    clock.set('2026-11-30T09:55:00.000Z');
    await receiptStore.putReceipt(receipt('old-form', 'form'));
    await receiptStore.putReceipt(receipt('done', 'tiktok'));
    await receiptStore.updateReceipt({ source: 'tiktok', platformLeadId: 'done' }, { status: 'captured' });
    clock.set('2026-11-30T10:08:00.000Z');
    await receiptStore.putReceipt(receipt('fresh', 'linkedin'));

    clock.set('2026-11-30T10:12:00.000Z');
    const result = await sweepReceipts(deps, { olderThanMs: 10 * 60_000, lookbackHours: 4 });
    expect(queue.sent).toEqual([
      { source: 'meta', platformLeadId: 'old-meta' },
      { source: 'form', platformLeadId: 'old-form' },
    ]);
    expect(result.requeued).toEqual(queue.sent);
    expect(result.errors).toEqual([]);

    // The swept ones count as pending from now: an immediate second sweep takes only the fresh one…
    expect((await receiptStore.getReceipt({ source: 'meta', platformLeadId: 'old-meta' }))?.sweptAt).toBe(
      '2026-11-30T10:12:00.000Z',
    );
    const again = await sweepReceipts(deps, { olderThanMs: 0, lookbackHours: 4 });
    expect(ids(again.requeued)).toEqual(['fresh']);
    // …and once they are overdue again (still not captured), they are queued again.
    clock.set('2026-11-30T10:25:00.000Z');
    const overdue = await sweepReceipts(deps, { olderThanMs: 10 * 60_000, lookbackHours: 4 });
    expect(ids(overdue.requeued).sort()).toEqual(['fresh', 'old-form', 'old-meta']);
  });

  it('leaves a receipt that capture moved on between the listing and the requeue', async () => {
    const queue = recordingQueue<CaptureMessage>();
    const { clock, receiptStore, deps } = await setup(queue);
    await receiptStore.putReceipt(receipt('raced'));
    clock.set('2026-11-30T09:00:00.000Z');
    const racing = {
      ...deps,
      receipts: {
        ...receiptStore,
        async listPendingReceipts(query: Parameters<typeof receiptStore.listPendingReceipts>[0]) {
          const page = await receiptStore.listPendingReceipts(query);
          // Capture finishes right after the sweep read the bucket.
          await receiptStore.updateReceipt(
            { source: 'meta', platformLeadId: 'raced' },
            { status: 'captured' },
          );
          return page;
        },
      },
    };
    const result = await sweepReceipts(racing, { olderThanMs: 0 });
    expect(result.requeued).toEqual([]);
    expect(queue.sent).toEqual([]);
    expect((await receiptStore.getReceipt({ source: 'meta', platformLeadId: 'raced' }))?.status).toBe(
      'captured',
    );
  });

  it('looks back only as far as it is told', async () => {
    const queue = recordingQueue<CaptureMessage>();
    const { clock, receiptStore, deps } = await setup(queue);
    await receiptStore.putReceipt(receipt('two-hours-ago'));
    clock.set('2026-11-30T10:30:00.000Z');
    expect((await sweepReceipts(deps, { olderThanMs: 0, lookbackHours: 1 })).requeued).toEqual([]);
    expect(ids((await sweepReceipts(deps, { olderThanMs: 0, lookbackHours: 3 })).requeued)).toEqual([
      'two-hours-ago',
    ]);
  });

  it('reports receipts it could not queue and carries on with the rest', async () => {
    let calls = 0;
    const sent: CaptureMessage[] = [];
    const flaky: Queue<CaptureMessage> = {
      async send(message) {
        calls += 1;
        if (calls === 1) throw Object.assign(new Error('queue down'), { name: 'QueueUnavailable' });
        sent.push(message);
      },
    };
    const { clock, receiptStore, deps } = await setup(flaky);
    await receiptStore.putReceipt(receipt('a'));
    await receiptStore.putReceipt(receipt('b'));
    clock.set('2026-11-30T09:00:00.000Z');
    const result = await sweepReceipts(deps, { olderThanMs: 60_000 });
    expect(result.errors).toEqual([
      { key: { source: 'meta', platformLeadId: 'a' }, error: 'QueueUnavailable' },
    ]);
    expect(ids(result.requeued)).toEqual(['b']);
    // Still pending, so a later sweep (once it is overdue again) tries again.
    expect((await sweepReceipts(deps, { olderThanMs: 60_000 })).requeued).toEqual([]);
    clock.set('2026-11-30T09:02:00.000Z');
    expect(ids((await sweepReceipts(deps, { olderThanMs: 60_000 })).requeued)).toEqual(['a', 'b']);
  });

  it('stops at its limit', async () => {
    const { receiptStore, clock, deps } = await setup();
    for (const id of ['a', 'b', 'c']) await receiptStore.putReceipt(receipt(id));
    clock.set('2026-11-30T09:00:00.000Z');
    expect(ids((await sweepReceipts(deps, { olderThanMs: 0, limit: 2 })).requeued)).toEqual(['a', 'b']);
  });

  it('is what the scheduled Lambda runs, reporting counts only', async () => {
    const queue = recordingQueue<CaptureMessage>();
    const { store, receiptStore, clock } = await setup(queue);
    await receiptStore.putReceipt(receipt('a'));
    clock.set('2026-11-30T09:00:00.000Z');
    const sweeper = createReceiptSweeper(
      fakeDeps({ store, receipts: receiptStore, captureQueue: queue, clock }),
    );
    expect(await sweeper({ 'detail-type': 'Scheduled Event' })).toEqual({
      requeued: 1,
      errors: [],
    });
  });
});

describe('crash between receipt and enqueue, on the local runtime', () => {
  const hubs: RunningHub[] = [];
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const hub of hubs.splice(0)) await hub.stop();
    for (const close of closers.splice(0)) await close();
  });

  const form = JSON.stringify({
    submission_id: 'sweep-1',
    email: 'dana.sweep@acme-robotics.com',
    name: 'Dana Sweep',
    company: 'Acme Robotics',
    privacy_accepted: 'on',
  });

  async function hub(options: { tableName: string; slackUrl: string; failEnqueues?: number }) {
    let failures = options.failEnqueues ?? 0;
    const started = await startHub({
      env: {
        PORT: '0',
        DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
        TABLE_NAME: options.tableName,
        LEADHUB_DB: 'memory',
        LEADHUB_CONFIG: join(import.meta.dirname, '../../leadhub.config.json'),
        LEADHUB_PEPPER: 'sweep-pepper',
        SLACK_WEBHOOK_URL: options.slackUrl,
      },
      log: () => undefined,
      tuning: { batchWindowMs: 5, visibilityTimeoutMs: 50 },
      factories: {
        // The ingester dies after writing the receipt, before the enqueue, `failEnqueues` times.
        formsHttp: (deps) =>
          createFormsHttpHandler({
            ...deps,
            captureQueue: {
              async send(message) {
                if (failures > 0) {
                  failures -= 1;
                  throw new Error('ingester crashed before the enqueue');
                }
                await deps.captureQueue.send(message);
              },
            },
          }),
      },
    });
    hubs.push(started);
    return started;
  }

  const post = (url: string) =>
    fetch(`${url}/forms/contact`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: form,
    });

  it('leaves the receipt stranded (503, then a 202 duplicate), and the sweeper gets it captured and alerted once', async () => {
    const slack = await startFakeSlack();
    closers.push(slack.close);
    const h = await hub({
      tableName: `leadhub-sweep-${randomUUID().slice(0, 8)}`,
      slackUrl: slack.url,
      failEnqueues: 1,
    });

    expect((await post(h.url)).status).toBe(503);
    // The sender retries; the receipt is there, so this is a duplicate and nothing is queued.
    const retry = await post(h.url);
    expect(retry.status).toBe(202);
    expect(((await retry.json()) as { duplicate: boolean }).duplicate).toBe(true);
    await h.drain();
    const key = { source: 'form' as const, platformLeadId: 's_contact:sweep-1' };
    expect((await h.deps.receipts.getReceipt(key))?.status).toBe('received');
    expect(slack.posts).toHaveLength(0);

    // The default periodic sweep waits for 2 minutes of pending; this one is told to take everything.
    expect((await h.sweep({ olderThanMs: 0 })).requeued).toEqual([key]);
    await h.drain();
    expect((await h.deps.receipts.getReceipt(key))?.status).toBe('captured');
    expect(slack.posts).toHaveLength(1);
    expect(JSON.stringify(slack.posts[0]?.body)).toContain('Dana Sweep');

    // A second sweep finds nothing, and a late redelivery is still a duplicate: one lead, one alert.
    expect((await h.sweep({ olderThanMs: 0 })).requeued).toEqual([]);
    expect((await post(h.url)).status).toBe(202);
    await h.drain();
    expect(slack.posts).toHaveLength(1);
  });

  it('sweeps at start what a previous run left stranded (its in-process queue is gone)', async () => {
    const slack = await startFakeSlack();
    closers.push(slack.close);
    const tableName = `leadhub-sweep-${randomUUID().slice(0, 8)}`;
    const first = await hub({ tableName, slackUrl: slack.url, failEnqueues: 1 });
    expect((await post(first.url)).status).toBe(503);
    await first.stop();
    hubs.splice(hubs.indexOf(first), 1);

    const second = await hub({ tableName, slackUrl: slack.url });
    await second.drain();
    expect(
      (await second.deps.receipts.getReceipt({ source: 'form', platformLeadId: 's_contact:sweep-1' }))
        ?.status,
    ).toBe('captured');
    expect(slack.posts).toHaveLength(1);
  });
});

it('queues by default what has been pending for 15 minutes or more', async () => {
  const { receiptStore } = await freshStore(() => new Date('2026-11-30T10:00:00.000Z'));
  await receiptStore.putReceipt(receipt('x'));
  const clock = fixedClock('2026-11-30T10:14:59.000Z');
  const queue = recordingQueue<CaptureMessage>();
  const deps = { receipts: receiptStore, captureQueue: queue, clock, logger: silentLogger };
  expect((await sweepReceipts(deps)).requeued).toEqual([]);
  clock.set('2026-11-30T10:15:01.000Z');
  expect(ids((await sweepReceipts(deps)).requeued)).toEqual(['x']);
});
