/**
 * The inspectorate's routes on its calendar (inspectorate token only): upsert and delete by
 * external id, list per organiser, bulk import of CSV / iCalendar with a dry-run.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ValidationError } from '#core/errors.ts';
import { deps } from '#adapters/deps.ts';
import type { Actor } from '#functions/use-cases/clash.ts';
import { deleteInspection, importInspections, listInspections, upsertInspection } from '#functions/use-cases/inspections.ts';
import { displayNameOf } from '#core/auth-claims.ts';
import { jsonBody, jwtClaimsOf, type Role, requireRole } from '../request.ts';
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
  const name = (event.headers?.['x-actor'] ?? '')
    .replace(/[^\p{L}\p{N} .@_-]/gu, '')
    .trim()
    .slice(0, 100);
  return name ? { role, name } : { role };
}

const MAX_IMPORT_BYTES = 1024 * 1024;

function importBody(event: APIGatewayProxyEventV2): string {
  if (!event.body) return '';
  const bytes = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (bytes.length > MAX_IMPORT_BYTES) throw new ValidationError('The file is too large (max 1 MB): split it');
  return bytes.toString('utf8');
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
  'POST /api/inspections/import': async (event, role) => {
    requireRole(role, ['inspectorate']);
    const dryRun = event.queryStringParameters?.dryRun ?? 'true';
    if (dryRun !== 'true' && dryRun !== 'false') throw new ValidationError('dryRun must be true or false');
    const report = await importInspections(
      deps(),
      event.headers?.['content-type'] ?? '',
      importBody(event),
      dryRun === 'true',
      actorOf(event, role),
    );
    // The inspectorate sees how many dialogues changed, not which.
    const { flagged, cleared, ...rest } = report;
    return json(200, { ...rest, ...(flagged ? { flaggedDialogues: flagged.length, clearedDialogues: cleared?.length ?? 0 } : {}) });
  },
};
