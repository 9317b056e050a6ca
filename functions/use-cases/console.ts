/**
 * What the console reads: the filtered dialogue list (bounded index queries, filtered in memory),
 * one dialogue with its mail, organiser and workflow executions, and the inspectorate's calendar
 * with its conflicts. The statistics are statistics.ts. The actions are in console-actions.ts and
 * console-meeting-actions.ts.
 */
import * as z from '#core/zod.ts';
import { cursorSchema, isoDay } from '#core/fields.ts';
import { type Dialogue, type DialoguePhase, dialoguePhases, dialogueStates, isOngoing, phaseOfState } from '#core/dialogue.ts';
import { NotFoundError, ValidationError } from '#core/errors.ts';
import { handbackFilters, matchesHandback } from '#core/handbacks.ts';
import { legalForms, type Organiser, schoolForms } from '#core/organiser.ts';
import type { ExecutionView, MailRecord, Page } from '#core/ports.ts';
import { regions } from '#core/regions.ts';
import type { Deps } from '#adapters/deps.ts';
import { stockholmDate } from '#core/calendar.ts';
import { addCalendarDays } from '#core/calendar.ts';
import type { Inspection } from '#core/inspection.ts';
import { listConflicts } from './conflict-list.ts';
import { listInspections } from './inspections.ts';
import { parseOrThrow } from './validate.ts';

/** At most this many dialogues are read from the index for one list page. */
export const LIST_READ_BUDGET = 1000;
const DAY_MS = 86_400_000;

/** An empty form field counts as absent (zod classic's preprocess; the outer optional keeps the key optional in the input type). */
const optional = <T extends z.core.SomeType>(s: T) =>
  z.optional(
    z.pipe(
      z.transform((v: unknown) => (v === '' ? undefined : v)),
      z.optional(s),
    ),
  );

export const consoleListSchema = z.strictObject({
  state: optional(z.enum(dialogueStates, { message: 'Välj ett giltigt läge.' })),
  region: optional(z.enum(Object.keys(regions) as [string, ...string[]], { message: 'Välj en giltig region.' })),
  legalForm: optional(z.enum(legalForms, { message: 'Välj en giltig juridisk form.' })),
  ownership: optional(z.enum(['kommunal', 'enskild'], { message: 'Välj kommunal eller enskild.' })),
  waitingDays: optional(
    z.coerce
      .number({ message: 'Ange antal dagar som ett heltal.' })
      .check(z.int('Ange antal dagar som ett heltal.'), z.gte(1, 'Ange minst 1 dag.'), z.lte(400, 'Ange högst 400 dagar.')),
  ),
  sort: optional(z.enum(['nyast', 'aldst'], { message: 'Välj en giltig sortering.' })),
  /** All states of one phase (the index is read by kind and filtered). */
  phase: optional(z.enum(dialoguePhases, { message: 'Välj en giltig fas.' })),
  schoolForm: optional(z.enum(schoolForms, { message: 'Välj en giltig skolform.' })),
  facilitator: optional(z.string().check(z.regex(/^[a-z0-9-]{1,64}$/, 'Välj en dialogutförare i listan.'))),
  /** "ja": only dialogues with an inspection clash; "nej": only those without. */
  conflict: optional(z.enum(['ja', 'nej'], { message: 'Välj ja eller nej för krock.' })),
  /** Only dialogues with a problem: a failed workflow step or a bounced mail. */
  failed: optional(z.enum(['ja'], { message: 'Ogiltigt värde för fel.' })),
  /** Only dialogues handed back to the coordinator (any kind, or one): the digest links here. */
  handback: optional(z.enum(handbackFilters, { message: 'Välj en giltig sorts överlämning.' })),
  /** "alla": every row of a hand-back list comes selected. */
  markera: optional(z.enum(['alla'], { message: 'Ogiltigt värde för markering.' })),
  limit: optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(100))),
  cursor: optional(cursorSchema),
});
export type ConsoleListQuery = z.output<typeof consoleListSchema>;

