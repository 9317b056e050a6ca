/**
 * Meetings of the dialogue process, the people an organiser names to attend them, and the
 * meeting notes. A meeting covers one or more dialogues (several small organisers sharing a school
 * chief meet together), has 1–3 sessions, one facilitator pair and an iCalendar SEQUENCE that rises
 * on every reschedule and on cancellation. Notes are brief and public and, by construction, cannot
 * hold an assessment of the organiser: the schema is strict and has no such field.
 */
import * as z from '#core/zod.ts';
import { MAX_ID_LENGTH, oneLine, printable } from './fields.ts';
import type { PlannedItem, PlannedKind } from './clash.ts';
import type { Dialogue } from './dialogue.ts';
import { InvalidTransitionError, ValidationError } from './errors.ts';
import { type FacilitatorPair, type Interval, pairSchema } from './facilitators.ts';
import { type MeetingKind, meetingKindRules, meetingKinds } from './scheduling.ts';

export const participantRoles = ['board_member', 'school_chief', 'rektor', 'teacher', 'other'] as const;
export type ParticipantRole = (typeof participantRoles)[number];

export const participantRoleNames: Record<ParticipantRole, string> = {
  board_member: 'Ledamot i nämnd/styrelse',
  school_chief: 'Skolchef',
  rektor: 'Rektor',
  teacher: 'Lärare',
  other: 'Annan roll',
};

const roleEnum = z.enum(participantRoles, { message: `role must be one of ${participantRoles.join(', ')}` });

export const participantSchema = z.strictObject({
  name: z.string().check(z.trim(), z.minLength(2, 'Skriv deltagarens namn.'), z.maxLength(120), oneLine('Namnet')),
  email: z.pipe(
    z.email({ message: 'Skriv en giltig e-postadress.' }),
    z.transform((e) => e.toLowerCase()),
  ),
  role: roleEnum,
});
export type Participant = z.output<typeof participantSchema>;
/** A participant on a meeting: `dialogueId` is the organiser who named them (in a shared meeting each names its own). */
export type MeetingParticipant = Participant & { dialogueId?: string };

/** Who the organiser names to attend: 1–20 people, each address once. */
export const participantsSchema = z.array(participantSchema).check(
  z.minLength(1, 'Ange minst en deltagare.'),
  z.maxLength(20, 'Ange högst 20 deltagare.'),
  z.refine((ps) => new Set(ps.map((p) => p.email)).size === ps.length, { message: 'Varje e-postadress får bara anges en gång.' }),
);

/**
 * Meeting notes (minnesanteckningar) as the pair registers them: what was discussed and which
 * roles took part. `.strict()`: any other field (a grade, an assessment, a comment on the
 * organiser) is rejected, not dropped silently.
 */
export const meetingNotesSchema = z.strictObject({
  discussed: z
    .string()
    .check(
      z.trim(),
      z.minLength(10, 'Beskriv kort vad som diskuterades.'),
      z.maxLength(4000, 'Anteckningarna får vara högst 4000 tecken.'),
      printable('Anteckningarna'),
    ),
  rolesPresent: z.array(roleEnum).check(
    z.minLength(1, 'Ange vilka roller som deltog.'),
    z.refine((rs) => new Set(rs).size === rs.length, { message: 'Ange varje roll en gång.' }),
  ),
  /** Notes are public documents; the field exists so nobody can register them as anything else. */
  public: z.literal(true, { message: 'Minnesanteckningar är allmänna handlingar (public: true).' }),
});
export type MeetingNotes = z.output<typeof meetingNotesSchema>;

export interface RegisteredNotes extends MeetingNotes {
  registeredAt: string;
  registeredBy: string;
}

const isoInstant = z.iso.datetime({ offset: true, message: 'a time must be an ISO date-time with offset' });

export const sessionSchema = z
  .strictObject({ start: isoInstant, end: isoInstant })
  .check(z.refine((s) => Date.parse(s.start) < Date.parse(s.end), { message: 'a session must end after it starts', path: ['end'] }));

export const meetingStatuses = ['booked', 'cancelled'] as const;
export type MeetingStatus = (typeof meetingStatuses)[number];

export interface MeetingSession {
  start: string;
  end: string;
}

export interface Meeting {
  id: string;
  /** One dialogue, or several when organisers that share a school chief meet together. */
  dialogueIds: string[];
  kind: MeetingKind;
  sessions: MeetingSession[];
  pair: FacilitatorPair;
  /** Physical meetings have an address; digital ones a video link. */
  location?: string;
  videoLink?: string;
  participants: MeetingParticipant[];
  /** iCalendar SEQUENCE: 0 when booked, +1 on every reschedule and on cancellation. */
  sequence: number;
  status: MeetingStatus;
  notes?: RegisteredNotes;
  cancelledReason?: string;
  /** Organisers that left this shared meeting: at which SEQUENCE, and whom they had named (for their CANCEL). */
  left?: { dialogueId: string; sequence: number; participants: MeetingParticipant[]; at: string }[];
  /** A place in a group intro session: the pair is booked by the session, not by this meeting. */
  introSessionId?: string;
  createdAt: string;
  updatedAt: string;
}

