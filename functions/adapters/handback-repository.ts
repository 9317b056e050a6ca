/**
 * What the console's hand-back actions and the coordinator's digest keep:
 *
 * - `HBFORM#<formId>` / `FORM`: one confirmed action on a selection of hand-backs. Claimed with a
 *   conditional put before anything is done, with a lease (real time) a crashed attempt gives up
 *   after; it then holds each dialogue's outcome, so the same form posted again shows them.
 * - `DIGEST` / `<day>#E#<dialogueId>#<ref>`: each hand-back of a Stockholm day, once per event
 *   (`ref`), and `<day>#SENT` when that day's digest has gone out: the recent days are one Query.
 *   `DIGEST` / `~SHAPE` says since which day they are noted so; earlier versions noted a day's
 *   hand-backs in `DIGEST#<day>` (`E#<dialogueId>#<ref>`, `SENT`), read until those days are done.
 *
 * Forms and hand-backs expire 30 days after they were written (DynamoDB TTL in the cloud).
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { HandbackAction, HandbackKind } from '#core/handbacks.ts';
import type { Deps } from './deps.ts';
import { isConditionFailure, queryAll, queryPrefix, strip } from './dynamo.ts';
import { keys } from './table-model.ts';

const TTL_DAYS = 30;
const ttlFrom = (at: string) => Math.floor(Date.parse(at) / 1000) + TTL_DAYS * 86_400;

export type HandbackOutcomeKind = 'done' | 'already' | 'not_applicable' | 'error';

export interface HandbackOutcome {
  dialogueId: string;
  organiserName: string;
  orgNumber?: string;
  outcome: HandbackOutcomeKind;
  message: string;
}

export interface HandbackForm {
  formId: string;
  action: HandbackAction;
  dialogueIds: string[];
  /** The reason given (closing) or the answer registered. */
  input: Record<string, string>;
  by: string;
  at: string;
  status: 'working' | 'done';
  /** Real time (ms) until which the attempt that claimed the form is taken to be working on it. */
  leaseUntil: number;
  results: HandbackOutcome[];
}

export interface DigestEntry {
  dialogueId: string;
  organiserName: string;
  orgNumber?: string;
  kind: HandbackKind;
  /** The meeting nobody booked, or whose step failed (its Swedish name). */
  meetingName?: string;
  at: string;
}

/** A day's hand-backs and whether its digest went out. */
export interface DigestDay {
  entries: DigestEntry[];
  sent: boolean;
}

/** Since which Stockholm day hand-backs are noted in the one partition; `earlierDone`: no earlier-shape day is left. */
export interface DigestShape {
  since: string;
  earlierDone: boolean;
}

export class DynamoHandbacks {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async getForm(formId: string): Promise<HandbackForm | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: keys.handbackForm(formId), ConsistentRead: true }));
    return strip<HandbackForm>(r.Item);
  }

  /** Claims a new form for this attempt; a form posted before is returned as it stands (done, or being worked on). */
  async claimForm(form: HandbackForm): Promise<{ claimed: boolean; form: HandbackForm }> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...form, ...keys.handbackForm(form.formId), ttl: ttlFrom(form.at) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { claimed: true, form };
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      return { claimed: false, form: (await this.getForm(form.formId)) as HandbackForm };
    }
  }

  /** Takes over a form whose earlier attempt stopped before it finished (its lease ran out), keeping its outcomes. */
  async takeOverForm(formId: string, leaseUntil: number): Promise<HandbackForm | undefined> {
    try {
      const r = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.handbackForm(formId),
          UpdateExpression: 'SET leaseUntil = :lease',
          ConditionExpression: '#status = :working AND leaseUntil < :now',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':working': 'working', ':now': Date.now(), ':lease': leaseUntil },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return strip<HandbackForm>(r.Attributes);
    } catch (e) {
      if (isConditionFailure(e)) return undefined;
      throw e;
    }
  }

  /** Records the outcomes; `done` ends the claim, otherwise the lease is given up so the form can be posted again. */
  async saveForm(form: HandbackForm): Promise<void> {
    await this.doc.send(
      new PutCommand({ TableName: this.table, Item: { ...form, ...keys.handbackForm(form.formId), ttl: ttlFrom(form.at) } }),
    );
  }

  /** Notes a hand-back for its day's digest (the same event twice is one entry). */
  async noteForDigest(day: string, ref: string, entry: DigestEntry): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...entry, ...keys.digestEntry(day, entry.dialogueId, ref), ttl: ttlFrom(entry.at) },
      }),
    );
  }

  /**
   * The hand-backs of the days from `from` (a Stockholm day) on, with whether each day's digest went
   * out, and since when they are noted in the one partition: one Query (eventually consistent: the
   * mail log sends each digest once, and a hand-back read late goes in the next tick's).
   */
  async recentDigests(from: string): Promise<{ days: Map<string, DigestDay>; shape?: DigestShape }> {
    const days = new Map<string, DigestDay>();
    let shape: DigestShape | undefined;
    const dayOf = (day: string) => {
      let x = days.get(day);
      if (!x) {
        x = { entries: [], sent: false };
        days.set(day, x);
      }
      return x;
    };
    for (const item of await queryAll(this.doc, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND sk >= :from',
      ExpressionAttributeValues: { ':pk': keys.digests().pk, ':from': from },
    })) {
      const sk = String(item.sk);
      if (sk === keys.digestShape().sk) shape = { since: String(item.since), earlierDone: item.earlierDone === true };
      else if (sk.endsWith('#SENT')) dayOf(sk.slice(0, -'#SENT'.length)).sent = true;
      else dayOf(sk.slice(0, sk.indexOf('#E#'))).entries.push(strip<DigestEntry>(item) as DigestEntry);
    }
    return { days, shape };
  }

  /** Notes that hand-backs go to the one partition from `day` on, unless that was noted before; the stored start. */
  async startDigestShape(day: string): Promise<DigestShape> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...keys.digestShape(), since: day, earlierDone: false },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { since: day, earlierDone: false };
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: keys.digestShape(), ConsistentRead: true }));
      return { since: String(r.Item?.since), earlierDone: r.Item?.earlierDone === true };
    }
  }

  /** Every day an earlier version may have noted hand-backs for is done: their partitions are not read again. */
  async endEarlierDigests(): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.digestShape(),
        UpdateExpression: 'SET earlierDone = :t',
        ExpressionAttributeValues: { ':t': true },
      }),
    );
  }

  /** A day's hand-backs as an earlier version noted them (its own partition), and whether it marked that digest sent. */
  async digestDayBefore(day: string): Promise<DigestDay> {
    const out: DigestDay = { entries: [], sent: false };
    for (const item of await queryPrefix(this.doc, this.table, keys.digestDayBefore(day).pk, '')) {
      if (item.sk === keys.digestSentBefore(day).sk) out.sent = true;
      else out.entries.push(strip<DigestEntry>(item) as DigestEntry);
    }
    return out;
  }

  async markDigestSent(day: string, at: string): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...keys.digestSent(day), at, ttl: ttlFrom(at) } }));
  }
}

const built = new WeakMap<object, DynamoHandbacks>();
/** The hand-back records of the process's deps, built on first use from its DynamoDB client. */
export function handbacksOf(d: Pick<Deps, 'aws' | 'env'>): DynamoHandbacks {
  let handbacks = built.get(d.aws);
  if (!handbacks) {
    handbacks = new DynamoHandbacks(d.aws.doc, d.env.TABLE_NAME);
    built.set(d.aws, handbacks);
  }
  return handbacks;
}
