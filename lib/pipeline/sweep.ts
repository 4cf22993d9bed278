import type { HubDeps } from '../deps.js';
import type { ReceiptKey } from '../ports.js';

/**
 * Longer than a healthy capture takes, retries included (the capture queue's visibility timeout times
 * its maxReceiveCount on AWS is 15 minutes), so the sweeper rarely doubles the queue's own retries.
 */
export const SWEEP_OLDER_THAN_MS = 15 * 60_000;
/** How far back a sweep looks; older stranded receipts need `npm run replay` or a wider sweep. */
export const SWEEP_LOOKBACK_HOURS = 48;
const SWEEP_LIMIT = 1000;
const PAGE_SIZE = 100;
const HOUR_MS = 3_600_000;

export interface SweepOptions {
  /** Receipts pending at least this long are queued again (default 15 minutes; 0: every pending one). */
  olderThanMs?: number;
  /** Receipts pending up to this long before the cutoff are read (default 48 hours). */
  lookbackHours?: number;
  /** At most this many receipts per sweep (default 1000); the next sweep takes the rest. */
  limit?: number;
}

export interface SweepResult {
  /** Receipts still `received` past the cutoff, queued again for capture. */
  requeued: ReceiptKey[];
  /** Could not be queued; a later sweep takes them again once they are overdue again. */
  errors: { key: ReceiptKey; error: string }[];
}

/**
 * The receipt sweeper: a receipt whose capture message never reached the queue (the ingester crashed or
 * the queue refused it after the receipt was written, so the sender got a 5xx, redelivered, and was told
 * "duplicate") or was dead-lettered would otherwise wait forever. Each sweep reads the receipts still
 * `received` for longer than `olderThanMs` (a query per day looked back), and queues each one again,
 * restarting its pending clock so that a receipt merely waiting in a long queue is not queued again on
 * every sweep. Capture is idempotent (it skips receipts that moved on and converges on re-runs), so a
 * receipt queued twice is captured once.
 */
export async function sweepReceipts(
  deps: Pick<HubDeps, 'receipts' | 'captureQueue' | 'clock' | 'logger'>,
  options: SweepOptions = {},
): Promise<SweepResult> {
  const now = deps.clock.now().getTime();
  const cutoff = now - Math.max(0, options.olderThanMs ?? SWEEP_OLDER_THAN_MS);
  const lookbackHours = Math.max(0, options.lookbackHours ?? SWEEP_LOOKBACK_HOURS);
  const limit = Math.max(1, options.limit ?? SWEEP_LIMIT);
  const since = new Date(cutoff - lookbackHours * HOUR_MS).toISOString();
  const before = new Date(cutoff).toISOString();
  const at = new Date(now).toISOString();

  const result: SweepResult = { requeued: [], errors: [] };
  let taken = 0;
  let cursor: string | undefined;
  do {
    const page = await deps.receipts.listPendingReceipts({
      since,
      before,
      limit: Math.min(PAGE_SIZE, limit - taken),
      ...(cursor ? { cursor } : {}),
    });
    for (const receipt of page.receipts) {
      const key: ReceiptKey = { source: receipt.source, platformLeadId: receipt.platformLeadId };
      taken += 1;
      try {
        // First restart its pending clock, so that a receipt merely waiting in a long queue is queued
        // again once per `olderThanMs`, not on every sweep; skipped when capture got to it meanwhile.
        if (!(await deps.receipts.markReceiptSwept(key, at))) continue;
        await deps.captureQueue.send(key);
        result.requeued.push(key);
      } catch (error) {
        // Its pending clock restarted, so a later sweep takes it again once it is overdue.
        result.errors.push({ key, error: (error as Error).name ?? 'Error' });
      }
    }
    cursor = page.cursor;
  } while (cursor && taken < limit);

  if (result.requeued.length > 0 || result.errors.length > 0) {
    // Ids only: a stranded receipt is worth a look in the logs, its content is not.
    deps.logger.warn('stranded receipts queued again for capture', {
      requeued: result.requeued.length,
      errors: result.errors.length,
      receipts: result.requeued.slice(0, 20).map((k) => `${k.source}:${k.platformLeadId}`),
      ...(result.errors.length > 0 ? { error: result.errors[0]?.error } : {}),
    });
  }
  return result;
}
