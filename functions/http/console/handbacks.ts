/**
 * Acting on hand-backs (templates/pages/console/handbacks-confirm.eta, handbacks-result.eta): the
 * dialogue list's selection (POST, step "confirm") or one dialogue's action link (GET) shows what
 * will happen to whom, with the reason, the answer or the time to book where the action needs one;
 * the confirmation (step "run") carries a form id and acts once; the result page shows each
 * dialogue's outcome and is what the same form posted again shows.
 */
import { formatOrgNumber } from '#core/organiser.ts';
import { declineReasons } from '#core/dialogue.ts';
import { reasonLabels } from '#core/console-labels.ts';
import { DomainError, NotFoundError, ValidationError } from '#core/errors.ts';
import {
  actionsForKind,
  type HandbackAction,
  handbackActionLabels,
  handbackActions,
  handbackKindLabels,
  handbackOf,
} from '#core/handbacks.ts';
import { meetingKindRules, optionValue } from '#core/scheduling.ts';
import { formatSwedishDateTime } from '#core/time.ts';
import { stockholmTime } from '#core/calendar.ts';
import { logger } from '#adapters/observability.ts';
import { handbackForm, MAX_HANDBACK_SELECTION, runHandbackForm, SESSION_OPTION } from '#functions/use-cases/handbacks.ts';
import { proposeFor } from '#functions/use-cases/lifecycle/propose.ts';
import { formFields } from '#functions/http/request.ts';
import { type HttpResult, html } from '#functions/http/respond.ts';
import { actorOf, type Ctx, layoutData, type Page, redirect, requireConsoleRole } from './frame.ts';
import { FORM_ID, newFormId } from './format.ts';

const nav = { dialogues: true };
/** The fields the selection and the confirmation post (csrf besides). */
const formKeys = ['step', 'action', 'formId', 'dialogueIds', 'reason', 'answer', 'declineReason', 'slot'];

const explanations: Record<HandbackAction, string> = {
  offer:
    'Huvudmännen får nya tidsförslag i ett nytt mejl, som vid ett vanligt erbjudande: tiderna hålls för dem några dagar och de påminns efter en vecka.',
  book: 'Tjänsten bokar åt huvudmannen. Huvudmannen och dialogutförarna får en kalenderinbjudan; i den kan huvudmannen boka om eller avboka.',
  reinvite: 'Inbjudan skickas igen, med samma svarslänk som förut. Kommer inget svar inom en vecka lämnas dialogen över igen.',
  answer: 'Registrera svaret huvudmannen gav på annat sätt, till exempel i telefon. Ett ja startar introduktionsfasen.',
  retry: 'Steget som misslyckades startar på nytt. Mejl som redan gått ut skickas inte igen.',
  close:
    'Dialogen avslutas med ditt skäl. En dialog utan svar behåller läget ”Inget svar” i statistiken men lämnar listan över överlämnade.',
};
/** Only for one dialogue at a time: the coordinator chooses the answer or the time. */
const singleOnly: readonly HandbackAction[] = ['answer'];

interface Chosen {
  id: string;
  organiserName: string;
  orgNumber: string;
  kindLabel: string;
  applies: boolean;
}

async function selection(c: Ctx, ids: readonly string[], action: HandbackAction): Promise<Chosen[]> {
  return Promise.all(
    ids.map(async (id) => {
      const x = await c.d.dialogues.get(id);
      const h = x ? handbackOf(x) : undefined;
      return {
        id,
        organiserName: x?.organiserName ?? id,
        orgNumber: formatOrgNumber(x?.orgNumber),
        kindLabel: h ? handbackKindLabels[h.kind] : 'Inte överlämnad',
        applies: Boolean(h && actionsForKind[h.kind].includes(action)),
      };
    }),
  );
}

/** The free times the coordinator may book for one dialogue (none held for another organiser). */
async function timesFor(c: Ctx, id: string) {
  const x = await c.d.dialogues.get(id);
  const kind = x?.phase?.kind;
  if (!x || !kind || handbackOf(x)?.kind !== 'booking') return [];
  const slots = await proposeFor(c.d, x, kind, { days: [], sessions: [] });
  return slots.map((s, i) => ({
    value: s.introSessionId
      ? `${SESSION_OPTION}${s.introSessionId}`
      : optionValue({ pair: s.pair, sessions: s.sessions.map((t) => ({ start: new Date(t.start), end: new Date(t.end) })) }),
    label: s.sessions.map((t) => `${formatSwedishDateTime(new Date(t.start))}–${stockholmTime(new Date(t.end))}`).join('; '),
    group: Boolean(s.introSessionId),
    checked: i === 0,
    id: `tid-${i}`,
  }));
}

