/**
 * Coordinator use-cases for the scheduling foundations: facilitators and their blocks, booking a
 * facilitator pair, group intro sessions, and slot proposals over the facilitators' real
 * calendars. Booking writes each facilitator's item with a version check after re-checking that
 * it is free, so two bookings never overlap; if the second facilitator turns out busy, the first
 * booking is taken back before the 409, so a rejected request leaves nothing behind.
 */
import { randomUUID } from 'node:crypto';
import * as z from '#core/zod.ts';
import { MAX_ID_LENGTH } from '#core/fields.ts';
import { ConflictError, NotFoundError, ValidationError } from '#core/errors.ts';
import {
  blockInputSchema,
  busyOf,
  type FacilitatorPair,
  facilitatorSchema,
  type Interval,
  overlaps,
  validatePair,
  widen,
} from '#core/facilitators.ts';
import { type IntroSession, introSessionInputSchema, newIntroSession } from '#core/intro-sessions.ts';
import type { CalendarEntry, StoredFacilitator } from '#core/ports.ts';
import { plannedKindOf } from '#core/meetings.ts';
import { meetingKindRules, meetingKinds, noClash, proposeSlots, type SlotProposal, sessionProblems } from '#core/scheduling.ts';
import { countiesOf, workingCalendar } from './school-holidays.ts';
import { countiesOfRegion } from '#core/school-holidays.ts';
import type { Deps } from '#adapters/deps.ts';
import { clashesFor } from './clash.ts';
import { mailIntroSessionToPairOrLater } from './intro-session-mail.ts';
import { parseOrThrow } from './validate.ts';

export async function upsertFacilitator(d: Deps, body: unknown): Promise<{ facilitator: StoredFacilitator; created: boolean }> {
  const input = parseOrThrow(facilitatorSchema, body, 'facilitator');
  return d.facilitators.upsert(input, d.clock.now());
}

export async function getFacilitator(d: Deps, id: string): Promise<StoredFacilitator> {
  const f = await d.facilitators.get(id);
  if (!f) throw new NotFoundError(`No facilitator with id '${id}'`);
  return f;
}

export const listFacilitators = (d: Deps): Promise<StoredFacilitator[]> => d.facilitators.list();

/** A facilitator enters a block (leave, travel, other work); it may not cover one of its bookings. */
export async function addBlock(d: Deps, facilitatorId: string, body: unknown): Promise<CalendarEntry> {
  const input = parseOrThrow(blockInputSchema, body, 'block');
  await getFacilitator(d, facilitatorId);
  const block: CalendarEntry = {
    start: new Date(input.start).toISOString(),
    end: new Date(input.end).toISOString(),
    source: 'block',
    ref: `blk-${randomUUID()}`,
    ...(input.reason ? { reason: input.reason } : {}),
  };
  const interval = { start: new Date(block.start), end: new Date(block.end) };
  await d.facilitators.mutate(facilitatorId, (f) => {
    const booked = f.calendar.find((c) => c.source === 'booking' && overlaps({ start: new Date(c.start), end: new Date(c.end) }, interval));
    if (booked) {
      throw new ConflictError(
        `The block overlaps booking '${booked.ref}' (${booked.start}–${booked.end}); move or cancel that meeting first`,
        {
          ref: booked.ref,
        },
      );
    }
    return { ...f, calendar: [...f.calendar, block], updatedAt: d.clock.now().toISOString() };
  });
  return block;
}

/**
 * Books both facilitators of a pair for `intervals` (plus the kind's buffer) under `ref`; returns
 * them as written. Throws ConflictError, with nothing written, when either is no longer free.
 * `known`: the facilitators as the caller just listed them (each tried before a read of its own).
 */
export async function bookPair(
  d: Deps,
  pair: FacilitatorPair,
  intervals: readonly Interval[],
  ref: string,
  bufferMinutes: number,
  known: readonly StoredFacilitator[] = [],
): Promise<StoredFacilitator[]> {
  return bookFacilitators(d, [pair.skolverket, pair.spsm], intervals, ref, bufferMinutes, known);
}

