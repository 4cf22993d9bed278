import { BatchGetCommand, type DocumentClient } from './commands.js';
import { TableDesign } from './table-design.js';

/** BatchGetItem's limit on keys per request. */
const MAX_KEYS_PER_REQUEST = 100;
/** Attempts at keys DynamoDB leaves unprocessed (throttling, the 16 MB response cap) before giving up. */
const MAX_ATTEMPTS = 8;
const BASE_BACKOFF_MS = 25;

export type ItemKey = Record<string, unknown>;
type Item = Record<string, unknown>;

export interface BatchGetOptions {
  consistent?: boolean;
  /** Attributes to return (the table keys are always added, to match items to keys). */
  attributes?: readonly string[];
  /** Waits between retries of unprocessed keys; tests pass a fake. */
  sleep?: (ms: number) => Promise<void>;
}

const { partitionKey, sortKey } = TableDesign;
const idOf = (item: ItemKey) => `${String(item[partitionKey])}\u0000${String(item[sortKey])}`;
const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Fetches items by key with BatchGetItem, 100 keys a request, retrying the keys DynamoDB leaves
 * unprocessed with exponential backoff. The answer follows the order of `keys`: the item, or undefined
 * when there is none. Repeated keys are asked once (BatchGetItem rejects duplicates).
 */
export async function batchGetItems(
  doc: DocumentClient,
  tableName: string,
  keys: readonly ItemKey[],
  options: BatchGetOptions = {},
): Promise<(Item | undefined)[]> {
  const sleep = options.sleep ?? defaultSleep;
  const unique = new Map<string, ItemKey>();
  for (const key of keys) {
    const id = idOf(key);
    if (!unique.has(id)) unique.set(id, { [partitionKey]: key[partitionKey], [sortKey]: key[sortKey] });
  }
  const projection = options.attributes ? projectionOf(options.attributes) : {};
  const found = new Map<string, Item>();
  const pending = [...unique.values()];
  for (let start = 0; start < pending.length; start += MAX_KEYS_PER_REQUEST) {
    let chunk = pending.slice(start, start + MAX_KEYS_PER_REQUEST);
    for (let attempt = 0; chunk.length > 0; attempt++) {
      if (attempt >= MAX_ATTEMPTS) {
        throw new Error(`BatchGetItem left ${chunk.length} keys unprocessed after ${MAX_ATTEMPTS} attempts`);
      }
      if (attempt > 0) await sleep(BASE_BACKOFF_MS * 2 ** (attempt - 1) * (1 + Math.random()));
      const result = await doc.send(
        new BatchGetCommand({
          RequestItems: {
            [tableName]: {
              Keys: chunk,
              ...(options.consistent ? { ConsistentRead: true } : {}),
              ...projection,
            },
          },
        }),
      );
      for (const item of result.Responses?.[tableName] ?? []) found.set(idOf(item), item);
      chunk = (result.UnprocessedKeys?.[tableName]?.Keys ?? []) as ItemKey[];
    }
  }
  return keys.map((key) => found.get(idOf(key)));
}

function projectionOf(attributes: readonly string[]) {
  const names = [...new Set([partitionKey, sortKey, ...attributes])];
  const placeholders: Record<string, string> = {};
  const paths = names.map((name, i) => {
    // A dotted name is a document path: each part gets its own placeholder.
    return name
      .split('.')
      .map((part, j) => {
        const placeholder = `#a${i}_${j}`;
        placeholders[placeholder] = part;
        return placeholder;
      })
      .join('.');
  });
  return { ProjectionExpression: paths.join(', '), ExpressionAttributeNames: placeholders };
}
