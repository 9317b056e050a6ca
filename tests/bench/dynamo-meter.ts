/**
 * Consumed DynamoDB capacity of every call on one client (ReturnConsumedCapacity=TOTAL added by a
 * middleware), for the benchmarks: requests by command, read and write units.
 */
export const READ_COMMANDS = new Set(['GetItemCommand', 'QueryCommand', 'BatchGetItemCommand', 'ScanCommand']);

export class DynamoMeter {
  requests: Record<string, number> = {};
  readUnits = 0;
  writeUnits = 0;
  reported = false;

  install(client: { middlewareStack: { add(mw: unknown, opts: unknown): void } }): void {
    client.middlewareStack.add(
      (next: (a: unknown) => Promise<{ output: { ConsumedCapacity?: unknown } }>, context: { commandName?: string }) =>
        async (a: { input: Record<string, unknown> }) => {
          const command = (context.commandName ?? 'Unknown').replace(/^(.*?)(Command)?$/, '$1Command');
          this.requests[command] = (this.requests[command] ?? 0) + 1;
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
          return res;
        },
      { step: 'initialize', name: 'benchConsumedCapacity', priority: 'high' },
    );
  }

  snapshot() {
    return { requests: { ...this.requests }, readUnits: this.readUnits, writeUnits: this.writeUnits };
  }
}
