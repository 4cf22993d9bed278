/**
 * The HTTP routes, in API Gateway route-key syntax. The CDK stack and the local server both build their
 * routing from this list, so the two runtimes serve exactly the same paths.
 */
export type HttpFunctionName = 'http-forms' | 'http-admin';

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
  { method: 'GET', path: '/health', fn: 'http-admin', auth: 'none' },
  { method: 'GET', path: '/api/leads', fn: 'http-admin', auth: 'admin' },
  { method: 'GET', path: '/api/leads/{leadId}', fn: 'http-admin', auth: 'admin' },
  { method: 'GET', path: '/api/contacts/{contactId}', fn: 'http-admin', auth: 'admin' },
];
