/**
 * Sends one email per (dialogue, step, recipient), at most once. The slot is claimed with a
 * conditional write BEFORE the send, so no retry, redrive or restart can mail twice. A claim still
 * 'sending' after the lease (longer than any sending Lambda's timeout) belonged to an attempt that
 * died between claim and record (a refused send releases its claim at once): it may or may not have gone out, so it is marked 'unconfirmed'
 * and NOT re-sent — the dialogue's reminder reaches the recipient either way, and the coordinator
 * sees the mail's status.
 */
import type { MailRecord, OutgoingMail } from '#core/ports.ts';
import { addDays } from '#core/dialogue.ts';
import type { Deps } from '#adapters/deps.ts';
import { recordMetric } from '#adapters/observability.ts';
import type { RenderedEmail } from '#adapters/templates.ts';
import { TransientError } from '#adapters/transient.ts';
import { linkUrl } from './links.ts';
import { overviewLink } from './overview-link.ts';

/** Another attempt holds the send claim right now (a retry later finds it sent or unconfirmed). */
export class ClaimHeldError extends TransientError {}

export interface SendOnceInput {
  dialogueId: string;
  step: string;
  contactId: string;
  email: string;
  /**
   * Reuse the expiry of this recipient's earlier link (a reminder carries the invitation's link),
   * unless it would expire before `linkValidUntil` (or has expired): then the link gets a new expiry.
   */
  link?: { expiresAt: string };
  /** Create a new answer link for this mail, valid for the configured number of days. */
  withLink?: boolean;
  /** What the new link is for (the answer page dispatches on it); 'answer' by default. */
  linkStep?: string;
  /**
   * The link must be valid at least until then (a meeting's manage link until the meeting, a
   * reminder's until the answer period ends): a reminder never carries a dead link.
   */
  linkValidUntil?: Date;
  /** Whether the address is suppressed, when the caller looked it up with the others (suppressedAmong). */
  suppressed?: boolean;
  /** Give the mail the recipient's overview link ("Er kvalitetsdialog"; mails after the acceptance). */
  withOverview?: boolean;
  render(link: string | undefined, overview?: string): RenderedEmail & Pick<OutgoingMail, 'calendar'>;
}

export function messageId(d: Deps, dialogueId: string, step: string, contactId: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(d.env.MAIL_FROM)?.[1] ?? 'kvalitetsdialog.local';
  return `<${dialogueId}.${step}.${contactId}@${domain}>`;
}

export async function sendOnce(d: Deps, input: SendOnceInput): Promise<{ sent: boolean; record: MailRecord }> {
  const now = d.clock.now();
  const needed = Math.max(now.getTime() + 1, input.linkValidUntil?.getTime() ?? 0);
  const reusable = input.link && Date.parse(input.link.expiresAt) >= needed ? input.link : undefined;
  const validUntil = Math.max(addDays(now, d.settings.linkValidDays).getTime(), needed);
  const linkExpiresAt = input.link || input.withLink ? (reusable?.expiresAt ?? new Date(validUntil).toISOString()) : undefined;
  const suppressed = input.suppressed ?? (await d.suppressions.isSuppressed(input.email));
  const { record, fresh } = await d.mailLog.claim({
    dialogueId: input.dialogueId,
    step: input.step,
    contactId: input.contactId,
    email: input.email,
    // A suppressed address (bounced for good, or complained) is recorded, never mailed.
    status: suppressed ? 'suppressed' : 'sending',
    messageId: messageId(d, input.dialogueId, input.step, input.contactId),
    linkExpiresAt,
    claimedAt: now.toISOString(),
  });
  if (record.status !== 'sending') return { sent: false, record };
  if (!fresh) {
    if (now.getTime() - new Date(record.claimedAt).getTime() < d.sendLeaseMs) {
      // Another attempt may be sending right now; the workflow retries after a pause.
      throw new ClaimHeldError(`mail ${input.step} to ${input.contactId} is being sent by another attempt`);
    }
    // Counted by the one conditional write that moves the claim from sending to unconfirmed.
    if (await d.mailLog.markUnconfirmed(record, d.clock.now())) recordMetric('MailsUnconfirmed', 1);
    return { sent: false, record: { ...record, status: 'unconfirmed' } };
  }
  let providerMessageId: string;
  try {
    let url: string | undefined;
    if (record.linkExpiresAt) {
      const target = { dialogueId: input.dialogueId, step: input.linkStep ?? 'answer', contactId: input.contactId };
      url = await linkUrl(d, target, new Date(record.linkExpiresAt));
    }
    const overview = input.withOverview ? await overviewLink(d, input.dialogueId, input.contactId) : undefined;
    const rendered = input.render(url, overview);
    ({ providerMessageId } = await d.mailer.send({
      to: input.email,
      ...rendered,
      messageId: record.messageId,
      tags: { dialogue: input.dialogueId.replace(/[^A-Za-z0-9_-]/g, '_'), step: input.step.replace(/[^A-Za-z0-9_-]/g, '_') },
    }));
  } catch (e) {
    // Nothing went out (the render or SES refused): the slot is free again, so
    // the step's retry sends it rather than leaving it 'unconfirmed'.
    await d.mailLog.release(record);
    throw e;
  }
  await d.mailLog.markSent(record, providerMessageId, d.clock.now());
  return { sent: true, record: { ...record, status: 'sent', providerMessageId } };
}
