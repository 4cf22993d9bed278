import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackCall {
  method: string;
  auth?: string;
  body: Record<string, unknown>;
}

/** A local stand-in for Slack's Web API (chat.postMessage, chat.update, chat.postEphemeral) and response_urls. */
export async function startFakeSlackApi(botToken: string) {
  const calls: SlackCall[] = [];
  let rateLimitNext = 0;
  let ts = 0;
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      const send = (status: number, payload: unknown, headers: Record<string, string> = {}) =>
        res
          .writeHead(status, { 'content-type': 'application/json', ...headers })
          .end(JSON.stringify(payload));
      if (path.startsWith('/actions/')) {
        calls.push({ method: 'response_url', body });
        return send(200, { ok: true });
      }
      const method = path.replace(/^\/api\//, '');
      if (req.headers.authorization !== `Bearer ${botToken}`)
        return send(200, { ok: false, error: 'invalid_auth' });
      if (method === 'chat.postMessage' && rateLimitNext > 0) {
        rateLimitNext--;
        calls.push({ method: 'rate_limited', body });
        return send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': '1' });
      }
      calls.push({ method, auth: req.headers.authorization, body });
      if (method === 'chat.postMessage') {
        ts += 1;
        return send(200, {
          ok: true,
          channel: body.channel,
          ts: `1767600000.${String(ts).padStart(6, '0')}`,
        });
      }
      if (method === 'chat.update') return send(200, { ok: true, channel: body.channel, ts: body.ts });
      if (method === 'chat.postEphemeral') return send(200, { ok: true, message_ts: '1.1' });
      return send(200, { ok: false, error: 'unknown_method' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return {
    apiUrl: `${base}/api`,
    responseUrl: (id: string) => `${base}/actions/${id}`,
    calls,
    of: (method: string) => calls.filter((c) => c.method === method),
    rateLimitNextPosts(n: number) {
      rateLimitNext = n;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type FakeSlack = Awaited<ReturnType<typeof startFakeSlackApi>>;
