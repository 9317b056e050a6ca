/**
 * Lambda: the coordinator and inspectorate console (server-rendered HTML). One module per screen
 * in functions/http/console/, each with its template of the same name in templates/pages/console/.
 * Sessions are signed HttpOnly, SameSite=Strict cookies; every page checks the role server-side,
 * and every POST carries a CSRF token bound to the session (functions/http/console/frame.ts).
 */
import { authRoutes } from '#functions/http/console/auth.ts';
import { confirmRoutes } from '#functions/http/console/confirm.ts';
import { dialogueRoutes } from '#functions/http/console/dialogue.ts';
import { dialoguesRoutes } from '#functions/http/console/dialogues.ts';
import { consoleRouter, type Page } from '#functions/http/console/frame.ts';
import { inspectionRoutes } from '#functions/http/console/inspection.ts';
import { loginRoutes, logoutRoutes } from '#functions/http/console/login.ts';
import { meetingConfirmRoutes } from '#functions/http/console/meeting-confirm.ts';
import { httpEntry } from '#functions/http/middleware.ts';

export const consolePages: Record<string, Page> = {
  ...dialoguesRoutes,
  ...dialogueRoutes,
  ...confirmRoutes,
  ...meetingConfirmRoutes,
  ...inspectionRoutes,
  ...logoutRoutes,
};
/** Sign-in: the only console pages without a session. */
const signInPages = { ...loginRoutes, ...authRoutes };

export const consoleRouteKeys = [...Object.keys(consolePages), ...Object.keys(signInPages)];

export const handler = httpEntry(consoleRouter(consolePages, signInPages));
