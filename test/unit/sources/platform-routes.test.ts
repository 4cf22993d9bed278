import { describe, expect, it } from 'vitest';
import { createSecretsManagerSecrets } from '../../../lib/adapters/secrets/secrets-manager.js';
import { parseEnv } from '../../../lib/config.js';
import { createWebhooksHttpHandler } from '../../../lib/handlers/http-webhooks.js';
import { createEnvSecrets } from '../../../lib/local/env-secrets.js';
import { HttpRoutes } from '../../../lib/routes.js';
import { resolverFor, webhookHandlers } from '../../../lib/sources/index.js';
import { fakeDeps, fixedSecrets, httpEvent } from '../../support/fakes.js';

/** An empty delivery to each of these platforms' webhooks. */
const emptyDeliveries = () => [
  httpEvent({
    method: 'POST',
    routeKey: 'POST /webhooks/linkedin',
    path: '/webhooks/linkedin',
    body: '{}',
  }),
  httpEvent({
    method: 'POST',
    routeKey: 'POST /webhooks/tiktok/{token}',
    path: '/webhooks/tiktok/abc',
    pathParameters: { token: 'abc' },
    body: '{}',
  }),
  httpEvent({ method: 'POST', routeKey: 'POST /webhooks/google', path: '/webhooks/google', body: '{}' }),
];

describe('LinkedIn, TikTok and Google Ads routes', () => {
  it('are served by the webhooks function, unauthenticated at the gateway, each with its handler', () => {
    const keys = [
      'GET /webhooks/linkedin',
      'POST /webhooks/linkedin',
      'POST /webhooks/tiktok/{token}',
      'POST /webhooks/google',
    ];
    for (const key of keys) {
      const route = HttpRoutes.find((r) => `${r.method} ${r.path}` === key);
      expect(route, key).toMatchObject({ fn: 'http-webhooks', auth: 'none' });
      expect(webhookHandlers[key], key).toBeTypeOf('function');
    }
  });

  it('have a capture resolver for every platform', () => {
    for (const source of ['linkedin', 'tiktok', 'google'] as const)
      expect(resolverFor(source)).toBeTypeOf('function');
  });

  it('answer 503 (so the platform retries) when their secret is not configured', async () => {
    const handler = createWebhooksHttpHandler(fakeDeps({ secrets: fixedSecrets({}) }));
    const cases = [
      httpEvent({
        method: 'GET',
        routeKey: 'GET /webhooks/linkedin',
        path: '/webhooks/linkedin',
        query: { challengeCode: 'x' },
      }),
      ...emptyDeliveries(),
    ];
    for (const event of cases) {
      const res = await handler(event);
      expect(res.statusCode, event.routeKey).toBe(503);
      expect(JSON.parse(res.body ?? '{}').error).toBe('not_configured');
    }
  });
});

describe('a platform the AWS deployment leaves out (-c sources)', () => {
  it('answers 503 not_configured on its webhooks: its secret is given as null, so nothing in it is set', async () => {
    // http-webhooks' LEADHUB_SECRET_ARNS in the default deploy: no platform secret exists.
    const secrets = createSecretsManagerSecrets({ meta: null, linkedin: null, tiktok: null, google: null });
    const handler = createWebhooksHttpHandler(fakeDeps({ secrets }));
    const cases = [
      httpEvent({ method: 'POST', routeKey: 'POST /webhooks/meta', path: '/webhooks/meta', body: '{}' }),
      ...emptyDeliveries(),
    ];
    for (const event of cases) {
      const res = await handler(event);
      expect(res.statusCode, event.routeKey).toBe(503);
      expect(JSON.parse(res.body ?? '{}').error, event.routeKey).toBe('not_configured');
    }
  });
});

describe('platform environment', () => {
  it('defaults the LinkedIn API URL and version and leaves the rest unset', () => {
    const env = parseEnv({});
    expect(env.LINKEDIN_API_URL).toBe('https://api.linkedin.com');
    expect(env.LINKEDIN_API_VERSION).toMatch(/^20\d{2}(0[1-9]|1[0-2])$/);
    for (const name of [
      'LINKEDIN_CLIENT_SECRET',
      'LINKEDIN_ACCESS_TOKEN',
      'TIKTOK_WEBHOOK_TOKEN',
      'TIKTOK_APP_SECRET',
      'TIKTOK_ADVERTISER_IDS',
      'GOOGLE_WEBHOOK_KEY',
    ] as const) {
      expect(env[name], name).toBeUndefined();
    }
  });

  it('rejects a malformed version, URL or advertiser list, naming the variable', () => {
    expect(() => parseEnv({ LINKEDIN_API_VERSION: '2026-11' })).toThrow(/LINKEDIN_API_VERSION/);
    expect(() => parseEnv({ LINKEDIN_API_VERSION: '202613' })).toThrow(/LINKEDIN_API_VERSION/);
    expect(() => parseEnv({ LINKEDIN_API_URL: 'not a url' })).toThrow(/LINKEDIN_API_URL/);
    expect(() => parseEnv({ TIKTOK_ADVERTISER_IDS: '123,abc' })).toThrow(/TIKTOK_ADVERTISER_IDS/);
    expect(parseEnv({ TIKTOK_ADVERTISER_IDS: '7163948356417552385, 99' }).TIKTOK_ADVERTISER_IDS).toBe(
      '7163948356417552385, 99',
    );
  });

  it('serves the platform secrets from the environment locally', async () => {
    const secrets = createEnvSecrets(
      parseEnv({
        LINKEDIN_CLIENT_SECRET: 'a',
        LINKEDIN_ACCESS_TOKEN: 'b',
        TIKTOK_WEBHOOK_TOKEN: 'c',
        TIKTOK_APP_SECRET: 'd',
        GOOGLE_WEBHOOK_KEY: 'e',
      }),
    );
    expect(
      await Promise.all(
        (
          [
            'LINKEDIN_CLIENT_SECRET',
            'LINKEDIN_ACCESS_TOKEN',
            'TIKTOK_WEBHOOK_TOKEN',
            'TIKTOK_APP_SECRET',
            'GOOGLE_WEBHOOK_KEY',
          ] as const
        ).map((n) => secrets.get(n)),
      ),
    ).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});
