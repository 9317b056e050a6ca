/**
 * DynamoDB repository of the calendar feeds (keys in table-model.ts `feedKeys`): the inspectorate's
 * planned windows under each organiser (also on the byKind index by start, so a period is one
 * Query, never a Scan), each facilitator's windows under the facilitator, and the facilitators'
 * feed keys with a look-up by the key's hash. Windows expire (TTL) a year after they end.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { FeedRepository } from '#core/feed-ports.ts';
import type { FacilitatorWindow, PlannedWindow } from '#core/planned-dates.ts';
import type { Page } from '#core/ports.ts';
import { encodeCursor, queryFrom } from './cursor.ts';
import { batchWriteAll, isConditionFailure, queryPrefix, strip } from './dynamo.ts';
import { feedKeys, indexKeys } from './table-model.ts';

/** Windows are kept this long after they end (the feeds show the past year). */
const KEEP_AFTER_END_S = 400 * 86_400;
const ttlOf = (end: string): number => Math.floor(Date.parse(end) / 1000) + KEEP_AFTER_END_S;
const hashOf = (key: string): string => createHash('sha256').update(key).digest('base64url');

export class DynamoFeedRepository implements FeedRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async windowsOfDialogue(organiserId: string, dialogueId: string): Promise<PlannedWindow[]> {
    const { pk, skPrefix } = feedKeys.plannedWindowPrefix(organiserId, dialogueId);
    return (await queryPrefix(this.doc, this.table, pk, skPrefix)).map((i) => strip<PlannedWindow>(i));
  }

  async windowsOfOrganiser(organiserId: string): Promise<PlannedWindow[]> {
    const { pk, skPrefix } = feedKeys.plannedWindowPrefix(organiserId);
    return (await queryPrefix(this.doc, this.table, pk, skPrefix)).map((i) => strip<PlannedWindow>(i));
  }

  async windowsStarting(fromIso: string, toIso: string, limit: number, cursor?: string): Promise<Page<PlannedWindow>> {
    const r = await queryFrom(
      this.doc,
      {
        TableName: this.table,
        IndexName: 'byKind',
        // kindSk is start#uid: every window starting before `toIso` sorts below it.
        KeyConditionExpression: 'kindPk = :k AND kindSk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':k': 'PLANNED_DATE', ':from': fromIso, ':to': toIso },
        Limit: limit,
      },
      cursor,
      { index: 'byKind', partition: 'PLANNED_DATE', range: { from: fromIso, to: toIso } },
    );
    return { items: (r.Items ?? []).map((i) => strip<PlannedWindow>(i)), cursor: encodeCursor(r.LastEvaluatedKey) };
  }

  async putWindows(windows: readonly PlannedWindow[]): Promise<void> {
    await batchWriteAll(
      this.doc,
      this.table,
      windows.map((w) => ({
        PutRequest: {
          Item: {
            ...w,
            ...feedKeys.plannedWindow(w.organiserId, w.dialogueId, w.uid),
            ...indexKeys.plannedWindow(w.start, w.uid),
            ttl: ttlOf(w.end),
          },
        },
      })),
      'planned dates',
    );
  }

  async facilitatorWindowsOfMeeting(facilitatorId: string, meetingId: string): Promise<FacilitatorWindow[]> {
    const { pk, skPrefix } = feedKeys.facilitatorWindowPrefix(facilitatorId, meetingId);
    return (await queryPrefix(this.doc, this.table, pk, skPrefix)).map((i) => strip<FacilitatorWindow>(i));
  }

  async facilitatorWindows(facilitatorId: string): Promise<FacilitatorWindow[]> {
    const { pk, skPrefix } = feedKeys.facilitatorWindowPrefix(facilitatorId);
    return (await queryPrefix(this.doc, this.table, pk, skPrefix)).map((i) => strip<FacilitatorWindow>(i));
  }

  async putFacilitatorWindows(windows: readonly FacilitatorWindow[]): Promise<void> {
    await batchWriteAll(
      this.doc,
      this.table,
      windows.map((w) => ({
        PutRequest: { Item: { ...w, ...feedKeys.facilitatorWindow(w.facilitatorId, w.meetingId, w.uid), ttl: ttlOf(w.end) } },
      })),
      'facilitator calendar',
    );
  }

  async facilitatorKey(facilitatorId: string): Promise<{ key: string; createdAt: string } | undefined> {
    const r = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: feedKeys.facilitatorFeedKey(facilitatorId), ConsistentRead: true }),
    );
    return r.Item ? { key: String(r.Item.key), createdAt: String(r.Item.createdAt) } : undefined;
  }

  async replaceFacilitatorKey(facilitatorId: string, key: string, previous: string | undefined, now: Date): Promise<boolean> {
    // The look-up first: a crash after it leaves an entry whose key no facilitator holds (refused below).
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...feedKeys.feedKeyLookup(hashOf(key)), facilitatorId } }));
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...feedKeys.facilitatorFeedKey(facilitatorId), key, createdAt: now.toISOString() },
          ...(previous
            ? {
                ConditionExpression: '#key = :previous',
                ExpressionAttributeNames: { '#key': 'key' },
                ExpressionAttributeValues: { ':previous': previous },
              }
            : { ConditionExpression: 'attribute_not_exists(pk)' }),
        }),
      );
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      await this.doc.send(new DeleteCommand({ TableName: this.table, Key: feedKeys.feedKeyLookup(hashOf(key)) }));
      return false;
    }
    if (previous) await this.doc.send(new DeleteCommand({ TableName: this.table, Key: feedKeys.feedKeyLookup(hashOf(previous)) }));
    return true;
  }

  async facilitatorOfKey(key: string): Promise<string | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: feedKeys.feedKeyLookup(hashOf(key)) }));
    const facilitatorId = r.Item?.facilitatorId;
    if (typeof facilitatorId !== 'string') return undefined;
    // Only the facilitator's current key counts (a look-up left by a crash or a rotation does not).
    const current = await this.facilitatorKey(facilitatorId);
    if (!current) return undefined;
    const a = Buffer.from(current.key);
    const b = Buffer.from(key);
    return a.length === b.length && timingSafeEqual(a, b) ? facilitatorId : undefined;
  }
}
