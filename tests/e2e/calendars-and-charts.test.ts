/**
 * Beyond the anchors, in a real browser (Chromium via playwright-core) against the embedded
 * runtime: the statistics as SVG charts with their tables (filtered by campaign, its progress over
 * time), the dialogue page's step indicator and Swedish workflow words, a facilitator's calendar
 * address made and replaced, the inspectorate's month view and a new subscription address, and the
 * organiser's overview on a 390 px wide phone with its .ics download. axe-core on every page; every
 * form is submitted by the browser.
 */
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phaseExecutionName } from '#adapters/workflow-client.ts';
import { addFacilitators } from '../support/facilitators.ts';
import { parseIcs } from '../support/ics.ts';
import { Harness, type StoredMail } from '../support/local.ts';
import { launch, screenshot, seriousViolations } from './support.ts';

const h = new Harness();
const FEED_KEY = 'e2e-inspectorate-feed-key-0001-abcdefghij';
const CHIEF = 'asa.oberg@norrvik.example.se';
let browser: Browser;
let norrvik: string;
let campaignId: string;

beforeAll(async () => {
  await h.start({ inspectorateFeedKey: FEED_KEY });
  browser = await launch();
  await addFacilitators(h, ['sv-anna', 'sv-bo', 'sp-david', 'sp-eva']);
  // A campaign invites the three demo organisers; Norrvik says yes, Solrosen no, Ekbacken waits.
  const created = await h.api('POST', '/api/campaigns', {
    name: 'Våren 2027',
    selection: { organiserIds: ['norrviks-kommun', 'solrosens-forskola-ab', 'ekbackens-ekonomiska-forening'] },
  });
  expect(created.status).toBe(201);
  campaignId = created.json.campaign.id;
  expect((await h.api('POST', `/api/campaigns/${campaignId}/launch`)).status).toBe(200);
  for (let i = 0; i < 30 && (await h.api('GET', `/api/campaigns/${campaignId}`)).json.state !== 'completed'; i++) await h.advance('PT1S');
  const dialogues = (await h.api('GET', '/api/dialogues?limit=10')).json.items as { id: string; organiserId: string }[];
  for (const d of dialogues) await h.waitForWorkflow(d.id, (e) => e.type === 'TaskWaiting');
  norrvik = dialogues.find((d) => d.organiserId === 'norrviks-kommun')?.id as string;
  const solrosen = dialogues.find((d) => d.organiserId === 'solrosens-forskola-ab')?.id as string;
  expect((await h.page(h.linkIn((await h.mailTo(CHIEF)).at(-1) as StoredMail), { answer: 'accept' })).status).toBe(200);
  const solrosenMail = (await h.mailTo((await h.dialogue(solrosen)).recipients[0].email)).at(-1) as StoredMail;
  expect((await h.page(h.linkIn(solrosenMail), { answer: 'decline', reason: 'time' })).status).toBe(200);
  // The introduction is offered to Norrvik and booked through the offer mail.
  await h.advance('PT10M');
  await h.runtime.sfn.waitForEvent(phaseExecutionName(norrvik, 'intro', 1), (e) => e.type === 'TaskWaiting');
  const offer = (await h.mailTo(CHIEF)).find((m) => m.subject.startsWith('Välj tid för introduktionsmöte')) as StoredMail;
  expect((await h.page(h.linkIn(offer), { choice: '0' })).status).toBe(200);
});
afterAll(async () => {
  await browser?.close();
  await h.close();
});

