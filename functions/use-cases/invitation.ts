/**
 * The invitation phase's steps, as the workflow and the scheduler call them. Each step is
 * idempotent: it reads the dialogue, does only what is not yet done, and writes with a version check.
 */
import {
  answerPeriodEnd,
  assertTransition,
  type Dialogue,
  hasAccepted,
  isAnswered,
  nextTimerAfter,
  type Recipient,
} from '#core/dialogue.ts';
import { NotFoundError } from '#core/errors.ts';
import { resolveRecipients } from '#core/recipients.ts';
import { formatSwedishDate } from '#core/time.ts';
import type { Organiser } from '#core/organiser.ts';
import type { MailRecord } from '#core/ports.ts';
import { count } from '#core/swedish.ts';
import { clearConflictOfPastStep } from './conflicts.ts';
import type { Deps } from '#adapters/deps.ts';
import { recordMetric } from '#adapters/observability.ts';
import { isThrottle, noteCampaignThrottled } from './campaign-feedback.ts';
import { noteHandback } from './handback-digest.ts';
import { sendStep } from './mail.ts';

async function load(d: Deps, dialogueId: string): Promise<{ dialogue: Dialogue; organiser: Organiser }> {
  const dialogue = await d.dialogues.get(dialogueId);
  if (!dialogue) throw new NotFoundError(`No dialogue with id '${dialogueId}'`);
  const organiser = await d.organisers.get(dialogue.organiserId);
  if (!organiser) throw new NotFoundError(`Dialogue ${dialogueId} names organiser '${dialogue.organiserId}', which does not exist`);
  return { dialogue, organiser };
}

const clearTimer = (x: Dialogue): Dialogue => ({ ...x, dueAt: undefined, dueKind: undefined });

export async function resolveRecipientsStep(d: Deps, dialogueId: string): Promise<{ recipients: number }> {
  const { dialogue, organiser } = await load(d, dialogueId);
  const recipients = dialogue.state === 'created' ? resolveRecipients(organiser) : dialogue.recipients;
  await d.dialogues.mutate(
    dialogueId,
    (x) => {
      if (x.state !== 'created' || x.history.some((h) => h.type === 'recipients_resolved')) return undefined;
      const at = d.clock.now().toISOString();
      return {
        ...(x.dueKind === 'start' ? clearTimer(x) : x),
        recipients,
        updatedAt: at,
        history: [
          ...x.history,
          { at, type: 'recipients_resolved', detail: recipients.map((r) => `${r.name} (${basisText[r.basis]})`).join(', ') },
        ],
      };
    },
    dialogue,
  );
  return { recipients: recipients.length };
}

/** The Swedish invitation to one recipient; `link` is their answer link. */
export const invitationMail =
  (d: Deps, organiser: Pick<Organiser, 'name' | 'municipal'>, r: Pick<Recipient, 'name' | 'basis'>, answerBy: string) =>
  (link: string | undefined) =>
    d.templates.email('invitation', {
      recipientName: r.name,
      organiserName: organiser.name,
      boardWord: organiser.municipal ? 'nämnd' : 'styrelse',
      principalFallback: r.basis === 'principal_fallback',
      answerBy,
      link,
    });

const basisText: Record<Recipient['basis'], string> = {
  board: 'nämnd/styrelse',
  school_chief: 'skolchef',
  principal_fallback: 'rektor i stället för skolchef',
};

/**
 * Sends the invitations and waits for the answer (the `.waitForTaskToken` task of
 * workflows/invitation.ts): the task token is stored in the write that moves the dialogue to
 * invited, before anyone can answer. When that write was made already (a retried task, whose new
 * token replaces the stored one) or the dialogue moved on, the token is stored on its own unless
 * the outcome is decided; a decided outcome completes the wait at once.
 */
export async function sendInvitationsAndAwaitAnswerStep(d: Deps, dialogueId: string, taskToken: string): Promise<{ waiting: boolean }> {
  const { dialogue } = await sendInvitations(d, dialogueId, taskToken);
  return awaitAnswerStep(d, dialogueId, taskToken, dialogue);
}

/** Sends the invitations, on a definition from before the wait was folded into this step (awaitAnswerStep follows). */
export async function sendInvitationsStep(d: Deps, dialogueId: string): Promise<{ sent: number }> {
  return { sent: (await sendInvitations(d, dialogueId)).sent };
}

