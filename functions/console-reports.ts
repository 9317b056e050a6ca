/**
 * Lambda: the console's pages that read and picture (server-rendered HTML): the dialogue list of a
 * cycle with its filters, counts and the search (the facts and search indexes), a dialogue's page
 * (its steps, mail, meetings, history and workflow executions), the statistics with
 * their charts, the inspectorate's page (inspections, conflicts, planned dialogue dates in a month
 * view, the calendar subscription and a new address for it) and the facilitators with their own
 * calendar addresses. A function of its own, served through the console's session and CSRF check
 * (`consoleRouter`), so the console's bundle stays within its size budget; it alone may replace
 * the inspectorate's feed key. One module per screen in functions/http/console/.
 */
import { facilitatorRoutes } from '#functions/http/console/facilitator.ts';
import { facilitatorsRoutes } from '#functions/http/console/facilitators.ts';
import { dialogueRoutes } from '#functions/http/console/dialogue.ts';
import { dialoguesRoutes } from '#functions/http/console/dialogues.ts';
import { consoleRouter, type Page } from '#functions/http/console/frame.ts';
import { inspectionRoutes } from '#functions/http/console/inspection.ts';
import { metricsRoutes } from '#functions/http/console/metrics.ts';
import { httpEntry } from '#functions/http/middleware.ts';

export const consoleReportPages: Record<string, Page> = {
  ...dialoguesRoutes,
  ...dialogueRoutes,
  ...metricsRoutes,
  ...inspectionRoutes,
  ...facilitatorsRoutes,
  ...facilitatorRoutes,
};

/** Every route key this function serves (the route table in functions/http/routes.ts lists the same). */
export const consoleReportRouteKeys = Object.keys(consoleReportPages);

export const handler = httpEntry(consoleRouter(consoleReportPages));
