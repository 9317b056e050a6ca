/**
 * How a dialogue is stored. The item holds only what the table's keys, indexes and the version
 * condition need, and one binary attribute `z` with the rest:
 *
 * - `pk` (`DLG#<id>`), `sk`, and the index keys `kindSk` = `<updatedAt>|<createdAt>` (createdAt as
 *   milliseconds before updatedAt in base 36), `statePk` = `DIALOGUE#<state>`, `stateSk` = updatedAt,
 *   `dueSk` = dueAt (while a timer is set): the id, state and these times are read back from them,
 *   never stored twice. (Items written before hold `kindSk` = createdAt.)
 * - `version`: the optimistic lock's condition.
 * - `z`: a format byte (1), then deflated compact JSON of every other field, with a preset
 *   dictionary (dialogue-item-dictionary.ts) followed by the dialogue's id. In that JSON the history
 *   is `t`, its times, and `h`, tuples `[type, state, detail, by]`; every time is a number of
 *   milliseconds: the history's each after the one before (the first after createdAt), the other
 *   time fields likewise in the order written, from createdAt.
 *
 * So a whole lifecycle's record stays within 1 KB: each write of it is 1 write unit. Items of the
 * earlier shapes are read as they are: `packed` (plain fields and deflated JSON without a
 * dictionary) and, before that, every field plain; their next change writes this shape.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Dialogue, HistoryEntry } from '#core/dialogue.ts';
import { dialogueDictionaryV1 } from './dialogue-item-dictionary.ts';
import { strip } from './dynamo.ts';
import { indexKeys, keys } from './table-model.ts';

const FORMAT_V1 = 1;
const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** Fields whose ISO-time strings are stored as numbers (the history's `at` is its tuple's first). */
const timeKeys = new Set([
  'at',
  'answeredAt',
  'sentAt',
  'start',
  'end',
  'addedAt',
  'dueAt',
  'firstAt',
  'lastAt',
  'retryAt',
  'lastMeetingEnd',
  'plannedStart',
  'plannedEnd',
  'inspectionStart',
  'inspectionEnd',
  'since',
]);
const historyKeys = new Set(['at', 'type', 'state', 'detail', 'by']);

/** Successive times as differences in milliseconds, from a base (createdAt). */
class TimeChain {
  constructor(private last: number) {}
  encode(v: string): number | string {
    const ms = Date.parse(v);
    if (!ISO_MS.test(v) || new Date(ms).toISOString() !== v) return v;
    const delta = ms - this.last;
    this.last = ms;
    return delta;
  }
  decode(v: number): string {
    this.last += v;
    return new Date(this.last).toISOString();
  }
}

const dictionaryFor = (id: string) => Buffer.concat([dialogueDictionaryV1, Buffer.from(id, 'utf8')]);

function encodeValue(v: unknown, times: TimeChain, key?: string): unknown {
  if (typeof v === 'string') return key && timeKeys.has(key) ? times.encode(v) : v;
  if (Array.isArray(v)) return v.map((x) => encodeValue(x, times));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = encodeValue(x, times, k);
    return out;
  }
  return v;
}

function decodeValue(v: unknown, times: TimeChain, key?: string): unknown {
  if (typeof v === 'number' && key && timeKeys.has(key)) return times.decode(v);
  if (Array.isArray(v)) return v.map((x) => decodeValue(x, times));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = decodeValue(x, times, k);
    return out;
  }
  return v;
}

function encodeEntry(e: HistoryEntry, times: TimeChain): unknown[] {
  const extra = Object.fromEntries(Object.entries(e).filter(([k, x]) => !historyKeys.has(k) && x !== undefined));
  const tuple: unknown[] = [e.type, e.state ?? null, e.detail ?? null, e.by ?? null];
  if (Object.keys(extra).length > 0) tuple.push(encodeValue(extra, times));
  while (tuple[tuple.length - 1] === null) tuple.pop();
  return tuple;
}

function decodeEntry(tuple: unknown[], at: unknown, times: TimeChain): HistoryEntry {
  const [type, state, detail, by, extra] = tuple;
  return {
    at: at as string,
    type,
    ...(state != null ? { state } : {}),
    ...(detail != null ? { detail } : {}),
    ...(by != null ? { by } : {}),
    ...(extra ? (decodeValue(extra, times) as object) : {}),
  } as HistoryEntry;
}

