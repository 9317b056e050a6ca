/**
 * What coordinators and organisers read, checked on the embedded runtime: `waitingForAnswer` ends
 * with the wait (accept, decline, no answer, close), the invitation mail's HTML has the subject as
 * its <title>, the answer page says the decline reason is required when declining, the local dev
 * login refuses a post from another site, and the slot check takes the scheduling API's kind names
 * (and still the old ones).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleClient } from '../support/console.ts';
import { Harness, organiser } from '../support/local.ts';

const h = new Harness();
beforeAll(async () => {
  await h.start();
});
afterAll(async () => {
  await h.close();
});

const chiefOf = async (id: string): Promise<string> =>
  (await h.dialogue(id)).recipients.find((r: { basis: string }) => r.basis !== 'board').email;

describe('waitingForAnswer', () => {
  it('is true while invited and false once accepted, declined, unanswered or closed', async () => {
    // Prepare: four organisers, each invited and waiting
    const ids: string[] = [];
    for (let i = 1; i <= 4; i++) {
      const id = `vanta-${i}`;
      const contacts = [
        { role: 'board', name: 'Nämnden', email: `namnden@vanta${i}.example.se` },
        { role: 'school_chief', name: 'Skolchefen', email: `skolchef@vanta${i}.example.se` },
      ];
      const r = await h.api('POST', '/api/organisers', organiser({ id, orgNumber: `212000-50${i}0`, name: `Vänta ${i} kommun`, contacts }));
      expect(r.status).toBe(201);
      ids.push(await h.invite(id));
    }
    const [accepting, declining, silent, closing] = ids as [string, string, string, string];
    for (const id of ids) expect((await h.dialogue(id)).waitingForAnswer).toBe(true);
    const link = async (id: string) => h.linkIn((await h.mailTo(await chiefOf(id)))[0] as Parameters<typeof h.linkIn>[0]);

    // Act
    expect((await h.page(await link(accepting), { answer: 'accept' })).status).toBe(200);
    expect((await h.page(await link(declining), { answer: 'decline', reason: 'time' })).status).toBe(200);
    const console = await new ConsoleClient(h).login();
    const closed = await console.submit(`/console/dialogues/${closing}/close`, { reason: 'Huvudmannen har gått samman med en annan.' });
    expect(closed.location).toBe(`/console/dialogues/${closing}?klart=close`);
    // reminders after 7 and 14 days, the escalation a week after the last one
    for (const step of ['P8D', 'P7D', 'P7D']) expect((await h.advance(step)).status).toBe(200);

    // Assess
    const states = await Promise.all(ids.map((id) => h.dialogue(id)));
    expect(states.map((d) => d.state)).toEqual([expect.stringMatching(/^(accepted|intro_offered)$/), 'declined', 'no_answer', 'closed']);
    expect(states.map((d) => d.waitingForAnswer)).toEqual([false, false, false, false]);
    expect((await h.dialogue(silent)).history.find((x: { type: string }) => x.type === 'escalated').detail).toBe(
      'Inget svar efter 2 påminnelser',
    );
  });
});

describe('what organisers read', () => {
  it('gives the invitation mail a <title> and says the decline reason is required when declining', async () => {
    // Prepare
    const id = await h.invite('norrviks-kommun');
    const [mail] = await h.mailTo(await chiefOf(id));

    // Assess: the HTML document is titled with the subject
    expect(mail?.body.html).toContain(`<title>${mail?.subject}</title>`);
    expect(mail?.subject).toBe('Erbjudande om kvalitetsdialog för Norrviks kommun');

    // The page tells both ways how the reason works, and refuses a decline without one
    const link = h.linkIn(mail as Parameters<typeof h.linkIn>[0]);
    const page = await h.page(link);
    expect(page.html).toContain('obligatoriskt om ni tackar nej');
    expect(page.html).not.toContain('Fyll bara i');
    const refused = await h.page(link, { answer: 'decline' });
    expect(refused.html).toContain('Välj ett skäl till att ni tackar nej.');
    expect((await h.dialogue(id)).state).toBe('invited');
  });
});

describe('the local dev login', () => {
  const login = (headers: Record<string, string>) =>
    fetch(`${h.runtime.urls.app}/console/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({ name: 'Mallory', role: 'coordinator' }).toString(),
    });

  it('refuses a cross-site POST and signs in from its own page', async () => {
    // Act
    const forged = await login({ origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
    const otherPort = await login({ origin: 'http://127.0.0.1:1', 'sec-fetch-site': 'same-site' });
    const own = await login({ origin: h.runtime.urls.app, 'sec-fetch-site': 'same-origin' });

    // Assess
    for (const r of [forged, otherPort]) {
      expect(r.status).toBe(403);
      expect(r.headers.get('set-cookie')).toBeNull();
      expect(await r.text()).toContain('Inloggningen togs inte emot');
    }
    expect(own.status).toBe(303);
    expect(own.headers.get('set-cookie')).toMatch(/^kd_session=/);
  });
});

describe('POST /api/schedule/check', () => {
  it('takes the meeting kinds of the scheduling API, and the old rule names still work', async () => {
    // Prepare: a regular supervision of Solrosens förskola in ten days
    const org = (await h.api('GET', '/api/organisers/solrosens-forskola-ab')).json;
    const day = (n: number) => new Date(h.runtime.clock.now().getTime() + n * 86_400_000).toISOString().slice(0, 10);
    const at = (n: number) => `${day(n)}T09:00:00+01:00`;
    const put = await h.api(
      'PUT',
      '/api/inspections/SI-KINDS',
      { orgNumber: org.orgNumber, kind: 'regular_supervision', start: day(10), end: day(11) },
      h.runtime.tokens.inspectorate,
    );
    expect(put.status).toBe(201);
    const check = (kind: string, n: number) => h.api('POST', '/api/schedule/check', { organiserId: org.id, kind, start: at(n) });

    // Act + Assess: five days after the inspection a digital meeting is free, a physical one is not
    expect((await check('dialogue', 16)).json).toMatchObject({ ok: false, reasons: [{ rule: 'physical_meeting_near_inspection' }] });
    expect((await check('physical_meeting', 16)).json).toMatchObject({
      ok: false,
      reasons: [{ rule: 'physical_meeting_near_inspection' }],
    });
    for (const kind of ['intro', 'pre_meeting', 'feedback', 'follow_up', 'digital_meeting']) {
      expect((await check(kind, 16)).json).toEqual({ ok: true });
    }
    expect((await check('pre_meeting', 12)).json).toMatchObject({ ok: false, reasons: [{ rule: 'digital_meeting_near_inspection' }] });
    expect((await check('invitation', 10)).json).toMatchObject({ ok: false, reasons: [{ rule: 'invitation_during_inspection' }] });
    const bad = await check('meeting', 16);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('kind must be invitation or a meeting kind (intro, pre_meeting, dialogue, feedback, follow_up)');
  });
});
