/**
 * The coordinator console's use-cases: the filtered dialogue list (bounded index queries, filtered
 * in memory), one dialogue with its mail, organiser and workflow executions, the metrics, and the
 * coordinator's actions. Every action is confirmed by the caller, idempotent (a repeated POST
 * finds the work done and changes nothing) and audited in the dialogue's history with who did it.
 */
import * as z from '#core/zod.ts';
import { cursorSchema, isoDay } from '#core/fields.ts';
import {
  answerPeriodEnd,
  assertTransition,
  type Dialogue,
  type DialoguePhase,
  dialoguePhases,
  dialogueStates,
  type HistoryEntry,
  phaseOfState,
} from '#core/dialogue.ts';
import { ConflictError, NotFoundError, ValidationError } from '#core/errors.ts';
import { computeMetrics, type Metrics } from '#core/metrics.ts';
import { legalForms, type Organiser, schoolForms } from '#core/organiser.ts';
import type { ExecutionView, MailRecord, Page } from '#core/ports.ts';
import { regions } from '#core/regions.ts';
import { formatSwedishDate } from '#core/time.ts';
import type { Deps } from '#adapters/deps.ts';
import { stockholmDate, stockholmInstant, stockholmTime } from '#core/calendar.ts';
import type { Meeting } from '#core/meetings.ts';
import { addCalendarDays } from '#core/calendar.ts';
import type { Inspection } from '#core/inspection.ts';
import { listConflicts } from './clash.ts';
import { listInspections } from './inspections.ts';
import { cancelMeetingById, moveMeeting, reassignPair } from './meetings.ts';
import { invitationMail, latestLinks, sendReminder } from './invitation.ts';
import { retryPhase } from './lifecycle.ts';
import { sendOnce } from './mail.ts';
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
    (!q.failed || hasProblem(x));
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

export async function consoleMetrics(d: Deps): Promise<Metrics> {
  const all = (await Promise.all(dialogueStates.map((s) => d.queries.allInState(s)))).flat();
  return computeMetrics(all);
}

// ---- actions ---------------------------------------------------------------------------------

export const consoleActions = ['resend', 'remind', 'close', 'retry'] as const;
export type ConsoleAction = (typeof consoleActions)[number];

export interface ActionResult {
  /** false: the work was already done (a repeated or stale confirmation); nothing changed. */
  done: boolean;
  message: string;
}

const entry = (d: Deps, type: HistoryEntry['type'], actor: string, detail: string, state?: Dialogue['state']): HistoryEntry => ({
  at: d.clock.now().toISOString(),
  type,
  by: actor,
  detail,
  ...(state ? { state } : {}),
});

async function load(d: Deps, id: string): Promise<Dialogue> {
  const x = await d.dialogues.get(id);
  if (!x) throw new NotFoundError(`Det finns ingen dialog med id ${id}.`);
  return x;
}

/** The next resend number: each resend is its own mail step (`invitation-resend-<n>`), sent once. */
export const nextResend = (x: Dialogue): number => x.history.filter((h) => h.type === 'invitation_resent').length + 1;

const seqSchema = z.coerce.number({ message: 'Formuläret saknar löpnummer; öppna åtgärden igen.' }).check(z.int(), z.gte(1), z.lte(1000));

