/**
 * The coordinator's actions on a dialogue from the console: resend the invitation, remind now,
 * close, retry. Every action is confirmed by the caller, idempotent (a repeated POST finds the work
 * done and changes nothing) and audited in the dialogue's history with who did it.
 */
import * as z from '#core/zod.ts';
import { answerPeriodEnd, assertTransition, type Dialogue, type HistoryEntry } from '#core/dialogue.ts';
import { ConflictError, NotFoundError, ValidationError } from '#core/errors.ts';
import { formatSwedishDate } from '#core/time.ts';
import type { Deps } from '#adapters/deps.ts';
import { syncPlannedDates } from './calendar-sync.ts';
import { invitationMail, latestLinks, sendReminder } from './invitation.ts';
import { retryPhase } from './lifecycle/failure.ts';
import { sendOnce } from './mail.ts';
import { parseOrThrow } from './validate.ts';
import { retriesOf } from './console.ts';

const DAY_MS = 86_400_000;

// ---- actions ---------------------------------------------------------------------------------

export const consoleActions = ['resend', 'remind', 'close', 'retry'] as const;
export type ConsoleAction = (typeof consoleActions)[number];

export interface ActionResult {
  /** false: the work was already done (a repeated or stale confirmation); nothing changed. */
  done: boolean;
  message: string;
}

const entry = (d: Deps, type: HistoryEntry['type'], actor: string, detail: string, state?: Dialogue['state']): HistoryEntry => ({
  at: d.clock.now().toISOString(),
  type,
  by: actor,
  detail,
  ...(state ? { state } : {}),
});

async function load(d: Deps, id: string): Promise<Dialogue> {
  const x = await d.dialogues.get(id);
  if (!x) throw new NotFoundError(`Det finns ingen dialog med id ${id}.`);
  return x;
}

/** The next resend number: each resend is its own mail step (`invitation-resend-<n>`), sent once. */
export const nextResend = (x: Dialogue): number => x.history.filter((h) => h.type === 'invitation_resent').length + 1;

const seqSchema = z.coerce.number({ message: 'Formuläret saknar löpnummer; öppna åtgärden igen.' }).check(z.int(), z.gte(1), z.lte(1000));

export async function resendInvitation(d: Deps, id: string, form: Record<string, string>, actor: string): Promise<ActionResult> {
  const { contactId, n } = parseOrThrow(
    z.object({ contactId: z.string().check(z.minLength(1), z.maxLength(100)), n: seqSchema }),
    form,
    'form',
  );
  const x = await load(d, id);
  const step = `invitation-resend-${n}`;
  if (x.history.some((h) => h.type === 'invitation_resent' && h.detail?.endsWith(`[${step}]`))) {
    return { done: false, message: 'Inbjudan hade redan skickats igen. Inget nytt mejl skickades.' };
  }
  if (x.state !== 'invited') throw new ConflictError('Inbjudan kan bara skickas igen medan dialogen väntar på svar.');
  if (n !== nextResend(x)) throw new ConflictError('Dialogen har ändrats sedan sidan öppnades. Öppna åtgärden igen.');
  const r = x.recipients.find((c) => c.contactId === contactId);
  if (!r) throw new ValidationError('Välj en av dialogens mottagare.');
  const organiser = await d.organisers.get(x.organiserId);
  if (!organiser) throw new NotFoundError(`Huvudmannen ${x.organiserId} finns inte.`);
  const invitation = latestLinks(await d.mailLog.list(id)).get(contactId);
  const answerBy = formatSwedishDate(
    x.dueAt ? new Date(x.dueAt) : new Date(d.clock.now().getTime() + d.settings.reminderAfterDays * DAY_MS),
  );
  await sendOnce(d, {
    dialogueId: id,
    step,
    contactId,
    email: r.email,
    link: invitation?.linkExpiresAt ? { expiresAt: invitation.linkExpiresAt } : undefined,
    withLink: true,
    linkValidUntil: answerPeriodEnd(x.reminders, d.clock.now(), d.settings),
    render: invitationMail(d, organiser, r, answerBy),
  });
  await d.dialogues.mutate(id, (cur) =>
    cur.history.some((h) => h.type === 'invitation_resent' && h.detail?.endsWith(`[${step}]`))
      ? undefined
      : {
          ...cur,
          updatedAt: d.clock.now().toISOString(),
          history: [...cur.history, entry(d, 'invitation_resent', actor, `Till ${r.name} <${r.email}> [${step}]`)],
        },
  );
  return { done: true, message: `Inbjudan skickades igen till ${r.name} (${r.email}).` };
}

