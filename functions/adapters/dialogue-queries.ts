/**
 * The console's read queries over the byState and byKind indexes: bounded pages filtered in
 * memory (each request reads at most `budget` items), counts per state, and every dialogue of
 * one state for metrics. Never a Scan.
 */
import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Dialogue, DialogueState } from '#core/dialogue.ts';
import type { DialogueQueries, DialogueQueryFilter, Page } from '#core/ports.ts';
import { type CursorShape, encodeCursor, queryFrom } from './cursor.ts';

const INTERNAL = ['pk', 'sk', 'kindPk', 'kindSk', 'statePk', 'stateSk', 'duePk', 'dueSk', 'ttl'];
const strip = (item: Record<string, unknown>): Dialogue =>
  Object.fromEntries(Object.entries(item).filter(([k]) => !INTERNAL.includes(k))) as unknown as Dialogue;

export class DynamoDialogueQueries implements DialogueQueries {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private query(filter: DialogueQueryFilter): Omit<QueryCommandInput, 'Limit' | 'ExclusiveStartKey'> {
    if (filter.state) {
      return {
        TableName: this.table,
        IndexName: 'byState',
        KeyConditionExpression: filter.updatedBefore ? 'statePk = :k AND stateSk < :before' : 'statePk = :k',
        ExpressionAttributeValues: {
          ':k': `DIALOGUE#${filter.state}`,
          ...(filter.updatedBefore ? { ':before': filter.updatedBefore } : {}),
        },
        ScanIndexForward: filter.ascending,
      };
    }
    return {
      TableName: this.table,
      IndexName: 'byKind',
      KeyConditionExpression: 'kindPk = :k',
      ExpressionAttributeValues: { ':k': 'DIALOGUE' },
      ScanIndexForward: filter.ascending,
    };
  }

  async page(
    filter: DialogueQueryFilter,
    keep: (x: Dialogue) => boolean,
    limit: number,
    budget: number,
    cursor?: string,
  ): Promise<Page<Dialogue> & { read: number }> {
    const base = this.query(filter);
    const indexKeys = filter.state ? ['statePk', 'stateSk'] : ['kindPk', 'kindSk'];
    const keyOf = (item: Record<string, unknown>) => Object.fromEntries(['pk', 'sk', ...indexKeys].map((k) => [k, item[k]]));
    const shape: CursorShape = filter.state
      ? { index: 'byState', partition: `DIALOGUE#${filter.state}`, range: { below: filter.updatedBefore } }
      : { index: 'byKind', partition: 'DIALOGUE' };
    const items: Dialogue[] = [];
    let start: Record<string, unknown> | undefined;
    let next = cursor;
    let read = 0;
    while (read < budget) {
      // The first Query continues from the caller's cursor (checked); the next ones from DynamoDB's own key.
      const r = start
        ? await this.doc.send(new QueryCommand({ ...base, Limit: Math.min(200, budget - read), ExclusiveStartKey: start }))
        : await queryFrom(this.doc, { ...base, Limit: Math.min(200, budget - read) }, next, shape);
      next = undefined;
      for (const raw of r.Items ?? []) {
        read++;
        const x = strip(raw);
        if (keep(x)) items.push(x);
        if (items.length >= limit || read >= budget) {
          // Resume right after this item, unless it was the index's very last one.
          const endOfIndex = raw === r.Items?.at(-1) && !r.LastEvaluatedKey;
          return { items, read, cursor: endOfIndex ? undefined : encodeCursor(keyOf(raw)) };
        }
      }
      if (!r.LastEvaluatedKey) return { items, read };
      start = r.LastEvaluatedKey;
    }
    return { items, read, cursor: encodeCursor(start) };
  }

  async countByState(state: DialogueState): Promise<number> {
    let count = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const r = await this.doc.send(
        new QueryCommand({ ...this.query({ state, ascending: true }), Select: 'COUNT', ExclusiveStartKey: start }),
      );
      count += r.Count ?? 0;
      start = r.LastEvaluatedKey;
    } while (start);
    return count;
  }

  async allInState(state: DialogueState): Promise<Dialogue[]> {
    const out: Dialogue[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const r = await this.doc.send(new QueryCommand({ ...this.query({ state, ascending: true }), ExclusiveStartKey: start }));
      for (const raw of r.Items ?? []) out.push(strip(raw));
      start = r.LastEvaluatedKey;
    } while (start);
    return out;
  }
}
