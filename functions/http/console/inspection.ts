/**
 * The inspectorate's page (templates/pages/console/inspection.eta), also open to coordinators: the
 * inspection calendar, the clashes with planned dialogue steps, the planned dialogue dates in a
 * month view per region with the address of their calendar subscription (and a new address on
 * request), and the dialogues under way.
 */
import { inspectionKindLabels, inspectionStatusLabels, regionName, stateLabels } from '#core/console-labels.ts';
import { DomainError, ValidationError } from '#core/errors.ts';
import { formatOrgNumber } from '#core/organiser.ts';
import { regions } from '#core/regions.ts';
import { orgNumbersOf } from '#functions/use-cases/org-numbers.ts';
import { meetingKindRules } from '#core/scheduling.ts';
import { stockholmTime } from '#core/calendar.ts';
import { formBody } from '#functions/http/request.ts';
import { html } from '#functions/http/respond.ts';
import { layoutData, type Page, qs, redirect, requireConsoleRole } from './frame.ts';
import { consoleCalendar, consoleConflicts, ONGOING_PAGE, ongoingDialogues } from '#functions/use-cases/console.ts';
import { FEED_REFRESH_MINUTES, inspectorateFeedAddress, rotateInspectorateFeed } from '#functions/use-cases/calendar-feeds.ts';
import { type PlannedMonth, plannedMonth } from '#functions/use-cases/planned-dates.ts';
import { option, when } from './format.ts';
import { count, swedishDay, swedishDaySpan } from '#core/swedish.ts';
import type { Dialogue } from '#core/dialogue.ts';

const decisionLabels: Record<string, string> = { keep: 'Behålls', reschedule: 'Flyttas' };
const decisionLabel = (d: string | undefined): string => (d ? (decisionLabels[d] ?? d) : 'Inget beslut');
const stepLabel = (step: string): string =>
  step === 'invitation' ? 'Inbjudan' : step.startsWith('meeting:') ? 'Möte' : step.startsWith('invitation') ? 'Inbjudan' : step;
const day = (iso: string): string => (iso.length > 10 ? when(iso) : swedishDay(iso));
const inspectionText = (i: { kind: string; start: string; end: string; schoolUnitCode?: string }): string =>
  `${inspectionKindLabels[i.kind as keyof typeof inspectionKindLabels] ?? i.kind} ${swedishDaySpan(i.start, i.end)}${
    i.schoolUnitCode ? ` (skolenhet ${i.schoolUnitCode})` : ''
  }`;

const monthNames = [
  'januari',
  'februari',
  'mars',
  'april',
  'maj',
  'juni',
  'juli',
  'augusti',
  'september',
  'oktober',
  'november',
  'december',
];
const monthName = (month: string): string => `${monthNames[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}`;
const windowStatusLabels: Record<string, string> = { booked: 'Bokat', offered: 'Föreslagen tid', cancelled: 'Gäller inte' };

function monthView(m: PlannedMonth, query: Record<string, string | undefined>) {
  const link = (month: string) => `/console/inspection${qs({ ...query, manad: month })}#planerade`;
  return {
    caption: `Planerade dialoger ${monthName(m.month)}${m.region ? `, ${regionName(m.region)}` : ', alla regioner'}: ${m.count} ${m.count === 1 ? 'mötestid' : 'mötestider'}`,
    month: m.month,
    previous: { href: link(m.previous), label: `Föregående månad (${monthName(m.previous)})` },
    next: { href: link(m.next), label: `Nästa månad (${monthName(m.next)})` },
    partial: m.partial,
    weeks: m.weeks.map((week) =>
      week.map((day) => ({
        day: Number(day.day.slice(8, 10)),
        date: day.day,
        inMonth: day.inMonth,
        windows: day.windows.map((w) => ({
          time: `${stockholmTime(new Date(w.start))}–${stockholmTime(new Date(w.end))}`,
          organiserName: w.organiserName,
          what: meetingKindRules[w.kind].name,
          region: m.region ? '' : regionName(w.region),
          status: w.status,
          statusLabel: windowStatusLabels[w.status] ?? w.status,
        })),
      })),
    ),
  };
}

const flashes: Record<string, string> = {
  'ny-adress': 'En ny prenumerationsadress är skapad. Den gamla slutar fungera inom en minut: byt adressen i kalendrarna som prenumererar.',
  'redan-ny': 'Adressen var redan bytt; inget ändrades. Här är den adress som gäller nu.',
};

