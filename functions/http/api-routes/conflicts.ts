/**
 * Conflict views and decisions, and the coordinators' slot check. The inspectorate reads
 * conflicts (without dialogue ids, notes or contacts); only coordinators decide or check slots.
 */
import * as z from '#core/zod.ts';
import { cursorSchema, isoDay } from '#core/fields.ts';
import { deps } from '#adapters/deps.ts';
import { decideConflict, listConflicts } from '#functions/use-cases/conflicts.ts';
import { proposeSlot } from '#functions/use-cases/clash.ts';
import { parseOrThrow } from '#functions/use-cases/validate.ts';
import { jsonBody, requireRole } from '../request.ts';
import { json } from '../respond.ts';
import { dialogueView } from './dialogues.ts';
import { actorOf } from './inspections.ts';
import type { ApiRoutes } from './types.ts';

const auditQuery = z.strictObject({
  date: isoDay('date is a UTC day that exists, like 2026-03-05'),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(500)), 100),
  cursor: z.optional(cursorSchema),
});

export const conflictRoutes: ApiRoutes = {
  'GET /api/conflicts': async (event, role) => {
    requireRole(role, ['coordinator', 'inspectorate']);
    return json(200, await listConflicts(deps(), event.queryStringParameters ?? {}, role));
  },
  'POST /api/conflicts/{dialogueId}/decision': async (event, role) => {
    requireRole(role, ['coordinator']);
    const dialogue = await decideConflict(deps(), event.pathParameters?.dialogueId ?? '', jsonBody(event), actorOf(event, role));
    return json(200, dialogueView(dialogue));
  },
  'POST /api/schedule/check': async (event, role) => {
    requireRole(role, ['coordinator']);
    return json(200, await proposeSlot(deps(), jsonBody(event)));
  },
  'GET /api/audit': async (event, role) => {
    requireRole(role, ['coordinator', 'inspectorate']);
    const q = parseOrThrow(auditQuery, event.queryStringParameters ?? {}, 'query');
    const page = await deps().calendar.listAudit(q.date, q.limit, q.cursor);
    // The inspectorate reads the trail of its own calendar only.
    return json(200, role === 'inspectorate' ? { ...page, items: page.items.filter((e) => e.action.startsWith('inspection.')) } : page);
  },
};