async function signIn(context: BrowserContext, role: 'Samordnare' | 'Inspektionen', name: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${h.runtime.urls.app}/console`);
  await page.getByLabel('Ditt namn').fill(name);
  await page.getByLabel(role, { exact: true }).check();
  await Promise.all([page.waitForURL(/\/console(\/inspection)?$/), page.getByRole('button', { name: 'Logga in' }).click()]);
  return page;
}

const app = (path: string) => `${h.runtime.urls.app}${path}`;

describe('the coordinator', () => {
  let context: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    context = await browser.newContext({ locale: 'sv-SE' });
    page = await signIn(context, 'Samordnare', 'Stina Statistik');
  });
  afterAll(() => context.close());

  it('sees the statistics as charts with the numbers in tables beside them', async () => {
    // Act
    await page.getByRole('link', { name: 'Statistik' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/console/metrics');
    // Assess: each chart is an image named by its title, with its table
    for (const [chart, table] of [
      ['Andel som tackat ja per juridisk form', 'Per juridisk form'],
      ['Från inbjudan till avslutad dialog', 'Från inbjudan till avslutad dialog'],
      ['Tid i varje fas', 'Tid per fas'],
    ]) {
      expect(await page.getByRole('img', { name: chart }).count(), chart).toBe(1);
      expect(await page.getByRole('table', { name: new RegExp(`^${table}`) }).count(), table).toBe(1);
    }
    const acceptance = page.getByRole('img', { name: 'Andel som tackat ja per juridisk form' });
    expect(await acceptance.locator('text').allTextContents()).toEqual(
      expect.arrayContaining(['Kommuner', '100 %', 'Av inbjudna', 'Av dem som svarade']),
    );
    const funnel = page.getByRole('table', { name: /Från inbjudan till avslutad dialog/ });
    expect(await funnel.getByRole('row', { name: /^Inbjudan 3 100$/ }).count()).toBe(1);
    expect(await funnel.getByRole('row', { name: /^Ja-svar 1 33$/ }).count()).toBe(1);
    const form = page.getByRole('table', { name: /^Per juridisk form/ });
    expect(await form.getByRole('row', { name: /^Aktiebolag 1 0 1 0 0 0 0$/ }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'statistics-charts');
  });

  it("filters the statistics by campaign and shows the campaign's progress over time", async () => {
    // Act
    await page.getByLabel('Kampanj', { exact: true }).selectOption({ label: 'Våren 2027' });
    await page.getByRole('button', { name: 'Visa', exact: true }).click();
    // Assess
    await expect.poll(() => new URL(page.url()).searchParams.get('kampanj')).toBe(campaignId);
    expect(await page.getByRole('img', { name: 'Kampanjens förlopp' }).count()).toBe(1);
    const progress = page.getByRole('table', { name: /Kampanjens förlopp/ });
    expect(await progress.getByRole('row').last().textContent()).toMatch(/3\s*1\s*1$/);
    expect(await page.getByText('kampanj Våren 2027').count()).toBeGreaterThan(0);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'statistics-campaign');
  });

  it('sees on the dialogue page where the dialogue is, and the workflow in Swedish', async () => {
    // Act
    await page.goto(app(`/console/dialogues/${norrvik}`));
    // Assess
    const current = page.locator('ol.steps li[aria-current="step"]');
    expect(await current.textContent()).toMatch(/Introduktion.*pågår.*Mötet är bokat/);
    expect(await page.locator('ol.steps li.done').count()).toBe(2);
    const workflow = await page.locator('main').textContent();
    for (const english of ['ExecutionStarted', 'StateEntered', 'RUNNING', 'SUCCEEDED', 'Send invitations and await answer'])
      expect(workflow).not.toContain(english);
    expect(workflow).toContain('Arbetsflödet startade');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'dialogue-steps');
  });

  it("makes a facilitator's calendar address, and a new one that stops the old", async () => {
    // Prepare: the facilitator who leads Norrvik's introduction
    const [meeting] = (await h.api('GET', `/api/dialogues/${norrvik}/meetings`)).json.items;
    const who = meeting.pair.skolverket as string;
    await page.getByRole('link', { name: 'Dialogutförare', exact: true }).click();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('link', { name: who === 'sv-anna' ? 'Anna Åström' : 'Bo Berg' }).click();
    expect(await page.getByText('Dialogutföraren har ingen kalenderadress ännu.').count()).toBe(1);
    // Act: make it
    await page.getByRole('button', { name: 'Skapa kalenderadress' }).click();
    // Assess
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Kalenderadressen är skapad');
    const first = (await page.locator('code.address').textContent()) as string;
    const feed = await fetch(first.replace(/^https?:\/\/[^/]+/, h.runtime.urls.app));
    expect(feed.status).toBe(200);
    expect(parseIcs(await feed.text()).events.map((e) => e.status)).toEqual(['CONFIRMED']);
    expect(await seriousViolations(page)).toEqual([]);
    // Act: replace it
    await page.getByRole('button', { name: 'Skapa ny kalenderadress' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('den gamla fungerar inte längre');
    const second = (await page.locator('code.address').textContent()) as string;
    expect(second).not.toBe(first);
    expect((await fetch(first.replace(/^https?:\/\/[^/]+/, h.runtime.urls.app))).status).toBe(404);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'facilitator');
  });
});

describe('the inspectorate', () => {
  let context: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    context = await browser.newContext({ locale: 'sv-SE' });
    page = await signIn(context, 'Inspektionen', 'Ivar Inspektör');
  });
  afterAll(() => context.close());

  it('sees the planned dialogue dates in a month view and the subscription address', async () => {
    // Prepare: the month of Norrvik's introduction
    const [meeting] = (await h.api('GET', `/api/dialogues/${norrvik}/meetings`)).json.items;
    const month = new Date(meeting.sessions[0].start).toISOString().slice(0, 7);
    await page.goto(app('/console/inspection'));
    expect(await page.locator('code.address').first().textContent()).toContain(`/feeds/${FEED_KEY}/planned-dates.ics`);
    // Act
    await page.getByLabel('Månad', { exact: true }).fill(month);
    await page.getByRole('button', { name: 'Gå till månaden' }).click();
    // Assess
    await expect.poll(() => new URL(page.url()).searchParams.get('manad')).toBe(month);
    const calendar = page.getByRole('table', { name: /^Planerade dialoger/ });
    expect(await calendar.getByText(/Introduktionsmöte, Norrviks kommun/).count()).toBe(1);
    expect(await calendar.getByText('– Bokat').count()).toBe(1);
    expect(await page.locator('main').textContent()).not.toContain(CHIEF);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'inspection-month');
  });

  it('makes a new subscription address; the old one stops working', async () => {
    // Act
    await page.getByRole('button', { name: 'Skapa ny prenumerationsadress' }).click();
    // Assess
    await expect.poll(() => page.getByRole('status').textContent()).toContain('En ny prenumerationsadress är skapad');
    const fresh = (await page.locator('code.address').first().textContent()) as string;
    expect(fresh).not.toContain(FEED_KEY);
    expect((await fetch(app(`/feeds/${FEED_KEY}/planned-dates.ics`))).status).toBe(404);
    const feed = await fetch(fresh.replace(/^https?:\/\/[^/]+/, h.runtime.urls.app));
    expect(parseIcs(await feed.text()).events.some((e) => e.summary === 'Introduktionsmöte – Norrviks kommun')).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
  });
});

describe('the organiser', () => {
  it('reads its overview on a 390 px wide phone and downloads the meeting for its calendar', async () => {
    // Prepare
    const context = await browser.newContext({ locale: 'sv-SE', viewport: { width: 390, height: 844 }, acceptDownloads: true });
    const page = await context.newPage();
    const booked = (await h.mailTo(CHIEF)).find((m) => m.subject.startsWith('Kallelse: Introduktionsmöte')) as StoredMail;
    const overview = /finns samlat här:\s+(\S+)/.exec(booked.body.text ?? '')?.[1] as string;
    // Act
    await page.goto(overview);
    // Assess
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Er kvalitetsdialog');
    expect(await page.locator('ol.steps li[aria-current="step"]').textContent()).toMatch(/Introduktion.*Pågår/);
    expect(await page.getByRole('heading', { name: /Introduktionsmöte/ }).count()).toBe(1);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'overview-390');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /i kalendern \(\.ics\)/ }).click(),
    ]);
    const cal = parseIcs(readFileSync((await download.path()) as string, 'utf8'));
    const [meeting] = (await h.api('GET', `/api/dialogues/${norrvik}/meetings`)).json.items;
    expect(cal.events.map((e) => [e.uid, e.status])).toEqual([[`${meeting.id}@skolverket.example.se`, 'CONFIRMED']]);
    await context.close();
  });
});
