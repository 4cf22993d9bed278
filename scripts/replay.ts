/**
 * `npm run replay -- --source meta --status failed`: sends failed receipts through capture again, e.g.
 * once a Meta page token is repaired.
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
import { createSqsQueue } from '../lib/adapters/sqs/sqs-queue.js';
import { parseEnv } from '../lib/config.js';
import { logger } from '../lib/logger.js';
import { parseReplayArgs, type ReplayResult, replayReceipts } from '../lib/pipeline/replay.js';
import type { CaptureMessage } from '../lib/ports.js';
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

async function main(): Promise<number> {
  let args: ReturnType<typeof parseReplayArgs>;
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
    const captureQueue = createSqsQueue<CaptureMessage>(env.CAPTURE_QUEUE_URL);
    process.stdout.write(`Replaying from table ${env.TABLE_NAME} onto ${env.CAPTURE_QUEUE_URL}\n`);
    const result = await replayReceipts({ store, captureQueue, logger }, args);
    report(result, args.dryRun === true);
    return result.errors.length > 0 ? 1 : 0;
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
    const result = await replayReceipts(hub.deps, args);
    await hub.drain();
    report(result, args.dryRun === true);
    for (const key of result.replayed) {
      const receipt = await hub.deps.store.getReceipt(key);
      process.stdout.write(
        `  ${key.platformLeadId}: ${receipt?.status ?? 'missing'}${receipt?.statusReason ? ` (${receipt.statusReason})` : ''}\n`,
      );
    }
    return result.errors.length > 0 ? 1 : 0;
  } finally {
    await hub.stop();
  }
}

process.exitCode = await main();
