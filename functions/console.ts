/**
 * Lambda: the coordinator and inspectorate console (server-rendered HTML, no client script).
 * Sessions are signed HttpOnly, SameSite=Strict cookies; every page and action checks the role
 * server-side, and every POST carries a CSRF token bound to the session. Actions are two steps:
 * GET shows a confirmation page, POST does the work (idempotently) and redirects back.
 */
import { randomBytes } from 'node:crypto';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import {
  historyLabels,
  inspectionKindLabels,
  inspectionStatusLabels,
  legalFormLabels,
  phaseLabels,
  reasonLabels,
  regionName,
  schoolFormLabels,
  stateLabels,
} from '#core/console-labels.ts';
import { type Dialogue, dialoguePhases, dialogueStates } from '#core/dialogue.ts';
import { DomainError, NotFoundError, ValidationError } from '#core/errors.ts';
import { metricsTables, toCsv } from '#core/metrics.ts';
import { legalForms, schoolForms } from '#core/organiser.ts';
import { regions } from '#core/regions.ts';
import { displayNameOf, roleFromClaims } from '#core/auth-claims.ts';
import { type ConsoleRole, openValue, readCookie, sealValue, same, SESSION_COOKIE, SESSION_HOURS } from '#core/session.ts';
import { isSingleLine } from '#core/fields.ts';
import { endSession, startSession } from '#functions/use-cases/console-sessions.ts';
import { formatSwedishDateTime } from '#core/time.ts';
import { stockholmTime } from '#core/calendar.ts';
import type { Facilitator } from '#core/facilitators.ts';
import type { Meeting } from '#core/meetings.ts';
import { meetingKindRules } from '#core/scheduling.ts';
import { advanceBulkJob, bulkProgress, bulkStartSchema, createBulkJob, MAX_BULK_START } from '#functions/use-cases/bulk-start.ts';
import type { Deps } from '#adapters/deps.ts';
import { authorizeUrl, exchangeCode, logoutUrl, newPkce, oidcConfig, SignInError } from '#adapters/oidc.ts';
import { formBody, formFields } from '#functions/http/request.ts';
import { type HttpResult, html, json, logger } from '#functions/http/respond.ts';
import {
  consoleHandler,
  type Ctx,
  layoutData,
  type Page,
  qs,
  redirect,
  requireConsoleRole,
  roleLabels,
  consoleScript,
} from '#functions/http/console-frame.ts';
import {
  type ConsoleAction,
  consoleActions,
  consoleCalendar,
  consoleConflicts,
  consoleDialogue,
  consoleMetrics,
  hasProblem,
  listForConsole,
  type MeetingAction,
  meetingActions,
  meetingOfDialogue,
  nextResend,
  runMeetingAction,
  sessionFields,
  retriesOf,
  runAction,
} from '#functions/use-cases/console.ts';

const when = (iso: string | undefined): string => (iso ? formatSwedishDateTime(new Date(iso)) : '');
const ownershipOf = (municipal: boolean): string => (municipal ? 'kommunal' : 'enskild');

const option = (value: string, label: string, current: unknown) => ({ value, label, selected: value === current });

// ---- pages ------------------------------------------------------------------------------------

