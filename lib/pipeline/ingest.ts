import type { HubDeps } from '../deps.js';
import type { Source } from '../lead/model.js';
import type { Receipt, ReceiptKey } from '../ports.js';

/** A receipt still uncaptured after this long is assumed lost from the queue. */
const REQUEUE_AFTER_MS = 60_000;

type IngestDeps = Pick<HubDeps, 'receipts' | 'captureQueue' | 'clock'>;

export interface IngestInput {
  source: Source;
  platformLeadId: string;
  /** Everything capture needs later; stored raw on the receipt. */
  payload: unknown;
}

export type IngestOutcome = { status: 'accepted' } | { status: 'duplicate' };

/** A delivery under a key the sender chose (web-form ids), which proves nothing about its content. */
export interface ClaimedIngestInput extends IngestInput {
  /** Keyed hash of the content, kept on the receipt. */
  fingerprint: string;
  /** The key this submission found claimed by other content; kept on its receipt. */
  conflictWith?: string;
}

export type ClaimedIngestOutcome = IngestOutcome | { status: 'conflict' };

/**
 * Ingest a delivery: make it durable first (a conditional put of its receipt), then queue it for capture.
 * The caller answers 2xx only after this resolves; any throw must become a 5xx so the platform retries.
 */
export async function ingest(deps: IngestDeps, input: IngestInput): Promise<IngestOutcome> {
  const key = { source: input.source, platformLeadId: input.platformLeadId };
  if ((await putReceipt(deps, input)) === 'created') return queue(deps, key);
  await requeueIfStranded(deps, await deps.receipts.getReceipt(key));
  return { status: 'duplicate' };
}

/**
 * Ingest under a sender-chosen key: a duplicate only when the receipt already there has the same
 * fingerprint. With another one, or none, nothing is written and the outcome is `conflict`, so a reused
 * or pre-claimed id cannot swallow other content; the caller stores it under a key of its own.
 */
export async function ingestClaimed(
  deps: IngestDeps,
  input: ClaimedIngestInput,
): Promise<ClaimedIngestOutcome> {
  const key = { source: input.source, platformLeadId: input.platformLeadId };
  const { fingerprint, conflictWith } = input;
  if (
    (await putReceipt(deps, input, { fingerprint, ...(conflictWith ? { conflictWith } : {}) })) === 'created'
  ) {
    return queue(deps, key);
  }
  const existing = await deps.receipts.getReceipt(key);
  if (existing?.fingerprint !== fingerprint) return { status: 'conflict' };
  await requeueIfStranded(deps, existing);
  return { status: 'duplicate' };
}

function putReceipt(
  deps: IngestDeps,
  input: IngestInput,
  claim: Pick<Receipt, 'fingerprint' | 'conflictWith'> = {},
): Promise<'created' | 'duplicate'> {
  return deps.receipts.putReceipt({
    source: input.source,
    platformLeadId: input.platformLeadId,
    receivedAt: deps.clock.now().toISOString(),
    status: 'received',
    payload: input.payload,
    ...claim,
  });
}

async function queue(deps: IngestDeps, key: ReceiptKey): Promise<{ status: 'accepted' }> {
  await deps.captureQueue.send(key);
  return { status: 'accepted' };
}

/**
 * A redelivery after a failed enqueue must not strand the receipt: if it has waited for capture longer
 * than a healthy pipeline takes, queue it again (capture skips finished receipts, so no lead doubles).
 */
async function requeueIfStranded(deps: IngestDeps, existing: Receipt | undefined): Promise<void> {
  const waitedMs = existing ? deps.clock.now().getTime() - Date.parse(existing.receivedAt) : 0;
  if (existing?.status === 'received' && waitedMs > REQUEUE_AFTER_MS) {
    await deps.captureQueue.send({ source: existing.source, platformLeadId: existing.platformLeadId });
  }
}
