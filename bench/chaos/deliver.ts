import { setTimeout as sleep } from 'node:timers/promises';
import type { ChaosDelivery } from './sources.js';

export interface DeliveryPolicy {
  /** Tries per delivery, the first included (Meta keeps retrying for 36 hours; the harness stops sooner). */
  maxAttempts: number;
  /** Wait before the second try; doubles per try, with jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A request that takes longer is abandoned and retried, like a platform's webhook timeout. */
  requestTimeoutMs: number;
}

export const PLATFORM_LIKE_RETRIES: DeliveryPolicy = {
  maxAttempts: 12,
  baseDelayMs: 25,
  maxDelayMs: 1_000,
  requestTimeoutMs: 10_000,
};

export interface DeliveryResult {
  /** 2xx: the hub took responsibility for the lead. */
  accepted: boolean;
  attempts: number;
  /** The last status (undefined when the last try got no answer). */
  status?: number;
  /** Statuses of every try, e.g. { 503: 1, 202: 1 }. */
  statuses: Record<string, number>;
}

/**
 * Posts one delivery the way ad platforms do: retry on 5xx, on 429 and on no answer (network error or
 * timeout) with exponential backoff; stop on 2xx (accepted) or another 4xx (refused for good).
 */
export async function deliver(
  baseUrl: string,
  delivery: ChaosDelivery,
  policy: DeliveryPolicy,
  jitter: () => number = Math.random,
): Promise<DeliveryResult> {
  const statuses: Record<string, number> = {};
  let status: number | undefined;
  for (let attempt = 1; ; attempt++) {
    status = undefined;
    try {
      const res = await fetch(`${baseUrl}${delivery.path}`, {
        method: 'POST',
        headers: delivery.headers,
        body: delivery.body,
        signal: AbortSignal.timeout(policy.requestTimeoutMs),
      });
      await res.arrayBuffer();
      status = res.status;
    } catch {
      // No answer: the platform cannot tell whether the hub took it, so it redelivers.
    }
    const label = status === undefined ? 'no-answer' : String(status);
    statuses[label] = (statuses[label] ?? 0) + 1;
    if (status !== undefined && status >= 200 && status < 300)
      return { accepted: true, attempts: attempt, status, statuses };
    const retryable = status === undefined || status >= 500 || status === 429;
    if (!retryable || attempt >= policy.maxAttempts) {
      return { accepted: false, attempts: attempt, ...(status !== undefined ? { status } : {}), statuses };
    }
    const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
    await sleep(backoff / 2 + jitter() * (backoff / 2));
  }
}

/** Runs `work` over `items` with at most `concurrency` at a time; results keep the items' order. */
export async function pool<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return results;
}
