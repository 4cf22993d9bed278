import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createConsoleNotifier, renderPlainText } from '../../../lib/adapters/slack/console-notifier.js';
import { createWebhookNotifier, SlackPostError } from '../../../lib/adapters/slack/webhook-notifier.js';
import { buildAlertMessage } from '../../../lib/pipeline/alert-message.js';
import type { SlackMessage } from '../../../lib/ports.js';
import { thrownBy } from '../../support/thrown.js';
import { alertLead } from '../scoring/fixtures.js';

interface Received {
  method?: string;
  url?: string;
  contentType?: string;
  body: string;
}

/** A stand-in incoming webhook: replies with whatever the next test queued. */
let server: Server;
let base: string;
let received: Received[] = [];
type Reply = { status: number; body: string; headers?: Record<string, string> };
let reply: Reply = { status: 200, body: 'ok' };
/** Answered first, in order, before `reply`. */
let replies: Reply[] = [];

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    received.push({
      method: req.method,
      url: req.url,
      contentType: req.headers['content-type'],
      body: await readBody(req),
    });
    const next = replies.shift() ?? reply;
    res.writeHead(next.status, { 'content-type': 'text/plain', ...next.headers });
    res.end(next.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received = [];
  reply = { status: 200, body: 'ok' };
  replies = [];
});

const SECRET_PATH = '/services/T000/B000/s3cr3tT0k3n';
const message: SlackMessage = {
  text: 'New lead: Jane',
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*Hi*' } }],
};

async function postError(promise: Promise<unknown>): Promise<SlackPostError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SlackPostError);
  return error as SlackPostError;
}

describe('createWebhookNotifier', () => {
  it('posts the message as JSON and resolves on 2xx', async () => {
    await createWebhookNotifier(base + SECRET_PATH).post(message);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'POST', url: SECRET_PATH });
    expect(received[0]?.contentType).toMatch(/^application\/json/);
    expect(JSON.parse(received[0]?.body ?? '')).toEqual({ text: message.text, blocks: message.blocks });
  });

  it('passes a channel override through when set', async () => {
    await createWebhookNotifier(base + SECRET_PATH).post({ ...message, channel: '#leads-test' });
    expect(JSON.parse(received[0]?.body ?? '')).toMatchObject({ channel: '#leads-test' });
  });

  it('treats 429 as transient and carries Retry-After, without the URL in the error', async () => {
    reply = { status: 429, body: 'rate_limited', headers: { 'retry-after': '30' } };
    const error = await postError(createWebhookNotifier(base + SECRET_PATH).post(message));
    expect(error).toMatchObject({ status: 429, transient: true, retryAfterSeconds: 30 });
    expect(error.message).toContain('429');
    expect(error.message).toContain('retry after 30 s');
    expect(JSON.stringify({ m: error.message, s: error.stack, e: error })).not.toContain('s3cr3t');
  });

  it('waits out a 429 within its budget and posts again, on the fake clock', async () => {
    replies = [{ status: 429, body: 'rate_limited', headers: { 'retry-after': '2' } }];
    let clock = 0;
    const sleeps: number[] = [];
    const notifier = createWebhookNotifier(base + SECRET_PATH, fetch, {
      now: () => clock,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
    });
    await notifier.post(message);
    expect(sleeps).toEqual([2_000]);
    expect(received).toHaveLength(2);
  });

  it('does not post again after a 500: Slack may have shown the first', async () => {
    replies = [{ status: 500, body: 'internal_error' }];
    await postError(createWebhookNotifier(base + SECRET_PATH).post(message));
    expect(received).toHaveLength(1);
  });

  it('treats 500 as transient', async () => {
    reply = { status: 500, body: 'internal_error' };
    const error = await postError(createWebhookNotifier(base + SECRET_PATH).post(message));
    expect(error).toMatchObject({ status: 500, transient: true, retryAfterSeconds: undefined });
    expect(error.message).toBe('Slack webhook responded 500 internal_error');
  });

  it("treats 4xx other than 429 as permanent and reports Slack's error code", async () => {
    reply = { status: 400, body: 'invalid_blocks' };
    const error = await postError(createWebhookNotifier(base + SECRET_PATH).post(message));
    expect(error).toMatchObject({ status: 400, transient: false });
    expect(error.message).toContain('invalid_blocks');
  });

  it('reports an unreachable endpoint as transient, without the URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await postError(
      createWebhookNotifier(`http://127.0.0.1:${port}${SECRET_PATH}`).post(message),
    );
    expect(error).toMatchObject({ status: undefined, transient: true });
    expect(error.message).not.toContain('s3cr3t');
    expect(error.message).not.toContain(String(port));
  });

  it('uses the injected fetch', async () => {
    const calls: string[] = [];
    const fakeFetch = (async (url: string | URL | Request) => {
      calls.push(String(url));
      return new Response('ok', { status: 200 });
    }) as typeof fetch;
    await createWebhookNotifier('https://hooks.slack.com/services/x', fakeFetch).post(message);
    expect(calls).toEqual(['https://hooks.slack.com/services/x']);
  });

  it('rejects a malformed URL without echoing it', () => {
    const error = thrownBy(() => createWebhookNotifier('not a url s3cr3t'));
    expect((error as Error).message).toBe('Slack webhook URL is not a valid URL');
    expect(JSON.stringify(error)).not.toContain('s3cr3t');
    expect((error as Error).message).not.toContain('s3cr3t');
  });
});

describe('createConsoleNotifier', () => {
  it('prints a readable plain-text alert', async () => {
    const out: string[] = [];
    const lead = alertLead({
      contact: { fullName: 'Bob & <Co>', company: 'Acme', email: 'bob@acme.com' },
      answers: [{ key: 'budget', label: 'Budget', values: ['10k'] }],
    });
    await createConsoleNotifier((s) => out.push(s)).post(
      buildAlertMessage(lead, new Date('2026-01-05T10:07:30.000Z')),
    );
    expect(out).toHaveLength(1);
    const text = out[0] ?? '';
    expect(text).toContain('New lead: Bob & <Co>');
    expect(text).toContain('Name: Bob & <Co>');
    expect(text).toContain('Company: Acme');
    expect(text).toContain('Score 72/100 · Grade B');
    expect(text).toMatch(/^What they asked$/m);
    expect(text).toContain('Budget: 10k');
    expect(text).toContain('Waiting 7 min');
    expect(text).not.toContain('&amp;');
    expect(text).not.toContain('*');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('drops terminal control characters from lead text', () => {
    const text = renderPlainText({
      text: 'x',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'evil\u001b[31mred\u0007 name' } }],
    });
    expect(text).toContain('evil[31mred name');
    expect(text).not.toContain('\u001b');
    expect(text).not.toContain('\u0007');
  });

  it('falls back to the text when there are no blocks', () => {
    expect(renderPlainText({ text: 'Only text', blocks: [] })).toContain('Only text');
  });
});
