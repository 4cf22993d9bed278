import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { DynamoClients } from '../../../lib/adapters/dynamodb/client.js';
import { ConfigError } from '../../../lib/config.js';
import type { HubDeps } from '../../../lib/deps.js';
import { DataDirInUseError } from '../../../lib/local/data-dir-lock.js';
import type { LocalBusEvent } from '../../../lib/local/in-process-bus.js';
import { PEPPER_FILE } from '../../../lib/local/pepper.js';
import {
  type HubFactories,
  type RunningHub,
  type StartHubOptions,
  startHub,
} from '../../../lib/local/runtime.js';
import type {
  BusEvent,
  CaptureMessage,
  LeadStore,
  Notifier,
  ReceiptStore,
  SlackMessage,
} from '../../../lib/ports.js';

/**
 * Fake handlers that pass a lead id along the real wiring: form post → capture queue → LeadCaptured →
 * enrich queue → LeadScored → Slack target. They record what each stage received.
 */
function fakePipeline(behaviour: { captureFails?: boolean; slackFails?: boolean } = {}) {
  const seen = {
    captureEvents: [] as SQSEvent[],
    enrichEvents: [] as SQSEvent[],
    enrichBodies: [] as LocalBusEvent[],
    slack: [] as LocalBusEvent[],
    webhookUrls: [] as string[],
    consoleNotifiers: 0,
    store: undefined as { doc: DynamoClients['doc']; tableName: string } | undefined,
    deps: undefined as HubDeps | undefined,
  };
  const notifier = (): Notifier => ({ post: async (_m: SlackMessage) => undefined });
  const factories: HubFactories = {
    leadStore: (options) => {
      seen.store = options;
      return {} as LeadStore;
    },
    receiptStore: () => ({}) as ReceiptStore,
    webhookNotifier: (url) => {
      seen.webhookUrls.push(url);
      return notifier();
    },
    consoleNotifier: () => {
      seen.consoleNotifiers += 1;
      return notifier();
    },
    formsHttp: (deps) => {
      seen.deps = deps;
      return async (event) => {
        const message: CaptureMessage = {
          source: 'form',
          platformLeadId: event.pathParameters?.formId ?? '',
        };
        await deps.captureQueue.send(message);
        return {
          statusCode: 202,
          headers: { 'content-type': 'application/json' },
          body: '{"accepted":true}',
        };
      };
    },
    adminHttp: () => async () => ({ statusCode: 200, body: '{"status":"ok"}' }),
    webhooksHttp: () => async () => ({ statusCode: 404, body: '{"error":"not_found"}' }),
    captureWorker: (deps) => async (event) => {
      seen.captureEvents.push(event);
      if (behaviour.captureFails) throw new Error('capture down');
      const events = event.Records.map((r) => {
        const message = JSON.parse(r.body) as CaptureMessage;
        return {
          detailType: 'LeadCaptured',
          detail: { leadId: message.platformLeadId },
        } as unknown as BusEvent;
      });
      await deps.bus.publish(events);
      return { batchItemFailures: [] };
    },
    enrichWorker: (deps) => async (event) => {
      seen.enrichEvents.push(event);
      const bodies = event.Records.map((r) => JSON.parse(r.body) as LocalBusEvent);
      seen.enrichBodies.push(...bodies);
      await deps.bus.publish(
        bodies.map(
          (b) =>
            ({
              detailType: 'LeadScored',
              detail: { ...(b.detail as object), score: 50 },
            }) as unknown as BusEvent,
        ),
      );
      return { batchItemFailures: [] };
    },
    slackNotifier: () => async (event) => {
      if (behaviour.slackFails) throw new Error('slack down');
      seen.slack.push(event);
    },
  };
  return { factories, seen };
}

const fast = {
  batchWindowMs: 1,
  visibilityTimeoutMs: 1,
  maxReceiveCount: 2,
  retry: { maxAttempts: 2, baseDelayMs: 1 },
};

const hubs: RunningHub[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.stop()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'leadhub-runtime-'));
  dirs.push(dir);
  return dir;
}

async function start(env: NodeJS.ProcessEnv, options: Omit<StartHubOptions, 'env'> = {}) {
  const pipeline = fakePipeline();
  const lines: string[] = [];
  const hub = await startHub({
    env: { PORT: '0', ...env },
    log: (line) => lines.push(line),
    factories: pipeline.factories,
    tuning: fast,
    ...options,
  });
  hubs.push(hub);
  return { hub, lines, seen: pipeline.seen };
}

