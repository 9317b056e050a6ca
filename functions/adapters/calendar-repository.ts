/**
 * DynamoDB repository for the inspection calendar (keys in table-model.ts `calendarKeys`). Every
 * write is a single-item write; an inspection is stored twice (by external id, and under its
 * organiser for the clash check), written copy-first so a retry after a crash repairs the pair.
 */
import { randomUUID } from 'node:crypto';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AuditEntry, CalendarRepository, ConflictRecord } from '#core/calendar-ports.ts';
import type { PlannedItem } from '#core/clash.ts';
import type { Inspection } from '#core/inspection.ts';
import type { Page } from '#core/ports.ts';
import { encodeCursor, queryFrom } from './cursor.ts';
import { queryPrefix, strip } from './dynamo.ts';
import { indexKeys, calendarKeys as k } from './table-model.ts';

export class DynamoCalendarRepository implements CalendarRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private async batchGet(keys: Record<string, string>[]): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    for (let i = 0; i < keys.length; i += 100) {
      let pending: Record<string, unknown>[] | undefined = keys.slice(i, i + 100);
      for (let attempt = 0; pending?.length && attempt < 10; attempt++) {
        const r: BatchGetCommandOutput = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: pending } } }));
        out.push(...(r.Responses?.[this.table] ?? []));
        pending = r.UnprocessedKeys?.[this.table]?.Keys;
      }
      if (pending?.length) throw new Error('DynamoDB left keys unprocessed after 10 attempts');
    }
    return out;
  }

  private queryAll(pk: string, skPrefix: string): Promise<Record<string, unknown>[]> {
    return queryPrefix(this.doc, this.table, pk, skPrefix);
  }

  async putOrgNumber(orgNumber: string, organiserId: string): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...k.orgNumber(orgNumber), orgNumber, organiserId } }));
  }

  async resolveOrgNumbers(orgNumbers: readonly string[]): Promise<Map<string, string>> {
    const items = await this.batchGet([...new Set(orgNumbers)].map((n) => k.orgNumber(n)));
    return new Map(items.map((i) => [String(i.orgNumber), String(i.organiserId)]));
  }

  async getInspection(externalId: string): Promise<Inspection | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: k.inspection(externalId), ConsistentRead: true }));
    return r.Item ? strip<Inspection>(r.Item) : undefined;
  }

  async getInspections(externalIds: readonly string[]): Promise<Map<string, Inspection>> {
    const items = await this.batchGet([...new Set(externalIds)].map((id) => k.inspection(id)));
    return new Map(items.map((i) => [String(i.externalId), strip<Inspection>(i)]));
  }

  async saveInspection(next: Inspection, previous?: Inspection): Promise<void> {
    await this.doc.send(
      new PutCommand({ TableName: this.table, Item: { ...next, ...k.organiserInspection(next.organiserId, next.externalId) } }),
    );
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...next, ...k.inspection(next.externalId), ...indexKeys.inspectionKind(next.start, next.externalId) },
      }),
    );
    if (previous && previous.organiserId !== next.organiserId) {
      await this.doc.send(
        new DeleteCommand({ TableName: this.table, Key: k.organiserInspection(previous.organiserId, previous.externalId) }),
      );
    }
  }

  async deleteInspection(i: Inspection): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.table, Key: k.organiserInspection(i.organiserId, i.externalId) }));
    await this.doc.send(new DeleteCommand({ TableName: this.table, Key: k.inspection(i.externalId) }));
  }

  async inspectionsOf(organiserId: string): Promise<Inspection[]> {
    const { pk, skPrefix } = k.organiserInspectionPrefix(organiserId);
    return (await this.queryAll(pk, skPrefix)).map((i) => strip<Inspection>(i));
  }

  /**
   * Inspections starting in [fromDay, toDay] by start day, from the byKind index (never a Scan);
   * at most `budget` items read per call, `cursor` continues.
   */
  async inspectionsStarting(fromDay: string, toDay: string, budget: number, cursor?: string): Promise<Page<Inspection>> {
    const range = { from: fromDay, to: `${toDay}#\uffff` };
    const r = await queryFrom(
      this.doc,
      {
        TableName: this.table,
        IndexName: 'byKind',
        KeyConditionExpression: 'kindPk = :k AND kindSk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':k': 'INSPECTION', ':from': range.from, ':to': range.to },
        Limit: budget,
      },
      cursor,
      { index: 'byKind', partition: 'INSPECTION', range },
    );
    return { items: (r.Items ?? []).map((i) => strip<Inspection>(i)), cursor: encodeCursor(r.LastEvaluatedKey) };
  }

  async putPlanned(item: PlannedItem): Promise<void> {
    await this.doc.send(
      new PutCommand({ TableName: this.table, Item: { ...item, ...k.planned(item.organiserId, item.dialogueId, item.step) } }),
    );
  }

  async deletePlanned(organiserId: string, dialogueId: string, step: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.table, Key: k.planned(organiserId, dialogueId, step) }));
  }

  async plannedOf(organiserId: string): Promise<PlannedItem[]> {
    const { pk, skPrefix } = k.plannedPrefix(organiserId);
    return (await this.queryAll(pk, skPrefix)).map((i) => strip<PlannedItem>(i));
  }

  async putConflict(record: ConflictRecord): Promise<void> {
    await this.doc.send(
      new PutCommand({ TableName: this.table, Item: { ...record, ...k.conflict(record.plannedStart.slice(0, 10), record.dialogueId) } }),
    );
  }

  async deleteConflict(plannedDay: string, dialogueId: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.table, Key: k.conflict(plannedDay, dialogueId) }));
  }

  async listConflicts(fromDay: string, toDay: string, limit: number, cursor?: string): Promise<Page<ConflictRecord>> {
    const range = { from: fromDay, to: `${toDay}#\uffff` };
    const r = await queryFrom(
      this.doc,
      {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': 'CONFLICT', ':from': range.from, ':to': range.to },
        Limit: limit,
      },
      cursor,
      { partition: 'CONFLICT', range },
    );
    return { items: (r.Items ?? []).map((i) => strip<ConflictRecord>(i)), cursor: encodeCursor(r.LastEvaluatedKey) };
  }

  async audit(entry: AuditEntry): Promise<void> {
    await this.doc.send(
      new PutCommand({ TableName: this.table, Item: { ...entry, ...k.audit(entry.at.slice(0, 10), entry.at, randomUUID().slice(0, 8)) } }),
    );
  }

  async listAudit(day: string, limit: number, cursor?: string): Promise<Page<AuditEntry>> {
    const r = await queryFrom(
      this.doc,
      {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `AUDIT#${day}` },
        Limit: limit,
      },
      cursor,
      { partition: `AUDIT#${day}` },
    );
    return { items: (r.Items ?? []).map((i) => strip<AuditEntry>(i)), cursor: encodeCursor(r.LastEvaluatedKey) };
  }
}
