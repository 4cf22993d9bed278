import { createOutboundClient, type RetryPolicy } from '../../http/outbound.js';
import type { Notifier, SlackMessage } from '../../ports.js';
import { onlyRateLimits, SLACK_RETRY_POLICY } from './web-api.js';

/**
 * A failed post. `transient` (429, 5xx, network, timeout) means retrying later may succeed. The message
 * never contains the webhook URL: the URL is the credential.
 */
export class SlackPostError extends Error {
  override name = 'SlackPostError';
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly transient: boolean,
    /** Seconds Slack asked us to wait (Retry-After on a 429). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export interface WebhookNotifierOptions {
  /** SLACK_RETRY_POLICY unless set: a 429 is waited out within it, nothing else is retried in-process. */
  retry?: Partial<RetryPolicy>;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

/** Posts Block Kit messages to a Slack incoming webhook. */
export function createWebhookNotifier(
  url: string,
  fetchImpl: typeof fetch = fetch,
  options: WebhookNotifierOptions = {},
): Notifier {
  // URL's own error would echo the input, so the check is done here with a message that does not.
  if (!URL.canParse(url)) throw new Error('Slack webhook URL is not a valid URL');
  const http = createOutboundClient({ ...options, fetch: fetchImpl });
  const policy = { ...SLACK_RETRY_POLICY, ...options.retry };

  return {
    async post(message: SlackMessage): Promise<void> {
      const result = await http.request(
        url,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body: JSON.stringify({
            text: message.text,
            blocks: message.blocks,
            ...(message.channel ? { channel: message.channel } : {}),
          }),
          redirect: 'error',
        },
        { policy, retryable: onlyRateLimits, read: () => ({ ok: true, value: undefined }) },
      );
      if (result.ok) return;
      const { failure } = result;
      if (failure.status === undefined) {
        throw new SlackPostError(`Slack webhook request failed (${failure.detail})`, undefined, true);
      }
      // Slack answers errors with a short code such as invalid_blocks or no_service.
      const reason = (failure.body ?? '').replace(/\s+/g, ' ').trim().slice(0, 100);
      const retryAfter =
        failure.kind === 'transient' && failure.retryAfterMs !== undefined
          ? Math.ceil(failure.retryAfterMs / 1000)
          : undefined;
      throw new SlackPostError(
        `Slack webhook responded ${failure.status}${reason ? ` ${reason}` : ''}${
          retryAfter !== undefined ? ` (retry after ${retryAfter} s)` : ''
        }`,
        failure.status,
        failure.kind === 'transient',
        retryAfter,
      );
    },
  };
}
