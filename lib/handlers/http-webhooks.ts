import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HubDeps } from '../deps.js';
import { errorResponse, type HttpResult } from '../http/responses.js';
import { type WebhookHandler, webhookHandlers } from '../sources/index.js';

/** The ad-platform webhooks (GET/POST /webhooks/{platform}): one function, dispatching on the route key. */
export function createWebhooksHttpHandler(deps: HubDeps) {
  const handlers = new Map<string, WebhookHandler>(
    Object.entries(webhookHandlers).map(([routeKey, factory]) => [routeKey, factory(deps)]),
  );
  return async function webhooksHttpHandler(event: APIGatewayProxyEventV2): Promise<HttpResult> {
    const handler = handlers.get(event.routeKey);
    if (!handler) return errorResponse(404, 'not_found', `No webhook handler for ${event.routeKey}`);
    try {
      return await handler(event);
    } catch (error) {
      // An unexpected failure must still be a 5xx so the platform redelivers.
      deps.logger.error('webhook handler failed', { routeKey: event.routeKey, error: (error as Error).name });
      return errorResponse(500, 'internal_error', 'The delivery could not be processed; retry');
    }
  };
}
