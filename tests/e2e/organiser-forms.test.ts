/**
 * Every form an organiser submits, in a real browser (Chromium via playwright-core) at 390 px,
 * with JavaScript on and off, from the links in the mail the local mailbox received: the answer
 * (accept and decline), pick a time, ask for other times, name participants, reschedule, cancel,
 * and stop after the introduction. Nothing here sets a header by hand: the posts carry what
 * Chromium sends. axe-core on every page; screenshots under test-results/screenshots.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phaseExecutionName } from '#adapters/workflow-client.ts';
import { addFacilitators } from '../support/facilitators.ts';
import { Harness, organiser } from '../support/local.ts';
import { launch, screenshot, seriousViolations } from './support.ts';

const WIDTH = 390;
const h = new Harness();
let browser: Browser;

beforeAll(async () => {
  [browser] = await Promise.all([launch(), h.start({ seed: false })]);
  await addFacilitators(h, ['sv-anna', 'sv-bo', 'sp-david', 'sp-eva']);
});
afterAll(async () => {
  await browser?.close();
  await h.close();
});

const board = (n: string) => `styrelsen@${n}.example.se`;
const chief = (n: string) => `chef@${n}.example.se`;

async function addOrganiser(n: string, orgNumber: string, countyCode = '12'): Promise<void> {
  const r = await h.api(
    'POST',
    '/api/organisers',
    organiser({
      id: n,
      orgNumber,
      name: `Skolan ${n} AB`,
      legalForm: 'aktiebolag',
      countyCode,
      contacts: [
        { role: 'board', name: `Styrelsen ${n}`, email: board(n) },
        { role: 'school_chief', name: 'Åsa Skolchef', email: chief(n) },
      ],
    }),
  );
  expect(r.status, r.text).toBe(201);
}

/** The newest mail to `address` whose subject starts with `prefix`, and its link. */
async function mailedLink(address: string, prefix: string): Promise<string> {
  const mail = (await h.mailTo(address)).filter((m) => m.subject.startsWith(prefix)).at(-1);
  if (!mail) throw new Error(`no mail "${prefix}…" to ${address}`);
  return h.linkIn(mail);
}

/** Resolves when the phase execution waits for a booking, the wait after event `afterId`. */
async function waiting(id: string, kind: string, round = 1, afterId = 0): Promise<number> {
  const e = await h.runtime.sfn.waitForEvent(phaseExecutionName(id, kind, round), (x) => x.type === 'TaskWaiting' && x.id > afterId);
  return e.id;
}

async function advancePast(iso: string): Promise<void> {
  const days = Math.max(1, Math.ceil((Date.parse(iso) - h.runtime.clock.now().getTime()) / 86_400_000) + 1);
  expect((await h.advance(`P${days}D`)).status).toBe(200);
}

/** Opens a mailed link as the person would; the page must fit the narrow screen and pass axe. */
async function open(context: BrowserContext, url: string, shot: string): Promise<Page> {
  const page = await context.newPage();
  const response = await page.goto(url);
  expect(response?.status()).toBe(200);
  await expectReadable(page, shot);
  return page;
}

/**
 * No sideways scrolling at 390 px, no serious axe findings; a screenshot. axe and the width check
 * need JavaScript, so a page from a context without it is checked as a copy in one with it.
 */
async function expectReadable(page: Page, shot: string): Promise<void> {
  await screenshot(page, shot);
  let checked = page;
  if (withoutScript.has(page.context())) {
    checked = await inspector();
    await checked.setContent(await page.content());
  }
  expect(await checked.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(WIDTH);
  expect(await seriousViolations(checked)).toEqual([]);
}

const withoutScript = new WeakSet<BrowserContext>();
let inspectorPage: Page | undefined;
async function inspector(): Promise<Page> {
  inspectorPage ??= await (await browser.newContext({ locale: 'sv-SE', viewport: { width: WIDTH, height: 844 } })).newPage();
  return inspectorPage;
}

/** Presses the button and waits for the page the POST returns; its status and what Chromium sent. */
async function submit(page: Page, button: string): Promise<{ status: number; sent: Record<string, string> }> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.getByRole('button', { name: button, exact: true }).click(),
  ]);
  await page.waitForLoadState('load');
  return { status: response.status(), sent: await response.request().allHeaders() };
}

/** Invites and accepts `n` (the answer form is tested above), and waits for its intro offer. */
async function offeredIntro(n: string): Promise<string> {
  const dialogueId = await h.invite(n);
  expect((await h.page(await mailedLink(board(n), 'Erbjudande'), { answer: 'accept' })).status).toBe(200);
  return dialogueId;
}