const dialoguesPage: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  const raw = c.event.queryStringParameters ?? {};
  let error: string | undefined;
  let list: Awaited<ReturnType<typeof listForConsole>>;
  try {
    list = await listForConsole(c.d, raw);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    error = `Filtret kunde inte användas: ${e.issues.map((i) => i.message).join(' ')}`;
    // A filter that cannot be read lists nothing (never everyone instead).
    list = await listForConsole(c.d, {}, { items: false });
  }
  const q = list.query;
  const filterParams = {
    state: q.state,
    phase: q.phase,
    region: q.region,
    legalForm: q.legalForm,
    ownership: q.ownership,
    schoolForm: q.schoolForm,
    facilitator: q.facilitator,
    conflict: q.conflict,
    failed: q.failed,
    waitingDays: q.waitingDays,
    sort: q.sort,
  };
  const facilitators = await c.d.facilitators.list();
  const body = c.d.templates.consolePage('dialogues', {
    ...layoutData(c, 'Dialoger', { dialogues: true }),
    error,
    query: q,
    phaseCounts: list.phaseCounts.map((x) => ({
      ...x,
      label: phaseLabels[x.phase],
      href: `/console${qs({ phase: x.phase })}`,
      current: x.phase === q.phase,
    })),
    counts: list.counts
      .filter((x) => x.count > 0 || x.state === list.state)
      .map((x) => ({
        ...x,
        label: stateLabels[x.state],
        href: `/console${qs({ state: x.state })}`,
        current: x.state === list.state,
      })),
    options: {
      state: dialogueStates.map((s) => option(s, stateLabels[s], q.state)),
      phase: dialoguePhases.map((p) => option(p, phaseLabels[p], q.phase)),
      schoolForm: schoolForms.map((f) => option(f, schoolFormLabels[f], q.schoolForm)),
      facilitator: facilitators
        .slice()
        .sort((a, b) => a.name.localeCompare(b.name, 'sv'))
        .map((f) => option(f.id, `${f.name} (${f.agency === 'skolverket' ? 'Skolverket' : 'SPSM'})`, q.facilitator)),
      conflict: [option('ja', 'Med krock', q.conflict), option('nej', 'Utan krock', q.conflict)],
      region: Object.entries(regions).map(([id, r]) => option(id, `${r.name} (kontor: ${r.office})`, q.region)),
      legalForm: legalForms.map((f) => option(f, legalFormLabels[f], q.legalForm)),
      ownership: [option('kommunal', 'Kommunal', q.ownership), option('enskild', 'Enskild', q.ownership)],
      sort: [option('nyast', 'Nyast först', q.sort ?? 'nyast'), option('aldst', 'Äldst först', q.sort ?? 'nyast')],
    },
    caption: `${list.items.length} dialoger${list.state ? ` i läget ”${stateLabels[list.state]}”` : ''}${
      q.waitingDays ? `, oförändrade i mer än ${q.waitingDays} dagar` : ''
    }, sorterade ${list.state ? 'efter senaste ändring' : 'efter när de skapades'}, ${q.sort === 'aldst' ? 'äldst' : 'nyast'} först`,
    rows: list.items.map((x) => ({
      id: x.id,
      organiserName: x.organiserName,
      stateLabel: stateLabels[x.state],
      regionName: regionName(x.region),
      legalFormLabel: legalFormLabels[x.legalForm],
      ownership: ownershipOf(x.municipal),
      flags: [x.conflict ? 'Krock med inspektion' : '', hasProblem(x) ? 'Fel' : ''].filter(Boolean),
      createdAt: when(x.createdAt),
      updatedAt: when(x.updatedAt),
    })),
    partial: list.partial,
    read: list.read,
    nextHref: list.cursor ? `/console${qs({ ...filterParams, cursor: list.cursor })}` : undefined,
    firstHref: q.cursor ? `/console${qs(filterParams)}` : undefined,
  });
  return html(error ? 400 : 200, body);
};

const basisLabels: Record<Dialogue['recipients'][number]['basis'], string> = {
  board: 'Nämnd eller styrelse',
  school_chief: 'Skolchef',
  principal_fallback: 'Rektor (ingen skolchef angiven)',
};
const contactRoleLabels: Record<string, string> = { board: 'Nämnd/styrelse', school_chief: 'Skolchef', principal: 'Rektor' };
const mailStatusLabels: Record<string, string> = {
  sending: 'Skickas',
  sent: 'Skickat',
  unconfirmed: 'Obekräftat',
  suppressed: 'Spärrad adress – ej skickat',
};
/** What SES reported after the send, when it did. */
const deliveryLabels: Record<string, string> = {
  delivered: 'levererat',
  bounced: 'studsade',
  complained: 'anmält som skräppost',
  rejected: 'avvisat av SES',
};
const dueLabels: Record<string, string> = {
  start: 'Start av arbetsflödet',
  reminder: 'Påminnelse',
  escalate: 'Larm till samordnaren',
  callback: 'Svar till arbetsflödet',
  phase_start: 'Start av nästa fas',
  offer_reminder: 'Påminnelse om tidsförslag',
  offer_escalate: 'Samordnaren tar över bokningen',
  held: 'Mötet är hållet',
  follow_up: 'Uppföljning erbjuds',
};

function actionsFor(x: Dialogue): { href: string; label: string; danger?: boolean }[] {
  const base = `/console/dialogues/${x.id}`;
  const out: { href: string; label: string; danger?: boolean }[] = [];
  if (x.state === 'invited') out.push({ href: `${base}/resend`, label: 'Skicka inbjudan igen' });
  if (x.state === 'invited' && x.dueKind === 'reminder') out.push({ href: `${base}/remind`, label: 'Skicka påminnelse nu' });
  if (x.state === 'failed' || x.phase?.failure) out.push({ href: `${base}/retry`, label: 'Försök igen' });
  if (x.state === 'created' || x.state === 'invited' || x.state === 'failed')
    out.push({ href: `${base}/close`, label: 'Avsluta dialogen', danger: true });
  return out;
}

const flashes: Record<string, string> = {
  resend: 'Inbjudan skickades igen.',
  remind: 'Påminnelsen skickades.',
  close: 'Dialogen är avslutad.',
  retry: 'Ett nytt försök har startat.',
  already: 'Åtgärden var redan utförd; inget ändrades.',
  reschedule: 'Mötet är flyttat. Alla deltagare har fått en ny kalenderinbjudan.',
  cancel: 'Mötet är inställt. Alla deltagare har fått en avbokning.',
  reassign: 'Mötet har nya dialogutförare. Alla har fått en uppdaterad kalenderinbjudan och den som byttes ut en avbokning.',
};

const meetingStatusLabels: Record<Meeting['status'], string> = { booked: 'Bokat', cancelled: 'Inställt' };
const meetingActionLabels: Record<MeetingAction, string> = {
  reschedule: 'Flytta',
  reassign: 'Byt dialogutförare',
  cancel: 'Ställ in',
};