export async function resendInvitation(d: Deps, id: string, form: Record<string, string>, actor: string): Promise<ActionResult> {
  const { contactId, n } = parseOrThrow(
    z.object({ contactId: z.string().check(z.minLength(1), z.maxLength(100)), n: seqSchema }),
    form,
    'form',
  );
  const x = await load(d, id);
  const step = `invitation-resend-${n}`;
  if (x.history.some((h) => h.type === 'invitation_resent' && h.detail?.endsWith(`[${step}]`))) {
    return { done: false, message: 'Inbjudan hade redan skickats igen. Inget nytt mejl skickades.' };
  }
  if (x.state !== 'invited') throw new ConflictError('Inbjudan kan bara skickas igen medan dialogen väntar på svar.');
  if (n !== nextResend(x)) throw new ConflictError('Dialogen har ändrats sedan sidan öppnades. Öppna åtgärden igen.');
  const r = x.recipients.find((c) => c.contactId === contactId);
  if (!r) throw new ValidationError('Välj en av dialogens mottagare.');
  const organiser = await d.organisers.get(x.organiserId);
  if (!organiser) throw new NotFoundError(`Huvudmannen ${x.organiserId} finns inte.`);
  const invitation = latestLinks(await d.mailLog.list(id)).get(contactId);
  const answerBy = formatSwedishDate(
    x.dueAt ? new Date(x.dueAt) : new Date(d.clock.now().getTime() + d.settings.reminderAfterDays * DAY_MS),
  );
  await sendOnce(d, {
    dialogueId: id,
    step,
    contactId,
    email: r.email,
    link: invitation?.linkId && invitation.linkExpiresAt ? { linkId: invitation.linkId, expiresAt: invitation.linkExpiresAt } : undefined,
    withLink: !invitation?.linkId,
    linkValidUntil: answerPeriodEnd(x.reminders, d.clock.now(), d.settings),
    render: invitationMail(d, organiser, r, answerBy),
  });
  await d.dialogues.mutate(id, (cur) =>
    cur.history.some((h) => h.type === 'invitation_resent' && h.detail?.endsWith(`[${step}]`))
      ? undefined
      : {
          ...cur,
          updatedAt: d.clock.now().toISOString(),
          history: [...cur.history, entry(d, 'invitation_resent', actor, `Till ${r.name} <${r.email}> [${step}]`)],
        },
  );
  return { done: true, message: `Inbjudan skickades igen till ${r.name} (${r.email}).` };
}

export async function remindNow(d: Deps, id: string, form: Record<string, string>, actor: string): Promise<ActionResult> {
  const { n } = parseOrThrow(z.object({ n: seqSchema }), form, 'form');
  const x = await load(d, id);
  if (x.reminders >= n) return { done: false, message: `Påminnelse ${n} var redan skickad. Inget nytt mejl skickades.` };
  if (x.state !== 'invited') throw new ConflictError('En påminnelse kan bara skickas medan dialogen väntar på svar.');
  if (x.dueKind !== 'reminder') throw new ConflictError('Alla påminnelser har redan skickats; nästa steg är larmet till samordnaren.');
  if (n !== x.reminders + 1) throw new ConflictError('Dialogen har ändrats sedan sidan öppnades. Öppna åtgärden igen.');
  await sendReminder(d, id);
  await d.dialogues.mutate(id, (cur) =>
    cur.history.some((h) => h.type === 'reminder_requested' && h.detail === `Påminnelse ${n}`)
      ? undefined
      : { ...cur, history: [...cur.history, entry(d, 'reminder_requested', actor, `Påminnelse ${n}`)] },
  );
  return { done: true, message: `Påminnelse ${n} skickades till ${x.recipients.length} mottagare.` };
}

export async function closeDialogue(d: Deps, id: string, form: Record<string, string>, actor: string): Promise<ActionResult> {
  const { reason } = parseOrThrow(
    z.object({
      reason: z.string().check(z.trim(), z.minLength(1, 'Skriv varför dialogen avslutas.'), z.maxLength(500, 'Skriv högst 500 tecken.')),
    }),
    form,
    'form',
  );
  const before = await load(d, id);
  if (before.state === 'closed') return { done: false, message: 'Dialogen var redan avslutad.' };
  assertTransition(before.state, 'closed');
  const { dialogue, changed } = await d.dialogues.mutate(id, (x) => {
    if (x.state === 'closed') return undefined;
    assertTransition(x.state, 'closed');
    return {
      ...x,
      state: 'closed',
      dueAt: undefined,
      dueKind: undefined,
      updatedAt: d.clock.now().toISOString(),
      history: [...x.history, entry(d, 'closed', actor, reason, 'closed')],
    };
  });
  if (dialogue.waitToken) await d.workflow.completeWait(dialogue.waitToken, { outcome: 'closed' });
  return changed
    ? { done: true, message: 'Dialogen är avslutad. Inga fler påminnelser skickas.' }
    : { done: false, message: 'Dialogen var redan avslutad.' };
}

