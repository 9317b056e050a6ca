import { describe, expect, it } from 'vitest';
import { parseInspectionCsv, parseInspectionIcs } from '#core/inspection-import.ts';

describe('CSV import', () => {
  it('reads ; or , files with Swedish headers and dates, reporting every bad row by line', () => {
    // Prepare
    const csv = [
      '\uFEFFÄrendenummer;Orgnr;Skolenhetskod;Typ;Startdatum;Slutdatum;Status',
      'SI-1;212000-0001;;Regelbunden tillsyn;5 mars 2026;6/3/2026;bekräftad',
      '',
      'SI-2;212000-0001;1234;kvalitetsgranskning;2026-03-05;;',
      'SI-3;212000-0001;;okänd;2026-13-01;;',
      'SI-1;212000-0001;;riktad tillsyn;2026-03-05;;',
      '"SI-4";"2120000002";"12345678";"riktad tillsyn";"1 april 2026";"3 april 2026";"planerad"',
    ].join('\r\n');
    // Act
    const r = parseInspectionCsv(csv);
    // Assess
    expect(r.total).toBe(5);
    expect(r.rows.map((x) => [x.line, x.externalId, x.input.start, x.input.end])).toEqual([
      [2, 'SI-1', '2026-03-05', '2026-03-06'],
      [7, 'SI-4', '2026-04-01', '2026-04-03'],
    ]);
    expect(r.errors).toEqual([
      { line: 4, externalId: 'SI-2', reason: 'schoolUnitCode: a school unit code has 8 digits' },
      {
        line: 5,
        externalId: 'SI-3',
        reason: expect.stringMatching(/^kind: "okänd" is not a known kind.*; start: "2026-13-01" is not a date/),
      },
      { line: 6, externalId: 'SI-1', reason: 'externalId SI-1 appears again (first on line 2)' },
    ]);
  });

  it('reads comma-separated files and refuses a header without the needed columns', () => {
    expect(parseInspectionCsv('id,orgnr,typ,start\nA,2120000001,other,2026-01-02\n').rows).toHaveLength(1);
    expect(parseInspectionCsv('namn;datum\nx;2026-01-01').errors).toEqual([
      { line: 1, reason: expect.stringContaining('the header lacks externalId, orgNumber, kind') },
    ]);
  });
});

describe('iCalendar import', () => {
  it('reads VEVENTs (all-day DTEND is exclusive) and reports bad ones by their BEGIN line', () => {
    const ics = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//Skolinspektionen//SV',
      'BEGIN:VEVENT',
      'UID:si-1@skolinspektionen.se',
      'DTSTART;VALUE=DATE:20260305',
      'DTEND;VALUE=DATE:20260307',
      'SUMMARY:Regelbunden tillsyn',
      'X-ORG-NUMBER:212000-0001',
      'X-INSPECTION-KIND:regelbunden tillsyn',
      'STATUS:CONFIRMED',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:si-2@skolinspektionen.se',
      'DTSTART:2026-99',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:si-3@skolinspektionen.se',
      'DTSTART;VALUE=DATE:20260401',
      'CATEGORIES:Kvalitetsgransk',
      ' ning',
      'X-ORG-NUMBER:2120000002',
      'X-SCHOOL-UNIT:12345678',
      'STATUS:CANCELLED',
      'END:VEVENT',
      'END:VCALENDAR',
    ].join('\r\n');
    const r = parseInspectionIcs(ics);
    expect(r.total).toBe(3);
    expect(r.rows).toEqual([
      {
        line: 4,
        externalId: 'si-1@skolinspektionen.se',
        input: { orgNumber: '2120000001', kind: 'regular_supervision', start: '2026-03-05', end: '2026-03-06', status: 'confirmed' },
      },
      {
        line: 17,
        externalId: 'si-3@skolinspektionen.se',
        input: {
          orgNumber: '2120000002',
          schoolUnitCode: '12345678',
          kind: 'quality_review',
          start: '2026-04-01',
          end: '2026-04-01',
          status: 'cancelled',
        },
      },
    ]);
    expect(r.errors).toEqual([
      {
        line: 13,
        externalId: 'si-2@skolinspektionen.se',
        reason: 'DTSTART 2026-99 is not a date (YYYYMMDD) or date-time (YYYYMMDDTHHMMSS)',
      },
    ]);
  });

  it('refuses dates that do not exist and events that end before they start, as the CSV import and PUT do', () => {
    // Prepare
    const event = (uid: string, ...dates: string[]) => [
      'BEGIN:VEVENT',
      `UID:${uid}`,
      ...dates,
      'X-ORG-NUMBER:212000-0001',
      'X-INSPECTION-KIND:regelbunden tillsyn',
      'END:VEVENT',
    ];
    const ics = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      ...event('feb-30', 'DTSTART;VALUE=DATE:20260230'),
      ...event('month-13', 'DTSTART;VALUE=DATE:20261345'),
      ...event('hour-25', 'DTSTART;TZID=Europe/Stockholm:20260305T250000'),
      ...event('backwards-days', 'DTSTART;VALUE=DATE:20260310', 'DTEND;VALUE=DATE:20260305'),
      ...event('backwards-times', 'DTSTART:20260310T090000Z', 'DTEND:20260310T080000Z'),
      ...event('bad-end', 'DTSTART;VALUE=DATE:20260305', 'DTEND;VALUE=DATE:20260231'),
      ...event('same-day', 'DTSTART;VALUE=DATE:20260305', 'DTEND;VALUE=DATE:20260305'),
      ...event('leap-day', 'DTSTART;VALUE=DATE:20280229'),
      'END:VCALENDAR',
    ].join('\r\n');

    // Act
    const r = parseInspectionIcs(ics);

    // Assess
    expect(r.errors.map((e) => [e.externalId, e.reason])).toEqual([
      ['feb-30', 'DTSTART 20260230 is not a date that exists'],
      ['month-13', 'DTSTART 20261345 is not a date that exists'],
      ['hour-25', 'DTSTART 20260305T250000 is not a time that exists'],
      ['backwards-days', 'DTEND 2026-03-05 is before DTSTART 2026-03-10'],
      ['backwards-times', 'DTEND 2026-03-10 is before DTSTART 2026-03-10'],
      ['bad-end', 'DTEND 20260231 is not a date that exists'],
    ]);
    expect(r.rows.map((x) => [x.externalId, x.input.start, x.input.end])).toEqual([
      ['same-day', '2026-03-05', '2026-03-05'],
      ['leap-day', '2028-02-29', '2028-02-29'],
    ]);
  });

  it('refuses a file that is not iCalendar', () => {
    expect(parseInspectionIcs('hello').errors).toEqual([{ line: 1, reason: expect.stringContaining('BEGIN:VCALENDAR') }]);
  });
});
