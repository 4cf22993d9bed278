import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { inject } from 'vitest';
import { type HubFactories, type RunningHub, startHub } from '../../lib/local/runtime.js';

/** A local HTTP server standing in for Slack's incoming webhooks: records every post. */
export async function startFakeSlack() {
  const posts: { path: string; body: { text: string; blocks: unknown[] } }[] = [];
  let failNext = 0;
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (failNext > 0) {
        failNext--;
        res.writeHead(500).end('oops');
        return;
      }
      posts.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/XXXX`,
    posts,
    failNextPosts(n: number) {
      failNext = n;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export const ADMIN_TOKEN = 'e2e-admin-token';
export const FORM_SECRET = 'e2e-form-secret';

/** The environment of a test hub: in memory, on a fresh table of the test DynamoDB endpoint. */
export function testHubEnv(extraEnv: Record<string, string> = {}): Record<string, string> {
  return {
    PORT: '0',
    DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
    TABLE_NAME: `leadhub-e2e-${randomUUID().slice(0, 8)}`,
    LEADHUB_DB: 'memory',
    LEADHUB_CONFIG: join(import.meta.dirname, '../../leadhub.config.json'),
    LEADHUB_ADMIN_TOKEN: ADMIN_TOKEN,
    LEADHUB_FORM_SECRET: FORM_SECRET,
    LEADHUB_PEPPER: 'e2e-pepper',
    ...extraEnv,
  };
}

/** The whole hub as `npm start` runs it, on a fresh table of the test DynamoDB endpoint. */
export async function startTestHub(
  slackUrl: string,
  extraEnv: Record<string, string> = {},
  factories: Partial<HubFactories> = {},
) {
  const logs: string[] = [];
  const hub: RunningHub = await startHub({
    env: testHubEnv({ SLACK_WEBHOOK_URL: slackUrl, ...extraEnv }),
    log: (line) => logs.push(line),
    factories,
    tuning: { visibilityTimeoutMs: 200, batchWindowMs: 10 },
  });
  const admin = async (path: string) => {
    const res = await fetch(`${hub.url}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const postForm = (formId: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${hub.url}/forms/${formId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  return { hub, logs, admin, postForm };
}
