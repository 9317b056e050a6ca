/**
 * DynamoDB repositories of organisers, dialogues and (read only) stored answer links over the single table. Every
 * write is a single-item conditional write (dynalite has no transactions): the dialogue item
 * carries its state, history and timer together. After a change the dialogue repository keeps the
 * dialogue's facts in the per-cycle facts index (facts-index.ts) and the organiser repository the
 * search words (search-index.ts). Shared helpers: dynamo.ts; the mail log: mail-log.ts.
 */
import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Dialogue, DialogueState } from '#core/dialogue.ts';
import { encodeFacts, factsOf } from '#core/facts.ts';
import type { Organiser } from '#core/organiser.ts';
import type { AnswerLink, DialogueRepository, FactsIndex, LinkRepository, OrganiserRepository, Page, SearchIndex } from '#core/ports.ts';
import { calendarKeys, indexKeys, keys } from './table-model.ts';
import { logger } from './observability.ts';
import { encodeCursor, queryFrom } from './cursor.ts';
import { dialogueItem, unpackDialogue } from './dialogue-item.ts';
import { isConditionFailure, mutateVersioned, strip } from './dynamo.ts';

export class DynamoOrganiserRepository implements OrganiserRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly search: SearchIndex,
  ) {}

  async put(o: Organiser): Promise<void> {
    const previous = await this.get(o.id);
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
    await this.search.index(previous, o);
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
    private readonly facts: FactsIndex,
  ) {}

  /**
   * Keeps the facts index in step with a written version: only when the facts changed. The record
   * is the truth and its change has been made: if this write fails (throttled beyond the SDK's
   * retries) or the process dies before it, the facts are one change behind until the facts sweep
   * (functions/use-cases/facts-upkeep.ts, every tick) or the dialogue's next change writes them; the
   * write is idempotent either way, so the caller's step is never failed for it.
   */
  private async recordFacts(before: Dialogue | undefined, after: Dialogue): Promise<void> {
    const next = factsOf(after);
    if (before && encodeFacts({ ...factsOf(before), version: next.version }) === encodeFacts(next)) return;
    try {
      await this.facts.put(after.cycle, next);
    } catch (e) {
      logger.warn('facts write failed; the next facts sweep writes them', { dialogueId: after.id, error: e as Error });
    }
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
    await this.facts.registerCycle(dialogue.cycle);
    try {
      await this.doc.send(
        new PutCommand({ TableName: this.table, Item: dialogueItem(dialogue), ConditionExpression: 'attribute_not_exists(pk)' }),
      );
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      const found = await this.get(dialogueId);
      if (found) return { created: false, dialogue: found };
      throw e;
    }
    await this.recordFacts(undefined, dialogue);
    return { created: true, dialogue };
  }

  async get(id: string): Promise<Dialogue | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: keys.dialogue(id), ConsistentRead: true }));
    return unpackDialogue(r.Item);
  }

  async mutate(
    id: string,
    change: (current: Dialogue) => Dialogue | undefined,
    known?: Dialogue,
  ): Promise<{ dialogue: Dialogue; changed: boolean }> {
    const { value, changed, previous } = await mutateVersioned(
      this.doc,
      this.table,
      `dialogue ${id}`,
      () => this.get(id),
      dialogueItem,
      change,
      known?.id === id ? known : undefined,
    );
    if (changed) await this.recordFacts(previous, value);
    return { dialogue: value, changed };
  }

  async getMany(ids: readonly string[]): Promise<Dialogue[]> {
    const found = new Map<string, Dialogue>();
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += 100) {
      let keysLeft: Record<string, unknown>[] | undefined = unique.slice(i, i + 100).map((id) => keys.dialogue(id));
      for (let attempt = 0; keysLeft && keysLeft.length > 0; attempt++) {
        if (attempt > 0) await new Promise((ok) => setTimeout(ok, 20 * 2 ** attempt));
        if (attempt === 8) throw new Error('DynamoDB left dialogue reads unprocessed; try again');
        const r = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keysLeft } } }));
        for (const item of r.Responses?.[this.table] ?? []) {
          const x = unpackDialogue(item);
          found.set(x.id, x);
        }
        keysLeft = r.UnprocessedKeys?.[this.table]?.Keys as Record<string, unknown>[] | undefined;
      }
    }
    return ids.flatMap((id) => {
      const x = found.get(id);
      return x ? [x] : [];
    });
  }

  async ofOrganiser(organiserId: string): Promise<{ cycle: string; dialogueId: string }[]> {
    const { pk } = keys.organiserCycle(organiserId, '');
    const r = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': pk, ':p': 'CYCLE#' },
        ScanIndexForward: false,
      }),
    );
    return (r.Items ?? []).map((i) => ({ cycle: String(i.sk).slice('CYCLE#'.length), dialogueId: String(i.dialogueId) }));
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
    return { items: (r.Items ?? []).map((i) => unpackDialogue(i)), cursor: encodeCursor(r.LastEvaluatedKey) };
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
    return { items: (r.Items ?? []).map((i) => unpackDialogue(i)), cursor: encodeCursor(r.LastEvaluatedKey) };
  }
}

/** Answer links stored by earlier versions: read until the last of them expires (new links store nothing). */
export class DynamoLinkRepository implements LinkRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(linkId: string): Promise<AnswerLink | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: keys.link(linkId), ConsistentRead: true }));
    return strip<AnswerLink>(r.Item);
  }
}