export async function retryDialogue(d: Deps, id: string, form: Record<string, string>, actor: string): Promise<ActionResult> {
  const { n } = parseOrThrow(z.object({ n: seqSchema }), form, 'form');
  const before = await load(d, id);
  if (retriesOf(before) >= n) return { done: false, message: `Försök ${n} var redan startat.` };
  if (before.state !== 'failed' && before.phase?.failure) {
    // A meeting phase's step failed (functions/use-cases/lifecycle.ts): a new round of that phase.
    if (n !== retriesOf(before) + 1) throw new ConflictError('Dialogen har ändrats sedan sidan öppnades. Öppna åtgärden igen.');
    const { changed } = await retryPhase(d, id, actor);
    return changed
      ? { done: true, message: `Försök ${n} startades. Mejl som redan gått ut skickas inte igen.` }
      : { done: false, message: `Försök ${n} var redan startat.` };
  }
  if (before.state !== 'failed') throw new ConflictError('Bara en dialog med fel kan startas om.');
  if (n !== retriesOf(before) + 1) throw new ConflictError('Dialogen har ändrats sedan sidan öppnades. Öppna åtgärden igen.');
  const { changed } = await d.dialogues.mutate(id, (x) => {
    if (x.state !== 'failed' || retriesOf(x) >= n) return undefined;
    assertTransition(x.state, 'created');
    return {
      ...x,
      state: 'created',
      error: undefined,
      waitToken: undefined,
      updatedAt: d.clock.now().toISOString(),
      history: [...x.history, entry(d, 'retried', actor, `Försök ${n}: ${x.error?.code ?? 'fel'}`, 'created')],
    };
  });
  if (!changed) return { done: false, message: `Försök ${n} var redan startat.` };
  try {
    await d.workflow.startInvitation(id, n);
  } catch (e) {
    await d.dialogues.mutate(id, (x) =>
      x.state !== 'created'
        ? undefined
        : {
            ...x,
            state: 'failed',
            error: { code: 'RetryNotStarted', message: (e as Error).message },
            history: [...x.history, entry(d, 'failed', 'system', `Försök ${n} kunde inte startas: ${(e as Error).message}`, 'failed')],
          },
    );
    throw new ConflictError('Arbetsflödet kunde inte startas. Försök igen om en stund.');
  }
  return { done: true, message: `Försök ${n} startades. Inbjudningar som redan gått ut skickas inte igen.` };
}

export const runAction: Record<ConsoleAction, (d: Deps, id: string, form: Record<string, string>, actor: string) => Promise<ActionResult>> =
  {
    resend: resendInvitation,
    remind: remindNow,
    close: closeDialogue,
    retry: retryDialogue,
  };

// ---- meeting actions -------------------------------------------------------------------------

export const meetingActions = ['reschedule', 'cancel', 'reassign'] as const;
export type MeetingAction = (typeof meetingActions)[number];

/** The meeting, if it belongs to the dialogue (a URL mixing two dialogues finds nothing). */
export async function meetingOfDialogue(d: Deps, dialogueId: string, meetingId: string): Promise<Meeting> {
  const m = await d.meetings.get(meetingId);
  if (!m?.dialogueIds.includes(dialogueId)) throw new NotFoundError(`Dialogen har inget möte med id ${meetingId}.`);
  return m;
}

/** A session as the reschedule form shows it: Stockholm date and wall-clock times. */
export const sessionFields = (s: { start: string; end: string }) => ({
  date: stockholmDate(new Date(s.start)),
  start: stockholmTime(new Date(s.start)),
  end: stockholmTime(new Date(s.end)),
});

const versionSchema = z.coerce
  .number({ message: 'Formuläret saknar mötets version; öppna åtgärden igen.' })
  .check(z.int(), z.gte(0), z.lte(10_000));
