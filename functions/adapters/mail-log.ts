/**
 * The mail log (the send-once guard, and what happened to each mail: claimed, sent, delivered) and
 * the list of suppressed addresses SES reported as bouncing or complaining.
 *
 * One item per (dialogue, step), `MAIL#<step>`, holds the step's recipients in the map `r`
 * (contact id → a compact entry), so a step's mails are claimed in one conditional write and
 * recorded in one more. Earlier versions kept an item per recipient, `MAIL#<step>#<contact>`:
 * those are still read (the console's list, SES events, the guard of a step they claimed) and
 * updated where they are; nothing new is written in that shape.
 */

import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { MailLog, MailRecord, SuppressionList } from '#core/ports.ts';
import { keys } from './table-model.ts';
import { isTransient, TransientError } from './transient.ts';
import { isConditionFailure, queryPrefix, strip } from './dynamo.ts';

/** One recipient's mail in a step item: short names and epoch milliseconds keep the item small. */
interface Entry {
  /** Address. */
  e: string;
  /** Status. */
  s: MailRecord['status'];
  /** Claimed, sent, unconfirmed at; the link's expiry. */
  c: number;
  t?: number;
  u?: number;
  l?: number;
  /** SES's message id. */
  p?: string;
  delivery?: MailRecord['delivery'];
}

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

const toEntry = (r: MailRecord): Entry => ({
  e: r.email,
  s: r.status,
  c: Date.parse(r.claimedAt),
  ...(r.linkExpiresAt ? { l: Date.parse(r.linkExpiresAt) } : {}),
});

const fromEntry = (dialogueId: string, step: string, contactId: string, x: Entry): MailRecord => ({
  dialogueId,
  step,
  contactId,
  email: x.e,
  status: x.s,
  claimedAt: iso(x.c) as string,
  ...(x.l !== undefined ? { linkExpiresAt: iso(x.l) } : {}),
  ...(x.t !== undefined ? { sentAt: iso(x.t) } : {}),
  ...(x.p !== undefined ? { providerMessageId: x.p } : {}),
  ...(x.delivery ? { delivery: x.delivery } : {}),
});

/** The records an item holds: a step item's recipients, or an earlier version's single record. */
function recordsOf(dialogueId: string, item: Record<string, unknown>): MailRecord[] {
  const sk = String(item.sk);
  if (item.r && typeof item.r === 'object') {
    const step = sk.slice('MAIL#'.length);
    return Object.entries(item.r as Record<string, Entry>).map(([contactId, x]) => fromEntry(dialogueId, step, contactId, x));
  }
  return [{ ...(strip<MailRecord>(item) as MailRecord), legacy: true }];
}

/** `#n0`, `#n1`, … for the map keys (contact ids) an expression names. */
const names = (contactIds: readonly string[]): Record<string, string> => Object.fromEntries(contactIds.map((c, i) => [`#n${i}`, c]));

