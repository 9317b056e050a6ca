/**
 * The console's meeting actions and the inspectorate's calendar in a real browser (Debian's
 * Chromium via playwright-core): filter by facilitator, change a meeting's facilitators and move
 * it, cancel one with the keyboard only, import inspections with a dry run first, and see the
 * clash; axe-core on every page, screenshots under test-results/screenshots.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCalendarDays, stockholmDate } from '#core/calendar.ts';
import { sessionFields } from '#functions/use-cases/console-meeting-actions.ts';
import { addFacilitators } from '../support/facilitators.ts';
import { Harness } from '../support/local.ts';
import { launch, screenshot, seriousViolations } from './support.ts';

interface Slot {
  pair: { skolverket: string; spsm: string };
  sessions: { start: string; end: string }[];
}

const h = new Harness();
let browser: Browser;
let norrvik: string;
let meetingId: string;
let slots: Slot[];

beforeAll(async () => {
  await h.start();
  await addFacilitators(h, ['sv-anna', 'sp-david', 'sp-eva']);
  [browser, norrvik] = await Promise.all([launch(), h.invite('norrviks-kommun')]);
  await h.invite('solrosens-forskola-ab');
  slots = (await h.api('GET', '/api/slot-proposals?kind=intro&organiserId=norrviks-kommun')).json.items;
  const booked = await h.api('POST', '/api/meetings', {
    dialogueIds: [norrvik],
    kind: 'intro',
    sessions: slots[0]?.sessions,
    pair: { skolverket: 'sv-anna', spsm: 'sp-david' },
    videoLink: 'https://video.example.se/intro-norrvik',
  });
  expect(booked.status).toBe(201);
  meetingId = booked.json.id;
});
afterAll(async () => {
  await browser?.close();
  await h.close();
});

async function login(context: BrowserContext, role: 'Samordnare' | 'Inspektionen', name: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${h.runtime.urls.app}/console/login`);
  await page.getByLabel('Ditt namn').fill(name);
  await page.getByLabel(role, { exact: true }).check();
  await page.getByRole('button', { name: 'Logga in' }).click();
  await page.waitForURL(/\/console(\/inspection)?$/);
  return page;
}

describe('meeting actions as coordinator', () => {
  let context: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    context = await browser.newContext({ locale: 'sv-SE' });
    page = await login(context, 'Samordnare', 'Anna Andersson');
  });
  afterAll(() => context.close());

  it('filters the list by facilitator and phase, with counts per phase at the top', async () => {
    // Assess: the phase counts
    expect(await page.getByRole('link', { name: '2 Inbjudan' }).count()).toBe(1);

    // Act
    await page.getByLabel('Dialogutförare').selectOption('sp-david');
    await page.getByLabel('Fas', { exact: true }).selectOption('invitation');
    await page.getByRole('button', { name: 'Visa' }).click();

    // Assess
    await expect.poll(() => new URL(page.url()).searchParams.get('facilitator')).toBe('sp-david');
    expect(await page.getByRole('link', { name: 'Norrviks kommun' }).count()).toBe(1);
    expect(await page.getByRole('link', { name: 'Solrosens förskola AB' }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'dialogues-filtered');
  });

  it('changes the meeting facilitators after a confirmation, and everyone sees the new pair', async () => {
    // Act
    await page.getByRole('link', { name: 'Norrviks kommun' }).click();
    const meetings = page.getByRole('table', { name: 'Möten' });
    expect(await meetings.getByText('Anna Åström (Skolverket), David Lund (SPSM)').count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('link', { name: /^Byt dialogutförare:/ }).click();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'meeting-reassign');
    await page.getByLabel('Dialogutförare från SPSM').selectOption('sp-eva');
    await page.getByRole('button', { name: 'Byt dialogutförare' }).click();

    // Assess
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Mötet har nya dialogutförare.');
    expect(await page.getByRole('table', { name: 'Möten' }).getByText('Anna Åström (Skolverket), Eva Sjö (SPSM)').count()).toBe(1);
    expect(await page.getByRole('table', { name: 'Historik' }).getByText('Nya dialogutförare').count()).toBe(1);
    expect((await h.mailTo('david@spsm.example.se')).some((m) => m.subject.startsWith('Inställt: Introduktionsmöte'))).toBe(true);
    await screenshot(page, 'dialogue-after-reassign');
  });

  it('moves the meeting to another time', async () => {
    // Prepare: another proposed time, as the form's Stockholm date and times
    const other = (slots.find((s) => s.sessions[0]?.start !== slots[0]?.sessions[0]?.start) as Slot).sessions[0] as {
      start: string;
      end: string;
    };
    const f = sessionFields(other);

    // Act
    await page.getByRole('link', { name: /^Flytta:/ }).click();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('Datum', { exact: true }).fill(f.date);
    await page.getByLabel('Starttid').fill(f.start);
    await page.getByLabel('Sluttid').fill(f.end);
    await page.getByRole('button', { name: 'Flytta mötet' }).click();

    // Assess
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Mötet är flyttat.');
    expect((await h.api('GET', `/api/meetings/${meetingId}`)).json.sessions[0].start).toBe(new Date(other.start).toISOString());
  });

  it('cancels the meeting using the keyboard only', async () => {
    // Act: focus the cancel link and go through the form with Tab and Enter
    await page.getByRole('link', { name: /^Ställ in:/ }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/cancel$/);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'meeting-cancel');
    await page.getByLabel(/Varför ställs mötet in\?/).focus();
    await page.keyboard.type('Huvudmannen har bett om en senare termin.');
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').textContent()).toBe('Ställ in mötet');
    await page.keyboard.press('Enter');

    // Assess
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Mötet är inställt.');
    expect(await page.getByRole('table', { name: 'Möten' }).getByText('Inställt').count()).toBe(1);
  });
});

describe('the inspectorate', () => {
  let context: BrowserContext;
  let page: Page;
  let meetingDay: string;
  beforeAll(async () => {
    // A new meeting for Norrvik, so the imported inspection can clash with it.
    const booked = await h.api('POST', '/api/meetings', {
      dialogueIds: [norrvik],
      kind: 'intro',
      sessions: slots[2]?.sessions,
      pair: slots[2]?.pair,
      videoLink: 'https://video.example.se/intro-norrvik-2',
    });
    expect(booked.status).toBe(201);
    meetingDay = stockholmDate(new Date(slots[2]?.sessions[0]?.start ?? ''));
    context = await browser.newContext({ locale: 'sv-SE' });
    page = await login(context, 'Inspektionen', 'Ivar Inspektör');
  });
  afterAll(() => context.close());

  it('imports inspections: a dry run shows each change by line, then the import, and the clash appears', async () => {
    // Act: paste a file with one good and one bad row
    await page.getByRole('link', { name: /Importera inspektioner/ }).click();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('CSV', { exact: true }).check();
    await page
      .getByLabel('Filens innehåll')
      .fill(
        [
          'Ärendenummer;Orgnr;Typ;Startdatum;Slutdatum',
          `E2E-1;212000-2262;Regelbunden tillsyn;${meetingDay};${addCalendarDays(meetingDay, 1)}`,
          `E2E-2;999999-9999;riktad tillsyn;${meetingDay};`,
        ].join('\n'),
      );
    await page.getByRole('button', { name: 'Förhandsgranska' }).click();

    // Assess: nothing saved yet, line numbers shown
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Förhandsgranskning – inget är sparat än.');
    expect(await page.getByRole('table', { name: 'Det här skulle ändras' }).getByRole('cell', { name: '2', exact: true }).count()).toBe(1);
    expect(
      await page
        .getByRole('table', { name: /Rader med fel/ })
        .getByRole('cell', { name: '3', exact: true })
        .count(),
    ).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'inspection-import-preview');

    // Act: confirm
    await page.getByRole('button', { name: 'Importera 1 inspektion' }).click();

    // Assess
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Importen är klar.');
    expect(await page.getByRole('status').textContent()).toContain('1 dialog fick en krock.');
    await page.getByRole('link', { name: 'Visa kalendern' }).click();
    await page.getByLabel('Till', { exact: true }).fill(addCalendarDays(meetingDay, 5));
    await page.getByRole('button', { name: 'Visa' }).click();
    expect(await page.getByRole('table', { name: 'Inspektionskalender' }).getByText('E2E-1').count()).toBe(1);
    expect(await page.getByRole('table', { name: 'Krockar' }).getByRole('cell', { name: 'Norrviks kommun' }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'inspection-calendar');
  });
});

describe('live progress of a bulk start', () => {
  /** Creates organisers "Bulkby <from..to> kommun" and starts them from the console; returns the progress page. */
  async function startBulk(context: BrowserContext, from: number, to: number): Promise<Page> {
    for (let i = from; i <= to; i++) {
      const n = String(i).padStart(2, '0');
      const r = await h.api('POST', '/api/organisers', {
        id: `e2e-bulk-${n}`,
        orgNumber: `212000-20${n}`,
        name: `Bulkby ${n} kommun`,
        legalForm: 'kommun',
        municipality: `Bulkby ${n}`,
        countyCode: '14',
        schoolForms: ['grundskola'],
        children: 100 * i,
        contacts: [{ role: 'board', name: 'Nämnden', email: `namnden${n}@bulkby.example.se` }],
      });
      expect(r.status).toBeLessThan(300);
    }
    const page = await login(context, 'Samordnare', 'Anna Andersson');
    await page.getByRole('link', { name: 'Starta dialoger' }).click();
    for (let i = from; i <= to; i++) await page.getByLabel(`Bulkby ${String(i).padStart(2, '0')} kommun`, { exact: true }).check();
    await page.getByRole('button', { name: 'Gå vidare' }).click();
    await page.getByRole('button', { name: `Starta ${to - from + 1} dialoger` }).click();
    await page.waitForURL(/\/console\/start\/[\w-]+$/);
    return page;
  }

  it('updates the bar, the counts and the table in place with the small script, without reloading', async () => {
    // Prepare
    const context = await browser.newContext({ locale: 'sv-SE' });
    const page = await startBulk(context, 1, 12);
    let navigations = 0;
    page.on('framenavigated', () => navigations++);
    expect(await page.getByRole('status').textContent()).toContain('7 återstår.');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'start-progress');

    // Act: the scheduler's tick starts the rest while the script polls
    await h.runtime.tick();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 15_000 }).toContain('12 dialoger startade');

    // Assess
    expect(navigations).toBe(0);
    expect(await page.locator('#framsteg').getAttribute('value')).toBe('12');
    expect(await page.getByRole('table', { name: 'Varje huvudman' }).getByRole('link').count()).toBe(12);
    expect(await page.getByRole('link', { name: 'Till dialogerna' }).isVisible()).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });

  it('reloads itself to the end without script', async () => {
    // Prepare
    const context = await browser.newContext({ javaScriptEnabled: false, locale: 'sv-SE' });
    const page = await startBulk(context, 13, 24);

    // Act + Assess: the tick starts the rest; the <noscript> refresh shows it
    await h.runtime.tick();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 20_000 }).toContain('12 dialoger startade');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Resultat');
    await context.close();
  });
});
