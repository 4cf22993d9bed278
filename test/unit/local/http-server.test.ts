import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { parseHubConfig } from '../../../lib/config.js';
import { type HttpHandler, type LocalHttpServer, startHttpServer } from '../../../lib/local/http-server.js';
import type { LocalLog } from '../../../lib/local/line-logger.js';
import { routeLimits } from '../../../lib/local/rate-limit.js';
import { HttpRoutes } from '../../../lib/routes.js';

interface RawResponse {
  status: number;
  headers: Array<[string, string]>;
  header(name: string): string | undefined;
  body: Buffer;
}

/** Sends exact bytes over a socket (duplicate headers, chunked bodies, invalid UTF-8) and reads the reply. */
function rawRequest(
  port: number,
  head: string,
  body: Buffer | Buffer[] = Buffer.alloc(0),
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      const [statusLine, ...lines] = all.subarray(0, split).toString('latin1').split('\r\n');
      const headers = lines.map((l) => {
        const i = l.indexOf(':');
        return [l.slice(0, i).toLowerCase(), l.slice(i + 1).trim()] as [string, string];
      });
      resolve({
        status: Number(statusLine?.split(' ')[1]),
        headers,
        header: (name) => headers.find(([n]) => n === name)?.[1],
        body: all.subarray(split + 4),
      });
    });
    socket.write(head.replace(/\n/g, '\r\n'));
    for (const part of Array.isArray(body) ? body : [body]) socket.write(part);
  });
}

function recordingLog() {
  const lines: Array<{ message: string; attributes: unknown }> = [];
  const at = (message: unknown, attributes?: unknown): void =>
    void lines.push({ message: String(message), attributes });
  return { log: { debug: at, info: at, warn: at, error: at } as LocalLog, lines };
}

const servers: LocalHttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Serves the hub's routes with one handler that records each event (throttled by `limits` when given). */
async function serve(
  handler?: HttpHandler,
  extra: {
    maxBodyBytes?: number;
    logger?: LocalLog;
    limits?: unknown;
    now?: () => Date;
    trustedProxyHops?: number;
  } = {},
) {
  const events: APIGatewayProxyEventV2[] = [];
  const h: HttpHandler =
    handler ??
    (async (event) => {
      events.push(event);
      return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' };
    });
  const { limits: rawLimits, ...options } = extra;
  const limits = rawLimits === undefined ? undefined : parseHubConfig({ limits: rawLimits }).limits;
  const server = await startHttpServer({
    routes: HttpRoutes.map((r) => ({
      method: r.method,
      path: r.path,
      handler: h,
      ...(limits ? { limits: routeLimits(r, limits) } : {}),
    })),
    port: 0,
    ...options,
  });
  servers.push(server);
  return { server, events };
}