const dateField = isoDay('Ange ett datum som finns, som ÅÅÅÅ-MM-DD.');
const timeField = z.string().check(z.regex(/^\d{2}:\d{2}$/, 'Ange tid som TT:MM.'));

function sessionsOf(form: Record<string, string>, count: number): { start: string; end: string }[] {
  const out: { start: string; end: string }[] = [];
  for (let i = 0; i < count; i++) {
    const f = parseOrThrow(
      z.object({ date: dateField, start: timeField, end: timeField }),
      {
        date: form[`date-${i}`],
        start: form[`start-${i}`],
        end: form[`end-${i}`],
      },
      'form',
    );
    let start: Date;
    let end: Date;
    try {
      start = stockholmInstant(f.date, f.start);
      end = stockholmInstant(f.date, f.end);
    } catch {
      throw new ValidationError('Datumet eller tiden finns inte. Kontrollera fälten.');
    }
    if (end <= start) throw new ValidationError(`Del ${i + 1}: sluttiden måste vara efter starttiden.`);
    out.push({ start: start.toISOString(), end: end.toISOString() });
  }
  return out;
}

const sameSessions = (a: readonly { start: string; end: string }[], b: readonly { start: string; end: string }[]) =>
  a.length === b.length &&
  a.every((s, i) => Date.parse(s.start) === Date.parse(b[i]?.start ?? '') && Date.parse(s.end) === Date.parse(b[i]?.end ?? ''));

/**
 * A meeting action from the console. `seq` is the meeting version the coordinator saw: the same
 * confirmation posted twice finds the work done (done: false), an older version is refused.
 */
export async function runMeetingAction(
  d: Deps,
  dialogueId: string,
  meetingId: string,
  action: MeetingAction,
  form: Record<string, string>,
  actor: string,
): Promise<ActionResult> {
  const seq = parseOrThrow(z.object({ seq: versionSchema }), form, 'form').seq;
  const m = await meetingOfDialogue(d, dialogueId, meetingId);
  if (action === 'cancel') {
    const { reason } = parseOrThrow(
      z.object({
        reason: z.string().check(z.trim(), z.minLength(1, 'Skriv varför mötet ställs in.'), z.maxLength(500, 'Skriv högst 500 tecken.')),
      }),
      form,
      'form',
    );
    if (m.status === 'cancelled' && m.sequence === seq + 1) return { done: false, message: 'Mötet var redan inställt.' };
    if (m.sequence !== seq) throw new ConflictError('Mötet har ändrats sedan sidan öppnades. Öppna åtgärden igen.');
    await cancelMeetingById(d, meetingId, { reason }, actor);
    return { done: true, message: 'Mötet är inställt.' };
  }
  if (action === 'reschedule') {
    const sessions = sessionsOf(form, m.sessions.length);
    if (m.sequence === seq + 1 && m.status === 'booked' && sameSessions(m.sessions, sessions)) {
      return { done: false, message: 'Mötet var redan flyttat dit.' };
    }
    if (m.sequence !== seq) throw new ConflictError('Mötet har ändrats sedan sidan öppnades. Öppna åtgärden igen.');
    if (m.status !== 'booked') throw new ConflictError('Mötet är inställt och kan inte flyttas.');
    if (sameSessions(m.sessions, sessions)) throw new ValidationError('Välj en ny tid; den här är mötets nuvarande tid.');
    await moveMeeting(d, meetingId, { sessions }, actor);
    return { done: true, message: 'Mötet är flyttat.' };
  }
  const pair = parseOrThrow(
    z.object({
      skolverket: z.string().check(z.minLength(1, 'Välj en dialogutförare från Skolverket.')),
      spsm: z.string().check(z.minLength(1, 'Välj en dialogutförare från SPSM.')),
    }),
    form,
    'form',
  );
  const r = await reassignPair(d, meetingId, { pair, sequence: seq }, actor);
  return r.changed
    ? { done: true, message: 'Mötet har nya dialogutförare.' }
    : { done: false, message: 'Mötet hade redan de dialogutförarna.' };
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
