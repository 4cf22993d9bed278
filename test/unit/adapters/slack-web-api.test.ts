import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSlackAppNotifier } from '../../../lib/adapters/slack/app-notifier.js';
import {
  createSlackWebApi,
  isAllowedResponseUrl,
  SlackApiError,
  type SlackWebApiOptions,
} from '../../../lib/adapters/slack/web-api.js';

const TOKEN = 'xoxb-s3cr3t-token';

interface Call {
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  at: number;
}

/** A scripted Web API: each call takes the next reply (the last one repeats). */
function fakeSlack(replies: (() => Response)[]) {
  const calls: Call[] = [];
  let clock = 1_000_000;
  const sleeps: number[] = [];
  const fetchImpl = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({
      url: String(url),
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      body: JSON.parse(String(init?.body)),
      at: clock,
    });
    const reply = replies[Math.min(calls.length - 1, replies.length - 1)] as () => Response;
    return reply();
  }) as typeof fetch;
  const options = (extra: Partial<SlackWebApiOptions> = {}): SlackWebApiOptions => ({
    token: TOKEN,
    baseUrl: 'https://slack.test/api',
    fetch: fetchImpl,
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    ...extra,
  });
  /**
   * A sleep that wakes in order of wake time, moving the clock there (for concurrent callers). On fake
   * timers, so the order holds however slowly the callers start.
   */
  const orderedSleep = (ms: number) => {
    sleeps.push(ms);
    const wake = clock + ms;
    return new Promise<void>((resolve) =>
      setTimeout(() => {
        clock = Math.max(clock, wake);
        resolve();
      }, ms),
    );
  };
  return { calls, sleeps, options, orderedSleep };
}

const ok =
  (extra: Record<string, unknown> = {}) =>
  () =>
    Response.json({ ok: true, ...extra });
const slackError =
  (error: string, status = 200) =>
  () =>
    Response.json({ ok: false, error }, { status });
const limited = (retryAfter: string) => () =>
  new Response('', { status: 429, headers: { 'retry-after': retryAfter } });

const message = { text: 'New lead', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'hi' } }] };

