/**
 * Scheduling meets the inspection calendar over the real local runtime: slot proposals for an
 * organiser never clash with its inspections, a booking or move into a clash is refused with
 * nothing written, and a booked meeting is a planned date that a late inspection flags (and a
 * cancelled inspection or meeting clears), even when the inspection is saved mid-booking.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCalendarDays, stockholmDay } from '#core/inspection.ts';
import { createMeeting } from '#functions/use-cases/meetings.ts';
import { Harness, organiser } from '../support/local.ts';

const h = new Harness();
const inspectorate = () => h.runtime.tokens.inspectorate;

interface Slot {
  pair: { skolverket: string; spsm: string };
  sessions: { start: string; end: string }[];
}
const dayOf = (iso: string) => stockholmDay(new Date(iso));
const daysOf = (slot: Slot) => slot.sessions.map((s) => dayOf(s.start));
const proposals = async (query: string) => {
  const r = await h.api('GET', `/api/slot-proposals?${query}`);
  expect(r.status, r.text).toBe(200);
  return r.json.items as Slot[];
};
const putInspection = async (externalId: string, orgNumber: string, start: string, end = start, status = 'confirmed') => {
  const r = await h.api(
    'PUT',
    `/api/inspections/${externalId}`,
    { orgNumber, kind: 'regular_supervision', start, end, status },
    inspectorate(),
  );
  expect(r.status, r.text).toBeLessThan(300);
  return r.json as { flaggedDialogues?: number; clearedDialogues?: number };
};
/** True when some day of the slot lies within `buffer` calendar days of the inspection [from, to]. */
const within = (slot: Slot, from: string, to: string, buffer: number) =>
  daysOf(slot).some((d) => d >= addCalendarDays(from, -buffer) && d <= addCalendarDays(to, buffer));
/** A dialogue of organiser 1, whose inspections the first tests put in place. */
let orgOneDialogue: string;
const calendarOf = async (id: string) => (await h.api('GET', `/api/facilitators/${id}`)).json.calendar as unknown[];

beforeAll(async () => {
  await h.start();
  for (const f of [
    { id: 'sv-anna', name: 'Anna Åström', agency: 'skolverket', office: 'Malmö', email: 'anna@skolverket.example.se' },
    { id: 'sp-david', name: 'David Lund', agency: 'spsm', office: 'Malmö', email: 'david@spsm.example.se' },
  ]) {
    expect((await h.api('POST', '/api/facilitators', f)).status).toBe(201);
  }
  for (const n of [1, 2, 3]) {
    const o = organiser({
      id: `clash-org-${n}`,
      orgNumber: `556100-000${n}`,
      name: `Krockvikens huvudman ${n} AB`,
      legalForm: 'aktiebolag',
    });
    expect((await h.api('POST', '/api/organisers', o)).status).toBe(201);
  }
});
afterAll(async () => {
  await h.close();
});

