import type { HubDeps } from '../deps.js';
import type { Source } from '../lead/model.js';

/** A receipt still uncaptured after this long is assumed lost from the queue. */
const REQUEUE_AFTER_MS = 60_000;

export interface IngestInput {
  source: Source;
  platformLeadId: string;
  /** Everything capture needs later; stored raw on the receipt. */
  payload: unknown;
}

export type IngestOutcome = { status: 'accepted' } | { status: 'duplicate' };

/**
 * Ingest a delivery: make it durable first (a conditional put of its receipt), then queue it for capture.
 * The caller answers 2xx only after this resolves; any throw must become a 5xx so the platform retries.
 */
export async function ingest(
  deps: Pick<HubDeps, 'store' | 'captureQueue' | 'clock'>,
  input: IngestInput,
): Promise<IngestOutcome> {
  const key = { source: input.source, platformLeadId: input.platformLeadId };
  const created = await deps.store.putReceipt({
    ...key,
    receivedAt: deps.clock.now().toISOString(),
    status: 'received',
    payload: input.payload,
  });
  if (created === 'duplicate') {
    // A redelivery after a failed enqueue must not strand the receipt: if it has waited for capture longer
    // than a healthy pipeline takes, queue it again (capture skips finished receipts, so no lead doubles).
    const existing = await deps.store.getReceipt(key);
    const waitedMs = existing ? deps.clock.now().getTime() - Date.parse(existing.receivedAt) : 0;
    if (existing?.status === 'received' && waitedMs > REQUEUE_AFTER_MS) await deps.captureQueue.send(key);
    return { status: 'duplicate' };
  }
  await deps.captureQueue.send(key);
  return { status: 'accepted' };
}
