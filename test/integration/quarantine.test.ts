import type { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { createAdminHttpHandler } from '../../lib/handlers/http-admin.js';
import type { RawLead } from '../../lib/lead/model.js';
import { capture } from '../../lib/pipeline/capture.js';
import { ingest } from '../../lib/pipeline/ingest.js';
import { CAPTURE_FAILURES_BEFORE_QUARANTINE, quarantineDelivery } from '../../lib/pipeline/quarantine.js';
import { replayQuarantine } from '../../lib/pipeline/replay.js';
import { sweepReceipts } from '../../lib/pipeline/sweep.js';
import type { CaptureMessage, LeadStore, Receipt } from '../../lib/ports.js';
import { fakeDeps, fixedClock, httpEvent, recordingQueue } from '../support/fakes.js';
import { freshStore } from '../support/store.js';

/** A logger that keeps every line it is given, to check what is logged (and that no PII is). */
function recordingLogger() {
  const lines: { level: string; message: string; attributes: Record<string, unknown> }[] = [];
  const at =
    (level: string) =>
    (message: string, attributes: Record<string, unknown> = {}) =>
      void lines.push({ level, message, attributes });
  const logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { lines, logger: logger as unknown as Logger };
}

const rawLead = (id: string): RawLead => ({
  source: 'form',
  platformLeadId: id,
  platformCreatedAt: '2026-11-30T09:59:58.000Z',
  email: 'jane@acme.io',
  fullName: 'Jane Doe',
  answers: [],
  attribution: { source: 'form', formId: 'contact' },
  consents: [],
});

/** A DynamoDB-shaped error: a client fault the request itself causes, so every retry meets it again. */
const itemTooLarge = () =>
  Object.assign(new Error('Item size has exceeded the maximum allowed size for jane@acme.io'), {
    name: 'ValidationException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });
const throttled = () =>
  Object.assign(new Error('Rate of requests exceeds the allowed throughput'), {
    name: 'ProvisionedThroughputExceededException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    $retryable: { throttling: true },
  });

/** The real store, whose putLead throws what `fault` returns (nothing: it works). */
async function faultyCaptureSetup() {
  const clock = fixedClock('2026-11-30T10:00:00.000Z');
  const { store, receiptStore } = await freshStore(clock.now);
  let fault: (() => Error) | undefined;
  const faulty: LeadStore = {
    ...store,
    putLead: async (lead) => {
      if (fault) throw fault();
      return store.putLead(lead);
    },
  };
  const { lines, logger } = recordingLogger();
  const captureQueue = recordingQueue<CaptureMessage>();
  const deps = fakeDeps({ store: faulty, receipts: receiptStore, captureQueue, clock, logger });
  const key = { source: 'form' as const, platformLeadId: 'f1' };
  await ingest(deps, { ...key, payload: rawLead('f1') });
  return {
    deps,
    store,
    receiptStore,
    clock,
    lines,
    key,
    captureQueue,
    setFault: (f: (() => Error) | undefined) => {
      fault = f;
    },
  };
}

describe('quarantined receipts in the store', () => {
  const kept = (id: string, source: Receipt['source'] = 'meta'): Receipt => ({
    source,
    platformLeadId: id,
    receivedAt: '2026-11-30T10:00:00.000Z',
    status: 'quarantined',
    quarantineKind: 'delivery',
    statusReason: 'no usable id',
    payload: { raw: '{}', bytes: 2 },
  });

  it('lists and counts them until their retention ends, and no longer once resolved', async () => {
    const clock = fixedClock('2026-11-30T10:00:00.000Z');
    const { receiptStore } = await freshStore(clock.now);
    await receiptStore.putReceipt(kept('q_1'), { retainDays: 7 });
    clock.set('2026-12-01T10:00:00.000Z');
    await receiptStore.putReceipt(kept('q_2'), { retainDays: 7 });
    await receiptStore.putReceipt(kept('q_3', 'tiktok'), { retainDays: 7 });
    expect(await receiptStore.countReceipts('meta', 'quarantined')).toBe(2);
    expect(
      (await receiptStore.listReceipts('meta', 'quarantined', 10)).receipts.map((r) => r.platformLeadId),
    ).toEqual(['q_1', 'q_2']);

    // Past q_1's seven days: gone from the list and the count, though dynalite keeps the item.
    clock.set('2026-12-07T10:00:01.000Z');
    expect(await receiptStore.countReceipts('meta', 'quarantined')).toBe(1);
    expect(
      (await receiptStore.listReceipts('meta', 'quarantined', 10)).receipts.map((r) => r.platformLeadId),
    ).toEqual(['q_2']);

    await receiptStore.updateReceipt(
      { source: 'meta', platformLeadId: 'q_2' },
      { status: 'resolved', erasePayload: true },
    );
    expect(await receiptStore.countReceipts('meta', 'quarantined')).toBe(0);
    expect(await receiptStore.getReceipt({ source: 'meta', platformLeadId: 'q_2' })).toMatchObject({
      status: 'resolved',
      payload: null,
    });
    expect(await receiptStore.countReceipts('tiktok', 'quarantined')).toBe(1);
  });

  it('counts identical capture failures in a row, starts again on another error, and only on received receipts', async () => {
    const { receiptStore } = await freshStore();
    const key = { source: 'form' as const, platformLeadId: 'r1' };
    await receiptStore.putReceipt({
      ...key,
      receivedAt: '2026-11-30T10:00:00.000Z',
      status: 'received',
      payload: {},
    });
    expect(await receiptStore.recordCaptureFailure(key, 'TypeError: x')).toBe(1);
    expect(await receiptStore.recordCaptureFailure(key, 'TypeError: x')).toBe(2);
    expect(await receiptStore.recordCaptureFailure(key, 'RangeError: y')).toBe(1);
    expect(await receiptStore.getReceipt(key)).toMatchObject({
      captureFailures: 1,
      lastCaptureError: 'RangeError: y',
    });

    // Quarantined only from received; back to received (a replay) the count starts over.
    expect(await receiptStore.updateReceipt(key, { status: 'quarantined', onlyIfStatus: 'received' })).toBe(
      true,
    );
    expect(await receiptStore.updateReceipt(key, { status: 'quarantined', onlyIfStatus: 'received' })).toBe(
      false,
    );
    expect(await receiptStore.recordCaptureFailure(key, 'RangeError: y')).toBeUndefined();
    await receiptStore.updateReceipt(key, { status: 'received' });
    const reset = await receiptStore.getReceipt(key);
    expect(reset?.captureFailures).toBeUndefined();
    expect(reset?.lastCaptureError).toBeUndefined();
    expect(await receiptStore.recordCaptureFailure(key, 'RangeError: y')).toBe(1);
  });
});

describe('a capture that fails the same way every time', () => {
  it(`is quarantined after ${CAPTURE_FAILURES_BEFORE_QUARANTINE} attempts, with its cause logged each time and no PII`, async () => {
    const { deps, receiptStore, lines, key, setFault } = await faultyCaptureSetup();
    setFault(itemTooLarge);
    for (let attempt = 1; attempt < CAPTURE_FAILURES_BEFORE_QUARANTINE; attempt++) {
      await expect(capture(deps, key)).rejects.toThrow(/maximum allowed size/);
      expect(await receiptStore.getReceipt(key)).toMatchObject({
        status: 'received',
        captureFailures: attempt,
      });
    }
    // The last attempt acknowledges the message: the receipt is quarantined, not retried again.
    expect(await capture(deps, key)).toEqual({ status: 'quarantined' });
    const receipt = await receiptStore.getReceipt(key);
    expect(receipt).toMatchObject({
      status: 'quarantined',
      quarantineKind: 'capture',
      statusReason: `capture failed ${CAPTURE_FAILURES_BEFORE_QUARANTINE} times in a row: ValidationException: Item size has exceeded the maximum allowed size for …`,
    });

    const failures = lines.filter((l) => l.message === 'capture failed');
    expect(failures.map((l) => l.attributes.failures)).toEqual([1, 2]);
    expect(failures[0]?.attributes).toMatchObject({ source: 'form', platformLeadId: 'f1' });
    expect(failures[0]?.attributes.error).toMatch(/^ValidationException: Item size has exceeded/);
    expect(lines.some((l) => l.message.startsWith('receipt quarantined'))).toBe(true);
    expect(JSON.stringify(lines)).not.toContain('jane@acme.io');
    expect(JSON.stringify(receipt?.statusReason)).not.toContain('jane@acme.io');

    // Quarantined is listed as such, and capture leaves it alone.
    expect(await receiptStore.countReceipts('form', 'quarantined')).toBe(1);
    expect(await capture(deps, key)).toEqual({ status: 'already-done' });
  });

  it('is never queued again by the receipt sweeper', async () => {
    const { deps, clock, key, setFault } = await faultyCaptureSetup();
    setFault(itemTooLarge);
    for (let attempt = 1; attempt < CAPTURE_FAILURES_BEFORE_QUARANTINE; attempt++) {
      await expect(capture(deps, key)).rejects.toThrow();
    }
    // Still pending between the failures: the sweeper takes it, as it would a dead-lettered message.
    clock.set('2026-11-30T10:30:00.000Z');
    const sweepDeps = { ...deps, captureQueue: recordingQueue<CaptureMessage>() };
    expect((await sweepReceipts(sweepDeps, { olderThanMs: 0 })).requeued).toEqual([key]);
    expect(await capture(deps, key)).toEqual({ status: 'quarantined' });
    clock.set('2026-11-30T12:00:00.000Z');
    const after = await sweepReceipts(sweepDeps, { olderThanMs: 0 });
    expect(after.requeued).toEqual([]);
    expect(sweepDeps.captureQueue.sent).toEqual([key]);
  });

  it('is not quarantined for transient errors, however many, nor for different errors in turn', async () => {
    const { deps, receiptStore, lines, key, setFault } = await faultyCaptureSetup();
    setFault(throttled);
    for (let attempt = 0; attempt < CAPTURE_FAILURES_BEFORE_QUARANTINE + 3; attempt++) {
      await expect(capture(deps, key)).rejects.toThrow(/throughput/);
    }
    expect(await receiptStore.getReceipt(key)).toMatchObject({ status: 'received' });
    expect((await receiptStore.getReceipt(key))?.captureFailures).toBeUndefined();
    expect(lines.filter((l) => l.message === 'capture failed; the queue will retry')).toHaveLength(
      CAPTURE_FAILURES_BEFORE_QUARANTINE + 3,
    );

    const faults = [itemTooLarge, () => new TypeError('Cannot read properties of undefined')];
    for (let attempt = 0; attempt < CAPTURE_FAILURES_BEFORE_QUARANTINE + 1; attempt++) {
      setFault(faults[attempt % 2]);
      await expect(capture(deps, key)).rejects.toThrow();
    }
    expect(await receiptStore.getReceipt(key)).toMatchObject({ status: 'received', captureFailures: 1 });

    setFault(undefined);
    expect(await capture(deps, key)).toMatchObject({ status: 'captured' });
  });

  it('goes through capture again on a quarantine replay, with its failure count cleared', async () => {
    const { deps, receiptStore, key, setFault, captureQueue } = await faultyCaptureSetup();
    setFault(itemTooLarge);
    for (let attempt = 1; attempt < CAPTURE_FAILURES_BEFORE_QUARANTINE; attempt++) {
      await expect(capture(deps, key)).rejects.toThrow();
    }
    expect(await capture(deps, key)).toEqual({ status: 'quarantined' });

    captureQueue.sent.length = 0;
    const dry = await replayQuarantine(deps, { quarantine: true, dryRun: true });
    expect(dry.found).toEqual([key]);
    expect(await receiptStore.getReceipt(key)).toMatchObject({ status: 'quarantined' });

    const replay = await replayQuarantine(deps, { quarantine: true, source: 'form' });
    expect(replay).toMatchObject({ found: [key], replayed: [key], resolved: [], unreadable: [], errors: [] });
    expect(captureQueue.sent).toEqual([key]);
    const reset = await receiptStore.getReceipt(key);
    expect(reset).toMatchObject({ status: 'received', quarantineKind: 'capture' });
    expect(reset?.captureFailures).toBeUndefined();

    setFault(undefined);
    expect(await capture(deps, key)).toMatchObject({ status: 'captured' });
    expect(await receiptStore.countReceipts('form', 'quarantined')).toBe(0);
  });
});

describe('quarantined delivery items: GET /api/quarantine and the replay', () => {
  async function setup() {
    const clock = fixedClock('2026-11-30T10:00:00.000Z');
    const { store, receiptStore } = await freshStore(clock.now);
    const captureQueue = recordingQueue<CaptureMessage>();
    const deps = fakeDeps({ store, receipts: receiptStore, captureQueue, clock });
    const admin = createAdminHttpHandler(deps);
    const get = (query: Record<string, string> = {}, token: string | null = 'admin-token') =>
      admin(
        httpEvent({
          method: 'GET',
          routeKey: 'GET /api/quarantine',
          path: '/api/quarantine',
          query,
          headers: token ? { authorization: `Bearer ${token}` } : {},
        }),
      );
    return { deps, store, receiptStore, captureQueue, get, clock };
  }
  const body = (res: { body?: string }) => JSON.parse(res.body ?? '{}');

  // A change an earlier version could not read (a form id that is not all digits), and one nobody can.
  const readableNow = {
    item: {
      field: 'leadgen',
      value: { leadgen_id: '900000000000000007', page_id: '153125381133', form_id: 'f-1' },
    },
    context: { object: 'page', part: 'change', entryId: '153125381133', entryTime: '1764496800' },
    reason: 'leadgen change without usable ids',
  };
  const unreadable = {
    item: { field: 'leadgen', value: { page_id: '153125381133' } },
    context: { object: 'page', part: 'change' },
    reason: 'leadgen change without a usable leadgen_id',
  };

  it('lists them with kind, reason and size, counted, without payloads unless asked, and pages with a cursor', async () => {
    const { deps, get, clock } = await setup();
    await quarantineDelivery(deps, 'meta', [readableNow, unreadable]);
    clock.set('2026-11-30T10:05:00.000Z');
    await quarantineDelivery(deps, 'google', [
      { item: { lead_id: '' }, reason: 'lead without a usable lead_id' },
    ]);

    expect((await get({}, null)).statusCode).toBe(401);
    expect((await get({}, 'wrong')).statusCode).toBe(401);

    const all = body(await get());
    expect(all.count).toBe(3);
    expect(all.cursor).toBeUndefined();
    expect(all.receipts).toHaveLength(3);
    expect(all.receipts.map((r: { source: string }) => r.source).sort()).toEqual(['google', 'meta', 'meta']);
    const google = all.receipts.find((r: { source: string }) => r.source === 'google');
    expect(google).toEqual({
      source: 'google',
      key: expect.stringMatching(/^q_[0-9a-f]{64}$/),
      kind: 'delivery',
      reason: 'lead without a usable lead_id',
      receivedAt: '2026-11-30T10:05:00.000Z',
      payloadBytes: expect.any(Number),
    });
    expect(JSON.stringify(all)).not.toContain('raw');

    const withPayload = body(await get({ payload: 'true' }));
    expect(withPayload.receipts[0].payload).toMatchObject({ raw: expect.any(String) });

    // One at a time: every receipt once, across sources, with the count on each page.
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = body(await get({ limit: '1', ...(cursor ? { cursor } : {}) }));
      expect(page.count).toBe(3);
      seen.push(...page.receipts.map((r: { key: string }) => r.key));
      cursor = page.cursor;
    } while (cursor);
    expect(new Set(seen)).toEqual(new Set(all.receipts.map((r: { key: string }) => r.key)));
    expect(seen).toHaveLength(3);

    expect((await get({ cursor: 'not-a-cursor' })).statusCode).toBe(400);
    expect((await get({ payload: 'yes' })).statusCode).toBe(400);
    expect((await get({ limit: '0' })).statusCode).toBe(400);
  });

  it('replays an item the current parser reads into a lead, resolves it, and leaves the unreadable one listed', async () => {
    const { deps, receiptStore, captureQueue, get } = await setup();
    await quarantineDelivery(deps, 'meta', [readableNow, unreadable]);

    const result = await replayQuarantine(deps, { quarantine: true });
    expect(result.found).toHaveLength(2);
    expect(result.resolved).toEqual([
      {
        key: { source: 'meta', platformLeadId: expect.stringMatching(/^q_/) },
        leads: ['900000000000000007'],
        ignored: 0,
      },
    ]);
    expect(result.unreadable).toEqual([
      {
        key: { source: 'meta', platformLeadId: expect.stringMatching(/^q_/) },
        reason: 'leadgen change without a usable leadgen_id',
        leads: [],
      },
    ]);
    expect(captureQueue.sent).toEqual([{ source: 'meta', platformLeadId: '900000000000000007' }]);
    expect(
      await receiptStore.getReceipt({ source: 'meta', platformLeadId: '900000000000000007' }),
    ).toMatchObject({
      status: 'received',
      payload: {
        leadgenId: '900000000000000007',
        pageId: '153125381133',
        notifiedAt: '2025-11-30T10:00:00.000Z',
      },
    });
    const resolvedKey = result.resolved[0]?.key;
    if (!resolvedKey) throw new Error('expected a resolved item');
    expect(await receiptStore.getReceipt(resolvedKey)).toMatchObject({ status: 'resolved', payload: null });

    const listed = body(await get());
    expect(listed.count).toBe(1);
    expect(listed.receipts.map((r: { reason: string }) => r.reason)).toEqual([
      'leadgen change without a usable leadgen_id',
    ]);

    // A second replay finds only the unreadable one, and changes nothing.
    const again = await replayQuarantine(deps, { quarantine: true, source: 'meta' });
    expect(again.found).toHaveLength(1);
    expect(again.resolved).toEqual([]);
    expect(captureQueue.sent).toHaveLength(1);
  });
});
