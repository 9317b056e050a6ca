/**
 * Lambda: the inspection import, for the API (POST /api/inspections/import) and the console's
 * import pages. A function of its own because it alone needs the CSV and iCalendar parsers
 * (ical.js, csv-parse): keeping them out of the api and console bundles keeps those small.
 * Same checks as there: the API's role from the token, the console's session and CSRF token.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { NotFoundError } from '#core/errors.ts';
import { deps } from '#adapters/deps.ts';
import { consoleHandler } from '#functions/console.ts';
import { inspectionImportRoutes } from '#functions/http/api-routes/inspection-import.ts';
import { consoleImportPages } from '#functions/http/console-import.ts';
import { roleOf } from '#functions/http/request.ts';
import { errorResponse, type HttpResult } from '#functions/http/respond.ts';

const consoleImport = consoleHandler(consoleImportPages);

async function apiImport(event: APIGatewayProxyEventV2): Promise<HttpResult> {
  try {
    const route = inspectionImportRoutes[event.routeKey];
    if (!route) throw new NotFoundError(`No route ${event.routeKey}`);
    const d = deps();
    const role = roleOf(event, await d.secrets(), { cognito: Boolean(d.env.COGNITO_CLIENT_ID) });
    return await route(event, role);
  } catch (e) {
    return errorResponse(e);
  }
}

/** Every route key this function serves (the route table in functions/http/routes.ts lists the same). */
export const inspectionImportRouteKeys = [...Object.keys(inspectionImportRoutes), ...Object.keys(consoleImportPages)];

export const handler = middy<APIGatewayProxyEventV2, HttpResult>().handler((event) =>
  event.routeKey.startsWith('POST /api/') ? apiImport(event) : consoleImport(event),
);
