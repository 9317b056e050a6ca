/**
 * DynamoDB repositories over the single table. Every write is a single-item conditional write
 * (dynalite has no transactions): the dialogue item carries its state, history and timer together.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Dialogue, DialogueState } from '#core/dialogue.ts';
import { ConflictError } from '#core/errors.ts';
import type { Organiser } from '#core/organiser.ts';
import type {
  AnswerLink,
  DialogueRepository,
  LinkRepository,
  MailLog,
  MailRecord,
  OrganiserRepository,
  Page,
  SuppressionList,
} from '#core/ports.ts';
import { encodeCursor, queryFrom } from './cursor.ts';
import { calendarKeys, indexKeys, keys } from './table-model.ts';
import { TransientError } from './transient.ts';

/** A conditional write whose condition did not hold (the SDK's class, or its name across copies). */
export const isConditionFailure = (e: unknown): boolean =>
  e instanceof ConditionalCheckFailedException || (e as { name?: string })?.name === 'ConditionalCheckFailedException';

/**
 * Optimistic locking for an item that carries a `version`: read, apply `change`, write back only if
 * nobody wrote in between, retrying on a concurrent write. `change` returns undefined to leave the
 * item as it is. The one read-modify-write every versioned item uses.
 */
export async function mutateVersioned<T extends { version: number }>(
  doc: DynamoDBDocumentClient,
  table: string,
  what: string,
  load: () => Promise<T | undefined>,
  toItem: (value: T) => Record<string, unknown>,
  change: (current: T) => T | undefined,
  known?: T,
): Promise<{ value: T; changed: boolean }> {
  for (let attempt = 0; attempt < 8; attempt++) {
    // A copy the caller just read saves the first read; if it is stale the conditional put fails and we read.
    const current = attempt === 0 && known ? known : await load();
    if (!current) throw new ConflictError(`${what} does not exist`);
    const next = change(structuredClone(current));
    if (!next) return { value: current, changed: false };
    const written = { ...next, version: current.version + 1 };
    try {
      await doc.send(
        new PutCommand({
          TableName: table,
          Item: toItem(written),
          ConditionExpression: 'version = :v',
          ExpressionAttributeValues: { ':v': current.version },
        }),
      );
      return { value: written, changed: true };
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
    }
  }
  throw new ConflictError(`${what} is being changed by someone else; try again`);
}

/**
 * Puts or deletes (`PutRequest` / `DeleteRequest` entries) 25 per BatchWriteItem, retrying what
 * DynamoDB leaves unprocessed with back-off. Each entry is an idempotent overwrite or delete.
 */
export async function batchWriteAll(
  doc: DynamoDBDocumentClient,
  table: string,
  requests: readonly Record<string, unknown>[],
  what: string,
): Promise<void> {
  for (let i = 0; i < requests.length; i += 25) {
    let batch = requests.slice(i, i + 25);
    for (let attempt = 0; batch.length > 0; attempt++) {
      if (attempt === 8) throw new Error(`could not write ${what}; try again`);
      if (attempt > 0) await new Promise((ok) => setTimeout(ok, 50 * 2 ** attempt));
      const r = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: batch as never } }));
      batch = (r.UnprocessedItems?.[table] ?? []) as Record<string, unknown>[];
    }
  }
}

/** Every item of one partition whose sort key starts with `skPrefix` (all of it for ''), all pages. */
export async function queryPrefix(
  doc: DynamoDBDocumentClient,
  table: string,
  pk: string,
  skPrefix: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const r = await doc.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: skPrefix ? 'pk = :pk AND begins_with(sk, :p)' : 'pk = :pk',
        ExpressionAttributeValues: skPrefix ? { ':pk': pk, ':p': skPrefix } : { ':pk': pk },
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(r.Items ?? []));
    start = r.LastEvaluatedKey;
  } while (start);
  return items;
}

/** An item without the table's key and index attributes: the stored value itself. */
export function strip<T>(item: Record<string, unknown>): T;
export function strip<T>(item: Record<string, unknown> | undefined): T | undefined;
export function strip<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (!item) return undefined;
  const { pk, sk, kindPk, kindSk, statePk, stateSk, duePk, dueSk, ttl, ...rest } = item;
  return rest as T;
}

