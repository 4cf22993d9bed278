import type { HubDeps } from '../deps.js';
import { type Source, SourceSchema } from '../lead/model.js';
import type { ListableReceiptStatus, Receipt, ReceiptKey } from '../ports.js';
import { quarantineReplayerFor } from '../sources/index.js';
import {
  type ItemReplay,
  type QuarantinedItemPayload,
  type QuarantineReplayDeps,
  quarantineKindOf,
} from './quarantine.js';

export interface ReplayOptions {
  source: Source;
  status: ListableReceiptStatus;
  /** At most this many receipts (default 1000). */
  limit?: number;
  /** List what would be replayed, change nothing. */
  dryRun?: boolean;
}

export interface ReplayResult {
  /** Receipts found in the status. */
  found: ReceiptKey[];
  /** Reset to received and queued for capture. */
  replayed: ReceiptKey[];
  /** Could not be queued; left (again) in their status. */
  errors: { key: ReceiptKey; error: string }[];
}

const PAGE_SIZE = 100;

/** Every receipt of one source in a listable status, up to `limit`, read before anything changes. */
async function listAll(
  receipts: HubDeps['receipts'],
  source: Source,
  status: ListableReceiptStatus,
  limit: number,
): Promise<Receipt[]> {
  const found: Receipt[] = [];
  let cursor: string | undefined;
  do {
    const page = await receipts.listReceipts(
      source,
      status,
      Math.min(PAGE_SIZE, limit - found.length),
      cursor,
    );
    found.push(...page.receipts);
    cursor = page.cursor;
  } while (cursor && found.length < limit);
  return found.slice(0, limit);
}

const keyOf = (r: Receipt): ReceiptKey => ({ source: r.source, platformLeadId: r.platformLeadId });

/**
 * Resets a receipt to `received` (which takes it off its list) and queues its capture message; if the
 * message cannot be queued, the receipt goes back to its status so the next replay finds it. Resolves to
 * the queue's error name, or undefined once queued.
 */
async function requeue(
  deps: Pick<HubDeps, 'receipts' | 'captureQueue'>,
  receipt: Receipt,
  status: ListableReceiptStatus,
): Promise<string | undefined> {
  const key = keyOf(receipt);
  await deps.receipts.updateReceipt(key, { status: 'received' });
  try {
    await deps.captureQueue.send(key);
    return undefined;
  } catch (error) {
    const name = (error as Error).name ?? 'Error';
    const before = receipt.statusReason;
    await deps.receipts.updateReceipt(key, {
      status,
      statusReason: `replay could not queue it (${name})${before ? `; before: ${before}` : ''}`,
    });
    return name;
  }
}

/**
 * Sends receipts (e.g. failed ones, once a Meta token is repaired) through capture again: each is reset
 * to `received` (which also takes it off the failed list) and its capture message queued. The list is
 * read completely first, so receipts that fail again during the replay are not picked up twice. If a
 * message cannot be queued, the receipt goes back to its status so the next replay finds it.
 */
export async function replayReceipts(
  deps: Pick<HubDeps, 'receipts' | 'captureQueue' | 'logger'>,
  options: ReplayOptions,
): Promise<ReplayResult> {
  const found = await listAll(deps.receipts, options.source, options.status, options.limit ?? 1000);
  const result: ReplayResult = { found: found.map(keyOf), replayed: [], errors: [] };
  if (options.dryRun) return result;
  for (const receipt of found) {
    const error = await requeue(deps, receipt, options.status);
    if (error) result.errors.push({ key: keyOf(receipt), error });
    else result.replayed.push(keyOf(receipt));
  }
  deps.logger.info('receipts replayed', {
    source: options.source,
    status: options.status,
    found: result.found.length,
    replayed: result.replayed.length,
    errors: result.errors.length,
  });
  return result;
}

export interface QuarantineReplayOptions {
  quarantine: true;
  /** Only this source's quarantine (default: every source's). */
  source?: Source;
  /** At most this many receipts (default 1000). */
  limit?: number;
  /** List what would be replayed, change nothing. */
  dryRun?: boolean;
}

export interface QuarantineReplayResult {
  /** Quarantined receipts found. */
  found: ReceiptKey[];
  /** Receipts whose capture had failed again and again: reset to received and queued for capture. */
  replayed: ReceiptKey[];
  /** Delivery items the current parser reads: their leads ingested, the item marked resolved. */
  resolved: { key: ReceiptKey; leads: string[]; ignored: number }[];
  /** Delivery items the current parser still cannot read (leads read from a part are ingested): left. */
  unreadable: { key: ReceiptKey; reason: string; leads: string[] }[];
  /** Could not be replayed now (a queue or store failure); left quarantined. */
  errors: { key: ReceiptKey; error: string }[];
}

/**
 * `npm run replay -- --quarantine`, once the code handles what was quarantined. A receipt whose capture
 * failed again and again goes back through capture (reset to `received`, its failure count cleared). A
 * delivery item is read again by its source's current parser and what now yields a lead goes through the
 * same ingest as a webhook (its receipt dedupes); an item read completely is marked `resolved`, its raw
 * copy erased (the lead's own receipt holds what capture needs), and leaves the list.
 */
