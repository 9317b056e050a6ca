/**
 * The coordinators' statistics (templates/pages/console/metrics.eta), for one cycle (the latest by
 * default), one campaign or all cycles, from the facts index: acceptance by legal form (the shape of Statskontoret's table 2, of those
 * invited and of those who answered), the funnel over the nine steps, the time in each phase and a
 * campaign's progress over time as SVG charts with their tables beside them; every table as CSV.
 */
import { NotFoundError } from '#core/errors.ts';
import { decimalComma, metricsTables, toCsv } from '#core/metrics.ts';
import { html } from '#functions/http/respond.ts';
import { ALL_CYCLES, type Statistics, statistics } from '#functions/use-cases/statistics.ts';
import { barChart, countLabel, daysLabel, lineChart, percentLabel } from './charts.ts';
import { layoutData, type Page, qs, requireConsoleRole } from './frame.ts';
import { option, when } from './format.ts';

type Table = { title: string; header: readonly string[]; rows: (string | number | undefined)[][] };

const percentOf = (part: number, whole: number): number | undefined => (whole > 0 ? Math.round((part * 100) / whole) : undefined);
const shortDay = (day: string): string => `${Number(day.slice(8, 10))}/${Number(day.slice(5, 7))}`;

/** Every table of the page by the name its CSV export uses: the metrics', the funnel's and the progress'. */
function tablesOf(s: Statistics): Record<string, Table> {
  const invited = s.funnel[0]?.count ?? 0;
  const tables: Record<string, Table> = {
    ...metricsTables(s.metrics),
    steg: {
      title: 'Från inbjudan till avslutad dialog',
      header: ['Steg', 'Antal dialoger', 'Andel av inbjudna (%)'],
      rows: s.funnel.map((f) => [`${f.label}`, f.count, percentOf(f.count, invited)]),
    },
  };
  if (s.progress) {
    const p = s.progress;
    tables.forlopp = {
      title: 'Kampanjens förlopp',
      header: ['Datum', 'Inbjudna', 'Tackat ja', 'Tackat nej'],
      rows: p.days.map((day, i) => [day, p.invited[i], p.accepted[i], p.declined[i]]),
    };
  }
  return tables;
}

function charts(s: Statistics): Record<string, string> {
  const byForm = s.metrics.byLegalForm;
  const out: Record<string, string> = {
    'juridisk-form': barChart({
      id: 'diagram-juridisk-form',
      title: 'Andel som tackat ja per juridisk form',
      description: `Staplar per juridisk form: andel ja av alla inbjudna och av dem som svarade. Totalt tackade ${s.metrics.total.accepted} av ${s.metrics.total.offered} inbjudna ja.`,
      categories: [...byForm.map((r) => r.label), 'Totalt'],
      series: [
        { label: 'Av inbjudna', values: [...byForm.map((r) => r.acceptedPercent), s.metrics.total.acceptedPercent] },
        { label: 'Av dem som svarade', values: [...byForm.map((r) => r.answeredPercent), s.metrics.total.answeredPercent] },
      ],
      format: percentLabel,
      max: 100,
    }),
    steg: barChart({
      id: 'diagram-steg',
      title: 'Från inbjudan till avslutad dialog',
      description: `Antal dialoger som har nått varje steg av nio, från ${s.funnel[0]?.count ?? 0} inbjudna till ${s.funnel.at(-1)?.count ?? 0} avslutade.`,
      categories: s.funnel.map((f) => f.label),
      series: [{ label: 'Antal dialoger', values: s.funnel.map((f) => f.count) }],
      format: countLabel,
    }),
    'tid-per-fas': barChart({
      id: 'diagram-tid-per-fas',
      title: 'Tid i varje fas',
      description: 'Median och medelvärde i dagar för de dialoger som har lämnat fasen. En fas som ingen har lämnat saknar stapel.',
      categories: s.metrics.phases.map((p) => p.label.replace(/^Fas: /, '')),
      series: [
        { label: 'Median', values: s.metrics.phases.map((p) => p.medianDays) },
        { label: 'Medelvärde', values: s.metrics.phases.map((p) => p.meanDays) },
      ],
      format: daysLabel,
    }),
  };
  if (s.progress && s.progress.days.length > 0) {
    const p = s.progress;
    out.forlopp = lineChart({
      id: 'diagram-forlopp',
      title: 'Kampanjens förlopp',
      description: `Antal inbjudna, ja och nej över tid från ${p.days[0]} till ${p.days.at(-1)}: till sist ${p.invited.at(-1)} inbjudna, ${p.accepted.at(-1)} ja och ${p.declined.at(-1)} nej.`,
      xLabels: p.days.map(shortDay),
      series: [
        { label: 'Inbjudna', values: p.invited },
        { label: 'Tackat ja', values: p.accepted },
        { label: 'Tackat nej', values: p.declined },
      ],
      format: countLabel,
    });
  }
  return out;
}

/** The tables drawn as charts, in the page's order; the rest follow as tables only. */
const CHARTED = ['juridisk-form', 'steg', 'tid-per-fas', 'forlopp'];

const metricsPage: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  const s = await statistics(c.d, c.event.queryStringParameters ?? {});
  const tables = tablesOf(s);
  const svg = charts(s);
  const shownCycle = s.cycle ?? ALL_CYCLES;
  const filter = qs({ omgang: s.query.kampanj ? undefined : s.query.omgang, kampanj: s.query.kampanj });
  const campaign = s.campaigns.find((x) => x.id === s.query.kampanj);
  const view = (name: string) => {
    const t = tables[name] as Table;
    return {
      name,
      ...t,
      chart: svg[name],
      csv: `/console/metrics/${name}.csv${filter}`,
      // An empty cell (no one offered, no phase completed) shows as a dash, not as nothing; a decimal
      // as Swedish readers write it (2,5 days, not 2.5).
      rows: t.rows.map((r) => r.map((v) => (v === undefined ? '–' : decimalComma(v)))),
    };
  };
  const body = c.d.templates.consolePage('metrics', {
    ...layoutData(c, 'Statistik', { metrics: true }),
    at: when(c.d.clock.now().toISOString()),
    cycleText: [s.cycle ? `omgång ${s.cycle}` : 'alla omgångar', campaign ? `kampanj ${campaign.name}` : ''].filter(Boolean).join(', '),
    cycles: s.cycles.map((x) => option(x, x, shownCycle)),
    allCycles: shownCycle === ALL_CYCLES,
    campaigns: s.campaigns.map((x) => option(x.id, x.name, s.query.kampanj)),
    filtered: Boolean(s.query.kampanj) || shownCycle !== s.cycles[0],
    figures: CHARTED.filter((name) => tables[name]).map(view),
    tables: Object.keys(tables)
      .filter((name) => !CHARTED.includes(name))
      .map(view),
  });
  return html(200, body);
};

const metricsCsv: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  const name = (c.event.pathParameters?.table ?? '').replace(/\.csv$/, '');
  const table = tablesOf(await statistics(c.d, c.event.queryStringParameters ?? {}))[name];
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
