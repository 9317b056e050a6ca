/**
 * Hand-backs a coordinator can act on, on the embedded runtime: offers nobody booked and
 * invitations nobody answered reach the coordinator as one digest a day (not one mail each),
 * linking to the console's list of them; acting on a selection from that list offers new times to
 * each dialogue once, even when the same form is posted twice or posted again after a failure
 * half-way; invited again, booked for the organiser, answered by phone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phaseExecutionName } from '#adapters/workflow-client.ts';
import { Harness, organiser } from '../support/local.ts';

const h = new Harness();
const COORDINATOR = 'samordnare@skolverket.example.se';
const BOOKING = ['ha', 'hb', 'hc', 'hd', 'he', 'hf', 'hg', 'hh'].map((n) => `tyst-${n}`);
const SILENT = ['tyst-na', 'tyst-nb'];
const board = (n: string) => `styrelsen@${n}.example.se`;
const ids = new Map<string, string>();
const id = (n: string) => ids.get(n) as string;

beforeAll(async () => {
  await h.start({ seed: false });
  for (const f of [
    { id: 'sv-eva', name: 'Eva Berg', agency: 'skolverket', office: 'Malmö', email: 'eva@skolverket.example.se' },
    { id: 'sv-finn', name: 'Finn Holm', agency: 'skolverket', office: 'Örebro', email: 'finn@skolverket.example.se' },
    { id: 'sp-gun', name: 'Gun Ås', agency: 'spsm', office: 'Malmö', email: 'gun@spsm.example.se' },
    { id: 'sp-hans', name: 'Hans Ström', agency: 'spsm', office: 'Örebro', email: 'hans@spsm.example.se' },
  ]) {
    expect((await h.api('POST', '/api/facilitators', f)).status).toBe(201);
  }
  for (const [i, n] of [...BOOKING, ...SILENT].entries()) {
    const o = organiser({
      id: n,
      orgNumber: `556300-${String(1000 + i)}`,
      // Same-name organisers, as in the national register: the org. number tells them apart.
      name: 'Skolan Tysta Vägen AB',
      legalForm: 'aktiebolag',
      countyCode: '12',
      contacts: [{ role: 'board', name: `Styrelsen ${n}`, email: board(n) }],
    });
    expect((await h.api('POST', '/api/organisers', o)).status).toBe(201);
    ids.set(n, await h.invite(n));
  }
  for (const n of BOOKING) expect((await h.page(await linkOf(n, 'Erbjudande'), { answer: 'accept' })).status).toBe(200);
  expect((await h.advance('PT10M')).status).toBe(200);
  await Promise.all(BOOKING.map((n) => waiting(id(n), 1)));
  // Nobody books, nobody answers: reminders, then the hand-backs (offers after 14 days, invitations after 21).
  for (let day = 0; day < 24; day += 8) expect((await h.advance('P8D')).status).toBe(200);
}, 120_000);
afterAll(async () => {
  await h.close();
});

const waiting = (dialogueId: string, round: number) =>
  h.runtime.sfn.waitForEvent(phaseExecutionName(dialogueId, 'intro', round), (e) => e.type === 'TaskWaiting');

async function linkOf(n: string, prefix: string): Promise<string> {
  const mail = (await h.mailTo(board(n))).filter((m) => m.subject.startsWith(prefix)).at(-1);
  if (!mail) throw new Error(`no mail "${prefix}…" to ${n}`);
  return h.linkIn(mail);
}

async function login(): Promise<string> {
  const r = await fetch(`${h.runtime.urls.app}/console/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ name: 'Sara Samordnare', token: h.runtime.tokens.coordinator }).toString(),
  });
  return r.headers.get('set-cookie')?.split(';')[0] as string;
}

/**
 * A console page as a signed-in coordinator. Each test signs in afresh (the tests move the clock
 * past a session's hours); a form's CSRF token belongs to the session that showed it.
 */
