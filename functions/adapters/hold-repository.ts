/**
 * The holds of open offers: one small item per dialogue (`HOLD#<dialogueId>` / `OFFER`) with its
 * open offer's key, slots and when the holds lapse (core/holds.ts `offerHolds` reads them as one
 * hold per facilitator start and intro-session place). A
 * new offer of the dialogue overwrites it; a booked, replaced or closed offer deletes it (one
 * write, whatever the offer held). The byKind index orders the items by when their last hold
 * lapses, so the holds in force are one range Query. DynamoDB's TTL deletes them a day after they
 * lapse in the cloud (locally the runtime's sweeper).
 *
 * The item is written without a per-time condition, so the searches that take holds run one at a
 * time under a lease (`LOCK#offer-search`): each sees what the one before it held. The lease is
 * what keeps two offers from holding the same time, and it keeps offers started at the same
 * moment from all proposing the same earliest times.
 *
 * Holds written before this shape (one item per facilitator start, `HOLD#<facilitator>` /
 * `<start>`, and `HOLD#session:<id>` / `<dialogueId>`) are still read, and given back one by one
 * when their offer is released and the dialogue has no item of the new shape.
 */
import { randomUUID } from 'node:crypto';
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { OfferedSlot } from '#core/dialogue.ts';
import { type OfferHold, offerHolds } from '#core/holds.ts';
import type { HoldRepository } from '#core/ports.ts';
import type { Deps } from './deps.ts';
import { isConditionFailure, queryAll } from './dynamo.ts';
import { indexKeys, keys } from './table-model.ts';
import { TransientError } from './transient.ts';

const LOCK = { pk: 'LOCK#offer-search', sk: 'LOCK' };
/** Longer than any search under it takes; a holder that crashed blocks the others at most this long. */
const LEASE_MS = 10_000;

export class DynamoHoldRepository implements HoldRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async active(now: Date): Promise<OfferHold[]> {
    const holds: OfferHold[] = [];
    const items = await queryAll(this.doc, {
      TableName: this.table,
      IndexName: 'byKind',
      KeyConditionExpression: 'kindPk = :k AND kindSk > :now',
      ExpressionAttributeValues: { ':k': 'HOLD', ':now': now.toISOString() },
      ProjectionExpression: '#resource, #slot, holder, #offer, #start, #end, #until, lapse, slots',
      ExpressionAttributeNames: {
        '#resource': 'resource',
        '#slot': 'slot',
        '#offer': 'offer',
        '#start': 'start',
        '#end': 'end',
        '#until': 'until',
      },
    });
    for (const item of items) {
      if (!item.slots) holds.push(item as unknown as OfferHold);
      else holds.push(...offerHolds(String(item.holder), String(item.offer), item.slots as OfferedSlot[], String(item.lapse)));
    }
    return holds;
  }

  async hold(holder: string, offer: string, slots: readonly OfferedSlot[], lapse: string): Promise<void> {
    const until = offerHolds(holder, offer, slots, lapse)
      .map((h) => h.until)
      .sort()
      .at(-1);
    if (!until) return;
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...keys.offerHolds(holder),
          ...indexKeys.hold(until, holder),
          holder,
          offer,
          lapse,
          slots,
          ttl: Math.floor(Date.parse(until) / 1000) + 86_400,
        },
      }),
    );
  }

  async release(holder: string, offer: string, legacy: readonly Pick<OfferHold, 'resource' | 'slot'>[]): Promise<void> {
    try {
      const r = await this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: keys.offerHolds(holder),
          ConditionExpression: 'attribute_not_exists(pk) OR #offer = :offer',
          ExpressionAttributeNames: { '#offer': 'offer' },
          ExpressionAttributeValues: { ':offer': offer },
          ReturnValues: 'ALL_OLD',
        }),
      );
      if (r.Attributes) return;
    } catch (e) {
      // The dialogue's item is another (newer) offer's: nothing of this offer is held any more.
      if (isConditionFailure(e)) return;
      throw e;
    }
    // No item of this shape: the offer was held before it existed, one item per time.
    await Promise.all(legacy.map((h) => this.releaseLegacy(holder, h)));
  }

  private async releaseLegacy(holder: string, h: Pick<OfferHold, 'resource' | 'slot'>): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: keys.hold(h.resource, h.slot),
          ConditionExpression: 'holder = :holder',
          ExpressionAttributeValues: { ':holder': holder },
        }),
      );
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
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
