/**
 * The coordinator corrects a contact whose mail did not arrive (the bounce mail links here): the
 * organiser's register gets the new address (the undeliverable mark goes), the dialogue's recipient
 * too, and a dialogue still waiting for its answer sends the invitation to the new address, once.
 * Later mail of the dialogue (reminders, offers, meetings) goes to the new address.
 */
import { createHash } from 'node:crypto';
import * as z from '#core/zod.ts';
import { oneLine } from '#core/fields.ts';
import type { Dialogue } from '#core/dialogue.ts';
import { ConflictError, NotFoundError, ValidationError } from '#core/errors.ts';
import type { Contact } from '#core/organiser.ts';
import { formatSwedishDate } from '#core/time.ts';
import type { Deps } from '#adapters/deps.ts';
import { invitationMail } from './invitation.ts';
import { sendOnce } from './mail.ts';
import { parseOrThrow } from './validate.ts';

export const contactCorrectionSchema = z.strictObject({
  email: z.pipe(
    z.email({ message: 'Skriv en giltig e-postadress, t.ex. namn@kommun.se.' }).check(z.maxLength(254, 'Adressen är för lång.')),
    z.transform((e) => e.trim().toLowerCase()),
  ),
  name: z.optional(
    z.pipe(
      z.string().check(z.trim(), z.maxLength(200, 'Skriv högst 200 tecken.'), oneLine('Namnet')),
      z.transform((s) => s || undefined),
    ),
  ),
});

export interface ContactCorrection {
  done: boolean;
  message: string;
  /** The invitation went to the new address (the dialogue waits for an answer). */
  invited: boolean;
}

/** The contact of the dialogue's organiser, as the correction page shows it. */
export async function contactOfDialogue(d: Deps, dialogueId: string, contactId: string): Promise<{ dialogue: Dialogue; contact: Contact }> {
  const dialogue = await d.dialogues.get(dialogueId);
  if (!dialogue) throw new NotFoundError(`Det finns ingen dialog med id ${dialogueId}.`);
  const organiser = await d.organisers.get(dialogue.organiserId);
  const contact = organiser?.contacts.find((c) => c.id === contactId);
  if (!contact) throw new NotFoundError('Huvudmannen har ingen sådan kontakt.');
  return { dialogue, contact };
}

const invitationStep = (email: string): string => `invitation-contact-${createHash('sha256').update(email).digest('hex').slice(0, 10)}`;

export async function correctContact(
  d: Deps,
  dialogueId: string,
  contactId: string,
  body: unknown,
  by: string,
): Promise<ContactCorrection> {
  const input = parseOrThrow(contactCorrectionSchema, body, 'form');
  const { dialogue, contact } = await contactOfDialogue(d, dialogueId, contactId);
  const organiser = await d.organisers.get(dialogue.organiserId);
  if (!organiser) throw new NotFoundError(`Huvudmannen ${dialogue.organiserId} finns inte.`);
  const same = contact.email.toLowerCase() === input.email;
  if (same && !contact.undeliverable) {
    return { done: false, message: `Kontakten har redan adressen ${input.email}.`, invited: false };
  }
  if (same || (await d.suppressions.isSuppressed(input.email))) {
    throw new ValidationError(`${input.email} är spärrad efter en studs eller ett klagomål. Ange en annan adress.`);
  }
  if (organiser.contacts.some((c) => c.id !== contactId && c.email.toLowerCase() === input.email && c.role === contact.role)) {
    throw new ConflictError(`Huvudmannen har redan en kontakt med adressen ${input.email} i samma roll.`);
  }
  const name = input.name ?? contact.name;
  const now = d.clock.now();
  await d.organisers.put({
    ...organiser,
    contacts: organiser.contacts.map((c) => (c.id === contactId ? { ...c, email: input.email, name, undeliverable: undefined } : c)),
    updatedAt: now.toISOString(),
  });
  const { dialogue: updated } = await d.dialogues.mutate(dialogueId, (x) => {
    const r = x.recipients.find((y) => y.contactId === contactId);
    if (r?.email.toLowerCase() === input.email) return undefined;
    return {
      ...x,
      recipients: x.recipients.map((y) => (y.contactId === contactId ? { ...y, email: input.email, name } : y)),
      updatedAt: now.toISOString(),
      history: [
        ...x.history,
        { at: now.toISOString(), type: 'contact_corrected', detail: `${name}: ${contact.email} → ${input.email}`, by },
      ],
    };
  });
  const recipient = updated.recipients.find((r) => r.contactId === contactId);
  if (updated.state !== 'invited' || !recipient) {
    return { done: true, message: `Adressen är rättad till ${input.email}. Dialogens kommande mejl går dit.`, invited: false };
  }
  const answerBy = formatSwedishDate(
    updated.dueAt ? new Date(updated.dueAt) : new Date(now.getTime() + d.settings.reminderAfterDays * 86_400_000),
  );
  const organiserView = { name: updated.organiserName, municipal: updated.municipal };
  await sendOnce(d, {
    dialogueId,
    step: invitationStep(input.email),
    contactId,
    email: input.email,
    withLink: true,
    render: invitationMail(d, organiserView, recipient, answerBy),
  });
  return { done: true, message: `Adressen är rättad till ${input.email} och inbjudan har skickats dit.`, invited: true };
}