describe('slot proposals avoid the organiser’s inspections', () => {
  it('proposes no dialogue meeting within 14 days, and no digital meeting within 3 days, of an inspection', async () => {
    // Prepare: the inspections sit on the days the proposals would otherwise take
    const plainPhysical = await proposals('kind=dialogue');
    const plainDigital = await proposals('kind=pre_meeting');
    const first = daysOf(plainPhysical[0]!)[0]!;
    const firstDigital = daysOf(plainDigital[0]!)[0]!;
    const inspections = [
      { id: 'SI-P0', from: firstDigital, to: firstDigital },
      { id: 'SI-P1', from: first, to: addCalendarDays(first, 1) },
      { id: 'SI-P2', from: addCalendarDays(first, 30), to: addCalendarDays(first, 30) },
    ];
    for (const i of inspections) await putInspection(i.id, '556100-0001', i.from, i.to);
    expect(plainPhysical.some((s) => inspections.some((i) => within(s, i.from, i.to, 14)))).toBe(true);
    expect(plainDigital.some((s) => inspections.some((i) => within(s, i.from, i.to, 3)))).toBe(true);
    orgOneDialogue = await h.invite('clash-org-1');
    const dialogueId = orgOneDialogue;

    // Act
    const physical = await proposals('kind=dialogue&organiserId=clash-org-1&count=5');
    const split = await proposals(`kind=dialogue&sessions=2&dialogueIds=${dialogueId}`);
    const digital = await proposals(`kind=pre_meeting&dialogueIds=${dialogueId}`);

    // Assess: as many proposals as asked for, none within the buffers, and the clash check agrees
    expect(physical).toHaveLength(5);
    expect(split).toHaveLength(3);
    expect(digital).toHaveLength(3);
    for (const slot of [...physical, ...split]) {
      for (const i of inspections) expect(within(slot, i.from, i.to, 14), `${daysOf(slot)} near ${i.id}`).toBe(false);
    }
    expect(daysOf(physical[0]!)[0]! > addCalendarDays(inspections[2]!.to, 14)).toBe(true);
    for (const slot of digital) {
      for (const i of inspections) expect(within(slot, i.from, i.to, 3), `${daysOf(slot)} near ${i.id}`).toBe(false);
    }
    for (const [kind, slots] of [
      ['physical_meeting', [...physical, ...split]],
      ['digital_meeting', digital],
    ] as const) {
      for (const slot of slots) {
        const check = await h.api('POST', '/api/schedule/check', {
          organiserId: 'clash-org-1',
          kind,
          start: slot.sessions[0]!.start,
          end: slot.sessions.at(-1)!.end,
        });
        expect(check.json).toEqual({ ok: true });
      }
    }
  });

  it('rejects an unknown organiser or dialogue (404) and both at once (400)', async () => {
    expect((await h.api('GET', '/api/slot-proposals?kind=dialogue&organiserId=no-such-org')).status).toBe(404);
    expect((await h.api('GET', '/api/slot-proposals?kind=dialogue&dialogueIds=dlg-nope')).status).toBe(404);
    const both = await h.api('GET', '/api/slot-proposals?kind=dialogue&organiserId=clash-org-1&dialogueIds=dlg-nope');
    expect(both.status).toBe(400);
    expect(both.json.message).toContain('give organiserId or dialogueIds, not both');
  });
});

