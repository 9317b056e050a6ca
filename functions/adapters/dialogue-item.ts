/**
 * How a dialogue is stored: the fields the table's keys, indexes, conditions and a person reading
 * the table need stay plain attributes; the rest (history, recipients, the meeting step, documents,
 * the answer, …) is one `packed` binary attribute, deflated JSON. A dialogue's history repeats its
 * words and dates, so the item is about a third of its plain size: every write of the record is
 * 1–3 write units instead of 2–8, and a consistent read stays within one 4 KB read unit.
 * Items written before packing (every field plain) are read as they are.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Dialogue } from '#core/dialogue.ts';
import { strip } from './dynamo.ts';

/** The fields kept as plain attributes. */
const plain = [
  'id',
  'organiserId',
  'organiserName',
  'orgNumber',
  'cycle',
  'region',
  'legalForm',
  'municipal',
  'state',
  'reminders',
  'waitToken',
  'dueAt',
  'dueKind',
  'campaignId',
  'children',
  'lastMeetingEnd',
  'createdAt',
  'updatedAt',
  'version',
] as const satisfies readonly (keyof Dialogue)[];
const isPlain = new Set<string>(plain);

/** The dialogue's attributes as stored (without keys): plain fields and `packed`. */
export function packDialogue(d: Dialogue): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(d)) {
    if (v === undefined) continue;
    if (isPlain.has(k)) out[k] = v;
    else rest[k] = v;
  }
  out.packed = deflateRawSync(Buffer.from(JSON.stringify(rest), 'utf8'), { level: 9 });
  return out;
}

/** A stored dialogue item (packed or from before packing) as the dialogue. */
export function unpackDialogue(item: Record<string, unknown>): Dialogue;
export function unpackDialogue(item: Record<string, unknown> | undefined): Dialogue | undefined;
export function unpackDialogue(item: Record<string, unknown> | undefined): Dialogue | undefined {
  const value = strip<Record<string, unknown>>(item);
  if (!value) return undefined;
  const { packed, ...rest } = value;
  if (!(packed instanceof Uint8Array)) return rest as unknown as Dialogue;
  return { ...(JSON.parse(inflateRawSync(packed).toString('utf8')) as object), ...rest } as unknown as Dialogue;
}
