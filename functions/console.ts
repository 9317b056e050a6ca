/**
 * Lambda: the coordinator and inspectorate console (server-rendered HTML): the actions on a
 * dialogue (resend, remind, retry, close, a contact's address, the analysis material) and signing
 * in. One module per screen in functions/http/console/, each with its template of the same name in
 * templates/pages/console/; the dialogue list and search, a dialogue's page, the statistics, the
 * inspectorate's page and the facilitators are console-reports.ts, starting dialogues, campaigns,
 * hand-backs and planning console-campaigns.ts, and the pages that book, move or cancel meetings
 * console-meetings.ts.
 * Sessions are signed HttpOnly, SameSite=Strict cookies; every page checks the role server-side,
 * and every POST carries a CSRF token bound to the session (functions/http/console/frame.ts).
 */
import { authRoutes } from '#functions/http/console/auth.ts';
import { confirmRoutes } from '#functions/http/console/confirm.ts';
import { contactRoutes } from '#functions/http/console/contact.ts';
import { consoleRouter, type Page } from '#functions/http/console/frame.ts';
import { loginRoutes, logoutRoutes } from '#functions/http/console/login.ts';
import { materialRoutes } from '#functions/http/console/material.ts';
import { schoolHolidayRoutes } from '#functions/http/console/school-holidays.ts';
import { httpEntry } from '#functions/http/middleware.ts';

export const consolePages: Record<string, Page> = {
  ...contactRoutes,
  ...materialRoutes,
  ...confirmRoutes,
  ...schoolHolidayRoutes,
  ...logoutRoutes,
};
/** Sign-in: the only console pages without a session. */
const signInPages = { ...loginRoutes, ...authRoutes };

export const consoleRouteKeys = [...Object.keys(consolePages), ...Object.keys(signInPages)];

export const handler = httpEntry(consoleRouter(consolePages, signInPages));