/**
 * Books the given facilitators for `ref` (replacing their earlier entries for it), refusing with a
 * 409 anyone who is not free. On a refusal, the facilitators this call already booked get their
 * earlier entries for `ref` back (none for a new booking; the old times for a move), so a refused
 * move leaves every calendar as it was.
 */
export async function bookFacilitators(
  d: Deps,
  ids: readonly string[],
  intervals: readonly Interval[],
  ref: string,
  bufferMinutes: number,
  known: readonly StoredFacilitator[] = [],
): Promise<StoredFacilitator[]> {
  const before = new Map<string, CalendarEntry[]>();
  const at = d.clock.now().toISOString();
  const written: StoredFacilitator[] = [];
  try {
    for (const id of ids) {
      const { facilitator } = await d.facilitators.mutate(
        id,
        (f) => {
          for (const i of intervals) {
            const wide = widen(i, bufferMinutes);
            const clash = f.calendar.find((c) => c.ref !== ref && overlaps({ start: new Date(c.start), end: new Date(c.end) }, wide));
            if (clash) {
              throw new ConflictError(`${f.name} är inte ledig då (${clash.source === 'block' ? 'spärrad tid' : 'ett annat möte'}).`, {
                facilitatorId: id,
                source: clash.source,
                ref: clash.ref,
              });
            }
          }
          before.set(
            id,
            f.calendar.filter((c) => c.ref === ref),
          );
          const entries = intervals.map((i) => ({
            start: i.start.toISOString(),
            end: i.end.toISOString(),
            source: 'booking' as const,
            ref,
          }));
          return { ...f, calendar: [...f.calendar.filter((c) => c.ref !== ref), ...entries], updatedAt: at };
        },
        known.find((f) => f.id === id),
      );
      written.push(facilitator);
    }
    return written;
  } catch (e) {
    for (const [id, previous] of before) {
      await d.facilitators.mutate(id, (f) => ({
        ...f,
        calendar: [...f.calendar.filter((c) => c.ref !== ref), ...previous],
        updatedAt: d.clock.now().toISOString(),
      }));
    }
    throw e;
  }
}

/** Creates a group intro session and books its pair; the pair gets the session's invitation (unless `mailPair` is false). */
export async function createIntroSession(d: Deps, body: unknown, opts: { mailPair?: boolean } = {}): Promise<IntroSession> {
  const input = parseOrThrow(introSessionInputSchema, body, 'intro session');
  const now = d.clock.now();
  const session = newIntroSession(`intro-${randomUUID()}`, input, now);
  const interval = { start: new Date(session.start), end: new Date(session.end) };
  if (interval.start.getTime() <= now.getTime()) throw new ValidationError('start must be in the future');
  const problems = sessionProblems('intro', [interval], await workingCalendar(d, countiesOfRegion(input.region)));
  if (problems.length > 0) throw new ValidationError(`Introduktionsmötet kan inte hållas då: ${problems.join('; ')}.`);
  const pairProblem = validatePair(input.pair, await d.facilitators.list());
  if (pairProblem) throw new ValidationError(`pair: ${pairProblem}`);
  await bookPair(d, input.pair, [interval], session.id, d.scheduling.settings.bufferMinutes.digital);
  await d.introSessions.create(session);
  // The session exists once created: a failed mail to the pair is retried by the tick, not the caller.
  if (opts.mailPair !== false && (await mailIntroSessionToPairOrLater(d, session)).pending) return { ...session, pairMailPending: true };
  return session;
}

const regionQuery = z.strictObject({ region: z.optional(z.string().check(z.maxLength(40))) });
export async function listIntroSessions(d: Deps, query: unknown): Promise<IntroSession[]> {
  const q = parseOrThrow(regionQuery, query, 'query');
  return d.introSessions.list(q.region);
}

