import {
  createOutboundClient,
  DEFAULT_RETRY_POLICY,
  type FailedVerdict,
  type OutboundFailure,
  type ReceivedResponse,
  type RetryPolicy,
} from '../../http/outbound.js';
import type { SlackMessage, SlackMessageRef } from '../../ports.js';

/** Default base URL of the Web API (SLACK_API_URL overrides it, e.g. for a local stand-in). */
export const SLACK_API_URL = 'https://slack.com/api';

/**
 * A failed Web API call. `transient` (429/ratelimited, 5xx, network, timeout, Slack-side errors) means a
 * later retry may succeed; permanent codes need a human (token, scopes, channel). Messages carry the
 * method and Slack's error code, never the token or message content.
 */
export class SlackApiError extends Error {
  override name = 'SlackApiError';
  constructor(
    message: string,
    readonly method: string,
    readonly code: string,
    readonly status: number | undefined,
    readonly transient: boolean,
    /** Seconds Slack asked us to wait (Retry-After). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** Errors a person must fix, with what to do; said once in the log, without any lead data. */
export const PERMANENT_ERROR_HINTS: Readonly<Record<string, string>> = {
  invalid_auth: 'the bot token is not valid: check SLACK_BOT_TOKEN (xoxb-…)',
  not_authed: 'no bot token was sent: set SLACK_BOT_TOKEN',
  account_inactive: 'the Slack app or its workspace is deactivated: reinstall the app',
  token_revoked: 'the bot token was revoked: reinstall the app and update SLACK_BOT_TOKEN',
  token_expired: 'the bot token expired: reinstall the app and update SLACK_BOT_TOKEN',
  missing_scope: 'the app lacks a scope: add chat:write (and chat:write.public) and reinstall',
  no_permission: 'the app may not post here: check its scopes and the channel settings',
  channel_not_found: 'no such channel, or the bot cannot see it: use a channel id and invite the bot',
  not_in_channel: 'the bot is not in the channel: /invite the app, or add the chat:write.public scope',
  is_archived: 'the channel is archived: route alerts to another channel',
  restricted_action: 'a workspace setting stops the app posting in this channel',
  invalid_blocks: 'Slack rejected the message blocks',
  msg_too_long: 'the message is too long',
  message_not_found: 'the message to update no longer exists',
  cant_update_message: 'the app can only update messages it posted',
  user_not_in_channel: 'the user is not in the channel',
};

const TRANSIENT_CODES = new Set([
  'ratelimited',
  'rate_limited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'team_added_to_org',
]);

/**
 * Slack posts through the one outbound policy with more room: a hung post gives up after 10 s, and a call
 * takes at most 25 s (so a Retry-After of up to 15 s is waited out) within the notifier's 30 s. Past it the
 * call throws a transient error, so the caller's own retries (Lambda async retries, the bus) take over.
 * Only rate limits are retried in-process: Slack did not take a rate-limited post, while one that failed
 * with a 5xx or timed out may have been posted, and must not be posted twice.
 */
export const SLACK_RETRY_POLICY: Readonly<RetryPolicy> = {
  ...DEFAULT_RETRY_POLICY,
  attemptTimeoutMs: 10_000,
  budgetMs: 25_000,
};

/** Slack's error code travels with each failure; `http_<status>` when the body names none. */
export interface SlackFailureInfo {
  code: string;
}

/** A non-2xx answer from Slack: 429 is a rate limit, 5xx and Slack-side codes are transient. */
export function classifySlackError(res: ReceivedResponse): FailedVerdict<SlackFailureInfo> {
  const code = res.status === 429 ? 'ratelimited' : (slackErrorCode(res.body) ?? `http_${res.status}`);
  return {
    ok: false,
    transient: res.status >= 500 || res.status === 429 || TRANSIENT_CODES.has(code),
    rateLimited: RATE_LIMIT_CODES.has(code),
    detail: code,
    info: { code },
  };
}

/** Retry in-process only what Slack certainly did not act on. */
export const onlyRateLimits = (failure: OutboundFailure<unknown>) =>
  failure.kind === 'transient' && failure.reason === 'rate_limited';

export interface SlackWebApiOptions {
  token: string;
  baseUrl?: string;
  fetch?: typeof fetch;
  /** SLACK_RETRY_POLICY unless set. */
  retry?: Partial<RetryPolicy>;
  /** Least time between two posts to one channel: Slack allows about one message per second per channel. */
  channelIntervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
  /** Receives one line per permanent failure (method, code, channel id, hint): no lead data. */
  onPermanentError?: (info: { method: string; code: string; channel?: string; hint: string }) => void;
}

export interface SlackWebApi {
  /** chat.postMessage: where the message landed. */
  postMessage(message: SlackMessage & { channel: string }): Promise<SlackMessageRef>;
  /** chat.update */
  update(ref: SlackMessageRef, message: SlackMessage): Promise<void>;
  /** chat.postEphemeral: a message only `user` sees. */
  postEphemeral(channel: string, user: string, text: string): Promise<void>;
  /** Posts to an interaction's response_url (no token: the URL is the credential). */
  respond(responseUrl: string, body: Record<string, unknown>): Promise<void>;
}

interface SlackResponse {
  ok?: boolean;
  error?: string;
  channel?: string;
  ts?: string;
}

const RATE_LIMIT_CODES = new Set(['ratelimited', 'rate_limited']);

function parseSlackBody(body: string): SlackResponse | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed && typeof parsed === 'object' ? (parsed as SlackResponse) : undefined;
  } catch {
    return undefined;
  }
}

