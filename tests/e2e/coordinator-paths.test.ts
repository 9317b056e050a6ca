/**
 * A coordinator follows the links in the service's mails in real Chromium, signs in on the way,
 * and acts on the console page each link opens: decides "reschedule" on a clash (the organiser
 * receives new times), books a meeting or sends new times after a hand-over, corrects a bounced
 * address, completes the analysis material or sends it anyway, registers a dialogue meeting's notes
 * and changes the school holidays. Every form is submitted by the browser itself; axe-core checks
 * every page; screenshots under test-results/screenshots.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stockholmDay } from '#core/inspection.ts';
import {
  acceptedWithIntroOffer,
  addOrganiser,
  advancePast,
  boardOf,
  bookFromLink,
  chiefOf,
  digestRow,
  driveThrough,
  pastTheDigest,
  latest,
  waitingForBooking,
} from '../support/drive.ts';
import { addFacilitators, testFacilitators } from '../support/facilitators.ts';
import { Harness } from '../support/local.ts';
import { launch, screenshot, seriousViolations } from './support.ts';

const h = new Harness();
let browser: Browser;
let context: BrowserContext;
let page: Page;
const COORDINATOR = 'samordnare@skolverket.example.se';
const linkIn = (text: string | undefined, pattern: RegExp): string => {
  const m = pattern.exec(text ?? '');
  if (!m) throw new Error(`no link ${pattern} in: ${text}`);
  return m[0];
};

beforeAll(async () => {
  [browser] = await Promise.all([launch(), h.start()]);
  await addFacilitators(h, ['sv-anna', 'sv-bo', 'sp-david', 'sp-eva']);
  context = await browser.newContext({ locale: 'sv-SE' });
  page = await context.newPage();
});
afterAll(async () => {
  await browser?.close();
  await h.close();
});

/** Opens a mailed console link; signs in on the login page it leads to when the session is missing or has run out. */
async function follow(url: string): Promise<void> {
  await page.goto(url);
  if (new URL(page.url()).pathname === '/console/login') {
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('Ditt namn').fill('Sara Samordnare');
    await page.getByLabel('Samordnare', { exact: true }).check();
    await page.getByRole('button', { name: 'Logga in' }).click();
    await page.waitForURL((u) => u.pathname === new URL(url).pathname);
  }
  expect(await seriousViolations(page)).toEqual([]);
}

const flash = () => page.getByRole('status').first().textContent();

describe('from a clash mail to new times for the organiser', () => {
  it('follows the clash mail, decides "reschedule", and the organiser receives new clash-free times', async () => {
    // Prepare: a booked intro, then an inspection on its day
    const orgNumber = await addOrganiser(h, 'krockskolan');
    const id = await acceptedWithIntroOffer(h, 'krockskolan');
    await bookFromLink(h, h.linkIn(await latest(h, boardOf('krockskolan'), 'Välj tid för introduktionsmöte')));
    const meetingId = (await h.dialogue(id)).phase.meetingId;
    const day = stockholmDay(new Date((await h.api('GET', `/api/meetings/${meetingId}`)).json.sessions[0].start));
    const put = await h.api(
      'PUT',
      '/api/inspections/SI-E2E',
      { orgNumber, kind: 'targeted_supervision', start: day, end: day },
      h.runtime.tokens.inspectorate,
    );
    expect(put.json.flaggedDialogues).toBe(1);
    const mail = await latest(h, COORDINATOR, 'Krock med Skolinspektionen: Skolan krockskolan AB');

    // Act: the link in the mail, the sign-in on the way, the decision
    await follow(linkIn(mail.body.html, /http:\/\/[^"]+\/console\/dialogues\/[^"]+\/conflict/));
    expect(await page.getByRole('heading', { name: 'Krock med Skolinspektionens kalender' }).count()).toBe(1);
    expect(await page.getByRole('table', { name: 'Inspektioner som steget krockar med' }).getByText('Riktad tillsyn').count()).toBe(1);
    await screenshot(page, 'conflict-decision');
    await page.getByLabel(/Boka om: erbjud huvudmannen nya tider/).check();
    await page.getByLabel(/Kommentar/).fill('Huvudmannen granskas den veckan.');
    await page.getByRole('button', { name: 'Spara beslutet' }).click();
    await page.waitForURL((u) => u.pathname === `/console/dialogues/${id}`);
    await waitingForBooking(h, id, 'intro', 2);

    // Assess: the console says what happened; the flag is gone; the organiser has new times
    expect(await flash()).toContain('nya förslag på tider utan krock har skickats');
    expect(await page.getByRole('heading', { name: 'Krock med Skolinspektionens kalender' }).count()).toBe(0);
    expect(await page.getByRole('table', { name: 'Historik' }).getByText('Beslut om krock med inspektion').count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'conflict-decided');
    const offers = (await h.mailTo(boardOf('krockskolan'))).filter((m) => m.subject.startsWith('Välj tid för introduktionsmöte'));
    expect(offers).toHaveLength(2);
    const offer = await context.newPage();
    await offer.goto(h.linkIn(offers[1] as (typeof offers)[number]));
    const times = await offer.getByRole('radio').allTextContents();
    expect((await offer.getByRole('radio').count()) > 0).toBe(true);
    expect(times.join(' ')).not.toContain(day);
    for (const slot of (await h.dialogue(id)).phase.offer.slots) expect(stockholmDay(new Date(slot.sessions[0].start))).not.toBe(day);
    await offer.close();
  });
});