export class DynamoMailLog implements MailLog {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    /** Personal data: each record expires (DynamoDB TTL) this many days after its (first) claim. */
    private readonly retentionDays = 400,
  ) {}

  /** The step's records so far: its item's and an earlier version's per-recipient ones (one Query). */
  private async stepRecords(dialogueId: string, step: string, consistent: boolean) {
    const { pk, sk } = keys.mailStep(dialogueId, step);
    const r = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': pk, ':from': sk, ':to': `${sk}#\uffff` },
        ConsistentRead: consistent,
      }),
    );
    const items = (r.Items ?? []).filter((i) => i.sk === sk || String(i.sk).startsWith(`${sk}#`));
    const records = new Map(items.flatMap((i) => recordsOf(dialogueId, i)).map((m) => [m.contactId, m]));
    return { stored: items.some((i) => i.sk === sk), records };
  }

  async claim(dialogueId: string, step: string, wanted: readonly MailRecord[]): Promise<{ record: MailRecord; fresh: boolean }[]> {
    const key = keys.mailStep(dialogueId, step);
    const claimed = new Map<string, { record: MailRecord; fresh: boolean }>();
    // Eventually consistent: a claim it misses fails the conditional write below, which reads again.
    let known = await this.stepRecords(dialogueId, step, false);
    for (let attempt = 0; ; attempt++) {
      for (const w of wanted) {
        const found = known.records.get(w.contactId);
        if (found && !claimed.has(w.contactId)) claimed.set(w.contactId, { record: found, fresh: false });
      }
      const todo = [...new Map(wanted.filter((w) => !claimed.has(w.contactId)).map((w) => [w.contactId, w])).values()];
      if (todo.length === 0) break;
      try {
        if (!known.stored) {
          const ttl = Math.floor(Date.parse(todo[0]?.claimedAt ?? '') / 1000) + this.retentionDays * 86_400;
          await this.doc.send(
            new PutCommand({
              TableName: this.table,
              Item: { ...key, r: Object.fromEntries(todo.map((w) => [w.contactId, toEntry(w)])), ttl },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          );
        } else {
          const ids = todo.map((w) => w.contactId);
          await this.doc.send(
            new UpdateCommand({
              TableName: this.table,
              Key: key,
              UpdateExpression: `SET ${ids.map((_, i) => `r.#n${i} = :v${i}`).join(', ')}`,
              ConditionExpression: ['attribute_exists(pk)', ...ids.map((_, i) => `attribute_not_exists(r.#n${i})`)].join(' AND '),
              ExpressionAttributeNames: names(ids),
              ExpressionAttributeValues: Object.fromEntries(todo.map((w, i) => [`:v${i}`, toEntry(w)])),
            }),
          );
        }
        for (const w of todo) claimed.set(w.contactId, { record: w, fresh: true });
        break;
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
        if (attempt >= 4) throw new TransientError(`the mail step ${step} of ${dialogueId} keeps changing; will retry`);
        known = await this.stepRecords(dialogueId, step, true);
      }
    }
    return wanted.map((w) => claimed.get(w.contactId) as { record: MailRecord; fresh: boolean });
  }

  async settle(
    dialogueId: string,
    step: string,
    outcome: { sent: readonly { record: MailRecord; providerMessageId: string }[]; released: readonly MailRecord[] },
    at: Date,
  ): Promise<void> {
    const { sent, released } = outcome;
    if (sent.length === 0 && released.length === 0) return;
    const key = keys.mailStep(dialogueId, step);
    const ids = [...sent.map((x) => x.record.contactId), ...released.map((r) => r.contactId)];
    const set = sent.map((_, i) => `r.#n${i}.s = :sent, r.#n${i}.t = :at, r.#n${i}.p = :p${i}`);
    const remove = released.map((_, j) => `r.#n${sent.length + j}`);
    const values: Record<string, unknown> = {
      ...(sent.length > 0 ? { ':sent': 'sent', ':at': at.getTime() } : {}),
      ...Object.fromEntries(sent.map((x, i) => [`:p${i}`, x.providerMessageId])),
      ...(released.length > 0 ? { ':sending': 'sending' } : {}),
      ...Object.fromEntries(released.map((r, j) => [`:c${j}`, Date.parse(r.claimedAt)])),
    };
    // A claim is given up only while it is still this attempt's (nothing went out: a claim left
    // behind would leave the recipient to the reminder, so a throttled write is tried again).
    const condition = released.map((_, j) => `r.#n${sent.length + j}.s = :sending AND r.#n${sent.length + j}.c = :c${j}`);
    for (let attempt = 0; ; attempt++) {
      try {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: key,
            UpdateExpression: [set.length > 0 ? `SET ${set.join(', ')}` : '', remove.length > 0 ? `REMOVE ${remove.join(', ')}` : '']
              .filter(Boolean)
              .join(' '),
            ...(condition.length > 0 ? { ConditionExpression: condition.join(' AND ') } : {}),
            ExpressionAttributeNames: names(ids),
            ExpressionAttributeValues: values,
          }),
        );
        return;
      } catch (e) {
        if (isConditionFailure(e)) {
          // Another attempt took over one of the released claims: record the sends, release the rest one by one.
          if (sent.length > 0) await this.settle(dialogueId, step, { sent, released: [] }, at);
          if (released.length > 1) for (const r of released) await this.settle(dialogueId, step, { sent: [], released: [r] }, at);
          return;
        }
        if (attempt >= 4 || !isTransient(e)) throw e;
        await new Promise((ok) => setTimeout(ok, 100 * 2 ** attempt));
      }
    }
  }

  async markUnconfirmed(records: readonly MailRecord[], at: Date): Promise<number> {
    let moved = 0;
    for (const record of records) {
      try {
        await this.doc.send(
          new UpdateCommand(
            record.legacy
              ? {
                  TableName: this.table,
                  Key: keys.mail(record.dialogueId, record.step, record.contactId),
                  UpdateExpression: 'SET #s = :u, unconfirmedAt = :at',
                  ConditionExpression: '#s = :sending',
                  ExpressionAttributeNames: { '#s': 'status' },
                  ExpressionAttributeValues: { ':u': 'unconfirmed', ':sending': 'sending', ':at': at.toISOString() },
                }
              : {
                  TableName: this.table,
                  Key: keys.mailStep(record.dialogueId, record.step),
                  UpdateExpression: 'SET r.#n0.s = :u, r.#n0.u = :at',
                  ConditionExpression: 'r.#n0.s = :sending',
                  ExpressionAttributeNames: names([record.contactId]),
                  ExpressionAttributeValues: { ':u': 'unconfirmed', ':sending': 'sending', ':at': at.getTime() },
                },
          ),
        );
        moved++;
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
      }
    }
    return moved;
  }

  async markDelivery(record: MailRecord, delivery: NonNullable<MailRecord['delivery']>): Promise<boolean> {
    // A redelivered event (EventBridge is at-least-once) changes nothing; a bounce may follow a delivery.
    const values = { ':d': delivery, ':o': delivery.outcome, ':delivered': 'delivered' };
    try {
      await this.doc.send(
        new UpdateCommand(
          record.legacy
            ? {
                TableName: this.table,
                Key: keys.mail(record.dialogueId, record.step, record.contactId),
                UpdateExpression: 'SET delivery = :d',
                ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#d) OR (#d.#o <> :o AND #d.#o = :delivered))',
                ExpressionAttributeNames: { '#d': 'delivery', '#o': 'outcome' },
                ExpressionAttributeValues: values,
              }
            : {
                TableName: this.table,
                Key: keys.mailStep(record.dialogueId, record.step),
                UpdateExpression: 'SET r.#n0.delivery = :d',
                ConditionExpression:
                  'attribute_exists(r.#n0) AND (attribute_not_exists(r.#n0.delivery) OR (r.#n0.delivery.#o <> :o AND r.#n0.delivery.#o = :delivered))',
                ExpressionAttributeNames: { ...names([record.contactId]), '#o': 'outcome' },
                ExpressionAttributeValues: values,
              },
        ),
      );
      return true;
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      return false;
    }
  }

  async list(dialogueId: string): Promise<MailRecord[]> {
    const { pk, skPrefix } = keys.mailPrefix(dialogueId);
    const items = await queryPrefix(this.doc, this.table, pk, skPrefix);
    // By step, then recipient: the order the per-recipient items of earlier versions had.
    const order = (m: MailRecord) => `${m.step}#${m.contactId}`;
    return items.flatMap((i) => recordsOf(dialogueId, i)).sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  }
}

