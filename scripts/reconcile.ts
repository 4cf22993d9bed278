/**
 * `npm run reconcile -- --source meta [--lookback-hours N]`: reads back the Meta leads created within the
 * lookback and ingests those no webhook delivered (lib/sources/meta/reconcile.ts), then waits for their
 * capture. Local only: it starts the hub in this process on the same data directory and environment as
 * `npm start`, so stop a running `npm start` first. On AWS the receipt-sweeper Lambda runs it hourly;
 * invoke it with {"task": "reconcile-meta"} to run it now.
 */
import { parseEnv } from '../lib/config.js';
import { parseReconcileArgs, type ReconcileArgs } from '../lib/sources/meta/reconcile.js';
import { openLocalHub } from './local-hub.js';

async function main(): Promise<number> {
  let args: ReconcileArgs;
  try {
    args = parseReconcileArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  const env = parseEnv();
  if (env.CAPTURE_QUEUE_URL) {
    process.stderr.write(
      'On AWS the receipt-sweeper Lambda reconciles hourly. To run it now, invoke it with ' +
        '{"task": "reconcile-meta"} (aws lambda invoke --payload ...).\n',
    );
    return 2;
  }
  const hub = await openLocalHub({
    command: 'reconcile',
    inMemory: env.LEADHUB_DB === 'memory',
    memoryMessage: 'reconcile against `npm start` data',
    verbose: args.verbose,
    tuning: { reconcile: false },
  });
  if (typeof hub === 'number') return hub;
  try {
    const result = await hub.reconcileMeta(
      args.lookbackHours !== undefined ? { lookbackHours: args.lookbackHours } : {},
    );
    if (result.skipped) {
      process.stderr.write(
        result.skipped === 'app_secret_missing'
          ? 'META_APP_SECRET is not configured: nothing to reconcile.\n'
          : 'No Meta page configured (META_PAGE_TOKENS or meta.reconcile.pages): nothing to reconcile.\n',
      );
      return 2;
    }
    await hub.drain();
    process.stdout.write(
      `Reconciled Meta leads created since ${new Date(result.since * 1000).toISOString()}\n`,
    );
    for (const page of result.pages) {
      const failure = page.connectionFailure ? `, connection failed: ${page.connectionFailure}` : '';
      process.stdout.write(
        `  page ${page.pageId}: ${page.forms} form(s), ${page.leadsSeen} lead(s) seen, ${page.newReceipts} new, ` +
          `${page.alreadyKnown} already known, ${page.errors} error(s)${failure}\n`,
      );
      for (const form of page.byForm) {
        process.stdout.write(
          `    form ${form.formId}: ${form.leadsSeen} seen, ${form.newReceipts} new, ${form.alreadyKnown} known, ` +
            `${form.errors} error(s)${form.truncated ? ', more left for the next run' : ''}\n`,
        );
      }
    }
    return result.errors > 0 ? 1 : 0;
  } finally {
    await hub.stop();
  }
}

process.exitCode = await main();