describe('booked meetings and the inspection calendar', () => {
  let dialogueId: string;
  let meetingId: string;
  let slot: Slot;
  const location = 'Krockvikens skola, Storgatan 1, Lund';

  it('refuses to book a time that clashes (409 in Swedish) and leaves nothing behind', async () => {
    // Prepare: organiser 1's inspections block the plain proposals' first day
    const [near] = await proposals('kind=dialogue');
    const inOne = orgOneDialogue;
    // Act
    const r = await h.api('POST', '/api/meetings', {
      dialogueIds: [inOne],
      kind: 'dialogue',
      sessions: near!.sessions,
      pair: near!.pair,
      location,
    });
    // Assess
    expect(r.status).toBe(409);
    expect(r.json.message).toMatch(
      /^Tiden krockar med Skolinspektionens kalender\. Fysiskt dialogmöte .* ligger inom 14 dagar från Skolinspektionens regelbundna tillsyn/,
    );
    expect(await calendarOf('sv-anna')).toEqual([]);
    expect(await calendarOf('sp-david')).toEqual([]);
    expect((await h.api('GET', `/api/dialogues/${inOne}/meetings`)).json.items).toEqual([]);
  });

  it('books a physical dialogue meeting that a late inspection 5 days before flags; cancelling the inspection clears it', async () => {
    // Prepare
    dialogueId = await h.invite('clash-org-2');
    [slot] = (await proposals(`kind=dialogue&dialogueIds=${dialogueId}`)) as [Slot];
    const booked = await h.api('POST', '/api/meetings', {
      dialogueIds: [dialogueId],
      kind: 'dialogue',
      sessions: slot.sessions,
      pair: slot.pair,
      location,
    });
    expect(booked.status, booked.text).toBe(201);
    meetingId = booked.json.id;
    const fiveDaysBefore = addCalendarDays(daysOf(slot)[0]!, -5);

    // Act
    const put = await putInspection('SI-LATE', '556100-0002', fiveDaysBefore);

    // Assess
    expect(put.flaggedDialogues).toBe(1);
    expect((await h.dialogue(dialogueId)).conflict).toMatchObject({
      step: `meeting:${meetingId}`,
      kind: 'physical_meeting',
      plannedStart: new Date(slot.sessions[0]!.start).toISOString(),
      inspectionId: 'SI-LATE',
      rule: 'physical_meeting_near_inspection',
    });

    // Act: the inspectorate cancels the inspection
    const cancelled = await putInspection('SI-LATE', '556100-0002', fiveDaysBefore, fiveDaysBefore, 'cancelled');

    // Assess
    expect(cancelled.clearedDialogues).toBe(1);
    const dialogue = await h.dialogue(dialogueId);
    expect(dialogue.conflict).toBeUndefined();
    expect(dialogue.history.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['meeting_booked', 'conflict_flagged', 'conflict_cleared']),
    );
  });

  it('refuses to move the meeting into a clash (nothing changes), moves it to a free time, and the planned date follows', async () => {
    // Prepare: an inspection right after the meeting flags it again
    const after = addCalendarDays(daysOf(slot)[0]!, 3);
    expect((await putInspection('SI-AFTER', '556100-0002', after)).flaggedDialogues).toBe(1);
    const calendarBefore = await calendarOf('sv-anna');

    // Act: a working time the pair is free at, but within 14 days of it
    const near = (await proposals('kind=dialogue&count=5')).find((s) => daysOf(s)[0] !== daysOf(slot)[0] && within(s, after, after, 14));
    expect(near).toBeDefined();
    const refused = await h.api('POST', `/api/meetings/${meetingId}/reschedule`, { sessions: near!.sessions, pair: near!.pair });

    // Assess
    expect(refused.status).toBe(409);
    expect(refused.json.message).toContain('ligger inom 14 dagar från Skolinspektionens regelbundna tillsyn');
    expect((await h.api('GET', `/api/meetings/${meetingId}`)).json.sequence).toBe(0);
    expect(await calendarOf('sv-anna')).toEqual(calendarBefore);

    // Act: move it to a proposal that is free of the calendar
    const [free] = await proposals(`kind=dialogue&dialogueIds=${dialogueId}`);
    const moved = await h.api('POST', `/api/meetings/${meetingId}/reschedule`, { sessions: free!.sessions, pair: free!.pair });

    // Assess: moved, the flag cleared, and an inspection near the new date (not the old) flags it
    expect(moved.status, moved.text).toBe(200);
    expect((await h.dialogue(dialogueId)).conflict).toBeUndefined();
    expect((await putInspection('SI-OLD', '556100-0002', addCalendarDays(daysOf(slot)[0]!, -1))).flaggedDialogues).toBe(0);
    expect((await putInspection('SI-NEW', '556100-0002', addCalendarDays(daysOf(free!)[0]!, -5))).flaggedDialogues).toBe(1);
    expect((await h.dialogue(dialogueId)).conflict).toMatchObject({
      step: `meeting:${meetingId}`,
      inspectionId: 'SI-NEW',
      plannedStart: new Date(free!.sessions[0]!.start).toISOString(),
    });
    slot = free!;
  });

  it('cancelling the meeting removes its planned date: the flag goes and a new inspection no longer flags it', async () => {
    // Act
    const r = await h.api('POST', `/api/meetings/${meetingId}/cancel`, { reason: 'Flyttas till nästa termin' });

    // Assess
    expect(r.status).toBe(200);
    expect((await h.dialogue(dialogueId)).conflict).toBeUndefined();
    const again = await putInspection('SI-AGAIN', '556100-0002', addCalendarDays(daysOf(slot)[0]!, -4));
    expect(again.flaggedDialogues).toBe(0);
    expect((await h.dialogue(dialogueId)).conflict).toBeUndefined();
  });
});

describe('an inspection saved while a meeting is being booked', () => {
  it('is caught by the check after registering: the new meeting is flagged at once', async () => {
    // Prepare: the booking's clash check sees the calendar as it was before the inspection was saved
    const dialogueId = await h.invite('clash-org-3');
    const [slot] = await proposals(`kind=dialogue&dialogueIds=${dialogueId}`);
    await putInspection('SI-RACE', '556100-0003', addCalendarDays(daysOf(slot!)[0]!, -5));
    const real = h.runtime.deps;
    let reads = 0;
    const calendar = Object.create(real.calendar) as typeof real.calendar;
    calendar.inspectionsOf = async (organiserId: string) => (reads++ === 0 ? [] : real.calendar.inspectionsOf(organiserId));
    const staleFirst = { ...real, calendar };

    // Act
    const meeting = await createMeeting(staleFirst, {
      dialogueIds: [dialogueId],
      kind: 'dialogue',
      sessions: slot!.sessions,
      pair: slot!.pair,
      location: 'Krockvikens skola, Storgatan 1, Lund',
    });

    // Assess
    expect(meeting.status).toBe('booked');
    expect((await h.dialogue(dialogueId)).conflict).toMatchObject({
      step: `meeting:${meeting.id}`,
      inspectionId: 'SI-RACE',
      rule: 'physical_meeting_near_inspection',
    });
  });
});