function meetingView(m: Meeting, dialogueId: string, facilitators: readonly Facilitator[]) {
  const nameOf = (id: string) => facilitators.find((f) => f.id === id)?.name ?? id;
  return {
    id: m.id,
    name: meetingKindRules[m.kind].name,
    when: m.sessions.map((s) => `${formatSwedishDateTime(new Date(s.start))}–${stockholmTime(new Date(s.end))}`).join(', '),
    pairNames: `${nameOf(m.pair.skolverket)} (Skolverket), ${nameOf(m.pair.spsm)} (SPSM)`,
    statusLabel: meetingStatusLabels[m.status],
    sequence: m.sequence,
    actions:
      m.status === 'booked'
        ? meetingActions.map((a) => ({ href: `/console/dialogues/${dialogueId}/meetings/${m.id}/${a}`, label: meetingActionLabels[a] }))
        : [],
  };
}

const dialoguePage: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  const view = await consoleDialogue(c.d, c.event.pathParameters?.id ?? '');
  const x = view.dialogue;
  const o = view.organiser;
  const [meetings, facilitators] = await Promise.all([c.d.meetings.listForDialogue(x.id), c.d.facilitators.list()]);
  const body = c.d.templates.consolePage('dialogue', {
    ...layoutData(c, x.organiserName, { dialogues: true }),
    d: x,
    flash: flashes[c.event.queryStringParameters?.klart ?? ''],
    stateLabel: stateLabels[x.state],
    createdAt: when(x.createdAt),
    updatedAt: when(x.updatedAt),
    nextTimer: x.dueAt && x.dueKind ? `${dueLabels[x.dueKind] ?? x.dueKind} ${when(x.dueAt)}` : undefined,
    answer: x.answer
      ? `${x.answer.outcome === 'accepted' ? 'Tackade ja' : 'Tackade nej'} ${when(x.answer.answeredAt)}${
          x.answer.reason ? ` – ${reasonLabels[x.answer.reason]}` : ''
        }${x.answer.comment ? `: ”${x.answer.comment}”` : ''}`
      : undefined,
    actions: actionsFor(x),
    meetings: meetings.map((m) => meetingView(m, x.id, facilitators)),
    organiser: o,
    orgNumber: o ? `${o.orgNumber.slice(0, 6)}-${o.orgNumber.slice(6)}` : undefined,
    legalFormLabel: legalFormLabels[x.legalForm],
    ownership: ownershipOf(x.municipal),
    regionName: regionName(x.region),
    schoolForms: o?.schoolForms.map((f) => schoolFormLabels[f] ?? f).join(', '),
    contacts: o?.contacts.map((k) => ({ ...k, roleLabel: contactRoleLabels[k.role] ?? k.role })),
    recipients: x.recipients.map((r) => ({ ...r, basisLabel: basisLabels[r.basis] })),
    mails: view.mails.map((m) => ({
      step: m.step,
      email: m.email,
      statusLabel: [
        mailStatusLabels[m.status] ?? m.status,
        m.delivery ? `${deliveryLabels[m.delivery.outcome] ?? m.delivery.outcome} (${m.delivery.detail})` : '',
      ]
        .filter(Boolean)
        .join(', '),
      at: when(m.sentAt ?? m.claimedAt),
    })),
    history: x.history.map((h) => ({ at: when(h.at), label: historyLabels[h.type] ?? h.type, by: h.by ?? '', detail: h.detail ?? '' })),
    executions: view.executions.map((e) => ({
      ...e,
      startedAt: when(e.startedAt),
      stoppedAt: when(e.stoppedAt),
      events: e.events.map((ev) => ({ ...ev, at: when(ev.at) })),
    })),
    executionsError: view.executionsError,
  });
  return html(200, body);
};

const confirmTexts: Record<ConsoleAction, { heading: string; explanation: string; confirmLabel: string; danger?: boolean }> = {
  resend: {
    heading: 'Skicka inbjudan igen',
    explanation: 'Mottagaren får inbjudan en gång till, med samma svarslänk som förut. Välj vem som ska få den.',
    confirmLabel: 'Skicka inbjudan',
  },
  remind: {
    heading: 'Skicka påminnelse nu',
    explanation: 'Alla mottagare får nästa påminnelse nu i stället för på det planerade datumet.',
    confirmLabel: 'Skicka påminnelsen',
  },
  close: {
    heading: 'Avsluta dialogen',
    explanation: 'Dialogen avslutas: inga fler påminnelser skickas och svarslänkarna tar inte emot svar. Det går inte att ångra.',
    confirmLabel: 'Avsluta dialogen',
    danger: true,
  },
  retry: {
    heading: 'Försök igen',
    explanation: 'Arbetsflödet (inbjudan, eller mötessteget som stannade) startar på nytt. Mejl som redan gått ut skickas inte igen.',
    confirmLabel: 'Starta nytt försök',
  },
};

