import { errorSummary, type LocalLog, silentLog } from './line-logger.js';

export interface PeriodicJobOptions<A, T> {
  /** One run; timed runs pass no options. */
  run: (options?: A) => Promise<T>;
  /** Time between timed runs; 0 runs only on demand. */
  intervalMs: number;
  /** Logged (as a warning) when a run fails. */
  failureMessage: string;
  logger?: LocalLog;
}

/**
 * A job the local runtime runs on a timer in place of a scheduled Lambda: runs never overlap (a run asked
 * for while one is going waits for it), drain() waits for the running one so work it queues is not
 * missed, and a failed timed run is logged and left to the next.
 */
export class PeriodicJob<A, T> {
  private readonly job: PeriodicJobOptions<A, T>;
  private readonly log: LocalLog;
  private timer?: NodeJS.Timeout;
  private running?: Promise<T>;
  private stopped = false;

  constructor(job: PeriodicJobOptions<A, T>) {
    this.job = job;
    this.log = job.logger ?? silentLog;
  }

  /** Runs now (after a run already going); a failure is logged and rethrown. */
  async run(options?: A): Promise<T> {
    while (this.running) await this.running.catch(() => undefined);
    const run = this.job.run(options).catch((error: unknown) => {
      this.log.warn(this.job.failureMessage, { error: errorSummary(error) });
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

  /** Timed runs: the first after `firstDelayMs`, then one per interval after each run ends. */
  protected every(firstDelayMs = this.job.intervalMs): void {
    if (this.stopped || firstDelayMs < 0 || this.job.intervalMs <= 0) return;
    this.timer = setTimeout(() => {
      void this.run()
        .catch(() => undefined)
        .finally(() => this.every());
    }, firstDelayMs);
    this.timer.unref();
  }
}
