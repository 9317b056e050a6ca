/**
 * The shared send-rate bucket's conditional writes, with DynamoDB faults injected through
 * aws-sdk-client-mock: a lost race (a failed conditional update) re-plans with what the winner
 * left, and repeated losses reserve nothing rather than overspend.
 */
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoSendRateBucket } from '#adapters/send-rate-bucket.ts';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-north-1' }));
const ddb = mockClient(doc);
afterEach(() => ddb.reset());

const now = new Date('2026-09-01T08:00:00Z');
const key = { pk: 'SENDRATE#ses', sk: 'BUCKET' };
const lostRace = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
/** A planner that takes every whole mail it is offered, up to `want`, and remembers what it saw. */
const greedy = (want: number, seen: number[]) => (available: number) => {
  seen.push(available);
  const mails = Math.min(want, available);
  return { mails, plan: mails };
};

describe('DynamoSendRateBucket.reserve', () => {
  it('creates the bucket full on first use and takes from it only if nobody created it meanwhile', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({});
    ddb.on(PutCommand).resolves({});
    const seen: number[] = [];

    // Act
    const r = await new DynamoSendRateBucket(doc, 'table').reserve(14, now, greedy(10, seen));

    // Assess
    expect(r).toEqual({ mails: 10, plan: 10, available: 14, conflicts: 0 });
    expect(seen).toEqual([14]);
    const put = ddb.commandCalls(PutCommand)[0]!.args[0].input;
    expect(put.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(put.Item).toMatchObject({ ...key, tokens: 4, at: now.toISOString(), version: 1, rate: 14 });
    expect(ddb.commandCalls(GetCommand)[0]!.args[0].input).toMatchObject({ Key: key, ConsistentRead: true });
  });

  it('after a failed conditional update re-reads, re-plans with what the other sender left, and writes on its version', async () => {
    // Prepare: the first read sees a full bucket; another sender writes first, leaving 3 mails
    ddb
      .on(GetCommand)
      .resolvesOnce({ Item: { ...key, tokens: 14, at: now.toISOString(), version: 4 } })
      .resolves({ Item: { ...key, tokens: 3, at: now.toISOString(), version: 5 } });
    ddb.on(PutCommand).rejectsOnce(lostRace()).resolves({});
    const seen: number[] = [];

    // Act
    const r = await new DynamoSendRateBucket(doc, 'table').reserve(14, now, greedy(10, seen));

    // Assess: planned twice, reserved only what was left, never the 10 of the stale read
    expect(seen).toEqual([14, 3]);
    expect(r).toEqual({ mails: 3, plan: 3, available: 3, conflicts: 1 });
    const puts = ddb.commandCalls(PutCommand).map((c) => c.args[0].input);
    expect(puts).toHaveLength(2);
    expect(puts[0]).toMatchObject({ ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': 4 } });
    expect(puts[1]).toMatchObject({ ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': 5 } });
    expect(puts[1]!.Item).toMatchObject({ tokens: 0, version: 6 });
  });

  it('writes nothing when the plan takes nothing', async () => {
    ddb.on(GetCommand).resolves({ Item: { ...key, tokens: 1, at: now.toISOString(), version: 2 } });
    const r = await new DynamoSendRateBucket(doc, 'table').reserve(14, now, () => ({ mails: 0, plan: 'none' }));
    expect(r).toEqual({ mails: 0, plan: 'none', available: 1, conflicts: 0 });
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('gives up with nothing reserved after losing every race', async () => {
    ddb.on(GetCommand).resolves({ Item: { ...key, tokens: 14, at: now.toISOString(), version: 9 } });
    ddb.on(PutCommand).rejects(lostRace());
    const seen: number[] = [];

    const r = await new DynamoSendRateBucket(doc, 'table').reserve(14, now, greedy(5, seen));

    expect(r.mails).toBe(0);
    expect(r.plan).toBe(0);
    expect(r.conflicts).toBe(8);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(8);
  });

  it('passes any other DynamoDB error on and refuses a plan beyond what the bucket holds', async () => {
    ddb.on(GetCommand).resolves({ Item: { ...key, tokens: 2, at: now.toISOString(), version: 1 } });
    ddb.on(PutCommand).rejects(Object.assign(new Error('Throughput exceeded'), { name: 'ProvisionedThroughputExceededException' }));
    const bucket = new DynamoSendRateBucket(doc, 'table');

    await expect(bucket.reserve(14, now, () => ({ mails: 1, plan: 1 }))).rejects.toThrow('Throughput exceeded');
    await expect(bucket.reserve(14, now, () => ({ mails: 5, plan: 5 }))).rejects.toThrow(/holds 2.00 mails, 5 asked for/);
  });
});
