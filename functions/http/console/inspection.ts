/**
 * The inspectorate's page (templates/pages/console/inspection.eta), also open to coordinators: the
 * inspection calendar, the clashes with planned dialogue steps and the dialogues under way.
 */
import { inspectionKindLabels, inspectionStatusLabels, regionName, stateLabels } from '#core/console-labels.ts';
import { DomainError, ValidationError } from '#core/errors.ts';
import { regions } from '#core/regions.ts';
import { html } from '#functions/http/respond.ts';
import { layoutData, type Page, requireConsoleRole } from './frame.ts';
import { consoleCalendar, consoleConflicts, dialoguesInStates } from '#functions/use-cases/console.ts';
import { option, when } from './format.ts';

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
    calendar = await consoleCalendar(c.d, {}, { rows: inspectorate });
  }
  const q = calendar.query;
  const region = q.region;
  const [conflicts, ongoing] = await Promise.all([
    consoleConflicts(c.d, { from: q.from, to: q.to, region }, c.session.role),
    dialoguesInStates(c.d, { states: ['invited', 'accepted'], region, perState: 100 }),
  ]);
  const rows = ongoing.items.sort((a, b) => a.organiserName.localeCompare(b.organiserName, 'sv'));
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
  return html(200, body);
};

export const inspectionRoutes: Record<string, Page> = { 'GET /console/inspection': inspectionPage };
