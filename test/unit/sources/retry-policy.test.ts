import { describe, expect, it } from 'vitest';
import { retryAfterMs, retryPolicy } from '../../../lib/sources/retry-policy.js';

describe('retryPolicy', () => {
  const at = (ms: number) => () => ms;

  it('backs off exponentially with jitter below one base delay', () => {
    const policy = retryPolicy(
      { baseDelayMs: 100, maxAttempts: 5, retryBudgetMs: 60_000, now: at(0) },
      () => 0.5,
    );
    expect(policy.nextDelay(1, 0)).toBe(150);
    expect(policy.nextDelay(2, 0)).toBe(250);
    expect(policy.nextDelay(3, 0)).toBe(450);
  });

  it('honours Retry-After instead of its own backoff', () => {
    const policy = retryPolicy({ retryBudgetMs: 60_000, now: at(0) });
    expect(policy.nextDelay(1, 0, 2_000)).toBe(2_000);
  });

  it('gives up after the last attempt', () => {
    const policy = retryPolicy({ maxAttempts: 2, retryBudgetMs: 60_000, now: at(0) });
    expect(policy.nextDelay(1, 0)).toBeDefined();
    expect(policy.nextDelay(2, 0)).toBeUndefined();
  });

  it('gives up when the wait plus one more request would overrun the budget', () => {
    const policy = retryPolicy({ requestTimeoutMs: 4_000, retryBudgetMs: 10_000, now: at(5_000) });
    expect(policy.nextDelay(1, 0, 500)).toBe(500);
    expect(policy.nextDelay(1, 0, 1_500)).toBeUndefined();
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates, and ignores what it cannot read', () => {
    expect(retryAfterMs('3', 0)).toBe(3_000);
    expect(retryAfterMs('Mon, 30 Nov 2026 10:00:05 GMT', Date.parse('2026-11-30T10:00:00Z'))).toBe(5_000);
    expect(retryAfterMs('Mon, 30 Nov 2026 09:00:00 GMT', Date.parse('2026-11-30T10:00:00Z'))).toBe(0);
    expect(retryAfterMs('soon', 0)).toBeUndefined();
    expect(retryAfterMs(null, 0)).toBeUndefined();
  });
});