describe('startHub: wiring', () => {
  it('carries a form post through both queues and the bus to the Slack target', async () => {
    const { hub, seen } = await start({ LEADHUB_DB: 'memory' });
    expect(hub.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(hub.database).toBe('memory');

    const res = await fetch(`${hub.url}/forms/lead-1`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(202);
    await hub.drain();

    expect(seen.captureEvents.flatMap((e) => e.Records.map((r) => JSON.parse(r.body)))).toEqual([
      { source: 'form', platformLeadId: 'lead-1' },
    ]);
    expect(seen.captureEvents[0]?.Records[0]?.eventSourceARN).toMatch(/:leadhub-capture$/);
    // the enrich queue carries the whole EventBridge event, as an SQS target of a rule does
    expect(seen.enrichBodies).toEqual([
      expect.objectContaining({
        version: '0',
        source: 'leadhub',
        'detail-type': 'LeadCaptured',
        detail: { leadId: 'lead-1' },
      }),
    ]);
    expect(seen.enrichEvents[0]?.Records[0]?.eventSourceARN).toMatch(/:leadhub-enrich$/);
    expect(seen.slack.map((e) => [e['detail-type'], e.detail])).toEqual([
      ['LeadScored', { leadId: 'lead-1', score: 50 }],
    ]);
    expect(hub.deadLetters()).toEqual({ capture: [], enrich: [], slack: [] });
  });

  it('serves the admin routes and answers 404 for unknown paths', async () => {
    const { hub } = await start({ LEADHUB_DB: 'memory' });
    expect((await fetch(`${hub.url}/health`)).status).toBe(200);
    const res = await fetch(`${hub.url}/nowhere`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'not_found' });
  });

  it('dead-letters what keeps failing: capture messages and Slack deliveries', async () => {
    const failing = fakePipeline({ captureFails: true });
    const hub = await startHub({
      env: { PORT: '0', LEADHUB_DB: 'memory' },
      log: () => {},
      factories: failing.factories,
      tuning: fast,
    });
    hubs.push(hub);
    await fetch(`${hub.url}/forms/doomed`, { method: 'POST' });
    await hub.drain();
    expect(failing.seen.captureEvents).toHaveLength(2);
    expect(hub.deadLetters().capture.map((d) => JSON.parse(d.body))).toEqual([
      { source: 'form', platformLeadId: 'doomed' },
    ]);

    const slackDown = fakePipeline({ slackFails: true });
    const hub2 = await startHub({
      env: { PORT: '0', LEADHUB_DB: 'memory' },
      log: () => {},
      factories: slackDown.factories,
      tuning: fast,
    });
    hubs.push(hub2);
    await fetch(`${hub2.url}/forms/unannounced`, { method: 'POST' });
    await hub2.drain();
    expect(hub2.deadLetters().slack).toEqual([
      expect.objectContaining({ detailType: 'LeadScored', attempts: 2 }),
    ]);
  });

  it('builds HubDeps from the environment', async () => {
    const { seen } = await start({
      LEADHUB_DB: 'memory',
      LEADHUB_ADMIN_TOKEN: 'admin-secret',
      SLACK_WEBHOOK_URL: 'https://hooks.example.com/main',
      SLACK_TEST_WEBHOOK_URL: 'https://hooks.example.com/test',
      TABLE_NAME: 'my-table',
    });
    const deps = seen.deps as HubDeps;
    expect(deps.env.TABLE_NAME).toBe('my-table');
    expect(seen.store?.tableName).toBe('my-table');
    expect(seen.webhookUrls).toEqual(['https://hooks.example.com/main', 'https://hooks.example.com/test']);
    expect(seen.consoleNotifiers).toBe(0);
    expect(deps.notifier).toBeDefined();
    expect(deps.testNotifier).toBeDefined();
    expect(await deps.secrets.get('LEADHUB_ADMIN_TOKEN')).toBe('admin-secret');
    expect(await deps.secrets.get('LEADHUB_PEPPER')).toMatch(/^[0-9a-f]{64}$/);
    expect(deps.clock.now()).toBeInstanceOf(Date);
  });

  it('uses the console notifier and no test notifier without Slack webhooks', async () => {
    const { seen } = await start({ LEADHUB_DB: 'memory' });
    expect(seen.consoleNotifiers).toBe(1);
    expect(seen.webhookUrls).toEqual([]);
    expect(seen.deps?.testNotifier).toBeUndefined();
  });

  it('runs two hubs side by side in one process', async () => {
    const a = await start({ LEADHUB_DB: 'memory' });
    const b = await start({ LEADHUB_DB: 'memory' });
    expect(a.hub.url).not.toBe(b.hub.url);
    expect(a.hub.deps.captureQueue).not.toBe(b.hub.deps.captureQueue);
    await fetch(`${a.hub.url}/forms/only-a`, { method: 'POST' });
    await Promise.all([a.hub.drain(), b.hub.drain()]);
    expect(a.seen.slack).toHaveLength(1);
    expect(b.seen.slack).toHaveLength(0);
  });

  it('uses DYNAMODB_ENDPOINT instead of starting dynalite, and creates the table there', async () => {
    const endpoint = inject('dynamoEndpoint');
    const table = `runtime-${randomUUID()}`;
    const { hub, seen } = await start({
      LEADHUB_DB: 'memory',
      DYNAMODB_ENDPOINT: endpoint,
      TABLE_NAME: table,
    });
    expect(hub.database).toBe(endpoint);
    const doc = seen.store?.doc as DynamoClients['doc'];
    await doc.send(new PutCommand({ TableName: table, Item: { pk: 'P', sk: 'S', v: 1 } }));
    expect(
      (await doc.send(new GetCommand({ TableName: table, Key: { pk: 'P', sk: 'S' } }))).Item,
    ).toMatchObject({ v: 1 });
  });

  it('throttles by the config: form spam from one address gets 429 while the webhooks still answer', async () => {
    const config = { limits: { formsPerClient: { perMinute: 1, burst: 2 } } };
    const { hub } = await start({ LEADHUB_DB: 'memory' }, { config, tuning: fast });
    const post = () => fetch(`${hub.url}/forms/spam`, { method: 'POST', body: 'x' });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await post()).status);
    expect(statuses).toEqual([202, 202, 429, 429, 429]);
    const refused = await post();
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(await refused.json()).toMatchObject({ error: 'rate_limited', retryAfterSeconds: 60 });
    // The fake webhooks handler answers 404: the request reached it.
    expect((await fetch(`${hub.url}/webhooks/meta`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(`${hub.url}/health`)).status).toBe(200);
  });

  it('throttles nothing with tuning rateLimits: false (load and chaos harnesses)', async () => {
    const config = { limits: { formsPerClient: { perMinute: 1, burst: 2 } } };
    const { hub } = await start({ LEADHUB_DB: 'memory' }, { config, tuning: { ...fast, rateLimits: false } });
    const statuses = new Set<number>();
    for (let i = 0; i < 10; i++) {
      statuses.add((await fetch(`${hub.url}/forms/load`, { method: 'POST', body: 'x' })).status);
    }
    expect([...statuses]).toEqual([202]);
  });

  it('logs JSON lines to the given sink', async () => {
    const { lines } = await start({ LEADHUB_DB: 'memory' });
    const started = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.message === 'LeadHub started');
    expect(started).toMatchObject({ level: 'INFO', service: 'leadhub', database: 'memory' });
  });
});

