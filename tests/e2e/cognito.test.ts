/**
 * Signing in to the console the cloud way, in a real browser: the login page offers only the
 * hosted UI, the browser goes through the authorize step of a stand-in (which signs the person in
 * at once) and back through the callback, the meta-refresh page carries it into the console, and
 * logging out ends both sessions. axe-core on the pages the console serves.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeIdp } from '../support/fake-idp.ts';
import { Harness } from '../support/local.ts';
import { launch, screenshot, seriousViolations } from './support.ts';

const idp = new FakeIdp();
const h = new Harness();
const saved: Record<string, string | undefined> = {};
let browser: Browser;

beforeAll(async () => {
  await idp.start();
  for (const [k, v] of Object.entries(idp.env())) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  [browser] = await Promise.all([launch(), h.start()]);
});
afterAll(async () => {
  await browser?.close();
  await h.close();
  await idp.stop();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe('console sign-in with Cognito', () => {
  it('goes through the hosted UI and lands in the console with the role of the group; logging out ends it', async () => {
    // Prepare
    idp.signedInAs = { 'cognito:groups': ['coordinator'], name: 'Cecilia Cognito', email: 'cecilia@example.se' };
    const context = await browser.newContext({ locale: 'sv-SE' });
    const page = await context.newPage();

    // Act: the login page offers only the hosted UI
    await page.goto(`${h.runtime.urls.app}/console`);
    expect(new URL(page.url()).pathname).toBe('/console/login');
    expect(await page.getByLabel('Åtkomstnyckel').count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'login-cognito');
    await page.getByRole('link', { name: 'Logga in' }).click();

    // Assess: through the authorize step and the callback page into the list
    await page.waitForURL(`${h.runtime.urls.app}/console`);
    expect(await page.getByText('Inloggad: Cecilia Cognito').count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);

    // Act: log out
    await page.getByRole('button', { name: 'Logga ut' }).click();

    // Assess: back at the login page, and the console wants a new sign-in
    await page.waitForURL(`${h.runtime.urls.app}/console/login`);
    await page.goto(`${h.runtime.urls.app}/console`);
    expect(new URL(page.url()).pathname).toBe('/console/login');
    await context.close();
  });

  it('shows a person without a role why they cannot get in', async () => {
    // Prepare
    idp.signedInAs = { 'cognito:groups': [], email: 'nobody@example.se' };
    const context = await browser.newContext({ locale: 'sv-SE' });
    const page = await context.newPage();

    // Act
    await page.goto(`${h.runtime.urls.app}/console/login`);
    await page.getByRole('link', { name: 'Logga in' }).click();

    // Assess
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Ditt konto har ingen roll i konsolen.');
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });
});