/** Mails the invitations and moves the dialogue to invited (with `taskToken` as its waitToken); returns the record as last read or written. */
async function sendInvitations(d: Deps, dialogueId: string, taskToken?: string): Promise<{ sent: number; dialogue: Dialogue }> {
  const dialogue = await d.dialogues.get(dialogueId);
  if (!dialogue) throw new NotFoundError(`No dialogue with id '${dialogueId}'`);
  if (dialogue.state !== 'created') return { sent: 0, dialogue };
  // The mail needs only the organiser's name and kind, which the dialogue keeps: no second read.
  const organiser = { name: dialogue.organiserName, municipal: dialogue.municipal };
  const answerBy = formatSwedishDate(new Date(d.clock.now().getTime() + d.settings.reminderAfterDays * 86_400_000));
  const results = await sendStep(
    d,
    dialogueId,
    'invitation',
    dialogue.recipients.map((r) => ({
      contactId: r.contactId,
      email: r.email,
      withLink: true,
      render: invitationMail(d, organiser, r, answerBy),
    })),
  ).catch(async (e: unknown) => {
    // The workflow retries this step with back-off; the campaign holds its next batches too.
    if (dialogue.campaignId && isThrottle(e)) await noteCampaignThrottled(d, dialogue.campaignId).catch(() => undefined);
    throw e;
  });
  const sent = results.filter((r) => r.sent).length;
  const unconfirmed = results.filter((r) => r.record.status === 'unconfirmed').map((r) => r.record.email);
  // An invitation sent despite a clash (the coordinator decided to keep it) is history now. Before
  // the write that stores the wait's token, so nothing after that write can fail the step (a retry
  // would void the token an answer may already be sent to).
  await clearConflictOfPastStep(d, dialogue, 'invitation');
  const now = d.clock.now();
  const timer = nextTimerAfter(0, now, d.settings);
  const { dialogue: written, changed } = await d.dialogues.mutate(
    dialogueId,
    (x) => {
      if (x.state !== 'created') return undefined;
      assertTransition(x.state, 'invited');
      const at = now.toISOString();
      return {
        ...x,
        ...(taskToken ? { waitToken: taskToken } : {}),
        state: 'invited',
        dueAt: timer.at.toISOString(),
        dueKind: timer.kind,
        updatedAt: at,
        history: [
          ...x.history,
          { at, type: 'invitation_sent', state: 'invited', detail: x.recipients.map((r) => r.email).join(', ') },
          ...(unconfirmed.length > 0
            ? [
                {
                  at,
                  type: 'mail_unconfirmed' as const,
                  detail: `Utskicket kunde inte bekräftas till ${unconfirmed.join(', ')}; påminnelsen går ut som vanligt`,
                },
              ]
            : []),
        ],
      };
    },
    dialogue,
  );
  // Counted by the one write that moves the dialogue to invited: a retried step changes nothing.
  if (changed) recordMetric('InvitationsSent', 1);
  return { sent, dialogue: written };
}

const answerDecided = (x: Dialogue): boolean => isAnswered(x) || x.state === 'failed' || x.state === 'closed';

/**
 * Registers the workflow's task token (no write when the record holds it or the outcome is decided);
 * if the answer came first, completes the wait at once. `known`: the record as the caller last read
 * or wrote it. On its own, the wait of a definition from before it was folded into
 * sendInvitationsAndAwaitAnswerStep.
 */
export async function awaitAnswerStep(d: Deps, dialogueId: string, taskToken: string, known?: Dialogue): Promise<{ waiting: boolean }> {
  const { dialogue } = await d.dialogues.mutate(
    dialogueId,
    (x) => (x.waitToken === taskToken || answerDecided(x) ? undefined : { ...x, waitToken: taskToken }),
    known,
  );
  if (answerDecided(dialogue)) {
    await d.workflow.completeWait(taskToken, { outcome: outcomeOf(dialogue) });
    return { waiting: false };
  }
  return { waiting: true };
}

export const outcomeOf = (x: Dialogue): string =>
  hasAccepted(x)
    ? 'accepted'
    : x.state === 'declined'
      ? 'declined'
      : x.state === 'no_answer'
        ? 'no_answer'
        : x.state === 'closed'
          ? 'closed'
          : 'failed';

/** Each recipient's answer mail (the invitation, a reminder or a resend) whose link lasts longest. */
export function latestLinks(mails: readonly MailRecord[]): Map<string, MailRecord> {
  const out = new Map<string, MailRecord>();
  for (const m of mails) {
    if (!m.linkExpiresAt || !/^(invitation|reminder-)/.test(m.step)) continue;
    const best = out.get(m.contactId);
    if (!best || (best.linkExpiresAt ?? '') < m.linkExpiresAt) out.set(m.contactId, m);
  }
  return out;
}

