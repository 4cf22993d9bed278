import {
  type IndexKeys,
  type Item,
  indexWriteUnits,
  itemKind,
  itemSize,
  readUnits,
  tableWriteUnits,
} from './dynamo-units.js';

/** What the lead store calls on its document client: `send(command)` and nothing else. */
export interface SendsCommands {
  send(command: unknown, ...rest: unknown[]): Promise<unknown>;
}

interface CommandLike {
  constructor: { name: string };
  input: Record<string, unknown>;
}

/** Calls, failures and units of one (function, operation, item kind) triple. */
export interface MeterRow {
  fn: string;
  op: string;
  item: string;
  calls: number;
  /** Conditional writes whose condition failed (still charged). */
  conditionFailed: number;
  rru: number;
  wru: number;
  /** Write units spent in global secondary indexes. */
  gsiWru: number;
}

export interface MeterTotals {
  calls: number;
  conditionFailed: number;
  rru: number;
  wru: number;
  gsiWru: number;
  /** Bytes of every item stored when the snapshot was taken (table only, without index copies). */
  storedBytes: number;
  storedItems: number;
}

const OPS: Record<string, string> = {
  GetCommand: 'GetItem',
  PutCommand: 'PutItem',
  UpdateCommand: 'UpdateItem',
  QueryCommand: 'Query',
  DeleteCommand: 'DeleteItem',
  BatchGetCommand: 'BatchGetItem',
};

interface BatchGetRequest {
  Keys?: Item[];
  ConsistentRead?: boolean;
}

/**
 * Meters what a DynamoDB document client is asked to do, in request units, from the items themselves:
 * 1 WRU per started KB written (the larger of before and after), plus what each GSI writes under its
 * projection (bench/dynamo-units.ts: indexWriteUnits), 0.5/1 RRU per started 4 KB read, for the whole
 * stored item whatever a ProjectionExpression returns (and per item in a BatchGetItem). Failed
 * conditional writes are charged like DynamoDB charges them. It keeps a shadow copy of every item it saw written, so it must see every write of its table:
 * use it on a fresh table. To know the item after an update it asks for ReturnValues ALL_NEW, which the
 * lead store ignores.
 */
export class DynamoMeter {
  private readonly shadow = new Map<string, Item>();
  private readonly rows = new Map<string, MeterRow>();

  constructor(
    private readonly keys: { partitionKey: string; sortKey: string },
    private readonly indexes: readonly IndexKeys[],
  ) {}

  /** A client that meters every command under `fn` (the Lambda making the call) and forwards it. */
  wrap<D extends SendsCommands>(doc: D, fn: string): D {
    const send = async (command: unknown, ...rest: unknown[]) =>
      this.meter(fn, command as CommandLike, () => doc.send(command, ...rest));
    return new Proxy(doc, {
      get(target, prop, receiver) {
        if (prop === 'send') return send;
        return Reflect.get(target, prop, receiver);
      },
    });
  }

  snapshot(): { rows: MeterRow[]; totals: MeterTotals } {
    const rows = [...this.rows.values()].map((r) => ({ ...r }));
    const totals: MeterTotals = {
      calls: 0,
      conditionFailed: 0,
      rru: 0,
      wru: 0,
      gsiWru: 0,
      storedBytes: 0,
      storedItems: this.shadow.size,
    };
    for (const r of rows) {
      totals.calls += r.calls;
      totals.conditionFailed += r.conditionFailed;
      totals.rru += r.rru;
      totals.wru += r.wru;
      totals.gsiWru += r.gsiWru;
    }
    for (const item of this.shadow.values()) totals.storedBytes += itemSize(item);
    return { rows, totals };
  }

  reset(): void {
    this.rows.clear();
  }

  private row(fn: string, op: string, item: string): MeterRow {
    const id = `${fn}\u0000${op}\u0000${item}`;
    let row = this.rows.get(id);
    if (!row) {
      row = { fn, op, item, calls: 0, conditionFailed: 0, rru: 0, wru: 0, gsiWru: 0 };
      this.rows.set(id, row);
    }
    return row;
  }

  private shadowKey(key: Item): string {
    return `${String(key[this.keys.partitionKey])}\u0000${String(key[this.keys.sortKey])}`;
  }

