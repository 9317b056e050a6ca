/**
 * The holds of open offers (`HOLD#<resource>` / `<slot>`): one small item per held facilitator
 * start or intro-session place, taken with a conditional put (free, lapsed, or already this
 * dialogue's), so two offers made at the same moment cannot hold the same start of a facilitator.
 * The byKind index orders them by when they lapse, so the holds in force are one range Query.
 * DynamoDB's TTL deletes them a day after they lapse in the cloud (locally the runtime's sweeper).
 * The searches that take holds run one at a time under a lease (`LOCK#offer-search`): without it,
 * offers started at the same moment all propose the same earliest times and all but one lose.
 */
import { randomUUID } from 'node:crypto';
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { OfferHold } from '#core/holds.ts';
import type { HoldRepository } from '#core/ports.ts';
import type { Deps } from './deps.ts';
import { isConditionFailure } from './dynamo.ts';
import { TransientError } from './transient.ts';

const LOCK = { pk: 'LOCK#offer-search', sk: 'LOCK' };
/** Longer than any search under it takes; a holder that crashed blocks the others at most this long. */
const LEASE_MS = 10_000;
import { indexKeys, keys } from './table-model.ts';

export class DynamoHoldRepository implements HoldRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async active(now: Date): Promise<OfferHold[]> {
    const holds: OfferHold[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const r = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: 'byKind',
          KeyConditionExpression: 'kindPk = :k AND kindSk > :now',
          ExpressionAttributeValues: { ':k': 'HOLD', ':now': now.toISOString() },
          ProjectionExpression: '#resource, #slot, holder, #offer, #start, #end, #until',
          ExpressionAttributeNames: {
            '#resource': 'resource',
            '#slot': 'slot',
            '#offer': 'offer',
            '#start': 'start',
            '#end': 'end',
            '#until': 'until',
          },
          ExclusiveStartKey: start,
        }),
      );
      holds.push(...((r.Items ?? []) as OfferHold[]));
      start = r.LastEvaluatedKey;
    } while (start);
    return holds;
  }

  async claim(h: OfferHold, now: Date): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...h,
            ...keys.hold(h.resource, h.slot),
            ...indexKeys.hold(h.until, h.resource, h.slot),
            ttl: Math.floor(Date.parse(h.until) / 1000) + 86_400,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR #until <= :now OR holder = :holder',
          ExpressionAttributeNames: { '#until': 'until' },
          ExpressionAttributeValues: { ':now': now.toISOString(), ':holder': h.holder },
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  async exclusive<T>(search: () => Promise<T>, maxWaitMs = 8_000): Promise<T> {
    const owner = randomUUID();
    const giveUpAt = Date.now() + maxWaitMs;
    // Real time, not the injected clock: the lease guards concurrent processes, whatever day the clock shows.
    for (;;) {
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: { ...LOCK, owner, leaseUntil: Date.now() + LEASE_MS },
            ConditionExpression: 'attribute_not_exists(pk) OR leaseUntil < :now',
            ExpressionAttributeValues: { ':now': Date.now() },
          }),
        );
        break;
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
        if (Date.now() >= giveUpAt) throw new TransientError('Another offer is searching for free times; the step is retried');
        await new Promise((ok) => setTimeout(ok, 10 + Math.random() * 40));
      }
    }
    try {
      return await search();
    } finally {
      await this.doc
        .send(
          new DeleteCommand({
            TableName: this.table,
            Key: LOCK,
            ConditionExpression: '#owner = :owner',
            ExpressionAttributeNames: { '#owner': 'owner' },
            ExpressionAttributeValues: { ':owner': owner },
          }),
        )
        .catch(() => undefined); // a lease that ran out and was taken over is the new holder's
    }
  }

  async release(h: Pick<OfferHold, 'resource' | 'slot' | 'holder'>): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: keys.hold(h.resource, h.slot),
          ConditionExpression: 'holder = :holder',
          ExpressionAttributeValues: { ':holder': h.holder },
        }),
      );
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
    }
  }
}

const built = new WeakMap<object, HoldRepository>();
/** The holds of the process's deps, built on first use from its DynamoDB client (kept per deps, like the rest). */
export function holdsOf(d: Pick<Deps, 'aws' | 'env'>): HoldRepository {
  let holds = built.get(d.aws);
  if (!holds) {
    holds = new DynamoHoldRepository(d.aws.doc, d.env.TABLE_NAME);
    built.set(d.aws, holds);
  }
  return holds;
}