async function confirmPage(
  c: Ctx,
  action: HandbackAction,
  ids: string[],
  opts: { error?: string; form?: Record<string, string>; status?: number } = {},
): Promise<HttpResult> {
  const chosen = await selection(c, ids, action);
  const applicable = chosen.filter((x) => x.applies).length;
  const single = ids.length === 1;
  const times = single && action === 'book' ? await timesFor(c, ids[0] as string) : [];
  const heading = single
    ? `${handbackActionLabels[action]}: ${chosen[0]?.organiserName ?? ''}`
    : `${handbackActionLabels[action]} för ${applicable} dialoger`;
  return html(
    opts.status ?? (opts.error ? 400 : 200),
    c.d.templates.consolePage('handbacks-confirm', {
      ...layoutData(c, handbackActionLabels[action], nav),
      heading,
      explanation: explanations[action],
      error: opts.error,
      action,
      actionLabel: handbackActionLabels[action],
      chosen,
      applicable,
      skipped: chosen.length - applicable,
      formId: FORM_ID.test(opts.form?.formId ?? '') ? opts.form?.formId : newFormId(),
      askReason: action === 'close',
      reason: opts.form?.reason ?? '',
      askAnswer: action === 'answer',
      declineReasons: declineReasons.map((r) => ({ value: r, label: reasonLabels[r], selected: opts.form?.declineReason === r })),
      times,
      meetingName: single ? meetingNameOf(await c.d.dialogues.get(ids[0] as string)) : undefined,
      confirmLabel: single ? handbackActionLabels[action] : `${handbackActionLabels[action]} (${applicable})`,
      back: single ? `/console/dialogues/${encodeURIComponent(ids[0] as string)}` : '/console?handback=alla',
    }),
  );
}

const meetingNameOf = (x: Awaited<ReturnType<Ctx['d']['dialogues']['get']>>): string | undefined =>
  x?.phase ? meetingKindRules[x.phase.kind].name.toLowerCase() : undefined;

const actionOf = (v: string | null | undefined): HandbackAction | undefined =>
  (handbackActions as readonly string[]).includes(v ?? '') ? (v as HandbackAction) : undefined;

/** One dialogue's action, from the link on its page. */
const singlePage: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  const q = c.event.queryStringParameters ?? {};
  const action = actionOf(q.action);
  if (!action || !q.id) throw new NotFoundError('Åtgärden finns inte.');
  return confirmPage(c, action, [q.id]);
};

/** The list's selection (step "confirm") or a confirmed form (step "run"). */
const post: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  const { fields, all } = formFields(c.event, { lists: ['dialogueIds'], allowed: formKeys });
  // An empty field (the decline reason's "choose" option) is no value.
  const form = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== ''));
  const ids = [...new Set(all.dialogueIds ?? [])];
  const action = actionOf(fields.action);
  if (!action) return back(c, 'Välj en åtgärd för de valda dialogerna.');
  if (ids.length === 0) return back(c, 'Välj minst en dialog i listan.');
  if (ids.length > MAX_HANDBACK_SELECTION) return back(c, `Välj högst ${MAX_HANDBACK_SELECTION} dialoger åt gången.`);
  if (ids.length > 1 && singleOnly.includes(action))
    return back(c, `${handbackActionLabels[action]} görs för en dialog i taget, från dialogens sida.`);
  if (fields.step !== 'run') return confirmPage(c, action, ids);
  const by = actorOf(c);
  try {
    const { csrf: _csrf, step: _step, ...input } = form;
    const done = await runHandbackForm(c.d, { ...input, action, dialogueIds: ids }, by);
    logger.info('console hand-back action', { action, formId: done.formId, count: done.dialogueIds.length, by });
    return redirect(`/console/handbacks/${encodeURIComponent(done.formId)}`);
  } catch (e) {
    if (!(e instanceof DomainError) || e instanceof NotFoundError) throw e;
    const message = e instanceof ValidationError && e.issues.length ? e.issues.map((i) => i.message).join(' ') : e.message;
    return confirmPage(c, action, ids, { error: message, form });
  }
};

/** Nothing chosen: back to the list with why. */
function back(c: Ctx, message: string): Promise<HttpResult> {
  return Promise.resolve(
    html(
      400,
      c.d.templates.consolePage('error', {
        ...layoutData(c, 'Överlämnade dialoger', nav),
        heading: 'Inget att göra ännu',
        message,
        back: '/console?handback=alla',
      }),
    ),
  );
}

const outcomeLabels = { done: 'Utfört', already: 'Redan gjort', not_applicable: 'Går inte', error: 'Gick inte' } as const;

const resultPage: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  const form = await handbackForm(c.d, c.event.pathParameters?.formId ?? '');
  const count = (o: keyof typeof outcomeLabels) => form.results.filter((r) => r.outcome === o).length;
  return html(
    200,
    c.d.templates.consolePage('handbacks-result', {
      ...layoutData(c, handbackActionLabels[form.action], nav),
      heading: handbackActionLabels[form.action],
      working: form.status !== 'done',
      summary: `${count('done')} utförda, ${count('already')} redan gjorda, ${count('not_applicable')} där åtgärden inte passar, ${count('error')} som inte gick.`,
      by: form.by,
      rows: form.results.map((r) => ({
        ...r,
        orgNumber: formatOrgNumber(r.orgNumber),
        outcomeLabel: outcomeLabels[r.outcome],
      })),
    }),
  );
};

export const handbackRoutes: Record<string, Page> = {
  'GET /console/handbacks': singlePage,
  'POST /console/handbacks': post,
  'GET /console/handbacks/{formId}': resultPage,
};
