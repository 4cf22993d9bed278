import { describe, expect, it } from 'vitest';
import { batchGetItems } from '../../../lib/adapters/dynamodb/batch-get.js';
import { BatchGetCommand, type DocumentClient } from '../../../lib/adapters/dynamodb/commands.js';

type Item = Record<string, unknown>;
const key = (n: number) => ({ pk: `K#${n}`, sk: 'S' });

/**
 * A table of `count` items that answers BatchGetItem like DynamoDB: out of order, and leaving the first
 * `unprocessed(call)` keys of a request unprocessed.
 */
function fakeTable(count: number, unprocessed: (call: number) => number = () => 0) {
  const items = new Map<string, Item>();
  for (let n = 0; n < count; n++) items.set(`K#${n}`, { ...key(n), n, body: 'x' });
  const requests: { keys: Item[]; input: Record<string, unknown> }[] = [];
  const doc: DocumentClient = {
    async send(command) {
      if (!(command instanceof BatchGetCommand)) throw new Error('unexpected command');
      const request = command.input.RequestItems?.t as { Keys: Item[] } & Record<string, unknown>;
      const keys = request.Keys;
      if (keys.length > 100) throw new Error('ValidationException: too many keys');
      if (new Set(keys.map((k) => k.pk)).size !== keys.length)
        throw new Error('ValidationException: duplicates');
      requests.push({ keys, input: request });
      const left = keys.slice(0, unprocessed(requests.length));
      const answered = keys
        .slice(left.length)
        .flatMap((k) => {
          const item = items.get(String(k.pk));
          return item ? [item] : [];
        })
        .reverse();
      return {
        Responses: { t: answered },
        ...(left.length > 0 ? { UnprocessedKeys: { t: { Keys: left } } } : {}),
      } as never;
    },
  };
  return { doc, requests };
}

const noWait = async () => {};

describe('batchGetItems', () => {
  it('asks 100 keys a request and answers in the order of the keys, undefined for missing items', async () => {
    const { doc, requests } = fakeTable(250);
    const keys = [...Array.from({ length: 250 }, (_, n) => key(249 - n)), key(999)];
    const items = await batchGetItems(doc, 't', keys, { sleep: noWait });
    expect(requests.map((r) => r.keys.length)).toEqual([100, 100, 51]);
    expect(items.slice(0, 250).map((i) => i?.n)).toEqual(Array.from({ length: 250 }, (_, n) => 249 - n));
    expect(items[250]).toBeUndefined();
  });

  it('retries unprocessed keys with growing waits until every key is read', async () => {
    const { doc, requests } = fakeTable(10, (call) => (call <= 3 ? 4 : 0));
    const waits: number[] = [];
    const items = await batchGetItems(
      doc,
      't',
      Array.from({ length: 10 }, (_, n) => key(n)),
      { sleep: async (ms) => void waits.push(ms) },
    );
    expect(items.map((i) => i?.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(requests.map((r) => r.keys.length)).toEqual([10, 4, 4, 4]);
    expect(waits).toHaveLength(3);
    expect(waits[1]).toBeGreaterThan(waits[0] as number);
    expect(waits[2]).toBeGreaterThan(waits[1] as number);
  });

  it('gives up when keys stay unprocessed', async () => {
    const { doc } = fakeTable(3, () => 1);
    await expect(batchGetItems(doc, 't', [key(0), key(1)], { sleep: noWait })).rejects.toThrow(/unprocessed/);
  });

  it('asks a repeated key once, answers it at every place, and sends nothing for no keys', async () => {
    const { doc, requests } = fakeTable(3);
    const items = await batchGetItems(doc, 't', [key(1), key(2), key(1)], { sleep: noWait });
    expect(items.map((i) => i?.n)).toEqual([1, 2, 1]);
    expect(requests[0]?.keys).toHaveLength(2);
    expect(await batchGetItems(doc, 't', [])).toEqual([]);
    expect(requests).toHaveLength(1);
  });

  it('reads consistently and projects attributes when asked, keeping the keys to match items', async () => {
    const { doc, requests } = fakeTable(1);
    await batchGetItems(doc, 't', [key(0)], { consistent: true, attributes: ['lead.leadId', 'n'] });
    expect(requests[0]?.input).toMatchObject({
      ConsistentRead: true,
      ProjectionExpression: '#a0_0, #a1_0, #a2_0.#a2_1, #a3_0',
      ExpressionAttributeNames: {
        '#a0_0': 'pk',
        '#a1_0': 'sk',
        '#a2_0': 'lead',
        '#a2_1': 'leadId',
        '#a3_0': 'n',
      },
    });
  });
});