const inspectionPage: Page = async (c) => {
  requireConsoleRole(c, ['inspectorate', 'coordinator']);
  const inspectorate = c.session.role === 'inspectorate';
  // The month (manad), the ongoing dialogues' page (dialoger) and the outcome of a form (klart) are
  // this page's own; the rest filters the calendar.
  const { manad, klart: _, dialoger: cursor, ...raw } = { ...(c.event.queryStringParameters ?? {}) };
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
  let monthError: string | undefined;
  const month = await plannedMonth(c.d, { manad, region }).catch(async (e) => {
    if (!(e instanceof DomainError)) throw e;
    monthError = `Månaden kunde inte visas: ${e instanceof ValidationError && e.issues.length ? e.issues.map((i) => i.message).join(' ') : e.message}`;
    return plannedMonth(c.d, { region });
  });
  // A refused filter shows its message and reads nothing more.
  const [conflicts, ongoing, feed] = await Promise.all([
    error
      ? { items: [] as Awaited<ReturnType<typeof consoleConflicts>>['items'] }
      : consoleConflicts(c.d, { from: q.from, to: q.to, region }, c.session.role),
    error
      ? { items: [] as Dialogue[], cursor: undefined, total: 0 }
      : ongoingDialogues(c.d, { region, cursor: cursor && cursor.length <= 2000 ? cursor : undefined }),
    inspectorateFeedAddress(c.d),
  ]);
  const rows = ongoing.items.toSorted((a, b) => a.organiserName.localeCompare(b.organiserName, 'sv'));
  const orgNumbers = await orgNumbersOf(c.d, rows);
  const period = `${swedishDaySpan(q.from, q.to)}${region ? `, ${regionName(region)}` : ''}`;
  const body = c.d.templates.consolePage('inspection', {
    ...layoutData(c, 'Inspektionen', { inspection: true }),
    flash: flashes[c.event.queryStringParameters?.klart ?? ''],
    error: error ?? monthError,
    planned: monthView(month, { from: raw.from, to: raw.to, region, organiser: raw.organiser }),
    feed: feed && {
      ...feed,
      regional: region ? `${feed.https}?region=${region}` : undefined,
      regionName: region ? regionName(region) : undefined,
      refreshMinutes: FEED_REFRESH_MINUTES,
    },
    inspectorate,
    query: q,
    regions: Object.entries(regions).map(([id, r]) => option(id, r.name, region)),
    conflictCaption: `${count(conflicts.items.length, 'krock', 'krockar')} ${period}`,
    conflicts: conflicts.items.map((x) => ({
      organiserName: x.organiserName,
      orgNumber: formatOrgNumber(x.orgNumber),
      regionName: regionName(x.region),
      inspections: [inspectionText(x.inspection), ...x.otherInspections.map(inspectionText)],
      planned: `${stepLabel(x.step)} ${day(x.plannedStart)}`,
      reason: x.reason,
      decision: decisionLabel('decision' in x ? x.decision?.decision : x.decided),
    })),
    calendarCaption: `${count(calendar.rows.length, 'inspektion', 'inspektioner')} ${period}${q.organiser ? `, huvudman ${q.organiser}` : ''}`,
    calendar: calendar.rows.map((i) => ({
      ...i,
      orgNumber: formatOrgNumber(i.orgNumber),
      regionName: i.region ? regionName(i.region) : '',
      kindLabel: inspectionKindLabels[i.kind],
      statusLabel: inspectionStatusLabels[i.status],
    })),
    calendarPartial: calendar.partial,
    caption: `${count(ongoing.total, 'pågående dialog', 'pågående dialoger')}${region ? ` i ${regionName(region)}` : ''}${
      ongoing.cursor || cursor ? `, ${ONGOING_PAGE} per sida` : ''
    }`,
    rows: rows.map((x) => ({
      ...x,
      orgNumber: formatOrgNumber(orgNumbers.get(x.organiserId)),
      regionName: regionName(x.region),
      stateLabel: stateLabels[x.state],
      updatedAt: when(x.updatedAt),
      conflict: Boolean(x.conflict),
    })),
    nextHref: ongoing.cursor
      ? `/console/inspection${qs({ from: q.from, to: q.to, region, organiser: q.organiser, dialoger: ongoing.cursor })}#pagaende`
      : undefined,
    firstHref: cursor ? `/console/inspection${qs({ from: q.from, to: q.to, region, organiser: q.organiser })}#pagaende` : undefined,
  });
  return html(error || monthError ? 400 : 200, body);
};

/** A new subscription address (both roles); the form names the address it replaces, so a repeat changes nothing. */
const newFeedAddress: Page = async (c) => {
  requireConsoleRole(c, ['inspectorate', 'coordinator']);
  const seen = formBody(c.event).adress ?? '';
  if (!/^[A-Za-z0-9_-]{1,20}$/.test(seen)) throw new ValidationError('Ladda om sidan och försök igen.');
  const { changed } = await rotateInspectorateFeed(c.d, seen, { role: c.session.role, name: c.session.name });
  return redirect(`/console/inspection?klart=${changed ? 'ny-adress' : 'redan-ny'}#prenumeration`);
};

export const inspectionRoutes: Record<string, Page> = {
  'GET /console/inspection': inspectionPage,
  'POST /console/inspection/feed': newFeedAddress,
};
