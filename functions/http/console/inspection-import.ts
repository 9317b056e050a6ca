/**
 * The console's inspection import pages (inspectorate only): the paste form, the preview (a dry
 * run, nothing written) and the confirmed import. Served by the inspection-import function of its
 * own, through the console's session and CSRF check (`consoleRouter`), so the parsers
 * (ical.js, csv-parse) are not in the console's bundle.
 */
import { formatOrgNumber } from '#core/organiser.ts';
import { swedishImportReason } from '#core/console-labels.ts';
import { ValidationError } from '#core/errors.ts';
import { importInspections } from '#functions/use-cases/inspection-import.ts';
import { IMPORT_EXAMPLE_HEADER } from '#core/inspection-import.ts';
import { type Ctx, layoutData, type Page, requireConsoleRole } from './frame.ts';
import { formBody } from '../request.ts';
import { type HttpResult, html } from '../respond.ts';
import { logger } from '#adapters/observability.ts';

/** The console's paste limit (the form body's limit is 256 KB; the API takes files up to 1 MB). */
const MAX_PASTE_BYTES = 240 * 1024;

async function importPage(c: Ctx, data: { error?: string; content?: string; format?: string } = {}): Promise<HttpResult> {
  requireConsoleRole(c, ['inspectorate']);
  return html(
    data.error ? 400 : 200,
    c.d.templates.consolePage('inspection-import', {
      ...layoutData(c, 'Importera inspektioner', { inspection: true }),
      ...data,
      exampleHeader: IMPORT_EXAMPLE_HEADER,
      csv: data.format !== 'text/calendar',
      ics: data.format === 'text/calendar',
    }),
  );
}

/** Preview (a dry run, nothing written) and then, confirmed, the import; the same file twice changes nothing. */
const importPost: Page = async (c) => {
  requireConsoleRole(c, ['inspectorate']);
  const form = formBody(c.event);
  const format = form.format === 'text/calendar' ? 'text/calendar' : form.format === 'text/csv' ? 'text/csv' : undefined;
  const content = (form.content ?? '').replace(/\r\n/g, '\n');
  if (!format) return importPage(c, { error: 'Välj format: CSV eller iCalendar.', content });
  if (!content.trim()) return importPage(c, { error: 'Klistra in filens innehåll.', format });
  if (Buffer.byteLength(content) > MAX_PASTE_BYTES)
    return importPage(c, { error: 'Filen är för stor för formuläret (högst 240 kB). Dela upp den eller använd API:et.', format });
  const dryRun = form.step !== 'run';
  let report: Awaited<ReturnType<typeof importInspections>>;
  try {
    report = await importInspections(c.d, format, content, dryRun, { role: c.session.role, name: c.session.name });
  } catch (e) {
    if (e instanceof ValidationError) return importPage(c, { error: e.message, content, format });
    throw e;
  }
  logger.info('console inspection import', { dryRun, rows: report.rows, created: report.created, updated: report.updated });
  const actionLabels = { created: 'Ny', updated: 'Ändras' } as const;
  return html(
    200,
    c.d.templates.consolePage('inspection-import', {
      ...layoutData(c, 'Importera inspektioner', { inspection: true }),
      format,
      content,
      report: {
        ...report,
        errorCount: report.errors.length,
        errors: report.errors.map((x) => ({ ...x, reason: swedishImportReason(x.reason) })),
        changeCount: report.created + report.updated,
        flaggedCount: report.flagged?.length ?? 0,
        changes: (report.changes ?? []).map((x) => ({
          ...x,
          orgNumber: formatOrgNumber(x.orgNumber),
          actionLabel: dryRun ? actionLabels[x.action] : x.action === 'created' ? 'Ny' : 'Ändrad',
        })),
      },
    }),
  );
};

export const consoleImportPages: Record<string, Page> = {
  'GET /console/inspection/import': (c) => importPage(c),
  'POST /console/inspection/import': importPost,
};
