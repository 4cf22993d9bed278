import { isUtf8 } from 'node:buffer';
import type { OutgoingHttpHeaders } from 'node:http';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyResultV2,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';

/** A route in API Gateway route-key syntax: `{name}` matches one segment, `{name+}` the rest of the path. */
export interface RouteSpec {
  method: string;
  path: string;
}

export interface CompiledRoute<R extends RouteSpec> {
  route: R;
  routeKey: string;
  regex: RegExp;
  params: string[];
  /** Literal characters: API Gateway prefers the most specific route. */
  specificity: number;
}

export type RouteMatch<R extends RouteSpec> =
  | { kind: 'match'; route: CompiledRoute<R>; pathParameters: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'not-found' }
  | { kind: 'bad-path' };

export function compileRoutes<R extends RouteSpec>(routes: readonly R[]): CompiledRoute<R>[] {
  return routes
    .map((route) => {
      const params: string[] = [];
      const source = route.path
        .split('/')
        .map((segment) => {
          const param = /^\{([A-Za-z0-9_]+)(\+?)\}$/.exec(segment);
          if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          params.push(param[1] as string);
          return param[2] ? '(.+)' : '([^/]+)';
        })
        .join('/');
      return {
        route,
        routeKey: `${route.method} ${route.path}`,
        regex: new RegExp(`^${source}$`),
        params,
        specificity: route.path.replace(/\{[^}]+\}/g, '').length,
      };
    })
    .sort((a, b) => b.specificity - a.specificity);
}

/** Finds the route for a raw (still percent-encoded) path; path parameters come back decoded. */
export function matchRoute<R extends RouteSpec>(
  routes: readonly CompiledRoute<R>[],
  method: string,
  rawPath: string,
): RouteMatch<R> {
  const allow = new Set<string>();
  for (const compiled of routes) {
    const found = compiled.regex.exec(rawPath);
    if (!found) continue;
    if (compiled.route.method !== method) {
      allow.add(compiled.route.method);
      continue;
    }
    const pathParameters: Record<string, string> = {};
    try {
      compiled.params.forEach((name, i) => {
        pathParameters[name] = decodeURIComponent(found[i + 1] as string);
      });
    } catch {
      return { kind: 'bad-path' };
    }
    return { kind: 'match', route: compiled, pathParameters };
  }
  return allow.size > 0 ? { kind: 'method-not-allowed', allow: [...allow].sort() } : { kind: 'not-found' };
}

/** What the HTTP server read from one request. */
export interface RawRequest {
  method: string;
  /** Path and query exactly as on the request line. */
  url: string;
  httpVersion: string;
  /** Every value of every header, names lower-cased (node's `headersDistinct`). */
  headers: Record<string, string[]>;
  body: Buffer;
  sourceIp: string;
  /** The local server's host:port, used when the request has no Host header. */
  localHost: string;
}

export interface EventContext {
  routeKey: string;
  pathParameters: Record<string, string>;
  requestId: string;
  now: Date;
  accountId?: string;
  apiId?: string;
}

/** Splits a request target into API Gateway's rawPath and rawQueryString. */
export function splitUrl(url: string): { rawPath: string; rawQueryString: string } {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const rawQueryString = q === -1 ? '' : url.slice(q + 1);
  // Absolute-form targets (proxies) carry scheme and host; API Gateway only sees the path.
  const rawPath = /^[a-z]+:\/\//i.test(path) ? new URL(path).pathname : path || '/';
  return { rawPath, rawQueryString };
}

/** Builds the HTTP API payload format 2.0 event for a request, as API Gateway does. */
export function toApiGatewayEvent(request: RawRequest, context: EventContext): APIGatewayProxyEventV2 {
  const { rawPath, rawQueryString } = splitUrl(request.url);
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, values] of Object.entries(request.headers)) {
    if (name === 'cookie') {
      // Payload 2.0 moves cookies out of the headers into their own list.
      for (const value of values) {
        for (const cookie of value.split(';')) if (cookie.trim()) cookies.push(cookie.trim());
      }
      continue;
    }
    headers[name] = values.join(', ');
  }
  const forwardedFor = headers['x-forwarded-for'];
  headers['x-forwarded-for'] = forwardedFor ? `${forwardedFor}, ${request.sourceIp}` : request.sourceIp;
  headers['x-forwarded-proto'] ??= 'http';
  const domainName = headers.host ?? request.localHost;
  headers['x-forwarded-port'] ??= domainName.includes(':') ? (domainName.split(':').pop() as string) : '80';

  const queryStringParameters = parseQuery(rawQueryString);
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: context.routeKey,
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: context.accountId ?? '000000000000',
      apiId: context.apiId ?? 'local',
      domainName,
      domainPrefix: domainName.split('.')[0]?.split(':')[0] ?? domainName,
      http: {
        method: request.method,
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: context.requestId,
      routeKey: context.routeKey,
      stage: '$default',
      time: clfTime(context.now),
      timeEpoch: context.now.getTime(),
    },
    isBase64Encoded: false,
  };
  if (cookies.length > 0) event.cookies = cookies;
  if (queryStringParameters) event.queryStringParameters = queryStringParameters;
  if (Object.keys(context.pathParameters).length > 0) event.pathParameters = { ...context.pathParameters };
  if (request.body.length > 0) {
    // Text stays text; other bytes travel as base64, so signatures over the raw bytes still verify.
    if (isUtf8(request.body)) {
      event.body = request.body.toString('utf8');
    } else {
      event.body = request.body.toString('base64');
      event.isBase64Encoded = true;
    }
  }
  return event;
}

/** API Gateway decodes the query and joins repeated parameters with commas. */
function parseQuery(rawQueryString: string): Record<string, string> | undefined {
  if (!rawQueryString) return undefined;
  const result: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    result[name] = name in result ? `${result[name]},${value}` : value;
  }
  return Object.keys(result).length > 0 ? result : undefined;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** requestContext.time's format, e.g. `12/Mar/2020:19:03:58 +0000`. */
function clfTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

export interface HttpResponse {
  statusCode: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

/**
 * Maps a handler's result to the HTTP response the way API Gateway does for payload 2.0: a structured
 * result as given, anything else (a string, an object without statusCode) as a 200 JSON body.
 */
export function fromApiGatewayResult(result: APIGatewayProxyResultV2<unknown>): HttpResponse {
  if (typeof result === 'object' && result !== null && 'statusCode' in result) {
    const structured = result as APIGatewayProxyStructuredResultV2;
    const statusCode: unknown = structured.statusCode;
    if (
      typeof statusCode !== 'number' ||
      !Number.isInteger(statusCode) ||
      statusCode < 100 ||
      statusCode > 599
    ) {
      throw new TypeError('Handler returned an invalid statusCode');
    }
    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(structured.headers ?? {})) {
      if (value !== undefined && value !== null) headers[name.toLowerCase()] = String(value);
    }
    if (structured.cookies && structured.cookies.length > 0) {
      const existing = headers['set-cookie'];
      headers['set-cookie'] = [...(existing === undefined ? [] : [String(existing)]), ...structured.cookies];
    }
    const text = structured.body ?? '';
    const body = structured.isBase64Encoded ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
    return { statusCode, headers, body };
  }
  const text = typeof result === 'string' ? result : JSON.stringify(result);
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(text ?? '', 'utf8'),
  };
}
