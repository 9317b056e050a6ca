/**
 * The coordinators' statistics (templates/pages/console/metrics.eta) and each table as CSV.
 */
import { NotFoundError } from '#core/errors.ts';
import { decimalComma, metricsTables, toCsv } from '#core/metrics.ts';
import { html } from '#functions/http/respond.ts';
import { layoutData, type Page, requireConsoleRole } from './frame.ts';
import { consoleMetrics } from '#functions/use-cases/console.ts';
import { when } from './format.ts';

const metricsPage: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  const tables = metricsTables(await consoleMetrics(c.d));
  const body = c.d.templates.consolePage('metrics', {
    ...layoutData(c, 'Statistik', { metrics: true }),
    at: when(c.d.clock.now().toISOString()),
    cycleText: 'alla omgångar',
    // An empty cell (no one offered, no phase completed) shows as a dash, not as nothing; 2,5 days, not 2.5.
    tables: Object.entries(tables).map(([name, t]) => ({
      name,
      ...t,
      rows: t.rows.map((r) => r.map((v) => (v === undefined ? '–' : decimalComma(v)))),
    })),
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

export const metricsRoutes: Record<string, Page> = {
  'GET /console/metrics': metricsPage,
  'GET /console/metrics/{table}': metricsCsv,
};
