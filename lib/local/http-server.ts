import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import {
  type CompiledRoute,
  compileRoutes,
  fromApiGatewayResult,
  type HttpResponse,
  matchRoute,
  type RouteSpec,
  splitUrl,
  toApiGatewayEvent,
} from './api-gateway-event.js';
import { errorSummary, type LocalLog, silentLog } from './line-logger.js';
import { clientAddress, RequestLimiter, type RouteLimits } from './rate-limit.js';

/** A Lambda handler behind an HTTP API route (payload format 2.0). */
export type HttpHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyResultV2<unknown>>;

export interface LocalRoute extends RouteSpec {
  handler: HttpHandler;
  /** The route's throttles; a route without them is never limited. */
  limits?: RouteLimits;
}

export interface HttpServerOptions {
  routes: readonly LocalRoute[];
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** Hard cap on a request body; past it the server answers 413 itself. */
  maxBodyBytes?: number;
  /** API Gateway's integration timeout (30 s): past it the client gets 503. */
  integrationTimeoutMs?: number;
  logger?: LocalLog;
  /** The clock of events and throttles. */
  now?: () => Date;
  /** Reverse proxies of yours in front of the server, trusted to append the client to X-Forwarded-For. */
  trustedProxyHops?: number;
}

export interface LocalHttpServer {
  url: string;
  port: number;
  /** Requests received and not yet answered. */
  inFlight(): number;
  /** Resolves when no request is being handled. */
  drain(): Promise<void>;
  /** Stops accepting connections, waits for requests being handled, then closes every connection. */
  close(): Promise<void>;
}

/** 1 MiB: far above any form post, well under API Gateway's own 10 MB cap. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** Serves the routes by invoking their handlers with API Gateway HTTP API events. */
export async function startHttpServer(options: HttpServerOptions): Promise<LocalHttpServer> {
  const routes = compileRoutes(options.routes);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const integrationTimeoutMs = options.integrationTimeoutMs ?? 30_000;
  const log = options.logger ?? silentLog;
  const now = options.now ?? (() => new Date());
  const limiter = new RequestLimiter(() => now().getTime());
  const trustedProxyHops = options.trustedProxyHops ?? 0;
  let active = 0;
  let idleWaiters: Array<() => void> = [];
  let localHost = '127.0.0.1';

  const finished = () => {
    active -= 1;
    if (active > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  const server = createServer((req, res) => {
    active += 1;
    handle(req, res)
      .catch((error: unknown) => {
        log.error('Local HTTP server failed on a request', { error: errorSummary(error) });
        if (!res.headersSent)
          send(res, json(500, { error: 'internal_error', message: 'Internal Server Error' }));
        else res.destroy();
      })
      .finally(finished);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    res.setHeader('apigw-requestid', requestId);
    const method = req.method ?? 'GET';
    const { rawPath } = splitUrl(req.url ?? '/');
    const match = matchRoute(routes, method, rawPath);
    if (match.kind !== 'match') {
      // Unrouted requests never reach a handler, so their bodies are not read.
      discardBody(req);
      if (match.kind === 'method-not-allowed') {
        res.setHeader('allow', match.allow.join(', '));
        return send(
          res,
          json(405, { error: 'method_not_allowed', message: `${method} is not allowed here` }),
        );
      }
      if (match.kind === 'bad-path') {
        return send(
          res,
          json(400, { error: 'bad_request', message: 'Malformed percent-encoding in the path' }),
        );
      }
      return send(res, json(404, { error: 'not_found', message: `No route for ${method} ${rawPath}` }));
    }

    const { route } = match;
    const sourceIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
    if (route.route.limits) {
      const client = clientAddress(sourceIp, req.headersDistinct['x-forwarded-for'], trustedProxyHops);
      const admission = limiter.admit(route.routeKey, route.route.limits, client);
      if (!admission.admitted) {
        // Refused before the body is read: a throttled request costs as little as possible.
        discardBody(req);
        const seconds = admission.retryAfterSeconds;
        res.setHeader('retry-after', String(seconds));
        log.info('HTTP request throttled', {
          requestId,
          routeKey: route.routeKey,
          statusCode: 429,
          limit: admission.reason,
        });
        return send(
          res,
          json(429, {
            error: 'rate_limited',
            message: `Too many requests; retry in ${seconds} s`,
            retryAfterSeconds: seconds,
          }),
        );
      }
    }

    const body = await readBody(req, maxBodyBytes);
    if (body === 'too-large') {
      res.setHeader('connection', 'close');
      return send(
        res,
        json(413, { error: 'payload_too_large', message: `Request body exceeds ${maxBodyBytes} bytes` }),
      );
    }
    if (body === 'aborted') return;

    const event = toApiGatewayEvent(
      {
        method,
        url: req.url ?? '/',
        httpVersion: req.httpVersion,
        headers: req.headersDistinct as Record<string, string[]>,
        body,
        sourceIp,
        localHost,
      },
      { routeKey: route.routeKey, pathParameters: match.pathParameters, requestId, now: now() },
    );
    const started = Date.now();
    const response = await invoke(route, event, requestId);
    send(res, response);
    log.info('HTTP request', {
      requestId,
      routeKey: route.routeKey,
      statusCode: response.statusCode,
      durationMs: Date.now() - started,
    });
  }

  async function invoke(
    route: CompiledRoute<LocalRoute>,
    event: APIGatewayProxyEventV2,
    requestId: string,
  ): Promise<HttpResponse> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), integrationTimeoutMs);
    });
    try {
      const result = await Promise.race([route.route.handler(event), timeout]);
      if (result === 'timeout') {
        log.error('Handler timed out', {
          requestId,
          routeKey: route.routeKey,
          timeoutMs: integrationTimeoutMs,
        });
        return json(503, { error: 'service_unavailable', message: 'Service Unavailable' });
      }
      return fromApiGatewayResult(result);
    } catch (error) {
      // Never the event or the error message: both can carry PII.
      log.error('Handler failed', { requestId, routeKey: route.routeKey, error: errorSummary(error) });
      return json(500, { error: 'internal_error', message: 'Internal Server Error' });
    } finally {
      clearTimeout(timer);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  localHost = `${host}:${address.port}`;

  return {
    url: `http://${localHost}`,
    port: address.port,
    inFlight: () => active,
    drain: () => (active === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve))),
    close: () =>
      closeServer(server, () => (active === 0 ? Promise.resolve() : new Promise((r) => idleWaiters.push(r)))),
  };
}

