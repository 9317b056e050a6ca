/**
 * Campaigns and cycle planning in a real browser (Debian's Chromium via playwright-core) against
 * the embedded runtime, its timer loop running in real time: a coordinator fixes a form error,
 * creates a campaign over a small population, reads the preview and the organisers left out,
 * launches it after the confirmation and watches the page update itself until the campaign is
 * done; then plans the next cycle. axe-core on every page; screenshots.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePopulation } from '#core/population.ts';
import { Harness } from '../support/local.ts';
import { launch, screenshot, seriousViolations } from './support.ts';

const h = new Harness();
// The third organiser has no contacts: the preview leaves it out for that reason.
const population = generatePopulation({ organisers: 12, seed: 5 }).map((o, i) => (i === 2 ? { ...o, contacts: [] } : o));
const withoutContacts = population[2]!;
let browser: Browser;

beforeAll(async () => {
  // The scheduler's loop every half second: the campaign is sent while the page watches.
  await h.start({ seed: false, tickMs: 500 });
  for (const o of population) expect((await h.api('POST', '/api/organisers', o)).status).toBe(201);
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await h.close();
});

describe('campaigns in the console', () => {
  let context: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    context = await browser.newContext({ locale: 'sv-SE' });
    page = await context.newPage();
    await page.goto(`${h.runtime.urls.app}/console`);
    await page.getByLabel('Ditt namn').fill('Karin Kampanj');
    await page.getByLabel('Samordnare', { exact: true }).check();
    await Promise.all([page.waitForURL(/\/console$/), page.getByRole('button', { name: 'Logga in' }).click()]);
  });
  afterAll(() => context.close());

  it('creates a campaign after fixing the form, and previews who is invited and who is left out', async () => {
    // Act: an empty name first
    await page.getByRole('link', { name: 'Kampanjer', exact: true }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/console/campaigns');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Ny kampanj' }).click();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('Takt').fill('10');
    await page.getByRole('button', { name: 'Förhandsgranska' }).click();

    // Assess: the error next to the field, the entered rate kept
    expect(await page.getByRole('alert').textContent()).toContain('Namn: Ge kampanjen ett namn.');
    expect(await page.getByLabel('Takt').inputValue()).toBe('10');
    expect(await page.getByLabel('Namn på kampanjen').getAttribute('aria-invalid')).toBe('true');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'campaign-form-error');

    // Act: fixed
    await page.getByLabel('Namn på kampanjen').fill('Vårens inbjudningar');
    await page.getByRole('button', { name: 'Förhandsgranska' }).click();

    // Assess: the draft with its preview
    await expect.poll(() => page.locator('h1').textContent()).toBe('Vårens inbjudningar');
    const body = (await page.locator('main').textContent()) ?? '';
    expect(body).toContain('Kampanjen är skapad som utkast.');
    expect(body).toMatch(/11\s*huvudmän skulle bjudas in/);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'campaign-preview');

    // Act: who is left out for missing contacts
    await page.getByRole('link', { name: /Saknar kontaktuppgifter/ }).click();

    // Assess
    const left = page.getByRole('table', { name: /Saknar kontaktuppgifter: .* 1 huvudmän/ });
    expect(await left.getByRole('cell', { name: withoutContacts.name }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('launches after a confirmation and the page follows the sending until it is done', async () => {
    // Act
    await page.getByRole('link', { name: 'Starta utskicket' }).click();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'campaign-confirm-launch');
    await page.getByRole('button', { name: 'Starta utskicket' }).click();

    // Assess: the page updates itself (no reload by the test) until the campaign is done
    await expect.poll(() => page.locator('#framsteg-text').textContent(), { timeout: 30_000 }).toContain('Utskicket är klart.');
    expect(await page.locator('#framsteg-text').textContent()).toContain('11 av 11 inbjudna, 0 i kö, 0 misslyckade.');
    expect(await page.locator('progress#framsteg').getAttribute('value')).toBe('11');
    expect(await page.getByRole('link', { name: /utskicket/ }).count()).toBe(0);
    const log = page.getByRole('table', { name: 'Vem som gjort vad med kampanjen' });
    expect(await log.getByText('Startade utskicket').count()).toBe(1);
    expect(await log.getByText('Karin Kampanj (samordnare)').count()).toBe(2);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'campaign-done');
    // The list is read once no workflow writes any more (it orders by last change).
    await h.invitationsWaiting();
    const dialogues = (await h.api('GET', '/api/dialogues?limit=100')).json.items as { organiserId: string }[];
    expect(dialogues).toHaveLength(11);

    // The list shows it as done
    await page.getByRole('link', { name: 'Kampanjer', exact: true }).click();
    expect(await page.getByRole('cell', { name: 'Klar', exact: true }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'campaigns');
  });

  it('without script, the campaign page reloads itself until the sending is done', async () => {
    // Prepare: a browser with script off, signed in
    const noScript = await browser.newContext({ locale: 'sv-SE', javaScriptEnabled: false });
    const p = await noScript.newPage();
    p.setDefaultTimeout(10_000);
    await p.goto(`${h.runtime.urls.app}/console/login`);
    await p.getByLabel('Ditt namn').fill('Karin Kampanj');
    await p.getByLabel('Samordnare', { exact: true }).check();
    await Promise.all([p.waitForURL(/\/console$/), p.getByRole('button', { name: 'Logga in' }).click()]);

    // Act: a campaign for the next cycle at a slow pace, launched
    await p.goto(`${h.runtime.urls.app}/console/campaigns/new`);
    await p.getByLabel('Namn på kampanjen').fill('Nästa omgång');
    await p.getByLabel('Omgång', { exact: true }).fill('2027');
    await p.getByLabel('Takt').fill('8');
    await p.getByRole('button', { name: 'Förhandsgranska' }).click();
    await p.getByRole('link', { name: 'Starta utskicket' }).click();
    await p.getByRole('button', { name: 'Starta utskicket' }).click();

    // Assess: the page reloads itself (noscript refresh) until the campaign is done
    await expect.poll(() => p.locator('#framsteg-text').textContent(), { timeout: 30_000 }).toContain('Utskicket är klart.');
    expect(await p.locator('#framsteg-text').textContent()).toContain('11 av 11 inbjudna');
    // (axe needs script; it ran on the same pages with script above.)
    await noScript.close();
  });

  it('plans the next cycle: ranking, groups and coverage', async () => {
    // Act
    await page.getByRole('link', { name: 'Planering', exact: true }).click();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel(/Dialogutförartimmar i omgången/).fill('40');
    await page.getByRole('button', { name: 'Beräkna plan' }).click();

    // Assess
    await expect.poll(() => page.getByRole('heading', { name: 'Planens täckning' }).count()).toBe(1);
    const ranking = page.getByRole('table', { name: /Huvudmän i prioritetsordning: 12/ });
    expect(await ranking.getByRole('row').count()).toBe(13);
    expect(await page.getByText(/av 40$/).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'planning');
  });
});
