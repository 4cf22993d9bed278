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

export interface SlackWebApiOptions {
  token: string;
  baseUrl?: string;
  fetch?: typeof fetch;
  /** A hung request gives up after this long (transient). */
  timeoutMs?: number;
  /**
   * Longest total time one call may spend waiting out Retry-After. Past it the call throws a transient
   * error, so the caller's own retry policy (Lambda async retries, the bus) takes over.
   */
  maxRetryWaitMs?: number;
  /** Least time between two posts to one channel: Slack allows about one message per second per channel. */
  channelIntervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
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

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A small Slack Web API client over fetch: the three chat methods LeadHub needs, paced and rate-limit aware. */
export function createSlackWebApi(options: SlackWebApiOptions): SlackWebApi {
  const baseUrl = (options.baseUrl ?? SLACK_API_URL).replace(/\/+$/, '');
  if (!URL.canParse(baseUrl)) throw new Error('SLACK_API_URL is not a valid URL');
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxRetryWaitMs = options.maxRetryWaitMs ?? 15_000;
  const interval = options.channelIntervalMs ?? 1_000;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  /** Per channel, the earliest time the next post may go out. */
  const nextSlot = new Map<string, number>();

  /** Reserves the channel's next slot and waits for it, so concurrent posts queue up one per interval. */
  async function pace(channel: string): Promise<void> {
    const at = Math.max(now(), nextSlot.get(channel) ?? 0);
    nextSlot.set(channel, at + interval);
    const wait = at - now();
    if (wait > 0) await sleep(wait);
  }

  function holdChannel(channel: string | undefined, seconds: number): void {
    if (!channel) return;
    nextSlot.set(channel, Math.max(nextSlot.get(channel) ?? 0, now() + seconds * 1000));
  }

  async function send(
    method: string,
    url: string,
    body: Record<string, unknown>,
    auth: boolean,
    channel: string | undefined,
    paced: boolean,
  ): Promise<SlackResponse> {
    let waited = 0;
    for (;;) {
      if (paced && channel) await pace(channel);
      let response: Response;
      try {
        response = await doFetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json; charset=utf-8',
            ...(auth ? { authorization: `Bearer ${options.token}` } : {}),
          },
          body: JSON.stringify(body),
          redirect: 'error',
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        // fetch's own errors can quote the URL (a response_url is a credential): keep the kind only.
        throw new SlackApiError(
          `Slack ${method} request failed (${networkErrorKind(error)})`,
          method,
          'request_failed',
          undefined,
          true,
        );
      }
      const parsed = (await response.json().catch(() => undefined)) as SlackResponse | undefined;
      const code =
        response.status === 429
          ? 'ratelimited'
          : (parsed?.error ?? (response.ok ? undefined : `http_${response.status}`));

      if (code === 'ratelimited') {
        const retryAfter = parseRetryAfter(response.headers.get('retry-after'), now()) ?? 1;
        holdChannel(channel, retryAfter);
        if (waited + retryAfter * 1000 <= maxRetryWaitMs) {
          waited += retryAfter * 1000;
          await sleep(retryAfter * 1000);
          continue;
        }
        throw new SlackApiError(
          `Slack ${method} rate limited (retry after ${retryAfter} s)`,
          method,
          'ratelimited',
          response.status,
          true,
          retryAfter,
        );
      }
      if (response.ok && (parsed?.ok === true || (!auth && code === undefined))) return parsed ?? {};

      const finalCode = code ?? 'invalid_response';
      const transient = response.status >= 500 || TRANSIENT_CODES.has(finalCode);
      if (!transient) {
        const hint = PERMANENT_ERROR_HINTS[finalCode] ?? 'see https://api.slack.com/methods';
        options.onPermanentError?.({ method, code: finalCode, ...(channel ? { channel } : {}), hint });
      }
      throw new SlackApiError(
        `Slack ${method} failed: ${finalCode}${transient ? '' : ` (${PERMANENT_ERROR_HINTS[finalCode] ?? 'permanent'})`}`,
        method,
        finalCode,
        response.status,
        transient,
      );
    }
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

export function parseRetryAfter(value: string | null, nowMs: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const seconds = Number(value.trim());
  if (value.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, Math.ceil((date - nowMs) / 1000)) : undefined;
}

function networkErrorKind(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out';
  return typeof code === 'string' ? `${error.name} ${code}` : error.name;
}
