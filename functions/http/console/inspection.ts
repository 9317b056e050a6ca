/**
 * The inspectorate's page (templates/pages/console/inspection.eta), also open to coordinators: the
 * inspection calendar, the clashes with planned dialogue steps and the dialogues under way.
 */
import { inspectionKindLabels, inspectionStatusLabels, regionName, stateLabels } from '#core/console-labels.ts';
import { DomainError, ValidationError } from '#core/errors.ts';
import { regions } from '#core/regions.ts';
import { html } from '#functions/http/respond.ts';
import { layoutData, type Page, qs, requireConsoleRole } from './frame.ts';
import { consoleCalendar, consoleConflicts, ongoingDialogues } from '#functions/use-cases/console.ts';
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
  const cursor = c.event.queryStringParameters?.dialoger;
  // A refused filter shows its message and reads nothing more.
  const [conflicts, ongoing] = error
    ? [{ items: [] as Awaited<ReturnType<typeof consoleConflicts>>['items'] }, { items: [] as Dialogue[], cursor: undefined }]
    : await Promise.all([
        consoleConflicts(c.d, { from: q.from, to: q.to, region }, c.session.role),
        ongoingDialogues(c.d, { region, cursor: cursor && cursor.length <= 2000 ? cursor : undefined }),
      ]);
  const rows = ongoing.items.toSorted((a, b) => a.organiserName.localeCompare(b.organiserName, 'sv'));
  const period = `${swedishDaySpan(q.from, q.to)}${region ? `, ${regionName(region)}` : ''}`;
  const body = c.d.templates.consolePage('inspection', {
    ...layoutData(c, 'Inspektionen', { inspection: true }),
    error,
    inspectorate,
    query: q,
    regions: Object.entries(regions).map(([id, r]) => option(id, r.name, region)),
    conflictCaption: `${count(conflicts.items.length, 'krock', 'krockar')} ${period}`,
    conflicts: conflicts.items.map((x) => ({
      organiserName: x.organiserName,
      regionName: regionName(x.region),
      inspections: [inspectionText(x.inspection), ...x.otherInspections.map(inspectionText)],
      planned: `${stepLabel(x.step)} ${day(x.plannedStart)}`,
      reason: x.reason,
      decision: decisionLabel('decision' in x ? x.decision?.decision : x.decided),
    })),
    calendarCaption: `${count(calendar.rows.length, 'inspektion', 'inspektioner')} ${period}${q.organiser ? `, huvudman ${q.organiser}` : ''}`,
    calendar: calendar.rows.map((i) => ({
      ...i,
      regionName: i.region ? regionName(i.region) : '',
      kindLabel: inspectionKindLabels[i.kind],
      statusLabel: inspectionStatusLabels[i.status],
    })),
    calendarPartial: calendar.partial,
    caption: `${count(rows.length, 'pågående dialog', 'pågående dialoger')}${region ? ` i ${regionName(region)}` : ''}${
      ongoing.cursor || cursor ? ', en sida i taget' : ''
    }`,
    rows: rows.map((x) => ({
      ...x,
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
  return html(error ? 400 : 200, body);
};

export const inspectionRoutes: Record<string, Page> = { 'GET /console/inspection': inspectionPage };
