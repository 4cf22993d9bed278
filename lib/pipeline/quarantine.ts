import { canonicalJson, sha256Hex } from '../consent/proof.js';
import type { HubDeps } from '../deps.js';
import { type Source, SourceSchema } from '../lead/model.js';
import {
  InvalidCursorError,
  type QuarantineKind,
  type Receipt,
  type ReceiptKey,
  type ReceiptStore,
} from '../ports.js';
import type { UnreadableItem } from '../sources/unreadable.js';

/**
 * The quarantine: what the hub was handed but cannot read is kept, counted, listed (GET /api/quarantine)
 * and replayable (`npm run replay -- --quarantine`), never acknowledged and forgotten, and never retried
 * in a loop. Two kinds, both receipts with status `quarantined` in the sparse status index:
 * - `delivery`: an item of an authenticated delivery with no usable lead id, kept raw under
 *   `q_{sha256 of the item}` (a redelivery dedupes on it);
 * - `capture`: a receipt whose capture failed the same way CAPTURE_FAILURES_BEFORE_QUARANTINE times in a
 *   row (a deterministic error, not throttling, a network error, an AWS 5xx or a timeout).
 */

/** Identical deterministic capture failures in a row before a receipt is quarantined (below SQS's 5 receives). */
export const CAPTURE_FAILURES_BEFORE_QUARANTINE = 3;
/** A delivery item larger than this is quarantined without its raw content (a receipt holds 400 KB). */
export const QUARANTINE_MAX_ITEM_BYTES = 256 * 1024;
/** Receipts written at once for one delivery's unreadable items. */
const WRITE_CONCURRENCY = 16;
/** Error messages in logs and reasons are cut to this. */
const MAX_MESSAGE_CHARS = 200;

/** The payload of a `delivery` quarantine receipt. */
export interface QuarantinedItemPayload {
  /** The item's JSON (canonical, numbers as their digits); absent when it was too large to keep. */
  raw?: string;
  /** Size of the item's JSON. */
  bytes: number;
  /** The envelope parts that reading it again needs (see UnreadableItem). */
  context?: Record<string, string>;
}

/** The raw JSON of an unreadable item, or undefined when it cannot be written (nested beyond the stack). */
function rawJson(item: unknown): string | undefined {
  try {
    return canonicalJson(item);
  } catch {
    return undefined;
  }
}

const keyOfRaw = (raw: string | undefined) => `q_${sha256Hex(raw ?? 'unwritable item')}`;

/** The deterministic key of a delivery item: the same item delivered again finds its receipt. */
export function quarantineKey(item: unknown): string {
  return keyOfRaw(rawJson(item));
}

export interface QuarantineDeliveryResult {
  /** Items kept now. */
  quarantined: number;
  /** Items already kept (a redelivery, or the same item twice in one delivery). */
  duplicates: number;
}

/**
 * Keeps each unreadable item of an authenticated delivery as a quarantined receipt (raw, for the receipt
 * retention) and logs ids and reasons only. Resolves once every item is durable; throws otherwise, so the
 * caller answers 5xx and the platform redelivers (the items already kept dedupe).
 */
export async function quarantineDelivery(
  deps: Pick<HubDeps, 'receipts' | 'clock' | 'logger' | 'config'>,
  source: Source,
  items: readonly UnreadableItem[],
): Promise<QuarantineDeliveryResult> {
  const result: QuarantineDeliveryResult = { quarantined: 0, duplicates: 0 };
  if (items.length === 0) return result;
  const keys: string[] = [];
  const keep = async (unreadable: UnreadableItem) => {
    const raw = rawJson(unreadable.item);
    const bytes = raw === undefined ? 0 : Buffer.byteLength(raw, 'utf8');
    const kept = raw !== undefined && bytes <= QUARANTINE_MAX_ITEM_BYTES;
    const payload: QuarantinedItemPayload = {
      ...(kept ? { raw } : {}),
      bytes,
      ...(unreadable.context ? { context: unreadable.context } : {}),
    };
    const key = keyOfRaw(raw);
    keys.push(key);
    const created = await deps.receipts.putReceipt(
      {
        source,
        platformLeadId: key,
        receivedAt: deps.clock.now().toISOString(),
        status: 'quarantined',
        statusReason: kept
          ? unreadable.reason
          : `${unreadable.reason} (not kept: ${raw === undefined ? 'nested too deeply' : 'too large'})`,
        quarantineKind: 'delivery',
        payload,
      },
      { retainDays: deps.config.privacy.receiptRetentionDays },
    );
    if (created === 'created') result.quarantined++;
    else result.duplicates++;
  };
  for (let i = 0; i < items.length; i += WRITE_CONCURRENCY) {
    await Promise.all(items.slice(i, i + WRITE_CONCURRENCY).map(keep));
  }
  deps.logger.warn('delivery items without a usable lead quarantined', {
    source,
    ...result,
    reasons: [...new Set(items.map((i) => i.reason))],
    keys: keys.slice(0, 20),
  });
  return result;
}

