/**
 * Consumed DynamoDB capacity of every call on one client (ReturnConsumedCapacity=TOTAL added by a
 * middleware), for the benchmarks: requests by command, read and write units, and the same split by
 * command and the item kind it touched (`byKind`: e.g. `GetItem DLG#/DIALOGUE`, `Query byDue`).
 */
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
  /** When set, every request is also told here as it ends: `<command> <kind> <units>`. */
  trace?: (line: string) => void;

  install(client: { middlewareStack: { add(mw: unknown, opts: unknown): void } }): void {
    client.middlewareStack.add(
      (next: (a: unknown) => Promise<{ output: { ConsumedCapacity?: unknown } }>, context: { commandName?: string }) =>
        async (a: { input: Record<string, unknown> }) => {
          const command = (context.commandName ?? 'Unknown').replace(/^(.*?)(Command)?$/, '$1Command');
          this.requests[command] = (this.requests[command] ?? 0) + 1;
          const kind = `${command.replace(/Command$/, '')} ${kindOf(a.input)}`;
          a.input.ReturnConsumedCapacity = 'TOTAL';
          const res = await next(a);
          const consumed = res.output.ConsumedCapacity;
          const units = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce(
            (sum: number, c: { CapacityUnits?: number }) => sum + (c.CapacityUnits ?? 0),
            0,
          );
          if (consumed) this.reported = true;
          if (READ_COMMANDS.has(command)) this.readUnits += units;
          else this.writeUnits += units;
          const k = this.byKind[kind] ?? { requests: 0, units: 0 };
          k.requests++;
          k.units += units;
          this.byKind[kind] = k;
          this.trace?.(`${kind} ${units}`);
          return res;
        },
      { step: 'initialize', name: 'benchConsumedCapacity', priority: 'high' },
    );
  }

  snapshot() {
    return {
      requests: { ...this.requests },
      byKind: Object.fromEntries(Object.entries(this.byKind).map(([k, v]) => [k, { ...v }])),
      readUnits: this.readUnits,
      writeUnits: this.writeUnits,
    };
  }
}
