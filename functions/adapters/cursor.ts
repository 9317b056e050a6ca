/**
 * Page cursors: the last key a Query read, as base64url JSON, handed to the caller and taken back
 * as the next Query's ExclusiveStartKey. A cursor comes back from outside, so before DynamoDB sees
 * it, it must be exactly a key of the query it continues: the key attributes that query returns
 * (no more, no fewer), non-empty strings within DynamoDB's key sizes, in the partition the query
 * reads and inside its sort-key range. Anything else (a cursor of another list, another filter,
 * or made up) is a 400, never a DynamoDB error and a 500.
 */
import type { DynamoDBDocumentClient, QueryCommandInput, QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '#core/errors.ts';
import { tableModel } from './table-model.ts';

/** What a cursor of one query must look like. */
export interface CursorShape {
  /** The index the query reads (its key attributes join the table's), or none for the table. */
  index?: keyof typeof tableModel.indexes;
  /** The partition the query reads: the cursor must name the same. */
  partition: string;
  /** The query's sort-key range: the cursor's sort key must lie inside it. */
  range?: { from?: string; to?: string; below?: string };
}

const invalid = () =>
  new ValidationError('cursor is not valid: pass the cursor value from the previous page of the same list unchanged', [
    { path: 'cursor', message: 'not a cursor of this list' },
  ]);

/** DynamoDB's limits: a partition key value up to 2,048 bytes, a sort key value up to 1,024. */
const MAX_KEY_BYTES = 1024;

export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
}

const attributesOf = (shape: CursorShape) => {
  const table = { partition: tableModel.partitionKey, sort: tableModel.sortKey };
  const index = shape.index ? tableModel.indexes[shape.index] : undefined;
  return {
    partition: index?.partitionKey ?? table.partition,
    sort: index?.sortKey ?? table.sort,
    all: [table.partition, table.sort, ...(index ? [index.partitionKey, index.sortKey] : [])],
  };
};

/** The ExclusiveStartKey a cursor stands for, after checking it fits `shape`; undefined for no cursor. */
export function decodeCursor(cursor: string | undefined, shape: CursorShape): Record<string, string> | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  if (cursor.length > 4000 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw invalid();
  const key = value as Record<string, unknown>;
  const attrs = attributesOf(shape);
  const names = Object.keys(key);
  if (names.length !== attrs.all.length || !attrs.all.every((a) => names.includes(a))) throw invalid();
  for (const a of attrs.all) {
    const v = key[a];
    if (typeof v !== 'string' || v === '' || Buffer.byteLength(v) > MAX_KEY_BYTES) throw invalid();
  }
  if (key[attrs.partition] !== shape.partition) throw invalid();
  const sort = key[attrs.sort] as string;
  const { from, to, below } = shape.range ?? {};
  if ((from !== undefined && sort < from) || (to !== undefined && sort > to) || (below !== undefined && sort >= below)) throw invalid();
  return key as Record<string, string>;
}

/**
 * One page of a Query that continues from a caller's cursor. Should DynamoDB still refuse the
 * start key (a rule the checks above do not know), that is the caller's cursor too: a 400.
 */
export async function queryFrom(
  doc: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
  cursor: string | undefined,
  shape: CursorShape,
): Promise<QueryCommandOutput> {
  const start = decodeCursor(cursor, shape);
  try {
    return await doc.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
  } catch (e) {
    if (start && (e as { name?: string }).name === 'ValidationException') throw invalid();
    throw e;
  }
}
