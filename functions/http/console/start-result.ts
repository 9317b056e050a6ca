/**
 * The progress of a bulk start (templates/pages/console/start-result.eta), its JSON for the page's
 * own script, and that script.
 */
import { formatOrgNumber } from '#core/organiser.ts';
import { bulkProgress } from '#functions/use-cases/bulk-start.ts';
import { html, json } from '#functions/http/respond.ts';
import { layoutData, type Page, requireConsoleRole, consoleScript } from './frame.ts';
import { count } from '#core/swedish.ts';

const outcomeLabels = { started: 'Startad', existed: 'Fanns redan', error: 'Gick inte att starta' } as const;

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
    text: `${count(p.started, 'dialog', 'dialoger')} startade, ${p.existed} fanns redan, ${p.failed} gick inte att starta.${p.done ? '' : ` ${p.pending} återstår.`}`,
    rows: p.job.results.map((r) => ({ ...r, orgNumber: formatOrgNumber(r.orgNumber), outcomeLabel: outcomeLabels[r.outcome] })),
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

export const startResultRoutes: Record<string, Page> = {
  'GET /console/start/{jobId}': startProgressPage,
  'GET /console/start/{jobId}/status': startProgressStatus,
  'GET /console/assets/progress.js': progressScript,
};
