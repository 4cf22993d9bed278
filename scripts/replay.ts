/**
 * `npm run replay -- --source meta --status failed`: sends failed receipts through capture again, e.g.
 * once a Meta page token is repaired. `npm run replay -- --quarantine` replays the quarantine once the
 * code handles what it holds: receipts whose capture failed again and again go through capture again,
 * and kept delivery items are read by the current parsers (lib/pipeline/replay.ts).
 *
 * - On AWS (CAPTURE_QUEUE_URL set, with TABLE_NAME and AWS credentials): lists the receipts in DynamoDB
 *   and queues them on the capture queue; the deployed capture worker does the rest.
 * - Locally (no CAPTURE_QUEUE_URL): starts the hub in this process on the same data directory
 *   (LEADHUB_DATA_DIR) and environment as `npm start`, replays through its capture worker, waits for
 *   capture, scoring and alerts to finish, then stops. The local database admits one process at a time,
 *   so stop a running `npm start` first.
 */
import { createDynamoClients } from '../lib/adapters/dynamodb/client.js';
import { createDynamoDbLeadStore } from '../lib/adapters/dynamodb/lead-store.js';
import { createDynamoDbReceiptStore } from '../lib/adapters/dynamodb/receipt-store.js';
import { createEventBridgeBus } from '../lib/adapters/eventbridge/event-bus.js';
import { createSqsQueue } from '../lib/adapters/sqs/sqs-queue.js';
import { parseEnv } from '../lib/config.js';
import { logger } from '../lib/logger.js';
import type { QuarantineReplayDeps } from '../lib/pipeline/quarantine.js';
import {
  parseReplayArgs,
  type QuarantineReplayResult,
  type ReplayArgs,
  type ReplayResult,
  replayQuarantine,
  replayReceipts,
} from '../lib/pipeline/replay.js';
import { type CaptureMessage, type ReceiptKey, systemClock } from '../lib/ports.js';
import { openLocalHub } from './local-hub.js';

function report(result: ReplayResult, dryRun: boolean): void {
  const ids = (keys: ReplayResult['found']) => keys.map((k) => k.platformLeadId).join(', ');
  if (result.found.length === 0) {
    process.stdout.write('No receipts to replay.\n');
    return;
  }
  process.stdout.write(`Found ${result.found.length}: ${ids(result.found)}\n`);
  if (dryRun) return void process.stdout.write('Dry run: nothing changed.\n');
  process.stdout.write(`Replayed ${result.replayed.length}.\n`);
  for (const e of result.errors)
    process.stdout.write(`Could not queue ${e.key.platformLeadId}: ${e.error}\n`);
}

function reportQuarantine(result: QuarantineReplayResult, dryRun: boolean): void {
  const id = (k: ReceiptKey) => `${k.source}:${k.platformLeadId}`;
  if (result.found.length === 0) {
    process.stdout.write('Nothing is quarantined.\n');
    return;
  }
  process.stdout.write(`Found ${result.found.length}: ${result.found.map(id).join(', ')}\n`);
  if (dryRun) return void process.stdout.write('Dry run: nothing changed.\n');
  process.stdout.write(`Queued for capture again: ${result.replayed.length}.\n`);
  for (const r of result.resolved)
    process.stdout.write(
      `Resolved ${id(r.key)}: leads ${r.leads.join(', ') || 'none'}, ${r.ignored} ignored\n`,
    );
  for (const u of result.unreadable) process.stdout.write(`Still unreadable ${id(u.key)}: ${u.reason}\n`);
  for (const e of result.errors) process.stdout.write(`Could not replay ${id(e.key)}: ${e.error}\n`);
}

/** Runs the replay the arguments ask for and prints its report; resolves to the receipts worth following. */
async function run(
  deps: QuarantineReplayDeps,
  args: ReplayArgs,
): Promise<{ keys: ReceiptKey[]; errors: number }> {
  if ('quarantine' in args) {
    const result = await replayQuarantine(deps, args);
    reportQuarantine(result, args.dryRun === true);
    const leads = result.resolved.flatMap((r) =>
      r.leads.map((platformLeadId) => ({ source: r.key.source, platformLeadId })),
    );
    return { keys: [...result.replayed, ...leads], errors: result.errors.length };
  }
  const result = await replayReceipts(deps, args);
  report(result, args.dryRun === true);
  return { keys: result.replayed, errors: result.errors.length };
}

async function main(): Promise<number> {
  let args: ReplayArgs;
  try {
    args = parseReplayArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  const env = parseEnv();

  if (env.CAPTURE_QUEUE_URL) {
    const { doc } = await createDynamoClients({ endpoint: env.DYNAMODB_ENDPOINT, region: env.AWS_REGION });
    const store = createDynamoDbLeadStore({ doc, tableName: env.TABLE_NAME });
    const receipts = createDynamoDbReceiptStore({ doc, tableName: env.TABLE_NAME });
    const captureQueue = createSqsQueue<CaptureMessage>(env.CAPTURE_QUEUE_URL);
    process.stdout.write(`Replaying from table ${env.TABLE_NAME} onto ${env.CAPTURE_QUEUE_URL}\n`);
    // A kept LinkedIn deletion read again publishes LeadDeleted on the stack's bus.
    const bus = createEventBridgeBus(env.EVENT_BUS_NAME);
    const outcome = await run({ store, receipts, captureQueue, logger, clock: systemClock, bus, env }, args);
    return outcome.errors > 0 ? 1 : 0;
  }

  const hub = await openLocalHub({
    command: 'replay',
    inMemory: env.LEADHUB_DB === 'memory',
    memoryMessage: 'there is nothing to replay',
    verbose: args.verbose,
  });
  if (typeof hub === 'number') return hub;
  try {
    process.stdout.write(`Replaying from ${hub.database}\n`);
    const outcome = await run(hub.deps, args);
    await hub.drain();
    if (!args.dryRun) {
      for (const key of outcome.keys) {
        const receipt = await hub.deps.receipts.getReceipt(key);
        process.stdout.write(
          `  ${key.source}:${key.platformLeadId}: ${receipt?.status ?? 'missing'}${receipt?.statusReason ? ` (${receipt.statusReason})` : ''}\n`,
        );
      }
    }
    return outcome.errors > 0 ? 1 : 0;
  } finally {
    await hub.stop();
  }
}

process.exitCode = await main();
