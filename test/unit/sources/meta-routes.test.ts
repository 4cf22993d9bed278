import { describe, expect, it } from 'vitest';
import { createWebhooksHttpHandler } from '../../../lib/handlers/http-webhooks.js';
import { HttpRoutes } from '../../../lib/routes.js';
import { webhookHandlers } from '../../../lib/sources/index.js';
import { fakeDeps, fixedSecrets, httpEvent } from '../../support/fakes.js';

describe('webhook routes', () => {
  it('has a handler for every http-webhooks route and a route for every handler', () => {
    const routed = HttpRoutes.filter((r) => r.fn === 'http-webhooks').map((r) => `${r.method} ${r.path}`);
    expect(routed.sort()).toEqual(Object.keys(webhookHandlers).sort());
    expect(routed).toEqual(expect.arrayContaining(['GET /webhooks/meta', 'POST /webhooks/meta']));
    for (const route of HttpRoutes.filter((r) => r.fn === 'http-webhooks')) expect(route.auth).toBe('none');
  });

  it('dispatches on the route key', async () => {
    const deps = fakeDeps({ secrets: fixedSecrets({ META_VERIFY_TOKEN: 'vt' }) });
    const handler = createWebhooksHttpHandler(deps);
    const res = await handler(
      httpEvent({
        method: 'GET',
        routeKey: 'GET /webhooks/meta',
        path: '/webhooks/meta',
        query: { 'hub.mode': 'subscribe', 'hub.verify_token': 'vt', 'hub.challenge': '42' },
      }),
    );
    expect(res).toMatchObject({ statusCode: 200, body: '42' });
    expect(res.headers?.['content-type']).toMatch(/^text\/plain/);
  });

  it('answers 404 for a route key with no handler', async () => {
    const handler = createWebhooksHttpHandler(fakeDeps({}));
    const res = await handler(
      httpEvent({ method: 'POST', routeKey: 'POST /webhooks/nope', path: '/webhooks/nope' }),
    );
    expect(res.statusCode).toBe(404);
  });

  it('turns an unexpected failure into a 500, so the platform redelivers', async () => {
    const deps = fakeDeps({
      secrets: {
        get: async () => {
          throw new Error('secrets down');
        },
      },
    });
    const res = await createWebhooksHttpHandler(deps)(
      httpEvent({ method: 'POST', routeKey: 'POST /webhooks/meta', path: '/webhooks/meta', body: '{}' }),
    );
    expect(res.statusCode).toBe(500);
  });
});
