/**
 * The HTTP routes, in API Gateway route-key syntax. The CDK stack and the local server both build their
 * routing from this list, so the two runtimes serve exactly the same paths.
 */
export type HttpFunctionName = 'http-forms' | 'http-admin' | 'http-privacy' | 'http-webhooks' | 'http-slack';

/**
 * Whose traffic a route carries, which picks its throttle (`limits.routes.{group}` in the config): each
 * group has its own rate and burst, so form spam cannot use up what the ad platforms' webhooks need.
 */
export type RouteLimitGroup = 'webhooks' | 'forms' | 'slack' | 'admin';

export const LIMIT_GROUP: Record<HttpFunctionName, RouteLimitGroup> = {
  'http-webhooks': 'webhooks',
  'http-forms': 'forms',
  'http-slack': 'slack',
  'http-admin': 'admin',
  'http-privacy': 'admin',
};

export interface HttpRoute {
  method: 'GET' | 'POST' | 'OPTIONS';
  path: string;
  fn: HttpFunctionName;
  /** Admin routes: IAM-authorised on AWS, bearer token locally. */
  auth: 'none' | 'admin';
}

export const HttpRoutes: readonly HttpRoute[] = [
  { method: 'POST', path: '/forms/{formId}', fn: 'http-forms', auth: 'none' },
  { method: 'OPTIONS', path: '/forms/{formId}', fn: 'http-forms', auth: 'none' },
  // Ad-platform webhooks: one function, dispatching on the route key to the source's handler.
  { method: 'GET', path: '/webhooks/meta', fn: 'http-webhooks', auth: 'none' },
  { method: 'POST', path: '/webhooks/meta', fn: 'http-webhooks', auth: 'none' },
  { method: 'GET', path: '/webhooks/linkedin', fn: 'http-webhooks', auth: 'none' },
  { method: 'POST', path: '/webhooks/linkedin', fn: 'http-webhooks', auth: 'none' },
  // The path token is the secret TikTok deliveries are checked by (the route key, not the path, is logged).
  { method: 'POST', path: '/webhooks/tiktok/{token}', fn: 'http-webhooks', auth: 'none' },
  { method: 'POST', path: '/webhooks/google', fn: 'http-webhooks', auth: 'none' },
  // Slack app interactivity (Claim / Not a fit); the function verifies Slack's request signature.
  { method: 'POST', path: '/slack/actions', fn: 'http-slack', auth: 'none' },
  { method: 'GET', path: '/health', fn: 'http-admin', auth: 'none' },
  { method: 'GET', path: '/api/leads', fn: 'http-admin', auth: 'admin' },
  { method: 'GET', path: '/api/leads/{leadId}', fn: 'http-admin', auth: 'admin' },
  { method: 'GET', path: '/api/contacts/{contactId}', fn: 'http-admin', auth: 'admin' },
  { method: 'GET', path: '/api/metrics/speed-to-lead', fn: 'http-admin', auth: 'admin' },
  // What the hub kept but could not read (lib/pipeline/quarantine.ts).
  { method: 'GET', path: '/api/quarantine', fn: 'http-admin', auth: 'admin' },
  // Data-subject rights: their own function, the only admin one that writes the table and publishes.
  // The person is named in the body, never in the URL (URLs land in access logs, histories and proxies).
  { method: 'POST', path: '/api/privacy/export', fn: 'http-privacy', auth: 'admin' },
  { method: 'POST', path: '/api/privacy/withdraw', fn: 'http-privacy', auth: 'admin' },
  { method: 'POST', path: '/api/privacy/erase', fn: 'http-privacy', auth: 'admin' },
  // Who exported, withdrew or erased whom, and when (ids only).
  { method: 'GET', path: '/api/privacy/audit', fn: 'http-privacy', auth: 'admin' },
];
