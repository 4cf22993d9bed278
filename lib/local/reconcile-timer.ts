import { errorSummary, type LocalLog, silentLog } from './line-logger.js';

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
 * start, then one per interval. Runs never overlap; drain() waits for a running one.
 */
export class ReconcileTimer<A, T> {
  private readonly options: ReconcileTimerOptions<A, T>;
  private readonly log: LocalLog;
  private timer?: NodeJS.Timeout;
  private running?: Promise<T>;
  private stopped = false;

  constructor(options: ReconcileTimerOptions<A, T>) {
    this.options = options;
    this.log = options.logger ?? silentLog;
  }

  start(): void {
    this.schedule(this.options.startupDelayMs);
  }

  /** Runs now (after a run already going); a failure is logged and rethrown. */
  async run(options?: A): Promise<T> {
    while (this.running) await this.running.catch(() => undefined);
    const run = this.options.run(options).catch((error: unknown) => {
      this.log.warn('Meta reconciliation failed; the next run retries', { error: errorSummary(error) });
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

  private schedule(delayMs: number): void {
    if (this.stopped || delayMs < 0 || this.options.intervalMs <= 0) return;
    this.timer = setTimeout(() => {
      void this.run()
        .catch(() => undefined)
        .finally(() => this.schedule(this.options.intervalMs));
    }, delayMs);
    this.timer.unref();
  }
}
