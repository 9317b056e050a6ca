/**
 * What a coordinator does with hand-backs (functions/core/handbacks.ts), for one dialogue or for a
 * selection at once:
 *
 *   offer     an offer nobody booked: a new round of the phase offers new times (mail, held times)
 *   book      the same round books the first free time instead (bulk), or the time the coordinator
 *             chose (one dialogue); the calendar invitation goes out
 *   reinvite  an invitation nobody answered: invited again (a reminder now, the hand-back a week on)
 *   answer    the answer given another way (phone): accepted (the intro phase starts) or declined
 *   retry     a failed step runs again
 *   close     ended with the coordinator's reason (an unanswered invitation keeps its state)
 *
 * Each action changes a dialogue only while it is still handed back that way (a conditional write),
 * so a dialogue acted on twice, by a double submit, a retry or two coordinators, changes once.
 * A selection is one confirmed form, claimed first (HBFORM#<formId>) and holding every outcome, so
 * posting the same form again shows what was done; one that failed half-way goes on where it stopped.
 */
import * as z from '#core/zod.ts';
import { assertTransition, type Dialogue, declineReasons, type HistoryEntry, type OfferedSlot, transitions } from '#core/dialogue.ts';
import { ConflictError, DomainError, NotFoundError } from '#core/errors.ts';
import {
  actionsForKind,
  type HandbackAction,
  handbackActionLabels,
  handbackActions,
  handbackKindLabels,
  handbackOf,
} from '#core/handbacks.ts';
import { meetingKindRules } from '#core/scheduling.ts';
import type { Deps } from '#adapters/deps.ts';
import { recordMetric } from '#adapters/observability.ts';
import type { HandbackForm, HandbackOutcome } from '#adapters/handback-repository.ts';
import { syncPlannedDates } from './calendar-sync.ts';
import { retriesOf } from './console.ts';
import { retryDialogue } from './console-actions.ts';
import { sendReminder } from './invitation.ts';
import { beginPhase, kickPhase, noTimer, startIntroOnAcceptance } from './lifecycle/phase.ts';
import { releaseOffer } from './offer-holds.ts';
import { parseOrThrow } from './validate.ts';
import { handbacksOf } from '#adapters/handback-repository.ts';

/** At most this many dialogues in one confirmed selection (one page of the console's list). */
export const MAX_HANDBACK_SELECTION = 100;
/** How long a second post of a form still being worked on waits for the first. */
const WAIT_FOR_FIRST_POST_MS = 12_000;
/** Longer than the console function may run: a claim older than this belonged to an attempt that died. */
const LEASE_MS = 30_000;

const trimmed = (max: number, message: string) =>
  z.string().check(z.trim(), z.minLength(1, message), z.maxLength(max, `Skriv högst ${max} tecken.`));

export const handbackFormSchema = z.strictObject({
  formId: z.string().check(z.regex(/^[A-Za-z0-9_-]{16,40}$/, 'Formuläret saknar sitt id; gå tillbaka och välj igen.')),
  action: z.enum(handbackActions, { message: 'Välj en åtgärd.' }),
  dialogueIds: z
    .array(z.string().check(z.regex(/^[A-Za-z0-9_-]{3,80}$/, 'Ogiltigt dialog-id.')))
    .check(
      z.minLength(1, 'Välj minst en dialog.'),
      z.maxLength(MAX_HANDBACK_SELECTION, `Välj högst ${MAX_HANDBACK_SELECTION} dialoger åt gången.`),
    ),
  reason: z.optional(trimmed(500, 'Skriv varför dialogerna avslutas.')),
  answer: z.optional(z.enum(['accept', 'decline'], { message: 'Välj vad huvudmannen svarade.' })),
  declineReason: z.optional(z.enum(declineReasons, { message: 'Välj ett skäl till nej.' })),
  /** The time the coordinator chose for one dialogue (a slot's option value), else the first free. */
  slot: z.optional(z.string().check(z.maxLength(600))),
});
export type HandbackFormInput = z.output<typeof handbackFormSchema>;

const entry = (d: Deps, type: HistoryEntry['type'], by: string, detail: string, state?: Dialogue['state']): HistoryEntry => ({
  at: d.clock.now().toISOString(),
  type,
  by,
  detail,
  ...(state ? { state } : {}),
});

type Input = Pick<HandbackFormInput, 'reason' | 'answer' | 'declineReason' | 'slot'>;

