/**
 * Lambda: the console's pages that change how a dialogue's meetings are booked, and mail calendars
 * for it: move, cancel or re-pair a meeting, register a dialogue meeting's notes, decide on a clash
 * with the inspection calendar, book a meeting for the organiser or send new times. A function of
 * its own, served through the console's session and CSRF check (`consoleRouter`), so the console's
 * bundle (the dialogue list and pages, the inspectorate's page) carries no calendar-mail code.
 * One module per screen in functions/http/console/, named after its template.
 */
import { bookRoutes } from '#functions/http/console/book.ts';
import { conflictRoutes } from '#functions/http/console/conflict.ts';
import { consoleRouter, type Page } from '#functions/http/console/frame.ts';
import { meetingConfirmRoutes } from '#functions/http/console/meeting-confirm.ts';
import { notesRoutes } from '#functions/http/console/notes.ts';
import { httpEntry } from '#functions/http/middleware.ts';

export const consoleMeetingPages: Record<string, Page> = {
  ...conflictRoutes,
  ...bookRoutes,
  ...notesRoutes,
  ...meetingConfirmRoutes,
};

/** Every route key this function serves (the route table in functions/http/routes.ts lists the same). */
export const consoleMeetingRouteKeys = Object.keys(consoleMeetingPages);

export const handler = httpEntry(consoleRouter(consoleMeetingPages));
