/**
 * SES delivery events (played locally through POST /api/dev/ses-event, shaped as EventBridge
 * delivers them): bounces and complaints suppress the address, mark the contact, tell the
 * coordinator, and fall back to the rektor when the school chief's address bounced.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Harness, organiser } from '../support/local.ts';

let h: Harness;
beforeEach(async () => {
  h = new Harness();
  await h.start();
  await h.clearMailbox();
  await h.api(
    'POST',
    '/api/organisers',
    organiser({
      contacts: [
        { role: 'board', name: 'Nämnden', email: 'namnd@studs.example.se' },
        { role: 'school_chief', name: 'Skolchefen', email: 'chef@studs.example.se' },
        { role: 'principal', name: 'Rektor Rut', email: 'rut@studs.example.se' },
      ],
    }),
  );
});
afterEach(async () => {
  await h.close();
});

const sesEvent = (body: Record<string, unknown>) => h.api('POST', '/api/dev/ses-event', body);

describe('SES delivery events', () => {
  it('a permanent bounce of the school chief suppresses the address, alerts the coordinator and invites the rektor', async () => {
    const id = await h.invite('testkommun');
    expect(await h.mailTo('rut@studs.example.se')).toHaveLength(0);

    const r = await sesEvent({ dialogueId: id, email: 'chef@studs.example.se', type: 'bounce' });

    expect(r.status).toBe(200);
    expect(r.json.results).toEqual([{ recorded: true, suppressed: true, fallback: ['rut@studs.example.se'] }]);
    const invitation = (await h.mailTo('rut@studs.example.se'))[0];
    expect(invitation?.body.text).toContain('skickar därför inbjudan till er som rektor');
    const alert = (await h.mailTo('samordnare@skolverket.example.se')).find((m) => m.subject.includes('kom inte fram'));
    expect(alert?.body.text).toContain('Inbjudan har i stället skickats till rektor: rut@studs.example.se');
    const d = await h.dialogue(id);
    expect(d.recipients.map((x: { basis: string }) => x.basis)).toEqual(['board', 'school_chief', 'principal_fallback']);
    expect(d.mails.find((m: { email: string }) => m.email === 'chef@studs.example.se').delivery).toMatchObject({ outcome: 'bounced' });
    const o = await h.api('GET', '/api/organisers/testkommun');
    expect(o.json.contacts.find((c: { email: string }) => c.email === 'chef@studs.example.se').undeliverable).toMatchObject({
      reason: 'bounced',
    });

    // The rektor's link works; the suppressed address gets no reminder.
    await h.advance('P7DT1M');
    expect(await h.mailTo('chef@studs.example.se')).toHaveLength(1);
    expect(await h.mailTo('namnd@studs.example.se')).toHaveLength(2);
    expect(
      (await h.dialogue(id)).mails.find(
        (m: { step: string; email: string }) => m.step === 'reminder-1' && m.email === 'chef@studs.example.se',
      ).status,
    ).toBe('suppressed');
    const receipt = await h.page(h.linkIn(invitation!), { answer: 'accept' });
    expect(receipt.html).toContain('har tackat ja');
  });

  it('a repeated event changes nothing more; a transient bounce and a delivery only record the status', async () => {
    const id = await h.invite('testkommun');

    await sesEvent({ dialogueId: id, email: 'namnd@studs.example.se', type: 'delivery' });
    const transient = await sesEvent({ dialogueId: id, email: 'chef@studs.example.se', type: 'bounce', permanent: false });
    const complaint1 = await sesEvent({ dialogueId: id, email: 'namnd@studs.example.se', type: 'complaint' });
    const complaint2 = await sesEvent({ dialogueId: id, email: 'namnd@studs.example.se', type: 'complaint' });

    expect(transient.json.results).toEqual([{ recorded: true, suppressed: false, fallback: [] }]);
    expect(complaint1.json.results).toEqual([{ recorded: true, suppressed: true, fallback: [] }]);
    expect(complaint2.json.results).toEqual([{ recorded: false, suppressed: false, fallback: [] }]);
    const alerts = (await h.mailTo('samordnare@skolverket.example.se')).filter((m) => m.subject.includes('kom inte fram'));
    expect(alerts).toHaveLength(1);
    expect(await h.mailTo('rut@studs.example.se')).toHaveLength(0);
    const d = await h.dialogue(id);
    expect(d.history.filter((e: { type: string }) => e.type === 'mail_bounced')).toHaveLength(1);
  });

  it('a bounce storm over many dialogues is absorbed: each address suppressed once, every dialogue still answerable', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      await h.api(
        'POST',
        '/api/organisers',
        organiser({
          id: `storm-${i}`,
          orgNumber: `21200010${String(i).padStart(2, '0')}`,
          contacts: [
            { role: 'board', name: 'N', email: `board${i}@storm.example.se` },
            { role: 'school_chief', name: 'C', email: `chef${i}@storm.example.se` },
            { role: 'principal', name: 'R', email: `rektor${i}@storm.example.se` },
          ],
        }),
      );
      ids.push(await h.invite(`storm-${i}`));
    }

    const results = await Promise.all(
      ids.flatMap((id, i) => [
        sesEvent({ dialogueId: id, email: `chef${i}@storm.example.se`, type: 'bounce' }),
        sesEvent({ dialogueId: id, email: `chef${i}@storm.example.se`, type: 'bounce' }),
      ]),
    );

    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results.filter((r) => r.json.results[0].suppressed)).toHaveLength(12);
    for (let i = 0; i < 12; i++) expect(await h.mailTo(`rektor${i}@storm.example.se`)).toHaveLength(1);
    expect((await h.mailTo('samordnare@skolverket.example.se')).filter((m) => m.subject.includes('kom inte fram'))).toHaveLength(12);
  });

  it('rejects a malformed dev event with a readable 400', async () => {
    const r = await sesEvent({ email: 'x' });
    expect(r.status).toBe(400);
    expect(r.json.message).toContain('dialogueId');
  });
});

describe('personal data retention', () => {
  it('mail records and answer links expire; the dialogue record stays', async () => {
    const id = await h.invite('testkommun');
    for (const step of ['P7DT1M', 'P7DT1M', 'P7DT1M']) await h.advance(step);
    expect((await h.dialogue(id)).state).toBe('no_answer');
    expect((await h.dialogue(id)).mails).toHaveLength(6); // 3 × 2 to the organiser (the coordinator's digest is its own)

    await h.advance('P390D');
    expect((await h.dialogue(id)).mails.length).toBeGreaterThan(0);
    const later = await h.advance('P15D');

    expect(later.json.expired).toBeGreaterThan(0);
    const d = await h.dialogue(id);
    expect(d.mails).toEqual([]);
    expect(d.state).toBe('no_answer');
  });
});

describe('delivery status on the dialogue page', () => {
  it('shows what SES reported for each mail: a bounce, a suppressed reminder', async () => {
    // Prepare
    await h.api(
      'POST',
      '/api/organisers',
      organiser({
        id: 'studs-ab',
        orgNumber: '556000-7001',
        legalForm: 'aktiebolag',
        contacts: [{ role: 'board', name: 'Styrelsen', email: 'studs@studs-ab.example.se' }],
      }),
    );
    await h.clearMailbox();
    const id = await h.invite('studs-ab');
    await h.api('POST', '/api/dev/ses-event', { dialogueId: id, email: 'studs@studs-ab.example.se', type: 'bounce' });
    await h.advance('P7DT1M');
    const signIn = await fetch(`${h.runtime.urls.app}/console/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name: 'Sam Samordnare', token: h.runtime.tokens.coordinator }).toString(),
    });
    const cookie = signIn.headers.get('set-cookie')?.split(';')[0] ?? '';

    // Act
    const page = { html: await (await fetch(`${h.runtime.urls.app}/console/dialogues/${id}`, { headers: { cookie } })).text() };

    // Assess
    expect(page.html).toContain('Skickat, studsade (Permanent studs: smtp; 550 5.1.1 user unknown)');
    expect(page.html).toContain('Spärrad adress – ej skickat');
    expect(page.html).toContain('Mejl kom inte fram');
  });
});
