import { describe, expect, it } from 'vitest';
import { parseReplayArgs, replayReceipts } from '../../../lib/pipeline/replay.js';
import type { Receipt, ReceiptKey, ReceiptStore } from '../../../lib/ports.js';
import { silentLogger } from '../../support/fakes.js';

describe('parseReplayArgs', () => {
  it('reads source, status, limit and flags, in both --flag value and --flag=value forms', () => {
    expect(parseReplayArgs(['--source', 'meta', '--status', 'failed'])).toEqual({
      source: 'meta',
      status: 'failed',
      dryRun: false,
      verbose: false,
    });
    expect(
      parseReplayArgs(['--source=meta', '--status=failed', '--limit', '5', '--dry-run', '--verbose']),
    ).toEqual({
      source: 'meta',
      status: 'failed',
      limit: 5,
      dryRun: true,
      verbose: true,
    });
  });

  it('reads --quarantine, with or without a source', () => {
    expect(parseReplayArgs(['--quarantine'])).toEqual({ quarantine: true, dryRun: false, verbose: false });
    expect(parseReplayArgs(['--quarantine', '--source=tiktok', '--limit', '3', '--dry-run'])).toEqual({
      quarantine: true,
      source: 'tiktok',
      limit: 3,
      dryRun: true,
      verbose: false,
    });
  });

  it('refuses missing, unknown or bad arguments with the usage', () => {
    for (const argv of [
      [],
      ['--source', 'meta'],
      ['--status', 'failed'],
      ['--source', 'myspace', '--status', 'failed'],
      ['--source', 'meta', '--status', 'captured'],
      ['--source', 'meta', '--status', 'failed', '--limit', '0'],
      ['--source', 'meta', '--status', 'failed', '--limit', 'x'],
      ['--source', '--status', 'failed'],
      ['--source', 'meta', '--status', 'failed', '--force'],
      ['--quarantine', '--status', 'failed'],
      ['--source', 'meta', '--status', 'quarantined'],
    ]) {
      expect(() => parseReplayArgs(argv), argv.join(' ')).toThrow(/usage: npm run replay/);
    }
  });
});

/** A store with failed receipts, paged two at a time, recording updates. */
function failedStore(ids: string[]) {
  const receipts = new Map<string, Receipt>(
    ids.map((id) => [
      id,
      {
        source: 'meta',
        platformLeadId: id,
        receivedAt: '2026-11-30T10:00:00.000Z',
        status: 'failed',
        payload: {},
        statusReason: `why ${id}`,
      },
    ]),
  );
  const updates: [string, string, string | undefined][] = [];
  const store = {
    async listReceipts(_source, _status, limit, cursor) {
      const failed = [...receipts.values()].filter((r) => r.status === 'failed');
      const start = cursor ? Number(cursor) : 0;
      const page = failed.slice(start, start + Math.min(limit, 2));
      const next = start + page.length;
      return next < failed.length && page.length > 0
        ? { receipts: page, cursor: String(next) }
        : { receipts: page };
    },
    async updateReceipt(key: ReceiptKey, update: Pick<Receipt, 'status' | 'statusReason'>) {
      updates.push([key.platformLeadId, update.status, update.statusReason]);
      const r = receipts.get(key.platformLeadId);
      if (r) receipts.set(key.platformLeadId, { ...r, ...update });
      return r !== undefined;
    },
  } as Pick<ReceiptStore, 'listReceipts' | 'updateReceipt'> as ReceiptStore;
  return { store, updates, receipts };
}

describe('replayReceipts', () => {
  it('lists every failed receipt first, then resets and queues each', async () => {
    const { store, updates } = failedStore(['1', '2', '3']);
    const sent: ReceiptKey[] = [];
    const result = await replayReceipts(
      { receipts: store, captureQueue: { send: async (m) => void sent.push(m) }, logger: silentLogger },
      { source: 'meta', status: 'failed' },
    );
    expect(result.found.map((k) => k.platformLeadId)).toEqual(['1', '2', '3']);
    expect(sent).toEqual(result.replayed);
    expect(sent.map((k) => k.platformLeadId)).toEqual(['1', '2', '3']);
    expect(updates).toEqual([
      ['1', 'received', undefined],
      ['2', 'received', undefined],
      ['3', 'received', undefined],
    ]);
  });

  it('respects the limit and changes nothing on a dry run', async () => {
    const { store, updates } = failedStore(['1', '2', '3']);
    const sent: ReceiptKey[] = [];
    const deps = {
      receipts: store,
      captureQueue: { send: async (m: ReceiptKey) => void sent.push(m) },
      logger: silentLogger,
    };
    const dry = await replayReceipts(deps, { source: 'meta', status: 'failed', dryRun: true });
    expect(dry.found).toHaveLength(3);
    expect(sent).toEqual([]);
    expect(updates).toEqual([]);
    const limited = await replayReceipts(deps, { source: 'meta', status: 'failed', limit: 2 });
    expect(limited.replayed.map((k) => k.platformLeadId)).toEqual(['1', '2']);
  });

  it('puts a receipt back in failed, with the old reason, when its message cannot be queued', async () => {
    const { store, receipts } = failedStore(['1', '2']);
    const result = await replayReceipts(
      {
        receipts: store,
        captureQueue: {
          send: async (m) => {
            if (m.platformLeadId === '1') throw Object.assign(new Error('down'), { name: 'QueueDown' });
          },
        },
        logger: silentLogger,
      },
      { source: 'meta', status: 'failed' },
    );
    expect(result.replayed.map((k) => k.platformLeadId)).toEqual(['2']);
    expect(result.errors).toEqual([{ key: { source: 'meta', platformLeadId: '1' }, error: 'QueueDown' }]);
    expect(receipts.get('1')).toMatchObject({
      status: 'failed',
      statusReason: expect.stringContaining('why 1'),
    });
  });
});
