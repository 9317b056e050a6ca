/**
 * Meeting kinds and their rules (mode, duration, lead time, minimum gap after the previous step)
 * and the slot search: `proposeSlots` offers 3–5 slots for a facilitator PAIR (one Skolverket, one
 * SPSM, both free), never on weekends, Swedish public holidays or school holidays, never
 * double-booking a facilitator, and never where the pluggable `clashCheck` (the inspection
 * calendar) objects. Pure: callers load facilitators, busy intervals and the calendar first.
 */
import { swedishDay } from './swedish.ts';
import * as z from '#core/zod.ts';
import {
  addCalendarDays,
  minutesOf,
  stockholmDate,
  stockholmInstant,
  stockholmTime,
  timeOf,
  type WorkingCalendar,
  workingDays,
  isWorkingDay,
  nonWorkingReason,
} from './calendar.ts';
import {
  Availability,
  type BusyInterval,
  type Facilitator,
  type FacilitatorPair,
  type Interval,
  orderedPairs,
  type PairPreferences,
  validatePair,
  widen,
} from './facilitators.ts';

export const meetingKinds = ['intro', 'pre_meeting', 'dialogue', 'feedback', 'follow_up'] as const;
export type MeetingKind = (typeof meetingKinds)[number];
export type MeetingMode = 'digital' | 'physical';

export interface MeetingKindRule {
  /** Swedish name, as organisers read it. */
  name: string;
  mode: MeetingMode;
  /** The step this one follows (its meeting's end is where the minimum gap counts from). */
  after?: MeetingKind;
  /** Minutes of a single session: default, and the allowed range. */
  minutes: { default: number; min: number; max: number };
  /** How many sessions the meeting may be split into. */
  maxSessions: number;
}

/** The process of seed 004, chapter 4, one row per meeting. */
export const meetingKindRules: Readonly<Record<MeetingKind, MeetingKindRule>> = {
  intro: { name: 'Introduktionsmöte', mode: 'digital', minutes: { default: 90, min: 60, max: 120 }, maxSessions: 1 },
  pre_meeting: { name: 'Förmöte', mode: 'digital', after: 'intro', minutes: { default: 60, min: 45, max: 90 }, maxSessions: 1 },
  dialogue: { name: 'Dialogmöte', mode: 'physical', after: 'pre_meeting', minutes: { default: 180, min: 150, max: 210 }, maxSessions: 3 },
  feedback: { name: 'Återkopplingsmöte', mode: 'digital', after: 'dialogue', minutes: { default: 60, min: 45, max: 90 }, maxSessions: 1 },
  follow_up: { name: 'Uppföljningsmöte', mode: 'digital', after: 'feedback', minutes: { default: 60, min: 45, max: 90 }, maxSessions: 1 },
};

/** A split dialogue meeting: each session at least this long, all together at most ~8 hours. */
export const SPLIT_SESSION_MIN_MINUTES = 60;
export const SPLIT_TOTAL_MAX_MINUTES = 480;

const dayCount = (fallback: number, max = 365) => z._default(z.number().check(z.int(), z.gte(0), z.lte(max)), fallback);

