/** Coordinator routes on dialogues. The API never hands out the workflow's task token. */
import type { Dialogue } from '#core/dialogue.ts';
import { currentTimerFailure } from '#core/timer-failure.ts';
import { deps } from '#adapters/deps.ts';
import { createDialogue, getDialogue, listDialogues } from '#functions/use-cases/dialogues.ts';
import { bookingOutcome } from '#functions/use-cases/lifecycle/phase.ts';
import { jsonBody, requireRole } from '../request.ts';
import { json } from '../respond.ts';
import type { ApiRoutes } from './types.ts';

export const dialogueView = <T extends Dialogue>({ waitToken, version, ...rest }: T) => ({
  ...rest,
  // The booking wait's task token stays inside too.
  ...(rest.phase ? { phase: { ...rest.phase, token: undefined } } : {}),
  // A failing timer while it is still the pending one (functions/core/timer-failure.ts).
  timerFailure: currentTimerFailure(rest),
  waitingForAnswer: Boolean(waitToken),
  // The token stays on the record after the wait ends: waiting only while the record leaves it undecided.
  waitingForBooking: Boolean(rest.phase?.token) && bookingOutcome(rest, rest.phase?.kind ?? '', rest.phase?.round ?? 0) === undefined,
});

export const dialogueRoutes: ApiRoutes = {
  'POST /api/dialogues': async (event, role) => {
    requireRole(role, ['coordinator']);
    const { dialogue, created } = await createDialogue(deps(), jsonBody(event));
    return created
      ? json(201, { id: dialogue.id, state: dialogue.state }, { location: `/api/dialogues/${dialogue.id}` })
      : json(409, {
          error: 'conflict',
          message: `The organiser already has dialogue ${dialogue.id} in cycle ${dialogue.cycle}`,
          id: dialogue.id,
        });
  },
  'GET /api/dialogues': async (event, role) => {
    requireRole(role, ['coordinator']);
    const page = await listDialogues(deps(), event.queryStringParameters ?? {});
    return json(200, { ...page, items: page.items.map(dialogueView) });
  },
  'GET /api/dialogues/{id}': async (event, role) => {
    requireRole(role, ['coordinator']);
    return json(200, dialogueView(await getDialogue(deps(), event.pathParameters?.id ?? '')));
  },
};
