import type { SweepOptions, SweepResult } from '../pipeline/sweep.js';
import type { LocalLog } from './line-logger.js';
import { PeriodicJob } from './periodic-job.js';

export interface SweepTimerOptions {
  /** Runs one sweep (lib/pipeline/sweep.ts bound to the hub's deps). */
  sweep: (options: SweepOptions) => Promise<SweepResult>;
  /** Time between sweeps (the stack's schedule is every 5 minutes). */
  intervalMs: number;
  /** Options of the periodic sweeps. */
  periodic: SweepOptions;
  /** Options of the sweep at start, or none. */
  startup?: SweepOptions;
  logger?: LocalLog;
}

/**
 * The local stand-in for the scheduled receipt-sweeper Lambda: a sweep at start (the in-process queue
 * did not survive the last run, so every receipt still `received` is stranded), then one per interval.
 */
export class SweepTimer extends PeriodicJob<SweepOptions, SweepResult> {
  private readonly startup?: SweepOptions;

  constructor(options: SweepTimerOptions) {
    super({
      run: (sweepOptions) => options.sweep(sweepOptions ?? options.periodic),
      intervalMs: options.intervalMs,
      failureMessage: 'Receipt sweep failed; the next one retries',
      ...(options.logger ? { logger: options.logger } : {}),
    });
    if (options.startup) this.startup = options.startup;
  }

  start(): void {
    if (this.startup) void this.run(this.startup).catch(() => undefined);
    this.every();
  }

  /** Sweeps now (after a sweep already running); a failure is logged and rethrown. */
  sweep(options?: SweepOptions): Promise<SweepResult> {
    return this.run(options);
  }
}