/** Lead times (from now) and minimum gaps (after the previous step's meeting), in calendar days. */
export const schedulingSettingsSchema = z.strictObject({
  leadDays: z.prefault(
    z.strictObject({
      intro: dayCount(10),
      pre_meeting: dayCount(7),
      dialogue: dayCount(14),
      feedback: dayCount(7),
      follow_up: dayCount(14),
    }),
    {},
  ),
  minGapDays: z.prefault(
    z.strictObject({
      intro: dayCount(0),
      pre_meeting: dayCount(14),
      dialogue: dayCount(14),
      feedback: dayCount(14),
      /** "About six months after the feedback meeting". */
      follow_up: dayCount(175),
    }),
    {},
  ),
  /** Free time a facilitator needs around a meeting: preparation online, travel to a physical one. */
  bufferMinutes: z.prefault(z.strictObject({ digital: dayCount(15, 240), physical: dayCount(90, 480) }), {}),
  /** How far past the earliest date the search looks. */
  horizonDays: z._default(z.number().check(z.int(), z.gte(7), z.lte(365)), 90),
  /** The preferred (previous, near, least-loaded) pair is kept only if it is free within this many days. */
  preferenceWindowDays: z._default(z.number().check(z.int(), z.gte(0), z.lte(120)), 21),
  /** Candidate start times are this many minutes apart. */
  stepMinutes: z._default(z.number().check(z.int(), z.gte(5), z.lte(120)), 30),
  /** The sessions of a split dialogue meeting all fall within this many calendar days. */
  splitSpanDays: z._default(z.number().check(z.int(), z.gte(1), z.lte(60)), 14),
});
export type SchedulingSettings = z.output<typeof schedulingSettingsSchema>;
export const defaultSchedulingSettings = (): SchedulingSettings => schedulingSettingsSchema.parse({});

/** True when the sessions clash with something outside the facilitators' calendars (an inspection). */
export type ClashCheck = (sessions: readonly Interval[]) => boolean;
export const noClash: ClashCheck = () => false;

export interface SchedulingContext {
  facilitators: readonly Facilitator[];
  busy: readonly BusyInterval[];
  calendar: WorkingCalendar;
  settings: SchedulingSettings;
}

export interface SlotRequest {
  kind: MeetingKind;
  now: Date;
  /** End of the previous step's meeting; the minimum gap counts from here. */
  previousMeetingEnd?: Date;
  /** 1 (default), or 2–3 for a split dialogue meeting. */
  sessions?: number;
  /** Minutes per session; defaults to the kind's default (150 per session when split). */
  sessionMinutes?: number;
  /** How many slots to propose: 3–5, default 3. */
  count?: number;
  /** Only this pair (a coordinator's choice); otherwise every valid pair in preference order. */
  pair?: FacilitatorPair;
  prefs?: PairPreferences;
  clashCheck?: ClashCheck;
  /** No proposal before this instant (a new offer after the organiser asked for other times). */
  notBefore?: Date;
}

export interface SlotProposal {
  pair: FacilitatorPair;
  sessions: Interval[];
}

export const slotRequestSchema = z.object({
  sessions: z._default(z.number().check(z.int(), z.gte(1), z.lte(3)), 1),
  count: z._default(z.number().check(z.int(), z.gte(3, 'propose at least 3 slots'), z.lte(5, 'propose at most 5 slots')), 3),
});

/** Minutes of each session for a request, validated against the kind's rule. */
export function sessionPlan(kind: MeetingKind, sessions = 1, sessionMinutes?: number): number[] {
  const rule = meetingKindRules[kind];
  if (!Number.isInteger(sessions) || sessions < 1 || sessions > rule.maxSessions) {
    throw new RangeError(
      rule.maxSessions === 1 ? `${rule.name} cannot be split into sessions` : `${rule.name} has 1–${rule.maxSessions} sessions`,
    );
  }
  const minutes = sessionMinutes ?? (sessions > 1 ? 150 : rule.minutes.default);
  const min = sessions > 1 ? SPLIT_SESSION_MIN_MINUTES : rule.minutes.min;
  const max = rule.minutes.max;
  if (minutes < min || minutes > max) throw new RangeError(`a session of ${rule.name} lasts ${min}–${max} minutes`);
  if (sessions > 1 && minutes * sessions > SPLIT_TOTAL_MAX_MINUTES) {
    throw new RangeError(`a split ${rule.name} lasts at most ${SPLIT_TOTAL_MAX_MINUTES / 60} hours in total`);
  }
  return Array.from({ length: sessions }, () => minutes);
}

