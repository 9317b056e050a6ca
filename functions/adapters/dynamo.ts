/**
 * What every DynamoDB repository of the single table shares: recognising a failed condition,
 * the optimistic-lock update (`mutateVersioned`), batch writes that retry what DynamoDB leaves
 * unprocessed, prefix queries, and stripping the key attributes from an item (page cursors: cursor.ts).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, type DynamoDBDocumentClient, PutCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '#core/errors.ts';

/** A conditional write whose condition did not hold (the SDK's class, or its name across copies). */
export const isConditionFailure = (e: unknown): boolean =>
  e instanceof ConditionalCheckFailedException || (e as { name?: string })?.name === 'ConditionalCheckFailedException';

/**
 * Optimistic locking for an item that carries a `version`: read, apply `change`, write back only if
 * nobody wrote in between, retrying on a concurrent write. `change` returns undefined to leave the
 * item as it is; `previous` is the stored value the change was applied to. The one read-modify-write
 * every versioned item uses.
 */
export async function mutateVersioned<T extends { version: number }>(
  doc: DynamoDBDocumentClient,
  table: string,
  what: string,
  load: () => Promise<T | undefined>,
  toItem: (value: T) => Record<string, unknown>,
  change: (current: T) => T | undefined,
  known?: T,
): Promise<{ value: T; changed: boolean; previous: T }> {
  for (let attempt = 0; attempt < 8; attempt++) {
    // A copy the caller just read saves the first read; if it is stale the conditional put fails and we read.
    const current = attempt === 0 && known ? known : await load();
    if (!current) throw new ConflictError(`${what} does not exist`);
    const next = change(structuredClone(current));
    if (!next) return { value: current, changed: false, previous: current };
    const written = { ...next, version: current.version + 1 };
    try {
      await doc.send(
        new PutCommand({
          TableName: table,
          Item: toItem(written),
          ConditionExpression: 'version = :v',
          ExpressionAttributeValues: { ':v': current.version },
        }),
      );
      return { value: written, changed: true, previous: current };
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
    }
  }
  throw new ConflictError(`${what} is being changed by someone else; try again`);
}

/**
 * Puts or deletes (`PutRequest` / `DeleteRequest` entries) 25 per BatchWriteItem, retrying what
 * DynamoDB leaves unprocessed with back-off. Each entry is an idempotent overwrite or delete.
 */
export async function batchWriteAll(
  doc: DynamoDBDocumentClient,
  table: string,
  requests: readonly Record<string, unknown>[],
  what: string,
): Promise<void> {
  for (let i = 0; i < requests.length; i += 25) {
    let batch = requests.slice(i, i + 25);
    for (let attempt = 0; batch.length > 0; attempt++) {
      if (attempt === 8) throw new Error(`could not write ${what}; try again`);
      if (attempt > 0) await new Promise((ok) => setTimeout(ok, 50 * 2 ** attempt));
      const r = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: batch as never } }));
      batch = (r.UnprocessedItems?.[table] ?? []) as Record<string, unknown>[];
    }
  }
}

/** Every item a Query finds, all pages. */
export async function queryAll(doc: DynamoDBDocumentClient, input: QueryCommandInput): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const r = await doc.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    items.push(...(r.Items ?? []));
    start = r.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Every item of one partition whose sort key starts with `skPrefix` (all of it for ''), all pages. */
export function queryPrefix(doc: DynamoDBDocumentClient, table: string, pk: string, skPrefix: string): Promise<Record<string, unknown>[]> {
  return queryAll(doc, {
    TableName: table,
    KeyConditionExpression: skPrefix ? 'pk = :pk AND begins_with(sk, :p)' : 'pk = :pk',
    ExpressionAttributeValues: skPrefix ? { ':pk': pk, ':p': skPrefix } : { ':pk': pk },
  });
}

/** An item without the table's key and index attributes: the stored value itself. */
export function strip<T>(item: Record<string, unknown>): T;
export function strip<T>(item: Record<string, unknown> | undefined): T | undefined;
export function strip<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (!item) return undefined;
  const { pk, sk, kindPk, kindSk, statePk, stateSk, duePk, dueSk, ttl, ...rest } = item;
  return rest as T;
}
