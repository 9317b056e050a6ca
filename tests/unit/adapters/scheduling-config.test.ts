import { describe, expect, it } from 'vitest';
import { schedulingConfig } from '#adapters/scheduling-config.ts';

describe('scheduling configuration from the environment', () => {
  it('reads school holidays and office hours, with the defaults otherwise', () => {
    const c = schedulingConfig({
      SCHOOL_HOLIDAYS: '[{"from":"2026-02-23","to":"2026-02-27","name":"sportlov"}]',
      OFFICE_HOURS: '08:00-16:00',
    });
    expect(c.calendar).toEqual({
      schoolHolidays: [{ from: '2026-02-23', to: '2026-02-27', name: 'sportlov' }],
      officeHours: { start: '08:00', end: '16:00' },
    });
    expect(c.settings.leadDays.intro).toBe(10);
    expect(c.settings.minGapDays.follow_up).toBe(175);
  });

  it('fails fast with a readable message on malformed settings', () => {
    expect(() => schedulingConfig({ SCHOOL_HOLIDAYS: 'sportlov', OFFICE_HOURS: '08:30-16:30' })).toThrow(
      'SCHOOL_HOLIDAYS must be a JSON array',
    );
    expect(() => schedulingConfig({ SCHOOL_HOLIDAYS: '[{"from":"2026-02-27","to":"2026-02-23"}]', OFFICE_HOURS: '08:30-16:30' })).toThrow(
      'a date range must not end before it starts',
    );
    expect(() => schedulingConfig({ SCHOOL_HOLIDAYS: '[]', OFFICE_HOURS: '17:00-08:00' })).toThrow(
      'office hours must end after they start',
    );
  });
});
