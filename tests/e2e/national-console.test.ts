/**
 * The console at national size, in Chromium: the generated population of 2,806 organisers (428
 * names shared among them). Every list shows the formatted org. number, so same-name organisers
 * can be told apart; the national campaign draft shows its progress while it is made and the
 * launch page estimates the sending time; and the hand-backs of the day, reached from the
 * coordinator's digest, are acted on with every form the console has for them (a selection,
 * a reason, a registered answer, a chosen time). axe on each page.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phaseExecutionName } from '#adapters/workflow-client.ts';
import { formatOrgNumber, organiserInputSchema, toOrganiser } from '#core/organiser.ts';
import { generatePopulation } from '#core/population.ts';
import { addFacilitators } from '../support/facilitators.ts';
import { Harness } from '../support/local.ts';
import { launch, screenshot, seriousViolations } from './support.ts';

const h = new Harness();
let browser: Browser;
const COORDINATOR = 'samordnare@skolverket.example.se';
const population = generatePopulation({ organisers: 2806, seed: 42 });
/** Five organisers that share one name (with contacts, so they can be invited). */
const namesakes = (() => {
  const byName = new Map<string, typeof population>();
  for (const o of population) if ((o.contacts ?? []).length > 0) byName.set(o.name, [...(byName.get(o.name) ?? []), o]);
  return [...byName.values()].find((group) => group.length >= 5)?.slice(0, 5) ?? [];
})();
const ids: string[] = [];
const orgNumberOf = (i: number) => formatOrgNumber(namesakes[i]?.orgNumber.replace('-', ''));
const boardOf = (i: number) => namesakes[i]?.contacts?.find((c) => c.role === 'board')?.email ?? namesakes[i]?.contacts?.[0]?.email ?? '';

beforeAll(async () => {
  [browser] = await Promise.all([launch(), h.start({ seed: false })]);
  const now = h.runtime.clock.now();
  const organisers = population.map((o) => toOrganiser(organiserInputSchema.parse(o), now));
  for (let i = 0; i < organisers.length; i += 100) {
    await Promise.all(organisers.slice(i, i + 100).map((o) => h.runtime.deps.organisers.put(o)));
  }
  await addFacilitators(h, ['sv-anna', 'sp-david']);
  for (const o of namesakes) ids.push(await h.invite(o.id as string));
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await h.close();
});

