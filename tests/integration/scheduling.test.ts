/** Facilitators, their blocks, group intro sessions and slot proposals over the real local runtime. */
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../support/local.ts';

const h = new Harness();
beforeAll(async () => {
  await h.start();
});
afterAll(async () => {
  await h.close();
});

const facilitators = [
  { id: 'sv-anna', name: 'Anna Åström', agency: 'skolverket', office: 'Härnösand', email: 'anna@skolverket.example.se' },
  { id: 'sv-bengt', name: 'Bengt Öberg', agency: 'skolverket', office: 'Solna', email: 'bengt@skolverket.example.se' },
  { id: 'sp-david', name: 'David Lund', agency: 'spsm', office: 'Härnösand', email: 'david@spsm.example.se' },
  { id: 'sp-eva', name: 'Eva Sjö', agency: 'spsm', office: 'Solna', email: 'eva@spsm.example.se' },
];
interface Slot {
  pair: { skolverket: string; spsm: string };
  sessions: { start: string; end: string }[];
}
const overlaps = (a: { start: string; end: string }, b: { start: string; end: string }) =>
  Date.parse(a.start) < Date.parse(b.end) && Date.parse(b.start) < Date.parse(a.end);
const calendarOf = async (id: string) => (await h.api('GET', `/api/facilitators/${id}`)).json.calendar as { ref: string; source: string }[];

