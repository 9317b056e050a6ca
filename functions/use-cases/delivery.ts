/**
 * What happens when SES reports on a mail: the mail's status is recorded; a permanent bounce or a
 * complaint suppresses the address for good, marks the organiser's contact, tells the coordinator,
 * and — when the school chief's address bounced while the offer is still open — falls back to the
 * organiser's rektor(s), as the recipient rule does when no school chief is known.
 * Every effect is idempotent: EventBridge may deliver an event twice.
 */
import type { DeliveryEvent } from '#core/delivery.ts';
import type { Recipient } from '#core/dialogue.ts';
import { formatSwedishDate } from '#core/time.ts';
import { consoleLinks } from '#core/console-links.ts';
import type { Deps } from '#adapters/deps.ts';
import { recordMetric } from '#adapters/observability.ts';
import { invitationMail } from './invitation.ts';
import { ClaimHeldError, sendOnce, sendStep } from './mail.ts';

export interface DeliveryResult {
  recorded: boolean;
  suppressed: boolean;
  fallback: string[];
}

export async function recordDelivery(d: Deps, e: DeliveryEvent): Promise<DeliveryResult> {
  const result: DeliveryResult = { recorded: false, suppressed: false, fallback: [] };
  const email = e.email.toLowerCase();
  const record = (await d.mailLog.list(e.dialogueId)).find((m) => m.step === e.step && m.email.toLowerCase() === email);
  if (!record) return result;
  result.recorded = await d.mailLog.markDelivery(record, { outcome: e.outcome, at: e.at, detail: e.detail });
  // Counted by the one write that records the outcome on the mail: a redelivered event changes nothing.
  if (result.recorded && e.suppress) recordMetric(e.outcome === 'complained' ? 'MailsComplained' : 'MailsBounced', 1);
  if (!e.suppress) return result;
  result.suppressed = await d.suppressions.suppress(email, `${e.outcome}: ${e.detail}`, d.clock.now());

  const dialogue = await d.dialogues.get(e.dialogueId);
  if (!dialogue || record.contactId === 'coordinator') return result;
  const organiser = await d.organisers.get(dialogue.organiserId);
  if (organiser) {
    const contacts = organiser.contacts.map((c) =>
      c.email.toLowerCase() === email && !c.undeliverable ? { ...c, undeliverable: { reason: e.outcome, at: e.at } } : c,
    );
    if (contacts.some((c, i) => c !== organiser.contacts[i])) await d.organisers.put({ ...organiser, contacts });
  }
  const bounced = dialogue.recipients.find((r) => r.contactId === record.contactId);
  const now = d.clock.now().toISOString();
  await d.dialogues.mutate(dialogue.id, (x) =>
    x.history.some((h) => h.type === 'mail_bounced' && h.detail?.includes(email))
      ? undefined
      : { ...x, updatedAt: now, history: [...x.history, { at: now, type: 'mail_bounced', detail: `${email}: ${e.detail}` }] },
  );

  // Fall back to the rektor(s) when the school chief can no longer be reached and the offer is open.
  if (organiser && dialogue.state === 'invited' && bounced?.basis === 'school_chief') {
    const reachableChief = await someReachable(
      d,
      dialogue.recipients.filter((r) => r.basis === 'school_chief' && r.contactId !== bounced.contactId),
    );
    if (!reachableChief) {
      // Not filtered by who is already a recipient: a retried event must still send what the
      // first attempt added but could not send (the mail log makes the second send a no-op).
      const rektors = organiser.contacts.filter((c) => c.role === 'principal');
      const suppressed = await d.suppressions.suppressedAmong(rektors.map((c) => c.email));
      const principals: Recipient[] = rektors
        .filter((c) => !suppressed.has(c.email))
        .map((c) => ({ contactId: c.id, role: c.role, name: c.name, email: c.email, basis: 'principal_fallback' }));
      if (principals.length > 0) {
        const { dialogue: updated } = await d.dialogues.mutate(dialogue.id, (x) => {
          const fresh = principals.filter(
            (p) => !x.recipients.some((r) => r.contactId === p.contactId || r.email.toLowerCase() === p.email.toLowerCase()),
          );
          if (fresh.length === 0) return undefined;
          return {
            ...x,
            recipients: [...x.recipients, ...fresh],
            updatedAt: now,
            history: [
              ...x.history,
              {
                at: now,
                type: 'recipients_resolved',
                detail: `Skolchefens adress studsade; inbjudan går till ${fresh.map((p) => p.name).join(', ')} (rektor)`,
              },
            ],
          };
        });
        const answerBy = formatSwedishDate(new Date(Date.parse(now) + d.settings.reminderAfterDays * 86_400_000));
        // Only those who are fallback recipients now (a rektor who already had the mail in another role is not mailed twice).
        const fallback = updated.recipients.filter(
          (r) => r.basis === 'principal_fallback' && principals.some((p) => p.contactId === r.contactId),
        );
        const sent = await unlessHeld(
          sendStep(
            d,
            dialogue.id,
            'invitation',
            fallback.map((p) => ({
              contactId: p.contactId,
              email: p.email,
              withLink: true,
              render: invitationMail(d, organiser, p, answerBy),
            })),
          ),
        );
        result.fallback.push(...sent.filter((r) => r.sent).map((r) => r.record.email));
      }
    }
  }

  await unlessHeld(
    sendOnce(d, {
      dialogueId: dialogue.id,
      step: `undeliverable-${record.contactId}`,
      contactId: 'coordinator',
      email: d.env.COORDINATOR_EMAIL,
      render: () =>
        d.templates.email('undeliverable', {
          organiserName: dialogue.organiserName,
          email,
          detail: e.detail,
          roleText: bounced?.basis === 'board' ? 'nämnd/styrelse' : bounced?.basis === 'school_chief' ? 'skolchef' : 'rektor',
          fallback: result.fallback.join(', '),
          contactUrl: consoleLinks(d.env.PUBLIC_BASE_URL).contact(dialogue.id, record.contactId),
          dialogueUrl: consoleLinks(d.env.PUBLIC_BASE_URL).dialogue(dialogue.id),
        }),
    }),
  );
  return result;
}

async function someReachable(d: Deps, recipients: Recipient[]): Promise<boolean> {
  const suppressed = await d.suppressions.suppressedAmong(recipients.map((r) => r.email));
  return recipients.some((r) => !suppressed.has(r.email));
}

/** A concurrent copy of the same event already holds the send: that copy sends it. */
async function unlessHeld<T>(sending: Promise<T>): Promise<T | []> {
  try {
    return await sending;
  } catch (e) {
    if (e instanceof ClaimHeldError) return [];
    throw e;
  }
}
