/**
 * The JSON API's dispatch, shared by every function that serves /api routes: find the route for the
 * event's route key, derive the caller's role (the verified JWT's groups in the cloud, the dev
 * tokens locally) and run the route. Errors are thrown to the error middleware (errors.ts).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { NotFoundError } from '#core/errors.ts';
import { deps } from '#adapters/deps.ts';
import type { ApiRoutes } from './api-routes/types.ts';
import { checkPathParameters, roleOf } from './request.ts';
import type { HttpResult } from './respond.ts';

export const apiRouter =
  (routes: ApiRoutes) =>
  async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
    const route = routes[event.routeKey];
    if (!route) throw new NotFoundError(`No route ${event.routeKey}`);
    const d = deps();
    const role = roleOf(event, await d.secrets(), { cognito: Boolean(d.env.COGNITO_CLIENT_ID) });
    checkPathParameters(event);
    return route(event, role);
  };
