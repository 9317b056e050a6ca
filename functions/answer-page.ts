/**
 * Lambda: the organiser's link pages, GET and POST /r/{token} (functions/http/organiser-pages.ts):
 * the answer to an invitation and the meeting pages. Errors become Swedish pages.
 */
import { httpEntry } from '#functions/http/middleware.ts';
import { organiserPage } from '#functions/http/organiser-pages.ts';

export const handler = httpEntry(organiserPage);
