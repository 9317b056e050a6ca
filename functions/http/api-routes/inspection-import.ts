/**
 * The inspectorate's bulk import of CSV / iCalendar (inspectorate token only), with a dry-run.
 * Served by the inspection-import function of its own, so the parsers (ical.js, csv-parse) are
 * not in the main API's bundle.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { PayloadTooLargeError, ValidationError } from '#core/errors.ts';
import { deps } from '#adapters/deps.ts';
import { importInspections } from '#functions/use-cases/inspection-import.ts';
import { requireRole } from '../request.ts';
import { json } from '../respond.ts';
import { actorOf } from './inspections.ts';
import type { ApiRoutes } from './types.ts';

const MAX_IMPORT_BYTES = 1024 * 1024;

function importBody(event: APIGatewayProxyEventV2): string {
  if (!event.body) return '';
  const bytes = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (bytes.length > MAX_IMPORT_BYTES) throw new PayloadTooLargeError(MAX_IMPORT_BYTES, 'The file is too large (max 1 MB): split it');
  return bytes.toString('utf8');
}

export const inspectionImportRoutes: ApiRoutes = {
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
