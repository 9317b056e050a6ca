/**
 * Correcting a contact whose mail did not arrive (templates/pages/console/contact.eta), where the
 * bounce mail leads: the contact, why its mail failed, and the new address (the invitation goes
 * there if the dialogue still waits for an answer).
 */
import { NotFoundError } from '#core/errors.ts';
import { formBody } from '../request.ts';
import { type HttpResult, html } from '../respond.ts';
import { contactOfDialogue, correctContact } from '#functions/use-cases/contacts.ts';
import { confirmed } from './confirm.ts';
import { type Ctx, layoutData, type Page, requireConsoleRole } from './frame.ts';
import { when } from './format.ts';

export const contactRoleLabels: Record<string, string> = { board: 'Nämnd/styrelse', school_chief: 'Skolchef', principal: 'Rektor' };
const undeliverableLabels: Record<string, string> = { bounced: 'studsade', complained: 'anmäldes som skräppost', rejected: 'avvisades' };

async function contactPage(c: Ctx, error?: string, form: Record<string, string> = {}): Promise<HttpResult> {
  requireConsoleRole(c, ['coordinator']);
  const id = c.event.pathParameters?.id ?? '';
  const contactId = form.contact ?? c.event.queryStringParameters?.contact ?? '';
  if (!contactId) throw new NotFoundError('Välj en kontakt på dialogens sida.');
  const { dialogue: x, contact } = await contactOfDialogue(c.d, id, contactId);
  return html(
    error ? 400 : 200,
    c.d.templates.consolePage('contact', {
      ...layoutData(c, `Rätta kontakt: ${x.organiserName}`, { dialogues: true }),
      id,
      organiserName: x.organiserName,
      contact: { ...contact, roleLabel: contactRoleLabels[contact.role] ?? contact.role },
      undeliverable: contact.undeliverable
        ? `Mejl till adressen ${undeliverableLabels[contact.undeliverable.reason] ?? contact.undeliverable.reason} ${when(contact.undeliverable.at)}; adressen är spärrad för fler utskick.`
        : undefined,
      invited: x.state === 'invited' && x.recipients.some((r) => r.contactId === contact.id),
      email: form.email ?? '',
      name: form.name ?? contact.name,
      error,
    }),
  );
}

const contactPost: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  const id = c.event.pathParameters?.id ?? '';
  const contactId = formBody(c.event).contact ?? '';
  return confirmed(
    c,
    'contact',
    (form, actor) => correctContact(c.d, id, contactId, { email: form.email, name: form.name }, actor),
    (message, form) => contactPage(c, message, form),
  );
};

export const contactRoutes: Record<string, Page> = {
  'GET /console/dialogues/{id}/contact': (c) => contactPage(c),
  'POST /console/dialogues/{id}/contact': contactPost,
};
