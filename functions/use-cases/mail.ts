/**
 * Sends a step's mails, one per (dialogue, step, recipient), each at most once. The step's slots
 * are claimed with one conditional write BEFORE the sends and recorded with one write after them,
 * so no retry, redrive or restart can mail twice. A claim still 'sending' after the lease (longer
 * than any sending Lambda's timeout) belonged to an attempt that died between claim and record: its
 * mail may or may not have gone out, so it is marked 'unconfirmed' and NOT re-sent — the dialogue's
 * reminder reaches the recipient either way, and the coordinator sees the mail's status. A refused
 * send releases its claim and those of the step's mails not yet tried at once, so the retry sends them.
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

/** One recipient's mail of a step. */
export interface StepMail {
  contactId: string;
  email: string;
  /**
   * Reuse the expiry of this recipient's earlier link (a reminder carries the invitation's link),
   * unless it would expire before `linkValidUntil` (or has expired): then the link gets a new expiry.
   */
  link?: { expiresAt: string };
  /** Give this mail a signed link, valid for the configured number of days. */
  withLink?: boolean;
  /** What the link is for (the answer page dispatches on it); 'answer' by default. */
  linkStep?: string;
  /**
   * The link must be valid at least until then (a meeting's manage link until the meeting, a
   * reminder's until the answer period ends): a reminder never carries a dead link.
   */
  linkValidUntil?: Date;
  /** Give the mail the recipient's overview link ("Er kvalitetsdialog"; mails after the acceptance). */
  withOverview?: boolean;
  render(link: string | undefined, overview?: string): RenderedEmail & Pick<OutgoingMail, 'calendar'>;
}

export interface SendOnceInput extends StepMail {
  dialogueId: string;
  step: string;
}

export interface MailResult {
  sent: boolean;
  record: MailRecord;
}

export function messageId(d: Deps, dialogueId: string, step: string, contactId: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(d.env.MAIL_FROM)?.[1] ?? 'kvalitetsdialog.local';
  return `<${dialogueId}.${step}.${contactId}@${domain}>`;
}

/** When the mail's link expires, if it carries one. */
function linkExpiry(d: Deps, m: StepMail, now: Date): string | undefined {
  if (!m.link && !m.withLink) return undefined;
  const needed = Math.max(now.getTime() + 1, m.linkValidUntil?.getTime() ?? 0);
  if (m.link && Date.parse(m.link.expiresAt) >= needed) return m.link.expiresAt;
  return new Date(Math.max(addDays(now, d.settings.linkValidDays).getTime(), needed)).toISOString();
}

async function send(d: Deps, m: StepMail, record: MailRecord): Promise<string> {
  const url = record.linkExpiresAt
    ? await linkUrl(
        d,
        { dialogueId: record.dialogueId, step: m.linkStep ?? 'answer', contactId: m.contactId },
        new Date(record.linkExpiresAt),
      )
    : undefined;
  const overview = m.withOverview ? await overviewLink(d, record.dialogueId, m.contactId) : undefined;
  const { providerMessageId } = await d.mailer.send({
    to: m.email,
    ...m.render(url, overview),
    messageId: messageId(d, record.dialogueId, record.step, record.contactId),
    tags: { dialogue: record.dialogueId.replace(/[^A-Za-z0-9_-]/g, '_'), step: record.step.replace(/[^A-Za-z0-9_-]/g, '_') },
  });
  return providerMessageId;
}

/**
 * Sends the step's mails (recipients already mailed, or claimed by an attempt that died, are
 * skipped); the results are in the order of `mails`. Suppressed addresses (bounced for good, or
 * complained) are recorded, never mailed: looked up together, in one request.
 */
export async function sendStep(d: Deps, dialogueId: string, step: string, all: readonly StepMail[]): Promise<MailResult[]> {
  // A recipient named twice gets one mail: the later mention finds it sent, as a second send would.
  const firsts = new Map(all.map((m, i) => [m.contactId, i] as const).reverse());
  const unique = [...firsts.values()].sort((a, b) => a - b).map((i) => all[i] as StepMail);
  const results = await sendUnique(d, dialogueId, step, unique);
  return all.map((m, i) => {
    const r = results[unique.findIndex((u) => u.contactId === m.contactId)] as MailResult;
    return firsts.get(m.contactId) === i ? r : { sent: false, record: r.record };
  });
}

async function sendUnique(d: Deps, dialogueId: string, step: string, mails: readonly StepMail[]): Promise<MailResult[]> {
  if (mails.length === 0) return [];
  const now = d.clock.now();
  const suppressed = await d.suppressions.suppressedAmong(mails.map((m) => m.email));
  const claims = await d.mailLog.claim(
    dialogueId,
    step,
    mails.map((m) => ({
      dialogueId,
      step,
      contactId: m.contactId,
      email: m.email,
      status: suppressed.has(m.email) ? 'suppressed' : 'sending',
      linkExpiresAt: linkExpiry(d, m, now),
      claimedAt: now.toISOString(),
    })),
  );
  const results: MailResult[] = claims.map(({ record }) => ({ sent: false, record }));
  const earlier = claims.filter((c) => !c.fresh && c.record.status === 'sending');
  // Another attempt may be sending these right now; the caller's retry comes after a pause.
  const held = earlier.filter((c) => now.getTime() - Date.parse(c.record.claimedAt) < d.sendLeaseMs);
  const stale = earlier.filter((c) => !held.includes(c)).map((c) => c.record);
  if (stale.length > 0) {
    // Counted by the conditional write that moves each claim from sending to unconfirmed.
    const moved = await d.mailLog.markUnconfirmed(stale, d.clock.now());
    if (moved > 0) recordMetric('MailsUnconfirmed', moved);
    for (const [i, c] of claims.entries())
      if (stale.includes(c.record)) results[i] = { sent: false, record: { ...c.record, status: 'unconfirmed' } };
  }
  const fresh = [...claims.keys()].filter((i) => claims[i]?.fresh && claims[i].record.status === 'sending');
  const sent: { record: MailRecord; providerMessageId: string }[] = [];
  for (const [k, i] of fresh.entries()) {
    const record = (claims[i] as { record: MailRecord }).record;
    let providerMessageId: string;
    try {
      providerMessageId = await send(d, mails[i] as StepMail, record);
    } catch (e) {
      // Nothing went out (the render or SES refused): this slot and those not tried yet are free
      // again, so the step's retry sends them rather than leaving them 'unconfirmed'.
      const released = fresh.slice(k).map((j) => (claims[j] as { record: MailRecord }).record);
      await d.mailLog.settle(dialogueId, step, { sent, released }, d.clock.now());
      throw e;
    }
    sent.push({ record, providerMessageId });
    results[i] = { sent: true, record: { ...record, status: 'sent', providerMessageId } };
  }
  await d.mailLog.settle(dialogueId, step, { sent, released: [] }, d.clock.now());
  if (held.length > 0) {
    throw new ClaimHeldError(`mail ${step} to ${held.map((c) => c.record.contactId).join(', ')} is being sent by another attempt`);
  }
  return results;
}

/** One recipient's mail of a step (sendStep with one mail). */
export async function sendOnce(d: Deps, input: SendOnceInput): Promise<MailResult> {
  const [result] = await sendStep(d, input.dialogueId, input.step, [input]);
  return result as MailResult;
}
