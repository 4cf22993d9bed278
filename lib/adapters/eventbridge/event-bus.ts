import type { EventBridgeClient, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE } from '../../../events/contracts.js';
import type { BusEvent, EventBus } from '../../ports.js';
import { loadOnce } from '../load-once.js';

/** PutEvents takes at most 10 entries a call. */
const CHUNK = 10;
const MAX_ATTEMPTS = 4;

export class PublishError extends Error {
  override name = 'PublishError';
}

/**
 * EventBus port on EventBridge. PutEvents can fail per entry while the call succeeds; only the failed
 * entries are sent again (with backoff), and what still fails is thrown so the caller's message retries.
 * The SDK is loaded at the first publish (see load-once.ts); `client` replaces the default client.
 */
export function createEventBridgeBus(
  busName: string,
  client?: EventBridgeClient,
  sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)),
): EventBus {
  const eventBridge = loadOnce(async () => {
    const sdk = await import('@aws-sdk/client-eventbridge');
    return { sdk, client: client ?? new sdk.EventBridgeClient({}) };
  });
  return {
    async publish(events: readonly BusEvent[]) {
      const entries: PutEventsRequestEntry[] = events.map((e) => ({
        EventBusName: busName,
        Source: EVENT_SOURCE,
        DetailType: e.detailType,
        Detail: JSON.stringify(e.detail),
      }));
      for (let i = 0; i < entries.length; i += CHUNK) {
        const { sdk, client: eventBridgeClient } = await eventBridge();
        let pending = entries.slice(i, i + CHUNK);
        for (let attempt = 1; pending.length > 0; attempt++) {
          const result = await eventBridgeClient.send(new sdk.PutEventsCommand({ Entries: pending }));
          if (!result.FailedEntryCount) break;
          const failed = pending.filter((_, index) => result.Entries?.[index]?.ErrorCode);
          if (attempt >= MAX_ATTEMPTS) {
            const codes = [...new Set(result.Entries?.map((e) => e.ErrorCode).filter(Boolean))];
            throw new PublishError(`${failed.length} event(s) not published: ${codes.join(', ')}`);
          }
          pending = failed;
          await sleep(100 * 2 ** attempt);
        }
      }
    },
  };
}
