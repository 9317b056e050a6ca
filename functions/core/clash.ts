/**
 * Clash rules between the dialogue's planned dates and the inspection calendar: which planned
 * item (invitation, digital or physical meeting) may not fall within how many days of an
 * inspection of the same organiser or one of its school units. Pure functions over calendar days
 * in Europe/Stockholm; the use-cases fetch the inspections (one bounded query) and call these.
 */
import * as z from '#core/zod.ts';
import { addCalendarDays, type Inspection, inspectionKindAfterGenitive, isActive, stockholmDay } from './inspection.ts';
import { swedishDay, swedishDaySpan } from './swedish.ts';

export const plannedKinds = ['invitation', 'digital_meeting', 'physical_meeting'] as const;
export type PlannedKind = (typeof plannedKinds)[number];

const rule = (bufferDays: number) =>
  z._default(z.strictObject({ bufferDays: z.number().check(z.int(), z.gte(0), z.lte(120)) }), { bufferDays });

/**
 * Buffers in calendar days on each side of an inspection (start − N … end + N). The invitation's
 * default 0 means "not while an inspection is under way".
 */
export const clashRulesSchema = z.strictObject({
  physical_meeting: rule(14),
  digital_meeting: rule(3),
  invitation: rule(0),
});
export type ClashRules = z.output<typeof clashRulesSchema>;
export const defaultClashRules: ClashRules = clashRulesSchema.parse({});