let cookie = '';
const console_ = async (path: string, form?: URLSearchParams) => {
  const r = await fetch(`${h.runtime.urls.app}${path}`, {
    method: form ? 'POST' : 'GET',
    redirect: 'manual',
    headers: { cookie, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    body: form?.toString(),
  });
  return { status: r.status, location: r.headers.get('location') ?? '', html: await r.text() };
};

const decode = (s: string) => s.replaceAll('&#x3D;', '=').replaceAll('&amp;', '&');
const hidden = (html: string, name: string) =>
  [...html.matchAll(new RegExp(`name="${name}" value="([^"]*)"`, 'g'))].map((m) => decode(m[1] ?? ''));

/** The selection posted from the list, then its confirmation posted as the page shows it. */
async function confirmed(action: string, names: string[], extra: Record<string, string> = {}) {
  cookie = await login();
  const list = await console_('/console?handback=alla&limit=100');
  const selection = new URLSearchParams({ csrf: hidden(list.html, 'csrf')[0] as string, step: 'confirm', action });
  for (const n of names) selection.append('dialogueIds', id(n));
  const confirm = await console_('/console/handbacks', selection);
  expect(confirm.status, confirm.html).toBe(200);
  const run = new URLSearchParams({ csrf: hidden(confirm.html, 'csrf')[0] as string, step: 'run', action, ...extra });
  run.set('formId', hidden(confirm.html, 'formId')[0] as string);
  for (const x of hidden(confirm.html, 'dialogueIds')) run.append('dialogueIds', x);
  return { confirm, run };
}

const offerMails = async (n: string) => (await h.mailTo(board(n))).filter((m) => m.subject.startsWith('Välj tid för introduktionsmöte'));

describe('hand-backs', () => {
  it('reach the coordinator as one digest a day, with org. numbers and a link to the list', async () => {
    // Act: the mornings after the hand-backs
    expect((await h.advance('P2D')).status).toBe(200);

    // Assess: no mail per dialogue; one digest per day that had hand-backs, naming every one
    const mails = await h.mailTo(COORDINATOR);
    expect(mails.every((m) => m.subject.startsWith('Att hantera: '))).toBe(true);
    expect(mails.length).toBeGreaterThanOrEqual(1);
    expect(mails.length).toBeLessThanOrEqual(3);
    const text = mails.map((m) => m.body.text).join('\n');
    for (const [i, n] of [...BOOKING, ...SILENT].entries()) {
      const what = SILENT.includes(n) ? 'Inget svar på inbjudan' : 'Ingen tid bokad (introduktionsmöte)';
      expect(text).toContain(`- Skolan Tysta Vägen AB (556300-${1000 + i}): ${what}`);
    }
    expect(mails[0]?.body.text).toContain(`${h.runtime.urls.app}/console?handback=alla`);
    // … and the list it links to holds them all, each with a box to select it
    cookie = await login();
    const list = await console_('/console?handback=alla&limit=100');
    expect(list.html.match(/name="dialogueIds" value="dlg-/g)).toHaveLength(BOOKING.length + SILENT.length);
    expect(list.html).toContain('556300-1009');
  });

  it('offers new times to each selected dialogue once, though the form is posted twice', async () => {
    // Prepare
    const chosen = BOOKING.slice(0, 4);
    const { confirm, run } = await confirmed('offer', [...chosen, SILENT[0] as string]);
    expect(confirm.html).toContain('åtgärden passar inte 1 av dem');

    // Act: the confirmation posted twice (a double click)
    const [first, second] = await Promise.all([console_('/console/handbacks', run), console_('/console/handbacks', run)]);
    await Promise.all(chosen.map((n) => waiting(id(n), 2)));
    const third = await console_('/console/handbacks', run);

    // Assess: both answer with the same result page; each dialogue has one new round and one new offer mail
    expect(first.status).toBe(303);
    expect(second.location).toBe(first.location);
    expect(third.location).toBe(first.location);
    const result = await console_(first.location);
    expect(result.html).toContain('4 utförda, 0 redan gjorda, 1 där åtgärden inte passar, 0 som inte gick.');
    for (const n of chosen) {
      const x = await h.dialogue(id(n));
      expect(x.phase).toMatchObject({ round: 2, offer: { no: 1, status: 'open' } });
      expect(x.history.filter((e: { type: string }) => e.type === 'handback_action')).toHaveLength(1);
      expect(await offerMails(n)).toHaveLength(2);
    }
    expect((await h.dialogue(id(SILENT[0] as string))).state).toBe('no_answer');
  });

  it('goes on where it stopped when the same form is posted again after a failure half-way', async () => {
    // Prepare: reading the third dialogue fails once
    const chosen = BOOKING.slice(4, 8);
    const { run } = await confirmed('offer', chosen);
    const dialogues = h.runtime.deps.dialogues;
    const get = dialogues.get.bind(dialogues);
    let failures = 0;
    dialogues.get = async (dialogueId) => {
      if (dialogueId === id(chosen[2] as string) && failures++ === 0) throw new Error('injected: DynamoDB went away');
      return get(dialogueId);
    };

    // Act
    const failed = await console_('/console/handbacks', run);
    const retried = await console_('/console/handbacks', run);
    dialogues.get = get;
    await Promise.all(chosen.map((n) => waiting(id(n), 2)));

    // Assess: the failed post changed the first two; posted again, it did the rest; nobody twice
    expect(failed.status).toBe(500);
    expect(failed.html).not.toContain('injected');
    expect(retried.status).toBe(303);
    const shown = (await console_(retried.location)).html;
    expect(shown.match(/role="status">[\s\S]*?<\/div>/)?.[0]).toContain('4 utförda');
    for (const n of chosen) {
      const x = await h.dialogue(id(n));
      expect(x.phase.round).toBe(2);
      expect(x.history.filter((e: { type: string }) => e.type === 'handback_action')).toHaveLength(1);
      expect(await offerMails(n)).toHaveLength(2);
    }
  });

  it('invites an unanswered organiser again, once', async () => {
    const { run } = await confirmed('reinvite', SILENT);
    const [first, second] = [await console_('/console/handbacks', run), await console_('/console/handbacks', run)];
    expect(second.location).toBe(first.location);
    for (const n of SILENT) {
      expect((await h.dialogue(id(n))).state).toBe('invited');
      const reminders = (await h.mailTo(board(n))).filter((m) => m.subject.startsWith('Påminnelse: erbjudande'));
      expect(reminders).toHaveLength(3);
    }
    // The same link answers: the organiser accepts, and the intro phase begins
    const [n] = SILENT as [string];
    expect((await h.page(await linkOf(n, 'Påminnelse: erbjudande'), { answer: 'accept' })).status).toBe(200);
    expect((await h.advance('PT10M')).status).toBe(200);
    await waiting(id(n), 1);
    expect((await h.dialogue(id(n))).state).toBe('intro_offered');
  });

  it('books the first free time for a handed-back organiser, and the calendar invitation goes out', async () => {
    // Prepare: the second offer goes unbooked too
    for (let day = 0; day < 16; day += 8) expect((await h.advance('P8D')).status).toBe(200);
    const [n] = BOOKING as [string];
    expect((await h.dialogue(id(n))).phase.offer.status).toBe('escalated');

    // Act
    const { run } = await confirmed('book', [n]);
    expect((await console_('/console/handbacks', run)).status).toBe(303);
    await h.runtime.sfn.waitForEvent(phaseExecutionName(id(n), 'intro', 3), (e) => e.type === 'ExecutionSucceeded');

    // Assess
    const x = await h.dialogue(id(n));
    expect(x.state).toBe('intro_booked');
    expect((await h.mailTo(board(n))).filter((m) => m.subject.startsWith('Kallelse: Introduktionsmöte'))).toHaveLength(1);
    expect(await offerMails(n)).toHaveLength(2);
  });
});
