import { describe, expect, it } from 'vitest';
import {
  createOutboundClient,
  DEFAULT_RETRY_POLICY,
  MAX_RETRY_AFTER_MS,
  parseRetryAfter,
  type RequestOptions,
  type RetryPolicy,
} from '../../../lib/http/outbound.js';

const NOW = Date.parse('2026-11-30T10:00:00Z');

describe('parseRetryAfter', () => {
  it('reads delta-seconds, rounding decimals up to the millisecond', () => {
    expect(parseRetryAfter('3', NOW)).toBe(3_000);
    expect(parseRetryAfter(' 0 ', NOW)).toBe(0);
    expect(parseRetryAfter('1.2', NOW)).toBe(1_200);
    expect(parseRetryAfter('0.0001', NOW)).toBe(1);
  });

  it('reads the three HTTP-date forms as GMT, a past date as no wait', () => {
    expect(parseRetryAfter('Mon, 30 Nov 2026 10:00:05 GMT', NOW)).toBe(5_000);
    expect(parseRetryAfter('Monday, 30-Nov-26 10:00:07 GMT', NOW)).toBe(7_000);
    expect(parseRetryAfter('Mon Nov 30 10:00:09 2026', NOW)).toBe(9_000);
    expect(parseRetryAfter('Sun Nov  1 10:00:00 2026', NOW)).toBe(0);
    expect(parseRetryAfter('Mon, 30 Nov 2026 09:00:00 GMT', NOW)).toBe(0);
  });

  it('caps a long wait', () => {
    expect(parseRetryAfter('86400', NOW)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('9'.repeat(400), NOW)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('Tue, 01 Dec 2026 10:00:00 GMT', NOW)).toBe(MAX_RETRY_AFTER_MS);
  });

  it('reads nothing from garbage, absence or a date that does not exist', () => {
    for (const garbage of [
      'soon',
      '',
      '-1',
      '1e3',
      '0x10',
      '12abc',
      '2026-11-30T10:00:05Z',
      'Mon, 30 Nov 2026 10:00:05',
      'Mon, 31 Feb 2026 10:00:05 GMT',
      'Mon, 30 Nov 2026 25:00:05 GMT',
      'Monxday, 30-Nov-26 10:00:07 GMT',
      'Infinity',
    ]) {
      expect(parseRetryAfter(garbage, NOW), garbage).toBeUndefined();
    }
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
  });
});

type Reply = { status: number; body?: string; headers?: Record<string, string> } | Error | 'hang';

/**
 * A scripted fetch on a fake clock: each reply costs `latencyMs`; a hang lasts until the attempt's own
 * timeout (read from the signal's deadline, which is how the client sets it) and throws TimeoutError.
 */
function harness(replies: Reply[], options: { latencyMs?: number; random?: number } = {}) {
  let clock = NOW;
  const sleeps: number[] = [];
  const attempts: { at: number; init: RequestInit | undefined }[] = [];
  const timeouts: number[] = [];
  const realTimeout = AbortSignal.timeout;
  const fetch = (async (_url: string | URL, init?: RequestInit) => {
    attempts.push({ at: clock, init });
    const reply = replies.shift() ?? { status: 500 };
    if (reply === 'hang') {
      clock += timeouts.at(-1) ?? 0;
      throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    }
    clock += options.latencyMs ?? 0;
    if (reply instanceof Error) throw reply;
    return new Response(reply.body ?? '', { status: reply.status, headers: reply.headers });
  }) as typeof globalThis.fetch;
  const client = createOutboundClient({
    fetch,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    now: () => clock,
    random: () => options.random ?? 0.5,
  });
  return {
    client,
    sleeps,
    attempts,
    elapsed: () => clock - NOW,
    /** Records the timeout the client gives each attempt, without waiting on a real timer. */
    async run<T, I>(how: RequestOptions<T, I>, url = 'https://api.example/x') {
      AbortSignal.timeout = (ms: number) => {
        timeouts.push(ms);
        return new AbortController().signal;
      };
      try {
        return await client.request(url, { method: 'GET' }, how);
      } finally {
        AbortSignal.timeout = realTimeout;
      }
    },
    timeouts,
  };
}

const text: RequestOptions<string, never>['read'] = (res) => ({ ok: true, value: res.body });