describe('local HTTP server: the API Gateway v2 event', () => {
  it('builds the event from the request', async () => {
    const { server, events } = await serve();
    const body = '{"email":"a@b.co"}';
    const res = await rawRequest(
      server.port,
      `POST /forms/contact%20us?a=1&a=2&b=x%20y HTTP/1.1
Host: localhost:${server.port}
User-Agent: test-agent/1.0
Content-Type: application/json
X-Multi: one
X-Multi: two
X-Forwarded-For: 203.0.113.9
Cookie: session=abc; theme=dark
Content-Length: ${Buffer.byteLength(body)}
Connection: close

${body}`,
    );
    expect(res.status).toBe(200);
    expect(res.header('apigw-requestid')).toBeTruthy();

    const [event] = events as [APIGatewayProxyEventV2];
    expect(event.version).toBe('2.0');
    expect(event.routeKey).toBe('POST /forms/{formId}');
    expect(event.rawPath).toBe('/forms/contact%20us');
    expect(event.rawQueryString).toBe('a=1&a=2&b=x%20y');
    expect(event.pathParameters).toEqual({ formId: 'contact us' });
    expect(event.queryStringParameters).toEqual({ a: '1,2', b: 'x y' });
    expect(event.cookies).toEqual(['session=abc', 'theme=dark']);
    expect(event.headers.cookie).toBeUndefined();
    expect(event.headers['x-multi']).toBe('one, two');
    expect(event.headers['content-type']).toBe('application/json');
    expect(event.headers['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(event.headers['X-Multi' as string]).toBeUndefined();
    expect(event.body).toBe(body);
    expect(event.isBase64Encoded).toBe(false);
    expect(event.requestContext).toMatchObject({
      accountId: expect.any(String),
      apiId: expect.any(String),
      domainName: `localhost:${server.port}`,
      http: {
        method: 'POST',
        path: '/forms/contact%20us',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'test-agent/1.0',
      },
      requestId: res.header('apigw-requestid'),
      routeKey: 'POST /forms/{formId}',
      stage: '$default',
      timeEpoch: expect.any(Number),
    });
    // Admin auth falls back to the bearer token only when no authorizer is present: never invent one.
    expect('authorizer' in event.requestContext).toBe(false);
    expect(event.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
  });

  it('omits body, query, cookies and path parameters when there are none', async () => {
    const { server, events } = await serve();
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(200);
    const [event] = events as [APIGatewayProxyEventV2];
    expect(event.routeKey).toBe('GET /health');
    expect(event.rawQueryString).toBe('');
    expect(event.body).toBeUndefined();
    expect(event.isBase64Encoded).toBe(false);
    expect(event.queryStringParameters).toBeUndefined();
    expect(event.pathParameters).toBeUndefined();
    expect(event.cookies).toBeUndefined();
  });

  it('prefers the literal route and decodes each path parameter', async () => {
    const { server, events } = await serve();
    await fetch(`${server.url}/api/leads`);
    await fetch(`${server.url}/api/leads/lead%2F1%C3%A9`);
    expect(events.map((e) => e.routeKey)).toEqual(['GET /api/leads', 'GET /api/leads/{leadId}']);
    expect(events[1]?.pathParameters).toEqual({ leadId: 'lead/1é' });
  });

  it('passes UTF-8 bodies byte for byte, so signatures over the raw body verify', async () => {
    const { server, events } = await serve();
    const sent = Buffer.from('\uFEFF{"name":"Zoë 🚀"}\r\n  ', 'utf8');
    await fetch(`${server.url}/forms/contact`, {
      method: 'POST',
      body: sent,
      headers: { 'content-type': 'application/json' },
    });
    const [event] = events as [APIGatewayProxyEventV2];
    expect(event.isBase64Encoded).toBe(false);
    const received = Buffer.from(event.body ?? '', 'utf8');
    expect(received.equals(sent)).toBe(true);
    const sign = (b: Buffer) => createHmac('sha256', 'secret').update(b).digest('hex');
    expect(sign(received)).toBe(sign(sent));
  });

  it('base64-encodes bodies that are not valid UTF-8', async () => {
    const { server, events } = await serve();
    const sent = Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0xc3, 0x28, 0x7d]);
    await fetch(`${server.url}/forms/contact`, { method: 'POST', body: sent });
    const [event] = events as [APIGatewayProxyEventV2];
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64').equals(sent)).toBe(true);
  });

  it('reads a chunked body under the cap', async () => {
    const { server, events } = await serve(undefined, { maxBodyBytes: 100 });
    const res = await rawRequest(
      server.port,
      'POST /forms/contact HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\nConnection: close\n\n',
      [Buffer.from('5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n')],
    );
    expect(res.status).toBe(200);
    expect(events[0]?.body).toBe('hello world');
  });
});

describe('local HTTP server: responses', () => {
  it('maps a structured result: status, headers, cookies and a base64 body', async () => {
    const { server } = await serve(async () => ({
      statusCode: 201,
      headers: { 'Content-Type': 'application/octet-stream', 'X-Count': 3, 'x-flag': true },
      cookies: ['a=1; Path=/', 'b=2; HttpOnly'],
      body: Buffer.from([0, 1, 2, 255]).toString('base64'),
      isBase64Encoded: true,
    }));
    const res = await rawRequest(server.port, 'GET /health HTTP/1.1\nHost: x\nConnection: close\n\n');
    expect(res.status).toBe(201);
    expect(res.header('content-type')).toBe('application/octet-stream');
    expect(res.header('x-count')).toBe('3');
    expect(res.header('x-flag')).toBe('true');
    expect(res.headers.filter(([n]) => n === 'set-cookie').map(([, v]) => v)).toEqual([
      'a=1; Path=/',
      'b=2; HttpOnly',
    ]);
    expect(res.body.equals(Buffer.from([0, 1, 2, 255]))).toBe(true);
  });

  it('treats a string result as a 200 JSON body, as API Gateway does', async () => {
    const { server } = await serve(async () => '{"hello":"world"}');
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ hello: 'world' });
  });

  it('answers 404 JSON for an unknown path without calling a handler', async () => {
    const { server, events } = await serve();
    const res = await fetch(`${server.url}/nope`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toMatchObject({ error: 'not_found' });
    expect((await fetch(`${server.url}/forms/a/b`)).status).toBe(404);
    expect((await fetch(`${server.url}/health/`)).status).toBe(404);
    expect(events).toEqual([]);
  });

  it('answers 405 JSON with Allow for a known path and another method', async () => {
    const { server, events } = await serve();
    const res = await fetch(`${server.url}/forms/contact`, { method: 'GET' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('OPTIONS, POST');
    expect(await res.json()).toMatchObject({ error: 'method_not_allowed' });
    expect((await fetch(`${server.url}/health`, { method: 'DELETE' })).status).toBe(405);
    expect(events).toEqual([]);
  });

  it('answers 413 JSON past the body cap, announced by Content-Length, without calling a handler', async () => {
    const { server, events } = await serve(undefined, { maxBodyBytes: 1024 });
    const res = await fetch(`${server.url}/forms/contact`, {
      method: 'POST',
      body: Buffer.alloc(1025, 0x61),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: 'payload_too_large' });
    const ok = await fetch(`${server.url}/forms/contact`, { method: 'POST', body: Buffer.alloc(1024, 0x61) });
    expect(ok.status).toBe(200);
    expect(events).toHaveLength(1);
  });

  it('answers 413 to a chunked body that grows past the cap', async () => {
    const { server, events } = await serve(undefined, { maxBodyBytes: 1024 });
    const chunk = Buffer.alloc(600, 0x62);
    const frame = Buffer.concat([Buffer.from('258\r\n'), chunk, Buffer.from('\r\n')]);
    const res = await rawRequest(
      server.port,
      'POST /forms/contact HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\nConnection: close\n\n',
      [frame, frame, frame, Buffer.from('0\r\n\r\n')],
    );
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body.toString())).toMatchObject({ error: 'payload_too_large' });
    expect(events).toEqual([]);
  });

  it('applies the default 1 MiB cap to a real client sending 2 MiB', async () => {
    const { server, events } = await serve();
    const res = await fetch(`${server.url}/forms/contact`, {
      method: 'POST',
      body: Buffer.alloc(2 * 1024 * 1024, 0x63),
    });
    expect(res.status).toBe(413);
    expect(events).toEqual([]);
  });

  it('answers 500 JSON when the handler throws, and logs no request data', async () => {
    const { log, lines } = recordingLog();
    const { server } = await serve(
      async (event) => {
        throw new Error(`failed on ${event.body}`);
      },
      { logger: log },
    );
    const res = await fetch(`${server.url}/forms/contact`, {
      method: 'POST',
      body: 'email=jane@example.com',
    });
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: 'internal_error' });
    const logged = lines.find((l) => l.message === 'Handler failed');
    expect(logged?.attributes).toMatchObject({ routeKey: 'POST /forms/{formId}', error: { name: 'Error' } });
    expect(JSON.stringify(lines)).not.toContain('jane@example.com');
  });

  it('answers 400 JSON to a path parameter with malformed percent-encoding', async () => {
    const { server, events } = await serve();
    const res = await fetch(`${server.url}/api/leads/%E0%A4%A`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'bad_request' });
    expect(events).toEqual([]);
  });

  it('answers 503 when the handler outlives the integration timeout', async () => {
    const server = await startHttpServer({
      routes: [{ method: 'GET', path: '/health', handler: () => new Promise(() => {}) }],
      integrationTimeoutMs: 10,
    });
    servers.push(server);
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: 'service_unavailable' });
  });

  it('answers 500 when the handler returns an invalid status code', async () => {
    const { server } = await serve(async () => ({ statusCode: 42 }));
    expect((await fetch(`${server.url}/health`)).status).toBe(500);
  });
});

