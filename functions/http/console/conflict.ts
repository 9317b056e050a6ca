/**
 * Deciding on a clash with the inspection calendar (templates/pages/console/conflict.eta), where the
 * clash mail leads: every clashing inspection, the planned step, and the choices: keep it, move an
 * invitation to the first free day, or for a booked meeting offer the organiser new clash-free times
 * or move it yourself (the move form opens next). The form carries the conflict's `since`, so a
 * second post, or one on a conflict that changed meanwhile, changes nothing.
 */
import { stateLabels } from '#core/console-labels.ts';
import { DomainError, NotFoundError, ValidationError } from '#core/errors.ts';
import { meetingKindRules } from '#core/scheduling.ts';
import * as z from '#core/zod.ts';
import { logger } from '#adapters/observability.ts';
import { type DecisionOutcome, decideConflict } from '#functions/use-cases/conflict-decision.ts';
import { parseOrThrow } from '#functions/use-cases/validate.ts';
import { formBody } from '../request.ts';
import { type HttpResult, html } from '../respond.ts';
import { actorOf, type Ctx, layoutData, type Page, redirect, requireConsoleRole } from './frame.ts';
import { conflictView } from './conflict-view.ts';
import { when } from './format.ts';

const choices = ['keep', 'offer', 'move', 'postpone'] as const;
type Choice = (typeof choices)[number];

const formSchema = z.object({
  choice: z.enum(choices, { message: 'Välj vad som ska hända med steget.' }),
  since: z.string().check(z.minLength(1, 'Formuläret saknar krockens tid; öppna sidan igen.')),
  comment: z.optional(z.string().check(z.trim(), z.maxLength(2000, 'Skriv högst 2000 tecken.'))),
});

const flashOf: Record<Exclude<DecisionOutcome, 'move_by_coordinator'>, string> = {
  kept: 'conflict-keep',
  invitation_moved: 'conflict-invitation',
  new_times_offered: 'conflict-offer',
};

async function conflictPage(c: Ctx, error?: string, form: Record<string, string> = {}): Promise<HttpResult> {
  requireConsoleRole(c, ['coordinator']);
  const id = c.event.pathParameters?.id ?? '';
  const x = await c.d.dialogues.get(id);
  if (!x) throw new NotFoundError(`Det finns ingen dialog med id ${id}.`);
  const layout = layoutData(c, `Krock: ${x.organiserName}`, { dialogues: true });
  const conflict = x.conflict;
  if (!conflict) {
    // An old link: the flag is gone. Say how it ended.
    const last = x.history.findLast((h) => h.type === 'conflict_cleared' || h.type === 'conflict_decision');
    return html(
      200,
      c.d.templates.consolePage('conflict', {
        ...layout,
        id,
        organiserName: x.organiserName,
        resolved: last ? `${last.detail ?? ''} (${when(last.at)}${last.by ? `, ${last.by}` : ''})` : 'Dialogen har ingen krock.',
      }),
    );
  }
  const meetingId = conflict.step.startsWith('meeting:') ? conflict.step.slice('meeting:'.length) : undefined;
  const meeting = meetingId ? await c.d.meetings.get(meetingId) : undefined;
  const step =
    conflict.kind === 'invitation'
      ? `Inbjudan, planerad ${when(conflict.plannedStart)}`
      : meeting
        ? `${meetingKindRules[meeting.kind].name} ${when(conflict.plannedStart)}`
        : `Möte ${when(conflict.plannedStart)}`;
  const invitationWaits = conflict.kind === 'invitation' && x.state === 'created';
  const meetingBooked = meeting?.status === 'booked';
  const options: { value: Choice; label: string; hint: string }[] = [
    { value: 'keep', label: 'Behåll steget trots krocken', hint: 'Inget ändras; beslutet och vem som tog det sparas.' },
    ...(invitationWaits
      ? [{ value: 'postpone' as const, label: 'Skjut upp inbjudan', hint: 'Inbjudan skickas första dagen utan krock.' }]
      : []),
    ...(meetingBooked
      ? [
          {
            value: 'offer' as const,
            label: 'Boka om: erbjud huvudmannen nya tider',
            hint:
              meeting.dialogueIds.length > 1
                ? 'Huvudmannen lämnar det gemensamma mötet (de andra behåller det) och får nya förslag på tider som inte krockar.'
                : 'Mötet ställs in (alla får en avbokning) och huvudmannen får nya förslag på tider som inte krockar.',
          },
          {
            value: 'move' as const,
            label: 'Boka om: jag flyttar mötet själv',
            hint: 'Formuläret för att flytta mötet öppnas. Krocken är löst när mötet har flyttats till en tid utan krock.',
          },
        ]
      : []),
  ];
  const chosen = form.choice ?? (conflict.decision?.decision === 'keep' ? 'keep' : '');
  return html(
    error ? 400 : 200,
    c.d.templates.consolePage('conflict', {
      ...layout,
      id,
      organiserName: x.organiserName,
      stateLabel: stateLabels[x.state],
      step,
      ...conflictView(conflict),
      since: conflict.since,
      options: options.map((o) => ({ ...o, checked: o.value === chosen })),
      comment: form.comment ?? '',
      error,
    }),
  );
}

const conflictPost: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  const id = c.event.pathParameters?.id ?? '';
  const form = formBody(c.event);
  const actor = actorOf(c);
  try {
    const input = parseOrThrow(formSchema, form, 'form');
    const current = await c.d.dialogues.get(id);
    if (!current) throw new NotFoundError(`Det finns ingen dialog med id ${id}.`);
    // A repeated post (the first one resolved the conflict) changes nothing.
    if (!current.conflict && current.history.some((h) => h.type === 'conflict_decision' && h.at >= input.since)) {
      return redirect(`/console/dialogues/${encodeURIComponent(id)}?klart=already`);
    }
    const body =
      input.choice === 'keep'
        ? { decision: 'keep' as const }
        : input.choice === 'postpone'
          ? { decision: 'reschedule' as const }
          : { decision: 'reschedule' as const, how: input.choice };
    const result = await decideConflict(
      c.d,
      id,
      { ...body, since: input.since, comment: input.comment || undefined },
      { role: 'coordinator', name: actor },
    );
    logger.info('console conflict decision', { dialogueId: id, choice: input.choice, outcome: result.outcome, by: actor });
    if (result.outcome === 'move_by_coordinator' && result.meetingId) {
      return redirect(`/console/dialogues/${encodeURIComponent(id)}/meetings/${encodeURIComponent(result.meetingId)}/reschedule`);
    }
    return redirect(`/console/dialogues/${encodeURIComponent(id)}?klart=${flashOf[result.outcome as keyof typeof flashOf]}`);
  } catch (e) {
    if (e instanceof NotFoundError) throw e;
    if (e instanceof DomainError) {
      return conflictPage(c, e instanceof ValidationError && e.issues.length ? e.issues.map((i) => i.message).join(' ') : e.message, form);
    }
    throw e;
  }
};

export const conflictRoutes: Record<string, Page> = {
  'GET /console/dialogues/{id}/conflict': (c) => conflictPage(c),
  'POST /console/dialogues/{id}/conflict': conflictPost,
};
