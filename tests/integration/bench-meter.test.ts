/**
 * The benchmarks' DynamoDB meter bills as DynamoDB would, on dynalite over the real SDK client: the
 * least charge of a read that finds nothing, a refused conditional write, and the writes of the
 * global secondary indexes (all project ALL): a new or removed entry one write, a moved key two, a
 * changed item one per index it is in, an unchanged item none.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableModel } from '#adapters/table-model.ts';
import { DynamoMeter } from '../bench/dynamo-meter.ts';
import { Harness } from '../support/local.ts';

const h = new Harness();
const meter = new DynamoMeter();
let doc: DynamoDBDocumentClient;
const TABLE = 'kvalitetsdialog';

beforeAll(async () => {
  await h.start({ seed: false });
  const client = () =>
    new DynamoDBClient({
      region: 'eu-north-1',
      endpoint: h.runtime.urls.dynamodb,
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
    });
  doc = DynamoDBDocumentClient.from(client());
  meter.install(doc);
  meter.countIndexWrites(client(), TABLE, tableModel.indexes);
});
afterAll(async () => {
  await h.close();
});

/** The write units (all, and the indexes') of one request. */
async function cost(send: () => Promise<unknown>): Promise<{ wcu: number; index: number; rcu: number }> {
  const before = meter.snapshot();
  await send();
  const after = meter.snapshot();
  return {
    wcu: after.writeUnits - before.writeUnits,
    index: after.indexWriteUnits - before.indexWriteUnits,
    rcu: after.readUnits - before.readUnits,
  };
}

const item = (extra: Record<string, unknown>) => ({ pk: 'METER#1', sk: 'ITEM', kindPk: 'METER', kindSk: '2026-12-05', ...extra });
const put = (x: Record<string, unknown>) => () => doc.send(new PutCommand({ TableName: TABLE, Item: x }));

describe('the benchmark meter', () => {
  it('charges the index entries a write creates, rewrites, moves and removes', async () => {
    // Act
    const created = await cost(put(item({ statePk: 'METER#open', stateSk: 'a', note: 'x' })));
    const rewritten = await cost(put(item({ statePk: 'METER#open', stateSk: 'a', note: 'y' })));
    const same = await cost(put(item({ statePk: 'METER#open', stateSk: 'a', note: 'y' })));
    const moved = await cost(put(item({ statePk: 'METER#closed', stateSk: 'b', note: 'y' })));
    const left = await cost(put(item({ note: 'y' })));
    const deleted = await cost(() => doc.send(new DeleteCommand({ TableName: TABLE, Key: { pk: 'METER#1', sk: 'ITEM' } })));

    // Assess: the table's unit plus one per index entry written (two for a moved key)
    expect(created).toMatchObject({ wcu: 3, index: 2 });
    expect(rewritten).toMatchObject({ wcu: 3, index: 2 });
    expect(same).toMatchObject({ wcu: 1, index: 0 });
    expect(moved).toMatchObject({ wcu: 4, index: 3 });
    expect(left).toMatchObject({ wcu: 3, index: 2 });
    expect(deleted).toMatchObject({ wcu: 2, index: 1 });
  });

  it('charges an index entry by its size, a unit per KB begun', async () => {
    const large = await cost(put({ pk: 'METER#2', sk: 'ITEM', kindPk: 'METER', kindSk: 'b', blob: 'x'.repeat(1500) }));
    expect(large).toMatchObject({ wcu: 4, index: 2 });
  });

  it('charges the least read of a request that finds nothing, and a refused conditional write', async () => {
    // Act
    const emptyQuery = await cost(() =>
      doc.send(
        new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'METER#none' } }),
      ),
    );
    const absent = await cost(() =>
      doc.send(new GetCommand({ TableName: TABLE, Key: { pk: 'METER#none', sk: 'X' }, ConsistentRead: true })),
    );
    const refused = await cost(() =>
      doc
        .send(
          new PutCommand({
            TableName: TABLE,
            Item: { pk: 'METER#2', sk: 'ITEM' },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        )
        .catch((e: Error) => e.name),
    );

    // Assess
    expect(emptyQuery.rcu).toBe(0.5);
    expect(absent.rcu).toBe(1);
    expect(refused).toMatchObject({ wcu: 2, index: 0 });
    expect(meter.snapshot().byKind['PutItem METER#/ITEM (refused)']).toEqual({ requests: 1, units: 2 });
  });
});