/** One action on one dialogue; a domain refusal is an outcome, anything else is thrown (the form may be posted again). */
export async function actOnHandback(d: Deps, id: string, action: HandbackAction, input: Input, by: string): Promise<HandbackOutcome> {
  const x = await d.dialogues.get(id);
  if (!x) return { dialogueId: id, organiserName: id, outcome: 'error', message: 'Dialogen finns inte.' };
  const base = { dialogueId: id, organiserName: x.organiserName, ...(x.orgNumber ? { orgNumber: x.orgNumber } : {}) };
  const h = handbackOf(x);
  if (!h) return { ...base, outcome: 'already', message: 'Inte längre överlämnad till samordnaren; inget ändrades.' };
  if (!actionsForKind[h.kind].includes(action)) {
    return {
      ...base,
      outcome: 'not_applicable',
      message: `${handbackActionLabels[action]} går inte för ”${handbackKindLabels[h.kind].toLowerCase()}”.`,
    };
  }
  try {
    const done = await run[action](d, x, input, by);
    return { ...base, outcome: done ? 'done' : 'already', message: done ? doneText[action] : 'Redan gjort; inget ändrades.' };
  } catch (e) {
    if (e instanceof NotFoundError || !(e instanceof DomainError)) throw e;
    return { ...base, outcome: 'error', message: e.message };
  }
}

const doneText: Record<HandbackAction, string> = {
  offer: 'Nya tider erbjuds; huvudmannen får ett mejl med länk.',
  book: 'Tiden bokas inom någon minut; huvudmannen och dialogutförarna får kalenderinbjudan.',
  reinvite: 'Inbjudan skickades igen; nytt larm om en vecka utan svar.',
  answer: 'Svaret är registrerat.',
  retry: 'Ett nytt försök har startat.',
  close: 'Avslutad.',
};

type Run = (d: Deps, x: Dialogue, input: Input, by: string) => Promise<boolean>;

/** A new round of the handed-back phase: offering times again, or booking the first free one. */
const newRound =
  (bookFirst: boolean): Run =>
  async (d, x, input, by) => {
    const slot = bookFirst && input.slot ? await chosenSlot(d, input.slot) : undefined;
    const { changed, dialogue } = await d.dialogues.mutate(x.id, (y) => {
      if (handbackOf(y)?.kind !== 'booking' || !y.phase) return undefined;
      const next = beginPhase(d, noTimer(y), y.phase.kind, y.phase.round + 1);
      const name = meetingKindRules[y.phase.kind].name;
      return {
        ...next,
        phase: {
          ...(next.phase as NonNullable<Dialogue['phase']>),
          ...(bookFirst ? { bookFirst: { by, ...(slot ? { slot } : {}) } } : {}),
        },
        updatedAt: d.clock.now().toISOString(),
        history: [
          ...next.history,
          entry(
            d,
            'handback_action',
            by,
            `${name}: ${!bookFirst ? 'nya tider erbjuds' : slot ? 'den valda tiden bokas' : 'första lediga tid bokas'}`,
          ),
        ],
      };
    });
    if (!changed) return false;
    await releaseOffer(d, x);
    await kickPhase(d, dialogue.id);
    return true;
  };

/** A time the confirmation page listed: `session:<id>` (a group intro session) or a pair's sessions (`optionValue`). */
export async function chosenSlot(d: Deps, value: string): Promise<OfferedSlot> {
  if (value.startsWith(SESSION_OPTION)) {
    const s = await d.introSessions.get(value.slice(SESSION_OPTION.length));
    if (!s) throw new ConflictError('Gruppintroduktionen finns inte längre; välj en annan tid.');
    return { pair: s.pair, sessions: [{ start: s.start, end: s.end }], introSessionId: s.id };
  }
  const [skolverket = '', spsm = '', sessions = ''] = value.split('|');
  return {
    pair: { skolverket, spsm },
    sessions: sessions.split(',').map((s) => {
      const [start = '', end = ''] = s.split('/');
      return { start, end };
    }),
  };
}
export const SESSION_OPTION = 'session:';

/** Invited again: the reminder goes out now with the answer link, and a week without answer hands it back again. */
const reinvite: Run = async (d, x, _input, by) => {
  const { changed } = await d.dialogues.mutate(x.id, (y) => {
    if (handbackOf(y)?.kind !== 'no_answer') return undefined;
    assertTransition(y.state, 'invited');
    const at = d.clock.now().toISOString();
    return {
      ...y,
      state: 'invited',
      waitToken: undefined,
      dueKind: 'reminder',
      dueAt: at,
      updatedAt: at,
      history: [...y.history, entry(d, 'handback_action', by, 'Inbjudan skickas igen', 'invited')],
    };
  });
  if (!changed) return false;
  await sendReminder(d, x.id).catch(() => undefined); // the 'reminder' timer stays due; the tick sends it
  return true;
};