  /**
   * The size a read is charged for: the whole stored item (a ProjectionExpression trims the answer, not
   * the charge), or what came back when the meter never saw the item written.
   */
  private storedSize(key: Item, returned: Item | undefined): number {
    return itemSize(this.shadow.get(this.shadowKey(key)) ?? returned);
  }

  private async meter(fn: string, command: CommandLike, forward: () => Promise<unknown>): Promise<unknown> {
    const op = OPS[command.constructor?.name] ?? command.constructor?.name ?? 'unknown';
    const input = command.input ?? {};
    switch (op) {
      case 'GetItem': {
        const key = input.Key as Item;
        const row = this.row(fn, op, itemKind(key[this.keys.partitionKey], key[this.keys.sortKey]));
        const result = (await forward()) as { Item?: Item };
        row.calls += 1;
        row.rru += readUnits(this.storedSize(key, result.Item), input.ConsistentRead === true);
        return result;
      }
      case 'BatchGetItem': {
        const result = (await forward()) as {
          Responses?: Record<string, Item[]>;
          UnprocessedKeys?: Record<string, BatchGetRequest>;
        };
        const requests = Object.entries((input.RequestItems ?? {}) as Record<string, BatchGetRequest>);
        const kinds = new Set<string>();
        let rru = 0;
        for (const [table, request] of requests) {
          const unprocessed = new Set(
            (result.UnprocessedKeys?.[table]?.Keys ?? []).map((k) => this.shadowKey(k)),
          );
          const returned = new Map(
            (result.Responses?.[table] ?? []).map((item) => [this.shadowKey(item), item] as const),
          );
          for (const key of request.Keys ?? []) {
            const id = this.shadowKey(key);
            // Keys DynamoDB hands back unprocessed were not read (and are asked again by the caller).
            if (unprocessed.has(id)) continue;
            kinds.add(itemKind(key[this.keys.partitionKey], key[this.keys.sortKey]));
            rru += readUnits(this.storedSize(key, returned.get(id)), request.ConsistentRead === true);
          }
        }
        const row = this.row(fn, op, [...kinds].sort().join('+') || 'none');
        row.calls += 1;
        row.rru += rru;
        return result;
      }
      case 'Query': {
        const result = (await forward()) as { Items?: Item[] };
        const items = result.Items ?? [];
        const kind = input.IndexName ? `query:${String(input.IndexName)}` : 'query:table';
        const row = this.row(fn, op, kind);
        row.calls += 1;
        const bytes = items.reduce((sum, item) => sum + itemSize(item), 0);
        row.rru += readUnits(bytes, input.ConsistentRead === true);
        return result;
      }
      case 'PutItem':
      case 'UpdateItem':
      case 'DeleteItem': {
        const key = (op === 'PutItem' ? input.Item : input.Key) as Item;
        const id = this.shadowKey(key);
        const before = this.shadow.get(id);
        const row = this.row(fn, op, itemKind(key[this.keys.partitionKey], key[this.keys.sortKey]));
        if (op === 'UpdateItem' && input.ReturnValues === undefined) input.ReturnValues = 'ALL_NEW';
        let result: unknown;
        try {
          result = await forward();
        } catch (error) {
          row.calls += 1;
          if ((error as { name?: string }).name === 'ConditionalCheckFailedException') {
            row.conditionFailed += 1;
            row.wru += tableWriteUnits(before, undefined, true);
          }
          throw error;
        }
        // A delete is charged for the item it removes (at least 1 WRU); every index it was in loses it.
        const after =
          op === 'PutItem'
            ? structuredClone(input.Item as Item)
            : op === 'DeleteItem'
              ? undefined
              : ((result as { Attributes?: Item }).Attributes ?? before);
        row.calls += 1;
        row.wru += tableWriteUnits(before, after);
        for (const index of this.indexes) row.gsiWru += indexWriteUnits(before, after, index, this.keys);
        if (after) this.shadow.set(id, after);
        else this.shadow.delete(id);
        return result;
      }
      default: {
        const row = this.row(fn, op, 'unmetered');
        row.calls += 1;
        return forward();
      }
    }
  }
}
