import { describe, expect, it } from 'vitest';
import { defaultClashRules, evaluateClash, firstFreeDay, parseClashRules, type PlannedSlot } from '#core/clash.ts';
import type { Inspection } from '#core/inspection.ts';

const inspection = (over: Partial<Inspection> = {}): Inspection => ({
  externalId: 'SI-1',
  organiserId: 'org-a',
  orgNumber: '2120000001',
  kind: 'regular_supervision',
  start: '2026-03-10',
  end: '2026-03-12',
  status: 'confirmed',
  contentHash: 'h',
  updatedAt: '2026-01-01T00:00:00.000Z',
  updatedBy: 'inspectorate',
  ...over,
});
const slot = (kind: PlannedSlot['kind'], startDay: string, over: Partial<PlannedSlot> = {}): PlannedSlot => ({
  organiserId: 'org-a',
  kind,
  start: `${startDay}T09:00:00.000Z`,
  end: `${startDay}T12:00:00.000Z`,
  ...over,
});

describe('clash rules', () => {
  it('has documented defaults: physical ±14 days, digital ±3, invitation not during', () => {
    expect(defaultClashRules).toEqual({
      physical_meeting: { bufferDays: 14 },
      digital_meeting: { bufferDays: 3 },
      invitation: { bufferDays: 0 },
    });
    expect(parseClashRules('{"digital_meeting":{"bufferDays":5}}').digital_meeting.bufferDays).toBe(5);
    expect(() => parseClashRules('{"digital_meeting":{"bufferDays":-1}}')).toThrow('CLASH_RULES: digital_meeting.bufferDays');
    expect(() => parseClashRules('{nope')).toThrow('not valid JSON');
    expect(() => parseClashRules('{"lunch":{"bufferDays":1}}')).toThrow('CLASH_RULES');
  });

  it.each([
    ['physical_meeting', '2026-02-24', false],
    ['physical_meeting', '2026-02-23', true],
    ['physical_meeting', '2026-03-26', false],
    ['physical_meeting', '2026-03-27', true],
    ['digital_meeting', '2026-03-07', false],
    ['digital_meeting', '2026-03-06', true],
    ['digital_meeting', '2026-03-15', false],
    ['digital_meeting', '2026-03-16', true],
    ['invitation', '2026-03-09', true],
    ['invitation', '2026-03-10', false],
    ['invitation', '2026-03-12', false],
    ['invitation', '2026-03-13', true],
  ] as const)('%s on %s is free: %s', (kind, day, free) => {
    expect(evaluateClash(defaultClashRules, slot(kind, day), [inspection()]).ok).toBe(free);
  });

  it('names the rule, the inspection and a Swedish reason; cancelled and other organisers never clash', () => {
    const r = evaluateClash(defaultClashRules, slot('physical_meeting', '2026-03-20'), [
      inspection({ schoolUnitCode: '12345678' }),
      inspection({ externalId: 'SI-2', status: 'cancelled' }),
      inspection({ externalId: 'SI-3', organiserId: 'org-b' }),
    ]);
    expect(r).toEqual({
      ok: false,
      reasons: [
        expect.objectContaining({
          rule: 'physical_meeting_near_inspection',
          inspectionId: 'SI-1',
          schoolUnitCode: '12345678',
          message:
            'Fysiskt dialogmöte 20 mars 2026 ligger inom 14 dagar från Skolinspektionens regelbundna tillsyn 10–12 mars 2026 (skolenhet 12345678).',
        }),
      ],
    });
  });

  it('compares Stockholm calendar days (a UTC evening is the next Swedish day)', () => {
    const lateEvening = { ...slot('invitation', '2026-03-09'), start: '2026-03-09T23:30:00.000Z', end: '2026-03-09T23:30:00.000Z' };
    expect(evaluateClash(defaultClashRules, lateEvening, [inspection()]).ok).toBe(false);
  });

  it('finds the first free day past overlapping inspections', () => {
    const inspections = [inspection(), inspection({ externalId: 'SI-2', start: '2026-03-12', end: '2026-03-20' })];
    expect(firstFreeDay(defaultClashRules, 'invitation', '2026-03-11', inspections)).toBe('2026-03-21');
    expect(firstFreeDay(defaultClashRules, 'digital_meeting', '2026-03-11', inspections)).toBe('2026-03-24');
    expect(firstFreeDay(defaultClashRules, 'invitation', '2026-03-01', inspections)).toBe('2026-03-01');
  });
});
