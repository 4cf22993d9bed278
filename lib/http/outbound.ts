/**
 * The one outbound HTTP client: platform APIs (Meta Graph, LinkedIn), Slack (Web API, incoming webhooks)
 * and any destination to come. One request = attempts with their own timeout, each outcome sorted into the
 * same failure classes, one Retry-After parser, and one retry loop: exponential backoff with jitter, within
 * a number of attempts and a time budget, honouring Retry-After when it fits and otherwise giving up at once
 * with the last transient failure (the caller's queue or event source retries later).
 *
 * Callers keep their own error mapping as thin classifiers on top (`read` for a 2xx that is really an error,
 * `classifyError` where the status alone misleads). Failure details never quote the URL, which can be a
 * credential (a Slack webhook or response_url).
 */

export interface RetryPolicy {
  /** Attempts per request, the first included. */
  maxAttempts: number;
  /** Per attempt, reading the body included. */
  attemptTimeoutMs: number;
  /** The whole request, attempts and waits. A retry is made only when its wait and a whole attempt still fit. */
  budgetMs: number;
  /** The first backoff wait; it doubles each retry, plus up to one more of random jitter. */
  baseDelayMs: number;
}

/** 3 attempts of 4 s within 10 s: what a queue worker can spend before handing the message back. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = {
  maxAttempts: 3,
  attemptTimeoutMs: 4_000,
  budgetMs: 10_000,
  baseDelayMs: 300,
};

/** Longer hints are cut to this: any of them is far past every budget, and setTimeout overflows past 24.8 days. */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/** Bodies of failed answers are kept up to this length, for the callers' error codes. */
export const MAX_FAILURE_BODY_CHARS = 2_000;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = `(?<month>${MONTHS.join('|')})`;
const TIME = '(?<h>\\d{2}):(?<min>\\d{2}):(?<s>\\d{2})';
/** The three HTTP-date forms every recipient must accept (RFC 9110 §5.6.7): IMF-fixdate, RFC 850, asctime. */
const HTTP_DATES = [
  new RegExp(`^${DAY}, (?<day>\\d{2}) ${MONTH} (?<year>\\d{4}) ${TIME} GMT$`),
  new RegExp(`^${LONG_DAY}, (?<day>\\d{2})-${MONTH}-(?<yy>\\d{2}) ${TIME} GMT$`),
  new RegExp(`^${DAY} ${MONTH} (?<day>[ \\d]\\d) ${TIME} (?<year>\\d{4})$`),
];

function httpDateMs(value: string, nowMs: number): number | undefined {
  const g = HTTP_DATES.map((form) => form.exec(value)?.groups).find((groups) => groups !== undefined);
  if (!g) return undefined;
  let year = Number(g.year);
  if (g.yy !== undefined) {
    // A two-digit year is in the century that puts it at most 50 years ahead (RFC 9110).
    year = 2000 + Number(g.yy);
    if (year > new Date(nowMs).getUTCFullYear() + 50) year -= 100;
  }
  const [day, h, min, s] = [g.day, g.h, g.min, g.s].map(Number) as [number, number, number, number];
  const ms = Date.UTC(year, MONTHS.indexOf(g.month ?? ''), day, h, min, s);
  // Date.UTC rolls 31 Feb over into March: a date or time that does not exist is unreadable, not a wait.
  return new Date(ms).getUTCDate() === day && h < 24 && min < 60 && s < 61 ? ms : undefined;
}

/**
 * The wait a Retry-After header asks for, in ms: delta-seconds (decimals tolerated, rounded up to the ms)
 * or an HTTP-date (a past date is 0), capped at MAX_RETRY_AFTER_MS. Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  let ms: number | undefined;
  if (/^\d+(\.\d+)?$/.test(text)) ms = Math.ceil(Number(text) * 1000);
  else {
    const at = httpDateMs(text, nowMs);
    if (at !== undefined) ms = Math.max(0, at - nowMs);
  }
  return ms === undefined ? undefined : Math.min(ms, MAX_RETRY_AFTER_MS);
}

/** An answer as the classifiers see it: the body is read whole (within the attempt's timeout). */
export interface ReceivedResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

/** A classifier's verdict on an answer that is a failure. `info` carries the caller's own details along. */
export interface FailedVerdict<I> {
  ok: false;
  transient: boolean;
  /** A rate limit, whatever the status (Slack's `ok:false` `ratelimited` comes with 200). */
  rateLimited?: boolean;
  /** A wait hint from elsewhere than Retry-After (which wins when both are there). */
  retryAfterMs?: number;
  /** Safe to log: codes and statuses, no content. Default `HTTP <status>`. */
  detail?: string;
  info?: I;
}
export type Verdict<T, I> = { ok: true; value: T } | FailedVerdict<I>;

/**
 * Failures that may succeed later: no answer (`network`), no whole answer in time (`timeout`), a rate
 * limit (429 or the classifier's word), or an outage (5xx, 408, or the classifier's word).
 */
export interface TransientFailure<I> {
  kind: 'transient';
  reason: 'network' | 'timeout' | 'rate_limited' | 'unavailable';
  /** Absent when there was no answer. */
  status?: number;
  body?: string;
  retryAfterMs?: number;
  detail: string;
  info?: I;
}
/** Failures that retrying cannot fix: other 4xx, and what the classifier calls permanent (even in a 2xx). */
export interface PermanentFailure<I> {
  kind: 'permanent';
  status: number;
  body: string;
  detail: string;
  info?: I;
}
export type OutboundFailure<I> = TransientFailure<I> | PermanentFailure<I>;

