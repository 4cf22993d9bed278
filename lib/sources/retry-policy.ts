/**
 * In-process retry policy of the platform API clients (Meta Graph, LinkedIn): a few tries within a time
 * budget, honouring Retry-After, then giving up so the queue retries later with its own backoff.
 */
/** Seconds or an HTTP date, as Retry-After allows; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, nowMs: number): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

export interface RetryPolicyOptions {
  /** Tries per call, the first included. */
  maxAttempts?: number;
  /** Per request. */
  requestTimeoutMs?: number;
  /** All tries of one call, waits included; past it the queue retries instead. */
  retryBudgetMs?: number;
  baseDelayMs?: number;
  now?: () => number;
}

export interface RetryPolicy {
  readonly requestTimeoutMs: number;
  /** The wait before the next try, or undefined when this call should give up now. */
  nextDelay(attempt: number, startedAt: number, retryAfterMs?: number): number | undefined;
}

export function retryPolicy(options: RetryPolicyOptions, random: () => number = Math.random): RetryPolicy {
  const maxAttempts = options.maxAttempts ?? 3;
  const requestTimeoutMs = options.requestTimeoutMs ?? 4_000;
  const retryBudgetMs = options.retryBudgetMs ?? 10_000;
  const baseDelayMs = options.baseDelayMs ?? 300;
  const now = options.now ?? Date.now;
  return {
    requestTimeoutMs,
    nextDelay(attempt, startedAt, retryAfterMs) {
      const wait = retryAfterMs ?? baseDelayMs * 2 ** (attempt - 1) + Math.floor(random() * baseDelayMs);
      // Only try again if the wait and a whole further request still fit in the budget.
      const spent = now() - startedAt;
      if (attempt >= maxAttempts || spent + wait + requestTimeoutMs > retryBudgetMs) return undefined;
      return wait;
    },
  };
}
