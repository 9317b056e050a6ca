/**
 * The organiser search index: one small item per normalised word of an organiser's name and one for
 * its org. number, in the partition of the word's first two characters (`SEARCH#ek`), sorted by the
 * word. A prefix search is one Query (`begins_with`), never a Scan; an upsert writes only the words
 * that changed.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Organiser } from '#core/organiser.ts';
import type { OrganiserMatch, Page, SearchIndex } from '#core/ports.ts';
import { searchWordsOf } from '#core/search.ts';
import { encodeCursor, queryFrom } from './cursor.ts';
import { batchWriteAll } from './dynamo.ts';
import { searchKeys } from './table-model.ts';

type Indexed = Pick<Organiser, 'id' | 'name' | 'orgNumber'>;

export class DynamoSearchIndex implements SearchIndex {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Writes the organiser's words and removes those of its previous name. */
  async index(previous: Indexed | undefined, next: Indexed): Promise<void> {
    const words = searchWordsOf(next);
    const stale = previous && previous.id === next.id ? searchWordsOf(previous).filter((w) => !words.includes(w)) : [];
    const unchanged = previous?.id === next.id && previous.name === next.name && previous.orgNumber === next.orgNumber;
    if (unchanged) return;
    const item = { organiserId: next.id, name: next.name, orgNumber: next.orgNumber };
    await batchWriteAll(
      this.doc,
      this.table,
      [
        ...words.map((w) => ({ PutRequest: { Item: { ...searchKeys.word(w, next.id), ...item } } })),
        ...stale.map((w) => ({ DeleteRequest: { Key: searchKeys.word(w, next.id) } })),
      ],
      `the search words of ${next.id}`,
    );
  }

  async find(prefix: string, limit: number, cursor?: string): Promise<Page<OrganiserMatch>> {
    const partition = searchKeys.partition(prefix);
    const r = await queryFrom(
      this.doc,
      {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :w)',
        ExpressionAttributeValues: { ':pk': partition, ':w': prefix },
        ProjectionExpression: 'pk, sk, organiserId, #n, orgNumber',
        ExpressionAttributeNames: { '#n': 'name' },
        Limit: limit,
      },
      cursor,
      { partition, range: { from: prefix, to: `${prefix}\uffff` } },
    );
    return {
      items: (r.Items ?? []).map((i) => ({ organiserId: String(i.organiserId), name: String(i.name), orgNumber: String(i.orgNumber) })),
      cursor: encodeCursor(r.LastEvaluatedKey),
    };
  }
}