export type AttemptOutcome<T, I> = { ok: true; value: T } | { ok: false; failure: OutboundFailure<I> };
export type OutboundResult<T, I> = AttemptOutcome<T, I> & { attempts: number };

export interface OutboundRequest {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  redirect?: RequestInit['redirect'];
}

export interface RequestOptions<T, I> {
  /** Reads a 2xx answer into its value, or into a failure when the body says the call failed. */
  read: (response: ReceivedResponse) => Verdict<T, I>;
  /** Sorts a non-2xx answer; undefined (or absent) sorts by status: 429 and 5xx transient, the rest permanent. */
  classifyError?: (response: ReceivedResponse) => FailedVerdict<I> | undefined;
  policy?: Partial<RetryPolicy>;
  /** Which transient failures to retry in-process (default all). A non-idempotent post retries rate limits only. */
  retryable?: (failure: TransientFailure<I>) => boolean;
  /** Before every attempt (e.g. pacing posts to one channel); its wait counts against the budget. */
  beforeAttempt?: () => Promise<void>;
  /** After every failed attempt, retried or not. */
  onFailure?: (failure: OutboundFailure<I>) => void;
}

export interface OutboundClientOptions {
  fetch?: typeof globalThis.fetch;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** In [0, 1), for the jitter. */
  random?: () => number;
}

export interface OutboundClient {
  request<T, I = undefined>(
    url: string | URL,
    request: OutboundRequest,
    options: RequestOptions<T, I>,
  ): Promise<OutboundResult<T, I>>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Why a request got no answer, without its message: fetch's own messages can quote the URL. */
function networkFailure(error: unknown): TransientFailure<never> {
  const name = error instanceof Error ? error.name : 'unknown error';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return { kind: 'transient', reason: 'timeout', detail: 'timed out' };
  }
  const code = error instanceof Error ? (error.cause as { code?: unknown } | undefined)?.code : undefined;
  return {
    kind: 'transient',
    reason: 'network',
    detail: typeof code === 'string' && /^[A-Z_]{1,40}$/.test(code) ? `${name} ${code}` : name,
  };
}

function byStatus(status: number): FailedVerdict<never> {
  return { ok: false, transient: status === 429 || status === 408 || status >= 500 };
}

/** The wait before retry `attempt + 1`: Retry-After when given, else base · 2^(attempt-1) plus jitter. */
function backoffMs(
  policy: Pick<RetryPolicy, 'baseDelayMs'>,
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number,
): number {
  if (retryAfterMs !== undefined) return retryAfterMs;
  return policy.baseDelayMs * 2 ** (attempt - 1) + Math.floor(random() * policy.baseDelayMs);
}

export function createOutboundClient(options: OutboundClientOptions = {}): OutboundClient {
  const doFetch = options.fetch ?? globalThis.fetch;
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;

  async function attempt<T, I>(
    url: string | URL,
    request: OutboundRequest,
    how: RequestOptions<T, I>,
    timeoutMs: number,
  ): Promise<AttemptOutcome<T, I>> {
    let received: ReceivedResponse;
    try {
      const response = await doFetch(url, { ...request, signal: AbortSignal.timeout(timeoutMs) });
      received = { status: response.status, headers: response.headers, body: await response.text() };
    } catch (error) {
      return { ok: false, failure: networkFailure(error) };
    }
    const { status } = received;
    const verdict =
      status >= 200 && status < 300
        ? how.read(received)
        : (how.classifyError?.(received) ?? byStatus(status));
    if (verdict.ok) return verdict;
    const body = received.body.slice(0, MAX_FAILURE_BODY_CHARS);
    const detail = verdict.detail ?? `HTTP ${status}`;
    const info = verdict.info !== undefined ? { info: verdict.info } : {};
    if (!verdict.transient)
      return { ok: false, failure: { kind: 'permanent', status, body, detail, ...info } };
    const retryAfterMs = parseRetryAfter(received.headers.get('retry-after'), now()) ?? verdict.retryAfterMs;
    return {
      ok: false,
      failure: {
        kind: 'transient',
        reason: verdict.rateLimited || status === 429 ? 'rate_limited' : 'unavailable',
        status,
        body,
        detail,
        ...(retryAfterMs !== undefined ? { retryAfterMs: Math.min(retryAfterMs, MAX_RETRY_AFTER_MS) } : {}),
        ...info,
      },
    };
  }

  return {
    async request(url, request, how) {
      const policy = { ...DEFAULT_RETRY_POLICY, ...how.policy };
      const timeoutMs = Math.max(1, Math.min(policy.attemptTimeoutMs, policy.budgetMs));
      const started = now();
      for (let n = 1; ; n++) {
        await how.beforeAttempt?.();
        const outcome = await attempt(url, request, how, timeoutMs);
        if (outcome.ok) return { ...outcome, attempts: n };
        const { failure } = outcome;
        how.onFailure?.(failure);
        if (failure.kind === 'permanent' || n >= policy.maxAttempts) return { ...outcome, attempts: n };
        if (how.retryable && !how.retryable(failure)) return { ...outcome, attempts: n };
        const wait = backoffMs(policy, n, failure.retryAfterMs, random);
        // Retry only when the wait and a whole further attempt fit: a call never outlives its budget
        // (beforeAttempt's own waits aside).
        if (now() - started + wait + timeoutMs > policy.budgetMs) return { ...outcome, attempts: n };
        await sleep(wait);
      }
    },
  };
}
