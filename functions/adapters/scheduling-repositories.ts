/**
 * DynamoDB repositories for facilitators and intro sessions. A facilitator's calendar (its
 * bookings and blocks) lives on its own item, so "is this facilitator free, then book" is one
 * conditional write with a version check: two bookings can never both land on the same time.
 * Old calendar entries are pruned on every write to keep the item small.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '#core/errors.ts';
import type { Facilitator } from '#core/facilitators.ts';
import type { IntroSession } from '#core/intro-sessions.ts';
import type { Meeting } from '#core/meetings.ts';
import type { FacilitatorRepository, IntroSessionRepository, MeetingRepository, StoredFacilitator } from '#core/ports.ts';
import { isConditionFailure, mutateVersioned, queryAll, strip } from './dynamo.ts';
import { indexKeys, keys } from './table-model.ts';

/** Calendar entries that ended this long ago are dropped (they no longer affect any proposal). */
const KEEP_PAST_MS = 30 * 86_400_000;

export class DynamoFacilitatorRepository implements FacilitatorRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private item(f: StoredFacilitator) {
    return { ...f, ...keys.facilitator(f.id), ...indexKeys.facilitatorKind(f.agency, f.name, f.id) };
  }

  async upsert(f: Facilitator, now: Date): Promise<{ facilitator: StoredFacilitator; created: boolean }> {
    const at = now.toISOString();
    const fresh: StoredFacilitator = { ...f, calendar: [], createdAt: at, updatedAt: at, version: 1 };
    try {
      await this.doc.send(
        new PutCommand({ TableName: this.table, Item: this.item(fresh), ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      return { facilitator: fresh, created: true };
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
    }
    const { facilitator } = await this.mutate(f.id, (x) => ({ ...x, ...f, updatedAt: at }));
    return { facilitator, created: false };
  }

  async get(id: string): Promise<StoredFacilitator | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: keys.facilitator(id) }));
    return strip<StoredFacilitator>(r.Item);
  }

  async list(): Promise<StoredFacilitator[]> {
    const items = await queryAll(this.doc, {
      TableName: this.table,
      IndexName: 'byKind',
      KeyConditionExpression: 'kindPk = :k',
      ExpressionAttributeValues: { ':k': 'FACILITATOR' },
    });
    return items.map((i) => strip<StoredFacilitator>(i) as StoredFacilitator);
  }

  async mutate(
    id: string,
    change: (current: StoredFacilitator) => StoredFacilitator | undefined,
    known?: StoredFacilitator,
  ): Promise<{ facilitator: StoredFacilitator; changed: boolean }> {
    const { value, changed } = await mutateVersioned(
      this.doc,
      this.table,
      `facilitator ${id}`,
      () => this.get(id),
      (x) => this.item(x),
      (current) => {
        const next = change(current);
        if (!next) return undefined;
        // Bookings and blocks further back than KEEP_PAST_MS are dropped as the item is rewritten.
        const horizon = Date.parse(next.updatedAt) - KEEP_PAST_MS;
        return {
          ...next,
          calendar: next.calendar.filter((c) => Date.parse(c.end) >= horizon).sort((a, b) => a.start.localeCompare(b.start)),
        };
      },
      known?.id === id ? known : undefined,
    );
    return { facilitator: value, changed };
  }
}

export class DynamoIntroSessionRepository implements IntroSessionRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private item(s: IntroSession) {
    return { ...s, ...keys.introSession(s.id), ...indexKeys.introSessionKind(s.region, s.start, s.id) };
  }

  async create(s: IntroSession): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: this.item(s), ConditionExpression: 'attribute_not_exists(pk)' }));
  }

  async get(id: string): Promise<IntroSession | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: keys.introSession(id) }));
    return strip<IntroSession>(r.Item);
  }

  async list(region?: string): Promise<IntroSession[]> {
    const items = await queryAll(this.doc, {
      TableName: this.table,
      IndexName: 'byKind',
      KeyConditionExpression: region ? 'kindPk = :k AND begins_with(kindSk, :r)' : 'kindPk = :k',
      ExpressionAttributeValues: region ? { ':k': 'INTRO_SESSION', ':r': `${region}#` } : { ':k': 'INTRO_SESSION' },
    });
    return items.map((i) => strip<IntroSession>(i) as IntroSession).sort((a, b) => a.start.localeCompare(b.start));
  }

  async mutate(
    id: string,
    change: (current: IntroSession) => IntroSession | undefined,
  ): Promise<{ session: IntroSession; changed: boolean }> {
    const { value, changed } = await mutateVersioned(
      this.doc,
      this.table,
      `intro session ${id}`,
      () => this.get(id),
      (x) => this.item(x),
      change,
    );
    return { session: value, changed };
  }
}

export class DynamoMeetingRepository implements MeetingRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async create(m: Meeting): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...m, version: 1, ...keys.meeting(m.id) },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    // Pointers after the meeting itself: a crash in between leaves a meeting a re-run can still find by id.
    for (const dialogueId of m.dialogueIds) {
      await this.doc.send(
        new PutCommand({ TableName: this.table, Item: { ...keys.dialogueMeeting(dialogueId, m.id), meetingId: m.id, kind: m.kind } }),
      );
    }
  }

  private async getVersioned(id: string): Promise<(Meeting & { version: number }) | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: keys.meeting(id) }));
    return strip<Meeting & { version: number }>(r.Item);
  }

  async get(id: string): Promise<Meeting | undefined> {
    const m = await this.getVersioned(id);
    if (!m) return undefined;
    const { version, ...meeting } = m;
    return meeting;
  }

  async listForDialogue(dialogueId: string, known: readonly Meeting[] = []): Promise<Meeting[]> {
    const k = keys.dialogueMeetingPrefix(dialogueId);
    const pointers = await queryAll(this.doc, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
      ExpressionAttributeValues: { ':pk': k.pk, ':sk': k.skPrefix },
    });
    const meetings = await Promise.all(
      pointers.map((p) => known.find((m) => m.id === String(p.meetingId)) ?? this.get(String(p.meetingId))),
    );
    return meetings
      .filter((m): m is Meeting => m !== undefined)
      .sort((a, b) => (a.sessions[0]?.start ?? '').localeCompare(b.sessions[0]?.start ?? ''));
  }

  async mutate(id: string, change: (current: Meeting) => Meeting | undefined): Promise<{ meeting: Meeting; changed: boolean }> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const stored = await this.getVersioned(id);
      if (!stored) throw new ConflictError(`meeting ${id} does not exist`);
      const { version, ...current } = stored;
      const next = change(structuredClone(current));
      if (!next) return { meeting: current, changed: false };
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: { ...next, version: version + 1, ...keys.meeting(id) },
            ConditionExpression: 'version = :v',
            ExpressionAttributeValues: { ':v': version },
          }),
        );
        return { meeting: next, changed: true };
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
      }
    }
    throw new ConflictError(`meeting ${id} is being changed by someone else; try again`);
  }
}