describe('startHub: persistence', () => {
  it('keeps the pepper and the data across two starts on one data dir', async () => {
    const dataDir = join(await tempDir(), '.leadhub');
    const env = { LEADHUB_DATA_DIR: dataDir, LEADHUB_DB: 'file' };

    const first = await start(env);
    expect(first.hub.database).toBe(join(dataDir, 'db'));
    expect(first.hub.pepperOrigin).toBe('generated');
    const pepper = await first.hub.deps.secrets.get('LEADHUB_PEPPER');
    expect(pepper).toMatch(/^[0-9a-f]{64}$/);
    expect((await stat(join(dataDir, PEPPER_FILE))).mode & 0o777).toBe(0o600);
    const doc1 = first.seen.store?.doc as DynamoClients['doc'];
    await doc1.send(new PutCommand({ TableName: 'leadhub', Item: { pk: 'KEEP', sk: 'ME', n: 42 } }));
    await first.hub.stop();

    const second = await start(env);
    expect(second.hub.pepperOrigin).toBe('file');
    expect(await second.hub.deps.secrets.get('LEADHUB_PEPPER')).toBe(pepper);
    const doc2 = second.seen.store?.doc as DynamoClients['doc'];
    const { Item } = await doc2.send(new GetCommand({ TableName: 'leadhub', Key: { pk: 'KEEP', sk: 'ME' } }));
    expect(Item).toMatchObject({ n: 42 });
  });

  it('refuses a second hub on a data dir in use, and leaves the first one running', async () => {
    const dataDir = await tempDir();
    const first = await start({ LEADHUB_DATA_DIR: dataDir, LEADHUB_DB: 'file' });
    await expect(
      startHub({
        env: { PORT: '0', LEADHUB_DATA_DIR: dataDir, LEADHUB_DB: 'file' },
        log: () => {},
        factories: fakePipeline().factories,
      }),
    ).rejects.toBeInstanceOf(DataDirInUseError);
    await fetch(`${first.hub.url}/forms/still-up`, { method: 'POST' });
    await first.hub.drain();
    expect(first.seen.slack).toHaveLength(1);
  });

  it('generates a fresh pepper per start in memory mode and writes no file', async () => {
    const dataDir = await tempDir();
    const a = await start({ LEADHUB_DB: 'memory', LEADHUB_DATA_DIR: dataDir });
    const b = await start({ LEADHUB_DB: 'memory', LEADHUB_DATA_DIR: dataDir });
    expect(a.hub.pepperOrigin).toBe('ephemeral');
    expect(await a.hub.deps.secrets.get('LEADHUB_PEPPER')).not.toBe(
      await b.hub.deps.secrets.get('LEADHUB_PEPPER'),
    );
    await expect(stat(join(dataDir, PEPPER_FILE))).rejects.toThrow(/ENOENT/);
  });

  it('uses LEADHUB_PEPPER when set', async () => {
    const { hub } = await start({ LEADHUB_DB: 'memory', LEADHUB_PEPPER: 'configured' });
    expect(hub.pepperOrigin).toBe('env');
    expect(await hub.deps.secrets.get('LEADHUB_PEPPER')).toBe('configured');
  });
});