export async function replayQuarantine(
  deps: QuarantineReplayDeps,
  options: QuarantineReplayOptions,
): Promise<QuarantineReplayResult> {
  const limit = options.limit ?? 1000;
  const found: Receipt[] = [];
  for (const source of options.source ? [options.source] : SourceSchema.options) {
    if (found.length >= limit) break;
    found.push(...(await listAll(deps.receipts, source, 'quarantined', limit - found.length)));
  }
  const result: QuarantineReplayResult = {
    found: found.map(keyOf),
    replayed: [],
    resolved: [],
    unreadable: [],
    errors: [],
  };
  if (options.dryRun) return result;
  for (const receipt of found) {
    const key = keyOf(receipt);
    try {
      if (quarantineKindOf(receipt) === 'capture') {
        const error = await requeue(deps, receipt, 'quarantined');
        if (error) result.errors.push({ key, error });
        else result.replayed.push(key);
        continue;
      }
      const read = await readKeptItem(deps, receipt);
      if (read.unreadable !== undefined) {
        result.unreadable.push({ key, reason: read.unreadable, leads: read.leads });
        continue;
      }
      await deps.receipts.updateReceipt(key, {
        status: 'resolved',
        statusReason: `read on replay: ${read.leads.length} lead(s), ${read.ignored} ignored`,
        erasePayload: true,
      });
      result.resolved.push({ key, leads: read.leads, ignored: read.ignored });
    } catch (error) {
      result.errors.push({ key, error: (error as Error).name ?? 'Error' });
    }
  }
  deps.logger.info('quarantine replayed', {
    found: result.found.length,
    replayed: result.replayed.length,
    resolved: result.resolved.length,
    unreadable: result.unreadable.length,
    errors: result.errors.length,
  });
  return result;
}

/** A quarantined delivery item read again by its source's current parser (and its leads ingested). */
async function readKeptItem(deps: QuarantineReplayDeps, receipt: Receipt): Promise<ItemReplay> {
  const payload = receipt.payload as QuarantinedItemPayload | null;
  if (!payload || typeof payload.raw !== 'string')
    return { leads: [], ignored: 0, unreadable: 'the item was not kept (too large, or erased)' };
  const replayer = quarantineReplayerFor(receipt.source);
  if (!replayer)
    return { leads: [], ignored: 0, unreadable: `no parser reads ${receipt.source} items again` };
  return replayer(deps, {
    item: JSON.parse(payload.raw),
    ...(payload.context ? { context: payload.context } : {}),
  });
}

export type ReplayArgs = (ReplayOptions | QuarantineReplayOptions) & { verbose: boolean };

/**
 * Parses `--source meta --status failed [--limit N] [--dry-run] [--verbose]`, or
 * `--quarantine [--source meta] [--limit N] [--dry-run] [--verbose]`; throws a usage message.
 */
export function parseReplayArgs(argv: readonly string[]): ReplayArgs {
  const usage =
    'usage: npm run replay -- --source <form|meta|linkedin|tiktok|google> --status failed [--limit N] [--dry-run] [--verbose]\n' +
    '       npm run replay -- --quarantine [--source <form|meta|linkedin|tiktok|google>] [--limit N] [--dry-run] [--verbose]';
  const args: { source?: Source; status?: 'failed'; quarantine?: true; limit?: number } = {};
  let dryRun = false;
  let verbose = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value\n${usage}`);
      return v;
    };
    switch (flag) {
      case '--source': {
        const source = SourceSchema.safeParse(value());
        if (!source.success) throw new Error(`unknown source\n${usage}`);
        args.source = source.data;
        break;
      }
      case '--status': {
        const status = value();
        if (status !== 'failed') throw new Error(`only failed receipts can be replayed by status\n${usage}`);
        args.status = status;
        break;
      }
      case '--quarantine':
        args.quarantine = true;
        break;
      case '--limit': {
        const limit = Number(value());
        if (!Number.isInteger(limit) || limit < 1)
          throw new Error(`--limit must be a positive integer\n${usage}`);
        args.limit = limit;
        break;
      }
      case '--dry-run':
        dryRun = true;
        break;
      case '--verbose':
        verbose = true;
        break;
      case '--help':
      case '-h':
        throw new Error(usage);
      default:
        throw new Error(`unknown argument ${arg}\n${usage}`);
    }
  }
  const common = { ...(args.limit !== undefined ? { limit: args.limit } : {}), dryRun, verbose };
  if (args.quarantine) {
    if (args.status)
      throw new Error(`--quarantine replays quarantined receipts; leave out --status\n${usage}`);
    return { quarantine: true, ...(args.source ? { source: args.source } : {}), ...common };
  }
  if (!args.source || !args.status) throw new Error(`--source and --status are required\n${usage}`);
  return { source: args.source, status: args.status, ...common };
}
