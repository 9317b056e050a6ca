/** Coordinator route for cycle planning: ranks organisers and suggests group dialogues; writes nothing. */
import { deps } from '#adapters/deps.ts';
import { planCycle } from '#functions/use-cases/planning.ts';
import { jsonBody, requireRole } from '../request.ts';
import { json } from '../respond.ts';
import type { ApiRoutes } from './types.ts';

export const planningRoutes: ApiRoutes = {
  'POST /api/plans': async (event, role) => {
    requireRole(role, ['coordinator']);
    return json(200, await planCycle(deps(), jsonBody(event)));
  },
};
