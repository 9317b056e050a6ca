/**
 * The inspectorate's routes on its calendar (inspectorate token only): upsert and delete by
 * external id, list per organiser. The bulk import is inspection-import.ts (a function of its own).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { deps } from '#adapters/deps.ts';
import type { Actor } from '#functions/use-cases/clash.ts';
import { deleteInspection, listInspections, upsertInspection } from '#functions/use-cases/inspections.ts';
import { displayNameOf } from '#core/auth-claims.ts';
import { headerText, jsonBody, jwtClaimsOf, type Role, requireRole } from '../request.ts';
import { json } from '../respond.ts';
import type { ApiRoutes } from './types.ts';

/**
 * The caller's role plus a name for the audit trail: behind the Cognito authorizer the verified
 * token's name or e-mail (a header could claim anyone); locally the name given in X-Actor.
 */
export function actorOf(event: APIGatewayProxyEventV2, role: Role): Actor {
  const claims = jwtClaimsOf(event);
  if (claims)
    return {
      role,
      name:
        displayNameOf(claims)
          .replace(/[^\p{L}\p{N} .@_-]/gu, '')
          .trim() || undefined,
    };
  const name = (headerText(event, 'x-actor') ?? '')
    .replace(/[^\p{L}\p{N} .@_-]/gu, '')
    .trim()
    .slice(0, 100);
  return name ? { role, name } : { role };
}

export const inspectionRoutes: ApiRoutes = {
  'GET /api/inspections': async (event, role) => {
    requireRole(role, ['inspectorate']);
    return json(200, await listInspections(deps(), event.queryStringParameters ?? {}));
  },
  'PUT /api/inspections/{externalId}': async (event, role) => {
    requireRole(role, ['inspectorate']);
    const r = await upsertInspection(deps(), event.pathParameters?.externalId ?? '', jsonBody(event), actorOf(event, role));
    return json(r.outcome === 'created' ? 201 : 200, {
      ...r.inspection,
      outcome: r.outcome,
      flaggedDialogues: r.flagged.length,
      clearedDialogues: r.cleared.length,
    });
  },
  'DELETE /api/inspections/{externalId}': async (event, role) => {
    requireRole(role, ['inspectorate']);
    const r = await deleteInspection(deps(), event.pathParameters?.externalId ?? '', actorOf(event, role));
    return json(200, { deleted: event.pathParameters?.externalId, clearedDialogues: r.cleared.length, flaggedDialogues: r.flagged.length });
  },
};
