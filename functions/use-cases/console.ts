/**
 * What the console reads: one dialogue with its mail, organiser and workflow executions, and the
 * inspectorate's calendar with its conflicts. The dialogue list and search are in console-list.ts,
 * the statistics in statistics.ts; the actions in console-actions.ts and console-meeting-actions.ts.
 */
import * as z from '#core/zod.ts';
import { isoDay } from '#core/fields.ts';
import type { Dialogue } from '#core/dialogue.ts';
import { NotFoundError, ValidationError } from '#core/errors.ts';
import type { Organiser } from '#core/organiser.ts';
import type { ExecutionView, MailRecord } from '#core/ports.ts';
import { regions } from '#core/regions.ts';
import type { Deps } from '#adapters/deps.ts';
import { stockholmDate } from '#core/calendar.ts';
import { addCalendarDays } from '#core/calendar.ts';
import type { Inspection } from '#core/inspection.ts';
import { listConflicts } from './conflict-list.ts';
import { listInspections } from './inspections.ts';
import { parseOrThrow } from './validate.ts';

export { hasProblem } from '#core/facts.ts';
export {
  type ConsoleList,
  type ConsoleListQuery,
  consoleListSchema,
  dialoguesInStates,
  listForConsole,
  ONGOING_PAGE,
  ongoingDialogues,
} from './console-list.ts';

/** An empty form field counts as absent (zod classic's preprocess; the outer optional keeps the key optional in the input type). */
const optional = <T extends z.core.SomeType>(s: T) =>
  z.optional(
    z.pipe(
      z.transform((v: unknown) => (v === '' ? undefined : v)),
      z.optional(s),
    ),
  );

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

/** Open conflicts in the period and region, as the role may see them. */
export function consoleConflicts(d: Deps, q: { from: string; to: string; region?: string }, role: 'coordinator' | 'inspectorate') {
  return listConflicts(d, { from: q.from, to: q.to, region: q.region, limit: 200 }, role);
}
