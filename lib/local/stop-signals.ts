/**
 * One Ctrl-C can reach the hub more than once: the terminal signals the whole process group, and a
 * wrapper in that group (npm, a tsx CLI, nodemon…) may relay the same signal to its child. Signals within
 * `repeatWindowMs` of the first are taken as that same request to stop; a later one forces the exit.
 */
export interface StopSignalOptions {
  /** How long after the first signal a repeat still counts as the same request (default 1 s). */
  repeatWindowMs?: number;
  /** Milliseconds clock (default performance.now): monotonic, so a wall-clock jump cannot force an exit. */
  now?: () => number;
  /** The first signal: finish in-flight work, then exit. */
  onStop(signal: string): void;
  /** A repeat within the window: the same stop, nothing more to do. */
  onRepeat?(signal: string): void;
  /** A signal after the window: the user insists; exit without waiting. */
  onForce(signal: string): void;
}

export const STOP_REPEAT_WINDOW_MS = 1_000;

/** Returns the handler to install for SIGINT and SIGTERM. */
export function stopOnSignals(options: StopSignalOptions): (signal: string) => void {
  const windowMs = options.repeatWindowMs ?? STOP_REPEAT_WINDOW_MS;
  const now = options.now ?? (() => performance.now());
  let firstAt: number | undefined;
  return (signal) => {
    const at = now();
    if (firstAt === undefined) {
      firstAt = at;
      options.onStop(signal);
    } else if (at - firstAt < windowMs) {
      options.onRepeat?.(signal);
    } else {
      options.onForce(signal);
    }
  };
}