export class DynamoSuppressionList implements SuppressionList {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async isSuppressed(email: string): Promise<boolean> {
    // Eventually consistent (half a read unit): a suppression is written by the bounce event, seconds after a send at the earliest.
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: keys.suppressed(email) }));
    return Boolean(r.Item);
  }

  async suppressedAmong(emails: readonly string[]): Promise<Set<string>> {
    const unique = [...new Set(emails)];
    const byPk = new Map(unique.map((e) => [keys.suppressed(e).pk, e]));
    const found = new Set<string>();
    // BatchGetItem takes 100 keys; a step has a few recipients. Eventually consistent (half a read
    // unit each), as isSuppressed: a suppression is written by a bounce event, seconds after a send at the earliest.
    for (let i = 0; i < unique.length; i += 100) {
      let keysLeft: Record<string, unknown>[] | undefined = unique.slice(i, i + 100).map((e) => keys.suppressed(e));
      for (let attempt = 0; keysLeft && keysLeft.length > 0; attempt++) {
        if (attempt >= 5) throw new TransientError('DynamoDB left suppression lookups unprocessed; will retry');
        const r: BatchGetCommandOutput = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keysLeft } } }));
        for (const item of r.Responses?.[this.table] ?? []) {
          const email = byPk.get(String(item.pk));
          if (email !== undefined) found.add(email);
        }
        keysLeft = r.UnprocessedKeys?.[this.table]?.Keys as Record<string, unknown>[] | undefined;
      }
    }
    return found;
  }

  async suppress(email: string, reason: string, at: Date): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          // Kept two years, then the address may be tried again (personal data is not kept for ever).
          Item: { ...keys.suppressed(email), reason, at: at.toISOString(), ttl: Math.floor(at.getTime() / 1000) + 2 * 365 * 86_400 },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      return false;
    }
  }
}
