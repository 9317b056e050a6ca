/**
 * DynamoDB repositories of organisers, dialogues and answer links over the single table. Every
 * write is a single-item conditional write (dynalite has no transactions): the dialogue item
 * carries its state, history and timer together. Shared helpers: dynamo.ts; the mail log: mail-log.ts.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Dialogue, DialogueState } from '#core/dialogue.ts';
import type { Organiser } from '#core/organiser.ts';
import type { AnswerLink, DialogueRepository, LinkRepository, OrganiserRepository, Page } from '#core/ports.ts';
import { calendarKeys, indexKeys, keys } from './table-model.ts';
import { encodeCursor, queryFrom } from './cursor.ts';
import { isConditionFailure, mutateVersioned, strip } from './dynamo.ts';

export class DynamoOrganiserRepository implements OrganiserRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async put(o: Organiser): Promise<void> {
    await this.doc.send(
      new PutCommand({ TableName: this.table, Item: { ...o, ...keys.organiser(o.id), ...indexKeys.organiserKind(o.name, o.id) } }),
    );
    // The inspectorate knows organisers by org. number: keep the look-up next to the profile.
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

  async listDue(now: Date, limit: number, cursor?: string): Promise<Page<Dialogue>> {
    const to = `${now.toISOString()}#\uffff`;
    const r = await queryFrom(
      this.doc,
      {
        TableName: this.table,
        IndexName: 'byDue',
        KeyConditionExpression: 'duePk = :k AND dueSk <= :now',
        ExpressionAttributeValues: { ':k': 'DUE', ':now': to },
        Limit: limit,
      },
      cursor,
      { index: 'byDue', partition: 'DUE', range: { to } },
    );
    return { items: (r.Items ?? []).map((i) => strip<Dialogue>(i) as Dialogue), cursor: encodeCursor(r.LastEvaluatedKey) };
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
