/**
 * Which organisers already have a dialogue in a cycle, read from the per-(organiser, cycle) guard
 * items in batches of 100 (a campaign's preview checks a page of the register at once). Built from
 * the shared client where it is used, so only the functions that preview campaigns carry it.
 */
import { BatchGetCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { Deps } from './deps.ts';
import { keys } from './table-model.ts';

export async function organisersWithDialogue(
  d: Pick<Deps, 'aws' | 'env'>,
  organiserIds: readonly string[],
  cycle: string,
): Promise<Set<string>> {
  const found = new Set<string>();
  const table = d.env.TABLE_NAME;
  for (let i = 0; i < organiserIds.length; i += 100) {
    let pending: Record<string, unknown>[] | undefined = organiserIds.slice(i, i + 100).map((id) => keys.organiserCycle(id, cycle));
    for (let attempt = 0; pending?.length; attempt++) {
      if (attempt >= 10) throw new Error('DynamoDB left dialogue guards unread after 10 attempts');
      const r: BatchGetCommandOutput = await d.aws.doc.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true, ProjectionExpression: 'pk' } } }),
      );
      for (const item of r.Responses?.[table] ?? []) found.add(String(item.pk).slice('ORG#'.length));
      pending = r.UnprocessedKeys?.[table]?.Keys;
    }
  }
  return found;
}
