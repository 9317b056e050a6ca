/**
 * The per-cycle facts index: every dialogue's facts (functions/core/facts.ts, ~100 characters) in
 * one of 1,024 bucket items of its cycle, spread over 8 partitions (`FACTS#<cycle>#<n>`). One
 * dialogue is one attribute of its bucket, written with `SET` guarded by the record's version, so a
 * retried, repeated or late write never counts a dialogue twice or rolls it back. A cycle's lists,
 * counts and statistics are 8 Queries (~30 RCU at 2,806 dialogues), whatever the number of cycles.
 */
import { createHash } from 'node:crypto';
import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type DialogueFacts, decodeFacts, encodeFacts } from '#core/facts.ts';
import type { FactsIndex, SweepMark } from '#core/ports.ts';
import { isConditionFailure, queryPrefix } from './dynamo.ts';
import { factsKeys } from './table-model.ts';

export const FACT_BUCKETS = 1024;
export const FACT_PARTITIONS = 8;

const UUID_ID = /^dlg-([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/;

/** The attribute a dialogue's facts live under: `u` + its UUID in base64url for `dlg-<uuid>` ids, else `i` + the id. */
export function factAttribute(id: string): string {
  const m = UUID_ID.exec(id);
  return m ? `u${Buffer.from(m.slice(1).join(''), 'hex').toString('base64url')}` : `i${id}`;
}

export function idOfAttribute(name: string): string | undefined {
  if (name.startsWith('i')) return name.slice(1);
  if (!name.startsWith('u') || name.length !== 23) return undefined;
  const hex = Buffer.from(name.slice(1), 'base64url').toString('hex');
  return `dlg-${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const bucketOf = (id: string): number => createHash('sha1').update(id).digest().readUInt16BE(0) % FACT_BUCKETS;

/** The sweep mark is stored at most this often (wall clock); a new process starts from the stored one. */
const SWEEP_MARK_PERSIST_MS = 15 * 60_000;

export class DynamoFactsIndex implements FactsIndex {
  /** The cycles known to this process (they are only ever added). */
  private knownCycles = new Set<string>();
  private mark?: { value: SweepMark; persistedAt: number };

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async put(cycle: string, facts: DialogueFacts): Promise<void> {
    const text = encodeFacts(facts);
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: factsKeys.bucket(cycle, bucketOf(facts.id)),
          UpdateExpression: 'SET #d = :f',
          // The text starts with the fixed-width version: an equal or later one already stored wins.
          ConditionExpression: 'attribute_not_exists(#d) OR #d < :f',
          ExpressionAttributeNames: { '#d': factAttribute(facts.id) },
          ExpressionAttributeValues: { ':f': text },
        }),
      );
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
    }
  }

  async stored(cycle: string, ids: readonly string[]): Promise<Map<string, DialogueFacts>> {
    const buckets = [...new Set(ids.map(bucketOf))];
    const out = new Map<string, DialogueFacts>();
    const wanted = new Set(ids);
    for (let i = 0; i < buckets.length; i += 100) {
      let keys: Record<string, unknown>[] | undefined = buckets.slice(i, i + 100).map((b) => factsKeys.bucket(cycle, b));
      for (let attempt = 0; keys && keys.length > 0 && attempt < 8; attempt++) {
        const r = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keys } } }));
        for (const item of r.Responses?.[this.table] ?? []) {
          for (const f of parseBucket(item)) if (wanted.has(f.id)) out.set(f.id, f);
        }
        keys = r.UnprocessedKeys?.[this.table]?.Keys as Record<string, unknown>[] | undefined;
      }
    }
    return out;
  }

  async cycle(cycle: string): Promise<DialogueFacts[]> {
    const parts = await Promise.all(
      Array.from({ length: FACT_PARTITIONS }, async (_, n) => {
        const items = await queryPrefix(this.doc, this.table, factsKeys.partition(cycle, n), '');
        return items.flatMap((item) => parseBucket(item));
      }),
    );
    return parts.flat();
  }

  async cycles(): Promise<string[]> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: factsKeys.cycles() }));
    const cycles = [...((r.Item?.cycles as Set<string> | undefined) ?? [])].sort();
    for (const c of cycles) this.knownCycles.add(c);
    return cycles;
  }

  async registerCycle(cycle: string): Promise<void> {
    if (this.knownCycles.has(cycle)) return;
    if (!(await this.cycles()).includes(cycle)) {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: factsKeys.cycles(),
          UpdateExpression: 'ADD cycles :c',
          ExpressionAttributeValues: { ':c': new Set([cycle]) },
        }),
      );
    }
    this.knownCycles.add(cycle);
  }

  async sweepMark(): Promise<SweepMark | undefined> {
    if (this.mark) return this.mark.value;
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: factsKeys.sweep() }));
    const at = typeof r.Item?.at === 'string' ? r.Item.at : undefined;
    if (!at) return undefined;
    const value = { at, ...(typeof r.Item?.byChangeFrom === 'string' ? { byChangeFrom: r.Item.byChangeFrom } : {}) };
    this.mark = { value, persistedAt: Date.now() };
    return value;
  }

  async setSweepMark(mark: SweepMark): Promise<void> {
    const before = this.mark?.value;
    const persist =
      !before ||
      Date.now() - (this.mark?.persistedAt ?? 0) >= SWEEP_MARK_PERSIST_MS ||
      mark.at < before.at ||
      mark.byChangeFrom !== before.byChangeFrom;
    if (persist) await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...factsKeys.sweep(), ...mark } }));
    this.mark = { value: mark, persistedAt: persist ? Date.now() : (this.mark?.persistedAt ?? Date.now()) };
  }
}

export function parseBucket(item: Record<string, unknown>): DialogueFacts[] {
  const out: DialogueFacts[] = [];
  for (const [name, value] of Object.entries(item)) {
    if (name === 'pk' || name === 'sk' || typeof value !== 'string') continue;
    const id = idOfAttribute(name);
    const facts = id ? decodeFacts(id, value) : undefined;
    if (facts) out.push(facts);
  }
  return out;
}
