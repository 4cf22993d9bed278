import type { HubDeps } from '../deps.js';
import { type SweepOptions, type SweepResult, sweepReceipts } from '../pipeline/sweep.js';
import {
  metaReconcileConfigured,
  type ReconcileMetaOptions,
  type ReconcileMetaResult,
  reconcileMeta,
} from '../sources/meta/reconcile.js';

/** The input the hourly reconcile rule sends (infra/stacks/leadhub-stack.ts); any other event sweeps. */
export const RECONCILE_META_TASK = 'reconcile-meta';

export type SweeperResult =
  | (Omit<SweepResult, 'requeued'> & { requeued: number })
  | { task: typeof RECONCILE_META_TASK; skipped: 'disabled_or_not_configured' }
  | ({ task: typeof RECONCILE_META_TASK } & Omit<ReconcileMetaResult, 'pages'> & { pages: number });

export interface ReceiptSweeperOptions extends SweepOptions {
  /** Extra options of the reconciliation (e.g. a Graph client), for tests. */
  reconcile?: Pick<ReconcileMetaOptions, 'graph' | 'graphOptions'>;
}

/**
 * A scheduled run that left work undone. Thrown after the run did all it could, so that Lambda counts an
 * error and the invocation lands on the sweeper's on-failure destination (an alarmed queue): a run that
 * fails items must never look like a success. The message holds counts and error names only.
 */
export class IncompleteRunError extends Error {
  override name = 'IncompleteRunError';
}

const isReconcileEvent = (event: unknown) =>
  typeof event === 'object' && event !== null && (event as { task?: unknown }).task === RECONCILE_META_TASK;

/**
 * Target of two schedules: the receipt sweep (every 5 minutes), which queues receipts stranded before
 * capture again, and the Meta reconciliation (hourly, `{"task": "reconcile-meta"}`), which reads back
 * leads whose webhook never came. A store failure fails the invocation; so does any item the run could not
 * do (IncompleteRunError), once it has done the rest. The next run finds the same work.
 */
export function createReceiptSweeper(
  deps: HubDeps,
  options: ReceiptSweeperOptions = {},
): (event?: unknown) => Promise<SweeperResult> {
  const { reconcile, ...sweepOptions } = options;
  return async (event) => {
    if (isReconcileEvent(event)) {
      if (!(await metaReconcileConfigured(deps))) {
        deps.logger.info('meta reconcile skipped: disabled or Meta not configured');
        return { task: RECONCILE_META_TASK, skipped: 'disabled_or_not_configured' };
      }
      const result = await reconcileMeta(deps, {
        now: deps.clock.now(),
        lookbackHours: deps.config.meta.reconcile.lookbackHours,
        ...reconcile,
      });
      if (result.errors > 0) {
        throw new IncompleteRunError(
          `meta reconcile: ${result.errors} error(s) over ${result.pages.length} page(s); ` +
            `${result.leadsSeen} leads seen, ${result.newReceipts} new receipts`,
        );
      }
      return { task: RECONCILE_META_TASK, ...result, pages: result.pages.length };
    }
    const result = await sweepReceipts(deps, sweepOptions);
    deps.logger.info('receipt sweep done', {
      requeued: result.requeued.length,
      errors: result.errors.length,
    });
    if (result.errors.length > 0) {
      const names = [...new Set(result.errors.map((e) => e.error))].join(', ');
      throw new IncompleteRunError(
        `receipt sweep: ${result.errors.length} of ${result.errors.length + result.requeued.length} ` +
          `receipts could not be queued again (${names})`,
      );
    }
    return { ...result, requeued: result.requeued.length };
  };
}
