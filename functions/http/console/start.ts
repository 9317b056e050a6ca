/**
 * Starting dialogues for many organisers at once (templates/pages/console/start.eta, then
 * start-confirm.eta): choose, confirm, and the job starts them (the rest on the scheduler's tick).
 */
import { legalFormLabels, regionName } from '#core/console-labels.ts';
import { ValidationError } from '#core/errors.ts';
import { advanceBulkJob, bulkStartSchema, createBulkJob, MAX_BULK_START } from '#functions/use-cases/bulk-start.ts';
import { formFields } from '#functions/http/request.ts';
import { type HttpResult, html } from '#functions/http/respond.ts';
import { logger } from '#adapters/observability.ts';
import { actorOf, type Ctx, layoutData, type Page, qs, redirect, requireConsoleRole } from './frame.ts';
import { newFormId } from './format.ts';

export const startPage = async (c: Ctx, error?: string): Promise<HttpResult> => {
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
        jobId: newFormId(),
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

export const startRoutes: Record<string, Page> = {
  'GET /console/start': (c) => startPage(c),
  'POST /console/start': startPost,
};