/** The dialogues holding a place in a group intro session. */
async function placesIn(sessionId: string): Promise<string[]> {
  const sessions = (await h.api('GET', '/api/intro-sessions?region=stockholm')).json.items as { id: string; dialogueIds: string[] }[];
  return sessions.find((x) => x.id === sessionId)?.dialogueIds ?? [];
}

const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();
const status = (page: Page) => page.getByRole('status').textContent();

describe.each([
  { js: true, mode: 'js', tag: 'a' },
  { js: false, mode: 'nojs', tag: 'b' },
])('organiser forms with JavaScript $js', ({ js, mode, tag }) => {
  const yes = `ja-${tag}`;
  const no = `nej-${tag}`;
  let context: BrowserContext;
  let id: string;

  beforeAll(async () => {
    context = await browser.newContext({ javaScriptEnabled: js, locale: 'sv-SE', viewport: { width: WIDTH, height: 844 } });
    if (!js) withoutScript.add(context);
    await addOrganiser(yes, `556100-00${tag === 'a' ? '11' : '21'}`);
    await addOrganiser(no, `556100-00${tag === 'a' ? '12' : '22'}`);
  });
  afterAll(() => context?.close());

  it('declines the invitation with a reason from the mailed link', async () => {
    // Prepare
    const dialogueId = await h.invite(no);
    const page = await open(context, await mailedLink(board(no), 'Erbjudande'), `answer-form-${mode}`);

    // Act: first without choosing, then the answer
    const empty = await submit(page, 'Skicka svar');
    expect(empty.status).toBe(400);
    expect(await page.getByRole('alert').textContent()).toContain('Svaret kunde inte skickas.');
    await expectReadable(page, `answer-form-error-${mode}`);
    await page.getByLabel('Nej, vi tackar nej').check();
    await page.getByLabel('Vi har inte tid just nu').check();
    await page.getByLabel('Kommentar (frivillig)').fill('Hör gärna av er till hösten – vi åker på skolresa.');
    const posted = await submit(page, 'Skicka svar');

    // Assess
    expect(posted.status).toBe(200);
    // The page's Referrer-Policy (same-origin) keeps the origin on its own post.
    expect(posted.sent['sec-fetch-site']).toBe('same-origin');
    expect(posted.sent.origin).toBe(new URL(h.runtime.urls.app).origin);
    expect(await heading(page)).toBe('Tack för ert svar');
    expect(await status(page)).toContain(`Skolan ${no} AB har tackat nej`);
    await expectReadable(page, `answer-declined-${mode}`);
    const d = await h.dialogue(dialogueId);
    expect(d.state).toBe('declined');
    expect(d.answer).toMatchObject({ outcome: 'declined', reason: 'time', comment: 'Hör gärna av er till hösten – vi åker på skolresa.' });
  });

  it('accepts the invitation from the mailed link', async () => {
    // Prepare
    id = await h.invite(yes);
    const page = await open(context, await mailedLink(chief(yes), 'Erbjudande'), `answer-form-accept-${mode}`);

    // Act
    await page.getByLabel('Ja, vi vill delta').check();
    const posted = await submit(page, 'Skicka svar');

    // Assess
    expect(posted.status).toBe(200);
    expect(await status(page)).toContain(`Skolan ${yes} AB har tackat ja`);
    await expectReadable(page, `answer-accepted-${mode}`);
    // The answer's own write began the intro phase, its start due at once
    const accepted = await h.dialogue(id);
    expect(accepted).toMatchObject({ state: 'accepted', phase: { kind: 'intro', round: 1 }, dueKind: 'phase_start' });
    expect(Date.parse(accepted.dueAt)).toBeLessThanOrEqual(h.runtime.clock.now().getTime());
    expect((await h.execution(id)).status).toBe('SUCCEEDED');
  });

  it('asks for other times, then books one of the new ones', async () => {
    // Prepare: the next tick (a minute on) starts the intro phase and mails the offer
    expect((await h.advance('PT1M')).status).toBe(200);
    const firstWait = await waiting(id, 'intro');
    const page = await open(context, await mailedLink(board(yes), 'Välj tid för introduktionsmöte'), `offer-${mode}`);
    const firstDays = (await h.dialogue(id)).phase.offer.offeredDays as string[];

    // Act: none of the times suits
    await page.getByLabel('Ingen av tiderna passar – skicka andra förslag').check();
    await page.getByLabel('Kommentar (frivillig)').fill('Vi kan bara på eftermiddagar.');
    const other = await submit(page, 'Skicka');

    // Assess
    expect(other.status).toBe(200);
    expect(await heading(page)).toBe('Vi skickar nya förslag');
    await expectReadable(page, `offer-other-times-${mode}`);
    await waiting(id, 'intro', 1, firstWait);
    const offered = await h.dialogue(id);
    expect(offered.phase.offer.no).toBe(2);
    for (const s of offered.phase.offer.slots) expect(firstDays).not.toContain(s.sessions[0].start.slice(0, 10));

    // Act: the new offer's link, the first time
    const next = await open(context, await mailedLink(chief(yes), 'Välj tid för introduktionsmöte'), `offer-2-${mode}`);
    await next.getByRole('radio').first().check();
    const booked = await submit(next, 'Skicka');

    // Assess
    expect(booked.status).toBe(200);
    expect(await heading(next)).toBe('Introduktionsmöte är bokat');
    await expectReadable(next, `offer-booked-${mode}`);
    expect((await h.dialogue(id)).state).toBe('intro_booked');
  });

  it('names the participants on the booked meeting’s page, after fixing a wrong role', async () => {
    // Prepare
    const page = await open(context, await mailedLink(board(yes), 'Kallelse: Introduktionsmöte'), `manage-${mode}`);
    const field = page.getByLabel('Vilka deltar?');

    // Act: a role the page does not know, then the fixed list
    await field.fill(`Per Ek; per@${yes}.example.se; kock`);
    const wrong = await submit(page, 'Spara deltagare');
    expect(wrong.status).toBe(400);
    expect(await page.getByRole('alert').textContent()).toContain('ange roll som ledamot, skolchef, rektor, lärare eller annan');
    expect(await page.getByLabel('Vilka deltar?').inputValue()).toBe(`Per Ek; per@${yes}.example.se; kock`);
    await expectReadable(page, `manage-error-${mode}`);
    await page.getByLabel('Vilka deltar?').fill(`Per Ek; per@${yes}.example.se; rektor\nLisa Öst; lisa@${yes}.example.se; lärare`);
    const saved = await submit(page, 'Spara deltagare');

    // Assess
    expect(saved.status).toBe(200);
    expect(await status(page)).toContain('Deltagarna är sparade (2)');
    await expectReadable(page, `manage-saved-${mode}`);
    expect((await h.mailTo(`lisa@${yes}.example.se`)).map((m) => m.subject)).toEqual([
      expect.stringMatching(/^Kallelse: Introduktionsmöte/),
    ]);
  });

  it('moves the meeting to another time', async () => {
    // Prepare
    const meetingId = (await h.dialogue(id)).phase.meetingId as string;
    const before = (await h.api('GET', `/api/meetings/${meetingId}`)).json;
    const page = await open(context, await mailedLink(board(yes), 'Kallelse: Introduktionsmöte'), `manage-reschedule-${mode}`);

    // Act
    await page.getByRole('group', { name: 'Boka om till en annan tid' }).getByRole('radio').first().check();
    const moved = await submit(page, 'Boka om');

    // Assess
    expect(moved.status).toBe(200);
    expect(await heading(page)).toBe('Introduktionsmöte är ombokat');
    await expectReadable(page, `manage-rescheduled-${mode}`);
    const after = (await h.api('GET', `/api/meetings/${meetingId}`)).json;
    expect(after.sequence).toBe(before.sequence + 1);
    expect(after.sessions[0].start).not.toBe(before.sessions[0].start);
    expect((await h.mailTo(board(yes))).filter((m) => m.subject.startsWith('Ny tid: Introduktionsmöte'))).toHaveLength(1);
  });

  it('cancels the meeting from the newest mail, and books a time from the next round', async () => {
    // Prepare
    const page = await open(context, await mailedLink(chief(yes), 'Ny tid: Introduktionsmöte'), `manage-cancel-${mode}`);

    // Act
    const cancelled = await submit(page, 'Avboka mötet');

    // Assess
    expect(cancelled.status).toBe(200);
    expect(await heading(page)).toBe('Introduktionsmöte är avbokat');
    await expectReadable(page, `manage-cancelled-${mode}`);
    expect((await h.mailTo(board(yes))).filter((m) => m.subject.startsWith('Inställt: Introduktionsmöte'))).toHaveLength(1);

    // Act: round 2 offers new times; the board books one
    await waiting(id, 'intro', 2);
    const offer = await open(context, await mailedLink(board(yes), 'Välj tid för introduktionsmöte'), `offer-round-2-${mode}`);
    await offer.getByRole('radio').first().check();
    const booked = await submit(offer, 'Skicka');

    // Assess
    expect(booked.status).toBe(200);
    expect(await heading(offer)).toBe('Introduktionsmöte är bokat');
    expect((await h.dialogue(id)).state).toBe('intro_booked');
  });

  it('stops after the introduction from the analysis-material mail', async () => {
    // Prepare: the intro is held with a document for every school form; the material mail carries the stop link
    await h.attachMaterial(id);
    await advancePast((await h.dialogue(id)).dueAt);
    await waiting(id, 'pre_meeting');
    const page = await open(context, await mailedLink(board(yes), 'Analysunderlag'), `stop-${mode}`);

    // Act
    const stopped = await submit(page, 'Vi avslutar efter introduktionen');

    // Assess
    expect(stopped.status).toBe(200);
    expect(await heading(page)).toBe('Tack för beskedet');
    await expectReadable(page, `stopped-${mode}`);
    expect((await h.dialogue(id)).state).toBe('stopped_after_intro');
  });

  it('leaves an intro meeting the coordinator booked for two organisers; the other keeps it', async () => {
    // Prepare: two accepted organisers, one meeting booked for both by the coordinator
    const [left, stays] = [`delad-${tag}1`, `delad-${tag}2`];
    await addOrganiser(left, `556100-01${tag === 'a' ? '11' : '21'}`);
    await addOrganiser(stays, `556100-01${tag === 'a' ? '12' : '22'}`);
    const ids = [await offeredIntro(left), await offeredIntro(stays)];
    expect((await h.advance('PT10M')).status).toBe(200);
    for (const dialogueId of ids) await waiting(dialogueId, 'intro');
    const [slot] = (await h.api('GET', `/api/slot-proposals?kind=intro&dialogueIds=${ids.join(',')}`)).json.items;
    const meeting = await h.api('POST', '/api/meetings', {
      dialogueIds: ids,
      kind: 'intro',
      sessions: slot.sessions,
      pair: slot.pair,
      videoLink: 'https://video.example.se/gemensam-intro',
    });
    expect(meeting.status, meeting.text).toBe(201);
    const page = await open(context, await mailedLink(board(left), 'Kallelse: Introduktionsmöte'), `manage-shared-${mode}`);
    expect(await page.getByRole('button', { name: 'Boka om' }).count()).toBe(0);

    // Act
    const posted = await submit(page, 'Lämna mötet');

    // Assess
    expect(posted.status).toBe(200);
    expect(await heading(page)).toBe('Ni har lämnat introduktionsmöte');
    await expectReadable(page, `manage-shared-left-${mode}`);
    expect((await h.api('GET', `/api/meetings/${meeting.json.id}`)).json).toMatchObject({ status: 'booked', dialogueIds: [ids[1]] });
    await waiting(ids[0] as string, 'intro', 2);
    expect((await h.dialogue(ids[0] as string)).state).toBe('intro_offered');
  });

  it('takes a place in a group intro session, then gives it up for new proposals', async () => {
    // Prepare: a group session in the organiser's region before its intro phase starts
    const n = `grupp-${tag}`;
    await addOrganiser(n, `556100-02${tag === 'a' ? '11' : '21'}`, '01');
    const dialogueId = await offeredIntro(n);
    const [slot] = (await h.api('GET', `/api/slot-proposals?kind=intro&organiserId=${n}`)).json.items;
    const session = await h.api('POST', '/api/intro-sessions', {
      region: (await h.api('GET', `/api/organisers/${n}`)).json.region,
      start: slot.sessions[0].start,
      minutes: 90,
      videoLink: `https://video.example.se/grupp-${tag}`,
      capacity: 8,
      audience: 'private',
      pair: slot.pair,
    });
    expect(session.status, session.text).toBe(201);
    expect((await h.advance('PT10M')).status).toBe(200);
    await waiting(dialogueId, 'intro');
    const offer = await open(context, await mailedLink(board(n), 'Välj tid för introduktionsmöte'), `offer-group-${mode}`);
    expect(await offer.getByText('tillsammans med några andra huvudmän').count()).toBe(1);

    // Act: the place
    await offer.getByRole('radio').first().check();
    const booked = await submit(offer, 'Skicka');

    // Assess
    expect(booked.status).toBe(200);
    expect(await heading(offer)).toBe('Introduktionsmöte är bokat');
    expect(await placesIn(session.json.id)).toContain(dialogueId);

    // Act: give the place up from the booking mail
    const manage = await open(context, await mailedLink(board(n), 'Kallelse: Introduktionsmöte'), `manage-group-${mode}`);
    const given = await submit(manage, 'Avboka och få nya förslag');

    // Assess
    expect(given.status).toBe(200);
    expect(await heading(manage)).toBe('Introduktionsmöte är avbokat');
    expect(await placesIn(session.json.id)).not.toContain(dialogueId);
    await waiting(dialogueId, 'intro', 2);
  });
});
