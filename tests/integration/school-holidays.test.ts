/**
 * The default school holiday weeks and a coordinator's changes to them, on the embedded runtime
 * with the defaults on and the clock moved to ten days before sportlov week 8: proposals for a
 * Skåne organiser skip week 8 and a Stockholm organiser's skip week 9; a booking in a holiday is
 * refused; a coordinator removes a week in the console and the proposals use it again; resetting
 * brings the default back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stockholmDay } from '#core/inspection.ts';
import { isoWeekMonday } from '#core/school-holidays.ts';
import { ConsoleClient } from '../support/console.ts';
import { addOrganiser } from '../support/drive.ts';
import { addFacilitators } from '../support/facilitators.ts';
import { Harness } from '../support/local.ts';

const h = new Harness();
const console_ = new ConsoleClient(h);
let year: number;
const weekOf = (n: number) => {
  const monday = isoWeekMonday(year, n);
  return { from: monday.toISOString().slice(0, 10), to: new Date(monday.getTime() + 4 * 86_400_000).toISOString().slice(0, 10) };
};
interface Slot {
  pair: { skolverket: string; spsm: string };
  sessions: { start: string; end: string }[];
}
const proposals = async (organiserId?: string): Promise<Slot[]> => {
  const r = await h.api('GET', `/api/slot-proposals?kind=intro&count=5${organiserId ? `&organiserId=${organiserId}` : ''}`);
  expect(r.status, r.text).toBe(200);
  return r.json.items;
};
const inWeek = (slots: Slot[], n: number) => {
  const w = weekOf(n);
  return slots.filter((s) => s.sessions.some((x) => stockholmDay(new Date(x.start)) >= w.from && stockholmDay(new Date(x.start)) <= w.to));
};

beforeAll(async () => {
  await h.start({ schoolHolidayDefaults: true });
  await addFacilitators(h, ['sv-anna', 'sp-david']);
  await addOrganiser(h, 'skane', { countyCode: '12' });
  await addOrganiser(h, 'stockholm', { countyCode: '01' });
  // Move the clock to ten days before sportlov week 8 (intro meetings are offered ten days ahead)
  const now = h.runtime.clock.now();
  year = now.getUTCFullYear();
  const target = () => isoWeekMonday(year, 8).getTime() - 10 * 86_400_000 + 6 * 3_600_000;
  if (target() < now.getTime() + 86_400_000) year++;
  const days = Math.ceil((target() - now.getTime()) / 86_400_000);
  expect((await h.advance(`P${days}D`)).status).toBe(200);
  await console_.login('Sara Samordnare');
});
afterAll(async () => {
  await h.close();
});

describe('school holidays', () => {
  it('offers no time in the sportlov week of the organiser’s county, but in the other weeks', async () => {
    const skane = await proposals('skane');
    const stockholm = await proposals('stockholm');
    expect(inWeek(skane, 8)).toEqual([]);
    expect(inWeek(stockholm, 9)).toEqual([]);
    expect(inWeek(stockholm, 8).length).toBeGreaterThan(0);
    expect(inWeek(await proposals(), 8).length).toBeGreaterThan(0);
  });

  it('refuses a booking in a holiday with the reason', async () => {
    // Prepare: a time in week 8 (free for a Stockholm organiser), for a Skåne organiser's dialogue
    const [slot] = inWeek(await proposals('stockholm'), 8);
    const r = await h.api('POST', '/api/dialogues', { organiserId: 'skane' });

    // Act
    const booked = await h.api('POST', '/api/meetings', {
      dialogueIds: [r.json.id],
      kind: 'intro',
      sessions: slot?.sessions,
      pair: slot?.pair,
      videoLink: 'https://video.example.se/lov',
    });

    // Assess
    expect(booked.status).toBe(400);
    expect(booked.json.message).toContain('är ingen arbetsdag (sportlov vecka 8)');
  });

  it('lets a coordinator remove a week in the console, and reset the year to the default weeks', async () => {
    // Prepare
    const path = `/console/school-holidays?year=${year}`;
    const page = await console_.get(path);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Standardveckorna gäller');
    const fields = ConsoleClient.hiddenFields(page.html, '/console/school-holidays');
    const row = /name="name-(\d+)" value="sportlov vecka 8"/.exec(page.html)?.[1] as string;
    const dates = Object.fromEntries([...page.html.matchAll(/name="((?:from|to)-\d+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const counties = Object.fromEntries([...page.html.matchAll(/name="(counties-\d+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const names = Object.fromEntries([...page.html.matchAll(/name="(name-\d+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]));

    // Act: week 8's dates emptied
    const saved = await console_.post('/console/school-holidays', {
      ...fields,
      ...dates,
      ...counties,
      ...names,
      [`from-${row}`]: '',
      [`to-${row}`]: '',
    });
    const afterSave = await proposals('skane');
    const changed = await console_.get(path);
    const reset = await console_.post('/console/school-holidays', {
      ...ConsoleClient.hiddenFields(changed.html, '/console/school-holidays'),
      do: 'reset',
    });

    // Assess
    expect(saved.location).toBe(`/console/school-holidays?year=${year}&klart=sparat`);
    expect(inWeek(afterSave, 8).length).toBeGreaterThan(0);
    expect(changed.html).toContain('Ändrade av Sara Samordnare (samordnare)');
    expect(changed.html).not.toContain('value="sportlov vecka 8"');
    expect(reset.location).toBe(`/console/school-holidays?year=${year}&klart=aterstallt`);
    expect(inWeek(await proposals('skane'), 8)).toEqual([]);
  });

  it('refuses dates outside the year with a Swedish message', async () => {
    const page = await console_.get(`/console/school-holidays?year=${year}`);
    const r = await console_.post('/console/school-holidays', {
      ...ConsoleClient.hiddenFields(page.html, '/console/school-holidays'),
      count: '0',
      'name-new': 'studiedag',
      'from-new': `${year + 1}-03-01`,
      'to-new': `${year + 1}-03-01`,
    });
    expect(r.status).toBe(400);
    expect(r.html).toContain(`studiedag ligger inte i ${year}.`);
  });
});