export interface ConsoleList extends Page<Dialogue> {
  query: ConsoleListQuery;
  /** The state the index query ran on ("waiting longer than" without a state means 'invited'). */
  state?: Dialogue['state'];
  counts: { state: Dialogue['state']; count: number }[];
  /** The counts summed per phase, in process order. */
  phaseCounts: { phase: DialoguePhase; count: number }[];
  read: number;
  /** True when the read budget ran out before the page was full: the next page continues. */
  partial: boolean;
}

/** `items: false`: the counts only (a page whose filter could not be read lists nobody). */
export async function listForConsole(d: Deps, rawQuery: unknown, options: { items?: boolean } = {}): Promise<ConsoleList> {
  const q = parseOrThrow(consoleListSchema, rawQuery, 'filter');
  const state = q.state ?? (q.waitingDays ? 'invited' : undefined);
  const limit = q.limit ?? 25;
  const updatedBefore = q.waitingDays ? new Date(d.clock.now().getTime() - q.waitingDays * DAY_MS).toISOString() : undefined;
  const keep = (x: Dialogue) =>
    (!q.region || x.region === q.region) &&
    (!q.legalForm || x.legalForm === q.legalForm) &&
    (!q.ownership || x.municipal === (q.ownership === 'kommunal')) &&
    (!q.phase || phaseOfState[x.state] === q.phase) &&
    (!q.schoolForm || (x.schoolForms ?? []).includes(q.schoolForm)) &&
    (!q.facilitator || x.pair?.skolverket === q.facilitator || x.pair?.spsm === q.facilitator) &&
    (!q.conflict || Boolean(x.conflict) === (q.conflict === 'ja')) &&
    (!q.failed || hasProblem(x)) &&
    (!q.handback || matchesHandback(x, q.handback));
  const [page, counts] = await Promise.all([
    options.items === false
      ? { items: [], read: 0, cursor: undefined }
      : d.queries.page({ state, updatedBefore, ascending: q.sort === 'aldst' }, keep, limit, LIST_READ_BUDGET, q.cursor),
    Promise.all(dialogueStates.map(async (s) => ({ state: s, count: await d.queries.countByState(s) }))),
  ]);
  const phaseCounts = dialoguePhases.map((phase) => ({
    phase,
    count: counts.filter((c) => phaseOfState[c.state] === phase).reduce((sum, c) => sum + c.count, 0),
  }));
  return { ...page, query: q, state, counts, phaseCounts, partial: page.items.length < limit && Boolean(page.cursor) };
}

/** A failed workflow step (the invitation's or a meeting phase's), or a mail that bounced or was reported as spam. */
export const hasProblem = (x: Dialogue): boolean =>
  x.state === 'failed' || Boolean(x.error) || Boolean(x.phase?.failure) || x.history.some((h) => h.type === 'mail_bounced');

export interface ConsoleDialogue {
  dialogue: Dialogue;
  organiser?: Organiser;
  mails: MailRecord[];
  executions: ExecutionView[];
  /** Set when the workflow service could not be read; the rest of the page still shows. */
  executionsError?: string;
}

export const retriesOf = (x: Dialogue): number => x.history.filter((h) => h.type === 'retried').length;

export async function consoleDialogue(d: Deps, id: string): Promise<ConsoleDialogue> {
  const dialogue = await d.dialogues.get(id);
  if (!dialogue) throw new NotFoundError(`Det finns ingen dialog med id ${id}.`);
  const [organiser, mails] = await Promise.all([d.organisers.get(dialogue.organiserId), d.mailLog.list(id)]);
  const executions: ExecutionView[] = [];
  let executionsError: string | undefined;
  try {
    for (let attempt = 0; attempt <= retriesOf(dialogue); attempt++) {
      const x = await d.workflow.describeInvitation(id, attempt);
      if (x) executions.push(x);
    }
  } catch (e) {
    executionsError = (e as Error).message;
  }
  return { dialogue, organiser, mails, executions, executionsError };
}

// ---- the inspectorate's calendar -------------------------------------------------------------

