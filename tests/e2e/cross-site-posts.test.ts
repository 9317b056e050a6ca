/**
 * A page on another origin cannot submit the organiser's forms, in a real browser: a second local
 * HTTP server serves forms that post to the mailed links, reached as http://localhost:<port>
 * (another site than the service's 127.0.0.1) and as http://127.0.0.1:<port> (the same site,
 * another origin). Chromium posts them with whatever headers it chooses; each is refused and
 * changes nothing, and the link still works from the organiser's own page afterwards.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phaseExecutionName } from '#adapters/workflow-client.ts';
import { addFacilitators } from '../support/facilitators.ts';
import { Harness, organiser } from '../support/local.ts';
import { launch, screenshot } from './support.ts';

const h = new Harness();
let browser: Browser;
let context: BrowserContext;
let other: Server;
/** What the other server serves, by path: a page and its Referrer-Policy. */
const pages = new Map<string, { html: string; referrerPolicy?: string }>();

beforeAll(async () => {
  other = createServer((req, res) => {
    const page = pages.get(new URL(req.url ?? '/', 'http://x').pathname);
    if (!page) return res.writeHead(404).end();
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      ...(page.referrerPolicy ? { 'referrer-policy': page.referrerPolicy } : {}),
    });
    res.end(page.html);
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  [browser] = await Promise.all([launch(), h.start({ seed: false })]);
  context = await browser.newContext({ locale: 'sv-SE' });
  await addFacilitators(h, ['sv-anna', 'sp-david']);
});
afterAll(async () => {
  await browser?.close();
  await h.close();
  await new Promise((resolve) => other?.close(resolve));
});

const otherPort = () => (other.address() as AddressInfo).port;
const board = (n: string) => `styrelsen@${n}.example.se`;

async function invited(n: string, orgNumber: string): Promise<{ id: string; link: string }> {
  const r = await h.api(
    'POST',
    '/api/organisers',
    organiser({ id: n, orgNumber, name: `Skolan ${n} AB`, contacts: [{ role: 'board', name: `Styrelsen ${n}`, email: board(n) }] }),
  );
  expect(r.status, r.text).toBe(201);
  const id = await h.invite(n);
  const mail = (await h.mailTo(board(n))).find((m) => m.subject.startsWith('Erbjudande'));
  if (!mail) throw new Error(`no invitation to ${board(n)}`);
  return { id, link: h.linkIn(mail) };
}

/** A page on the other server whose button posts `fields` to `action`. */
function forgedForm(path: string, action: string, fields: Record<string, string>, referrerPolicy?: string): void {
  const inputs = Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${k}" value="${v}">`)
    .join('');
  pages.set(path, {
    html: `<!DOCTYPE html><html lang="sv"><head><title>Vinn en surfplatta</title></head><body><form method="post" action="${action}">${inputs}<button>Vinn!</button></form></body></html>`,
    referrerPolicy,
  });
}

/** Opens `url`, presses the only button, and returns the response to the POST with what Chromium sent. */
async function pressOn(url: string): Promise<{ page: Page; status: number; sent: Record<string, string> }> {
  const page = await context.newPage();
  await page.goto(url);
  const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button').click()]);
  await page.waitForLoadState('load');
  return { page, status: response.status(), sent: await response.request().allHeaders() };
}

describe('the answer form posted from another origin', () => {
  it.each([
    { from: 'another site (localhost)', host: 'localhost', site: 'cross-site', policy: undefined },
    { from: 'another site whose page sends no referrer', host: 'localhost', site: 'cross-site', policy: 'no-referrer' },
    { from: 'another port of the same host (same site)', host: '127.0.0.1', site: 'same-site', policy: undefined },
  ])('is refused from $from and changes nothing', async ({ host, site, policy }) => {
    // Prepare
    const n = `forfalskat-${site}-${policy ?? 'default'}`.replace(/[^a-z-]/g, '');
    const { id, link } = await invited(n, `556200-${String(1000 + pages.size).slice(-4)}`);
    forgedForm(`/${n}`, link, { answer: 'decline', reason: 'time', comment: 'Forged' }, policy);

    // Act
    const forged = await pressOn(`http://${host}:${otherPort()}/${n}`);

    // Assess: Chromium said where it came from; the service refused it
    expect(forged.sent['sec-fetch-site']).toBe(site);
    expect(forged.status).toBe(403);
    expect(await forged.page.getByRole('heading', { level: 1 }).textContent()).toBe('Svaret togs inte emot');
    await screenshot(forged.page, `cross-site-refused-${n}`);
    const d = await h.dialogue(id);
    expect(d.state).toBe('invited');
    expect(d.answer).toBeUndefined();

    // Act: the organiser's own page still answers with the same link
    const own = await context.newPage();
    await own.goto(link);
    await own.getByLabel('Ja, vi vill delta').check();
    const [response] = await Promise.all([
      own.waitForResponse((r) => r.request().method() === 'POST'),
      own.getByRole('button', { name: 'Skicka svar' }).click(),
    ]);

    // Assess
    expect(response.status()).toBe(200);
    expect((await h.dialogue(id)).state).toBe('accepted');
  });

  it('is accepted from our own page still served with Referrer-Policy: no-referrer (Chromium sends Origin: null)', async () => {
    // Prepare: the page as it was served before the referrer policy changed (a cached copy)
    const { id, link } = await invited('gammal-sida', '556200-2001');
    const page = await context.newPage();
    await page.route(link, async (route) => {
      const response = await route.fetch();
      const html = (await response.text()).replace('content="same-origin"', 'content="no-referrer"');
      await route.fulfill({ response, body: html, headers: { ...response.headers(), 'referrer-policy': 'no-referrer' } });
    });
    await page.goto(link);
    await page.unroute(link);
    await page.getByLabel('Nej, vi tackar nej').check();
    await page.getByLabel('Annat skäl').check();

    // Act
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Skicka svar' }).click(),
    ]);

    // Assess
    const sent = await response.request().allHeaders();
    expect(sent.origin).toBe('null');
    expect(sent['sec-fetch-site']).toBe('same-origin');
    expect(response.status()).toBe(200);
    expect((await h.dialogue(id)).state).toBe('declined');
  });
});