function slackErrorCode(body: string): string | undefined {
  const error = parseSlackBody(body)?.error;
  return typeof error === 'string' && /^[a-z0-9_.]{1,80}$/.test(error) ? error : undefined;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A small Slack Web API client over fetch: the three chat methods LeadHub needs, paced and rate-limit aware. */
export function createSlackWebApi(options: SlackWebApiOptions): SlackWebApi {
  const baseUrl = (options.baseUrl ?? SLACK_API_URL).replace(/\/+$/, '');
  if (!URL.canParse(baseUrl)) throw new Error('SLACK_API_URL is not a valid URL');
  const interval = options.channelIntervalMs ?? 1_000;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const http = createOutboundClient({ ...options, sleep, now });
  const policy = { ...SLACK_RETRY_POLICY, ...options.retry };
  /** Per channel, the earliest time the next post may go out. */
  const nextSlot = new Map<string, number>();

  /** Reserves the channel's next slot and waits for it, so concurrent posts queue up one per interval. */
  async function pace(channel: string): Promise<void> {
    const at = Math.max(now(), nextSlot.get(channel) ?? 0);
    nextSlot.set(channel, at + interval);
    const wait = at - now();
    if (wait > 0) await sleep(wait);
  }

  function holdChannel(channel: string | undefined, ms: number): void {
    if (!channel) return;
    nextSlot.set(channel, Math.max(nextSlot.get(channel) ?? 0, now() + ms));
  }

  async function send(
    method: string,
    url: string,
    body: Record<string, unknown>,
    auth: boolean,
    channel: string | undefined,
    paced: boolean,
  ): Promise<SlackResponse> {
    const result = await http.request<SlackResponse, SlackFailureInfo>(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          ...(auth ? { authorization: `Bearer ${options.token}` } : {}),
        },
        body: JSON.stringify(body),
        redirect: 'error',
      },
      {
        policy,
        retryable: onlyRateLimits,
        ...(paced && channel ? { beforeAttempt: () => pace(channel) } : {}),
        onFailure: (failure) => {
          // Every post to a rate-limited channel waits, not only the one that was refused.
          if (failure.kind === 'transient' && failure.reason === 'rate_limited') {
            holdChannel(channel, failure.retryAfterMs ?? interval);
          }
        },
        read: (res) => {
          const parsed = parseSlackBody(res.body);
          // A response_url answers a bare "ok"; the Web API says ok:true.
          if (parsed?.ok === true || (!auth && parsed?.error === undefined))
            return { ok: true, value: parsed ?? {} };
          const code = slackErrorCode(res.body) ?? 'invalid_response';
          return {
            ok: false,
            transient: TRANSIENT_CODES.has(code),
            rateLimited: RATE_LIMIT_CODES.has(code),
            detail: code,
            info: { code },
          };
        },
        classifyError: classifySlackError,
      },
    );
    if (result.ok) return result.value;
    const { failure } = result;
    if (failure.kind === 'transient' && (failure.reason === 'network' || failure.reason === 'timeout')) {
      throw new SlackApiError(
        `Slack ${method} request failed (${failure.detail})`,
        method,
        'request_failed',
        undefined,
        true,
      );
    }
    const code = failure.info?.code ?? 'invalid_response';
    if (failure.kind === 'transient' && failure.reason === 'rate_limited') {
      const seconds = failure.retryAfterMs !== undefined ? Math.ceil(failure.retryAfterMs / 1000) : undefined;
      throw new SlackApiError(
        `Slack ${method} rate limited${seconds !== undefined ? ` (retry after ${seconds} s)` : ''}`,
        method,
        'ratelimited',
        failure.status,
        true,
        seconds,
      );
    }
    const transient = failure.kind === 'transient';
    if (!transient) {
      const hint = PERMANENT_ERROR_HINTS[code] ?? 'see https://api.slack.com/methods';
      options.onPermanentError?.({ method, code, ...(channel ? { channel } : {}), hint });
    }
    throw new SlackApiError(
      `Slack ${method} failed: ${code}${transient ? '' : ` (${PERMANENT_ERROR_HINTS[code] ?? 'permanent'})`}`,
      method,
      code,
      failure.status,
      transient,
    );
  }

  const call = (method: string, body: Record<string, unknown>, channel?: string, paced = false) =>
    send(method, `${baseUrl}/${method}`, body, true, channel, paced);

  return {
    async postMessage(message) {
      const result = await call(
        'chat.postMessage',
        {
          channel: message.channel,
          text: message.text,
          blocks: message.blocks,
          unfurl_links: false,
          unfurl_media: false,
        },
        message.channel,
        true,
      );
      if (typeof result.channel !== 'string' || typeof result.ts !== 'string') {
        throw new SlackApiError(
          'Slack chat.postMessage answered without channel and ts',
          'chat.postMessage',
          'invalid_response',
          200,
          false,
        );
      }
      return { channel: result.channel, ts: result.ts };
    },

    async update(ref, message) {
      await call(
        'chat.update',
        { channel: ref.channel, ts: ref.ts, text: message.text, blocks: message.blocks },
        ref.channel,
      );
    },

    async postEphemeral(channel, user, text) {
      await call('chat.postEphemeral', { channel, user, text }, channel, true);
    },

    async respond(responseUrl, body) {
      if (!isAllowedResponseUrl(responseUrl, baseUrl)) {
        throw new SlackApiError(
          'Slack response_url is not a Slack URL',
          'response_url',
          'response_url_not_allowed',
          undefined,
          false,
        );
      }
      await send('response_url', responseUrl, body, false, undefined, false);
    },
  };
}

/**
 * response_url comes inside a signed payload, but it is still only ever posted to Slack itself (https on
 * slack.com) or to the host of SLACK_API_URL (a local stand-in): never to an arbitrary host.
 */
export function isAllowedResponseUrl(url: string, baseUrl: string = SLACK_API_URL): boolean {
  if (!URL.canParse(url)) return false;
  const u = new URL(url);
  if (u.protocol === 'https:' && (u.hostname === 'slack.com' || u.hostname.endsWith('.slack.com')))
    return true;
  return u.origin === new URL(baseUrl).origin;
}