async function closeServer(server: Server, idle: () => Promise<void>): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // close() only ends idle keep-alive connections; busy ones end once their request is answered.
  await idle();
  server.closeIdleConnections();
  server.closeAllConnections();
  await closed;
}

/**
 * Reads the body up to the cap. Past the cap it stops keeping bytes (so input is never buffered without
 * bound) and the caller answers 413.
 */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | 'too-large' | 'aborted'> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    discardBody(req);
    return Promise.resolve('too-large');
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (value: Buffer | 'too-large' | 'aborted') => {
      if (settled) return;
      settled = true;
      resolve(value);
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > maxBytes) {
        chunks.length = 0;
        discardBody(req);
        settle('too-large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => settle(Buffer.concat(chunks, size)));
    req.on('error', () => settle('aborted'));
    req.on('close', () => settle(req.complete ? Buffer.concat(chunks, size) : 'aborted'));
  });
}

/**
 * Lets the rest of a body we will not use flow through without keeping it, so the client can finish
 * sending and read our answer; a client that keeps sending past a bound is cut off.
 */
function discardBody(req: IncomingMessage, limitBytes = 16 * 1024 * 1024): void {
  let seen = 0;
  req.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > limitBytes) req.socket.destroy();
  });
  req.resume();
}

function json(statusCode: number, body: Record<string, unknown>): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify(body)),
  };
}

function send(res: ServerResponse, response: HttpResponse): void {
  if (res.headersSent || res.destroyed) return;
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) res.setHeader(name, value);
  }
  res.setHeader('content-length', response.body.length);
  res.statusCode = response.statusCode;
  res.end(response.body);
}