/** The {action} path parameter, if it is one of `allowed` (otherwise the page does not exist). */
function actionParam<A extends string>(c: Ctx, allowed: readonly A[]): A {
  const a = c.event.pathParameters?.action ?? '';
  if (!(allowed as readonly string[]).includes(a)) throw new NotFoundError('Åtgärden finns inte.');
  return a as A;
}
const actionOf = (c: Ctx): ConsoleAction => actionParam(c, consoleActions);

async function confirmPage(c: Ctx, error?: string, form: Record<string, string> = {}): Promise<HttpResult> {
  requireConsoleRole(c, ['coordinator']);
  const action = actionOf(c);
  const { dialogue: x } = await consoleDialogue(c.d, c.event.pathParameters?.id ?? '');
  if (!error && !actionsFor(x).some((a) => a.href.endsWith(`/${action}`))) {
    return html(
      409,
      c.d.templates.consolePage('error', {
        ...layoutData(c, confirmTexts[action].heading, { dialogues: true }),
        heading: confirmTexts[action].heading,
        message: `Det går inte i dialogens nuvarande läge (${stateLabels[x.state]}).`,
        back: `/console/dialogues/${x.id}`,
      }),
    );
  }
  const n = action === 'resend' ? nextResend(x) : action === 'remind' ? x.reminders + 1 : action === 'retry' ? retriesOf(x) + 1 : undefined;
  const body = c.d.templates.consolePage('confirm', {
    ...layoutData(c, confirmTexts[action].heading, { dialogues: true }),
    ...confirmTexts[action],
    id: x.id,
    organiserName: x.organiserName,
    action,
    n,
    error,
    recipients: action === 'resend' ? x.recipients : undefined,
    askReason: action === 'close',
    reason: form.reason ?? '',
  });
  return html(error ? 400 : 200, body);
}

const actionPost: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  const action = actionOf(c);
  const id = c.event.pathParameters?.id ?? '';
  return confirmed(
    c,
    action,
    (form, actor) => runAction[action](c.d, id, form, actor),
    (message, form) => confirmPage(c, message, form),
  );
};

const actorOf = (c: Ctx): string => `${c.session.name} (${roleLabels[c.session.role]})`;

/**
 * Runs a confirmed action and goes back to the dialogue page with what happened ("already" when
 * the work was done before); a refusal shows the confirmation again with the reason.
 */
async function confirmed(
  c: Ctx,
  action: string,
  run: (form: Record<string, string>, actor: string) => Promise<{ done: boolean }>,
  reshow: (message: string, form: Record<string, string>) => Promise<HttpResult>,
): Promise<HttpResult> {
  const id = c.event.pathParameters?.id ?? '';
  const form = formBody(c.event);
  const actor = actorOf(c);
  try {
    const result = await run(form, actor);
    logger.info('console action', { action, dialogueId: id, meetingId: c.event.pathParameters?.meetingId, done: result.done, by: actor });
    return redirect(`/console/dialogues/${encodeURIComponent(id)}?klart=${result.done ? action : 'already'}`);
  } catch (e) {
    if (e instanceof NotFoundError) throw e;
    if (e instanceof DomainError) {
      return reshow(e instanceof ValidationError && e.issues.length ? e.issues.map((i) => i.message).join(' ') : e.message, form);
    }
    throw e;
  }
}

const meetingTexts: Record<MeetingAction, { heading: string; explanation: string; confirmLabel: string; danger?: boolean }> = {
  reschedule: {
    heading: 'Flytta mötet',
    explanation:
      'Välj den nya tiden. Tiden kontrolleras mot Skolinspektionens kalender och dialogutförarnas kalendrar. Alla deltagare får en ny kalenderinbjudan som ersätter den gamla.',
    confirmLabel: 'Flytta mötet',
  },
  cancel: {
    heading: 'Ställ in mötet',
    explanation: 'Mötet ställs in och tas bort ur allas kalendrar. Dialogutförarna blir lediga den tiden. Det går inte att ångra.',
    confirmLabel: 'Ställ in mötet',
    danger: true,
  },
  reassign: {
    heading: 'Byt dialogutförare',
    explanation:
      'Välj en dialogutförare från Skolverket och en från SPSM. Båda måste vara lediga vid mötets tid. Alla får en uppdaterad kalenderinbjudan; den som byts ut får en avbokning.',
    confirmLabel: 'Byt dialogutförare',
  },
};

const meetingActionOf = (c: Ctx): MeetingAction => actionParam(c, meetingActions);

