/**
 * The local stand-in for DynamoDB TTL (dynalite has none): deletes items whose `ttl` has passed by
 * the local clock. In the cloud the table's TTL does this. It scans the table, which is fine here:
 * it runs in the background of the local runtime, never on a request path, over a demo-sized table.
 */
import { type DynamoDBDocumentClient, DeleteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { tableModel } from '#adapters/table-model.ts';

export async function sweepExpired(doc: DynamoDBDocumentClient, table: string, now: Date): Promise<number> {
  let deleted = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: '#ttl < :now',
        ProjectionExpression: '#pk, #sk',
        ExpressionAttributeNames: { '#ttl': tableModel.timeToLiveAttribute, '#pk': tableModel.partitionKey, '#sk': tableModel.sortKey },
        ExpressionAttributeValues: { ':now': Math.floor(now.getTime() / 1000) },
        ExclusiveStartKey: start,
      }),
    );
    for (const key of page.Items ?? []) {
      await doc.send(new DeleteCommand({ TableName: table, Key: key }));
      deleted++;
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return deleted;
}
