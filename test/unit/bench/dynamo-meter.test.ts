import { describe, expect, it } from 'vitest';
import { DynamoMeter } from '../../../bench/dynamo-meter.js';

// Stand-ins named like lib-dynamodb's commands: the meter recognises commands by class name.
class PutCommand {
  constructor(readonly input: Record<string, unknown>) {}
}
class UpdateCommand {
  constructor(readonly input: Record<string, unknown>) {}
}
class GetCommand {
  constructor(readonly input: Record<string, unknown>) {}
}
class QueryCommand {
  constructor(readonly input: Record<string, unknown>) {}
}
class DeleteCommand {
  constructor(readonly input: Record<string, unknown>) {}
}
class BatchGetCommand {
  constructor(readonly input: Record<string, unknown>) {}
}

class ConditionalCheckFailedException extends Error {
  override name = 'ConditionalCheckFailedException';
}

/** A tiny table: conditional puts on attribute_not_exists(pk), updates that merge a `set` map. */
function fakeDoc() {
  const items = new Map<string, Record<string, unknown>>();
  const id = (k: Record<string, unknown>) => `${k.pk}|${k.sk}`;
  return {
    items,
    async send(command: unknown): Promise<unknown> {
      if (command instanceof PutCommand) {
        const item = command.input.Item as Record<string, unknown>;
        if (command.input.ConditionExpression && items.has(id(item)))
          throw new ConditionalCheckFailedException();
        items.set(id(item), item);
        return {};
      }
      if (command instanceof UpdateCommand) {
        const key = command.input.Key as Record<string, unknown>;
        const next = { ...(items.get(id(key)) ?? key), ...(command.input.set as Record<string, unknown>) };
        items.set(id(key), next);
        return command.input.ReturnValues === 'ALL_NEW' ? { Attributes: next } : {};
      }
      if (command instanceof GetCommand)
        return { Item: items.get(id(command.input.Key as Record<string, unknown>)) };
      if (command instanceof QueryCommand) return { Items: [...items.values()] };
      if (command instanceof DeleteCommand) {
        items.delete(id(command.input.Key as Record<string, unknown>));
        return {};
      }
      if (command instanceof BatchGetCommand) {
        // Answers every key but the ones marked `unprocessed`, trimmed to `pk` like a ProjectionExpression.
        const requests = command.input.RequestItems as Record<string, { Keys: Record<string, unknown>[] }>;
        const [[table, request]] = Object.entries(requests) as [
          [string, { Keys: Record<string, unknown>[] }],
        ];
        const processed = request.Keys.filter((k) => !k.unprocessed);
        return {
          Responses: {
            [table]: processed.flatMap((k) => {
              const item = items.get(id(k));
              return item ? [{ pk: item.pk, sk: item.sk }] : [];
            }),
          },
          UnprocessedKeys: { [table]: { Keys: request.Keys.filter((k) => k.unprocessed) } },
        };
      }
      throw new Error('unexpected command');
    },
    other: 'kept',
  };
}

