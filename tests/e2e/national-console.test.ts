/**
 * The console at national size, in Chromium: the generated population of 2,806 organisers (428
 * names shared among them), dialogues for organisers that share a name, and every list a
 * coordinator or the inspectorate reads shows the formatted org. number, so same-name organisers
 * can be told apart. axe on each page.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatOrgNumber, organiserInputSchema, toOrganiser } from '#core/organiser.ts';
import { generatePopulation } from '#core/population.ts';
import { Harness } from '../support/local.ts';
import { launch, screenshot, seriousViolations } from './support.ts';

const h = new Harness();
let browser: Browser;
const population = generatePopulation({ organisers: 2806, seed: 42 });
/** Organisers that share a name with another one (and have contacts, so a dialogue can invite them). */
const namesakes = (() => {
  const byName = new Map<string, typeof population>();
  for (const o of population) if ((o.contacts ?? []).length > 0) byName.set(o.name, [...(byName.get(o.name) ?? []), o]);
  return [...byName.values()].find((group) => group.length >= 3)?.slice(0, 3) ?? [];
})();

beforeAll(async () => {
  [browser] = await Promise.all([launch(), h.start({ seed: false })]);
  const now = h.runtime.clock.now();
  const organisers = population.map((o) => toOrganiser(organiserInputSchema.parse(o), now));
  for (let i = 0; i < organisers.length; i += 100) {
    await Promise.all(organisers.slice(i, i + 100).map((o) => h.runtime.deps.organisers.put(o)));
  }
  for (const o of namesakes) await h.invite(o.id as string);
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
async function orgNumbersIn(page: Page, table: string): Promise<string[]> {
  const t = page.getByRole('table', { name: new RegExp(table) });
  const headers = await t.getByRole('columnheader').allTextContents();
  const column = headers.indexOf('Organisationsnummer');
  expect(column, `${table}: ${headers.join(' | ')}`).toBeGreaterThan(0);
  const rows = await t.locator('tbody tr').all();
  return Promise.all(rows.map(async (r) => ((await r.locator('td, th').nth(column).textContent()) ?? '').trim()));
}

describe('the console at 2,806 organisers', () => {
  let context: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    expect(namesakes).toHaveLength(3);
    context = await browser.newContext({ locale: 'sv-SE' });
    page = await login(context);
  });
  afterAll(() => context.close());

  it('lists the dialogues of same-name organisers each with its own org. number', async () => {
    const numbers = await orgNumbersIn(page, 'dialoger');
    expect(numbers.toSorted()).toEqual(namesakes.map((o) => formatOrgNumber(o.orgNumber.replace('-', ''))).toSorted());
    expect(new Set(numbers).size).toBe(3);
    for (const n of numbers) expect(n).toMatch(/^\d{6}-\d{4}$/);
    expect(await page.getByRole('link', { name: namesakes[0]?.name }).count()).toBe(3);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'national-dialogues');
  });

  it('lists every organiser on the start page with its org. number', async () => {
    await Promise.all([page.waitForURL(/\/console\/start$/), page.getByRole('link', { name: 'Starta dialoger' }).click()]);
    const numbers = await orgNumbersIn(page, 'Huvudmän');
    expect(numbers).toHaveLength(50);
    for (const n of numbers) expect(n).toMatch(/^\d{6}-\d{4}$/);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('shows the org. numbers of ongoing dialogues on the inspectorate page', async () => {
    await Promise.all([page.waitForURL(/\/console\/inspection$/), page.getByRole('link', { name: 'Inspektionen' }).click()]);
    const numbers = await orgNumbersIn(page, '^Pågående dialoger$');
    expect(new Set(numbers).size).toBe(3);
    expect(await seriousViolations(page)).toEqual([]);
  });
});