/** The answer the organiser gave another way: accepted (the intro phase starts) or declined. */
const registerAnswer: Run = async (d, x, input, by) => {
  const outcome = input.answer === 'accept' ? 'accepted' : input.answer === 'decline' ? 'declined' : undefined;
  if (!outcome) throw new ConflictError('Välj vad huvudmannen svarade.');
  if (outcome === 'declined' && !input.declineReason) throw new ConflictError('Välj ett skäl till nej.');
  const { changed } = await d.dialogues.mutate(x.id, (y) => {
    if (handbackOf(y)?.kind !== 'no_answer') return undefined;
    assertTransition(y.state, outcome);
    const at = d.clock.now().toISOString();
    const answered: Dialogue = {
      ...noTimer(y),
      state: outcome,
      answer: {
        outcome,
        ...(outcome === 'declined' ? { reason: input.declineReason } : {}),
        comment: 'Registrerat av samordnaren',
        answeredAt: at,
        answeredBy: by,
      },
      updatedAt: at,
      history: [...y.history, entry(d, 'answered', by, 'Svaret registrerat av samordnaren', outcome)],
    };
    return outcome === 'accepted' ? (startIntroOnAcceptance(d, answered) ?? answered) : answered;
  });
  if (!changed) return false;
  // Counted by the one write that records the answer, as an answer through the organiser's link is.
  recordMetric('AnswersRecorded', 1, { outcome, legalForm: x.legalForm });
  if (outcome === 'accepted') await kickPhase(d, x.id);
  return true;
};

const retry: Run = async (d, x, _input, by) => {
  try {
    return (await retryDialogue(d, x.id, { n: String(retriesOf(x) + 1) }, by)).done;
  } catch (e) {
    if (e instanceof ConflictError) return false; // retried meanwhile
    throw e;
  }
};

/** Ended with the coordinator's reason; an unanswered invitation keeps its state (the statistics count it unanswered). */
const close: Run = async (d, x, input, by) => {
  if (!input.reason) throw new ConflictError('Skriv varför dialogen avslutas.');
  const reason = input.reason;
  const { changed } = await d.dialogues.mutate(x.id, (y) => {
    const h = handbackOf(y);
    if (!h) return undefined;
    const at = d.clock.now().toISOString();
    if (h.kind === 'no_answer') return { ...y, updatedAt: at, history: [...y.history, entry(d, 'closed', by, reason)] };
    const to = transitions[y.state].includes('closed') ? 'closed' : 'cancelled';
    assertTransition(y.state, to);
    return { ...noTimer(y), state: to, updatedAt: at, history: [...y.history, entry(d, 'closed', by, reason, to)] };
  });
  if (!changed) return false;
  await releaseOffer(d, x);
  // The open offer's times are no longer planned dates of the organiser's.
  await syncPlannedDates(d, x.id);
  return true;
};

const run: Record<HandbackAction, Run> = {
  offer: newRound(false),
  book: newRound(true),
  reinvite,
  answer: registerAnswer,
  retry,
  close,
};

/**
 * Runs a confirmed form over its selection: claimed first; dialogues already done (a form posted
 * again after a failure half-way) are skipped; outcomes are saved as they come. A second post of a
 * form another attempt is still working on waits for it, then shows what it did.
 */
export async function runHandbackForm(d: Deps, raw: unknown, by: string): Promise<HandbackForm> {
  const input = parseOrThrow(handbackFormSchema, raw, 'form');
  if (input.action === 'close' && !input.reason) throw new ConflictError('Skriv varför dialogerna avslutas.');
  const fresh: HandbackForm = {
    formId: input.formId,
    action: input.action,
    dialogueIds: [...new Set(input.dialogueIds)],
    input: Object.fromEntries(
      Object.entries({ reason: input.reason, answer: input.answer, declineReason: input.declineReason, slot: input.slot }).filter(
        ([, v]) => v !== undefined,
      ),
    ) as Record<string, string>,
    by,
    at: d.clock.now().toISOString(),
    status: 'working',
    leaseUntil: Date.now() + LEASE_MS,
    results: [],
  };
  const first = await handbacksOf(d).claimForm(fresh);
  let form = first.form;
  const claimed = first.claimed;
  if (!claimed) {
    for (let waited = 0; form.status === 'working' && form.leaseUntil > Date.now() && waited < WAIT_FOR_FIRST_POST_MS; waited += 500) {
      await new Promise((ok) => setTimeout(ok, 500));
      form = (await handbacksOf(d).getForm(input.formId)) as HandbackForm;
    }
    if (form.status === 'done' || form.leaseUntil > Date.now()) return form;
    const taken = await handbacksOf(d).takeOverForm(form.formId, Date.now() + LEASE_MS);
    if (!taken) return (await handbacksOf(d).getForm(form.formId)) as HandbackForm;
    form = taken;
  }
  const results = [...form.results];
  try {
    for (const id of form.dialogueIds) {
      if (results.some((r) => r.dialogueId === id)) continue;
      results.push(await actOnHandback(d, id, form.action, form.input, by));
      form = { ...form, results };
      if (results.length % 10 === 0) await handbacksOf(d).saveForm(form);
    }
  } catch (e) {
    // Given up at once, so the same form posted again goes on from here.
    await handbacksOf(d).saveForm({ ...form, results, leaseUntil: 0 });
    throw e;
  }
  form = { ...form, results, status: 'done' };
  await handbacksOf(d).saveForm(form);
  return form;
}

export async function handbackForm(d: Deps, formId: string): Promise<HandbackForm> {
  const form = await handbacksOf(d).getForm(formId);
  if (!form) throw new NotFoundError('Det finns ingen sådan åtgärd.');
  return form;
}