/** The whole stored item of a dialogue: keys, index keys, `version` and `z`. */
export function dialogueItem(d: Dialogue): Record<string, unknown> {
  const { id, createdAt, updatedAt, state, dueAt, version, history, ...rest } = d;
  const times = new TimeChain(Date.parse(createdAt));
  const body = {
    t: history.map((e) => times.encode(e.at)),
    h: history.map((e) => encodeEntry(e, times)),
    ...(encodeValue(rest, new TimeChain(Date.parse(createdAt))) as object),
    ...(dueAt === undefined || dueAt ? {} : { dueAt }),
  };
  const deflated = deflateRawSync(Buffer.from(JSON.stringify(body), 'utf8'), { level: 9, dictionary: dictionaryFor(id) });
  return {
    ...keys.dialogue(id),
    ...indexKeys.dialogueKind(updatedAt, createdBefore(updatedAt, createdAt)),
    ...indexKeys.dialogueState(state, updatedAt),
    ...(dueAt ? indexKeys.due(dueAt) : {}),
    version,
    z: Buffer.concat([Buffer.from([FORMAT_V1]), deflated]),
  };
}

/** The part of an index sort key before `#`: items before this shape append `#<id>`. */
const timeOf = (sortKey: unknown): string => String(sortKey).split('#')[0] as string;
/** createdAt in `kindSk` after the change time: milliseconds before it in base 36, or the time itself when not so written. */
function createdBefore(updatedAt: string, createdAt: string): string {
  const ms = Date.parse(updatedAt) - Date.parse(createdAt);
  return ISO_MS.test(updatedAt) && ISO_MS.test(createdAt) && ms >= 0 ? ms.toString(36) : createdAt;
}
/** The creation time in `kindSk`: after `|` (`<updatedAt>|<createdAt>`), or all of it on items written before. */
function createdOf(kindSk: unknown): string {
  const s = String(kindSk);
  const bar = s.indexOf('|');
  if (bar < 0) return timeOf(s);
  const created = s.slice(bar + 1);
  return /^[0-9a-z]+$/.test(created) ? new Date(Date.parse(s.slice(0, bar)) - Number.parseInt(created, 36)).toISOString() : created;
}

function fromCompact(item: Record<string, unknown>, z: Uint8Array): Dialogue {
  if (z[0] !== FORMAT_V1) throw new Error(`dialogue item ${String(item.pk)}: unknown format ${z[0]}`);
  const id = String(item.pk).slice('DLG#'.length);
  const createdAt = createdOf(item.kindSk);
  const body = JSON.parse(inflateRawSync(z.subarray(1), { dictionary: dictionaryFor(id) }).toString('utf8')) as Record<string, unknown>;
  const { t, h, ...rest } = body;
  const times = new TimeChain(Date.parse(createdAt));
  const at = (t as unknown[]).map((x) => (typeof x === 'number' ? times.decode(x) : x));
  const history = (h as unknown[][]).map((e, i) => decodeEntry(e, at[i], times));
  return {
    id,
    createdAt,
    updatedAt: timeOf(item.stateSk),
    state: String(item.statePk).slice('DIALOGUE#'.length),
    ...(item.dueSk !== undefined ? { dueAt: timeOf(item.dueSk) } : {}),
    history,
    ...(decodeValue(rest, new TimeChain(Date.parse(createdAt))) as object),
    version: item.version,
  } as Dialogue;
}

/** A stored dialogue item (this shape, `packed`, or every field plain) as the dialogue. */
export function unpackDialogue(item: Record<string, unknown>): Dialogue;
export function unpackDialogue(item: Record<string, unknown> | undefined): Dialogue | undefined;
export function unpackDialogue(item: Record<string, unknown> | undefined): Dialogue | undefined {
  if (!item) return undefined;
  if (item.z instanceof Uint8Array) return fromCompact(item, item.z);
  const { packed, ...rest } = strip<Record<string, unknown>>(item);
  if (!(packed instanceof Uint8Array)) return rest as unknown as Dialogue;
  return { ...(JSON.parse(inflateRawSync(packed).toString('utf8')) as object), ...rest } as unknown as Dialogue;
}