const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'LimitExceededException',
  'TransactionConflictException',
  'InternalServerError',
  'InternalServerException',
  'InternalFailure',
  'InternalServiceError',
  'InternalServiceErrorException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'AbortError',
  // The platform clients' own verdicts after their in-process retries; and EventBridge entries still failing.
  'MetaTransientError',
  'LinkedInTransientError',
  'PublishError',
]);

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

interface ErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  cause?: unknown;
  $retryable?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/**
 * Failures that a later attempt may not meet: throttling, AWS 5xx, timeouts, network errors (also as the
 * cause of another error). Anything else failing the same way again and again is deterministic.
 */
export function isTransientError(error: unknown, depth = 0): boolean {
  if (error === null || typeof error !== 'object') return false;
  const e = error as ErrorShape;
  if (typeof e.name === 'string' && TRANSIENT_NAMES.has(e.name)) return true;
  if (e.$retryable || e.$fault === 'server') return true;
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number' && (status === 429 || status >= 500)) return true;
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
  // fetch's network failures are TypeErrors with the socket error as their cause.
  if (e.name === 'TypeError' && e.message === 'fetch failed') return true;
  return depth < 3 && e.cause !== undefined && isTransientError(e.cause, depth + 1);
}

/**
 * An error as `Name: message` without personal data: quoted text (JSON.parse and others echo the input),
 * email addresses, URLs and long digit runs (phone numbers) are blanked, and the whole is cut short.
 */
export function describeError(error: unknown): string {
  const e = (error ?? {}) as ErrorShape;
  const name = typeof e.name === 'string' && e.name !== '' ? e.name : typeof error;
  const message = typeof e.message === 'string' ? e.message : '';
  const safe = message
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`/g, '…')
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '…')
    .replace(/\S+@\S+/g, '…')
    .replace(/\+?\d[\d\s().-]{5,}\d/g, '#')
    .replace(/\s+/g, ' ')
    .trim();
  const text = safe === '' ? name : `${name}: ${safe}`;
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS - 1)}…` : text;
}

export type CaptureFailureOutcome = 'quarantined';

/**
 * Capture of a receipt threw. The cause is logged every time (name and PII-free message, ids only). A
 * transient failure is thrown on for the queue to retry. A deterministic one is counted on the receipt;
 * until it has happened CAPTURE_FAILURES_BEFORE_QUARANTINE times in a row it is thrown on as well, then the
 * receipt is quarantined with the cause as its reason and the message is acknowledged: retrying an error
 * that never changes only loops through the queue, its DLQ and the sweeper.
 */
export async function captureFailed(
  deps: Pick<HubDeps, 'receipts' | 'logger' | 'config'>,
  key: ReceiptKey,
  error: unknown,
): Promise<CaptureFailureOutcome> {
  const cause = describeError(error);
  const ids = { source: key.source, platformLeadId: key.platformLeadId };
  if (isTransientError(error)) {
    deps.logger.warn('capture failed; the queue will retry', { ...ids, error: cause, transient: true });
    throw error;
  }
  let failures: number | undefined;
  try {
    failures = await deps.receipts.recordCaptureFailure(key, cause);
  } catch (recordError) {
    deps.logger.error('capture failed; the failure could not be counted', {
      ...ids,
      error: cause,
      countError: describeError(recordError),
    });
    throw error;
  }
  if (failures === undefined || failures < CAPTURE_FAILURES_BEFORE_QUARANTINE) {
    deps.logger.error('capture failed', {
      ...ids,
      error: cause,
      failures,
      quarantineAfter: CAPTURE_FAILURES_BEFORE_QUARANTINE,
    });
    throw error;
  }
  const reason = `capture failed ${failures} times in a row: ${cause}`;
  const quarantined = await deps.receipts.updateReceipt(key, {
    status: 'quarantined',
    statusReason: reason,
    quarantineKind: 'capture',
    retainDays: deps.config.privacy.receiptRetentionDays,
    onlyIfStatus: 'received',
  });
  // Moved on meanwhile (a concurrent capture finished it): the next receive finds nothing left to do.
  if (!quarantined) throw error;
  deps.logger.error('receipt quarantined: its capture fails the same way every time', { ...ids, reason });
  return 'quarantined';
}

/** One quarantined receipt as GET /api/quarantine lists it. */
export interface QuarantineEntry {
  source: Source;
  key: string;
  kind: QuarantineKind;
  reason?: string;
  receivedAt: string;
  quarantinedAt?: string;
  /** Size of the kept payload's JSON. */
  payloadBytes: number;
  payload?: unknown;
}

