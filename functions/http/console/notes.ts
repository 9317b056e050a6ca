/**
 * Registering the notes of a held dialogue meeting (templates/pages/console/notes.eta), where the
 * pair's reminder leads: what was discussed and which roles took part. Notes are public documents
 * and hold no assessment of the organiser; registering them starts the feedback phase.
 */
import { hasEnded, participantRoleNames, participantRoles } from '#core/meetings.ts';
import { meetingKindRules } from '#core/scheduling.ts';
import { ConflictError } from '#core/errors.ts';
import { addNotes } from '#functions/use-cases/meetings.ts';
import { meetingOfDialogue } from '#functions/use-cases/console-meeting-actions.ts';
import { formFields } from '../request.ts';
import { type HttpResult, html } from '../respond.ts';
import { confirmed } from './confirm.ts';
import { consoleListFields, type Ctx, layoutData, type Page, requireConsoleRole } from './frame.ts';
import { check, when } from './format.ts';

async function notesPage(c: Ctx, error?: string, form: Record<string, string> = {}, roles: string[] = []): Promise<HttpResult> {
  requireConsoleRole(c, ['coordinator']);
  const id = c.event.pathParameters?.id ?? '';
  const m = await meetingOfDialogue(c.d, id, c.event.pathParameters?.meetingId ?? '');
  const x = await c.d.dialogues.get(id);
  const now = c.d.clock.now();
  return html(
    error ? 400 : 200,
    c.d.templates.consolePage('notes', {
      ...layoutData(c, `Minnesanteckningar: ${x?.organiserName ?? ''}`, { dialogues: true }),
      id,
      meetingId: m.id,
      organiserName: x?.organiserName ?? '',
      meetingName: meetingKindRules[m.kind].name,
      when: when(m.sessions[0]?.start),
      notDialogue: m.kind !== 'dialogue',
      notHeld: m.kind === 'dialogue' && !hasEnded(m, now),
      cancelled: m.status === 'cancelled',
      registered: m.notes
        ? {
            ...m.notes,
            roles: m.notes.rolesPresent.map((r) => participantRoleNames[r]).join(', '),
            at: when(m.notes.registeredAt),
          }
        : undefined,
      roles: participantRoles.map((r) => check(r, participantRoleNames[r], roles.includes(r))),
      discussed: form.discussed ?? '',
      error,
    }),
  );
}

/** The checked roles of the posted form (one `rolesPresent` field per box). */
const rolesOf = (c: Ctx): string[] => formFields(c.event, { lists: consoleListFields }).all.rolesPresent ?? [];

const notesPost: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  const id = c.event.pathParameters?.id ?? '';
  const meetingId = c.event.pathParameters?.meetingId ?? '';
  const roles = rolesOf(c);
  return confirmed(
    c,
    'notes',
    async (form, actor) => {
      const m = await meetingOfDialogue(c.d, id, meetingId);
      if (m.notes && m.notes.registeredBy === actor && m.notes.discussed === (form.discussed ?? '').trim()) return { done: false };
      if (m.notes)
        throw new ConflictError(`Minnesanteckningarna registrerades redan ${when(m.notes.registeredAt)} av ${m.notes.registeredBy}.`);
      await addNotes(c.d, meetingId, { discussed: form.discussed ?? '', rolesPresent: roles, public: true }, actor);
      return { done: true };
    },
    (message, form) => notesPage(c, message, form, roles),
  );
};

export const notesRoutes: Record<string, Page> = {
  'GET /console/dialogues/{id}/meetings/{meetingId}/notes': (c) => notesPage(c),
  'POST /console/dialogues/{id}/meetings/{meetingId}/notes': notesPost,
};
