/** Coordinator routes of the phases after acceptance: the analysis material attached to a dialogue. */
import { deps } from '#adapters/deps.ts';
import { attachDocument } from '#functions/use-cases/lifecycle.ts';
import { jsonBody, requireRole } from '../request.ts';
import { json } from '../respond.ts';
import type { ApiRoutes } from './types.ts';

export const lifecycleRoutes: ApiRoutes = {
  'POST /api/dialogues/{id}/documents': async (event, role) => {
    requireRole(role, ['coordinator']);
    const dialogue = await attachDocument(deps(), event.pathParameters?.id ?? '', jsonBody(event));
    return json(201, { id: dialogue.id, documents: dialogue.documents ?? [] });
  },
};
