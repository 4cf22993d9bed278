import type { LocalLog } from './line-logger.js';
import { PeriodicJob } from './periodic-job.js';

export interface ReconcileTimerOptions<A, T> {
  /** One reconciliation run (lib/sources/meta/reconcile.ts bound to the hub's deps); timed runs pass nothing. */
  run: (options?: A) => Promise<T>;
  /** Time between runs (the stack's schedule is hourly). */
  intervalMs: number;
  /** The first run, shortly after start: webhooks missed while the hub was down are found then. */
  startupDelayMs: number;
  logger?: LocalLog;
}

/**
 * The local stand-in for the hourly reconcile rule of the receipt-sweeper Lambda: one run shortly after
 * start, then one per interval.
 */
export class ReconcileTimer<A, T> extends PeriodicJob<A, T> {
  private readonly startupDelayMs: number;

  constructor(options: ReconcileTimerOptions<A, T>) {
    super({
      run: options.run,
      intervalMs: options.intervalMs,
      failureMessage: 'Meta reconciliation failed; the next run retries',
      ...(options.logger ? { logger: options.logger } : {}),
    });
    this.startupDelayMs = options.startupDelayMs;
  }

  start(): void {
    this.every(this.startupDelayMs);
  }
}