describe('createOutboundClient: classes', () => {
  it('returns a 2xx body read by the caller', async () => {
    const h = harness([{ status: 200, body: 'hello' }]);
    expect(await h.run({ read: text })).toEqual({ ok: true, value: 'hello', attempts: 1 });
    expect(h.timeouts).toEqual([DEFAULT_RETRY_POLICY.attemptTimeoutMs]);
  });

  it('sorts a 4xx as permanent with its status and body, and does not retry it', async () => {
    const h = harness([{ status: 404, body: '{"error":"nope"}' }, { status: 200 }]);
    const result = await h.run({ read: text });
    expect(result).toEqual({
      ok: false,
      attempts: 1,
      failure: { kind: 'permanent', status: 404, body: '{"error":"nope"}', detail: 'HTTP 404' },
    });
    expect(h.sleeps).toEqual([]);
  });

  it('sorts network errors, timeouts, 429 and 5xx as transient, keeping no URL in the detail', async () => {
    const refused = new TypeError('fetch failed https://hooks.example/secret', {
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    });
    const h = harness([refused, 'hang', { status: 429 }, { status: 503 }], { latencyMs: 10 });
    const seen: unknown[] = [];
    const result = await h.run({
      read: text,
      policy: { maxAttempts: 4, budgetMs: 60_000 },
      onFailure: (f) => seen.push(f),
    });
    expect(seen).toEqual([
      { kind: 'transient', reason: 'network', detail: 'TypeError ECONNREFUSED' },
      { kind: 'transient', reason: 'timeout', detail: 'timed out' },
      { kind: 'transient', reason: 'rate_limited', status: 429, body: '', detail: 'HTTP 429' },
      { kind: 'transient', reason: 'unavailable', status: 503, body: '', detail: 'HTTP 503' },
    ]);
    expect(result).toMatchObject({ ok: false, attempts: 4, failure: { reason: 'unavailable' } });
    expect(JSON.stringify(seen)).not.toContain('secret');
  });

  it("lets the caller classify a 2xx body that is really an error (Slack's ok:false)", async () => {
    type Info = { code: string };
    const slackish: RequestOptions<{ ts: string }, Info> = {
      read: (res) => {
        const body = JSON.parse(res.body) as { ok: boolean; error?: string; ts?: string };
        if (body.ok) return { ok: true, value: { ts: body.ts ?? '' } };
        const code = body.error ?? 'invalid_response';
        return {
          ok: false,
          transient: code === 'ratelimited',
          rateLimited: code === 'ratelimited',
          info: { code },
        };
      },
    };
    const h = harness([
      { status: 200, body: '{"ok":false,"error":"ratelimited"}', headers: { 'retry-after': '2' } },
      { status: 200, body: '{"ok":true,"ts":"1.1"}' },
    ]);
    expect(await h.run(slackish)).toEqual({ ok: true, value: { ts: '1.1' }, attempts: 2 });
    expect(h.sleeps).toEqual([2_000]);

    const denied = harness([{ status: 200, body: '{"ok":false,"error":"invalid_auth"}' }]);
    expect(await denied.run(slackish)).toMatchObject({
      ok: false,
      attempts: 1,
      failure: { kind: 'permanent', status: 200, info: { code: 'invalid_auth' } },
    });
  });

  it("lets the caller classify an error status when the status alone misleads (Meta's codes)", async () => {
    const h = harness([
      { status: 400, body: '{"code":613}' },
      { status: 500, body: '{"code":190}' },
    ]);
    const result = await h.run({
      read: text,
      classifyError: (res) => {
        const { code } = JSON.parse(res.body) as { code: number };
        return code === 613
          ? { ok: false, transient: true, detail: `code ${code}`, retryAfterMs: 1_000 }
          : code === 190
            ? { ok: false, transient: false, detail: `code ${code}`, info: 'token' }
            : undefined;
      },
    });
    expect(h.sleeps).toEqual([1_000]);
    expect(result).toMatchObject({
      ok: false,
      attempts: 2,
      failure: { kind: 'permanent', status: 500, detail: 'code 190', info: 'token' },
    });
  });
});