export const slotQuerySchema = z
  .strictObject({
    kind: z.enum(meetingKinds, { message: `kind must be one of ${meetingKinds.join(', ')}` }),
    sessions: z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(3))),
    sessionMinutes: z.optional(z.coerce.number().check(z.int(), z.gte(30), z.lte(480))),
    count: z.optional(z.coerce.number().check(z.int(), z.gte(3), z.lte(5))),
    /** End of the previous step's meeting (ISO): the minimum gap counts from it. */
    after: z.optional(z.iso.datetime({ offset: true })),
    /** The organiser's previous pair, kept where possible. */
    skolverket: z.optional(z.string().check(z.maxLength(63))),
    spsm: z.optional(z.string().check(z.maxLength(63))),
    nearOffice: z.optional(z.string().check(z.maxLength(60))),
    /** The organiser the proposals are for: none of them clashes with its inspections. */
    organiserId: z.optional(z.string().check(z.regex(/^[a-z0-9-]{3,64}$/, 'organiserId must be the id of an organiser'))),
    /** Or the dialogues (comma-separated, 1–10) of a shared meeting: none clashes for any of their organisers. */
    dialogueIds: z.optional(
      z.pipe(
        z.pipe(
          z.string(),
          z.transform((x) => x.split(',').map((id) => id.trim())),
        ),
        z
          .array(z.string().check(z.minLength(1, 'dialogueIds: an empty id'), z.maxLength(MAX_ID_LENGTH, 'dialogueIds: an id is too long')))
          .check(z.minLength(1), z.maxLength(10, 'dialogueIds: at most 10 dialogues')),
      ),
    ),
  })
  .check(
    z.refine((q) => !(q.organiserId && q.dialogueIds), { message: 'give organiserId or dialogueIds, not both', path: ['organiserId'] }),
  );

/** The organisers a slot query is for: the one named, or those of the dialogues (404 when unknown). */
async function organisersOfQuery(d: Deps, q: { organiserId?: string; dialogueIds?: string[] }): Promise<string[]> {
  if (q.organiserId) {
    if (!(await d.organisers.get(q.organiserId))) throw new NotFoundError(`No organiser with id '${q.organiserId}'`);
    return [q.organiserId];
  }
  const ids: string[] = [];
  for (const id of q.dialogueIds ?? []) {
    const dialogue = await d.dialogues.get(id);
    if (!dialogue) throw new NotFoundError(`No dialogue with id '${id}'`);
    ids.push(dialogue.organiserId);
  }
  return ids;
}

/**
 * Slot proposals over the facilitators' stored calendars (a preview for the coordinator). For an
 * organiser (or dialogues) the inspection calendar is loaded once and no proposal clashes with it.
 */
export async function previewSlots(d: Deps, query: unknown): Promise<SlotProposal[]> {
  const q = parseOrThrow(slotQuerySchema, query, 'query');
  const organiserIds = await organisersOfQuery(d, q);
  const clashes = organiserIds.length > 0 ? await clashesFor(d, organiserIds, plannedKindOf(q.kind)) : undefined;
  const facilitators = await d.facilitators.list();
  const previous = q.skolverket && q.spsm ? { skolverket: q.skolverket, spsm: q.spsm } : undefined;
  try {
    return proposeSlots(
      {
        facilitators,
        busy: busyOf(facilitators),
        calendar: await workingCalendar(d, await countiesOf(d, organiserIds)),
        settings: d.scheduling.settings,
      },
      {
        kind: q.kind,
        now: d.clock.now(),
        previousMeetingEnd: q.after ? new Date(q.after) : undefined,
        sessions: q.sessions,
        sessionMinutes: q.sessionMinutes,
        count: q.count,
        prefs: { previous, nearOffice: q.nearOffice },
        clashCheck: clashes ? (sessions) => clashes(sessions).length > 0 : noClash,
      },
    );
  } catch (e) {
    if (e instanceof RangeError) throw new ValidationError(`${meetingKindRules[q.kind].name}: ${e.message}`);
    throw e;
  }
}
