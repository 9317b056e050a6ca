/**
 * The inspectorate's console page against the embedded runtime: the calendar import (a dry run
 * showing every change and bad row by line number, then the confirmed import, then the same file
 * again as a no-op), the calendar by period, region and organiser, and the conflicts it causes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCalendarDays, stockholmDate } from '#core/calendar.ts';
import { addFacilitators } from '../support/facilitators.ts';
import { Harness } from '../support/local.ts';

const h = new Harness();
const app = (path: string) => `${h.runtime.urls.app}${path}`;
let inspectorate: string;
let coordinator: string;
let today: string;
/** The day of the intro meeting booked for Norrvik: the imported inspection clashes with it. */
let meetingDay: string;
let csv: string;

async function session(role: 'coordinator' | 'inspectorate'): Promise<string> {
  const r = await fetch(app('/console/login'), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ name: role === 'inspectorate' ? 'Ivar Inspektör' : 'Sara', role }).toString(),
  });
  return (r.headers.get('set-cookie') ?? '').split(';')[0] as string;
}
const get = async (path: string, cookie: string) => {
  const r = await fetch(app(path), { headers: { cookie } });
  return { status: r.status, html: await r.text() };
};
const post = async (path: string, cookie: string, data: Record<string, string>) => {
  const r = await fetch(app(path), {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(data).toString(),
  });
  return { status: r.status, html: await r.text() };
};
const hidden = (html: string) =>
  Object.fromEntries([...html.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)].map((m) => [m[1], decode(m[2] ?? '')]));
