/**
 * Facilitators (dialogutförare), their busy time and the PAIRS that lead every meeting: one from
 * Skolverket and one from SPSM. Busy time is the system's own bookings plus blocks a facilitator
 * enters; both are intervals of UTC instants. Pure functions; persistence lives in the adapters.
 */
import * as z from '#core/zod.ts';
import { freeText, singleLine } from './fields.ts';

export const agencies = ['skolverket', 'spsm'] as const;
export type Agency = (typeof agencies)[number];

export const agencyNames: Record<Agency, string> = { skolverket: 'Skolverket', spsm: 'Specialpedagogiska skolmyndigheten' };

const slug = z
  .string()
  .check(z.trim(), z.regex(/^[a-z0-9][a-z0-9-]{1,62}$/, { message: 'an id is 2–63 lower-case letters, digits or dashes' }));

export const facilitatorSchema = z.strictObject({
  id: slug,
  name: singleLine(2, 120, 'name'),
  agency: z.enum(agencies, { message: "agency must be 'skolverket' or 'spsm'" }),
  /** The office the facilitator works from, e.g. "Härnösand" (used to prefer nearby pairs). */
  office: singleLine(2, 60, 'office'),
  email: z.email({ message: 'email must be an email address' }),
  active: z._default(z.boolean(), true),
});
export type Facilitator = z.output<typeof facilitatorSchema>;

export interface Interval {
  start: Date;
  end: Date;
}

export interface BusyInterval extends Interval {
  facilitatorId: string;
  /** A meeting the system booked, or a block the facilitator entered (travel, leave, other work). */
  source: 'booking' | 'block';
  /** The meeting id for a booking. */
  ref?: string;
}

/** A block a facilitator enters; times are ISO instants with an offset. */
export const blockInputSchema = z
  .strictObject({
    start: z.iso.datetime({ offset: true, message: 'start must be an ISO date-time with offset' }),
    end: z.iso.datetime({ offset: true, message: 'end must be an ISO date-time with offset' }),
    reason: z.optional(freeText(200, 'reason')),
  })
  .check(
    z.refine((b) => Date.parse(b.start) < Date.parse(b.end), { message: 'a block must end after it starts', path: ['end'] }),
    z.refine((b) => Date.parse(b.end) - Date.parse(b.start) <= 366 * 86_400_000, {
      message: 'a block may be at most a year long',
      path: ['end'],
    }),
  );
export type BlockInput = z.infer<typeof blockInputSchema>;

export interface FacilitatorPair {
  skolverket: string;
  spsm: string;
}

export const pairSchema = z.strictObject({ skolverket: slug, spsm: slug });

export const pairKey = (p: FacilitatorPair): string => `${p.skolverket}+${p.spsm}`;
export const samePair = (a: FacilitatorPair, b: FacilitatorPair): boolean => a.skolverket === b.skolverket && a.spsm === b.spsm;

export const overlaps = (a: Interval, b: Interval): boolean => a.start.getTime() < b.end.getTime() && b.start.getTime() < a.end.getTime();

/** Widens an interval by `minutes` on both sides (travel and preparation around a meeting). */
export const widen = (i: Interval, minutes: number): Interval => ({
  start: new Date(i.start.getTime() - minutes * 60_000),
  end: new Date(i.end.getTime() + minutes * 60_000),
});

/** Busy intervals indexed by facilitator, so availability checks stay cheap inside the slot search. */
export class Availability {
  private readonly byFacilitator = new Map<string, Interval[]>();

  constructor(busy: readonly BusyInterval[]) {
    for (const b of busy) {
      const list = this.byFacilitator.get(b.facilitatorId) ?? [];
      list.push({ start: b.start, end: b.end });
      this.byFacilitator.set(b.facilitatorId, list);
    }
  }

  isFree(facilitatorId: string, interval: Interval): boolean {
    return !(this.byFacilitator.get(facilitatorId) ?? []).some((b) => overlaps(b, interval));
  }

  isPairFree(pair: FacilitatorPair, intervals: readonly Interval[]): boolean {
    return intervals.every((i) => this.isFree(pair.skolverket, i) && this.isFree(pair.spsm, i));
  }
}

/** Checks that a pair is one active Skolverket and one active SPSM facilitator. */
export function validatePair(pair: FacilitatorPair, facilitators: readonly Facilitator[]): string | undefined {
  const byId = new Map(facilitators.map((f) => [f.id, f]));
  const sv = byId.get(pair.skolverket);
  const sp = byId.get(pair.spsm);
  if (!sv) return `facilitator '${pair.skolverket}' does not exist`;
  if (!sp) return `facilitator '${pair.spsm}' does not exist`;
  if (sv.agency !== 'skolverket') return `facilitator '${sv.id}' is not from Skolverket`;
  if (sp.agency !== 'spsm') return `facilitator '${sp.id}' is not from SPSM`;
  if (!sv.active || !sp.active) return `facilitator '${!sv.active ? sv.id : sp.id}' is not active`;
  return undefined;
}

export interface PairPreferences {
  /** The pair the organiser met before: kept through its process where possible. */
  previous?: FacilitatorPair;
  /** Facilitators from this office come first (shorter travel to a physical meeting). */
  nearOffice?: string;
  /** Meetings booked per facilitator; defaults to counting the 'booking' busy intervals. */
  load?: ReadonlyMap<string, number>;
}

/** Counts bookings per facilitator (distinct meetings), the measure pairs rotate by. */
export function bookingLoad(busy: readonly BusyInterval[]): Map<string, number> {
  const seen = new Map<string, Set<string>>();
  for (const b of busy) {
    if (b.source !== 'booking') continue;
    const set = seen.get(b.facilitatorId) ?? new Set<string>();
    set.add(b.ref ?? `${b.start.toISOString()}`);
    seen.set(b.facilitatorId, set);
  }
  return new Map([...seen].map(([id, set]) => [id, set.size]));
}

/**
 * Every valid pair of active facilitators, in the order they should be tried: the previous pair
 * first; then pairs with more members from the near office; then the least loaded (so pairs
 * rotate across organisers); ids break ties so the order is deterministic.
 */
export function orderedPairs(
  facilitators: readonly Facilitator[],
  busy: readonly BusyInterval[],
  prefs: PairPreferences = {},
): FacilitatorPair[] {
  const active = facilitators.filter((f) => f.active);
  const sv = active.filter((f) => f.agency === 'skolverket');
  const sp = active.filter((f) => f.agency === 'spsm');
  const load = prefs.load ?? bookingLoad(busy);
  const office = new Map(active.map((f) => [f.id, f.office]));
  const near = (p: FacilitatorPair) =>
    prefs.nearOffice ? Number(office.get(p.skolverket) === prefs.nearOffice) + Number(office.get(p.spsm) === prefs.nearOffice) : 0;
  const loadOf = (p: FacilitatorPair) => (load.get(p.skolverket) ?? 0) + (load.get(p.spsm) ?? 0);
  const isPrevious = (p: FacilitatorPair) => (prefs.previous && samePair(p, prefs.previous) ? 1 : 0);
  const pairs = sv.flatMap((a) => sp.map((b) => ({ skolverket: a.id, spsm: b.id })));
  return pairs.sort(
    (x, y) => isPrevious(y) - isPrevious(x) || near(y) - near(x) || loadOf(x) - loadOf(y) || pairKey(x).localeCompare(pairKey(y)),
  );
}