export async function sendReminder(d: Deps, dialogueId: string): Promise<void> {
  const { dialogue, organiser } = await load(d, dialogueId);
  if (dialogue.state !== 'invited' || dialogue.dueKind !== 'reminder') return;
  const n = dialogue.reminders + 1;
  const invitations = latestLinks(await d.mailLog.list(dialogueId));
  const invitedAt = dialogue.history.find((h) => h.type === 'invitation_sent')?.at ?? dialogue.createdAt;
  const now = d.clock.now();
  const timer = nextTimerAfter(n, now, d.settings);
  const answerBy = formatSwedishDate(timer.at);
  // A reminder that fires late (the link it reuses expired, or would before the period ends) gets a new link.
  const linkValidUntil = answerPeriodEnd(n, now, d.settings);
  await sendStep(
    d,
    dialogueId,
    `reminder-${n}`,
    dialogue.recipients.map((r) => {
      const inv = invitations.get(r.contactId);
      return {
        contactId: r.contactId,
        email: r.email,
        link: inv?.linkExpiresAt ? { expiresAt: inv.linkExpiresAt } : undefined,
        withLink: true,
        linkValidUntil,
        render: (link: string | undefined) =>
          d.templates.email('reminder', {
            recipientName: r.name,
            organiserName: organiser.name,
            invitedOn: formatSwedishDate(new Date(invitedAt)),
            answerBy,
            link,
          }),
      };
    }),
  );
  const { changed } = await d.dialogues.mutate(dialogueId, (x) => {
    if (x.state !== 'invited' || x.reminders >= n) return undefined;
    const at = now.toISOString();
    return {
      ...x,
      reminders: n,
      dueAt: timer.at.toISOString(),
      dueKind: timer.kind,
      updatedAt: at,
      history: [...x.history, { at, type: 'reminder_sent', detail: `Påminnelse ${n} till ${x.recipients.length} mottagare` }],
    };
  });
  // Counted by the one write that records reminder n: a repeated timer or request changes nothing.
  if (changed) recordMetric('RemindersSent', 1, { kind: 'invitation' });
}

/** Marks an unanswered dialogue `no_answer`, hands it back to the coordinator (the day's digest) and releases the waiting workflow. */
export async function escalate(d: Deps, dialogueId: string): Promise<void> {
  const { organiser } = await load(d, dialogueId);
  const now = d.clock.now();
  const { dialogue, changed } = await d.dialogues.mutate(dialogueId, (x) => {
    if (x.state !== 'invited') return undefined;
    assertTransition(x.state, 'no_answer');
    const at = now.toISOString();
    return {
      ...clearTimer(x),
      state: 'no_answer',
      updatedAt: at,
      history: [
        ...x.history,
        { at, type: 'escalated', state: 'no_answer', detail: `Inget svar efter ${count(x.reminders, 'påminnelse', 'påminnelser')}` },
      ],
    };
  });
  // Counted by the one write that moves the dialogue to no_answer: a second escalation changes nothing.
  if (changed) recordMetric('DialoguesEscalated', 1, { kind: 'invitation' });
  if (changed) recordMetric('AnswersRecorded', 1, { outcome: 'no_answer', legalForm: dialogue.legalForm });
  if (dialogue.state !== 'no_answer') return;
  // Each escalation (a dialogue invited again may go unanswered again) is one entry of its day's digest.
  const escalations = dialogue.history.filter((h) => h.type === 'escalated').length;
  await noteHandback(d, { ...dialogue, orgNumber: dialogue.orgNumber ?? organiser.orgNumber }, 'no_answer', `no_answer-${escalations}`);
  if (dialogue.waitToken) await d.workflow.completeWait(dialogue.waitToken, { outcome: 'no_answer' });
}

export async function markFailed(d: Deps, dialogueId: string, failure: { Error?: string; Cause?: string } | undefined): Promise<void> {
  const code = failure?.Error ?? 'UnknownError';
  let message = failure?.Cause ?? 'The workflow failed without a cause';
  try {
    const cause = JSON.parse(message) as { errorMessage?: string };
    if (cause.errorMessage) message = cause.errorMessage;
  } catch {
    // Cause was plain text.
  }
  const { dialogue, changed } = await d.dialogues.mutate(dialogueId, (x) => {
    if (x.state === 'failed' || x.state === 'closed' || isAnswered(x)) return undefined;
    const at = d.clock.now().toISOString();
    return {
      ...clearTimer(x),
      state: 'failed',
      error: { code, message },
      updatedAt: at,
      history: [...x.history, { at, type: 'failed', state: 'failed', detail: `${code}: ${message}` }],
    };
  });
  // Counted by the one write that records the failure: a retried task finds it failed already.
  if (changed) recordMetric('PhaseFailures', 1, { kind: 'invitation' });
  if (changed)
    await noteHandback(d, dialogue, 'failure', `failure-invitation-${dialogue.history.filter((h) => h.type === 'failed').length}`);
}