const decode = (s: string) =>
  s
    .replaceAll('&#x3D;', '=')
    .replaceAll('&quot;', '"')
    .replaceAll('&#x27;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
/** The rows of the table with this caption prefix, as cell texts. */
const tableRows = (html: string, caption: string): string[][] => {
  const table = html.split('<table').find((t) => t.includes(`<caption>${caption}`)) ?? '';
  const body = table.split('<tbody>')[1]?.split('</tbody>')[0] ?? '';
  return [...body.matchAll(/<tr>(.*?)<\/tr>/gs)].map((r) =>
    [...(r[1] ?? '').matchAll(/<td[^>]*>(.*?)<\/td>/gs)].map((c) => (c[1] ?? '').replace(/<[^>]+>/g, '').trim()),
  );
};

beforeAll(async () => {
  await h.start();
  today = stockholmDate(h.runtime.clock.now());
  const dialogueId = await h.invite('norrviks-kommun');
  await addFacilitators(h, ['sv-anna', 'sp-david']);
  const slot = (await h.api('GET', '/api/slot-proposals?kind=intro&organiserId=norrviks-kommun')).json.items[0];
  const booked = await h.api('POST', '/api/meetings', {
    dialogueIds: [dialogueId],
    kind: 'intro',
    sessions: slot.sessions,
    pair: slot.pair,
    videoLink: 'https://video.example.se/intro',
  });
  expect(booked.status).toBe(201);
  meetingDay = stockholmDate(new Date(slot.sessions[0].start));
  [inspectorate, coordinator] = [await session('inspectorate'), await session('coordinator')];
  csv = [
    'Ärendenummer;Orgnr;Typ;Startdatum;Slutdatum;Status',
    `KONS-1;212000-2262;Regelbunden tillsyn;${meetingDay};${addCalendarDays(meetingDay, 2)};bekräftad`,
    `KONS-2;769600-1234;kvalitetsgranskning;${addCalendarDays(today, 30)};${addCalendarDays(today, 31)};planerad`,
    `KONS-3;556000-0009;riktad tillsyn;${addCalendarDays(today, 5)};;`,
  ].join('\n');
});
afterAll(async () => {
  await h.close();
});

describe('inspection import in the console', () => {
  it('previews every change and every bad row by line number, and writes nothing', async () => {
    // Prepare
    const form = hidden((await get('/console/inspection/import', inspectorate)).html);

    // Act
    const r = await post('/console/inspection/import', inspectorate, { ...form, format: 'text/csv', content: csv });

    // Assess
    expect(r.status).toBe(200);
    expect(r.html).toContain('Förhandsgranskning – inget är sparat än.');
    expect(tableRows(r.html, 'Det här skulle ändras')).toEqual([
      ['2', 'KONS-1', 'norrviks-kommun', 'Ny'],
      ['3', 'KONS-2', 'ekbackens-ekonomiska-forening', 'Ny'],
    ]);
    expect(tableRows(r.html, 'Rader med fel').map((row) => row[0])).toEqual(['4']);
    expect(
      (await h.api('GET', '/api/inspections?organiserId=norrviks-kommun', undefined, h.runtime.tokens.inspectorate)).json.items,
    ).toEqual([]);
  });

  it('imports after the confirmation, flags the clash, and the same file again changes nothing', async () => {
    // Prepare
    const start = hidden((await get('/console/inspection/import', inspectorate)).html);
    const preview = await post('/console/inspection/import', inspectorate, { ...start, format: 'text/csv', content: csv });
    const confirm = hidden(preview.html);

    // Act
    const run = await post('/console/inspection/import', inspectorate, confirm);
    const again = await post('/console/inspection/import', inspectorate, confirm);

    // Assess
    expect(confirm.step).toBe('run');
    expect(run.html).toContain(
      'Importen är klar.</strong> 2 nya, 0 ändrade, 0 oförändrade, 1 rader med fel hoppades över. 1 dialoger fick en krock.',
    );
    expect(again.html).toContain('0 nya, 0 ändrade, 2 oförändrade');
    const items = (await h.api('GET', '/api/inspections?organiserId=norrviks-kommun', undefined, h.runtime.tokens.inspectorate)).json.items;
    expect(items.map((i: { externalId: string; updatedBy: string }) => [i.externalId, i.updatedBy])).toEqual([
      ['KONS-1', expect.stringContaining('Ivar Inspektör')],
    ]);
  });

  it('refuses a bad format or an empty paste with a Swedish message', async () => {
    const form = hidden((await get('/console/inspection/import', inspectorate)).html);
    expect((await post('/console/inspection/import', inspectorate, { ...form, format: 'text/plain', content: csv })).status).toBe(400);
    const empty = await post('/console/inspection/import', inspectorate, { ...form, format: 'text/csv', content: ' ' });
    expect(empty.status).toBe(400);
    expect(empty.html).toContain('Klistra in filens innehåll.');
  });
});

describe('the calendar and its conflicts', () => {
  const period = () => `from=${today}&to=${addCalendarDays(today, 60)}`;

  it('lists the calendar by period, and narrows it by region and by organiser', async () => {
    const all = tableRows((await get(`/console/inspection?${period()}`, inspectorate)).html, '2 inspektioner');
    const syd = tableRows((await get(`/console/inspection?${period()}&region=syd`, inspectorate)).html, '1 inspektioner');
    const one = tableRows((await get(`/console/inspection?${period()}&organiser=212000-2262`, inspectorate)).html, '1 inspektioner');
    const later = await get(`/console/inspection?from=${addCalendarDays(today, 40)}&to=${addCalendarDays(today, 50)}`, inspectorate);

    expect(all.map((r) => r[0])).toEqual(['Norrviks kommun', 'Ekbackens skola ekonomisk förening']);
    expect(all[0]?.slice(2, 7)).toEqual(['Regelbunden tillsyn', '', meetingDay, addCalendarDays(meetingDay, 2), 'Bekräftad']);
    expect(syd.map((r) => r[0])).toEqual(['Ekbackens skola ekonomisk förening']);
    expect(one.map((r) => r[0])).toEqual(['Norrviks kommun']);
    expect(later.html).toContain('Inga inspektioner under perioden.');
  });

  it('shows the clash with the booked meeting to both roles; the calendar and import only to the inspectorate', async () => {
    const asInspectorate = await get(`/console/inspection?${period()}`, inspectorate);
    const asCoordinator = await get(`/console/inspection?${period()}`, coordinator);

    for (const page of [asInspectorate, asCoordinator]) {
      const conflicts = tableRows(page.html, '1 krockar');
      expect(conflicts.map((r) => [r[0], r[2], r[3]?.startsWith('Möte')])).toEqual([
        ['Norrviks kommun', `Regelbunden tillsyn ${meetingDay}–${addCalendarDays(meetingDay, 2)}`, true],
      ]);
    }
    expect(asCoordinator.html).not.toContain('Inspektionskalender');
    expect((await get('/console/inspection/import', coordinator)).status).toBe(403);
  });

  it('explains a bad period with a 400 instead of failing, and shows no other period instead', async () => {
    for (const query of [`from=${today}&to=${addCalendarDays(today, -1)}`, 'from=2026-02-30', 'form=2026-03-01']) {
      const r = await get(`/console/inspection?${query}`, inspectorate);
      expect(r.status, query).toBe(400);
      expect(r.html).toContain('Urvalet kunde inte användas');
      expect(r.html, query).toContain('0 inspektioner');
    }
    const r = await get(`/console/inspection?from=${today}&to=${addCalendarDays(today, -1)}`, inspectorate);
    expect(r.html).toContain('Slutdatumet ligger före startdatumet.');
  });
});