export async function remindNow(d: Deps, id: string, form: Record<string, string>, actor: string): Promise<ActionResult> {
  const { n } = parseOrThrow(z.object({ n: seqSchema }), form, 'form');
  const x = await load(d, id);
  if (x.reminders >= n) return { done: false, message: `Påminnelse ${n} var redan skickad. Inget nytt mejl skickades.` };
  if (x.state !== 'invited') throw new ConflictError('En påminnelse kan bara skickas medan dialogen väntar på svar.');
  if (x.dueKind !== 'reminder') throw new ConflictError('Alla påminnelser har redan skickats; nästa steg är larmet till samordnaren.');
  if (n !== x.reminders + 1) throw new ConflictError('Dialogen har ändrats sedan sidan öppnades. Öppna åtgärden igen.');
  await sendReminder(d, id);
  await d.dialogues.mutate(id, (cur) =>
    cur.history.some((h) => h.type === 'reminder_requested' && h.detail === `Påminnelse ${n}`)
      ? undefined
      : { ...cur, history: [...cur.history, entry(d, 'reminder_requested', actor, `Påminnelse ${n}`)] },
  );
  return { done: true, message: `Påminnelse ${n} skickades till ${x.recipients.length} mottagare.` };
}

export async function closeDialogue(d: Deps, id: string, form: Record<string, string>, actor: string): Promise<ActionResult> {
  const { reason } = parseOrThrow(
    z.object({
      reason: z.string().check(z.trim(), z.minLength(1, 'Skriv varför dialogen avslutas.'), z.maxLength(500, 'Skriv högst 500 tecken.')),
    }),
    form,
    'form',
  );
  const before = await load(d, id);
  if (before.state === 'closed') return { done: false, message: 'Dialogen var redan avslutad.' };
  assertTransition(before.state, 'closed');
  const { dialogue, changed } = await d.dialogues.mutate(id, (x) => {
    if (x.state === 'closed') return undefined;
    assertTransition(x.state, 'closed');
    return {
      ...x,
      state: 'closed',
      dueAt: undefined,
      dueKind: undefined,
      updatedAt: d.clock.now().toISOString(),
      history: [...x.history, entry(d, 'closed', actor, reason, 'closed')],
    };
  });
  if (dialogue.waitToken) await d.workflow.completeWait(dialogue.waitToken, { outcome: 'closed' });
  await syncPlannedDates(d, id);
  return changed
    ? { done: true, message: 'Dialogen är avslutad. Inga fler påminnelser skickas.' }
    : { done: false, message: 'Dialogen var redan avslutad.' };
}

export async function retryDialogue(d: Deps, id: string, form: Record<string, string>, actor: string): Promise<ActionResult> {
  const { n } = parseOrThrow(z.object({ n: seqSchema }), form, 'form');
  const before = await load(d, id);
  if (retriesOf(before) >= n) return { done: false, message: `Försök ${n} var redan startat.` };
  if (before.state !== 'failed' && before.phase?.failure) {
    // A meeting phase's step failed (functions/use-cases/lifecycle.ts): a new round of that phase.
    if (n !== retriesOf(before) + 1) throw new ConflictError('Dialogen har ändrats sedan sidan öppnades. Öppna åtgärden igen.');
    const { changed } = await retryPhase(d, id, actor);
    return changed
      ? { done: true, message: `Försök ${n} startades. Mejl som redan gått ut skickas inte igen.` }
      : { done: false, message: `Försök ${n} var redan startat.` };
  }
  if (before.state !== 'failed') throw new ConflictError('Bara en dialog med fel kan startas om.');
  if (n !== retriesOf(before) + 1) throw new ConflictError('Dialogen har ändrats sedan sidan öppnades. Öppna åtgärden igen.');
  const { changed } = await d.dialogues.mutate(id, (x) => {
    if (x.state !== 'failed' || retriesOf(x) >= n) return undefined;
    assertTransition(x.state, 'created');
    return {
      ...x,
      state: 'created',
      error: undefined,
      waitToken: undefined,
      updatedAt: d.clock.now().toISOString(),
      history: [...x.history, entry(d, 'retried', actor, `Försök ${n}: ${x.error?.code ?? 'fel'}`, 'created')],
    };
  });
  if (!changed) return { done: false, message: `Försök ${n} var redan startat.` };
  try {
    await d.workflow.startInvitation(id, n);
  } catch (e) {
    await d.dialogues.mutate(id, (x) =>
      x.state !== 'created'
        ? undefined
        : {
            ...x,
            state: 'failed',
            error: { code: 'RetryNotStarted', message: (e as Error).message },
            history: [...x.history, entry(d, 'failed', 'system', `Försök ${n} kunde inte startas: ${(e as Error).message}`, 'failed')],
          },
    );
    throw new ConflictError('Arbetsflödet kunde inte startas. Försök igen om en stund.');
  }
  return { done: true, message: `Försök ${n} startades. Inbjudningar som redan gått ut skickas inte igen.` };
}

export const runAction: Record<ConsoleAction, (d: Deps, id: string, form: Record<string, string>, actor: string) => Promise<ActionResult>> =
  {
    resend: resendInvitation,
    remind: remindNow,
    close: closeDialogue,
    retry: retryDialogue,
  };
