import type { ScheduledPayload, Scheduler } from '../ports.js';
import { errorSummary, type LocalLog, silentLog } from './line-logger.js';

/** setTimeout's longest delay; a later timer re-arms itself. */
const MAX_DELAY_MS = 2_147_483_647;

export interface TimerSchedulerOptions {
  /** What a timer does when it fires (the SLA escalator handler). */
  fire: (payload: ScheduledPayload) => Promise<unknown>;
  logger?: LocalLog;
  now?: () => number;
  /** Attempts per firing, the first included (EventBridge Scheduler retries too). */
  maxAttempts?: number;
  retryDelayMs?: number;
}

interface Armed {
  at: number;
  payload: ScheduledPayload;
  timer: NodeJS.Timeout;
}

/**
 * The local stand-in for EventBridge Scheduler: in-process one-time timers by name. They survive nothing;
 * the runtime rebuilds them from the store's pending SLAs on start. Like the AWS adapter, scheduling a
 * name that is armed keeps the armed one.
 */
export class TimerScheduler implements Scheduler {
  private readonly timers = new Map<string, Armed>();
  private readonly running = new Set<Promise<void>>();
  private readonly log: LocalLog;
  private readonly now: () => number;
  private stopped = false;

  constructor(private readonly options: TimerSchedulerOptions) {
    this.log = options.logger ?? silentLog;
    this.now = options.now ?? Date.now;
  }

  async schedule(name: string, at: Date, payload: ScheduledPayload): Promise<void> {
    if (this.stopped) throw new Error('scheduler is stopped');
    if (this.timers.has(name)) return;
    this.arm(name, at.getTime(), payload);
  }

  async cancel(name: string): Promise<void> {
    const armed = this.timers.get(name);
    if (!armed) return;
    clearTimeout(armed.timer);
    this.timers.delete(name);
  }

  /** Armed timers, soonest first. */
  pending(): { name: string; at: Date; payload: ScheduledPayload }[] {
    return [...this.timers.entries()]
      .map(([name, a]) => ({ name, at: new Date(a.at), payload: a.payload }))
      .sort((x, y) => x.at.getTime() - y.at.getTime());
  }

  /** Resolves when no firing is in progress (armed timers do not count). */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Disarms every timer and waits for firings in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const armed of this.timers.values()) clearTimeout(armed.timer);
    this.timers.clear();
    await this.drain();
  }

  private arm(name: string, at: number, payload: ScheduledPayload): void {
    const delay = Math.max(0, at - this.now());
    const timer = setTimeout(
      () => {
        if (delay >= MAX_DELAY_MS) {
          this.timers.delete(name);
          this.arm(name, at, payload);
          return;
        }
        this.timers.delete(name);
        this.track(this.run(name, payload));
      },
      Math.min(delay, MAX_DELAY_MS),
    );
    // Timers never keep the process alive: the HTTP server does, and on stop they are rebuilt next start.
    timer.unref();
    this.timers.set(name, { at, payload, timer });
  }

  private async run(name: string, payload: ScheduledPayload): Promise<void> {
    const maxAttempts = Math.max(1, this.options.maxAttempts ?? 3);
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      try {
        await this.options.fire(payload);
        return;
      } catch (error) {
        this.log.warn('Scheduled timer failed', { name, attempt, maxAttempts, error: errorSummary(error) });
        if (attempt < maxAttempts && !this.stopped) {
          await new Promise((resolve) => setTimeout(resolve, (this.options.retryDelayMs ?? 1000) * attempt));
        }
      }
    }
    this.log.error('Scheduled timer gave up', { name, leadId: payload.leadId, level: payload.level });
  }

  private track(run: Promise<void>): void {
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }
}