/** The earliest instant a meeting of this kind may start: after the lead time and the minimum gap. */
export function earliestStart(kind: MeetingKind, now: Date, settings: SchedulingSettings, previousMeetingEnd?: Date): Date {
  const byLead = stockholmInstant(addCalendarDays(stockholmDate(now), settings.leadDays[kind]), '00:00');
  const lead = Math.max(byLead.getTime(), now.getTime());
  if (!previousMeetingEnd) return new Date(lead);
  const byGap = stockholmInstant(addCalendarDays(stockholmDate(previousMeetingEnd), settings.minGapDays[kind]), '00:00');
  return new Date(Math.max(lead, byGap.getTime(), previousMeetingEnd.getTime()));
}

/** Problems with a concrete set of sessions (a coordinator's or organiser's own time); [] when fine. */
export function sessionProblems(kind: MeetingKind, sessions: readonly Interval[], calendar: WorkingCalendar): string[] {
  const rule = meetingKindRules[kind];
  const problems: string[] = [];
  if (sessions.length < 1 || sessions.length > rule.maxSessions) {
    problems.push(`${rule.name} har ${rule.maxSessions === 1 ? 'ett enda tillfälle' : `1–${rule.maxSessions} delar`}`);
  }
  const days = new Set<string>();
  let total = 0;
  for (const s of sessions) {
    const minutes = (s.end.getTime() - s.start.getTime()) / 60_000;
    total += minutes;
    const date = stockholmDate(s.start);
    const why = nonWorkingReason(date, calendar);
    if (why) problems.push(`${swedishDay(date)} är ingen arbetsdag (${why})`);
    if (stockholmDate(s.end) !== date) problems.push(`ett tillfälle börjar och slutar samma dag (${swedishDay(date)})`);
    if (stockholmTime(s.start) < calendar.officeHours.start || stockholmTime(s.end) > calendar.officeHours.end) {
      problems.push(`ett tillfälle ligger inom kontorstiden ${calendar.officeHours.start}–${calendar.officeHours.end}`);
    }
    const min = sessions.length > 1 ? SPLIT_SESSION_MIN_MINUTES : rule.minutes.min;
    if (minutes < min || minutes > rule.minutes.max)
      problems.push(`ett tillfälle av ${rule.name.toLowerCase()} är ${min}–${rule.minutes.max} minuter långt`);
    if (days.has(date)) problems.push('delarna av ett delat möte ligger på olika dagar');
    days.add(date);
  }
  if (sessions.length > 1 && total > SPLIT_TOTAL_MAX_MINUTES)
    problems.push(`ett delat ${rule.name.toLowerCase()} är högst 8 timmar sammanlagt`);
  return problems;
}

/**
 * Proposes up to `count` slots (3–5) on days no other proposal uses, trying pairs in preference
 * order (previous pair, near office, least loaded). First only start days within the preference
 * window, where the better pair fills as many slots as it can before the next pair is tried; then,
 * if still short, any day up to the horizon. Fewer than `count` come back only when the horizon
 * runs out.
 */