async function apiError(p: Promise<unknown>): Promise<SlackApiError> {
  const e = await p.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(e).toBeInstanceOf(SlackApiError);
  return e as SlackApiError;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('Slack Web API client', () => {
  it('posts with the bot token and returns where the message landed', async () => {
    const slack = fakeSlack([ok({ channel: 'C0SALES', ts: '1767600000.000100' })]);
    const api = createSlackWebApi(slack.options());
    const ref = await api.postMessage({ ...message, channel: 'C0SALES' });
    expect(ref).toEqual({ channel: 'C0SALES', ts: '1767600000.000100' });
    expect(slack.calls[0]).toMatchObject({
      url: 'https://slack.test/api/chat.postMessage',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json; charset=utf-8' },
      body: { channel: 'C0SALES', text: 'New lead', blocks: message.blocks, unfurl_links: false },
    });
  });

  it('updates a message in place with chat.update', async () => {
    const slack = fakeSlack([ok()]);
    await createSlackWebApi(slack.options()).update({ channel: 'C1', ts: '1.2' }, message);
    expect(slack.calls[0]?.url).toBe('https://slack.test/api/chat.update');
    expect(slack.calls[0]?.body).toEqual({
      channel: 'C1',
      ts: '1.2',
      text: 'New lead',
      blocks: message.blocks,
    });
  });

  it('waits out a 429 Retry-After and then succeeds', async () => {
    const slack = fakeSlack([limited('3'), ok({ channel: 'C1', ts: '1.1' })]);
    const ref = await createSlackWebApi(slack.options()).postMessage({ ...message, channel: 'C1' });
    expect(ref.ts).toBe('1.1');
    expect(slack.calls).toHaveLength(2);
    expect(slack.sleeps).toContain(3000);
    expect((slack.calls[1]?.at ?? 0) - (slack.calls[0]?.at ?? 0)).toBeGreaterThanOrEqual(3000);
  });

  it('treats ok:false ratelimited like a 429', async () => {
    const slack = fakeSlack([
      () => Response.json({ ok: false, error: 'ratelimited' }, { headers: { 'retry-after': '1' } }),
      ok({ channel: 'C1', ts: '2' }),
    ]);
    await expect(
      createSlackWebApi(slack.options()).postMessage({ ...message, channel: 'C1' }),
    ).resolves.toEqual({
      channel: 'C1',
      ts: '2',
    });
  });

  it('throws a transient error carrying Retry-After when the wait does not fit the budget', async () => {
    const slack = fakeSlack([limited('30')]);
    const error = await apiError(
      createSlackWebApi(slack.options()).postMessage({ ...message, channel: 'C1' }),
    );
    expect(error).toMatchObject({ code: 'ratelimited', status: 429, transient: true, retryAfterSeconds: 30 });
    expect(slack.calls).toHaveLength(1);
  });

  it('stops retrying once the waits add up past the budget', async () => {
    const slack = fakeSlack([limited('4')]);
    const error = await apiError(
      createSlackWebApi(
        slack.options({ retry: { maxAttempts: 10, attemptTimeoutMs: 10_000, budgetMs: 20_000 } }),
      ).postMessage({ ...message, channel: 'C1' }),
    );
    expect(error.transient).toBe(true);
    // Calls at 0 s and 4 s, then 8 s; a wait of 4 s more and a whole 10 s attempt would pass 20 s.
    expect(slack.calls).toHaveLength(3);
  });

  it('stops after three attempts by default', async () => {
    const slack = fakeSlack([limited('1')]);
    await apiError(createSlackWebApi(slack.options()).postMessage({ ...message, channel: 'C1' }));
    expect(slack.calls).toHaveLength(3);
  });

  it('does not post again after a 5xx or a timeout: Slack may have taken the post', async () => {
    const slack = fakeSlack([() => new Response('', { status: 503 }), ok({ channel: 'C1', ts: '1' })]);
    const error = await apiError(
      createSlackWebApi(slack.options()).postMessage({ ...message, channel: 'C1' }),
    );
    expect(error).toMatchObject({ code: 'http_503', transient: true });
    expect(slack.calls).toHaveLength(1);
  });

  it('classifies permanent errors, says how to fix them once, and never leaks the token', async () => {
    for (const code of ['invalid_auth', 'channel_not_found', 'not_in_channel']) {
      const problems: unknown[] = [];
      const slack = fakeSlack([slackError(code)]);
      const api = createSlackWebApi(slack.options({ onPermanentError: (info) => problems.push(info) }));
      const error = await apiError(api.postMessage({ ...message, channel: 'C0SALES' }));
      expect(error).toMatchObject({ code, transient: false, method: 'chat.postMessage' });
      expect(problems).toEqual([
        expect.objectContaining({
          method: 'chat.postMessage',
          code,
          channel: 'C0SALES',
          hint: expect.any(String),
        }),
      ]);
      expect(JSON.stringify({ m: error.message, s: error.stack, problems })).not.toContain('s3cr3t');
    }
  });

  it('treats 5xx, internal errors and network failures as transient', async () => {
    expect(
      (
        await apiError(
          createSlackWebApi(fakeSlack([slackError('internal_error')]).options()).update(
            { channel: 'C', ts: '1' },
            message,
          ),
        )
      ).transient,
    ).toBe(true);
    expect(
      (
        await apiError(
          createSlackWebApi(fakeSlack([() => new Response('bad gateway', { status: 502 })]).options()).update(
            { channel: 'C', ts: '1' },
            message,
          ),
        )
      ).transient,
    ).toBe(true);
    const broken = createSlackWebApi({
      token: TOKEN,
      fetch: (async () => {
        throw new TypeError('fetch failed https://hooks.slack.com/secret');
      }) as typeof fetch,
    });
    const error = await apiError(broken.respond('https://hooks.slack.com/actions/T/1/secret', { text: 'x' }));
    expect(error).toMatchObject({ transient: true, code: 'request_failed' });
    expect(error.message).not.toContain('secret');
  });

  it('paces posts to one channel about one per second, other channels unaffected', async () => {
    const slack = fakeSlack([ok({ channel: 'C1', ts: '1' })]);
    vi.useFakeTimers();
    const api = createSlackWebApi(slack.options({ channelIntervalMs: 1000, sleep: slack.orderedSleep }));
    const posts = Promise.all([
      api.postMessage({ ...message, channel: 'C1' }),
      api.postMessage({ ...message, channel: 'C1' }),
      api.postMessage({ ...message, channel: 'C2' }),
      api.postMessage({ ...message, channel: 'C1' }),
    ]);
    await vi.runAllTimersAsync();
    await posts;
    const times = (ch: string) => slack.calls.filter((c) => c.body.channel === ch).map((c) => c.at);
    const c1 = times('C1');
    expect(c1).toHaveLength(3);
    for (let i = 1; i < c1.length; i++) expect((c1[i] ?? 0) - (c1[i - 1] ?? 0)).toBeGreaterThanOrEqual(1000);
    expect(times('C2')).toEqual([c1[0]]);
    expect(slack.sleeps.sort()).toEqual([1000, 2000]);
  });

  it('holds a rate-limited channel back for the next post too', async () => {
    const slack = fakeSlack([limited('2'), ok({ channel: 'C1', ts: '1' })]);
    const api = createSlackWebApi(slack.options({ channelIntervalMs: 0, retry: { maxAttempts: 1 } }));
    await expect(api.postMessage({ ...message, channel: 'C1' })).rejects.toMatchObject({
      retryAfterSeconds: 2,
    });
    await api.postMessage({ ...message, channel: 'C1' });
    expect(slack.sleeps).toEqual([2000]);
    expect((slack.calls[1]?.at ?? 0) - (slack.calls[0]?.at ?? 0)).toBe(2000);
    await api.postMessage({ ...message, channel: 'C2' });
    expect(slack.sleeps).toEqual([2000]);
  });

  it('answers on a response_url only on Slack (or the configured API host)', async () => {
    const slack = fakeSlack([() => new Response('ok')]);
    const api = createSlackWebApi(slack.options());
    await api.respond('https://hooks.slack.com/actions/T1/2/abc', { text: 'hi', response_type: 'ephemeral' });
    expect(slack.calls[0]?.headers.authorization).toBeUndefined();
    await expect(api.respond('https://evil.example/steal', { text: 'x' })).rejects.toMatchObject({
      code: 'response_url_not_allowed',
    });
    expect(isAllowedResponseUrl('http://127.0.0.1:9/actions/1', 'http://127.0.0.1:9/api')).toBe(true);
    expect(isAllowedResponseUrl('http://hooks.slack.com/x')).toBe(false);
    expect(isAllowedResponseUrl('https://slack.com.evil.example/x')).toBe(false);
  });
});

describe('Slack app notifier', () => {
  it('posts to the message channel and refuses a message without one', async () => {
    const slack = fakeSlack([ok({ channel: 'C9', ts: '5' })]);
    const notifier = createSlackAppNotifier(createSlackWebApi(slack.options()));
    await expect(notifier.post({ ...message, channel: 'C9' })).resolves.toEqual({ channel: 'C9', ts: '5' });
    await expect(notifier.post(message)).rejects.toMatchObject({ code: 'no_channel', transient: false });
  });

  it('replies ephemerally through the response_url, else chat.postEphemeral', async () => {
    const slack = fakeSlack([() => new Response('ok'), ok()]);
    const notifier = createSlackAppNotifier(createSlackWebApi(slack.options()));
    await notifier.replyEphemeral?.(
      { userId: 'U1', channel: 'C1', responseUrl: 'https://hooks.slack.com/a/1' },
      'taken',
    );
    expect(slack.calls[0]?.body).toEqual({
      response_type: 'ephemeral',
      replace_original: false,
      text: 'taken',
    });
    await notifier.replyEphemeral?.(
      { userId: 'U1', channel: 'C1', responseUrl: 'https://evil.example/a' },
      'taken',
    );
    expect(slack.calls[1]).toMatchObject({
      url: 'https://slack.test/api/chat.postEphemeral',
      body: { channel: 'C1', user: 'U1', text: 'taken' },
    });
  });
});