describe('scheduling API', () => {
  let booked: Slot;
  let spare: Slot;

  it('registers facilitators of both agencies (201 new, 200 updated) and rejects bad ones with nothing written', async () => {
    for (const f of facilitators) expect((await h.api('POST', '/api/facilitators', f)).status).toBe(201);
    const again = await h.api('POST', '/api/facilitators', { ...facilitators[0], office: 'Solna' });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ id: 'sv-anna', office: 'Solna', active: true, calendar: [] });
    await h.api('POST', '/api/facilitators', facilitators[0]);

    const bad = await h.api('POST', '/api/facilitators', { ...facilitators[0], id: 'si-karin', agency: 'skolinspektionen' });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toContain("agency must be 'skolverket' or 'spsm'");
    const list = await h.api('GET', '/api/facilitators');
    expect(list.json.items.map((f: { id: string }) => f.id)).toEqual(['sv-anna', 'sv-bengt', 'sp-david', 'sp-eva']);
  });

  it('proposes 3 intro slots, each for one Skolverket and one SPSM facilitator, on working days', async () => {
    const r = await h.api('GET', '/api/slot-proposals?kind=intro');
    expect(r.status).toBe(200);
    expect(r.json.items).toHaveLength(3);
    for (const slot of r.json.items as Slot[]) {
      expect(slot.pair.skolverket).toMatch(/^sv-/);
      expect(slot.pair.spsm).toMatch(/^sp-/);
      const start = DateTime.fromISO(slot.sessions[0]!.start, { zone: 'Europe/Stockholm' });
      expect(start.weekday).toBeLessThanOrEqual(5);
      expect(Date.parse(slot.sessions[0]!.end) - Date.parse(slot.sessions[0]!.start)).toBe(90 * 60_000);
    }
    booked = r.json.items[0];
    spare = r.json.items[1];
    expect((await h.api('GET', '/api/slot-proposals?kind=intro&count=9')).status).toBe(400);
    expect((await h.api('GET', '/api/slot-proposals?kind=intro&sessions=2')).json.message).toContain('cannot be split');
  });

  it('creates a group intro session and books its pair', async () => {
    // Act
    const r = await h.api('POST', '/api/intro-sessions', {
      region: 'mitt',
      start: booked.sessions[0]!.start,
      videoLink: 'https://video.example.se/intro-mitt',
      capacity: 6,
      audience: 'municipal',
      pair: booked.pair,
    });
    // Assess
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ region: 'mitt', capacity: 6, status: 'open', dialogueIds: [], end: booked.sessions[0]!.end });
    for (const id of [booked.pair.skolverket, booked.pair.spsm]) {
      expect(await calendarOf(id)).toEqual([expect.objectContaining({ source: 'booking', ref: r.json.id })]);
    }
    expect((await h.api('GET', '/api/intro-sessions?region=mitt')).json.items).toHaveLength(1);
    expect((await h.api('GET', '/api/intro-sessions?region=syd')).json.items).toHaveLength(0);
  });

  it('refuses to double-book the pair (409) and leaves neither calendar changed', async () => {
    const before = await Promise.all([calendarOf(booked.pair.skolverket), calendarOf(booked.pair.spsm)]);
    const r = await h.api('POST', '/api/intro-sessions', {
      region: 'stockholm',
      start: booked.sessions[0]!.start,
      videoLink: 'https://video.example.se/intro-2',
      pair: booked.pair,
    });
    expect(r.status).toBe(409);
    expect(r.json.message).toContain('är inte ledig då');
    expect(await Promise.all([calendarOf(booked.pair.skolverket), calendarOf(booked.pair.spsm)])).toEqual(before);
    expect((await h.api('GET', '/api/intro-sessions')).json.items).toHaveLength(1);
  });

  it('takes back the first booking when only the second facilitator is busy', async () => {
    // Prepare: the same Skolverket facilitator is free, but pair it with the busy SPSM one via the other sv
    const other = facilitators.find((f) => f.agency === 'skolverket' && f.id !== booked.pair.skolverket)!.id;
    const before = await calendarOf(other);
    // Act
    const r = await h.api('POST', '/api/intro-sessions', {
      region: 'mitt',
      start: booked.sessions[0]!.start,
      videoLink: 'https://video.example.se/intro-3',
      pair: { skolverket: other, spsm: booked.pair.spsm },
    });
    // Assess
    expect(r.status).toBe(409);
    expect(await calendarOf(other)).toEqual(before);
  });

  it.each([
    ['two Skolverket facilitators', { pair: { skolverket: 'sv-anna', spsm: 'sv-bengt' } }, "facilitator 'sv-bengt' is not from SPSM"],
    ['an unknown facilitator', { pair: { skolverket: 'sv-okand', spsm: 'sp-eva' } }, "facilitator 'sv-okand' does not exist"],
    ['a Saturday', { weekday: 6 }, 'är ingen arbetsdag (helg)'],
    ['an evening', { time: '17:00' }, 'inom kontorstiden'],
    ['an unknown region', { region: 'lappland' }, 'region must be one of'],
    ['an http video link', { videoLink: 'http://video.example.se/x' }, 'videoLink must be an https URL'],
  ])('rejects an intro session with %s (400, nothing written)', async (_, change, message) => {
    // Prepare: a working day the search found free (so only the named problem can fail it)
    const free = DateTime.fromISO(spare.sessions[0]!.start, { zone: 'Europe/Stockholm' });
    const { weekday, time, ...rest } = change as { weekday?: 6; time?: string };
    const day = weekday ? free.set({ weekday }) : free;
    const start = time ? DateTime.fromISO(`${day.toISODate()}T${time}`, { zone: 'Europe/Stockholm' }).toISO() : day.toISO();
    const r = await h.api('POST', '/api/intro-sessions', {
      region: 'mitt',
      start,
      videoLink: 'https://video.example.se/x',
      pair: { skolverket: 'sv-bengt', spsm: 'sp-eva' },
      ...rest,
    });
    expect(r.status).toBe(400);
    expect(r.json.message).toContain(message);
    expect((await h.api('GET', '/api/intro-sessions')).json.items).toHaveLength(1);
  });

  it('records a facilitator block, refuses one over a booking, and proposals avoid both', async () => {
    // Prepare: block the SPSM facilitator of the booked pair for the next five weeks
    const now = h.runtime.clock.now();
    const block = await h.api('POST', `/api/facilitators/${booked.pair.spsm}/blocks`, {
      start: new Date(Date.parse(booked.sessions[0]!.end) + 3_600_000).toISOString(),
      end: new Date(now.getTime() + 35 * 86_400_000).toISOString(),
      reason: 'Tjänsteresa',
    });
    expect(block.status).toBe(201);
    const over = await h.api('POST', `/api/facilitators/${booked.pair.spsm}/blocks`, {
      start: booked.sessions[0]!.start,
      end: booked.sessions[0]!.end,
    });
    expect(over.status).toBe(409);
    expect(over.json.message).toContain('overlaps booking');
    // Act
    const r = await h.api('GET', `/api/slot-proposals?kind=intro&count=5&skolverket=${booked.pair.skolverket}&spsm=${booked.pair.spsm}`);
    // Assess
    expect(r.json.items).toHaveLength(5);
    for (const slot of r.json.items as Slot[]) {
      const s = slot.sessions[0]!;
      if (slot.pair.spsm === booked.pair.spsm) {
        expect(overlaps(s, { start: block.json.start, end: block.json.end })).toBe(false);
      }
      if (slot.pair.skolverket === booked.pair.skolverket || slot.pair.spsm === booked.pair.spsm) {
        expect(overlaps(s, booked.sessions[0]!)).toBe(false);
      }
    }
  });

  it('books a pair exactly once when five coordinators ask for the same time at once', async () => {
    // Prepare: a free time for the Solna pair
    const [slot] = (await h.api('GET', '/api/slot-proposals?kind=intro&nearOffice=Solna')).json.items as Slot[];
    const body = (i: number) => ({
      region: 'stockholm',
      start: slot!.sessions[0]!.start,
      videoLink: `https://video.example.se/p${i}`,
      pair: slot!.pair,
    });
    // Act
    const results = await Promise.all([0, 1, 2, 3, 4].map((i) => h.api('POST', '/api/intro-sessions', body(i))));
    // Assess
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    for (const id of [slot!.pair.skolverket, slot!.pair.spsm]) {
      const bookings = (await calendarOf(id)).filter((c) => c.source === 'booking');
      expect(bookings.filter((c) => c.ref === results.find((r) => r.status === 201)!.json.id)).toHaveLength(1);
    }
    expect((await h.api('GET', '/api/intro-sessions?region=stockholm')).json.items).toHaveLength(1);
  });

  it('keeps facilitators, calendars and intro sessions across a restart', async () => {
    const before = await h.api('GET', '/api/facilitators');
    await h.restart();
    expect((await h.api('GET', '/api/facilitators')).json).toEqual(before.json);
    expect((await h.api('GET', '/api/intro-sessions?region=mitt')).json.items).toHaveLength(1);
  });
});
