/**
 * Lambda: the inspection import, for the API (POST /api/inspections/import) and the console's
 * import pages. A function of its own because it alone needs the CSV and iCalendar parsers
 * (ical.js, csv-parse): keeping them out of the api and console bundles keeps those small.
 * Same checks as there: the API's role from the token, the console's session and CSRF token.
 */
import { consoleRouter } from '#functions/http/console/frame.ts';
import { inspectionImportRoutes } from '#functions/http/api-routes/inspection-import.ts';
import { consoleImportPages } from '#functions/http/console/inspection-import.ts';
import { apiRouter } from '#functions/http/api-dispatch.ts';
import { httpEntry } from '#functions/http/middleware.ts';

const consoleImport = consoleRouter(consoleImportPages);

const apiImport = apiRouter(inspectionImportRoutes);

/** Every route key this function serves (the route table in functions/http/routes.ts lists the same). */
export const inspectionImportRouteKeys = [...Object.keys(inspectionImportRoutes), ...Object.keys(consoleImportPages)];

export const handler = httpEntry((event) => (event.routeKey.startsWith('POST /api/') ? apiImport(event) : consoleImport(event)));
