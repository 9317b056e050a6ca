/** Coordinator routes on organisers. */
import * as z from '#core/zod.ts';
import { cursorSchema } from '#core/fields.ts';
import { deps } from '#adapters/deps.ts';
import { getOrganiser, listOrganisers, upsertOrganiser } from '#functions/use-cases/organisers.ts';
import { parseOrThrow } from '#functions/use-cases/validate.ts';
import { jsonBody, requireRole } from '../request.ts';
import { json } from '../respond.ts';
import type { ApiRoutes } from './types.ts';

const pageQuery = z.strictObject({
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 25),
  cursor: z.optional(cursorSchema),
});

export const organiserRoutes: ApiRoutes = {
  'GET /api/organisers': async (event, role) => {
    requireRole(role, ['coordinator']);
    const q = parseOrThrow(pageQuery, event.queryStringParameters ?? {}, 'query');
    return json(200, await listOrganisers(deps(), q.limit, q.cursor));
  },
  'POST /api/organisers': async (event, role) => {
    requireRole(role, ['coordinator']);
    const { organiser, created } = await upsertOrganiser(deps(), jsonBody(event));
    return json(created ? 201 : 200, organiser);
  },
  'GET /api/organisers/{id}': async (event, role) => {
    requireRole(role, ['coordinator']);
    return json(200, await getOrganiser(deps(), event.pathParameters?.id ?? ''));
  },
};
