/**
 * Rewriting the per-cycle facts index whole (facts-index.ts): what the rebuild (`npm run rebuild`,
 * and the local runtime for a folder from before the index) needs and nothing on a request path
 * does, so it stays out of the functions' bundles.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type DialogueFacts, encodeFacts } from '#core/facts.ts';
import type { FactsRebuild } from '#core/ports.ts';
import { batchWriteAll, queryAll } from './dynamo.ts';
import { bucketOf, DynamoFactsIndex, FACT_PARTITIONS, factAttribute } from './facts-index.ts';
import { factsKeys } from './table-model.ts';

export class DynamoFactsRebuild implements FactsRebuild {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async replaceCycle(cycle: string, facts: readonly DialogueFacts[]): Promise<void> {
    await new DynamoFactsIndex(this.doc, this.table).registerCycle(cycle);
    const buckets = new Map<number, Record<string, string>>();
    for (const f of facts) {
      const b = bucketOf(f.id);
      const attrs = buckets.get(b) ?? {};
      attrs[factAttribute(f.id)] = encodeFacts(f);
      buckets.set(b, attrs);
    }
    // Every bucket is written whole: one with no dialogue left in it is deleted.
    const existing = new Set<number>();
    for (let n = 0; n < FACT_PARTITIONS; n++) {
      const items = await queryAll(this.doc, {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': factsKeys.partition(cycle, n) },
        ProjectionExpression: 'sk',
      });
      for (const item of items) existing.add(Number(String(item.sk).slice(2)));
    }
    const requests = [...new Set([...buckets.keys(), ...existing])].map((b) =>
      buckets.has(b)
        ? { PutRequest: { Item: { ...factsKeys.bucket(cycle, b), ...buckets.get(b) } } }
        : { DeleteRequest: { Key: factsKeys.bucket(cycle, b) } },
    );
    await batchWriteAll(this.doc, this.table, requests, `the facts of cycle ${cycle}`);
  }

  async builtVersion(): Promise<number | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: factsKeys.built(), ConsistentRead: true }));
    return typeof r.Item?.version === 'number' ? r.Item.version : undefined;
  }

  async setBuiltVersion(version: number): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...factsKeys.built(), version } }));
  }

  /** Writes a whole bucket item as given (tests use it to plant a wrong or stray entry). */
  async putBucket(cycle: string, bucket: number, facts: readonly DialogueFacts[]): Promise<void> {
    const attrs = Object.fromEntries(facts.map((f) => [factAttribute(f.id), encodeFacts(f)]));
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...factsKeys.bucket(cycle, bucket), ...attrs } }));
  }
}
