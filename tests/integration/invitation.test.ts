/**
 * The invitation → answer slice end to end on the embedded runtime: real SDK clients against
 * dynalite, aws-ses-v2-local and the local Step Functions service running the CDK definitions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLinkToken } from '#core/link-token.ts';
import { Harness, organiser } from '../support/local.ts';

const h = new Harness();

beforeAll(async () => {
  await h.start();
});
afterAll(async () => {
  await h.close();
});

describe('invitation', () => {
  it('sends a Swedish invitation to the board and the school chief, with a working answer link', async () => {
    // Prepare
    expect((await h.api('POST', '/api/organisers', organiser({ id: 'accept-kommun', orgNumber: '212000-1001' }))).status).toBe(201);

    // Act
    const id = await h.invite('accept-kommun');

    // Assess
    const d = await h.dialogue(id);
    expect(d.state).toBe('invited');
    expect(d.recipients.map((r: { basis: string }) => r.basis)).toEqual(['board', 'school_chief']);
    const [mail] = await h.mailTo('skolchef@testvik.example.se');
    expect(mail?.subject).toBe('Erbjudande om kvalitetsdialog för Testviks kommun');
    expect(mail?.body.text).toContain('Hej Örjan Åström');
    expect(mail?.body.text).toContain('inte en granskning eller inspektion');
    expect(mail?.body.html).toContain('lang="sv"');
    expect(await h.mailTo('namnden@testvik.example.se')).toHaveLength(1);
    expect(d.mails).toHaveLength(2);
    expect(d.mails.every((m: { status: string }) => m.status === 'sent')).toBe(true);
  });

  it('records an acceptance from the link and completes the workflow', async () => {
    await h.api(
      'POST',
      '/api/organisers',
      organiser({
        id: 'yes-kommun',
        orgNumber: '212000-1002',
        contacts: [
          { role: 'board', name: 'Nämnden', email: 'ja@yes.example.se' },
          { role: 'school_chief', name: 'Chef', email: 'chef@yes.example.se' },
        ],
      }),
    );
    const id = await h.invite('yes-kommun');
    const link = h.linkIn((await h.mailTo('chef@yes.example.se'))[0]!);

    const form = await h.page(link);
    expect(form.status).toBe(200);
    expect(form.html).toContain('Vill ni delta i en kvalitetsdialog?');
    const receipt = await h.page(link, { answer: 'accept' });

    expect(receipt.status).toBe(200);
    expect(receipt.html).toContain('har tackat ja');
    const d = await h.dialogue(id);
    expect(d.state).toBe('accepted');
    expect(d.answer).toMatchObject({ outcome: 'accepted', answeredBy: 'school-chief-chef-yes-example-se' });
    const execution = await h.execution(id);
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.events.filter((e) => e.type === 'StateEntered').map((e) => e.state)).toEqual([
      'Resolve recipients',
      'Send invitations and await answer',
      'Route answer',
      'Accepted',
    ]);
  });

  it('records a decline with its reason and comment', async () => {
    await h.api(
      'POST',
      '/api/organisers',
      organiser({
        id: 'no-ab',
        orgNumber: '556000-1003',
        legalForm: 'aktiebolag',
        contacts: [{ role: 'board', name: 'Styrelsen', email: 'styrelsen@no.example.se' }],
      }),
    );
    const id = await h.invite('no-ab');
    const link = h.linkIn((await h.mailTo('styrelsen@no.example.se'))[0]!);

    const missingReason = await h.page(link, { answer: 'decline' });
    expect(missingReason.status).toBe(400);
    expect(missingReason.html).toContain('Välj ett skäl till att ni tackar nej.');
    expect((await h.dialogue(id)).state).toBe('invited');

    const receipt = await h.page(link, { answer: 'decline', reason: 'resources', comment: 'Vi återkommer nästa läsår.' });
    expect(receipt.html).toContain('har tackat nej');
    const d = await h.dialogue(id);
    expect(d.state).toBe('declined');
    expect(d.answer).toMatchObject({ outcome: 'declined', reason: 'resources', comment: 'Vi återkommer nästa läsår.' });
    expect((await h.execution(id)).events.at(-1)?.type).toBe('ExecutionSucceeded');
  });

  it('invites the rektor when no school chief is known, and fails clearly when nobody can be invited', async () => {
    await h.api(
      'POST',
      '/api/organisers',
      organiser({
        id: 'rektor-forening',
        orgNumber: '769000-1004',
        legalForm: 'ekonomisk_forening',
        contacts: [{ role: 'principal', name: 'Rektor Rut', email: 'rut@skola.example.se' }],
      }),
    );
    await h.api(
      'POST',
      '/api/organisers',
      organiser({ id: 'tom-stiftelse', orgNumber: '802000-1005', legalForm: 'stiftelse', contacts: [] }),
    );

    const withRektor = await h.invite('rektor-forening');
    const created = await h.api('POST', '/api/dialogues', { organiserId: 'tom-stiftelse' });
    await h.execution(created.json.id);

    expect((await h.dialogue(withRektor)).recipients).toEqual([
      expect.objectContaining({ email: 'rut@skola.example.se', basis: 'principal_fallback' }),
    ]);
    expect((await h.mailTo('rut@skola.example.se'))[0]?.body.text).toContain('skickar därför inbjudan till er som rektor');
    const failed = await h.dialogue(created.json.id);
    expect(failed.state).toBe('failed');
    expect(failed.error).toEqual({
      code: 'NoRecipientsError',
      message: expect.stringContaining('has no board, school chief or rektor contact'),
    });
  });

  it('sends reminders, then escalates to the coordinator and marks the dialogue no_answer', async () => {
    await h.api(
      'POST',
      '/api/organisers',
      organiser({
        id: 'tyst-kommun',
        name: 'Tysta kommun',
        orgNumber: '212000-1006',
        contacts: [{ role: 'board', name: 'Nämnden', email: 'tyst@tyst.example.se' }],
      }),
    );
    const id = await h.invite('tyst-kommun');

    await h.advance('P6D');
    expect(await h.mailTo('tyst@tyst.example.se')).toHaveLength(1);
    await h.advance('P1DT1M');
    expect((await h.mailTo('tyst@tyst.example.se')).map((m) => m.subject)).toEqual([
      'Erbjudande om kvalitetsdialog för Tysta kommun',
      'Påminnelse: erbjudande om kvalitetsdialog för Tysta kommun',
    ]);
    await h.advance('P7DT1M');
    await h.advance('P7DT1M');

    const d = await h.dialogue(id);
    expect(d.state).toBe('no_answer');
    expect(d.reminders).toBe(2);
    expect(await h.mailTo('tyst@tyst.example.se')).toHaveLength(3);
    // Handed back to the coordinator: no mail of its own, one line in the next morning's digest
    const alerts = async () => (await h.mailTo('samordnare@skolverket.example.se')).filter((m) => m.body.text?.includes('Tysta kommun'));
    expect(await alerts()).toEqual([]);
    await h.advance('P2D');
    expect((await alerts()).map((m) => m.subject)).toEqual([expect.stringMatching(/^Att hantera: \d+ dialog/)]);
    expect((await alerts())[0]?.body.text).toContain('- Tysta kommun (212000-1006): Inget svar på inbjudan');
    const execution = await h.execution(id);
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.events.filter((e) => e.type === 'StateEntered').at(-1)?.state).toBe('No answer');

    // A late answer is saved nowhere and changes nothing: the offer is closed.
    const late = await h.page(h.linkIn((await h.mailTo('tyst@tyst.example.se'))[0]!), { answer: 'accept' });
    expect(late.html).toContain('inte längre öppet');
    expect((await h.dialogue(id)).state).toBe('no_answer');
  });

  it('a reminder that fires after the invitation link expired carries a new link, valid for the answer period left', async () => {
    // Prepare: the runtime was down for two months (the timer fires late, the 60-day link is dead)
    await h.api(
      'POST',
      '/api/organisers',
      organiser({
        id: 'sov-kommun',
        name: 'Sovby kommun',
        orgNumber: '212000-1007',
        contacts: [{ role: 'board', name: 'Nämnden', email: 'n@sov.example.se' }],
      }),
    );
    const id = await h.invite('sov-kommun');
    const invitationLink = h.linkIn((await h.mailTo('n@sov.example.se'))[0]!);

    // Act
    await h.advance('P61D');

    // Assess
    const mails = await h.mailTo('n@sov.example.se');
    expect(mails.map((m) => m.subject)).toEqual([
      'Erbjudande om kvalitetsdialog för Sovby kommun',
      'Påminnelse: erbjudande om kvalitetsdialog för Sovby kommun',
    ]);
    const reminderLink = h.linkIn(mails[1]!);
    expect(reminderLink).not.toBe(invitationLink);
    expect((await h.page(invitationLink)).status).toBe(410);
    expect((await h.page(reminderLink)).status).toBe(200);
    // Valid at least until the escalation the remaining reminder and the wait after it lead to (7 + 7 days).
    const check = verifyLinkToken((await h.runtime.deps.secrets()).linkSigningKey, reminderLink.split('/r/')[1]!, h.runtime.clock.now());
    const expiresAt = check.ok ? check.expiresAt.getTime() : 0;
    expect(expiresAt).toBeGreaterThanOrEqual(h.runtime.clock.now().getTime() + 14 * 86_400_000);
    const answer = await h.page(reminderLink, { answer: 'accept' });
    expect(answer.html).toContain('Tack för ert svar');
    expect((await h.dialogue(id)).state).toBe('accepted');
  });

  it('an on-time reminder reuses the invitation link', async () => {
    await h.api(
      'POST',
      '/api/organisers',
      organiser({ id: 'vaken-kommun', orgNumber: '212000-1008', contacts: [{ role: 'board', name: 'N', email: 'n@vaken.example.se' }] }),
    );
    await h.invite('vaken-kommun');
    await h.advance('P7DT1M');
    const [invitation, reminder] = await h.mailTo('n@vaken.example.se');
    expect(h.linkIn(reminder!)).toBe(h.linkIn(invitation!));
  });
});
