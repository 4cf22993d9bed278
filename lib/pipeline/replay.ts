import type { HubDeps } from '../deps.js';
import { type Source, SourceSchema } from '../lead/model.js';
import type { ListableReceiptStatus, ReceiptKey } from '../ports.js';

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

/**
 * Sends receipts (e.g. failed ones, once a Meta token is repaired) through capture again: each is reset
 * to `received` (which also takes it off the failed list) and its capture message queued. The list is
 * read completely first, so receipts that fail again during the replay are not picked up twice. If a
 * message cannot be queued, the receipt goes back to its status so the next replay finds it.
 */
export async function replayReceipts(
  deps: Pick<HubDeps, 'store' | 'captureQueue' | 'logger'>,
  options: ReplayOptions,
): Promise<ReplayResult> {
  const limit = options.limit ?? 1000;
  const found: { key: ReceiptKey; reason?: string }[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.listReceipts(
      options.source,
      options.status,
      Math.min(PAGE_SIZE, limit - found.length),
      cursor,
    );
    for (const r of page.receipts) {
      found.push({ key: { source: r.source, platformLeadId: r.platformLeadId }, reason: r.statusReason });
    }
    cursor = page.cursor;
  } while (cursor && found.length < limit);

  const result: ReplayResult = { found: found.map((f) => f.key), replayed: [], errors: [] };
  if (options.dryRun) return result;
  for (const { key, reason } of found) {
    await deps.store.updateReceipt(key, { status: 'received' });
    try {
      await deps.captureQueue.send(key);
      result.replayed.push(key);
    } catch (error) {
      const name = (error as Error).name ?? 'Error';
      await deps.store.updateReceipt(key, {
        status: options.status,
        statusReason: `replay could not queue it (${name})${reason ? `; before: ${reason}` : ''}`,
      });
      result.errors.push({ key, error: name });
    }
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

export type ReplayArgs = ReplayOptions & { verbose: boolean };

/** Parses `--source meta --status failed [--limit N] [--dry-run] [--verbose]`; throws a usage message. */
export function parseReplayArgs(argv: readonly string[]): ReplayArgs {
  const usage =
    'usage: npm run replay -- --source <form|meta|linkedin|tiktok|google> --status failed [--limit N] [--dry-run] [--verbose]';
  const args: Partial<ReplayArgs> = { dryRun: false, verbose: false };
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
        if (status !== 'failed') throw new Error(`only failed receipts can be replayed\n${usage}`);
        args.status = status;
        break;
      }
      case '--limit': {
        const limit = Number(value());
        if (!Number.isInteger(limit) || limit < 1)
          throw new Error(`--limit must be a positive integer\n${usage}`);
        args.limit = limit;
        break;
      }
      case '--dry-run':
        args.dryRun = true;
        break;
      case '--verbose':
        args.verbose = true;
        break;
      case '--help':
      case '-h':
        throw new Error(usage);
      default:
        throw new Error(`unknown argument ${arg}\n${usage}`);
    }
  }
  if (!args.source || !args.status) throw new Error(`--source and --status are required\n${usage}`);
  return args as ReplayArgs;
}
