/**
 * The coordinators' statistics (templates/pages/console/metrics.eta) of one cycle (the latest by
 * default) or one campaign, from the facts index, and each table as CSV.
 */
import { NotFoundError, ValidationError } from '#core/errors.ts';
import { metricsTables, toCsv } from '#core/metrics.ts';
import { html } from '#functions/http/respond.ts';
import { layoutData, type Page, qs, requireConsoleRole } from './frame.ts';
import { ALL_CYCLES, type CycleStatistics, cycleStatistics } from '#functions/use-cases/statistics.ts';
import { option, when } from './format.ts';

const scopeText = (s: CycleStatistics): string =>
  s.campaign ? `kampanjen ”${s.campaign.name}”, omgång ${s.campaign.cycle}` : s.cycle ? `omgång ${s.cycle}` : 'alla omgångar';

const metricsPage: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  let error: string | undefined;
  let stats: CycleStatistics;
  try {
    stats = await cycleStatistics(c.d, c.event.queryStringParameters ?? {});
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    error = `Urvalet kunde inte användas: ${e.issues.length ? e.issues.map((i) => i.message).join(' ') : e.message}`;
    stats = await cycleStatistics(c.d, {});
  }
  const tables = metricsTables(stats.metrics);
  const scope = { cycle: stats.campaign ? undefined : (stats.cycle ?? ALL_CYCLES), campaign: stats.campaign?.id };
  const body = c.d.templates.consolePage('metrics', {
    ...layoutData(c, 'Statistik', { metrics: true }),
    error,
    at: when(c.d.clock.now().toISOString()),
    cycleText: scopeText(stats),
    cycles: [...stats.cycles.map((y) => option(y, y, scope.cycle)), option(ALL_CYCLES, 'Alla omgångar', scope.cycle)],
    campaigns: stats.campaigns.map((x) => option(x.id, `${x.name} (${x.cycle})`, scope.campaign)),
    // An empty cell (no one offered, no phase completed) shows as a dash, not as nothing.
    tables: Object.entries(tables).map(([name, t]) => ({
      name,
      ...t,
      csvHref: `/console/metrics/${name}.csv${qs(scope)}`,
      rows: t.rows.map((r) => r.map((v) => (v === undefined ? '–' : v))),
    })),
  });
  return html(200, body);
};

const metricsCsv: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  const name = (c.event.pathParameters?.table ?? '').replace(/\.csv$/, '');
  const table = metricsTables((await cycleStatistics(c.d, c.event.queryStringParameters ?? {})).metrics)[name];
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

export const metricsRoutes: Record<string, Page> = {
  'GET /console/metrics': metricsPage,
  'GET /console/metrics/{table}': metricsCsv,
};