async function meetingConfirmPage(c: Ctx, error?: string, form: Record<string, string> = {}): Promise<HttpResult> {
  requireConsoleRole(c, ['coordinator']);
  const action = meetingActionOf(c);
  const id = c.event.pathParameters?.id ?? '';
  const { dialogue: x } = await consoleDialogue(c.d, id);
  const [m, facilitators] = await Promise.all([
    meetingOfDialogue(c.d, id, c.event.pathParameters?.meetingId ?? ''),
    c.d.facilitators.list(),
  ]);
  const texts = meetingTexts[action];
  const layout = layoutData(c, texts.heading, { dialogues: true });
  if (m.status !== 'booked' && !error) {
    return html(
      409,
      c.d.templates.consolePage('error', {
        ...layout,
        heading: texts.heading,
        message: 'Mötet är inställt.',
        back: `/console/dialogues/${id}`,
      }),
    );
  }
  const pick = (agency: Facilitator['agency'], current: string) =>
    facilitators
      .filter((f) => f.agency === agency && (f.active || f.id === current))
      .sort((a, b) => a.name.localeCompare(b.name, 'sv'))
      .map((f) => option(f.id, `${f.name} (${f.office})`, form[agency] ?? current));
  const body = c.d.templates.consolePage('meeting-confirm', {
    ...layout,
    ...texts,
    id,
    organiserName: x.organiserName,
    action,
    error,
    meeting: meetingView(m, id, facilitators),
    split: m.sessions.length > 1,
    sessions:
      action === 'reschedule'
        ? m.sessions.map((s, i) => ({
            index: i,
            number: i + 1,
            ...sessionFields(s),
            ...(form[`date-${i}`] ? { date: form[`date-${i}`], start: form[`start-${i}`], end: form[`end-${i}`] } : {}),
          }))
        : undefined,
    askReason: action === 'cancel',
    reason: form.reason ?? '',
    pairOptions: action === 'reassign' ? { skolverket: pick('skolverket', m.pair.skolverket), spsm: pick('spsm', m.pair.spsm) } : undefined,
  });
  return html(error ? 400 : 200, body);
}

const meetingActionPost: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  const action = meetingActionOf(c);
  const id = c.event.pathParameters?.id ?? '';
  const meetingId = c.event.pathParameters?.meetingId ?? '';
  return confirmed(
    c,
    action,
    (form, actor) => runMeetingAction(c.d, id, meetingId, action, form, actor),
    (message, form) => meetingConfirmPage(c, message, form),
  );
};

const metricsPage: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  const tables = metricsTables(await consoleMetrics(c.d));
  const body = c.d.templates.consolePage('metrics', {
    ...layoutData(c, 'Statistik', { metrics: true }),
    at: when(c.d.clock.now().toISOString()),
    cycleText: 'alla omgångar',
    // An empty cell (no one offered, no phase completed) shows as a dash, not as nothing.
    tables: Object.entries(tables).map(([name, t]) => ({ name, ...t, rows: t.rows.map((r) => r.map((v) => (v === undefined ? '–' : v))) })),
  });
  return html(200, body);
};

const metricsCsv: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  const name = (c.event.pathParameters?.table ?? '').replace(/\.csv$/, '');
  const table = metricsTables(await consoleMetrics(c.d))[name];
  if (!table) throw new NotFoundError('Tabellen finns inte.');
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="kvalitetsdialog-${name}.csv"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
    body: toCsv(table.header, table.rows),
  };
};

const decisionLabels: Record<string, string> = { keep: 'Behålls', reschedule: 'Flyttas' };
const decisionLabel = (d: string | undefined): string => (d ? (decisionLabels[d] ?? d) : 'Inget beslut');
const stepLabel = (step: string): string =>
  step === 'invitation' ? 'Inbjudan' : step.startsWith('meeting:') ? 'Möte' : step.startsWith('invitation') ? 'Inbjudan' : step;
const day = (iso: string): string => (iso.length > 10 ? when(iso) : iso);

const inspectionPage: Page = async (c) => {
  requireConsoleRole(c, ['inspectorate', 'coordinator']);
  const inspectorate = c.session.role === 'inspectorate';
  const raw = { ...(c.event.queryStringParameters ?? {}) };
  if (!inspectorate) delete raw.organiser;
  let error: string | undefined;
  let calendar: Awaited<ReturnType<typeof consoleCalendar>>;
  try {
    calendar = await consoleCalendar(c.d, raw, { rows: inspectorate });
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    error = `Urvalet kunde inte användas: ${e instanceof ValidationError && e.issues.length ? e.issues.map((i) => i.message).join(' ') : e.message}`;
    // A period or region that cannot be read shows nothing (never the default period instead).
    calendar = await consoleCalendar(c.d, {}, { rows: false });
  }
  const q = calendar.query;
  const region = q.region;
  const [conflicts, lists] = error
    ? [{ items: [] }, []]
    : await Promise.all([
        consoleConflicts(c.d, { from: q.from, to: q.to, region }, c.session.role),
        Promise.all((['invited', 'accepted'] as const).map((state) => listForConsole(c.d, { state, region, limit: 100 }))),
      ]);
  const rows = lists.flatMap((l) => l.items).sort((a, b) => a.organiserName.localeCompare(b.organiserName, 'sv'));
  const period = `${q.from} – ${q.to}${region ? `, ${regionName(region)}` : ''}`;
  const body = c.d.templates.consolePage('inspection', {
    ...layoutData(c, 'Inspektionen', { inspection: true }),
    error,
    inspectorate,
    query: q,
    regions: Object.entries(regions).map(([id, r]) => option(id, r.name, region)),
    conflictCaption: `${conflicts.items.length} krockar ${period}`,
    conflicts: conflicts.items.map((x) => ({
      organiserName: x.organiserName,
      regionName: regionName(x.region),
      inspection: `${inspectionKindLabels[x.inspection.kind] ?? x.inspection.kind} ${x.inspection.start}–${x.inspection.end}${
        x.inspection.schoolUnitCode ? ` (skolenhet ${x.inspection.schoolUnitCode})` : ''
      }`,
      planned: `${stepLabel(x.step)} ${day(x.plannedStart)}`,
      reason: x.reason,
      decision: decisionLabel('decision' in x ? x.decision?.decision : x.decided),
    })),
    calendarCaption: `${calendar.rows.length} inspektioner ${period}${q.organiser ? `, huvudman ${q.organiser}` : ''}`,
    calendar: calendar.rows.map((i) => ({
      ...i,
      regionName: i.region ? regionName(i.region) : '',
      kindLabel: inspectionKindLabels[i.kind],
      statusLabel: inspectionStatusLabels[i.status],
    })),
    calendarPartial: calendar.partial,
    caption: `${rows.length} pågående dialoger${region ? ` i ${regionName(region)}` : ''}`,
    rows: rows.map((x) => ({ ...x, regionName: regionName(x.region), stateLabel: stateLabels[x.state], updatedAt: when(x.updatedAt) })),
  });
  return html(error ? 400 : 200, body);
};