describe('a meeting page posted from another site', () => {
  it('cannot cancel the booked meeting', async () => {
    // Prepare: accepted and booked from the mailed links (posts without browser headers pass)
    const { id, link } = await invited('bokat-mote', '556200-3001');
    expect((await h.page(link, { answer: 'accept' })).status).toBe(200);
    expect((await h.advance('PT1M')).status).toBe(200); // the acceptance's intro phase starts at the next tick
    await h.runtime.sfn.waitForEvent(phaseExecutionName(id, 'intro', 1), (e) => e.type === 'TaskWaiting');
    const offer = (await h.mailTo(board('bokat-mote'))).find((m) => m.subject.startsWith('Välj tid för introduktionsmöte'));
    expect((await h.page(h.linkIn(offer!), { choice: '0' })).status).toBe(200);
    const booked = (await h.mailTo(board('bokat-mote'))).find((m) => m.subject.startsWith('Kallelse: Introduktionsmöte'));
    const manage = h.linkIn(booked!);
    forgedForm('/avboka', manage, { action: 'cancel' });

    // Act
    const forged = await pressOn(`http://localhost:${otherPort()}/avboka`);

    // Assess
    expect(forged.status).toBe(403);
    const d = await h.dialogue(id);
    expect(d.state).toBe('intro_booked');
    expect((await h.api('GET', `/api/meetings/${d.phase.meetingId}`)).json.status).toBe('booked');
    expect((await h.mailTo(board('bokat-mote'))).filter((m) => m.subject.startsWith('Inställt'))).toHaveLength(0);
  });
});

describe('the local dev login posted from another site', () => {
  it('does not sign the browser in, while the console’s own login page does', async () => {
    // Prepare: a page elsewhere that would sign its visitor in as a coordinator
    forgedForm('/logga-in', `${h.runtime.urls.app}/console/login`, { name: 'Mallory', role: 'coordinator', next: '/console' });
    const isolated = await browser.newContext({ locale: 'sv-SE' });
    const forgedPage = await isolated.newPage();
    await forgedPage.goto(`http://localhost:${otherPort()}/logga-in`);

    // Act
    const [response] = await Promise.all([
      forgedPage.waitForResponse((r) => r.request().method() === 'POST'),
      forgedPage.getByRole('button').click(),
    ]);
    await forgedPage.waitForLoadState('load');

    // Assess: refused, no session cookie
    expect((await response.request().allHeaders())['sec-fetch-site']).toBe('cross-site');
    expect(response.status()).toBe(403);
    expect(await forgedPage.getByRole('alert').textContent()).toContain('Inloggningen togs inte emot');
    expect((await isolated.cookies()).filter((c) => c.name === 'kd_session')).toEqual([]);
    await screenshot(forgedPage, 'console-login-cross-site-refused');

    // Act: the same browser on the console's own login page
    const own = await isolated.newPage();
    await own.goto(`${h.runtime.urls.app}/console/login`);
    await own.getByLabel('Ditt namn').fill('Sara Samordnare');
    await own.getByLabel('Samordnare', { exact: true }).check();
    await own.getByRole('button', { name: 'Logga in' }).click();
    await own.waitForURL((u) => u.pathname === '/console');

    // Assess
    expect((await isolated.cookies()).filter((c) => c.name === 'kd_session')).toHaveLength(1);
    await isolated.close();
  });
});
