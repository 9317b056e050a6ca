/**
 * Sends one email per (dialogue, step, recipient), at most once. The slot is claimed with a
 * conditional write BEFORE the send, so a retry never mails twice; a claim left 'sending' by a
 * crash is re-sent after a lease, with the same Message-ID so mail clients fold a rare duplicate.
 */
import { newLinkId, signLinkToken } from '#core/link-token.ts';
import type { MailRecord, OutgoingMail } from '#core/ports.ts';
import { addDays } from '#core/dialogue.ts';
import type { Deps } from '#adapters/deps.ts';
import type { RenderedEmail } from '#adapters/templates.ts';
import { TransientError } from '#adapters/transient.ts';

const SENDING_LEASE_MS = 5 * 60_000;

export interface SendOnceInput {
  dialogueId: string;
  step: string;
  contactId: string;
  email: string;
  /** Reuse this recipient's answer link (e.g. a reminder reuses the invitation's link). */
  link?: { linkId: string; expiresAt: string };
  /** Create a new answer link for this mail, valid for the configured number of days. */
  withLink?: boolean;
  render(link: string | undefined): RenderedEmail & Pick<OutgoingMail, 'calendar'>;
}

export function messageId(d: Deps, dialogueId: string, step: string, contactId: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(d.env.MAIL_FROM)?.[1] ?? 'kvalitetsdialog.local';
  return `<${dialogueId}.${step}.${contactId}@${domain}>`;
}

export async function sendOnce(d: Deps, input: SendOnceInput): Promise<{ sent: boolean; record: MailRecord }> {
  const now = d.clock.now();
  const link =
    input.link ?? (input.withLink ? { linkId: newLinkId(), expiresAt: addDays(now, d.settings.linkValidDays).toISOString() } : undefined);
  const { record, fresh } = await d.mailLog.claim({
    dialogueId: input.dialogueId,
    step: input.step,
    contactId: input.contactId,
    email: input.email,
    status: 'sending',
    messageId: messageId(d, input.dialogueId, input.step, input.contactId),
    linkId: link?.linkId,
    linkExpiresAt: link?.expiresAt,
    claimedAt: new Date().toISOString(),
  });
  if (record.status === 'sent') return { sent: false, record };
  if (!fresh && Date.now() - new Date(record.claimedAt).getTime() < SENDING_LEASE_MS) {
    // Another attempt holds the claim right now; let the workflow retry later.
    throw new TransientError(`mail ${input.step} to ${input.contactId} is being sent by another attempt`);
  }
  let url: string | undefined;
  if (record.linkId && record.linkExpiresAt) {
    await d.links.put({
      linkId: record.linkId,
      dialogueId: input.dialogueId,
      step: 'answer',
      contactId: input.contactId,
      expiresAt: record.linkExpiresAt,
    });
    const { linkSigningKey } = await d.secrets();
    url = `${d.env.PUBLIC_BASE_URL}/r/${signLinkToken(linkSigningKey, record.linkId, new Date(record.linkExpiresAt))}`;
  }
  const rendered = input.render(url);
  const { providerMessageId } = await d.mailer.send({
    to: input.email,
    ...rendered,
    messageId: record.messageId,
    tags: { dialogue: input.dialogueId.replace(/[^A-Za-z0-9_-]/g, '_'), step: input.step.replace(/[^A-Za-z0-9_-]/g, '_') },
  });
  await d.mailLog.markSent(record, providerMessageId, d.clock.now());
  return { sent: true, record: { ...record, status: 'sent', providerMessageId } };
}
