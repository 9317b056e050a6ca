/**
 * The organiser's answer through a signed link. Viewing (GET) never changes anything; submitting
 * (POST) records the answer on the dialogue with a conditional write (the dialogue is the source
 * of truth, so a second answer finds it answered), then releases the waiting workflow. An
 * acceptance's write also begins the intro phase: its 'phase_start' timer is due at once, and the
 * scheduler's tick that fires it first tells the workflow if the answer has not reached it yet.
 */
import { type AnswerForm, answerFormSchema, assertTransition, type Dialogue, isAnswered } from '#core/dialogue.ts';
import type { AnswerLink } from '#core/ports.ts';
import { formatSwedishDate, formatSwedishDateTime } from '#core/time.ts';
import type { Deps } from '#adapters/deps.ts';
import { recordMetric } from '#adapters/observability.ts';
import { outcomeOf } from './invitation.ts';
import type { LinkProblem, Opened } from './links.ts';
import { beginIntroNow } from './lifecycle/phase.ts';

export type AnswerView =
  | { kind: 'problem'; problem: LinkProblem }
  | { kind: 'answered'; dialogue: Dialogue }
  | { kind: 'form'; dialogue: Dialogue; link: AnswerLink; error?: string; form?: Partial<Record<string, string>> }
  | { kind: 'receipt'; dialogue: Dialogue };

/**
 * How long the request that saved an answer has to tell the workflow before the scheduler does:
 * a decline's 'callback' timer is due after it, and an acceptance's due 'phase_start' waits for it.
 */
export const DELIVERY_GRACE_MS = 60_000;

/** The opened link, if it is an answer link. */
const answerLink = (opened: Opened): Opened => ('problem' in opened || opened.link.step === 'answer' ? opened : { problem: 'invalid' });

export function viewAnswer(link: Opened): AnswerView {
  const opened = answerLink(link);
  if ('problem' in opened) return { kind: 'problem', problem: opened.problem };
  if (opened.dialogue.state !== 'invited') return { kind: 'answered', dialogue: opened.dialogue };
  return { kind: 'form', dialogue: opened.dialogue, link: opened.link };
}

export async function submitAnswer(d: Deps, link: Opened, body: Record<string, string>): Promise<AnswerView> {
  const opened = answerLink(link);
  if ('problem' in opened) return { kind: 'problem', problem: opened.problem };
  if (opened.dialogue.state !== 'invited') return { kind: 'answered', dialogue: opened.dialogue };
  const parsed = answerFormSchema.safeParse(normaliseForm(body));
  if (!parsed.success) {
    return { kind: 'form', dialogue: opened.dialogue, link: opened.link, error: formError(body), form: body };
  }
  const form: AnswerForm = parsed.data;
  const now = d.clock.now();
  const at = now.toISOString();
  const outcome = form.answer === 'accept' ? 'accepted' : 'declined';
  const by = opened.link.contactId;
  const { dialogue, changed } = await d.dialogues.mutate(
    opened.dialogue.id,
    (x) => {
      if (x.state !== 'invited') return undefined;
      assertTransition(x.state, outcome);
      const answered: Dialogue = {
        ...x,
        state: outcome,
        answer: {
          outcome,
          reason: form.answer === 'decline' ? form.reason : undefined,
          comment: form.comment || undefined,
          answeredAt: at,
          answeredBy: by,
        },
        updatedAt: at,
        history: [
          ...x.history,
          {
            at,
            type: 'answered',
            state: outcome,
            by,
            detail: form.answer === 'decline' ? `Skäl: ${form.reason}` : undefined,
          },
        ],
      };
      // An acceptance begins the intro phase (its timer also retries telling the workflow); a
      // decline's 'callback' timer makes the scheduler retry until the workflow has been told.
      return outcome === 'accepted'
        ? beginIntroNow(d, answered)
        : { ...answered, dueAt: new Date(now.getTime() + DELIVERY_GRACE_MS).toISOString(), dueKind: 'callback' };
    },
    opened.dialogue,
  );
  if (!changed) return { kind: 'answered', dialogue };
  // Counted by the one write that records the answer: a second submit finds the dialogue answered.
  recordMetric('AnswersRecorded', 1, { outcome, legalForm: dialogue.legalForm });
  recordMetric('TimeToAnswer', secondsSinceInvitation(dialogue, now), { outcome });
  await deliverOutcome(d, dialogue);
  return { kind: 'receipt', dialogue };
}

