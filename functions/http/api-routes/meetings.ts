/** Coordinator routes on meetings: book, read, reschedule, cancel, participants, notes. */
import { deps } from '#adapters/deps.ts';
import {
  addNotes,
  cancelMeetingById,
  createMeeting,
  getMeeting,
  listMeetingsOfDialogue,
  moveMeeting,
  reassignPair,
  setParticipants,
} from '#functions/use-cases/meetings.ts';
import { jsonBody, requireRole } from '../request.ts';
import { json } from '../respond.ts';
import type { ApiRoutes } from './types.ts';

const id = (event: { pathParameters?: Record<string, string | undefined> }) => event.pathParameters?.id ?? '';

export const meetingRoutes: ApiRoutes = {
  'POST /api/meetings': async (event, role) => {
    requireRole(role, ['coordinator']);
    const meeting = await createMeeting(deps(), jsonBody(event));
    return json(201, meeting, { location: `/api/meetings/${meeting.id}` });
  },
  'GET /api/meetings/{id}': async (event, role) => {
    requireRole(role, ['coordinator']);
    return json(200, await getMeeting(deps(), id(event)));
  },
  'POST /api/meetings/{id}/reschedule': async (event, role) => {
    requireRole(role, ['coordinator']);
    return json(200, await moveMeeting(deps(), id(event), jsonBody(event)));
  },
  'POST /api/meetings/{id}/cancel': async (event, role) => {
    requireRole(role, ['coordinator']);
    return json(200, await cancelMeetingById(deps(), id(event), event.body ? jsonBody(event) : {}));
  },
  'POST /api/meetings/{id}/reassign': async (event, role) => {
    requireRole(role, ['coordinator']);
    const { meeting, changed } = await reassignPair(deps(), id(event), jsonBody(event), role);
    return json(200, { ...meeting, changed });
  },
  'PUT /api/meetings/{id}/participants': async (event, role) => {
    requireRole(role, ['coordinator']);
    return json(200, await setParticipants(deps(), id(event), jsonBody(event)));
  },
  'POST /api/meetings/{id}/notes': async (event, role) => {
    requireRole(role, ['coordinator']);
    return json(201, await addNotes(deps(), id(event), jsonBody(event), role));
  },
  'GET /api/dialogues/{id}/meetings': async (event, role) => {
    requireRole(role, ['coordinator']);
    return json(200, { items: await listMeetingsOfDialogue(deps(), id(event)) });
  },
};
