import type { Notifier, SlackMessage } from '../../ports.js';

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
  /** Give up on a hung request after this long (a transient failure). */
  timeoutMs?: number;
}

/** Posts Block Kit messages to a Slack incoming webhook. */
export function createWebhookNotifier(
  url: string,
  fetchImpl: typeof fetch = fetch,
  options: WebhookNotifierOptions = {},
): Notifier {
  // URL's own error would echo the input, so the check is done here with a message that does not.
  if (!URL.canParse(url)) throw new Error('Slack webhook URL is not a valid URL');
  const timeoutMs = options.timeoutMs ?? 10_000;

  return {
    async post(message: SlackMessage): Promise<void> {
      const body = JSON.stringify({
        text: message.text,
        blocks: message.blocks,
        ...(message.channel ? { channel: message.channel } : {}),
      });
      let response: Response;
      try {
        response = await fetchImpl(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body,
          redirect: 'error',
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        // fetch's own errors can quote the URL; keep only the error kind and code.
        throw new SlackPostError(
          `Slack webhook request failed (${networkErrorKind(error)})`,
          undefined,
          true,
        );
      }
      if (response.ok) {
        await response.body?.cancel().catch(() => undefined);
        return;
      }
      // Slack answers errors with a short code such as invalid_blocks or no_service.
      const reason = (await response.text().catch(() => '')).replace(/\s+/g, ' ').trim().slice(0, 100);
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
      const transient = response.status === 429 || response.status >= 500;
      throw new SlackPostError(
        `Slack webhook responded ${response.status}${reason ? ` ${reason}` : ''}${
          retryAfter !== undefined ? ` (retry after ${retryAfter} s)` : ''
        }`,
        response.status,
        transient,
        retryAfter,
      );
    },
  };
}

function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, Math.ceil((date - Date.now()) / 1000)) : undefined;
}

function networkErrorKind(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out';
  return typeof code === 'string' ? `${error.name} ${code}` : error.name;
}