export function proposeSlots(ctx: SchedulingContext, req: SlotRequest): SlotProposal[] {
  const { count, sessions } = slotRequestSchema.parse({ count: req.count, sessions: req.sessions });
  const plan = sessionPlan(req.kind, sessions, req.sessionMinutes);
  const rule = meetingKindRules[req.kind];
  const buffer = ctx.settings.bufferMinutes[rule.mode];
  const clash = req.clashCheck ?? noClash;
  const availability = new Availability(ctx.busy);
  const byRules = earliestStart(req.kind, req.now, ctx.settings, req.previousMeetingEnd);
  const earliest = req.notBefore && req.notBefore.getTime() > byRules.getTime() ? req.notBefore : byRules;
  const firstDate = stockholmDate(earliest);
  const candidateDays = [...workingDays(firstDate, ctx.calendar, ctx.settings.horizonDays)];

  let pairs: FacilitatorPair[];
  if (req.pair) {
    const problem = validatePair(req.pair, ctx.facilitators);
    if (problem) throw new RangeError(problem);
    pairs = [req.pair];
  } else {
    pairs = orderedPairs(ctx.facilitators, ctx.busy, req.prefs);
  }

  const office = { start: minutesOf(ctx.calendar.officeHours.start), end: minutesOf(ctx.calendar.officeHours.end) };
  /** The first free session of `minutes` on `date` for the pair, or undefined. */
  const firstFree = (pair: FacilitatorPair, date: string, minutes: number): Interval | undefined => {
    for (let m = office.start; m + minutes <= office.end; m += ctx.settings.stepMinutes) {
      const start = stockholmInstant(date, timeOf(m));
      if (start.getTime() < earliest.getTime()) continue;
      const session = { start, end: new Date(start.getTime() + minutes * 60_000) };
      if (availability.isPairFree(pair, [widen(session, buffer)])) return session;
    }
    return undefined;
  };

  const slots: SlotProposal[] = [];
  const usedDays = new Set<string>();
  const searchPass = (lastStartDay: string) => {
    for (const pair of pairs) {
      for (let i = 0; i < candidateDays.length && slots.length < count; i++) {
        const day = candidateDays[i] as string;
        if (day > lastStartDay) break;
        if (usedDays.has(day)) continue;
        const first = firstFree(pair, day, plan[0] as number);
        if (!first) continue;
        const found = [first];
        const lastDay = addCalendarDays(day, ctx.settings.splitSpanDays);
        for (let j = i + 1; j < candidateDays.length && found.length < plan.length; j++) {
          const next = candidateDays[j] as string;
          if (next > lastDay) break;
          if (usedDays.has(next)) continue;
          const session = firstFree(pair, next, plan[found.length] as number);
          if (session) found.push(session);
        }
        if (found.length < plan.length || clash(found)) continue;
        slots.push({ pair, sessions: found });
        for (const s of found) usedDays.add(stockholmDate(s.start));
      }
      if (slots.length >= count) return;
    }
  };
  // A preferred pair wins only while it is free soon; after the window, any pair's earliest days.
  searchPass(addCalendarDays(firstDate, ctx.settings.preferenceWindowDays));
  if (slots.length < count) searchPass(addCalendarDays(firstDate, ctx.settings.horizonDays));
  return slots.sort((a, b) => (a.sessions[0] as Interval).start.getTime() - (b.sessions[0] as Interval).start.getTime());
}

/**
 * Re-checks one slot just before it is booked (the organiser picked it from a mail, days after it
 * was proposed): still a valid pair, a working time, both free, and no clash.
 */
export function slotStillFree(
  ctx: SchedulingContext,
  kind: MeetingKind,
  slot: SlotProposal,
  clashCheck: ClashCheck = noClash,
): string | undefined {
  const pairProblem = validatePair(slot.pair, ctx.facilitators);
  if (pairProblem) return pairProblem;
  const problems = sessionProblems(kind, slot.sessions, ctx.calendar);
  if (problems.length > 0) return problems.join('; ');
  const buffer = ctx.settings.bufferMinutes[meetingKindRules[kind].mode];
  const availability = new Availability(ctx.busy);
  if (
    !availability.isPairFree(
      slot.pair,
      slot.sessions.map((s) => widen(s, buffer)),
    )
  )
    return 'a facilitator of the pair is no longer free';
  if (clashCheck(slot.sessions)) return 'the time clashes with the organiser’s inspection calendar';
  return undefined;
}

/** A proposal as one form value (the pair, then each session's start/end): what a page's choice posts. */
export const optionValue = (s: { pair: FacilitatorPair; sessions: readonly Interval[] }): string =>
  `${s.pair.skolverket}|${s.pair.spsm}|${s.sessions.map((i) => `${i.start.toISOString()}/${i.end.toISOString()}`).join(',')}`;

export const isProposalOnWorkingDays = (slot: SlotProposal, calendar: WorkingCalendar): boolean =>
  slot.sessions.every((s) => isWorkingDay(stockholmDate(s.start), calendar));