const dayField = isoDay('Ange ett datum som finns, som ÅÅÅÅ-MM-DD.');
export const calendarQuerySchema = z.strictObject({
  from: optional(dayField),
  to: optional(dayField),
  region: optional(z.enum(Object.keys(regions) as [string, ...string[]], { message: 'Välj en giltig region.' })),
  /** An organiser's id or org. number. */
  organiser: optional(z.string().check(z.trim(), z.maxLength(64, 'Ange huvudmannens id eller organisationsnummer.'))),
});
export type CalendarQuery = z.output<typeof calendarQuerySchema>;

/** How far back an inspection may start and still touch the period (a long supervision). */
const LOOKBACK_DAYS = 366;
/** At most this many inspections are read for one calendar page. */
export const CALENDAR_READ_BUDGET = 1000;

export interface CalendarRow extends Inspection {
  organiserName: string;
  region?: string;
}

/**
 * The inspection calendar for a period (default: today and 90 days on), optionally one region or
 * one organiser: the byKind index by start day (never a Scan), or the organiser's partition.
 */
export async function consoleCalendar(
  d: Deps,
  raw: unknown,
  options: { rows?: boolean } = {},
): Promise<{ query: CalendarQuery & { from: string; to: string }; rows: CalendarRow[]; partial: boolean }> {
  const q = parseOrThrow(calendarQuerySchema, raw, 'filter');
  const from = q.from ?? stockholmDate(d.clock.now());
  const to = q.to ?? addCalendarDays(from, 90);
  if (to < from) throw new ValidationError('Slutdatumet ligger före startdatumet.');
  // Only the period is needed (the coordinator's view shows no calendar): read nothing.
  if (options.rows === false) return { query: { ...q, from, to }, rows: [], partial: false };
  let items: Inspection[];
  let partial = false;
  if (q.organiser) {
    items = (await listInspections(d, { organiserId: q.organiser, from, to })).items;
  } else {
    const page = await d.calendar.inspectionsStarting(addCalendarDays(from, -LOOKBACK_DAYS), to, CALENDAR_READ_BUDGET);
    items = page.items.filter((i) => i.end >= from);
    partial = Boolean(page.cursor);
  }
  const ids = [...new Set(items.map((i) => i.organiserId))];
  const organisers = new Map(
    (await Promise.all(ids.map((id) => d.organisers.get(id)))).filter((o) => o !== undefined).map((o) => [o.id, o]),
  );
  const rows = items
    .map((i) => ({
      ...i,
      organiserName: organisers.get(i.organiserId)?.name ?? i.organiserId,
      region: organisers.get(i.organiserId)?.region,
    }))
    .filter((r) => !q.region || r.region === q.region)
    .sort((a, b) => a.start.localeCompare(b.start) || a.organiserName.localeCompare(b.organiserName, 'sv'));
  return { query: { ...q, from, to }, rows, partial };
}

/** Dialogues read for one page of the inspectorate's "ongoing dialogues" (the byKind index, filtered). */
export const ONGOING_PAGE = 100;

/**
 * Every dialogue under way (isOngoing: from created through the follow-up, with or without a
 * booked meeting or a conflict), optionally in one region, a page at a time (newest first).
 */
export async function ongoingDialogues(d: Deps, q: { region?: string; cursor?: string }): Promise<ConsoleListPage> {
  const keep = (x: Dialogue) => isOngoing(x.state) && (!q.region || x.region === q.region);
  const page = await d.queries.page({ ascending: false }, keep, ONGOING_PAGE, LIST_READ_BUDGET, q.cursor);
  return { items: page.items, cursor: page.cursor };
}
export type ConsoleListPage = Page<Dialogue>;

/** Open conflicts in the period and region, as the role may see them. */
export function consoleConflicts(d: Deps, q: { from: string; to: string; region?: string }, role: 'coordinator' | 'inspectorate') {
  return listConflicts(d, { from: q.from, to: q.to, region: q.region, limit: 200 }, role);
}
