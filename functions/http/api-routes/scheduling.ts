/** Coordinator routes for the scheduling foundations: facilitators, their blocks, intro sessions, slot previews. */
import { deps } from '#adapters/deps.ts';
import {
  addBlock,
  createIntroSession,
  getFacilitator,
  listFacilitators,
  listIntroSessions,
  previewSlots,
  upsertFacilitator,
} from '#functions/use-cases/scheduling.ts';
import { jsonBody, requireRole } from '../request.ts';
import { json } from '../respond.ts';
import type { ApiRoutes } from './types.ts';

const withoutVersion = <T extends { version: number }>({ version, ...rest }: T) => rest;

export const schedulingRoutes: ApiRoutes = {
  'POST /api/facilitators': async (event, role) => {
    requireRole(role, ['coordinator']);
    const { facilitator, created } = await upsertFacilitator(deps(), jsonBody(event));
    return json(created ? 201 : 200, withoutVersion(facilitator));
  },
  'GET /api/facilitators': async (_event, role) => {
    requireRole(role, ['coordinator']);
    return json(200, { items: (await listFacilitators(deps())).map(withoutVersion) });
  },
  'GET /api/facilitators/{id}': async (event, role) => {
    requireRole(role, ['coordinator']);
    return json(200, withoutVersion(await getFacilitator(deps(), event.pathParameters?.id ?? '')));
  },
  'POST /api/facilitators/{id}/blocks': async (event, role) => {
    requireRole(role, ['coordinator']);
    return json(201, await addBlock(deps(), event.pathParameters?.id ?? '', jsonBody(event)));
  },
  'POST /api/intro-sessions': async (event, role) => {
    requireRole(role, ['coordinator']);
    const session = await createIntroSession(deps(), jsonBody(event));
    return json(201, withoutVersion(session), { location: `/api/intro-sessions/${session.id}` });
  },
  'GET /api/intro-sessions': async (event, role) => {
    requireRole(role, ['coordinator']);
    return json(200, { items: (await listIntroSessions(deps(), event.queryStringParameters ?? {})).map(withoutVersion) });
  },
  'GET /api/slot-proposals': async (event, role) => {
    requireRole(role, ['coordinator']);
    return json(200, { items: await previewSlots(deps(), event.queryStringParameters ?? {}) });
  },
};
