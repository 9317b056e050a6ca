import { describe, expect, it } from 'vitest';
import { addCalendarDays, inspectionHash, inspectionInputSchema, parseSwedishDate, stockholmDay, stockholmTime } from '#core/inspection.ts';

describe('Swedish dates', () => {
  it.each([
    ['2026-03-05', '2026-03-05'],
    ['20260305', '2026-03-05'],
    ['5 mars 2026', '2026-03-05'],
    ['05 Mars 2026', '2026-03-05'],
    ['5 okt. 2026', '2026-10-05'],
    ['5/3/2026', '2026-03-05'],
    ['5.3.2026', '2026-03-05'],
    ['29 februari 2028', '2028-02-29'],
  ])('reads %s', (text, day) => {
    expect(parseSwedishDate(text)).toBe(day);
  });

  it.each(['2026-02-30', '31/4/2026', '5 marsch 2026', '03/05/26', 'igår', ''])('rejects %s', (text) => {
    expect(parseSwedishDate(text)).toBeUndefined();
  });

  it('does calendar-day arithmetic in Europe/Stockholm across DST', () => {
    expect(addCalendarDays('2026-03-01', -14)).toBe('2026-02-15');
    expect(addCalendarDays('2026-12-25', 14)).toBe('2027-01-08');
    expect(stockholmDay(new Date('2026-03-04T23:30:00Z'))).toBe('2026-03-05');
    expect(stockholmTime('2026-03-05', 8).toISOString()).toBe('2026-03-05T07:00:00.000Z');
    expect(stockholmTime('2026-07-05', 8).toISOString()).toBe('2026-07-05T06:00:00.000Z');
  });
});

describe('inspection input', () => {
  it('accepts Swedish kinds and statuses and defaults end to start', () => {
    const r = inspectionInputSchema.parse({ orgNumber: '212000-0001', kind: 'Riktad tillsyn', start: '5 mars 2026', status: 'bekräftad' });
    expect(r).toEqual({
      orgNumber: '2120000001',
      kind: 'targeted_supervision',
      start: '2026-03-05',
      end: '2026-03-05',
      status: 'confirmed',
    });
  });

  it('explains what is wrong', () => {
    const r = inspectionInputSchema.safeParse({ orgNumber: '12', kind: 'razzia', start: '2026-03-05', end: '2026-03-01' });
    expect(r.success).toBe(false);
    const messages = r.error?.issues.map((i) => i.message).join(' | ');
    expect(messages).toContain('must be a Swedish organisation number');
    expect(messages).toContain('"razzia" is not a known kind');
  });

  it('hashes the content, not the time of writing', () => {
    const x = inspectionInputSchema.parse({ orgNumber: '2120000001', kind: 'quality_review', start: '2026-03-05' });
    expect(inspectionHash('A1', 'org', x)).toBe(inspectionHash('A1', 'org', { ...x }));
    expect(inspectionHash('A1', 'org', x)).not.toBe(inspectionHash('A1', 'org', { ...x, status: 'cancelled' }));
  });
});