/** Seconds from the dialogue's (first) invitation until `now`. */
const secondsSinceInvitation = (x: Dialogue, now: Date): number =>
  Math.max(0, Math.round((now.getTime() - Date.parse(x.history.find((h) => h.type === 'invitation_sent')?.at ?? x.createdAt)) / 1000));

/**
 * Tells the waiting workflow the outcome, then drops the spent token from the record (a token
 * registered meanwhile stays). The 'callback' timer (a decline's, or an acceptance saved before the
 * acceptance began the intro phase itself) is cleared in the same write once the outcome is
 * delivered or moot; such an acceptance's intro phase begins there, due at the next tick. Returns
 * false when the workflow could not be told (the timer stays; the scheduler tries again).
 */
export async function deliverOutcome(d: Deps, dialogue: Dialogue): Promise<boolean> {
  if (!isAnswered(dialogue)) return true;
  if (dialogue.waitToken) {
    try {
      const result = await d.workflow.completeWait(dialogue.waitToken, { outcome: outcomeOf(dialogue) });
      if (result === 'closed') {
        await d.dialogues.mutate(dialogue.id, (x) => ({
          ...x,
          history: [
            ...x.history,
            { at: d.clock.now().toISOString(), type: 'late_answer', detail: 'Arbetsflödet hade redan avslutats; svaret är sparat.' },
          ],
        }));
      }
    } catch {
      return false;
    }
  }
  // Without a token the workflow has not reached its wait yet; it sees the answer when it does.
  await d.dialogues.mutate(
    dialogue.id,
    (x) => {
      const waitToken = x.waitToken === dialogue.waitToken ? undefined : x.waitToken;
      if (x.dueKind === 'callback') {
        const next = x.state === 'accepted' && !x.phase ? beginIntroNow(d, x) : { ...x, dueAt: undefined, dueKind: undefined };
        return { ...next, waitToken };
      }
      return waitToken === x.waitToken ? undefined : { ...x, waitToken };
    },
    dialogue,
  );
  return true;
}

/**
 * An acceptance's due 'phase_start' timer on a record that still holds the invitation's task token:
 * the answer has not reached the workflow (its request died, or the call failed). The tick tells it
 * before the intro phase starts; within DELIVERY_GRACE_MS of the answer the request saving it may
 * still be telling the workflow, so the timer is left to the next tick. Returns whether the phase
 * may start now; a delivery that fails throws (the tick backs the timer off).
 */
export async function answerDeliveredBeforePhase(d: Deps, dialogue: Dialogue, now: Date): Promise<boolean> {
  if (!dialogue.waitToken || dialogue.state !== 'accepted') return true;
  const answeredAt = Date.parse(dialogue.answer?.answeredAt ?? '');
  if (now.getTime() - answeredAt < DELIVERY_GRACE_MS) return false;
  if (!(await deliverOutcome(d, dialogue))) throw new Error('the answer could not be delivered to the invitation workflow');
  return true;
}

function normaliseForm(body: Record<string, string>): Record<string, string | undefined> {
  return {
    answer: body.answer,
    reason: body.answer === 'decline' ? body.reason || undefined : undefined,
    comment: body.comment?.trim() ? body.comment : undefined,
  };
}

function formError(body: Record<string, string>): string {
  if (body.answer !== 'accept' && body.answer !== 'decline') return 'Välj om ni vill delta eller tacka nej.';
  if (body.answer === 'decline' && !['time', 'resources', 'other'].includes(body.reason ?? '')) {
    return 'Välj ett skäl till att ni tackar nej.';
  }
  if ((body.comment ?? '').length > 2000) return 'Kommentaren får vara högst 2000 tecken.';
  return 'Kontrollera svaret och försök igen.';
}

export const reasonTexts: Record<string, string> = {
  time: 'ni har inte tid just nu',
  resources: 'ni har inte resurser just nu',
  other: 'annat skäl',
};

export const formatAnswerBy = (d: Deps, dialogue: Dialogue): string => {
  const invitedAt = dialogue.history.find((h) => h.type === 'invitation_sent')?.at ?? dialogue.createdAt;
  return formatSwedishDate(new Date(new Date(invitedAt).getTime() + d.settings.reminderAfterDays * 86_400_000));
};
export { formatSwedishDateTime };
