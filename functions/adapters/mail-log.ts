/**
 * The mail log (one record per dialogue, step and recipient: claimed, sent, delivered, and the
 * send-once guard) and the list of suppressed addresses SES reported as bouncing or complaining.
 */

import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { MailLog, MailRecord, SuppressionList } from '#core/ports.ts';
import { keys } from './table-model.ts';
import { isTransient, TransientError } from './transient.ts';
import { isConditionFailure, strip } from './dynamo.ts';

export class DynamoMailLog implements MailLog {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    /** Personal data: each record expires (DynamoDB TTL) this many days after its claim. */
    private readonly retentionDays = 400,
  ) {}

  async claim(record: MailRecord): Promise<{ record: MailRecord; fresh: boolean }> {
    const key = keys.mail(record.dialogueId, record.step, record.contactId);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...record, ...key, ttl: Math.floor(Date.parse(record.claimedAt) / 1000) + this.retentionDays * 86_400 },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { record, fresh: true };
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
      return { record: strip<MailRecord>(r.Item) as MailRecord, fresh: false };
    }
  }

  async markSent(record: MailRecord, providerMessageId: string, at: Date): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.mail(record.dialogueId, record.step, record.contactId),
        UpdateExpression: 'SET #s = :sent, sentAt = :at, providerMessageId = :id',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':sent': 'sent', ':at': at.toISOString(), ':id': providerMessageId },
      }),
    );
  }

  async release(record: MailRecord): Promise<void> {
    // Nothing went out: a claim left behind would leave the recipient to the reminder, so a
    // throttled release is tried again beyond the SDK's own retries (it is an idempotent delete).
    for (let attempt = 0; ; attempt++) {
      try {
        await this.doc.send(
          new DeleteCommand({
            TableName: this.table,
            Key: keys.mail(record.dialogueId, record.step, record.contactId),
            ConditionExpression: '#s = :sending AND claimedAt = :c',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':sending': 'sending', ':c': record.claimedAt },
          }),
        );
        return;
      } catch (e) {
        if (isConditionFailure(e)) return;
        if (attempt >= 4 || !isTransient(e)) throw e;
        await new Promise((ok) => setTimeout(ok, 100 * 2 ** attempt));
      }
    }
  }

  async markUnconfirmed(record: MailRecord, at: Date): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.mail(record.dialogueId, record.step, record.contactId),
          UpdateExpression: 'SET #s = :u, unconfirmedAt = :at',
          ConditionExpression: '#s = :sending',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':u': 'unconfirmed', ':sending': 'sending', ':at': at.toISOString() },
        }),
      );
      return true;
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      return false;
    }
  }

  async markDelivery(record: MailRecord, delivery: NonNullable<MailRecord['delivery']>): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.mail(record.dialogueId, record.step, record.contactId),
          UpdateExpression: 'SET delivery = :d',
          // A redelivered event (EventBridge is at-least-once) changes nothing; a bounce may follow a delivery.
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#d) OR (#d.#o <> :o AND #d.#o = :delivered))',
          ExpressionAttributeNames: { '#d': 'delivery', '#o': 'outcome' },
          ExpressionAttributeValues: { ':d': delivery, ':o': delivery.outcome, ':delivered': 'delivered' },
        }),
      );
      return true;
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      return false;
    }
  }

  async list(dialogueId: string): Promise<MailRecord[]> {
    const { pk, skPrefix } = keys.mailPrefix(dialogueId);
    const r = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': pk, ':p': skPrefix },
      }),
    );
    return (r.Items ?? []).map((i) => strip<MailRecord>(i) as MailRecord);
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
    // BatchGetItem takes 100 keys; an invitation has two or three recipients.
    for (let i = 0; i < unique.length; i += 100) {
      let keysLeft: Record<string, unknown>[] | undefined = unique.slice(i, i + 100).map((e) => keys.suppressed(e));
      for (let attempt = 0; keysLeft && keysLeft.length > 0; attempt++) {
        if (attempt >= 5) throw new TransientError('DynamoDB left suppression lookups unprocessed; will retry');
        const r: BatchGetCommandOutput = await this.doc.send(
          new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keysLeft, ConsistentRead: true } } }),
        );
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
