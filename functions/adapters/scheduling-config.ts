/**
 * The scheduling configuration read from the environment once: the working calendar (school
 * holidays, office hours) and the lead times, gaps and buffers of the slot search (defaults in
 * functions/core/scheduling.ts). A malformed SCHOOL_HOLIDAYS fails at cold start with a message.
 */
import { type WorkingCalendar, workingCalendarSchema } from '#core/calendar.ts';
import { type SchedulingSettings, schedulingSettingsSchema } from '#core/scheduling.ts';
import type { Env } from './env.ts';

export interface SchedulingConfig {
  calendar: WorkingCalendar;
  settings: SchedulingSettings;
  /** The default school holiday weeks apply to a year no coordinator has set (SCHOOL_HOLIDAY_DEFAULTS). */
  holidayDefaults: boolean;
  /** How long an offer holds the times it proposes (OFFER_HOLD_HOURS); 0 holds nothing. */
  holdHours: number;
}

export function schedulingConfig(
  env: Pick<Env, 'SCHOOL_HOLIDAYS' | 'OFFICE_HOURS'> & Partial<Pick<Env, 'SCHOOL_HOLIDAY_DEFAULTS' | 'OFFER_HOLD_HOURS'>>,
): SchedulingConfig {
  let holidays: unknown;
  try {
    holidays = JSON.parse(env.SCHOOL_HOLIDAYS);
  } catch {
    throw new Error('Invalid environment: SCHOOL_HOLIDAYS must be a JSON array of {"from","to","name"}');
  }
  const [start, end] = env.OFFICE_HOURS.split('-');
  const parsed = workingCalendarSchema.safeParse({ schoolHolidays: holidays, officeHours: { start, end } });
  if (!parsed.success) {
    throw new Error(
      `Invalid environment: SCHOOL_HOLIDAYS/OFFICE_HOURS: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return {
    calendar: parsed.data,
    settings: schedulingSettingsSchema.parse({}),
    holidayDefaults: env.SCHOOL_HOLIDAY_DEFAULTS !== 'false',
    holdHours: env.OFFER_HOLD_HOURS ?? 72,
  };
}