export interface QuarantinePage {
  /** Every quarantined receipt within its retention, across sources. */
  count: number;
  receipts: QuarantineEntry[];
  cursor?: string;
}

const SOURCES: readonly Source[] = SourceSchema.options;

interface QuarantineCursor {
  source: Source;
  cursor?: string;
}

function decodeQuarantineCursor(raw: string): QuarantineCursor {
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as QuarantineCursor;
    const source = SourceSchema.parse(c.source);
    if (c.cursor !== undefined && typeof c.cursor !== 'string') throw new Error('cursor');
    return c.cursor === undefined ? { source } : { source, cursor: c.cursor };
  } catch {
    throw new InvalidCursorError('cursor is not one this API returned');
  }
}

const encodeQuarantineCursor = (c: QuarantineCursor) => Buffer.from(JSON.stringify(c)).toString('base64url');

/** The kind of a quarantined receipt (older capture ones, before the kind was kept, count as capture). */
export const quarantineKindOf = (receipt: Receipt): QuarantineKind => receipt.quarantineKind ?? 'capture';

function entryOf(receipt: Receipt, includePayload: boolean): QuarantineEntry {
  return {
    source: receipt.source,
    key: receipt.platformLeadId,
    kind: quarantineKindOf(receipt),
    ...(receipt.statusReason ? { reason: receipt.statusReason } : {}),
    receivedAt: receipt.receivedAt,
    ...(receipt.updatedAt ? { quarantinedAt: receipt.updatedAt } : {}),
    payloadBytes: Buffer.byteLength(JSON.stringify(receipt.payload ?? null), 'utf8'),
    ...(includePayload ? { payload: receipt.payload } : {}),
  };
}

/**
 * Quarantined receipts, source by source (each soonest expiry first), a page at a time; the count covers
 * every source. Payloads (raw deliveries, personal data) only when asked for.
 */
export async function listQuarantine(
  store: Pick<ReceiptStore, 'listReceipts' | 'countReceipts'>,
  options: { limit: number; cursor?: string; includePayload?: boolean },
): Promise<QuarantinePage> {
  const start = options.cursor ? decodeQuarantineCursor(options.cursor) : { source: SOURCES[0] as Source };
  const counts = await Promise.all(SOURCES.map((s) => store.countReceipts(s, 'quarantined')));
  const receipts: QuarantineEntry[] = [];
  let position: QuarantineCursor | undefined = start;
  while (position && receipts.length < options.limit) {
    const page = await store.listReceipts(
      position.source,
      'quarantined',
      options.limit - receipts.length,
      position.cursor,
    );
    receipts.push(...page.receipts.map((r) => entryOf(r, options.includePayload === true)));
    const next: Source | undefined = SOURCES[SOURCES.indexOf(position.source) + 1];
    position = page.cursor
      ? { source: position.source, cursor: page.cursor }
      : next
        ? { source: next }
        : undefined;
  }
  const count = counts.reduce((a, b) => a + b, 0);
  return position ? { count, receipts, cursor: encodeQuarantineCursor(position) } : { count, receipts };
}

/** What a replay needs to ingest (and, for LinkedIn, to record a deletion). */
export type QuarantineReplayDeps = Pick<
  HubDeps,
  'store' | 'receipts' | 'captureQueue' | 'clock' | 'bus' | 'env' | 'logger'
>;

/** A kept delivery item as its source's replayer reads it. */
export interface KeptItem {
  item: unknown;
  context?: Record<string, string>;
}

/** What the source's current parser made of a kept item. */
export interface ItemReplay {
  /** Keys of the leads read from it and ingested (new, or already there). */
  leads: string[];
  /** Parts the parser acknowledges and drops (not ours). */
  ignored: number;
  /** Why (part of) it is still unreadable; absent when the parser read all of it. */
  unreadable?: string;
}

/**
 * The replay of a kept item once its leads were ingested: any ingest that failed is thrown (the item stays
 * quarantined and the replay is retried), and what the parser still could not read is said.
 */
export function itemReplayOf(
  outcomes: readonly PromiseSettledResult<unknown>[],
  read: { leads: string[]; ignored: number; unreadable: readonly { reason: string }[] },
): ItemReplay {
  for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason;
  return {
    leads: read.leads,
    ignored: read.ignored,
    ...(read.unreadable.length > 0 ? { unreadable: read.unreadable.map((u) => u.reason).join('; ') } : {}),
  };
}

/** Reads a kept item again with the source's current parser and ingests what now yields a lead. */
export type QuarantineReplayer = (deps: QuarantineReplayDeps, kept: KeptItem) => Promise<ItemReplay>;