describe('startHub: configuration', () => {
  it('loads the forms from LEADHUB_CONFIG', async () => {
    const path = join(await tempDir(), 'leadhub.config.json');
    await writeFile(path, JSON.stringify({ forms: { contact: { name: 'Contact us' } } }));
    const { hub } = await start({ LEADHUB_DB: 'memory', LEADHUB_CONFIG: path });
    expect(Object.keys(hub.deps.config.forms)).toEqual(['contact']);
  });

  it('fails with the ConfigError message on an invalid config', async () => {
    const path = join(await tempDir(), 'bad.json');
    await writeFile(path, JSON.stringify({ forms: { contact: { fields: { e: 'emial' } } }, extra: 1 }));
    const failure = startHub({
      env: { PORT: '0', LEADHUB_DB: 'memory', LEADHUB_CONFIG: path },
      log: () => {},
    });
    await expect(failure).rejects.toBeInstanceOf(ConfigError);
    await expect(failure).rejects.toThrow(/forms\.contact\.fields\.e/);
    await expect(failure).rejects.toThrow(/extra/);
  });

  it('fails when an explicitly named config file is missing or not JSON', async () => {
    const dir = await tempDir();
    await expect(
      startHub({ env: { LEADHUB_DB: 'memory', LEADHUB_CONFIG: join(dir, 'missing.json') }, log: () => {} }),
    ).rejects.toThrow(/Cannot read LeadHub config/);
    await writeFile(join(dir, 'broken.json'), '{ forms: ');
    await expect(
      startHub({ env: { LEADHUB_DB: 'memory', LEADHUB_CONFIG: join(dir, 'broken.json') }, log: () => {} }),
    ).rejects.toThrow(/not valid JSON/);
  });

  it('fails with a ConfigError on an invalid environment', async () => {
    await expect(startHub({ env: { PORT: 'eighty', LEADHUB_DB: 'memory' }, log: () => {} })).rejects.toThrow(
      /PORT/,
    );
    await expect(startHub({ env: { LEADHUB_DB: 'disk' }, log: () => {} })).rejects.toBeInstanceOf(
      ConfigError,
    );
  });

  it('accepts a config object in place of the file', async () => {
    const { hub } = await start({ LEADHUB_DB: 'memory' }, { config: { forms: { demo: {} } } });
    expect(hub.deps.config.forms.demo?.required).toEqual(['email']);
  });
});