/** Parses the CLASH_RULES setting (JSON, partial allowed); throws a readable error. */
export function parseClashRules(json: string | undefined): ClashRules {
  if (!json) return defaultClashRules;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error('CLASH_RULES is not valid JSON, e.g. {"physical_meeting":{"bufferDays":14}}');
  }
  const r = clashRulesSchema.safeParse(value);
  if (!r.success) throw new Error(`CLASH_RULES: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

export const ruleIds: Record<PlannedKind, string> = {
  physical_meeting: 'physical_meeting_near_inspection',
  digital_meeting: 'digital_meeting_near_inspection',
  invitation: 'invitation_during_inspection',
};

const kindNames: Record<PlannedKind, string> = {
  physical_meeting: 'Fysiskt dialogmöte',
  digital_meeting: 'Digitalt möte',
  invitation: 'Inbjudan',
};

/** A dialogue step that has (or will have) a date, as the clash check sees it. */
export interface PlannedSlot {
  organiserId: string;
  schoolUnitCodes?: string[];
  kind: PlannedKind;
  /** UTC ISO instants; the check compares their Stockholm calendar days. */
  start: string;
  end: string;
}

/** A registered planned item (pk ORG#organiserId, sk PLAN#dialogueId#step). */
export interface PlannedItem extends PlannedSlot {
  dialogueId: string;
  step: string;
  region: string;
  organiserName: string;
  registeredAt: string;
}

export interface ClashReason {
  rule: string;
  inspectionId: string;
  inspectionKind: Inspection['kind'];
  inspectionStart: string;
  inspectionEnd: string;
  schoolUnitCode?: string;
  /** Swedish, for the coordinator. */
  message: string;
}

export type ClashResult = { ok: true } | { ok: false; reasons: ClashReason[] };

/** The days an inspection blocks for a kind of planned item. */
export function blockedWindow(rules: ClashRules, kind: PlannedKind, i: Pick<Inspection, 'start' | 'end'>): { from: string; to: string } {
  const n = rules[kind].bufferDays;
  return { from: addCalendarDays(i.start, -n), to: addCalendarDays(i.end, n) };
}

/** Every rule the slot breaks against the organiser's inspections (cancelled ones never clash). */
export function evaluateClash(rules: ClashRules, slot: PlannedSlot, inspections: readonly Inspection[]): ClashResult {
  const from = stockholmDay(new Date(slot.start));
  const to = stockholmDay(new Date(slot.end));
  const reasons: ClashReason[] = [];
  for (const i of inspections) {
    if (!isActive(i) || i.organiserId !== slot.organiserId) continue;
    const w = blockedWindow(rules, slot.kind, i);
    if (from > w.to || to < w.from) continue;
    const n = rules[slot.kind].bufferDays;
    const unit = i.schoolUnitCode ? ` (skolenhet ${i.schoolUnitCode})` : '';
    const what = `Skolinspektionens ${inspectionKindAfterGenitive[i.kind]} ${swedishDaySpan(i.start, i.end)}${unit}`;
    const message =
      slot.kind === 'invitation' && n === 0
        ? `${kindNames[slot.kind]} ${swedishDay(from)} skulle skickas medan ${what} pågår.`
        : `${kindNames[slot.kind]} ${swedishDaySpan(from, to)} ligger inom ${n} ${n === 1 ? 'dag' : 'dagar'} från ${what}.`;
    reasons.push({
      rule: ruleIds[slot.kind],
      inspectionId: i.externalId,
      inspectionKind: i.kind,
      inspectionStart: i.start,
      inspectionEnd: i.end,
      ...(i.schoolUnitCode ? { schoolUnitCode: i.schoolUnitCode } : {}),
      message,
    });
  }
  return reasons.length ? { ok: false, reasons } : { ok: true };
}

/** The first calendar day on or after `day` that no inspection blocks for this kind. */
export function firstFreeDay(rules: ClashRules, kind: PlannedKind, day: string, inspections: readonly Inspection[]): string {
  const windows = inspections.filter(isActive).map((i) => blockedWindow(rules, kind, i));
  let current = day;
  // Each pass jumps past at least one window, so this ends after at most windows.length passes.
  for (let pass = 0; pass <= windows.length; pass++) {
    const hit = windows.filter((w) => w.from <= current && current <= w.to);
    if (!hit.length) return current;
    current = addCalendarDays(
      hit
        .map((w) => w.to)
        .sort()
        .at(-1) as string,
      1,
    );
  }
  return current;
}

export const conflictDecisions = ['keep', 'reschedule'] as const;
export type ConflictDecision = (typeof conflictDecisions)[number];

/** The optional `conflict` on a dialogue: what clashes with which inspection, under which rule, since when. */
export interface DialogueConflict {
  step: string;
  kind: PlannedKind;
  plannedStart: string;
  plannedEnd: string;
  inspectionId: string;
  inspectionKind: Inspection['kind'];
  inspectionStart: string;
  inspectionEnd: string;
  schoolUnitCode?: string;
  rule: string;
  reason: string;
  since: string;
  /** Further inspections the same step clashes with (the first is the one above). */
  others?: ConflictingInspection[];
  decision?: {
    decision: ConflictDecision;
    /** For 'reschedule' of a booked meeting: new times offered to the organiser, or moved by the coordinator. */
    how?: RescheduleHow;
    comment?: string;
    by: string;
    at: string;
  };
}

/** One more inspection a flagged step clashes with. */
export interface ConflictingInspection {
  inspectionId: string;
  inspectionKind: Inspection['kind'];
  inspectionStart: string;
  inspectionEnd: string;
  schoolUnitCode?: string;
  rule: string;
  reason: string;
}

/** How a booked meeting is rescheduled: new clash-free times offered to the organiser, or moved by the coordinator. */
export const rescheduleHows = ['offer', 'move'] as const;
export type RescheduleHow = (typeof rescheduleHows)[number];

/** Every inspection of a conflict, the first one included. */
export const conflictInspections = (c: DialogueConflict): ConflictingInspection[] => [
  {
    inspectionId: c.inspectionId,
    inspectionKind: c.inspectionKind,
    inspectionStart: c.inspectionStart,
    inspectionEnd: c.inspectionEnd,
    ...(c.schoolUnitCode ? { schoolUnitCode: c.schoolUnitCode } : {}),
    rule: c.rule,
    reason: c.reason,
  },
  ...(c.others ?? []),
];

/** What a meeting's sessions are, as the clash check sees them: instants. */
export interface SessionSpan {
  start: Date;
  end: Date;
}

/**
 * The reasons a meeting's sessions break a rule for any of its organisers. The meeting counts from
 * its first session's start to its last session's end, exactly as it is registered as a planned
 * item, so what passes here is never flagged later by the same calendar.
 */
export function sessionsClash(
  rules: ClashRules,
  kind: PlannedKind,
  organiserIds: readonly string[],
  sessions: readonly SessionSpan[],
  inspections: readonly Inspection[],
): ClashReason[] {
  if (sessions.length === 0) return [];
  const start = new Date(Math.min(...sessions.map((s) => s.start.getTime()))).toISOString();
  const end = new Date(Math.max(...sessions.map((s) => s.end.getTime()))).toISOString();
  return [...new Set(organiserIds)].flatMap((organiserId) => {
    const r = evaluateClash(rules, { organiserId, kind, start, end }, inspections);
    return r.ok ? [] : r.reasons;
  });
}
