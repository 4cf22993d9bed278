import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { startDynalite } from '../../../lib/local/dynalite.js';

const clientFor = (endpoint: string) =>
  new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function putAndGet(endpoint: string, create: boolean): Promise<string | undefined> {
  const client = clientFor(endpoint);
  try {
    if (create) {
      await client.send(
        new CreateTableCommand({
          TableName: 'local-test',
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        }),
      );
      await client.send(
        new PutItemCommand({ TableName: 'local-test', Item: { pk: { S: 'a' }, v: { S: 'kept' } } }),
      );
    }
    const got = await client.send(new GetItemCommand({ TableName: 'local-test', Key: { pk: { S: 'a' } } }));
    return got.Item?.v?.S;
  } finally {
    client.destroy();
  }
}

describe('startDynalite (a database process of its own)', () => {
  it('serves DynamoDB from another process and keeps persisted data across restarts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'leadhub-dynalite-'));
    dirs.push(dir);
    const first = await startDynalite({ path: join(dir, 'db') });
    expect(first.pid).not.toBe(process.pid);
    expect(await putAndGet(first.endpoint, true)).toBe('kept');
    await first.close();

    const second = await startDynalite({ path: join(dir, 'db') });
    try {
      expect(await putAndGet(second.endpoint, false)).toBe('kept');
    } finally {
      await second.close();
    }
  });

  it('reports a database process that dies unasked, and not one that is closed', async () => {
    const reasons: string[] = [];
    const killed = await startDynalite({ onUnexpectedExit: (reason) => reasons.push(reason) });
    const reported = new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (reasons.length > 0) {
          clearInterval(poll);
          resolve();
        }
      }, 10);
    });
    process.kill(killed.pid, 'SIGKILL');
    await reported;
    expect(reasons).toEqual(['the database process exited (SIGKILL)']);
    await killed.close();

    const closedReasons: string[] = [];
    const closed = await startDynalite({ onUnexpectedExit: (reason) => closedReasons.push(reason) });
    await closed.close();
    expect(closedReasons).toEqual([]);
    expect(() => process.kill(closed.pid, 0)).toThrow();
  });

  it('reports the memory of the database process, after a full collection when asked', async () => {
    const dynamo = await startDynalite();
    try {
      const [plain, collected] = [await dynamo.memory(), await dynamo.memory(true)];
      for (const reading of [plain, collected]) {
        expect(reading.rss).toBeGreaterThan(10 * 1024 * 1024);
        expect(reading.heapUsed).toBeGreaterThan(0);
      }
    } finally {
      await dynamo.close();
    }
    await expect(dynamo.memory()).rejects.toThrow();
  });

  it('refuses a second database on a data dir in use', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'leadhub-dynalite-'));
    dirs.push(dir);
    const first = await startDynalite({ path: join(dir, 'db') });
    try {
      await expect(startDynalite({ path: join(dir, 'db') })).rejects.toThrow(/in use|running|lock/i);
    } finally {
      await first.close();
    }
  });
});