const startPage = async (c: Ctx, error?: string): Promise<HttpResult> => {
  requireConsoleRole(c, ['coordinator']);
  const cursor = c.event.queryStringParameters?.cursor;
  const page = await c.d.organisers.list(50, cursor);
  const body = c.d.templates.consolePage('start', {
    ...layoutData(c, 'Starta dialoger', { start: true }),
    error,
    max: MAX_BULK_START,
    pageNo: cursor ? 'fler' : 1,
    cycle: String(c.d.clock.now().getUTCFullYear()),
    organisers: page.items.map((o) => ({ ...o, legalFormLabel: legalFormLabels[o.legalForm], regionName: regionName(o.region) })),
    nextHref: page.cursor ? `/console/start${qs({ cursor: page.cursor })}` : undefined,
  });
  return html(error ? 400 : 200, body);
};

const outcomeLabels = { started: 'Startad', existed: 'Fanns redan', error: 'Gick inte att starta' } as const;

const startPost: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  const { fields, all } = formFields(c.event, { lists: ['organiserIds'] });
  const organiserIds = all.organiserIds ?? [];
  const cycle = fields.cycle || String(c.d.clock.now().getUTCFullYear());
  if (organiserIds.length === 0) return startPage(c, 'Välj minst en huvudman.');
  if (organiserIds.length > MAX_BULK_START) return startPage(c, `Välj högst ${MAX_BULK_START} huvudmän åt gången.`);
  if (!/^\d{4}$/.test(cycle)) return startPage(c, 'Omgången är ett årtal, t.ex. 2026.');
  const checked = bulkStartSchema.safeParse({ organiserIds, cycle });
  if (!checked.success) return startPage(c, checked.error.issues[0]?.message ?? 'Välj huvudmän i listan.');
  if (fields.step !== 'run') {
    const organisers = await Promise.all(organiserIds.map(async (id) => ({ id, name: (await c.d.organisers.get(id))?.name ?? id })));
    return html(
      200,
      c.d.templates.consolePage('start-confirm', {
        ...layoutData(c, 'Starta dialoger', { start: true }),
        organisers,
        count: organisers.length,
        cycle,
        // One id per confirmation: posting it twice finds the same job.
        jobId: randomBytes(16).toString('base64url'),
      }),
    );
  }
  const actor = actorOf(c);
  try {
    const { job, created } = await createBulkJob(c.d, { organiserIds, cycle, jobId: fields.jobId ?? '' }, actor);
    logger.info('console bulk start', { job: job.id, count: job.organiserIds.length, created, by: actor });
    if (created) await advanceBulkJob(c.d, job.id);
    return redirect(`/console/start/${encodeURIComponent(job.id)}`);
  } catch (e) {
    if (e instanceof ValidationError) return startPage(c, e.issues.map((i) => i.message).join(' ') || e.message);
    throw e;
  }
};

/** Seconds between refreshes of the progress page while organisers are left (without script). */
const PROGRESS_REFRESH_SECONDS = 2;
const PROGRESS_SCRIPT = '/console/assets/progress.js';

function progressView(p: Awaited<ReturnType<typeof bulkProgress>>) {
  return {
    done: p.done,
    total: p.total,
    handled: p.total - p.pending,
    pending: p.pending,
    started: p.started,
    existed: p.existed,
    failed: p.failed,
    text: `${p.started} dialoger startade, ${p.existed} fanns redan, ${p.failed} gick inte att starta.${p.done ? '' : ` ${p.pending} återstår.`}`,
    rows: p.job.results.map((r) => ({ ...r, outcomeLabel: outcomeLabels[r.outcome] })),
  };
}

/**
 * The progress of a bulk start; it only reads (the scheduler's tick starts the organisers the
 * confirming request left). With script, a small file of our own asks /status every second and
 * updates the page in place; without it, the page reloads itself every two seconds until done.
 */