/** What creating a meeting needs (from a picked slot or a coordinator). */
export const newMeetingSchema = z
  .strictObject({
    dialogueIds: z.array(z.string().check(z.minLength(1), z.maxLength(MAX_ID_LENGTH))).check(
      z.minLength(1, 'a meeting belongs to at least one dialogue'),
      z.maxLength(10, 'a shared meeting covers at most 10 dialogues'),
      z.refine((ids) => new Set(ids).size === ids.length, { message: 'each dialogue once' }),
    ),
    kind: z.enum(meetingKinds),
    sessions: z.array(sessionSchema).check(z.minLength(1), z.maxLength(3)),
    pair: pairSchema,
    location: z.optional(z.string().check(z.trim(), z.minLength(3), z.maxLength(300), oneLine('location'))),
    videoLink: z.optional(z.url({ protocol: /^https$/, message: 'the video link must be an https URL' })),
    participants: z._default(z.array(participantSchema).check(z.maxLength(20)), []),
  })
  .check(
    z.superRefine((m, ctx) => {
      const rule = meetingKindRules[m.kind];
      if (rule.mode === 'physical' && !m.location)
        ctx.addIssue({ code: 'custom', path: ['location'], message: `${rule.name} needs a location` });
      if (rule.mode === 'digital' && !m.videoLink)
        ctx.addIssue({ code: 'custom', path: ['videoLink'], message: `${rule.name} needs a video link` });
      if (m.sessions.length > rule.maxSessions)
        ctx.addIssue({ code: 'custom', path: ['sessions'], message: `${rule.name} cannot be split` });
    }),
  );
export type NewMeeting = z.output<typeof newMeetingSchema>;

export function bookMeeting(id: string, input: NewMeeting, now: Date): Meeting {
  const at = now.toISOString();
  return {
    id,
    dialogueIds: input.dialogueIds,
    kind: input.kind,
    sessions: sortSessions(input.sessions),
    pair: input.pair,
    location: input.location,
    videoLink: input.videoLink,
    participants: input.participants,
    sequence: 0,
    status: 'booked',
    createdAt: at,
    updatedAt: at,
  };
}

const sortSessions = (ss: readonly MeetingSession[]): MeetingSession[] =>
  [...ss]
    .map((s) => ({ start: new Date(s.start).toISOString(), end: new Date(s.end).toISOString() }))
    .sort((a, b) => a.start.localeCompare(b.start));

export const meetingIntervals = (m: Pick<Meeting, 'sessions'>): Interval[] =>
  m.sessions.map((s) => ({ start: new Date(s.start), end: new Date(s.end) }));

/** Moves a booked meeting to new sessions (and possibly a new pair); SEQUENCE rises, the UID stays. */
export function rescheduleMeeting(m: Meeting, sessions: readonly MeetingSession[], now: Date, pair: FacilitatorPair = m.pair): Meeting {
  if (m.status !== 'booked') throw new InvalidTransitionError(`Meeting '${m.id}' is ${m.status} and cannot be rescheduled`, { id: m.id });
  if (sessions.length < 1 || sessions.length > meetingKindRules[m.kind].maxSessions) {
    throw new ValidationError(`${meetingKindRules[m.kind].name} has 1–${meetingKindRules[m.kind].maxSessions} sessions`);
  }
  return { ...m, sessions: sortSessions(sessions), pair, sequence: m.sequence + 1, updatedAt: now.toISOString() };
}

/** Cancels a booked meeting; SEQUENCE rises so calendars apply the METHOD:CANCEL. */
export function cancelMeeting(m: Meeting, now: Date, reason?: string): Meeting {
  if (m.status !== 'booked') throw new InvalidTransitionError(`Meeting '${m.id}' is already ${m.status}`, { id: m.id });
  return { ...m, status: 'cancelled', cancelledReason: reason, sequence: m.sequence + 1, updatedAt: now.toISOString() };
}

/** A meeting several organisers share (a group dialogue): each names its own people and may leave it. */
export const isShared = (m: Pick<Meeting, 'dialogueIds'>): boolean => m.dialogueIds.length > 1;

/** The participants organiser `dialogueId` named (in a meeting of its own: all of them). */
export const participantsOf = (m: Pick<Meeting, 'dialogueIds' | 'participants'>, dialogueId: string): MeetingParticipant[] =>
  isShared(m) ? m.participants.filter((p) => p.dialogueId === dialogueId) : m.participants;

/**
 * The participants as named (1–20, each address once), or a ValidationError with the first
 * problem as its message (`under`: where the list sits in the request, for the issues' paths).
 */
