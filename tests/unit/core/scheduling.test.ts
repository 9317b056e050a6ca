import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isWorkingDay, stockholmDate, stockholmInstant, stockholmTime, workingCalendarSchema } from '#core/calendar.ts';
import { type BusyInterval, type Facilitator, overlaps, widen } from '#core/facilitators.ts';
import {
  defaultSchedulingSettings,
  earliestStart,
  meetingKindRules,
  meetingKinds,
  proposeSlots,
  type SchedulingContext,
  sessionProblems,
  slotStillFree,
} from '#core/scheduling.ts';

const facilitators: Facilitator[] = [
  { id: 'sv-anna', name: 'Anna Åström', agency: 'skolverket', office: 'Härnösand', email: 'anna@skolverket.example.se', active: true },
  { id: 'sv-bengt', name: 'Bengt Öberg', agency: 'skolverket', office: 'Solna', email: 'bengt@skolverket.example.se', active: true },
  { id: 'sv-cecilia', name: 'Cecilia Ek', agency: 'skolverket', office: 'Malmö', email: 'cecilia@skolverket.example.se', active: false },
  { id: 'sp-david', name: 'David Lund', agency: 'spsm', office: 'Härnösand', email: 'david@spsm.example.se', active: true },
  { id: 'sp-eva', name: 'Eva Sjö', agency: 'spsm', office: 'Solna', email: 'eva@spsm.example.se', active: true },
];
const agencyOf = new Map(facilitators.map((f) => [f.id, f.agency]));
const calendar = workingCalendarSchema.parse({
  schoolHolidays: [
    { from: '2026-02-23', to: '2026-02-27', name: 'sportlov' },
    { from: '2026-03-30', to: '2026-04-03', name: 'påsklov' },
    { from: '2026-06-15', to: '2026-08-14', name: 'sommarlov' },
    { from: '2026-10-26', to: '2026-10-30', name: 'höstlov' },
  ],
});
const settings = defaultSchedulingSettings();
const ctx = (busy: BusyInterval[] = []): SchedulingContext => ({ facilitators, busy, calendar, settings });

const busyArb = fc.array(
  fc.record({
    facilitatorId: fc.constantFrom(...facilitators.map((f) => f.id)),
    source: fc.constantFrom('booking' as const, 'block' as const),
    startMs: fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-06-30T00:00:00Z') }),
    minutes: fc.integer({ min: 30, max: 5 * 24 * 60 }),
  }),
  { maxLength: 40 },
);
const toBusy = (xs: { facilitatorId: string; source: 'booking' | 'block'; startMs: number; minutes: number }[]): BusyInterval[] =>
  xs.map((x, i) => ({
    facilitatorId: x.facilitatorId,
    source: x.source,
    ref: `m${i}`,
    start: new Date(x.startMs),
    end: new Date(x.startMs + x.minutes * 60_000),
  }));
const nowArb = fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2026-12-31T00:00:00Z') }).map((ms) => new Date(ms));

