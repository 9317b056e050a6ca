import { describe, expect, it } from 'vitest';
import { buildFeed } from '#core/calendar-feed.ts';
import { stockholmLocal } from '#core/ics-lines.ts';
import { parseIcs } from '../../support/ics.ts';

const event = (over: Partial<Parameters<typeof buildFeed>[0]['events'][number]> = {}) => ({
  uid: 'abc',
  sequence: 2,
  status: 'booked' as const,
  start: '2027-03-01T08:00:00.000Z',
  end: '2027-03-01T11:00:00.000Z',
  stamp: '2027-02-01T08:00:00.000Z',
  summary: 'Dialogmöte – Norrviks kommun',
  description: 'Rad ett; med komma, och backslash \\ och\nen andra rad',
  ...over,
});

describe('the iCalendar subscription', () => {
  it('reads back in ical.js with UID, SEQUENCE, STATUS and Stockholm times, summer and winter', () => {
    // Act
    const text = buildFeed({
      name: 'Planerade kvalitetsdialoger',
      description: 'Beskrivning',
      uidDomain: 'planerat.example.se',
      refreshMinutes: 15,
      events: [
        event(),
        event({ uid: 'summer', status: 'offered', start: '2027-06-01T07:00:00.000Z', end: '2027-06-01T08:00:00.000Z' }),
        event({ uid: 'gone', status: 'cancelled', location: 'Stadshuset, Norrvik', url: 'https://video.example.se/m' }),
      ],
    });
    const cal = parseIcs(text);
    // Assess
    expect(cal.method).toBe('PUBLISH');
    expect(cal.timezones).toEqual(['Europe/Stockholm']);
    expect(text).toContain('X-WR-CALNAME:Planerade kvalitetsdialoger\r\n');
    expect(text).toContain('REFRESH-INTERVAL;VALUE=DURATION:PT15M\r\n');
    expect(cal.events.map((e) => [e.uid, e.sequence, e.status, e.tzid])).toEqual([
      ['abc@planerat.example.se', 2, 'CONFIRMED', 'Europe/Stockholm'],
      ['summer@planerat.example.se', 2, 'TENTATIVE', 'Europe/Stockholm'],
      ['gone@planerat.example.se', 2, 'CANCELLED', 'Europe/Stockholm'],
    ]);
    expect(cal.events[0]?.start.toISOString()).toBe('2027-03-01T08:00:00.000Z');
    expect(text).toContain('DTSTART;TZID=Europe/Stockholm:20270301T090000');
    expect(cal.events[1]?.start.toISOString()).toBe('2027-06-01T07:00:00.000Z');
    expect(text).toContain('DTSTART;TZID=Europe/Stockholm:20270601T090000');
    expect(cal.events[0]?.description).toBe('Rad ett; med komma, och backslash \\ och\nen andra rad');
    expect(cal.events[2]?.location).toBe('Stadshuset, Norrvik');
  });

  it('folds long lines at 75 octets without splitting å, ä or ö, and ends every line with CRLF', () => {
    const long = 'Återkopplingsmöte i kvalitetsdialogen med Ekbäckens skola ekonomisk förening, Öckerö och Åre, '.repeat(4);
    const text = buildFeed({ uidDomain: 'x.se', events: [event({ description: long })] });
    for (const line of text.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/\n/);
    expect(parseIcs(text).events[0]?.description).toBe(long);
    expect(text).not.toContain('X-WR-CALNAME');
  });

  it('writes Stockholm wall-clock time across the DST changes', () => {
    expect(stockholmLocal('2027-03-28T00:30:00Z')).toBe('20270328T013000');
    expect(stockholmLocal('2027-03-28T01:30:00Z')).toBe('20270328T033000');
    expect(stockholmLocal('2027-10-31T00:30:00Z')).toBe('20271031T023000');
    expect(stockholmLocal('2027-10-31T01:30:00Z')).toBe('20271031T023000');
  });
});