const startProgressPage: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  const p = await bulkProgress(c.d, c.event.pathParameters?.jobId ?? '');
  const view = progressView(p);
  return html(
    200,
    c.d.templates.consolePage('start-result', {
      ...layoutData(c, p.done ? 'Resultat' : 'Startar dialoger', { start: true }),
      noscriptRefresh: p.done ? undefined : String(PROGRESS_REFRESH_SECONDS),
      script: p.done ? undefined : PROGRESS_SCRIPT,
      ...view,
      self: `/console/start/${encodeURIComponent(p.job.id)}`,
    }),
    { allowOwnScript: !p.done },
  );
};

/** The same progress as the page, as JSON for the page's script. */
const startProgressStatus: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  return json(200, progressView(await bulkProgress(c.d, c.event.pathParameters?.jobId ?? '')));
};

const progressScript = consoleScript('progress.js');

const logoutPost: Page = async (c) => {
  await endSession(c.d, c.session);
  const cleared = { 'set-cookie': `${SESSION_COOKIE}=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0` };
  const cfg = oidcConfig(c.d.env);
  // Signed in through the hosted UI: end that session too, or the next login would skip the password.
  return redirect(cfg ? logoutUrl(cfg, `${c.d.env.PUBLIC_BASE_URL}/console/login`) : '/console/login', cleared);
};

// ---- login ------------------------------------------------------------------------------------

const safeNext = (next: string | undefined): string =>
  next && /^\/console(?:[/?][^\s\\]*)?$/.test(next) && !next.startsWith('//') ? next : '/console';

function loginPage(d: Deps, status: number, data: { next?: string; error?: string; name?: string; role?: string }): HttpResult {
  return html(
    status,
    d.templates.consolePage('login', {
      title: 'Logga in',
      next: safeNext(data.next),
      cognitoHref: oidcConfig(d.env) ? `/console/auth/login${qs({ next: safeNext(data.next) })}` : undefined,
      error: data.error,
      name: data.name ?? '',
      local: d.env.LOCAL_MODE === 'true',
      coordinatorChecked: data.role === 'coordinator' || data.role === undefined,
      inspectorateChecked: data.role === 'inspectorate',
      tokenChecked: data.role === '',
    }),
  );
}

async function loginPost(d: Deps, event: APIGatewayProxyEventV2): Promise<HttpResult> {
  // With Cognito, signing in happens only at the hosted UI: no dev login, no shared tokens.
  if (oidcConfig(d.env)) return loginPage(d, 400, { error: 'Logga in med knappen nedan.' });
  const form = formBody(event);
  const name = (form.name ?? '').trim();
  const back = { next: form.next, name, role: form.role };
  if (!name || name.length > 100 || !isSingleLine(name))
    return loginPage(d, 400, { ...back, error: 'Skriv ditt namn (högst 100 tecken).' });
  const secrets = await d.secrets();
  let role: ConsoleRole | undefined;
  const token = (form.token ?? '').trim();
  if (token) {
    role = same(token, secrets.coordinatorToken) ? 'coordinator' : same(token, secrets.inspectorateToken) ? 'inspectorate' : undefined;
    if (!role) return loginPage(d, 401, { ...back, error: 'Åtkomstnyckeln stämmer inte.' });
  } else if (d.env.LOCAL_MODE === 'true' && (form.role === 'coordinator' || form.role === 'inspectorate')) {
    role = form.role;
  } else {
    return loginPage(d, 400, { ...back, error: 'Ange din åtkomstnyckel.' });
  }
  const next = role === 'inspectorate' && safeNext(form.next) === '/console' ? '/console/inspection' : safeNext(form.next);
  logger.info('console login', { role });
  return redirect(next, { 'set-cookie': await sessionCookie(d, secrets.linkSigningKey, role, name) });
}

const secureFlag = (d: Deps): string => (d.env.PUBLIC_BASE_URL.startsWith('https:') ? '; Secure' : '');

async function sessionCookie(d: Deps, linkSigningKey: string, role: ConsoleRole, name: string): Promise<string> {
  const { value } = await startSession(d, linkSigningKey, { role, name });
  return `${SESSION_COOKIE}=${value}; Path=/console; HttpOnly; SameSite=Strict; Max-Age=${SESSION_HOURS * 3600}${secureFlag(d)}`;
}

// ---- sign-in with Cognito (cloud) ------------------------------------------------------------

const OAUTH_COOKIE = 'kd_oauth';
const OAUTH_PURPOSE = 'console-oauth-v1';
const callbackUri = (d: Deps): string => `${d.env.PUBLIC_BASE_URL}/console/auth/callback`;

