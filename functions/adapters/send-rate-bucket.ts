/**
 * The account-wide send-rate bucket in the single table (`SENDRATE#<account>` / `BUCKET`): one
 * item read with a consistent read and written back only if nobody wrote in between (version
 * check; the first write only if the item does not exist yet). Every bulk sender reserves the mails
 * it is about to send here BEFORE sending, so overlapping senders (two Lambda invocations, the tick
 * and the one-minute sender, a local and a cloud runtime on one table) can never together exceed
 * the rate: one of two writes on the same version fails and re-plans with what is left.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { availableMails, isFull, liveClaims, type RateBucket, type SendClaim, takeMails } from '#core/send-rate.ts';
import { isConditionFailure, strip } from './dynamo.ts';
import { keys } from './table-model.ts';

export interface Reservation<P> {
  /** Mails taken from the bucket (0: nothing was written). */
  mails: number;
  /** What the planner decided for those mails. */
  plan: P;
  /** Mails the bucket held when the plan was made. */
  available: number;
  /** Conditional writes lost to other senders before this one went through. */
  conflicts: number;
}

/** How many times a reservation re-reads after losing a race before it gives up for this pass. */
const ATTEMPTS = 8;

export class DynamoSendRateBucket {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly account = 'ses',
  ) {}

  async get(): Promise<RateBucket | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: keys.sendRate(this.account), ConsistentRead: true }));
    return strip<RateBucket>(r.Item);
  }

  /**
   * Reserves what `plan` decides to use of the mails available at `now`. `plan` gets the whole
   * mails available, the other senders' live claims and whether the bucket is full, and returns how many mails it takes (at
   * most those), what it will do with them and what it claims; it runs again with fresh figures
   * after a lost race, so it must be pure. Gives up with nothing reserved after repeated lost races
   * (the next pass tries again): sending less is always safe.
   */
  async reserve<P>(
    rate: number,
    now: Date,
    plan: (
      available: number,
      claims: Readonly<Record<string, SendClaim>>,
      /** The bucket is full: it lends one item larger than it holds (see takeMails). */
      full: boolean,
    ) => { mails: number; plan: P; claims?: Record<string, SendClaim> },
  ): Promise<Reservation<P>> {
    let available = 0;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const current = await this.get();
      available = Math.floor(availableMails(current, rate, now));
      const claims = liveClaims(current, now);
      const last = plan(available, claims, isFull(current, rate, now));
      if (last.mails <= 0) return { mails: 0, plan: last.plan, available, conflicts: attempt };
      // takeMails refuses a plan beyond what is available: a planner bug must not overspend.
      const next: RateBucket = { ...takeMails(current, rate, last.mails, now), claims: { ...claims, ...last.claims } };
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: { ...next, rate, ...keys.sendRate(this.account) },
            ...(current
              ? { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': current.version } }
              : { ConditionExpression: 'attribute_not_exists(pk)' }),
          }),
        );
        return { mails: last.mails, plan: last.plan, available, conflicts: attempt };
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
      }
    }
    return { mails: 0, plan: plan(0, {}, false).plan, available, conflicts: ATTEMPTS };
  }
}