async function login(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${h.runtime.urls.app}/console/login`);
  await page.getByLabel('Ditt namn').fill('Anna Andersson');
  await page.getByLabel('Samordnare', { exact: true }).check();
  await Promise.all([page.waitForURL(/\/console$/), page.getByRole('button', { name: 'Logga in' }).click()]);
  return page;
}

/** The org. numbers in a table's column headed "Organisationsnummer", row by row. */
async function orgNumbersIn(page: Page, table: string | RegExp): Promise<string[]> {
  const t = page.getByRole('table', { name: typeof table === 'string' ? new RegExp(table) : table });
  const headers = await t.getByRole('columnheader').allTextContents();
  const column = headers.indexOf('Organisationsnummer');
  expect(column, `${table}: ${headers.join(' | ')}`).toBeGreaterThan(0);
  const rows = await t.locator('tbody tr').all();
  return Promise.all(rows.map(async (r) => ((await r.locator('td, th').nth(column).textContent()) ?? '').trim()));
}

async function go(page: Page, link: string, url: RegExp): Promise<void> {
  await Promise.all([page.waitForURL(url), page.getByRole('link', { name: link, exact: true }).first().click()]);
}

async function submit(page: Page, button: string | RegExp, url: RegExp): Promise<void> {
  await Promise.all([page.waitForURL(url), page.getByRole('button', { name: button }).click()]);
  expect(await seriousViolations(page)).toEqual([]);
}

describe('the console at 2,806 organisers', () => {
  let context: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    expect(namesakes).toHaveLength(5);
    context = await browser.newContext({ locale: 'sv-SE' });
    page = await login(context);
  });
  afterAll(() => context.close());

  it('lists the dialogues of same-name organisers each with its own org. number', async () => {
    const numbers = await orgNumbersIn(page, 'dialoger');
    expect(numbers.toSorted()).toEqual(namesakes.map((_, i) => orgNumberOf(i)).toSorted());
    for (const n of numbers) expect(n).toMatch(/^\d{6}-\d{4}$/);
    expect(await page.getByRole('link', { name: namesakes[0]?.name }).count()).toBe(5);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'national-dialogues');
  });

  it('lists every organiser on the start page with its org. number', async () => {
    await go(page, 'Starta dialoger', /\/console\/start$/);
    const numbers = await orgNumbersIn(page, 'Huvudmän');
    expect(numbers).toHaveLength(50);
    for (const n of numbers) expect(n).toMatch(/^\d{6}-\d{4}$/);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('shows the org. numbers of ongoing dialogues on the inspectorate page', async () => {
    await go(page, 'Inspektionen', /\/console\/inspection$/);
    const numbers = await orgNumbersIn(page, /^Pågående dialoger$/);
    expect(new Set(numbers).size).toBe(5);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('shows the national draft being made, its recipients with org. numbers, and estimates the sending', async () => {
    // Act: a campaign over the whole register
    await go(page, 'Kampanjer', /\/console\/campaigns$/);
    await go(page, 'Ny kampanj', /\/console\/campaigns\/new$/);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('Namn på kampanjen').fill('Hela landet');
    // What the form page shows while the post runs (a test-only observer reports each change of the
    // progress text; the page is still the form's until the answer replaces it).
    const seen: string[] = [];
    await page.exposeFunction('__progress', (text: string) => seen.push(text));
    await page.addInitScript(`document.addEventListener('DOMContentLoaded', () => {
      const el = document.getElementById('skapar-text');
      if (el) new MutationObserver(() => window.__progress(el.textContent ?? '')).observe(el, { childList: true, characterData: true, subtree: true });
    });`);
    await page.reload();
    await page.getByLabel('Namn på kampanjen').fill('Hela landet');
    await Promise.all([
      page.waitForURL(/\/console\/campaigns\/cmp-/, { timeout: 60_000 }),
      page.getByRole('button', { name: 'Förhandsgranska' }).click(),
    ]);

    // Assess: the page showed the organisers checked as the preview went, growing
    const checked = seen.flatMap((t) => /^Granskar urvalet: ([\d\s]+) huvudmän$/.exec(t)?.[1]?.replace(/\s/g, '') ?? []).map(Number);
    expect(checked.length).toBeGreaterThan(0);
    expect(checked).toEqual(checked.toSorted((a, b) => a - b));
    await screenshot(page, 'national-campaign-preview');

    // Assess: the preview lists the recipients with their org. numbers
    const numbers = await orgNumbersIn(page, /^Bjuds in:/);
    expect(numbers.length).toBeGreaterThan(0);
    for (const n of numbers) expect(n).toMatch(/^\d{6}-\d{4}$/);
    expect(await seriousViolations(page)).toEqual([]);

    // … and the launch page says how long sending takes, from the mails at the account's rate
    await go(page, 'Starta utskicket', /\/launch$/);
    expect(await page.locator('main').textContent()).toMatch(/[\d\s]+ mejl i takt med högst 14 mejl per sekund: ungefär \d+ minuter/);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'national-campaign-launch');
  });
});

describe('hand-backs at national size', () => {
  let context: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    // One organiser accepts and books nothing; the others never answer. Then two mornings pass.
    const [first] = (await h.mailTo(boardOf(4))).filter((m) => m.subject.startsWith('Erbjudande'));
    expect((await h.page(h.linkIn(first as never), { answer: 'accept' })).status).toBe(200);
    expect((await h.advance('PT10M')).status).toBe(200);
    await h.runtime.sfn.waitForEvent(phaseExecutionName(ids[4] as string, 'intro', 1), (e) => e.type === 'TaskWaiting');
    for (const step of ['P8D', 'P8D', 'P8D', 'P2D']) expect((await h.advance(step)).status).toBe(200);
    context = await browser.newContext({ locale: 'sv-SE' });
    page = await login(context);
  }, 120_000);
  afterAll(() => context.close());

  it("opens the digest's list and invites two organisers again from a selection", async () => {
    // Prepare: the digest's link
    const digest = (await h.mailTo(COORDINATOR)).find((m) => m.subject.startsWith('Att hantera: 4 dialoger'));
    const link = /https?:\/\/\S+\/console\?handback=alla/.exec(digest?.body.text ?? '')?.[0] as string;
    expect(link).toBeTruthy();
    await page.goto(link);
    expect(await orgNumbersIn(page, 'dialoger')).toHaveLength(5);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'national-handbacks');

    // Act: two of the unanswered, "Skicka inbjudan igen"
    for (const i of [0, 1]) await page.getByLabel(`Välj ${namesakes[i]?.name} (${orgNumberOf(i)})`).check();
    await page.getByLabel('Åtgärd för de valda').selectOption('reinvite');
    await submit(page, 'Gå vidare', /\/console\/handbacks$/);
    expect(await page.getByRole('table').textContent()).toContain(orgNumberOf(1));
    await screenshot(page, 'national-handbacks-confirm');
    await submit(page, /Skicka inbjudan igen/, /\/console\/handbacks\/[\w-]+$/);

    // Assess
    expect(await page.getByRole('status').textContent()).toContain('2 utförda, 0 redan gjorda');
    for (const i of [0, 1]) expect((await h.dialogue(ids[i] as string)).state).toBe('invited');
    await screenshot(page, 'national-handbacks-result');
  });

  it('closes one with a reason, and registers the answer another gave by phone', async () => {
    // Act: close, from the dialogue's page
    await page.goto(`${h.runtime.urls.app}/console/dialogues/${ids[2]}`);
    await go(page, 'Avsluta med skäl', /\/console\/handbacks\?/);
    await page.getByLabel('Varför avslutas dialogen?').fill('Huvudmannen har slutat bedriva verksamhet.');
    await submit(page, 'Avsluta med skäl', /\/console\/handbacks\/[\w-]+$/);
    expect(await page.getByRole('status').textContent()).toContain('1 utförda');

    // Act: a yes by phone
    await page.goto(`${h.runtime.urls.app}/console/dialogues/${ids[3]}`);
    await go(page, 'Registrera svar', /\/console\/handbacks\?/);
    await page.getByLabel('Ja, vill delta').check();
    await submit(page, 'Registrera svar', /\/console\/handbacks\/[\w-]+$/);

    // Assess
    expect((await h.dialogue(ids[2] as string)).history.at(-1)).toMatchObject({
      type: 'closed',
      detail: 'Huvudmannen har slutat bedriva verksamhet.',
    });
    const accepted = await h.dialogue(ids[3] as string);
    expect(accepted.answer).toMatchObject({ outcome: 'accepted', answeredBy: 'Anna Andersson (samordnare)' });
  });

  it('books the time the coordinator chose for an organiser that booked nothing', async () => {
    // Act: from the dialogue's page to its booking page, the second free time
    await page.goto(`${h.runtime.urls.app}/console/dialogues/${ids[4]}`);
    await go(page, 'Boka möte åt huvudmannen', /\/console\/dialogues\/[\w-]+\/book$/);
    const times = page.getByRole('group', { name: /Lediga tider/ }).getByRole('radio');
    expect(await times.count()).toBeGreaterThanOrEqual(2);
    const chosen = (await times.nth(1).getAttribute('id')) as string;
    const label = ((await page.locator(`label[for="${chosen}"] strong`).textContent()) ?? '').trim();
    await times.nth(1).check();
    await page.getByLabel(/Länk till det digitala mötet/).fill('https://video.example.se/nationell');
    await screenshot(page, 'national-handbacks-book');
    await submit(page, 'Boka tiden', /\/console\/dialogues\/[\w-]+(\?.*)?$/);

    // Assess: booked at the chosen time; the organiser has the calendar invitation
    const x = await h.dialogue(ids[4] as string);
    expect(x.state).toBe('intro_booked');
    const booked = (await h.mailTo(boardOf(4))).filter((m) => m.subject.startsWith('Kallelse: Introduktionsmöte'));
    expect(booked).toHaveLength(1);
    expect(label).toContain((booked[0]?.subject ?? '').split(' ').slice(2, 7).join(' '));
  });
});
