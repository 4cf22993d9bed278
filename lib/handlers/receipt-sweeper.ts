import type { HubDeps } from '../deps.js';
import { type SweepOptions, type SweepResult, sweepReceipts } from '../pipeline/sweep.js';

/**
 * Target of the scheduled sweep rule (every 5 minutes): queues receipts stranded before capture again.
 * The event (a Scheduled Event) carries nothing the sweep needs. A store failure fails the invocation;
 * the next scheduled sweep finds the same receipts, so nothing is lost by it.
 */
export function createReceiptSweeper(
  deps: HubDeps,
  options: SweepOptions = {},
): (event?: unknown) => Promise<Omit<SweepResult, 'requeued'> & { requeued: number }> {
  return async () => {
    const result = await sweepReceipts(deps, options);
    deps.logger.info('receipt sweep done', {
      requeued: result.requeued.length,
      errors: result.errors.length,
    });
    return { ...result, requeued: result.requeued.length };
  };
}
