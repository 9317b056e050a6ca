/**
 * Coordinator routes of the phases after acceptance: the analysis material attached to a dialogue,
 * how its dialogue meeting is offered (split or not), and organisers sharing its school chief.
 */
import { deps } from '#adapters/deps.ts';
import { dialogueView } from '#functions/http/api-routes/dialogues.ts';
import { attachDocument, setMeetingPlan, sharedChiefCandidates } from '#functions/use-cases/lifecycle/material.ts';
import { jsonBody, requireRole } from '../request.ts';
import { json } from '../respond.ts';
import type { ApiRoutes } from './types.ts';

export const lifecycleRoutes: ApiRoutes = {
  'POST /api/dialogues/{id}/documents': async (event, role) => {
    requireRole(role, ['coordinator']);
    const dialogue = await attachDocument(deps(), event.pathParameters?.id ?? '', jsonBody(event));
    return json(201, { id: dialogue.id, documents: dialogue.documents ?? [] });
  },
  'PUT /api/dialogues/{id}/meeting-plan': async (event, role) => {
    requireRole(role, ['coordinator']);
    const dialogue = await setMeetingPlan(deps(), event.pathParameters?.id ?? '', jsonBody(event));
    return json(200, { id: dialogue.id, meetingPlan: dialogue.meetingPlan });
  },
  'GET /api/dialogues/{id}/shared-chief': async (event, role) => {
    requireRole(role, ['coordinator']);
    return json(200, { items: (await sharedChiefCandidates(deps(), event.pathParameters?.id ?? '')).map(dialogueView) });
  },
};
