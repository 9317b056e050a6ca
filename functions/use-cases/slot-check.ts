/**
 * The coordinator's slot check (`POST /api/schedule/check`): would a step of this kind at this time
 * break a clash rule for the organiser? One Query on its partition. A module of its own so that the
 * functions that only flag and clear conflicts do not carry its schema.
 */
import * as z from '#core/zod.ts';
import type { ClashResult, PlannedKind } from '#core/clash.ts';
import { NotFoundError } from '#core/errors.ts';
import type { MeetingKind } from '#core/scheduling.ts';
import type { Deps } from '#adapters/deps.ts';
import { checkClash } from './clash.ts';
import { parseOrThrow } from './validate.ts';

/**
 * What `POST /api/schedule/check` takes as `kind`: the invitation, or a meeting kind as the rest of
 * the scheduling API names it (intro, pre_meeting, dialogue, feedback, follow_up). The clash rules'
 * own names (digital_meeting, physical_meeting) are still accepted, so older callers keep working.
 */
export const meetingCheckKinds = {
  intro: 'digital_meeting',
  pre_meeting: 'digital_meeting',
  dialogue: 'physical_meeting',
  feedback: 'digital_meeting',
  follow_up: 'digital_meeting',
} as const satisfies Record<MeetingKind, PlannedKind>;
const checkKinds = ['invitation', ...(Object.keys(meetingCheckKinds) as MeetingKind[]), 'digital_meeting', 'physical_meeting'] as const;
type CheckKind = (typeof checkKinds)[number];
const plannedKindOfCheck = (kind: CheckKind): PlannedKind =>
  kind in meetingCheckKinds ? meetingCheckKinds[kind as MeetingKind] : (kind as PlannedKind);

export const clashCheckSchema = z
  .pipe(
    z.strictObject({
      organiserId: z.string().check(z.regex(/^[a-z0-9-]{3,64}$/, 'organiserId must be the id of an organiser')),
      schoolUnitCodes: z.optional(z.array(z.string().check(z.regex(/^\d{8}$/, 'a school unit code has 8 digits'))).check(z.maxLength(200))),
      kind: z.enum(checkKinds, {
        message: `kind must be invitation or a meeting kind (${Object.keys(meetingCheckKinds).join(', ')}); digital_meeting and physical_meeting are still accepted`,
      }),
      start: z.iso.datetime({ offset: true, message: 'start must be an ISO date-time, e.g. 2026-03-05T09:00:00+01:00' }),
      end: z.optional(z.iso.datetime({ offset: true, message: 'end must be an ISO date-time' })),
    }),
    z.transform((x) => ({
      ...x,
      kind: plannedKindOfCheck(x.kind),
      start: new Date(x.start).toISOString(),
      end: new Date(x.end ?? x.start).toISOString(),
    })),
  )
  .check(z.refine((x) => x.end >= x.start, { message: 'end is before start', path: ['end'] }));

/** The coordinator's "can we book this?" (the slot proposal check behind every booking). */
export async function proposeSlot(d: Deps, body: unknown): Promise<ClashResult> {
  const slot = parseOrThrow(clashCheckSchema, body, 'slot');
  if (!(await d.organisers.get(slot.organiserId))) throw new NotFoundError(`No organiser with id '${slot.organiserId}'`);
  return checkClash(d, slot);
}
