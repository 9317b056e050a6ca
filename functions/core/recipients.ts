/**
 * Who an invitation goes to: the board (nämnd/styrelse) and every school chief; the rektor(s)
 * instead of the school chief when no school-chief contact is known (or its address bounced).
 */
import type { Recipient } from './dialogue.ts';
import { NoRecipientsError } from './errors.ts';
import type { Organiser } from './organiser.ts';

export function resolveRecipients(organiser: Pick<Organiser, 'name' | 'contacts'>): Recipient[] {
  // A contact whose address SES reported undeliverable counts as unknown.
  const byRole = (role: Organiser['contacts'][number]['role']) => organiser.contacts.filter((c) => c.role === role && !c.undeliverable);
  const boards = byRole('board');
  const chiefs = byRole('school_chief');
  const leaders = chiefs.length > 0 ? chiefs : byRole('principal');
  const recipients: Recipient[] = [
    ...boards.map((c) => toRecipient(c, 'board' as const)),
    ...leaders.map((c) => toRecipient(c, chiefs.length > 0 ? ('school_chief' as const) : ('principal_fallback' as const))),
  ];
  // One person may hold two roles; they get one invitation.
  const unique = [...new Map(recipients.map((r) => [r.email.toLowerCase(), r])).values()];
  if (unique.length === 0) {
    throw new NoRecipientsError(
      `${organiser.name} has no board, school chief or rektor contact with an email address; add one before inviting`,
    );
  }
  return unique;
}

function toRecipient(c: Organiser['contacts'][number], basis: Recipient['basis']): Recipient {
  return { contactId: c.id, role: c.role, name: c.name, email: c.email, basis };
}