describe('proposeSlots: invariants (property-based)', () => {
  it('never proposes a weekend, public holiday, school holiday or time outside office hours', () => {
    fc.assert(
      fc.property(nowArb, busyArb, fc.constantFrom(...meetingKinds), fc.integer({ min: 3, max: 5 }), (now, busy, kind, count) => {
        const slots = proposeSlots(ctx(toBusy(busy)), { kind, now, count });
        for (const slot of slots) {
          for (const s of slot.sessions) {
            expect(isWorkingDay(stockholmDate(s.start), calendar)).toBe(true);
            expect(stockholmTime(s.start) >= '08:30').toBe(true);
            expect(stockholmTime(s.end) <= '16:30').toBe(true);
            expect(stockholmDate(s.end)).toBe(stockholmDate(s.start));
          }
          expect(sessionProblems(kind, slot.sessions, calendar)).toEqual([]);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('never double-books a facilitator, including the buffer around the meeting', () => {
    fc.assert(
      fc.property(nowArb, busyArb, fc.constantFrom(...meetingKinds), fc.integer({ min: 1, max: 3 }), (now, raw, kind, sessions) => {
        const busy = toBusy(raw);
        const n = kind === 'dialogue' ? sessions : 1;
        const slots = proposeSlots(ctx(busy), { kind, now, sessions: n, count: 5 });
        const buffer = settings.bufferMinutes[meetingKindRules[kind].mode];
        for (const slot of slots) {
          for (const s of slot.sessions) {
            for (const b of busy) {
              if (b.facilitatorId === slot.pair.skolverket || b.facilitatorId === slot.pair.spsm) {
                expect(overlaps(widen(s, buffer), b)).toBe(false);
              }
            }
          }
        }
        // and the proposals never overlap each other (the organiser may pick any one)
        const all = slots.flatMap((x) => x.sessions);
        for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) expect(overlaps(all[i]!, all[j]!)).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  it('always pairs one active Skolverket facilitator with one active SPSM facilitator', () => {
    fc.assert(
      fc.property(nowArb, busyArb, (now, busy) => {
        for (const slot of proposeSlots(ctx(toBusy(busy)), { kind: 'intro', now, count: 5 })) {
          expect(agencyOf.get(slot.pair.skolverket)).toBe('skolverket');
          expect(agencyOf.get(slot.pair.spsm)).toBe('spsm');
          expect(slot.pair.skolverket).not.toBe('sv-cecilia');
        }
      }),
      { numRuns: 60 },
    );
  });

  it('respects the lead time and the minimum gap after the previous step', () => {
    fc.assert(
      fc.property(nowArb, fc.integer({ min: 0, max: 40 }), (now, daysAgo) => {
        const previousMeetingEnd = new Date(now.getTime() - daysAgo * 86_400_000);
        const earliest = earliestStart('feedback', now, settings, previousMeetingEnd);
        for (const slot of proposeSlots(ctx(), { kind: 'feedback', now, previousMeetingEnd })) {
          expect(slot.sessions[0]!.start.getTime()).toBeGreaterThanOrEqual(earliest.getTime());
          expect(slot.sessions[0]!.start.getTime() - now.getTime()).toBeGreaterThanOrEqual(6 * 86_400_000);
          expect(slot.sessions[0]!.start.getTime() - previousMeetingEnd.getTime()).toBeGreaterThanOrEqual(13 * 86_400_000);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('proposeSlots: a new offer after "other times" (property-based)', () => {
  it('never proposes before notBefore, and still only working days and valid pairs', () => {
    fc.assert(
      fc.property(nowArb, busyArb, fc.integer({ min: 0, max: 60 }), fc.constantFrom(...meetingKinds), (now, busy, laterDays, kind) => {
        const notBefore = new Date(now.getTime() + laterDays * 86_400_000);
        for (const slot of proposeSlots(ctx(toBusy(busy)), { kind, now, notBefore })) {
          for (const s of slot.sessions) {
            expect(s.start.getTime()).toBeGreaterThanOrEqual(notBefore.getTime());
            expect(isWorkingDay(stockholmDate(s.start), calendar)).toBe(true);
          }
          expect([agencyOf.get(slot.pair.skolverket), agencyOf.get(slot.pair.spsm)]).toEqual(['skolverket', 'spsm']);
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('proposeSlots: examples', () => {
  const now = new Date('2026-03-02T09:00:00Z');

  it('proposes 3 slots by default, each on its own day, 90 minutes for an intro', () => {
    // Act
    const slots = proposeSlots(ctx(), { kind: 'intro', now });
    // Assess
    expect(slots).toHaveLength(3);
    expect(new Set(slots.map((s) => stockholmDate(s.sessions[0]!.start))).size).toBe(3);
    for (const s of slots) expect(s.sessions[0]!.end.getTime() - s.sessions[0]!.start.getTime()).toBe(90 * 60_000);
    // 10 days' lead: not before Thursday 12 March
    expect(stockholmDate(slots[0]!.sessions[0]!.start)).toBe('2026-03-12');
  });

  it('skips påsklov, långfredagen and annandag påsk', () => {
    const slots = proposeSlots(ctx(), { kind: 'pre_meeting', now: new Date('2026-03-20T09:00:00Z'), count: 5 });
    const days = slots.map((s) => stockholmDate(s.sessions[0]!.start));
    expect(days).toEqual(['2026-03-27', '2026-04-07', '2026-04-08', '2026-04-09', '2026-04-10']);
  });

  it('keeps the organiser’s previous pair when it is free', () => {
    const previous = { skolverket: 'sv-bengt', spsm: 'sp-david' };
    const slots = proposeSlots(ctx(), { kind: 'pre_meeting', now, prefs: { previous } });
    expect(slots.map((s) => s.pair)).toEqual([previous, previous, previous]);
  });

  it('rotates: the least-loaded pair leads when there is no previous pair', () => {
    // Prepare: Anna and David have booked meetings, Bengt and Eva none
    const busy: BusyInterval[] = [
      {
        facilitatorId: 'sv-anna',
        source: 'booking',
        ref: 'x',
        start: new Date('2026-01-12T08:00:00Z'),
        end: new Date('2026-01-12T10:00:00Z'),
      },
      {
        facilitatorId: 'sp-david',
        source: 'booking',
        ref: 'y',
        start: new Date('2026-01-13T08:00:00Z'),
        end: new Date('2026-01-13T10:00:00Z'),
      },
    ];
    // Act
    const slots = proposeSlots(ctx(busy), { kind: 'intro', now });
    // Assess
    expect(slots[0]!.pair).toEqual({ skolverket: 'sv-bengt', spsm: 'sp-eva' });
  });

  it('prefers facilitators from the near office for a physical meeting', () => {
    const slots = proposeSlots(ctx(), { kind: 'dialogue', now, prefs: { nearOffice: 'Härnösand' } });
    expect(slots[0]!.pair).toEqual({ skolverket: 'sv-anna', spsm: 'sp-david' });
    expect(slots[0]!.sessions[0]!.end.getTime() - slots[0]!.sessions[0]!.start.getTime()).toBe(180 * 60_000);
  });

  it('falls back to another pair when the previous one is blocked, and never books over a block', () => {
    // Prepare: David is away for three months
    const busy: BusyInterval[] = [
      { facilitatorId: 'sp-david', source: 'block', start: new Date('2026-03-01T00:00:00Z'), end: new Date('2026-06-01T00:00:00Z') },
    ];
    // Act
    const slots = proposeSlots(ctx(busy), { kind: 'pre_meeting', now, prefs: { previous: { skolverket: 'sv-anna', spsm: 'sp-david' } } });
    // Assess
    expect(slots).toHaveLength(3);
    for (const s of slots) expect(s.pair.spsm).toBe('sp-eva');
  });

  it('splits a dialogue meeting into sessions on different working days within the span', () => {
    const slots = proposeSlots(ctx(), { kind: 'dialogue', now, sessions: 3, sessionMinutes: 150 });
    expect(slots).toHaveLength(3);
    for (const slot of slots) {
      expect(slot.sessions).toHaveLength(3);
      const days = slot.sessions.map((s) => stockholmDate(s.start));
      expect(new Set(days).size).toBe(3);
      expect(Date.parse(days[2]!) - Date.parse(days[0]!)).toBeLessThanOrEqual(14 * 86_400_000);
    }
  });

  it('rejects a split beyond 8 hours or a split intro', () => {
    expect(() => proposeSlots(ctx(), { kind: 'dialogue', now, sessions: 3, sessionMinutes: 180 })).toThrow('at most 8 hours');
    expect(() => proposeSlots(ctx(), { kind: 'intro', now, sessions: 2 })).toThrow('cannot be split');
    expect(() => proposeSlots(ctx(), { kind: 'intro', now, count: 6 })).toThrow('at most 5');
  });

  it('asks the clash check and skips clashing days (the inspection calendar plugs in here)', () => {
    const inspected = new Set(['2026-03-12', '2026-03-13']);
    const slots = proposeSlots(ctx(), {
      kind: 'intro',
      now,
      clashCheck: (sessions) => sessions.some((s) => inspected.has(stockholmDate(s.start))),
    });
    expect(slots.map((s) => stockholmDate(s.sessions[0]!.start))).toEqual(['2026-03-16', '2026-03-17', '2026-03-18']);
  });

  it('re-checks a picked slot before booking it', () => {
    const [slot] = proposeSlots(ctx(), { kind: 'intro', now });
    const booked: BusyInterval = { facilitatorId: slot!.pair.spsm, source: 'booking', ref: 'other', ...slot!.sessions[0]! };
    expect(slotStillFree(ctx(), 'intro', slot!)).toBeUndefined();
    expect(slotStillFree(ctx([booked]), 'intro', slot!)).toBe('a facilitator of the pair is no longer free');
    expect(slotStillFree(ctx(), 'intro', slot!, () => true)).toContain('inspection');
  });

  it('names the problems of a hand-picked time', () => {
    const saturday = { start: stockholmInstant('2026-03-07', '09:00'), end: stockholmInstant('2026-03-07', '10:30') };
    const evening = { start: stockholmInstant('2026-03-10', '16:00'), end: stockholmInstant('2026-03-10', '17:30') };
    expect(sessionProblems('intro', [saturday], calendar)).toContain('7 mars 2026 är ingen arbetsdag (helg)');
    expect(sessionProblems('intro', [evening], calendar)).toContain('ett tillfälle ligger inom kontorstiden 08:30–16:30');
  });
});