export function checkParticipants(participants: unknown, under?: string): Participant[] {
  const parsed = participantsSchema.safeParse(participants);
  if (!parsed.success) {
    const issues = parsed.error.issues.flatMap((i) => {
      const at = [...(under ? [under] : []), ...i.path.map(String)];
      return i.code === 'unrecognized_keys'
        ? i.keys.map((k) => ({ path: [...at, k].join('.'), message: `Okänt fält: ${k}.` }))
        : [{ path: at.join('.'), message: i.message }];
    });
    throw new ValidationError(issues[0]?.message ?? 'Ogiltiga deltagare.', issues);
  }
  return parsed.data;
}

/**
 * Replaces the participants an organiser names (1–20); they get the invitation from now on. In a
 * shared meeting only that organiser's own list is replaced (`dialogueId`); the others' stay.
 */
export function nameParticipants(m: Meeting, participants: unknown, now: Date, dialogueId?: string): Meeting {
  const parsed = { data: checkParticipants(participants) };
  if (m.status !== 'booked') throw new InvalidTransitionError(`Meeting '${m.id}' is ${m.status}`, { id: m.id });
  if (dialogueId && !m.dialogueIds.includes(dialogueId))
    throw new InvalidTransitionError(`Dialogue '${dialogueId}' is not in meeting '${m.id}'`, { id: m.id });
  const own = dialogueId ? parsed.data.map((p) => ({ ...p, dialogueId })) : parsed.data;
  const others = dialogueId && isShared(m) ? m.participants.filter((p) => p.dialogueId !== dialogueId) : [];
  return { ...m, participants: [...others, ...own], updatedAt: now.toISOString() };
}

/**
 * One organiser leaves a shared meeting: its dialogue and the participants it named go; the
 * meeting stays booked for the others, with SEQUENCE raised (their calendars get the new attendee
 * list). Undefined when the dialogue is no longer in it (already left). The last organiser cannot
 * leave: that is a cancellation.
 */
export function leaveMeeting(m: Meeting, dialogueId: string, now: Date): Meeting | undefined {
  if (m.status !== 'booked') throw new InvalidTransitionError(`Meeting '${m.id}' is ${m.status}`, { id: m.id });
  if (!m.dialogueIds.includes(dialogueId)) return undefined;
  if (!isShared(m)) throw new InvalidTransitionError(`Meeting '${m.id}' has no other organiser; cancel it instead`, { id: m.id });
  const at = now.toISOString();
  return {
    ...m,
    dialogueIds: m.dialogueIds.filter((id) => id !== dialogueId),
    participants: m.participants.filter((p) => p.dialogueId !== dialogueId),
    left: [...(m.left ?? []), { dialogueId, sequence: m.sequence + 1, participants: participantsOf(m, dialogueId), at }],
    sequence: m.sequence + 1,
    updatedAt: at,
  };
}

/** Registers notes for a held dialogue meeting; notes exist only for dialogue meetings, once. */
export function registerNotes(m: Meeting, notes: unknown, by: string, now: Date): Meeting {
  if (m.kind !== 'dialogue') throw new InvalidTransitionError('Minnesanteckningar registreras bara för dialogmöten', { id: m.id });
  if (m.status !== 'booked') throw new InvalidTransitionError(`Meeting '${m.id}' is ${m.status}`, { id: m.id });
  const lastEnd = m.sessions.at(-1)?.end;
  if (lastEnd && Date.parse(lastEnd) > now.getTime())
    throw new InvalidTransitionError('Minnesanteckningar kan registreras först när mötet har hållits', { id: m.id });
  if (m.notes) throw new InvalidTransitionError('Minnesanteckningarna är redan registrerade', { id: m.id });
  const parsed = meetingNotesSchema.safeParse(notes);
  if (!parsed.success) {
    throw new ValidationError(
      parsed.error.issues[0]?.message ?? 'Ogiltiga minnesanteckningar.',
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  return { ...m, notes: { ...parsed.data, registeredAt: now.toISOString(), registeredBy: by }, updatedAt: now.toISOString() };
}

/** The clash rule a meeting falls under: the physical dialogue meeting, or a digital meeting. */
export const plannedKindOf = (kind: MeetingKind): PlannedKind =>
  meetingKindRules[kind].mode === 'physical' ? 'physical_meeting' : 'digital_meeting';

/** The planned step a meeting registers on each of its dialogues (one per meeting, so moves overwrite it). */
export const meetingStep = (meetingId: string): string => `meeting:${meetingId}`;

/** The meeting as a planned item of one of its dialogues: first session's start to last session's end. */
export function meetingPlanned(
  m: Pick<Meeting, 'id' | 'kind' | 'sessions'>,
  dialogue: Pick<Dialogue, 'id' | 'organiserId' | 'organiserName' | 'region'>,
): Omit<PlannedItem, 'registeredAt'> {
  const starts = m.sessions.map((s) => new Date(s.start).toISOString()).sort();
  const ends = m.sessions.map((s) => new Date(s.end).toISOString()).sort();
  return {
    organiserId: dialogue.organiserId,
    organiserName: dialogue.organiserName,
    region: dialogue.region,
    dialogueId: dialogue.id,
    step: meetingStep(m.id),
    kind: plannedKindOf(m.kind),
    start: starts[0] as string,
    end: ends.at(-1) as string,
  };
}