describe('local HTTP server: shutdown', () => {
  it('close lets a request in flight finish, then refuses connections', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started: () => void = () => {};
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const server = await startHttpServer({
      routes: [
        {
          method: 'GET',
          path: '/health',
          handler: async () => {
            started();
            await gate;
            return { statusCode: 200, body: 'late' };
          },
        },
      ],
    });
    const response = fetch(`${server.url}/health`);
    await running;
    expect(server.inFlight()).toBe(1);
    const closed = server.close();
    release();
    const res = await response;
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('late');
    await closed;
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  });
});

/** One request from a chosen loopback address (127.0.0.0/8 is all local on Linux), read in full. */
function send(
  port: number,
  method: string,
  path: string,
  options: { from?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        localAddress: options.from ?? '127.0.0.1',
        headers: { 'content-type': 'application/json', ...options.headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(method === 'GET' ? undefined : (options.body ?? '{}'));
  });
}

describe('local HTTP server: throttling', () => {
  const LIMITS = {
    routes: { forms: { ratePerSecond: 100, burst: 100 } },
    formsPerClient: { perMinute: 6, burst: 3 },
  };

  it('answers a spamming client 429 with Retry-After, while other clients and the webhooks get through', async () => {
    const log = recordingLog();
    const { server, events } = await serve(undefined, { limits: LIMITS, logger: log.log });
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await send(server.port, 'POST', '/forms/contact')).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429, 429, 429, 429, 429]);

    const refused = await send(server.port, 'POST', '/forms/contact', { body: '{"email":"spam@x.example"}' });
    expect(refused.status).toBe(429);
    // 6 per minute: the next token is 10 s away.
    expect(refused.headers['retry-after']).toBe('10');
    expect(refused.headers['content-type']).toBe('application/json');
    expect(JSON.parse(refused.body)).toEqual({
      error: 'rate_limited',
      message: 'Too many requests; retry in 10 s',
      retryAfterSeconds: 10,
    });
    expect(events).toHaveLength(3);

    expect((await send(server.port, 'POST', '/forms/contact', { from: '127.0.0.2' })).status).toBe(200);
    expect((await send(server.port, 'POST', '/webhooks/meta')).status).toBe(200);
    expect((await send(server.port, 'GET', '/health')).status).toBe(200);

    const throttled = log.lines.filter((l) => l.message === 'HTTP request throttled');
    expect(throttled).toHaveLength(8);
    expect(throttled[0]?.attributes).toMatchObject({ routeKey: 'POST /forms/{formId}', limit: 'client' });
    expect(JSON.stringify(log.lines)).not.toMatch(/127\.0\.0\.|spam@/);
  });

  it('lets the client in again once its bucket refills, by the injected clock', async () => {
    let now = Date.parse('2026-11-02T10:00:00Z');
    const { server } = await serve(undefined, { limits: LIMITS, now: () => new Date(now) });
    for (let i = 0; i < 3; i++) await send(server.port, 'POST', '/forms/contact');
    expect((await send(server.port, 'POST', '/forms/contact')).status).toBe(429);
    now += 9_999;
    expect((await send(server.port, 'POST', '/forms/contact')).headers['retry-after']).toBe('1');
    now += 1;
    expect((await send(server.port, 'POST', '/forms/contact')).status).toBe(200);
    expect((await send(server.port, 'POST', '/forms/contact')).status).toBe(429);
    now += 60_000;
    const after = [];
    for (let i = 0; i < 4; i++) after.push((await send(server.port, 'POST', '/forms/contact')).status);
    expect(after).toEqual([200, 200, 200, 429]);
  });

  it('keeps the webhooks open when form spam from many clients uses up the form route', async () => {
    const { server } = await serve(undefined, {
      limits: { routes: { forms: { ratePerSecond: 1, burst: 5 }, webhooks: { ratePerSecond: 1, burst: 5 } } },
      trustedProxyHops: 1,
    });
    const forms = [];
    for (let i = 0; i < 20; i++) {
      const from = { 'x-forwarded-for': `198.51.100.${i}` };
      forms.push((await send(server.port, 'POST', '/forms/contact', { headers: from })).status);
    }
    expect(forms.filter((s) => s === 200)).toHaveLength(5);
    expect(forms.filter((s) => s === 429)).toHaveLength(15);
    for (const path of ['/webhooks/meta', '/webhooks/linkedin', '/webhooks/google']) {
      expect((await send(server.port, 'POST', path)).status, path).toBe(200);
    }
  });

  it('ignores X-Forwarded-For unless proxies are trusted, so a client cannot pose as many', async () => {
    const { server } = await serve(undefined, { limits: LIMITS });
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      const forged = { 'x-forwarded-for': `203.0.113.${i}` };
      statuses.push((await send(server.port, 'POST', '/forms/contact', { headers: forged })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });

  it('behind a trusted proxy, limits by the address the proxy appended', async () => {
    const { server, events } = await serve(undefined, { limits: LIMITS, trustedProxyHops: 1 });
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      // The client's own entry comes first and is ignored; the proxy appended the real one.
      const via = { 'x-forwarded-for': `203.0.113.${i}, 192.0.2.50` };
      statuses.push((await send(server.port, 'POST', '/forms/contact', { headers: via })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    const other = { 'x-forwarded-for': '192.0.2.51' };
    expect((await send(server.port, 'POST', '/forms/contact', { headers: other })).status).toBe(200);
    // The event still names the socket's peer, as API Gateway's sourceIp does.
    expect(events.at(-1)?.requestContext.http.sourceIp).toBe('127.0.0.1');
  });

  it('limits nothing on routes without limits', async () => {
    const { server } = await serve();
    for (let i = 0; i < 50; i++) expect((await send(server.port, 'POST', '/forms/contact')).status).toBe(200);
  });
});
