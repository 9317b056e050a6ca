/**
 * Consumed DynamoDB capacity of every call on one client (ReturnConsumedCapacity=TOTAL added by a
 * middleware), for the benchmarks: requests by command, read and write units, and the same split by
 * command and the item kind it touched (`byKind`: e.g. `GetItem DLG#/DIALOGUE`, `Query byDue`).
 *
 * Two things DynamoDB charges and dynalite does not report are added, so the figures are what a
 * table in the cloud would be billed: a read request costs at least half a unit (a whole one when
 * strongly consistent) per item it asks for, even when it finds nothing (dynalite reports 0 for an
 * empty Query); and, with `countIndexWrites`, every write to a global secondary index (the item is
 * read before and after each write on a separate client, and each index whose entry appears,
 * disappears, moves or changes is charged as DynamoDB does: a new or removed entry one write of the
 * entry's size, a moved key two, a changed projection one; `indexWriteUnits`, also in `writeUnits`).
 */
import { createRequire } from 'node:module';
import { type AttributeValue, type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';

/** DynamoDB's item size (attribute names and values), as dynalite computes it. */
const itemSize = (createRequire(import.meta.url)('dynalite/db/index.js') as { itemSize(item: Record<string, AttributeValue>): number })
  .itemSize;

/** An index entry's write units: the projected item (every index projects ALL), a unit per KB begun. */
const indexEntryUnits = (item: Record<string, AttributeValue>): number => Math.ceil(itemSize(item) / 1024);

export const READ_COMMANDS = new Set(['GetItemCommand', 'QueryCommand', 'BatchGetItemCommand', 'ScanCommand']);

/** The shape of a key without its ids: `DLG#…` → `DLG#`, `MAIL#invitation#c1` → `MAIL#`. */
const prefix = (v: unknown): string => {
  const s = typeof v === 'string' ? v : (v as { S?: string } | undefined)?.S;
  return typeof s === 'string' ? (/^[A-Z_]+#?/.exec(s)?.[0] ?? '…') : '?';
};

/** What a request touched: its index, or the key shape of its item (the first one of a batch). */
export function kindOf(input: Record<string, unknown>): string {
  if (typeof input.IndexName === 'string') return input.IndexName;
  const key = (input.Key ?? input.Item) as Record<string, unknown> | undefined;
  if (key) return `${prefix(key.pk)}/${prefix(key.sk)}`;
  const values = input.ExpressionAttributeValues as Record<string, unknown> | undefined;
  if (typeof input.KeyConditionExpression === 'string' && values) {
    const pk = Object.values(values).find((v) => typeof v === 'string' || typeof (v as { S?: string })?.S === 'string');
    return `${prefix(pk)} (query)`;
  }
  const items = (input.RequestItems ?? input.TransactItems) as Record<string, unknown[]> | unknown[] | undefined;
  const first = Array.isArray(items) ? items[0] : items ? Object.values(items)[0] : undefined;
  const entry = (Array.isArray(first) ? first[0] : first) as Record<string, Record<string, unknown>> | undefined;
  const inner =
    entry?.PutRequest?.Item ?? entry?.DeleteRequest?.Key ?? (entry as { Keys?: Record<string, unknown>[] } | undefined)?.Keys?.[0];
  if (inner) return `${prefix((inner as Record<string, unknown>).pk)}/${prefix((inner as Record<string, unknown>).sk)}`;
  return '?';
}

export class DynamoMeter {
  requests: Record<string, number> = {};
  /** Requests and units by `<command> <kind>`. */
  byKind: Record<string, { requests: number; units: number }> = {};
  readUnits = 0;
  writeUnits = 0;
  reported = false;
  /** Of `writeUnits`: writes to global secondary indexes (with `countIndexWrites`). */
  indexWriteUnits = 0;
  /** When set, every request is also told here as it ends: `<command> <kind> <units>`. */
  trace?: (line: string) => void;
  private indexes?: { reader: DynamoDBClient; table: string; keys: readonly { partitionKey: string; sortKey: string }[] };

  /**
   * Also charges the global secondary index writes of every write request (DynamoDB bills them;
   * dynalite reports the table's units only). `reader`: a client the meter is not installed on.
   */
  countIndexWrites(reader: DynamoDBClient, table: string, indexes: Record<string, { partitionKey: string; sortKey: string }>): void {
    this.indexes = { reader, table, keys: Object.values(indexes) };
  }

  /** The current items at `keys` (as the table holds them), for the index-write charge. */
  private async itemsAt(keys: readonly Record<string, AttributeValue>[]): Promise<(Record<string, AttributeValue> | undefined)[]> {
    const ix = this.indexes;
    if (!ix) return [];
    return Promise.all(
      keys.map(async (Key) => (await ix.reader.send(new GetItemCommand({ TableName: ix.table, Key, ConsistentRead: true }))).Item),
    );
  }

  /** What DynamoDB charges the indexes for one item going from `before` to `after`. */
  private indexUnits(before: Record<string, AttributeValue> | undefined, after: Record<string, AttributeValue> | undefined): number {
    let units = 0;
    const same = (a?: AttributeValue, b?: AttributeValue) => JSON.stringify(a) === JSON.stringify(b);
    const changed = !before || !after || Object.keys({ ...before, ...after }).some((k) => !same(before[k], after[k]));
    if (!changed) return 0;
    for (const { partitionKey, sortKey } of this.indexes?.keys ?? []) {
      const was = before?.[partitionKey] && before[sortKey] ? before : undefined;
      const is = after?.[partitionKey] && after[sortKey] ? after : undefined;
      if (!was && !is) continue;
      if (was && is && same(was[partitionKey], is[partitionKey]) && same(was[sortKey], is[sortKey])) units += indexEntryUnits(is);
      else units += (was ? indexEntryUnits(was) : 0) + (is ? indexEntryUnits(is) : 0);
    }
    return units;
  }

  install(client: { middlewareStack: { add(mw: unknown, opts: unknown): void } }): void {
    client.middlewareStack.add(
      (next: (a: unknown) => Promise<{ output: { ConsumedCapacity?: unknown } }>, context: { commandName?: string }) =>
        async (a: { input: Record<string, unknown> }) => {
          const command = (context.commandName ?? 'Unknown').replace(/^(.*?)(Command)?$/, '$1Command');
          this.requests[command] = (this.requests[command] ?? 0) + 1;
          const kind = `${command.replace(/Command$/, '')} ${kindOf(a.input)}`;
          a.input.ReturnConsumedCapacity = 'TOTAL';
          const written = this.indexes && !READ_COMMANDS.has(command) ? writtenKeys(a.input) : [];
          const before = await this.itemsAt(written);
          let res: { output: { ConsumedCapacity?: unknown } };
          try {
            res = await next(a);
          } catch (e) {
            // A refused conditional write is still charged: a unit per KB of the item it was checked against.
            if ((e as Error).name === 'ConditionalCheckFailedException') {
              const units = Math.max(1, ...before.map((x) => (x ? Math.ceil(itemSize(x) / 1024) : 1)));
              this.writeUnits += units;
              this.count(`${kind} (refused)`, units);
            }
            throw e;
          }
          const consumed = res.output.ConsumedCapacity;
          let units = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce(
            (sum: number, c: { CapacityUnits?: number }) => sum + (c.CapacityUnits ?? 0),
            0,
          );
          if (consumed) this.reported = true;
          if (READ_COMMANDS.has(command)) {
            units = Math.max(units, minimumReadUnits(a.input));
            this.readUnits += units;
          } else this.writeUnits += units;
          this.count(kind, units);
          if (written.length > 0) {
            const after = await this.itemsAt(written);
            const index = written.reduce((sum, _, i) => sum + this.indexUnits(before[i], after[i]), 0);
            if (index > 0) {
              this.indexWriteUnits += index;
              this.writeUnits += index;
              this.count(`${kind} (indexes)`, index);
            }
          }
          return res;
        },
      { step: 'initialize', name: 'benchConsumedCapacity', priority: 'high' },
    );
  }

  private count(kind: string, units: number): void {
    const k = this.byKind[kind] ?? { requests: 0, units: 0 };
    k.requests++;
    k.units += units;
    this.byKind[kind] = k;
    this.trace?.(`${kind} ${units}`);
  }

  snapshot() {
    return {
      requests: { ...this.requests },
      byKind: Object.fromEntries(Object.entries(this.byKind).map(([k, v]) => [k, { ...v }])),
      readUnits: this.readUnits,
      writeUnits: this.writeUnits,
      indexWriteUnits: this.indexWriteUnits,
    };
  }
}

/** DynamoDB's least charge for a read request: half a unit per item asked for (one when strongly consistent). */
function minimumReadUnits(input: Record<string, unknown>): number {
  const per = (consistent: unknown) => (consistent === true ? 1 : 0.5);
  const batch = input.RequestItems as Record<string, { Keys?: unknown[]; ConsistentRead?: boolean }> | undefined;
  if (batch) return Object.values(batch).reduce((sum, t) => sum + (t.Keys?.length ?? 0) * per(t.ConsistentRead), 0);
  return per(input.ConsistentRead);
}

/** The table keys a write request writes (Put, Update, Delete, BatchWrite, TransactWrite), as attribute values. */
function writtenKeys(input: Record<string, unknown>): Record<string, AttributeValue>[] {
  const keyOf = (item: Record<string, unknown> | undefined): Record<string, AttributeValue>[] => {
    if (!item) return [];
    const pk = item.pk as unknown;
    const sk = item.sk as unknown;
    const asValue = (v: unknown) => (typeof v === 'string' ? { S: v } : (v as AttributeValue));
    return [{ pk: asValue(pk), sk: asValue(sk) }];
  };
  const direct = (input.Item ?? input.Key) as Record<string, unknown> | undefined;
  if (direct) return keyOf(direct);
  const batch = input.RequestItems as
    | Record<string, { PutRequest?: { Item: Record<string, unknown> }; DeleteRequest?: { Key: Record<string, unknown> } }[]>
    | undefined;
  if (batch) return Object.values(batch).flatMap((rs) => rs.flatMap((r) => keyOf(r.PutRequest?.Item ?? r.DeleteRequest?.Key)));
  const transact = input.TransactItems as
    | { Put?: { Item: Record<string, unknown> }; Update?: { Key: Record<string, unknown> }; Delete?: { Key: Record<string, unknown> } }[]
    | undefined;
  if (transact) return transact.flatMap((t) => keyOf(t.Put?.Item ?? t.Update?.Key ?? t.Delete?.Key));
  return [];
}
