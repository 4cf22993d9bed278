import type { IndexProjection } from '../lib/adapters/dynamodb/table-design.js';

/**
 * DynamoDB capacity arithmetic, after the developer guide's item-size rules ("Item sizes and formats") and
 * on-demand metering. Pure: the meter (dynamo-meter.ts) feeds it the items the lead store really writes.
 */

/** A stored item as lib-dynamodb hands it over (strings, numbers, booleans, null, Sets, lists, maps). */
export type Item = Record<string, unknown>;

/** A global secondary index: its key attributes and what it stores of an item (ALL when not given). */
export interface IndexKeys {
  name: string;
  partitionKey: string;
  sortKey: string;
  projection?: IndexProjection;
}

/** The table's own key attributes, which every index entry carries. */
export interface TableKeys {
  partitionKey: string;
  sortKey: string;
}

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

/**
 * Bytes of a number: one per two significant digits plus one (the guide's "approximately"), with the
 * digit-pair alignment and sign byte of DynamoDB's base-100 encoding, as dynalite computes it.
 */
export function numberSize(n: number): number {
  if (!Number.isFinite(n)) throw new RangeError(`DynamoDB cannot store ${n}`);
  if (n === 0) return 1;
  const [mantissa = '', exponent = '0'] = Math.abs(n).toExponential().split('e');
  const digits = mantissa.replace('.', '').replace(/0+$/, '').length || 1;
  const aligned = digits % 2 === 0 && Number(exponent) % 2 === 0 ? 1 : 0;
  return 1 + Math.ceil(digits / 2) + aligned + (n < 0 ? 1 : 0);
}

/** Size in bytes of one attribute value (without its name). */
export function valueSize(value: unknown): number {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number') return numberSize(value);
  if (typeof value === 'bigint') return numberSize(Number(value));
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) {
    let size = 0;
    for (const member of value) size += valueSize(member);
    return size;
  }
  // Lists and maps: 3 bytes of overhead, plus 1 byte per element.
  if (Array.isArray(value)) {
    return value.reduce<number>((sum, element) => sum + valueSize(element) + 1, 3);
  }
  if (typeof value === 'object') {
    let size = 3;
    for (const [name, element] of Object.entries(value as Item)) {
      if (element === undefined) continue;
      size += utf8(name) + valueSize(element) + 1;
    }
    return size;
  }
  throw new TypeError(`DynamoDB cannot store a ${typeof value}`);
}

/** Size of an item: attribute names plus values (undefined attributes are not written). */
export function itemSize(item: Item | undefined): number {
  if (!item) return 0;
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    size += utf8(name) + valueSize(value);
  }
  return size;
}

/** Write request units of writing `bytes`: one per started KB, at least one. */
export function writeUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / 1024));
}

/** Read request units of reading `bytes`: one per started 4 KB (half when eventually consistent), at least one read. */
export function readUnits(bytes: number, consistent: boolean): number {
  return Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);
}

/**
 * A successful PutItem or UpdateItem is charged for the larger of the item before and after the write.
 * A write whose condition fails is still charged, for the size of the existing item (at least 1 WRU).
 */
export function tableWriteUnits(before: Item | undefined, after: Item | undefined, failed = false): number {
  if (failed) return writeUnits(itemSize(before));
  return Math.max(writeUnits(itemSize(before)), writeUnits(itemSize(after)));
}

function keyOf(item: Item | undefined, index: IndexKeys): [unknown, unknown] | undefined {
  if (!item) return undefined;
  const pk = item[index.partitionKey];
  const sk = item[index.sortKey];
  return pk !== undefined && sk !== undefined ? [pk, sk] : undefined;
}

/**
 * What an index stores of an item: its index and table keys, plus the projected attributes (INCLUDE) or
 * everything (ALL).
 */
export function projectedItem(item: Item, index: IndexKeys, table: TableKeys): Item {
  const projection = index.projection ?? { type: 'ALL' };
  if (projection.type === 'ALL') return item;
  const names = [table.partitionKey, table.sortKey, index.partitionKey, index.sortKey];
  if (projection.type === 'INCLUDE') names.push(...projection.attributes);
  const projected: Item = {};
  for (const name of names) if (item[name] !== undefined) projected[name] = item[name];
  return projected;
}

/**
 * Write units a table write costs in one global secondary index, after the developer guide's rules: an
 * item entering the index is a put and leaving it a delete, each the size of its index entry; changing
 * its index key is a delete plus a put; any other change is one update of the entry when it changes what
 * the index stores (with KEYS_ONLY, nothing else does), and free otherwise.
 */
export function indexWriteUnits(
  before: Item | undefined,
  after: Item | undefined,
  index: IndexKeys,
  table: TableKeys,
): number {
  const was = keyOf(before, index);
  const is = keyOf(after, index);
  const old = before && was ? projectedItem(before, index, table) : undefined;
  const now = after && is ? projectedItem(after, index, table) : undefined;
  if (!old && !now) return 0;
  if (!old) return writeUnits(itemSize(now));
  if (!now) return writeUnits(itemSize(old));
  if (!sameItem({ k: was }, { k: is })) return writeUnits(itemSize(old)) + writeUnits(itemSize(now));
  if (sameItem(old, now)) return 0;
  return Math.max(writeUnits(itemSize(old)), writeUnits(itemSize(now)));
}

/** Deep equality of two stored items (Sets compared as sorted lists). */
export function sameItem(a: Item | undefined, b: Item | undefined): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Set) return { $set: [...v].map(String).sort() };
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Item).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
    }
    return v;
  });
}

/** The kind of item a key belongs to, from the single-table key design (lib/adapters/dynamodb/table-design.ts). */
export function itemKind(pk: unknown, sk: unknown): string {
  const p = String(pk ?? '');
  const s = String(sk ?? '');
  const prefix = p.split('#', 1)[0] ?? '';
  if (prefix === 'CONTACT') {
    const sub = s.split('#', 1)[0] ?? '';
    return sub === 'PROFILE'
      ? 'contact'
      : sub === 'LEAD'
        ? 'lead'
        : sub === 'CONSENT'
          ? 'consent'
          : 'contact-other';
  }
  const kinds: Record<string, string> = {
    RECEIPT: 'receipt',
    IDENTITY: 'identity',
    SUPPRESS: 'suppression',
    SCORE: 'score',
    ALERT: 'alert',
  };
  return kinds[prefix] ?? 'other';
}
