/**
 * Clash-aware scheduling over the inspection calendar: the API the lifecycle (meeting) phases
 * call (`checkClash`, `clashesFor`, `registerPlanned`), the invitation rule (postpone a start
 * while an inspection is under way) and the audit of calendar changes. A check costs one Query on
 * the organiser's partition, however large the calendar. Moving or removing a planned step, and
 * the conflicts a calendar change causes, are conflicts.ts.
 */
import * as z from '#core/zod.ts';
import type { AuditEntry } from '#core/calendar-ports.ts';
import {
  type ClashReason,
  type ClashResult,
  evaluateClash,
  firstFreeDay,
  type PlannedItem,
  type PlannedKind,
  type PlannedSlot,
  plannedKinds,
  type SessionSpan,
  sessionsClash,
} from '#core/clash.ts';
import type { Dialogue, HistoryEntry } from '#core/dialogue.ts';
import { NotFoundError } from '#core/errors.ts';
import { addCalendarDays, stockholmDay, stockholmTime } from '#core/inspection.ts';
import { formatSwedishDate } from '#core/time.ts';
import type { Deps } from '#adapters/deps.ts';
import { parseOrThrow } from './validate.ts';

/** Who did it: the caller's role plus an optional name it gives (X-Actor header). */
export interface Actor {
  role: 'coordinator' | 'inspectorate' | 'system';
  name?: string;
}
export const actorText = (a: Actor): string => (a.name ? `${a.role}:${a.name}` : a.role);

export async function audit(d: Deps, actor: Actor, action: AuditEntry['action'], subject: string, detail?: Record<string, unknown>) {
  await d.calendar.audit({ at: d.clock.now().toISOString(), actor: actorText(actor), role: actor.role, action, subject, detail });
}

/** Checks one slot against the rules: exactly one DynamoDB Query. */
export async function checkClash(d: Pick<Deps, 'calendar' | 'clashRules'>, slot: PlannedSlot): Promise<ClashResult> {
  return evaluateClash(d.clashRules, slot, await d.calendar.inspectionsOf(slot.organiserId));
}

export const clashCheckSchema = z
  .pipe(
    z.strictObject({
      organiserId: z.string().check(z.regex(/^[a-z0-9-]{3,64}$/, 'organiserId must be the id of an organiser')),
      schoolUnitCodes: z.optional(z.array(z.string().check(z.regex(/^\d{8}$/, 'a school unit code has 8 digits'))).check(z.maxLength(200))),
      kind: z.enum(plannedKinds, { message: `kind must be one of ${plannedKinds.join(', ')}` }),
      start: z.iso.datetime({ offset: true, message: 'start must be an ISO date-time, e.g. 2026-03-05T09:00:00+01:00' }),
      end: z.optional(z.iso.datetime({ offset: true, message: 'end must be an ISO date-time' })),
    }),
    z.transform((x) => ({ ...x, start: new Date(x.start).toISOString(), end: new Date(x.end ?? x.start).toISOString() })),
  )
  .check(z.refine((x) => x.end >= x.start, { message: 'end is before start', path: ['end'] }));

/** The coordinator's "can we book this?" (the slot proposal check behind every booking). */
export async function proposeSlot(d: Deps, body: unknown): Promise<ClashResult> {
  const slot = parseOrThrow(clashCheckSchema, body, 'slot');
  if (!(await d.organisers.get(slot.organiserId))) throw new NotFoundError(`No organiser with id '${slot.organiserId}'`);
  return checkClash(d, slot);
}

/**
 * Slot proposals: the next `count` calendar days from `fromDay` on which a step of this kind
 * breaks no rule for the organiser (weekends skipped). One Query, however far it looks.
 */
export async function freeDays(
  d: Pick<Deps, 'calendar' | 'clashRules'>,
  q: { organiserId: string; kind: PlannedKind; fromDay: string; count: number },
): Promise<string[]> {
  const inspections = await d.calendar.inspectionsOf(q.organiserId);
  const out: string[] = [];
  let day = q.fromDay;
  for (let guard = 0; out.length < q.count && guard < 3660; guard++) {
    day = firstFreeDay(d.clashRules, q.kind, day, inspections);
    const weekday = new Date(`${day}T12:00:00Z`).getUTCDay();
    if (weekday !== 0 && weekday !== 6) out.push(day);
    day = addCalendarDays(day, 1);
  }
  return out;
}

/**
 * The organisers' inspection calendar, loaded once (one Query per organiser), as a synchronous
 * check for many candidate times: the reasons (Swedish) a meeting of this kind at these sessions
 * breaks a rule for any of the organisers; [] when it is free. For slot proposals and bookings.
 */
export async function clashesFor(
  d: Pick<Deps, 'calendar' | 'clashRules'>,
  organiserIds: readonly string[],
  kind: PlannedKind,
): Promise<(sessions: readonly SessionSpan[]) => ClashReason[]> {
  const ids = [...new Set(organiserIds)];
  const inspections = (await Promise.all(ids.map((id) => d.calendar.inspectionsOf(id)))).flat();
  return (sessions) => sessionsClash(d.clashRules, kind, ids, sessions, inspections);
}

export async function registerPlanned(d: Deps, item: Omit<PlannedItem, 'registeredAt'>): Promise<void> {
  await d.calendar.putPlanned({ ...item, registeredAt: d.clock.now().toISOString() });
}

export const POSTPONED_START_HOUR = 8;

/**
 * The invitation rule: when an inspection of the organiser is under way at `at`, the first time
 * after it (plus the configured buffer) at 08:00 Stockholm, with the reasons. Undefined if free.
 */
export async function postponedStart(d: Deps, organiserId: string, at: Date): Promise<{ at: Date; history: HistoryEntry } | undefined> {
  const inspections = await d.calendar.inspectionsOf(organiserId);
  const iso = at.toISOString();
  const r = evaluateClash(d.clashRules, { organiserId, kind: 'invitation', start: iso, end: iso }, inspections);
  if (r.ok) return undefined;
  const day = firstFreeDay(d.clashRules, 'invitation', stockholmDay(at), inspections);
  const next = stockholmTime(day, POSTPONED_START_HOUR);
  return {
    at: next,
    history: {
      at: iso,
      type: 'start_postponed',
      state: 'created',
      detail: `${r.reasons.map((x) => x.message).join(' ')} Inbjudan skickas ${formatSwedishDate(next)}.`,
      by: 'system',
    },
  };
}

export const invitationPlanned = (dialogue: Dialogue, at: Date): Omit<PlannedItem, 'registeredAt'> => ({
  organiserId: dialogue.organiserId,
  organiserName: dialogue.organiserName,
  region: dialogue.region,
  dialogueId: dialogue.id,
  step: 'invitation',
  kind: 'invitation',
  start: at.toISOString(),
  end: at.toISOString(),
});

/** The start timer's side of the invitation rule: true if it moved the start past an inspection. */
export async function postponeStartIfInspection(d: Deps, dialogue: Dialogue, now: Date): Promise<boolean> {
  if (dialogue.state !== 'created') return false;
  const postponed = await postponedStart(d, dialogue.organiserId, now);
  if (!postponed) return false;
  const { dialogue: moved, changed } = await d.dialogues.mutate(dialogue.id, (x) =>
    x.state !== 'created' || x.dueKind !== 'start'
      ? undefined
      : { ...x, dueAt: postponed.at.toISOString(), updatedAt: now.toISOString(), history: [...x.history, postponed.history] },
  );
  if (changed) await registerPlanned(d, invitationPlanned(moved, postponed.at));
  return changed;
}
