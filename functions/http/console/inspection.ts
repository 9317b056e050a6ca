/**
 * The inspectorate's page (templates/pages/console/inspection.eta), also open to coordinators: the
 * inspection calendar, the clashes with planned dialogue steps and the dialogues under way.
 */
import { inspectionKindLabels, inspectionStatusLabels, regionName, stateLabels } from '#core/console-labels.ts';
import { DomainError, ValidationError } from '#core/errors.ts';
import { formatOrgNumber } from '#core/organiser.ts';
import { regions } from '#core/regions.ts';
import { orgNumbersOf } from '#functions/use-cases/org-numbers.ts';
import { html } from '#functions/http/respond.ts';
import { layoutData, type Page, requireConsoleRole } from './frame.ts';
import { consoleCalendar, consoleConflicts, listForConsole } from '#functions/use-cases/console.ts';
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
  const orgNumbers = await orgNumbersOf(c.d, rows);
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
      orgNumber: formatOrgNumber(x.orgNumber),
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
      orgNumber: formatOrgNumber(i.orgNumber),
      regionName: i.region ? regionName(i.region) : '',
      kindLabel: inspectionKindLabels[i.kind],
      statusLabel: inspectionStatusLabels[i.status],
    })),
    calendarPartial: calendar.partial,
    caption: `${rows.length} pågående dialoger${region ? ` i ${regionName(region)}` : ''}`,
    rows: rows.map((x) => ({
      ...x,
      orgNumber: formatOrgNumber(orgNumbers.get(x.organiserId)),
      regionName: regionName(x.region),
      stateLabel: stateLabels[x.state],
      updatedAt: when(x.updatedAt),
    })),
  });
  return html(error ? 400 : 200, body);
};

export const inspectionRoutes: Record<string, Page> = { 'GET /console/inspection': inspectionPage };
