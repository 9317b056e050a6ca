/**
 * The console in a real browser (Debian's Chromium via playwright-core) against the embedded
 * runtime: log in as each role, filter the list, open a dialogue, run actions and see their
 * effect, export CSV, keyboard navigation, screenshots, and axe-core on every page.
 */
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../support/local.ts';
import { launch, screenshot, seriousViolations } from './support.ts';

const h = new Harness();
let browser: Browser;
let norrvik: string;
let solrosen: string;

beforeAll(async () => {
  await h.start();
  [browser, norrvik, solrosen] = await Promise.all([launch(), h.invite('norrviks-kommun'), h.invite('solrosens-forskola-ab')]);
});
afterAll(async () => {
  await browser?.close();
  await h.close();
});

async function login(context: BrowserContext, role: 'Samordnare' | 'Inspektionen', name: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${h.runtime.urls.app}/console`);
  expect(new URL(page.url()).pathname).toBe('/console/login');
  expect(await seriousViolations(page)).toEqual([]);
  await screenshot(page, 'login');
  await page.getByLabel('Ditt namn').fill(name);
  await page.getByLabel(role, { exact: true }).check();
  await page.getByRole('button', { name: 'Logga in' }).click();
  return page;
}

describe('console as coordinator', () => {
  let context: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    context = await browser.newContext({ acceptDownloads: true, locale: 'sv-SE' });
    page = await login(context, 'Samordnare', 'Anna Andersson');
  });
  afterAll(() => context.close());

  it('shows the dialogues with counts per state, and filters them', async () => {
    // Assess: the list with both dialogues and the counts
    await expect.poll(() => new URL(page.url()).pathname).toBe('/console');
    expect(await page.getByRole('link', { name: /2 Inbjuden, väntar på svar/ }).count()).toBe(1);
    expect(await page.getByRole('link', { name: 'Norrviks kommun' }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'dialogues');

    // Act: private organisers only
    await page.getByLabel('Huvudman').selectOption('enskild');
    await page.getByRole('button', { name: 'Visa' }).click();

    // Assess
    await expect.poll(() => new URL(page.url()).searchParams.get('ownership')).toBe('enskild');
    expect(await page.getByRole('link', { name: 'Solrosens förskola AB' }).count()).toBe(1);
    expect(await page.getByRole('link', { name: 'Norrviks kommun' }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('finds an organiser with the search box by org. number without the dash and by a name prefix without diacritics', async () => {
    // Act: the org. number as a person copies it from a register, without the dash
    await page.goto(`${h.runtime.urls.app}/console`);
    await page.getByLabel('Sök', { exact: true }).fill('2120002262');
    await page.getByRole('button', { name: 'Sök', exact: true }).click();

    // Assess
    await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe('2120002262');
    expect(await page.getByRole('link', { name: 'Norrviks kommun' }).count()).toBe(1);
    expect(await page.getByRole('link', { name: 'Solrosens Förskola AB' }).count()).toBe(0);
    expect(await page.getByRole('table').getByText('Sökning på ”2120002262”: 1 huvudman').count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'search-org-number');

    // Act: the start of a word of the name, typed without å/ä/ö
    await page.getByLabel('Sök', { exact: true }).fill('forskol');
    await page.keyboard.press('Enter');

    // Assess
    await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe('forskol');
    expect(await page.getByRole('link', { name: 'Solrosens Förskola AB' }).count()).toBe(1);
    expect(await page.getByRole('link', { name: 'Norrviks kommun' }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('reaches the skip link and the menu with the keyboard', async () => {
    await page.goto(`${h.runtime.urls.app}/console`);
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').textContent()).toBe('Hoppa till innehållet');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.locator('main :focus').count()).toBe(1);
  });

  it('opens a dialogue, sends a reminder now (confirmed, audited) and the mail goes out once', async () => {
    // Prepare
    await h.clearMailbox();
    await page.goto(`${h.runtime.urls.app}/console`);
    await page.getByRole('link', { name: 'Norrviks kommun' }).click();
    await expect.poll(() => page.url()).toContain(`/console/dialogues/${norrvik}`);
    expect(await page.getByRole('table', { name: 'Mejl' }).getByText('Skickat').count()).toBe(2);
    expect(await page.getByRole('cell', { name: 'Väntar på svar', exact: true }).count()).toBeGreaterThan(0);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'dialogue');

    // Act
    await page.getByRole('link', { name: 'Skicka påminnelse nu' }).click();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'confirm-remind');
    const action = page.url();
    const form: Record<string, string> = {};
    for (const input of await page.locator('form[method=post] input[type=hidden]').all()) {
      form[(await input.getAttribute('name')) ?? ''] = (await input.getAttribute('value')) ?? '';
    }
    await page.getByRole('button', { name: 'Skicka påminnelsen' }).click();

    // Assess
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Påminnelsen skickades.');
    const history = page.getByRole('table', { name: 'Historik' });
    expect(await history.getByText('Påminnelse skickad på begäran').count()).toBe(1);
    expect(await history.getByText('Anna Andersson (samordnare)').count()).toBe(1);
    expect((await h.mailbox()).filter((m) => m.subject.startsWith('Påminnelse'))).toHaveLength(2);

    // Act: the same confirmation posted a second time (a double click, a retried request)
    const again = await context.request.post(action, { form, maxRedirects: 0 });

    // Assess: nothing is sent again
    expect(again.status()).toBe(303);
    expect(again.headers().location).toContain('klart=already');
    expect((await h.mailbox()).filter((m) => m.subject.startsWith('Påminnelse'))).toHaveLength(2);
    expect((await h.dialogue(norrvik)).reminders).toBe(1);
  });

  it('closes a dialogue after asking why, and the workflow ends', async () => {
    // Act
    await page.goto(`${h.runtime.urls.app}/console/dialogues/${solrosen}`);
    await page.getByRole('link', { name: 'Avsluta dialogen' }).click();
    await page.getByLabel('Varför avslutas dialogen?').fill('Huvudmannen har upphört.');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Avsluta dialogen' }).click();

    // Assess
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Dialogen är avslutad.');
    expect(await page.getByText('Avslutad av samordnare').count()).toBeGreaterThan(0);
    await h.waitForWorkflow(solrosen, (e) => e.type === 'ExecutionSucceeded');
    expect((await h.dialogue(solrosen)).state).toBe('closed');
  });

  it('shows the metrics and exports a table as CSV that Excel reads with å/ä/ö', async () => {
    // Act
    await page.getByRole('link', { name: 'Statistik' }).click();
    expect(await page.getByRole('table', { name: /Per juridisk form/ }).count()).toBe(1);
    expect(await page.getByText('[object').count()).toBe(0);
    // No dialogue has left the introduction yet: its mean and median show as dashes, not as nothing.
    const intro = page.getByRole('table', { name: /Tid per fas/ }).getByRole('row', { name: /Fas: Introduktion/ });
    expect(await intro.getByRole('cell', { name: '–' }).count()).toBe(2);
    expect(
      await page
        .getByRole('table', { name: /Per storlek/ })
        .getByRole('rowheader', { name: 'Totalt' })
        .count(),
    ).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'metrics');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /Per juridisk form.*CSV/ }).click(),
    ]);

    // Assess
    const csv = readFileSync((await download.path()) as string, 'utf8');
    expect(
      csv.startsWith(
        '\uFEFFGrupp;Antal inbjudna;Tackat ja;Tackat nej;Inget svar;Väntar på svar;Andel ja av inbjudna (%);Andel ja av dem som svarade (%)\r\n',
      ),
    ).toBe(true);
    expect(csv).toContain('Kommuner;1;0;0;0;1;0');
    expect(csv).toContain('Totalt;2;0;0;0;1;0');
  });

  it('starts dialogues for a selection after a confirmation, and shows each result', async () => {
    // Act
    await page.getByRole('link', { name: 'Starta dialoger' }).click();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('Ekbackens skola ekonomisk förening', { exact: true }).check();
    await page.getByLabel('Norrviks kommun', { exact: true }).check();
    await page.getByRole('button', { name: 'Gå vidare' }).click();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'start-confirm');
    await page.getByRole('button', { name: 'Starta 2 dialoger' }).click();

    // Assess: one new, one that already existed
    await expect.poll(() => page.getByRole('status').textContent()).toContain('1 dialog startade, 1 fanns redan, 0 gick inte att starta.');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'start-result');
    // The list is read once no workflow writes any more (it orders by last change).
    await h.invitationsWaiting();
    const started = await h.api('GET', '/api/dialogues?limit=100');
    const ekbacken = started.json.items.find((x: { organiserId: string }) => x.organiserId === 'ekbackens-ekonomiska-forening');
    expect(ekbacken.history[0]).toMatchObject({ type: 'created', by: 'Anna Andersson (samordnare)' });
  });
});

describe('console as the inspectorate', () => {
  let context: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    context = await browser.newContext({ locale: 'sv-SE' });
    page = await login(context, 'Inspektionen', 'Ivar Inspektör');
  });
  afterAll(() => context.close());

  it('lands on the inspectorate page and sees ongoing dialogues by region', async () => {
    await expect.poll(() => new URL(page.url()).pathname).toBe('/console/inspection');
    expect(await page.getByRole('cell', { name: 'Norrviks kommun' }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'inspection');
    await page.getByLabel('Region').selectOption('syd');
    await page.getByRole('button', { name: 'Visa' }).click();
    await expect
      .poll(() => page.getByRole('table', { name: 'Pågående dialoger' }).textContent())
      .toContain('Ekbackens skola ekonomisk förening');
    expect(await page.getByRole('cell', { name: 'Norrviks kommun' }).count()).toBe(0);
  });

  it('is refused the coordinator pages and actions', async () => {
    const list = await page.goto(`${h.runtime.urls.app}/console`);
    expect(list?.status()).toBe(403);
    expect(await page.getByRole('heading', { name: 'Ingen behörighet' }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    const action = await page.goto(`${h.runtime.urls.app}/console/dialogues/${norrvik}/close`);
    expect(action?.status()).toBe(403);
  });
});