describe('after a hand-over', () => {
  it("books a time for the organiser from the day's digest", async () => {
    // Prepare
    await addOrganiser(h, 'overlamnad');
    const id = await acceptedWithIntroOffer(h, 'overlamnad');
    for (const step of ['P8D', 'P8D']) expect((await h.advance(step)).status).toBe(200);
    await pastTheDigest(h);
    const row = await digestRow(h, COORDINATOR, 'Skolan overlamnad AB');

    // Act
    await follow(linkIn(row, /http:\/\/\S+\/book/));
    await screenshot(page, 'book-for-organiser');
    await page.locator('input[name=choice]').first().check();
    await page.getByLabel(/Länk till det digitala mötet/).fill('https://video.example.se/overlamnad');
    await page.getByRole('button', { name: 'Boka tiden' }).click();
    await page.waitForURL((u) => u.pathname === `/console/dialogues/${id}`);

    // Assess
    expect(await flash()).toContain('Mötet är bokat.');
    expect((await h.dialogue(id)).state).toBe('intro_booked');
    expect((await latest(h, boardOf('overlamnad'), 'Kallelse: Introduktionsmöte')).body.text).toContain(
      'https://video.example.se/overlamnad',
    );
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('or sends the organiser new times from the same page', async () => {
    // Prepare
    await addOrganiser(h, 'nyatider');
    const id = await acceptedWithIntroOffer(h, 'nyatider');
    for (const step of ['P8D', 'P8D']) expect((await h.advance(step)).status).toBe(200);
    await pastTheDigest(h);
    const row = await digestRow(h, COORDINATOR, 'Skolan nyatider AB');

    // Act
    await follow(linkIn(row, /http:\/\/\S+\/book/));
    await page.getByRole('button', { name: 'Skicka nya förslag' }).click();
    await page.waitForURL((u) => u.pathname === `/console/dialogues/${id}`);
    await waitingForBooking(h, id, 'intro', 2);

    // Assess
    expect(await flash()).toContain('Nya förslag på tider skickas');
    expect((await h.mailTo(boardOf('nyatider'))).filter((m) => m.subject.startsWith('Välj tid för introduktionsmöte'))).toHaveLength(2);
  });
});

describe('after a bounce', () => {
  it('corrects the address from the bounce mail, and the invitation goes there', async () => {
    // Prepare
    await addOrganiser(h, 'studsen');
    const id = await h.invite('studsen');
    await h.api('POST', '/api/dev/ses-event', { dialogueId: id, email: chiefOf('studsen'), type: 'bounce' });
    const mail = await latest(h, COORDINATOR, `Mejlet till ${chiefOf('studsen')}`);

    // Act
    await follow(linkIn(mail.body.text, /http:\/\/\S+\/contact\?contact=\S+/));
    await screenshot(page, 'contact-correction');
    await page.getByLabel('Ny e-postadress').fill('ny.chef@studsen.example.se');
    await page.getByRole('button', { name: 'Spara adressen' }).click();
    await page.waitForURL((u) => u.pathname === `/console/dialogues/${id}`);

    // Assess
    expect(await flash()).toContain('Kontaktuppgiften är rättad.');
    expect(await page.getByRole('table', { name: 'Kontakter' }).getByText('ny.chef@studsen.example.se').count()).toBe(1);
    expect((await h.mailTo('ny.chef@studsen.example.se')).map((m) => m.subject)).toEqual([
      'Erbjudande om kvalitetsdialog för Skolan studsen AB',
    ]);
    expect(await seriousViolations(page)).toEqual([]);
  });
});

describe('the analysis material', () => {
  it('adds a document and then sends the material anyway, from the digest\'s "material missing" row', async () => {
    // Prepare: the intro is held without documents
    await addOrganiser(h, 'materialet');
    const id = await acceptedWithIntroOffer(h, 'materialet');
    await bookFromLink(h, h.linkIn(await latest(h, boardOf('materialet'), 'Välj tid för introduktionsmöte')));
    await advancePast(h, [(await h.dialogue(id)).dueAt]);
    await pastTheDigest(h);
    const row = await digestRow(h, COORDINATOR, 'Skolan materialet AB');

    // Act: one document
    await follow(linkIn(row, /http:\/\/\S+\/material/));
    await screenshot(page, 'material');
    await page.getByLabel('Skolform', { exact: true }).selectOption('grundskola');
    await page.getByLabel('Dokumentets namn').fill('Analys grundskola');
    await page.getByLabel(/Länk till dokumentet/).fill('https://underlag.example.se/grundskola.pdf');
    await page.getByRole('button', { name: 'Lägg till dokumentet' }).click();
    await page.waitForURL((u) => u.pathname === `/console/dialogues/${id}`);
    expect(await flash()).toContain('Dokumentet är tillagt');
    expect(await seriousViolations(page)).toEqual([]);

    // Act: the decision
    await page.getByRole('link', { name: /skicka underlaget ändå/ }).click();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('Varför skickas underlaget ändå?').fill('Förskolans underlag kommer senare.');
    await page.getByRole('button', { name: 'Skicka underlaget ändå' }).click();
    await page.waitForURL((u) => u.pathname === `/console/dialogues/${id}`);
    await waitingForBooking(h, id, 'pre_meeting');

    // Assess
    expect(await flash()).toContain('Beslutet är sparat');
    expect((await latest(h, boardOf('materialet'), 'Analysunderlag för kvalitetsdialogen')).body.text).toContain('Analys grundskola');
  });
});

describe('the notes of a dialogue meeting', () => {
  it('registers the notes from the pair’s reminder, and the dialogue page shows them', async () => {
    // Prepare
    await addOrganiser(h, 'noterna');
    const id = await acceptedWithIntroOffer(h, 'noterna');
    await driveThrough(h, 'noterna', id, 'dialogue');
    const pair = (await h.dialogue(id)).pair as { skolverket: keyof typeof testFacilitators };
    const mail = await latest(h, testFacilitators[pair.skolverket].email, 'Dags att registrera: minnesanteckningar');

    // Act
    await follow(linkIn(mail.body.text, /http:\/\/\S+\/notes/));
    await screenshot(page, 'notes');
    await page.getByLabel('Vad diskuterades?').fill('Huvudmannens arbete med uppföljning av resultat i grundskolan.');
    await page.getByLabel('Skolchef').check();
    await page.getByLabel('Rektor').check();
    await page.getByRole('button', { name: 'Registrera anteckningarna' }).click();
    await page.waitForURL((u) => u.pathname === `/console/dialogues/${id}`);

    // Assess
    expect(await flash()).toContain('Minnesanteckningarna är registrerade.');
    expect(await page.getByRole('heading', { name: 'Minnesanteckningar' }).count()).toBe(1);
    expect(await page.getByText('Huvudmannens arbete med uppföljning av resultat i grundskolan.').count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'notes-shown');
    await waitingForBooking(h, id, 'feedback');
  });
});

describe('school holidays', () => {
  it('adds a holiday for a year and resets the year to the default weeks', async () => {
    // Act
    const year = h.runtime.clock.now().getUTCFullYear() + 1;
    await follow(`${h.runtime.urls.app}/console/school-holidays?year=${year}`);
    await screenshot(page, 'school-holidays');
    await page.getByLabel('Nytt lov', { exact: true }).fill('studiedag');
    await page.getByLabel('Nytt lov, från').fill(`${year}-03-16`);
    await page.getByLabel('Nytt lov, till').fill(`${year}-03-16`);
    await page.getByRole('button', { name: 'Spara skolloven' }).click();
    await page.waitForURL((u) => u.searchParams.get('klart') === 'sparat');

    // Assess
    expect(await flash()).toContain('Skolloven är sparade.');
    expect(await page.getByRole('rowheader', { name: 'studiedag' }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);

    // Act: back to the defaults
    await page.getByRole('button', { name: `Återställ standardveckorna för ${year}` }).click();
    await page.waitForURL((u) => u.searchParams.get('klart') === 'aterstallt');
    expect(await flash()).toContain('Standardveckorna gäller igen');
    expect(await page.getByRole('rowheader', { name: 'studiedag' }).count()).toBe(0);
  });
});