const byId = { name: 'byId', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' };
const indexes = [byId];
const keysOnly = [{ ...byId, projection: { type: 'KEYS_ONLY' as const } }];
const lead = { pk: 'CONTACT#c', sk: 'LEAD#t#l', gsi1pk: 'LEAD#l', gsi1sk: 'LEAD', body: 'x'.repeat(1500) };

describe('DynamoMeter', () => {
  it('charges a put in the table and in every index the item enters', async () => {
    const meter = new DynamoMeter({ partitionKey: 'pk', sortKey: 'sk' }, indexes);
    const doc = meter.wrap(fakeDoc(), 'capture-worker');
    await doc.send(new PutCommand({ Item: lead, ConditionExpression: 'attribute_not_exists(pk)' }));
    const { rows, totals } = meter.snapshot();
    expect(rows).toEqual([
      {
        fn: 'capture-worker',
        op: 'PutItem',
        item: 'lead',
        calls: 1,
        conditionFailed: 0,
        rru: 0,
        wru: 2,
        gsiWru: 2,
      },
    ]);
    expect(totals.storedItems).toBe(1);
  });

  it('still charges a put whose condition fails, for the existing item, and rethrows', async () => {
    const meter = new DynamoMeter({ partitionKey: 'pk', sortKey: 'sk' }, indexes);
    const doc = meter.wrap(fakeDoc(), 'http-forms');
    const receipt = { pk: 'RECEIPT#form#1', sk: 'RECEIPT', payload: 'y'.repeat(2100) };
    const put = () =>
      doc.send(new PutCommand({ Item: receipt, ConditionExpression: 'attribute_not_exists(pk)' }));
    await put();
    await expect(put()).rejects.toThrow(ConditionalCheckFailedException);
    const [row] = meter.snapshot().rows;
    expect(row).toMatchObject({ calls: 2, conditionFailed: 1, wru: 3 + 3, gsiWru: 0 });
  });

  it('asks an update for the new item, and charges the larger of before and after', async () => {
    const meter = new DynamoMeter({ partitionKey: 'pk', sortKey: 'sk' }, indexes);
    const doc = meter.wrap(fakeDoc(), 'enrich-worker');
    await doc.send(new PutCommand({ Item: lead }));
    meter.reset();
    const update = new UpdateCommand({
      Key: { pk: lead.pk, sk: lead.sk },
      set: { scoring: 'z'.repeat(1000) },
    });
    await doc.send(update);
    expect(update.input.ReturnValues).toBe('ALL_NEW');
    expect(meter.snapshot().rows).toEqual([
      {
        fn: 'enrich-worker',
        op: 'UpdateItem',
        item: 'lead',
        calls: 1,
        conditionFailed: 0,
        rru: 0,
        wru: 3,
        gsiWru: 3,
      },
    ]);
  });

  it('charges reads by size and consistency, and leaves the rest of the client alone', async () => {
    const meter = new DynamoMeter({ partitionKey: 'pk', sortKey: 'sk' }, indexes);
    const raw = fakeDoc();
    const doc = meter.wrap(raw, 'slack-notifier');
    await doc.send(new PutCommand({ Item: { pk: 'ALERT#1', sk: 'ALERT' } }));
    await doc.send(new GetCommand({ Key: { pk: 'ALERT#1', sk: 'ALERT' }, ConsistentRead: true }));
    await doc.send(new GetCommand({ Key: { pk: 'ALERT#2', sk: 'ALERT' } }));
    await doc.send(new QueryCommand({ IndexName: 'byId' }));
    const rows = meter.snapshot().rows;
    expect(rows.find((r) => r.op === 'GetItem')).toMatchObject({ item: 'alert', calls: 2, rru: 1.5 });
    expect(rows.find((r) => r.op === 'Query')).toMatchObject({ item: 'query:byId', calls: 1, rru: 0.5 });
    expect(doc.other).toBe('kept');
  });

  it('charges index writes by projection: keys only when entering, nothing for other updates', async () => {
    const meter = new DynamoMeter({ partitionKey: 'pk', sortKey: 'sk' }, keysOnly);
    const doc = meter.wrap(fakeDoc(), 'capture-worker');
    await doc.send(new PutCommand({ Item: lead }));
    await doc.send(
      new UpdateCommand({ Key: { pk: lead.pk, sk: lead.sk }, set: { scoring: 'z'.repeat(1000) } }),
    );
    await doc.send(new UpdateCommand({ Key: { pk: lead.pk, sk: lead.sk }, set: { gsi1sk: 'MOVED' } }));
    const rows = meter.snapshot().rows;
    expect(rows.find((r) => r.op === 'PutItem')).toMatchObject({ wru: 2, gsiWru: 1 });
    // The scoring update costs the table 3 WRU and the index nothing; the key change a delete plus a put.
    expect(rows.find((r) => r.op === 'UpdateItem')).toMatchObject({ calls: 2, wru: 3 + 3, gsiWru: 0 + 2 });
  });

  it('charges a delete for the item it removes, in the table and every index it leaves', async () => {
    const meter = new DynamoMeter({ partitionKey: 'pk', sortKey: 'sk' }, keysOnly);
    const doc = meter.wrap(fakeDoc(), 'capture-worker');
    await doc.send(new PutCommand({ Item: lead }));
    meter.reset();
    await doc.send(new DeleteCommand({ Key: { pk: lead.pk, sk: lead.sk } }));
    await doc.send(new DeleteCommand({ Key: { pk: lead.pk, sk: lead.sk } }));
    const { rows, totals } = meter.snapshot();
    expect(rows).toEqual([
      expect.objectContaining({ op: 'DeleteItem', item: 'lead', calls: 2, wru: 2 + 1, gsiWru: 1 }),
    ]);
    expect(totals.storedItems).toBe(0);
  });

  it('charges a BatchGetItem per item read, for whole stored items, skipping unprocessed keys', async () => {
    const meter = new DynamoMeter({ partitionKey: 'pk', sortKey: 'sk' }, indexes);
    const doc = meter.wrap(fakeDoc(), 'runtime');
    const huge = { pk: 'CONTACT#c', sk: 'LEAD#t#big', body: 'x'.repeat(5000) };
    await doc.send(new PutCommand({ Item: huge }));
    await doc.send(new PutCommand({ Item: { pk: 'SCORE#l', sk: 'SCORE' } }));
    meter.reset();
    const result = (await doc.send(
      new BatchGetCommand({
        RequestItems: {
          t: {
            Keys: [
              { pk: huge.pk, sk: huge.sk },
              { pk: 'SCORE#l', sk: 'SCORE' },
              { pk: 'SCORE#missing', sk: 'SCORE' },
              { pk: 'SCORE#later', sk: 'SCORE', unprocessed: true },
            ],
            ProjectionExpression: 'pk',
          },
        },
      }),
    )) as { Responses: Record<string, unknown[]> };
    expect(result.Responses.t).toHaveLength(2);
    // 5 KB read eventually consistent: 2 x 4 KB at 0.5; the small and the missing item 0.5 each.
    expect(meter.snapshot().rows).toEqual([
      expect.objectContaining({ op: 'BatchGetItem', item: 'lead+score', calls: 1, rru: 1 + 0.5 + 0.5 }),
    ]);
    meter.reset();
    await doc.send(
      new BatchGetCommand({
        RequestItems: { t: { Keys: [{ pk: huge.pk, sk: huge.sk }], ConsistentRead: true } },
      }),
    );
    expect(meter.snapshot().rows[0]).toMatchObject({ rru: 2 });
  });

  it('charges a projected GetItem for the whole stored item', async () => {
    const meter = new DynamoMeter({ partitionKey: 'pk', sortKey: 'sk' }, indexes);
    const raw = fakeDoc();
    const doc = meter.wrap(raw, 'enrich-worker');
    await doc.send(new PutCommand({ Item: { pk: 'CONTACT#c', sk: 'LEAD#x', body: 'x'.repeat(5000) } }));
    meter.reset();
    raw.items.set('CONTACT#c|LEAD#x', { pk: 'CONTACT#c' });
    await doc.send(new GetCommand({ Key: { pk: 'CONTACT#c', sk: 'LEAD#x' }, ConsistentRead: true }));
    expect(meter.snapshot().rows[0]).toMatchObject({ op: 'GetItem', rru: 2 });
  });
});
