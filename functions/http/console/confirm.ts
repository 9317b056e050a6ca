/**
 * The dialogue actions (resend, remind, close, retry) as two steps
 * (templates/pages/console/confirm.eta): GET shows what will happen, POST does it idempotently and
 * goes back to the dialogue with what happened.
 */
import { stateLabels } from '#core/console-labels.ts';
import { DomainError, NotFoundError, ValidationError } from '#core/errors.ts';
import { formFields } from '#functions/http/request.ts';
import { type HttpResult, html } from '#functions/http/respond.ts';
import { logger } from '#adapters/observability.ts';
import { actionParam, actorOf, consoleListFields, type Ctx, layoutData, type Page, redirect, requireConsoleRole } from './frame.ts';
import { type ConsoleAction, consoleActions, nextResend, runAction } from '#functions/use-cases/console-actions.ts';
import { consoleDialogue, retriesOf } from '#functions/use-cases/console.ts';
import { actionsFor } from './dialogue.ts';

const confirmTexts: Record<ConsoleAction, { heading: string; explanation: string; confirmLabel: string; danger?: boolean }> = {
  resend: {
    heading: 'Skicka inbjudan igen',
    explanation: 'Mottagaren får inbjudan en gång till, med samma svarslänk som förut. Välj vem som ska få den.',
    confirmLabel: 'Skicka inbjudan',
  },
  remind: {
    heading: 'Skicka påminnelse nu',
    explanation: 'Alla mottagare får nästa påminnelse nu i stället för på det planerade datumet.',
    confirmLabel: 'Skicka påminnelsen',
  },
  close: {
    heading: 'Avsluta dialogen',
    explanation: 'Dialogen avslutas: inga fler påminnelser skickas och svarslänkarna tar inte emot svar. Det går inte att ångra.',
    confirmLabel: 'Avsluta dialogen',
    danger: true,
  },
  retry: {
    heading: 'Försök igen',
    explanation: 'Arbetsflödet (inbjudan, eller mötessteget som stannade) startar på nytt. Mejl som redan gått ut skickas inte igen.',
    confirmLabel: 'Starta nytt försök',
  },
};

const actionOf = (c: Ctx): ConsoleAction => actionParam(c, consoleActions);

async function confirmPage(c: Ctx, error?: string, form: Record<string, string> = {}): Promise<HttpResult> {
  requireConsoleRole(c, ['coordinator']);
  const action = actionOf(c);
  const { dialogue: x } = await consoleDialogue(c.d, c.event.pathParameters?.id ?? '');
  if (!error && !actionsFor(x).some((a) => a.href.endsWith(`/${action}`))) {
    return html(
      409,
      c.d.templates.consolePage('error', {
        ...layoutData(c, confirmTexts[action].heading, { dialogues: true }),
        heading: confirmTexts[action].heading,
        message: `Det går inte i dialogens nuvarande läge (${stateLabels[x.state]}).`,
        back: `/console/dialogues/${x.id}`,
      }),
    );
  }
  const n = action === 'resend' ? nextResend(x) : action === 'remind' ? x.reminders + 1 : action === 'retry' ? retriesOf(x) + 1 : undefined;
  const body = c.d.templates.consolePage('confirm', {
    ...layoutData(c, confirmTexts[action].heading, { dialogues: true }),
    ...confirmTexts[action],
    id: x.id,
    organiserName: x.organiserName,
    action,
    n,
    error,
    recipients: action === 'resend' ? x.recipients : undefined,
    askReason: action === 'close',
    reason: form.reason ?? '',
  });
  return html(error ? 400 : 200, body);
}

const actionPost: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  const action = actionOf(c);
  const id = c.event.pathParameters?.id ?? '';
  return confirmed(
    c,
    action,
    (form, actor) => runAction[action](c.d, id, form, actor),
    (message, form) => confirmPage(c, message, form),
  );
};

/**
 * Runs a confirmed action and goes back to the dialogue page with what happened ("already" when
 * the work was done before); a refusal shows the confirmation again with the reason.
 */
export async function confirmed(
  c: Ctx,
  action: string,
  run: (form: Record<string, string>, actor: string) => Promise<{ done: boolean }>,
  reshow: (message: string, form: Record<string, string>) => Promise<HttpResult>,
): Promise<HttpResult> {
  const id = c.event.pathParameters?.id ?? '';
  // The form's single fields; checkbox lists (consoleListFields) are read by the page that has them.
  const form = formFields(c.event, { lists: consoleListFields }).fields;
  const actor = actorOf(c);
  try {
    const result = await run(form, actor);
    logger.info('console action', { action, dialogueId: id, meetingId: c.event.pathParameters?.meetingId, done: result.done, by: actor });
    return redirect(`/console/dialogues/${encodeURIComponent(id)}?klart=${result.done ? action : 'already'}`);
  } catch (e) {
    if (e instanceof NotFoundError) throw e;
    if (e instanceof DomainError) {
      return reshow(e instanceof ValidationError && e.issues.length ? e.issues.map((i) => i.message).join(' ') : e.message, form);
    }
    throw e;
  }
}

export const confirmRoutes: Record<string, Page> = {
  'GET /console/dialogues/{id}/{action}': (c) => confirmPage(c),
  'POST /console/dialogues/{id}/{action}': actionPost,
};