/** Starts the hosted-UI sign-in: state, PKCE verifier and return path in a signed 10-minute cookie. */
async function authLogin(d: Deps, event: APIGatewayProxyEventV2): Promise<HttpResult> {
  const cfg = oidcConfig(d.env);
  if (!cfg) throw new NotFoundError('Sidan finns inte.');
  const { linkSigningKey } = await d.secrets();
  const pkce = newPkce();
  const sealed = sealValue(
    linkSigningKey,
    OAUTH_PURPOSE,
    { s: pkce.state, v: pkce.verifier, n: safeNext(event.queryStringParameters?.next) },
    new Date(d.clock.now().getTime() + 10 * 60_000),
  );
  // Lax, not Strict: the browser must send it on the top-level redirect back from the hosted UI.
  return redirect(authorizeUrl(cfg, callbackUri(d), pkce), {
    'set-cookie': `${OAUTH_COOKIE}=${sealed}; Path=/console/auth; HttpOnly; SameSite=Lax; Max-Age=600${secureFlag(d)}`,
  });
}

/**
 * The hosted UI's redirect back: the state must match the cookie, the code is exchanged with the
 * PKCE verifier, and the verified ID token's `cognito:groups` gives the role. The session cookie
 * is SameSite=Strict, which a browser does not send on a redirect chain that began on another
 * site, so this answers with a page that moves on by itself (meta refresh, no script).
 */
async function authCallback(d: Deps, event: APIGatewayProxyEventV2): Promise<HttpResult> {
  const cfg = oidcConfig(d.env);
  if (!cfg) throw new NotFoundError('Sidan finns inte.');
  const { linkSigningKey } = await d.secrets();
  const q = event.queryStringParameters ?? {};
  const saved = openValue(linkSigningKey, OAUTH_PURPOSE, readCookie(event.cookies ?? event.headers?.cookie, OAUTH_COOKIE), d.clock.now());
  const clear = `${OAUTH_COOKIE}=; Path=/console/auth; HttpOnly; SameSite=Lax; Max-Age=0`;
  const fail = (status: number, message: string): HttpResult => {
    const r = loginPage(d, status, { error: message });
    return { statusCode: r.statusCode, headers: { ...r.headers, 'set-cookie': clear }, body: r.body };
  };
  if (q.error) return fail(401, 'Inloggningen avbröts. Försök igen.');
  if (!saved || !q.state || !q.code || !same(q.state, saved.s ?? ''))
    return fail(400, 'Inloggningen hade gått ut eller kom inte härifrån. Försök igen.');
  let claims: Record<string, unknown>;
  try {
    claims = await exchangeCode(cfg, { code: q.code, redirectUri: callbackUri(d), verifier: saved.v ?? '' });
  } catch (e) {
    if (!(e instanceof SignInError)) throw e;
    logger.warn('console sign-in failed', { reason: e.message });
    return fail(401, 'Inloggningen kunde inte bekräftas. Försök igen.');
  }
  let role: ConsoleRole;
  try {
    role = roleFromClaims(claims);
  } catch {
    return fail(
      403,
      'Ditt konto har ingen roll i konsolen. Be en administratör lägga till dig i gruppen samordnare eller Skolinspektionen.',
    );
  }
  const next = role === 'inspectorate' && safeNext(saved.n) === '/console' ? '/console/inspection' : safeNext(saved.n);
  logger.info('console login', { role, via: 'cognito' });
  const page = html(200, d.templates.consolePage('signed-in', { title: 'Inloggad', next, refresh: `0;url=${next}` }));
  // Two cookies at once: API Gateway v2 sends each entry of `cookies` as its own Set-Cookie header.
  return {
    statusCode: page.statusCode,
    headers: page.headers,
    body: page.body,
    cookies: [await sessionCookie(d, linkSigningKey, role, displayNameOf(claims)), clear],
  };
}

// ---- dispatch ---------------------------------------------------------------------------------

export const consolePages: Record<string, Page> = {
  'GET /console': dialoguesPage,
  'GET /console/dialogues/{id}': dialoguePage,
  'GET /console/dialogues/{id}/{action}': (c) => confirmPage(c),
  'POST /console/dialogues/{id}/{action}': actionPost,
  'GET /console/dialogues/{id}/meetings/{meetingId}/{action}': (c) => meetingConfirmPage(c),
  'POST /console/dialogues/{id}/meetings/{meetingId}/{action}': meetingActionPost,
  'GET /console/metrics': metricsPage,
  'GET /console/metrics/{table}': metricsCsv,
  'GET /console/inspection': inspectionPage,
  'GET /console/start': (c) => startPage(c),
  'POST /console/start': startPost,
  'GET /console/start/{jobId}': startProgressPage,
  'GET /console/start/{jobId}/status': startProgressStatus,
  'GET /console/assets/progress.js': progressScript,
  'POST /console/logout': logoutPost,
};
/** Sign-in: the only console pages without a session. */
const signInPages: Record<string, (d: Deps, event: APIGatewayProxyEventV2) => Promise<HttpResult>> = {
  'GET /console/login': async (d, event) => loginPage(d, 200, { next: event.queryStringParameters?.next }),
  'POST /console/login': loginPost,
  'GET /console/auth/login': authLogin,
  'GET /console/auth/callback': authCallback,
};
export const consoleRouteKeys = [...Object.keys(consolePages), ...Object.keys(signInPages)];

export const handler = middy<APIGatewayProxyEventV2, HttpResult>().handler(consoleHandler(consolePages, signInPages));
