/**
 * Lambda: the coordinator and inspectorate JSON API (API Gateway HTTP API). Dispatches on the
 * route key to the route modules in functions/http/api-routes; every route checks the caller's
 * role, validates with zod and calls one use-case. Errors map to HTTP in the error middleware.
 */
import { conflictRoutes } from '#functions/http/api-routes/conflicts.ts';
import { campaignRoutes } from '#functions/http/api-routes/campaigns.ts';
import { dialogueRoutes } from '#functions/http/api-routes/dialogues.ts';
import { inspectionRoutes } from '#functions/http/api-routes/inspections.ts';
import { lifecycleRoutes } from '#functions/http/api-routes/lifecycle.ts';
import { meetingRoutes } from '#functions/http/api-routes/meetings.ts';
import { organiserRoutes } from '#functions/http/api-routes/organisers.ts';
import { schedulingRoutes } from '#functions/http/api-routes/scheduling.ts';
import { planningRoutes } from '#functions/http/api-routes/planning.ts';
import { plannedDateRoutes } from '#functions/http/api-routes/planned-dates.ts';
import type { ApiRoutes } from '#functions/http/api-routes/types.ts';
import { apiRouter } from '#functions/http/api-dispatch.ts';
import { httpEntry } from '#functions/http/middleware.ts';

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
  ...plannedDateRoutes,
};

export const handler = httpEntry(apiRouter(apiRoutes));
