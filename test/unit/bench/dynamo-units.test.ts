import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  indexWriteUnits,
  itemKind,
  itemSize,
  numberSize,
  projectedItem,
  readUnits,
  sameItem,
  tableWriteUnits,
  valueSize,
  writeUnits,
} from '../../../bench/dynamo-units.js';

// dynalite implements DynamoDB's item-size rules on the wire format; it is the reference here.
const dynalite = createRequire(import.meta.url)('dynalite/db') as {
  itemSize(item: Record<string, unknown>): number;
};

type Wire = Record<string, unknown>;
function toWire(value: unknown): Wire {
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: String(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  if (value === null) return { NULL: true };
  if (value instanceof Set) return { SS: [...value] };
  if (Array.isArray(value)) return { L: value.map(toWire) };
  return { M: Object.fromEntries(Object.entries(value as Wire).map(([k, v]) => [k, toWire(v)])) };
}
const wireItem = (item: Wire) => Object.fromEntries(Object.entries(item).map(([k, v]) => [k, toWire(v)]));

const index = { name: 'byId', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' };
const table = { partitionKey: 'pk', sortKey: 'sk' };

describe('item size', () => {
  it('matches dynalite for a nested lead-like item', () => {
    const item = {
      pk: 'CONTACT#ct_abc',
      sk: 'LEAD#2026-11-30T10:00:00.000Z#ld_1',
      type: 'lead',
      gsi1pk: 'LEAD#ld_1',
      lead: {
        email: 'maria@acme-robotics.com',
        score: 87,
        isTest: false,
        answers: [{ key: 'team_size', values: ['51-200'] }],
        note: null,
      },
      leadIds: new Set(['ld_1', 'ld_2']),
      leaseUntil: 1764496800000,
      ratio: 0.5,
    };
    expect(itemSize(item)).toBe(dynalite.itemSize(wireItem(item)));
  });

  it('counts UTF-8 bytes of names and strings, and skips undefined attributes', () => {
    expect(itemSize({ a: 'é' })).toBe(1 + 2);
    expect(itemSize({ a: 'x', gone: undefined })).toBe(2);
    expect(itemSize(undefined)).toBe(0);
  });

  it('sizes numbers by significant digits, as dynalite does', () => {
    for (const n of [0, 1, 42, 100, 12345, 0.5, -7, 1700000000, 1764496800000, 123.456]) {
      expect(numberSize(n)).toBe(dynalite.itemSize({ n: { N: String(n) } }) - 1);
    }
    expect(numberSize(42)).toBe(2);
    expect(numberSize(12345)).toBe(4);
    expect(() => numberSize(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  it('gives lists and maps 3 bytes of overhead and 1 per element', () => {
    expect(valueSize([])).toBe(3);
    expect(valueSize(['ab'])).toBe(3 + 2 + 1);
    expect(valueSize({ k: 'v' })).toBe(3 + 1 + 1 + 1);
    expect(() => valueSize(() => 1)).toThrow(TypeError);
  });
});

describe('request units', () => {
  it('charges one WRU per started KB, at least one', () => {
    expect(writeUnits(0)).toBe(1);
    expect(writeUnits(1024)).toBe(1);
    expect(writeUnits(1025)).toBe(2);
  });

  it('charges reads per started 4 KB, half when eventually consistent', () => {
    expect(readUnits(0, true)).toBe(1);
    expect(readUnits(4096, true)).toBe(1);
    expect(readUnits(4097, true)).toBe(2);
    expect(readUnits(4097, false)).toBe(1);
    expect(readUnits(10, false)).toBe(0.5);
  });

  it('charges a write for the larger of before and after, and a failed condition for the existing item', () => {
    const small = { pk: 'a', v: 'x' };
    const big = { pk: 'a', v: 'x'.repeat(3000) };
    expect(tableWriteUnits(undefined, small)).toBe(1);
    expect(tableWriteUnits(big, small)).toBe(3);
    expect(tableWriteUnits(small, big)).toBe(3);
    expect(tableWriteUnits(big, undefined, true)).toBe(3);
    expect(tableWriteUnits(undefined, undefined, true)).toBe(1);
  });
});

describe('index write units (projection ALL)', () => {
  const inIndex = { pk: 'p', gsi1pk: 'LEAD#1', gsi1sk: 'LEAD', v: 'x'.repeat(1500) };

  it('is nothing for items outside the index', () => {
    expect(indexWriteUnits({ pk: 'p' }, { pk: 'p', v: 1 }, index, table)).toBe(0);
  });

  it('is a put when an item enters the index and a delete when it leaves', () => {
    expect(indexWriteUnits(undefined, inIndex, index, table)).toBe(2);
    expect(indexWriteUnits(inIndex, { pk: 'p' }, index, table)).toBe(2);
  });

  it('is one update for a changed item, nothing for an unchanged one', () => {
    expect(indexWriteUnits(inIndex, { ...inIndex, score: 9 }, index, table)).toBe(2);
    expect(indexWriteUnits(inIndex, { ...inIndex }, index, table)).toBe(0);
  });

  it('is a delete plus a put when the index key changes', () => {
    expect(indexWriteUnits(inIndex, { ...inIndex, gsi1pk: 'LEAD#2' }, index, table)).toBe(4);
  });
});

describe('index write units (KEYS_ONLY and INCLUDE)', () => {
  const keysOnly = { ...index, projection: { type: 'KEYS_ONLY' as const } };
  const include = { ...index, projection: { type: 'INCLUDE' as const, attributes: ['status'] } };
  const big = 'x'.repeat(3000);
  const inIndex = { pk: 'p', sk: 's', gsi1pk: 'LEAD#1', gsi1sk: 'LEAD', status: 'new', body: big };

  it('stores the table and index keys only, plus INCLUDE attributes', () => {
    expect(projectedItem(inIndex, keysOnly, table)).toEqual({
      pk: 'p',
      sk: 's',
      gsi1pk: 'LEAD#1',
      gsi1sk: 'LEAD',
    });
    expect(projectedItem(inIndex, include, table)).toEqual({
      pk: 'p',
      sk: 's',
      gsi1pk: 'LEAD#1',
      gsi1sk: 'LEAD',
      status: 'new',
    });
    expect(projectedItem(inIndex, index, table)).toBe(inIndex);
  });

  it('is nothing for items outside the index, however large', () => {
    expect(indexWriteUnits(undefined, { pk: 'p', sk: 's', body: big }, keysOnly, table)).toBe(0);
    expect(indexWriteUnits({ pk: 'p', sk: 's' }, { pk: 'p', sk: 's', body: big }, keysOnly, table)).toBe(0);
  });

  it('charges one write the size of the keys when a large item enters or leaves', () => {
    expect(indexWriteUnits(undefined, inIndex, keysOnly, table)).toBe(1);
    expect(indexWriteUnits(inIndex, undefined, keysOnly, table)).toBe(1);
    const { gsi1pk: _pk, gsi1sk: _sk, ...outside } = inIndex;
    expect(indexWriteUnits(inIndex, outside, keysOnly, table)).toBe(1);
    // The same item under ALL is written whole.
    expect(indexWriteUnits(undefined, inIndex, index, table)).toBe(3);
  });

  it('charges nothing for an update of attributes the index does not store', () => {
    const updated = { ...inIndex, body: `${big}y`, scoring: { score: 80 } };
    expect(indexWriteUnits(inIndex, updated, keysOnly, table)).toBe(0);
    expect(indexWriteUnits(inIndex, updated, include, table)).toBe(0);
    expect(indexWriteUnits(inIndex, updated, index, table)).toBe(3);
  });

  it('charges one write when a projected attribute changes', () => {
    expect(indexWriteUnits(inIndex, { ...inIndex, status: 'done' }, include, table)).toBe(1);
    expect(indexWriteUnits(inIndex, { ...inIndex, status: 'done' }, keysOnly, table)).toBe(0);
  });

  it('charges a delete plus a put when the index key changes', () => {
    expect(indexWriteUnits(inIndex, { ...inIndex, gsi1sk: 'LATER' }, keysOnly, table)).toBe(2);
    expect(indexWriteUnits(inIndex, { ...inIndex, gsi1pk: 'LEAD#2' }, include, table)).toBe(2);
  });
});

describe('sameItem and itemKind', () => {
  it('compares items deeply, Sets and key order included', () => {
    expect(sameItem({ a: 1, s: new Set(['x', 'y']) }, { s: new Set(['y', 'x']), a: 1 })).toBe(true);
    expect(sameItem({ a: 1 }, { a: 2 })).toBe(false);
  });

  it('names items after the single-table key design', () => {
    expect(itemKind('RECEIPT#form#s_1', 'RECEIPT')).toBe('receipt');
    expect(itemKind('CONTACT#ct_1', 'PROFILE')).toBe('contact');
    expect(itemKind('CONTACT#ct_1', 'LEAD#2026#ld')).toBe('lead');
    expect(itemKind('CONTACT#ct_1', 'CONSENT#2026#privacy')).toBe('consent');
    expect(itemKind('ALERT#ld_1', 'ALERT')).toBe('alert');
    expect(itemKind('SCORE#ld_1', 'SCORE')).toBe('score');
    expect(itemKind('WHAT#x', 'y')).toBe('other');
  });
});
