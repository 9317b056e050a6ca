import { describe, expect, it } from 'vitest';
import { stockholmInstant } from '#core/calendar.ts';
import { buildInvite, type CalendarInvite } from '#core/ics.ts';
import { parseIcs } from '../../support/ics.ts';

const base: CalendarInvite = {
  method: 'REQUEST',
  meetingId: 'mtg-01',
  uidDomain: 'kvalitetsdialog.example.se',
  sequence: 0,
  sessions: [{ start: stockholmInstant('2026-03-12', '09:00'), end: stockholmInstant('2026-03-12', '10:30') }],
  summary: 'Introduktionsmöte – kvalitetsdialog med Norrviks kommun',
  description: 'Välkomna! Vi går igenom hur dialogen går till; frågor, synpunkter och önskemål tas gärna emot.',
  videoLink: 'https://video.example.se/m/abc',
  organizer: { name: 'Kvalitetsdialog', email: 'kvalitetsdialog@example.se' },
  attendees: [
    { name: 'Åsa Öberg', email: 'asa@skolverket.example.se' },
    { name: 'Örjan Ek', email: 'orjan@norrvik.example.se' },
  ],
  stamp: new Date('2026-03-01T10:00:00Z'),
};

describe('calendar invitations', () => {
  it('writes a REQUEST that a parser reads back: UID, SEQUENCE, TZID with VTIMEZONE, times, Swedish texts', () => {
    // Act
    const cal = parseIcs(buildInvite(base));
    // Assess
    expect(cal.method).toBe('REQUEST');
    expect(cal.timezones).toEqual(['Europe/Stockholm']);
    expect(cal.events).toHaveLength(1);
    const [ev] = cal.events;
    expect(ev).toMatchObject({
      uid: 'mtg-01@kvalitetsdialog.example.se',
      sequence: 0,
      status: 'CONFIRMED',
      tzid: 'Europe/Stockholm',
      summary: 'Introduktionsmöte – kvalitetsdialog med Norrviks kommun',
      location: 'https://video.example.se/m/abc',
      organizer: 'mailto:kvalitetsdialog@example.se',
      attendees: ['mailto:asa@skolverket.example.se', 'mailto:orjan@norrvik.example.se'],
    });
    expect(ev!.start.toISOString()).toBe('2026-03-12T08:00:00.000Z');
    expect(ev!.end.toISOString()).toBe('2026-03-12T09:30:00.000Z');
    expect(ev!.description).toContain('frågor, synpunkter och önskemål');
    expect(ev!.description).toContain('https://video.example.se/m/abc');
  });

  it('writes Stockholm wall-clock times in summer too (CEST)', () => {
    const text = buildInvite({
      ...base,
      sessions: [{ start: stockholmInstant('2026-09-08', '13:00'), end: stockholmInstant('2026-09-08', '14:30') }],
    });
    expect(text).toContain('DTSTART;TZID=Europe/Stockholm:20260908T130000');
    expect(parseIcs(text).events[0]!.start.toISOString()).toBe('2026-09-08T11:00:00.000Z');
    expect(text).toMatch(/DTSTAMP:20260301T100000Z/);
  });

  it('keeps the UID and raises SEQUENCE on a reschedule', () => {
    const first = parseIcs(buildInvite(base)).events[0]!;
    const moved = parseIcs(
      buildInvite({
        ...base,
        sequence: 1,
        sessions: [{ start: stockholmInstant('2026-03-19', '13:00'), end: stockholmInstant('2026-03-19', '14:30') }],
      }),
    ).events[0]!;
    expect(moved.uid).toBe(first.uid);
    expect(moved.sequence).toBe(first.sequence + 1);
    expect(moved.start.toISOString()).toBe('2026-03-19T12:00:00.000Z');
  });

  it('cancels with METHOD:CANCEL and STATUS:CANCELLED under the same UID', () => {
    const cal = parseIcs(buildInvite({ ...base, method: 'CANCEL', sequence: 2 }));
    expect(cal.method).toBe('CANCEL');
    expect(cal.events[0]).toMatchObject({ uid: 'mtg-01@kvalitetsdialog.example.se', sequence: 2, status: 'CANCELLED' });
  });

  it('gives each session of a split meeting its own stable UID and a numbered summary', () => {
    const sessions = ['2026-04-14', '2026-04-15', '2026-04-16'].map((d) => ({
      start: stockholmInstant(d, '09:00'),
      end: stockholmInstant(d, '11:30'),
    }));
    const cal = parseIcs(buildInvite({ ...base, sessions, videoLink: undefined, location: 'Storgatan 1, Norrvik' }));
    expect(cal.events.map((e) => e.uid)).toEqual([
      'mtg-01@kvalitetsdialog.example.se',
      'mtg-01-2@kvalitetsdialog.example.se',
      'mtg-01-3@kvalitetsdialog.example.se',
    ]);
    expect(cal.events[2]!.summary).toContain('(del 3 av 3)');
    expect(cal.events[0]!.location).toBe('Storgatan 1, Norrvik');
  });
});
