/** The planned dialogue dates (inspectorate and coordinators): windows by period, region or organiser, paged. */
import { deps } from '#adapters/deps.ts';
import { listPlannedDates } from '#functions/use-cases/planned-dates.ts';
import { requireRole } from '../request.ts';
import { json } from '../respond.ts';
import type { ApiRoutes } from './types.ts';

export const plannedDateRoutes: ApiRoutes = {
  'GET /api/planned-dates': async (event, role) => {
    requireRole(role, ['inspectorate', 'coordinator']);
    return json(200, await listPlannedDates(deps(), event.queryStringParameters ?? {}));
  },
};
