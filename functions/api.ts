/**
 * Lambda: the coordinator and inspectorate JSON API (API Gateway HTTP API). Dispatches on the
 * route key to the route modules in functions/http/api-routes; every route checks the caller's
 * role, validates with zod and calls one use-case. Errors map to HTTP in one place.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { NotFoundError } from '#core/errors.ts';
import { deps } from '#adapters/deps.ts';
import { conflictRoutes } from '#functions/http/api-routes/conflicts.ts';
import { campaignRoutes } from '#functions/http/api-routes/campaigns.ts';
import { dialogueRoutes } from '#functions/http/api-routes/dialogues.ts';
import { inspectionRoutes } from '#functions/http/api-routes/inspections.ts';
import { lifecycleRoutes } from '#functions/http/api-routes/lifecycle.ts';
import { meetingRoutes } from '#functions/http/api-routes/meetings.ts';
import { organiserRoutes } from '#functions/http/api-routes/organisers.ts';
import { schedulingRoutes } from '#functions/http/api-routes/scheduling.ts';
import { planningRoutes } from '#functions/http/api-routes/planning.ts';
import type { ApiRoutes } from '#functions/http/api-routes/types.ts';
import { roleOf } from '#functions/http/request.ts';
import { errorResponse, type HttpResult } from '#functions/http/respond.ts';

export const apiRoutes: ApiRoutes = {
  ...organiserRoutes,
  ...dialogueRoutes,
  ...inspectionRoutes,
  ...conflictRoutes,
  ...schedulingRoutes,
  ...meetingRoutes,
  ...campaignRoutes,
  ...planningRoutes,
  ...lifecycleRoutes,
};

export const handler = middy<APIGatewayProxyEventV2, HttpResult>().handler(async (event) => {
  try {
    const route = apiRoutes[event.routeKey];
    if (!route) throw new NotFoundError(`No route ${event.routeKey}`);
    const d = deps();
    const role = roleOf(event, await d.secrets(), { cognito: Boolean(d.env.COGNITO_CLIENT_ID) });
    return await route(event, role);
  } catch (e) {
    return errorResponse(e);
  }
});
