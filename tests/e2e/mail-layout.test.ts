/**
 * Mail as a phone shows it: every mail the service sent in a real flow (invitation, reminder, the
 * intro offer, the booking with its calendar, the coordinator's digest) rendered by Chromium at
 * 390 px, with long Swedish names and long links. None may scroll sideways; axe on each.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phaseExecutionName } from '#adapters/workflow-client.ts';
import { addFacilitators } from '../support/facilitators.ts';
import { Harness, organiser, type StoredMail } from '../support/local.ts';
import { launch, screenshot, seriousViolations } from './support.ts';

const WIDTH = 390;
const h = new Harness();
let browser: Browser;
let page: Page;
let id: string;
const BOARD = 'utbildningsnamndens.registratur.och.kansli@stora-langnamnda-kommunalforbundet.example.se';

beforeAll(async () => {
  [browser] = await Promise.all([launch(), h.start({ seed: false })]);
  page = await (await browser.newContext({ locale: 'sv-SE', viewport: { width: WIDTH, height: 844 } })).newPage();
  await addFacilitators(h, ['sv-anna', 'sp-david']);
  const r = await h.api(
    'POST',
    '/api/organisers',
    organiser({
      id: 'langnamnda',
      orgNumber: '222000-0123',
      name: 'Stora Långnämnda kommunalförbundets gymnasie- och vuxenutbildningsförvaltning',
      contacts: [
        { role: 'board', name: 'Utbildnings- och arbetsmarknadsnämndens presidium', email: BOARD },
        { role: 'school_chief', name: 'Åsa-Maria Öberg-Lindqvist', email: 'skolchef.forvaltningen@langnamnda.example.se' },
      ],
    }),
  );
  expect(r.status, r.text).toBe(201);
});
afterAll(async () => {
  await browser?.close();
  await h.close();
});

/** The mail as its HTML part shows it on the phone: no sideways scrolling, no serious axe findings. */
async function expectFits(mail: StoredMail, shot: string): Promise<void> {
  expect(mail.body.html, mail.subject).toBeTruthy();
  await page.setContent(mail.body.html as string);
  await screenshot(page, shot);
  const scrollWidth = await page.evaluate<number>('Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)');
  expect({ subject: mail.subject, scrollWidth }).toEqual({
    subject: mail.subject,
    scrollWidth: expect.toSatisfy((w: number) => w <= WIDTH),
  });
  expect(await seriousViolations(page)).toEqual([]);
}

const latest = async (prefix: string, to = BOARD) => {
  const mail = (await h.mailTo(to)).filter((m) => m.subject.startsWith(prefix)).at(-1);
  if (!mail) throw new Error(`no mail "${prefix}…" to ${to}`);
  return mail;
};

describe('mail at 390 px', () => {
  it('fits the invitation and its reminder on a phone', async () => {
    id = await h.invite('langnamnda');
    await expectFits(await latest('Erbjudande'), 'mail-invitation-390');
    expect((await h.advance('P8D')).status).toBe(200);
    await expectFits(await latest('Påminnelse'), 'mail-reminder-390');
  });

  it('fits the intro offer and the booking with its calendar on a phone', async () => {
    expect((await h.page(h.linkIn(await latest('Erbjudande')), { answer: 'accept' })).status).toBe(200);
    expect((await h.advance('PT10M')).status).toBe(200);
    await h.runtime.sfn.waitForEvent(phaseExecutionName(id, 'intro', 1), (e) => e.type === 'TaskWaiting');
    const offer = await latest('Välj tid');
    await expectFits(offer, 'mail-offer-390');
    expect((await h.page(h.linkIn(offer), { choice: '0' })).status).toBe(200);
    await expectFits(await latest('Kallelse'), 'mail-booked-390');
  });
});
