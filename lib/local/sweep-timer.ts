import type { SweepOptions, SweepResult } from '../pipeline/sweep.js';
import { errorSummary, type LocalLog, silentLog } from './line-logger.js';

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
 * Sweeps never overlap; drain() waits for a running one, so work it queues is not missed.
 */
export class SweepTimer {
  private readonly options: SweepTimerOptions;
  private readonly log: LocalLog;
  private timer?: NodeJS.Timeout;
  private running?: Promise<SweepResult>;
  private stopped = false;

  constructor(options: SweepTimerOptions) {
    this.options = options;
    this.log = options.logger ?? silentLog;
  }

  start(): void {
    if (this.options.startup) void this.sweep(this.options.startup).catch(() => undefined);
    this.schedule();
  }

  /** Sweeps now (after a sweep already running); a failure is logged and rethrown. */
  async sweep(options: SweepOptions = this.options.periodic): Promise<SweepResult> {
    while (this.running) await this.running.catch(() => undefined);
    const run = this.options.sweep(options).catch((error: unknown) => {
      this.log.warn('Receipt sweep failed; the next one retries', { error: errorSummary(error) });
      throw error;
    });
    this.running = run;
    try {
      return await run;
    } finally {
      if (this.running === run) this.running = undefined;
    }
  }

  isIdle(): boolean {
    return this.running === undefined;
  }

  async drain(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.drain();
  }

  private schedule(): void {
    if (this.stopped || this.options.intervalMs <= 0) return;
    this.timer = setTimeout(() => {
      void this.sweep()
        .catch(() => undefined)
        .finally(() => this.schedule());
    }, this.options.intervalMs);
    this.timer.unref();
  }
}