describe('createOutboundClient: retries', () => {
  it('backs off exponentially with jitter below one base delay', async () => {
    const h = harness([{ status: 500 }, { status: 500 }, { status: 500 }, { status: 200 }], { random: 0.5 });
    const result = await h.run({
      read: text,
      policy: { maxAttempts: 4, budgetMs: 60_000, baseDelayMs: 100 },
    });
    expect(result).toMatchObject({ ok: true, attempts: 4 });
    expect(h.sleeps).toEqual([150, 250, 450]);
  });

  it('honours Retry-After instead of its own backoff, the header winning over a hint', async () => {
    const h = harness([
      { status: 503, headers: { 'retry-after': '2' } },
      { status: 429, headers: { 'retry-after': 'Mon, 30 Nov 2026 10:00:05 GMT' } },
      { status: 200 },
    ]);
    await h.run({
      read: text,
      classifyError: () => ({ ok: false, transient: true, retryAfterMs: 9_999 }),
      policy: { budgetMs: 60_000 },
    });
    expect(h.sleeps).toEqual([2_000, 3_000]);
  });

  it('gives up after the last attempt with the last transient failure', async () => {
    const h = harness([{ status: 502 }, { status: 503 }, { status: 504 }, { status: 200 }]);
    const result = await h.run({ read: text });
    expect(result).toMatchObject({ ok: false, attempts: 3, failure: { kind: 'transient', status: 504 } });
    expect(h.attempts).toHaveLength(3);
  });

  it('gives up at once, carrying the wait, when Retry-After does not fit the budget', async () => {
    const h = harness([{ status: 429, headers: { 'retry-after': '60' } }, { status: 200 }]);
    const result = await h.run({ read: text });
    expect(result).toMatchObject({
      ok: false,
      attempts: 1,
      failure: { reason: 'rate_limited', retryAfterMs: 60_000 },
    });
    expect(h.sleeps).toEqual([]);
  });

  it('retries only what the caller allows (a post is retried on rate limits only)', async () => {
    const h = harness([{ status: 500 }, { status: 200 }]);
    const result = await h.run({ read: text, retryable: (f) => f.reason === 'rate_limited' });
    expect(result).toMatchObject({ ok: false, attempts: 1, failure: { status: 500 } });
  });

  it('counts a timed-out attempt as transient and retries it within the budget', async () => {
    const h = harness(['hang', { status: 200, body: 'late' }]);
    const result = await h.run({ read: text, policy: { attemptTimeoutMs: 2_000, budgetMs: 10_000 } });
    expect(result).toEqual({ ok: true, value: 'late', attempts: 2 });
    expect(h.timeouts).toEqual([2_000, 2_000]);
  });

  it('never sleeps or runs past its budget, however the attempts fail', async () => {
    const policies: Partial<RetryPolicy>[] = [
      {},
      { attemptTimeoutMs: 3_000, budgetMs: 7_000, maxAttempts: 10 },
      { attemptTimeoutMs: 1_000, budgetMs: 5_000, maxAttempts: 50, baseDelayMs: 50 },
      { attemptTimeoutMs: 20_000, budgetMs: 5_000 },
    ];
    const scripts: Reply[][] = [
      Array.from({ length: 50 }, () => 'hang' as const),
      Array.from({ length: 50 }, () => ({ status: 503, headers: { 'retry-after': '1' } })),
      Array.from({ length: 50 }, (_, i) => (i % 2 ? ('hang' as const) : { status: 500 })),
    ];
    for (const policy of policies) {
      for (const script of scripts) {
        const h = harness([...script], { random: 0.999 });
        const result = await h.run({ read: text, policy });
        const budget = policy.budgetMs ?? DEFAULT_RETRY_POLICY.budgetMs;
        expect(result.ok).toBe(false);
        expect(h.elapsed()).toBeLessThanOrEqual(budget);
        expect(h.sleeps.reduce((a, b) => a + b, 0)).toBeLessThan(budget);
        expect(Math.max(...h.timeouts)).toBeLessThanOrEqual(budget);
      }
    }
  });

  it('runs the caller hook before each attempt, inside the budget', async () => {
    const h = harness([{ status: 503 }, { status: 200 }]);
    let before = 0;
    await h.run({
      read: text,
      beforeAttempt: async () => {
        before++;
      },
    });
    expect(before).toBe(2);
  });
});