export class DynamoOrganiserRepository implements OrganiserRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async put(o: Organiser): Promise<void> {
    await this.doc.send(
      new PutCommand({ TableName: this.table, Item: { ...o, ...keys.organiser(o.id), ...indexKeys.organiserKind(o.name, o.id) } }),
    );
    // The inspectorate knows organisers by org. number (issue 4): keep the look-up next to the profile.
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...calendarKeys.orgNumber(o.orgNumber), orgNumber: o.orgNumber, organiserId: o.id },
      }),
    );
  }

  async get(id: string): Promise<Organiser | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: keys.organiser(id) }));
    return strip<Organiser>(r.Item);
  }

  async list(limit: number, cursor?: string): Promise<Page<Organiser>> {
    const r = await queryFrom(
      this.doc,
      {
        TableName: this.table,
        IndexName: 'byKind',
        KeyConditionExpression: 'kindPk = :k',
        ExpressionAttributeValues: { ':k': 'ORGANISER' },
        Limit: limit,
      },
      cursor,
      { index: 'byKind', partition: 'ORGANISER' },
    );
    return { items: (r.Items ?? []).map((i) => strip<Organiser>(i) as Organiser), cursor: encodeCursor(r.LastEvaluatedKey) };
  }
}

export class DynamoDialogueRepository implements DialogueRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private item(d: Dialogue): Record<string, unknown> {
    return {
      ...d,
      ...keys.dialogue(d.id),
      ...indexKeys.dialogueKind(d.createdAt, d.id),
      ...indexKeys.dialogueState(d.state, d.updatedAt, d.id),
      ...(d.dueAt ? indexKeys.due(d.dueAt, d.id) : {}),
    };
  }

  async create(d: Dialogue): Promise<{ created: boolean; dialogue: Dialogue }> {
    const guard = keys.organiserCycle(d.organiserId, d.cycle);
    let dialogueId = d.id;
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...guard, dialogueId: d.id, createdAt: d.createdAt },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      const existing = await this.doc.send(new GetCommand({ TableName: this.table, Key: guard, ConsistentRead: true }));
      dialogueId = String(existing.Item?.dialogueId);
      const found = await this.get(dialogueId);
      if (found) return { created: false, dialogue: found };
      // The guard was written but the dialogue was not (a crash between the two writes): finish it.
    }
    const dialogue = { ...d, id: dialogueId };
    try {
      await this.doc.send(
        new PutCommand({ TableName: this.table, Item: this.item(dialogue), ConditionExpression: 'attribute_not_exists(pk)' }),
      );
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      const found = await this.get(dialogueId);
      if (found) return { created: false, dialogue: found };
      throw e;
    }
    return { created: true, dialogue };
  }

  async get(id: string): Promise<Dialogue | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: keys.dialogue(id), ConsistentRead: true }));
    return strip<Dialogue>(r.Item);
  }

  async mutate(
    id: string,
    change: (current: Dialogue) => Dialogue | undefined,
    known?: Dialogue,
  ): Promise<{ dialogue: Dialogue; changed: boolean }> {
    const { value, changed } = await mutateVersioned(
      this.doc,
      this.table,
      `dialogue ${id}`,
      () => this.get(id),
      (x) => this.item(x),
      change,
      known?.id === id ? known : undefined,
    );
    return { dialogue: value, changed };
  }

  async list(filter: { state?: DialogueState }, limit: number, cursor?: string): Promise<Page<Dialogue>> {
    const byState = filter.state !== undefined;
    const index = byState ? 'byState' : 'byKind';
    const partition = byState ? `DIALOGUE#${filter.state}` : 'DIALOGUE';
    const r = await queryFrom(
      this.doc,
      {
        TableName: this.table,
        IndexName: index,
        KeyConditionExpression: byState ? 'statePk = :k' : 'kindPk = :k',
        ExpressionAttributeValues: { ':k': partition },
        ScanIndexForward: byState,
        Limit: limit,
      },
      cursor,
      { index, partition },
    );
    return { items: (r.Items ?? []).map((i) => strip<Dialogue>(i) as Dialogue), cursor: encodeCursor(r.LastEvaluatedKey) };
  }

  async listDue(now: Date, limit: number): Promise<Dialogue[]> {
    const r = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'byDue',
        KeyConditionExpression: 'duePk = :k AND dueSk <= :now',
        ExpressionAttributeValues: { ':k': 'DUE', ':now': `${now.toISOString()}#\uffff` },
        Limit: limit,
      }),
    );
    return (r.Items ?? []).map((i) => strip<Dialogue>(i) as Dialogue);
  }
}

export class DynamoLinkRepository implements LinkRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async put(link: AnswerLink): Promise<void> {
    const ttl = Math.floor(new Date(link.expiresAt).getTime() / 1000) + 30 * 86_400;
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...link, ...keys.link(link.linkId), ttl } }));
  }

  async get(linkId: string): Promise<AnswerLink | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: keys.link(linkId), ConsistentRead: true }));
    return strip<AnswerLink>(r.Item);
  }

  async markUsed(linkId: string, at: Date): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.link(linkId),
          UpdateExpression: 'SET usedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(usedAt)',
          ExpressionAttributeValues: { ':at': at.toISOString() },
        }),
      );
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
    }
  }
}

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
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
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
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: keys.suppressed(email), ConsistentRead: true }));
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
