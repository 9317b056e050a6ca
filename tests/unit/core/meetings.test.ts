import { describe, expect, it } from 'vitest';
import { ValidationError, InvalidTransitionError } from '#core/errors.ts';
import {
  bookMeeting,
  cancelMeeting,
  leaveMeeting,
  meetingNotesSchema,
  nameParticipants,
  newMeetingSchema,
  participantsOf,
  participantsSchema,
  registerNotes,
  rescheduleMeeting,
} from '#core/meetings.ts';

const t0 = new Date('2026-04-01T08:00:00Z');
const dialogueInput = {
  dialogueIds: ['dlg-a', 'dlg-b'],
  kind: 'dialogue' as const,
  sessions: [
    { start: '2026-04-15T07:00:00Z', end: '2026-04-15T09:30:00Z' },
    { start: '2026-04-14T07:00:00Z', end: '2026-04-14T09:30:00Z' },
  ],
  pair: { skolverket: 'sv-anna', spsm: 'sp-david' },
  location: 'Skolvägen 3, Ekbacken',
};
const notes = {
  discussed: 'Huvudmannens uppföljning av trygghet och studiero i grundskolan.',
  rolesPresent: ['school_chief', 'rektor'],
  public: true,
};

describe('meetings', () => {
  it('books a shared, split dialogue meeting with SEQUENCE 0 and sessions in order', () => {
    const m = bookMeeting('mtg-1', newMeetingSchema.parse(dialogueInput), t0);
    expect(m).toMatchObject({ status: 'booked', sequence: 0, dialogueIds: ['dlg-a', 'dlg-b'] });
    expect(m.sessions.map((s) => s.start)).toEqual(['2026-04-14T07:00:00.000Z', '2026-04-15T07:00:00.000Z']);
  });

  it('requires a location for a physical meeting and a video link for a digital one', () => {
    expect(newMeetingSchema.safeParse({ ...dialogueInput, location: undefined }).error?.issues[0]?.message).toBe(
      'Dialogmöte needs a location',
    );
    const intro = { ...dialogueInput, kind: 'intro', sessions: dialogueInput.sessions.slice(0, 1), location: undefined };
    expect(newMeetingSchema.safeParse(intro).error?.issues[0]?.message).toBe('Introduktionsmöte needs a video link');
    expect(newMeetingSchema.safeParse({ ...intro, videoLink: 'https://video.example.se/x' }).success).toBe(true);
    expect(
      newMeetingSchema.safeParse({ ...intro, videoLink: 'https://video.example.se/x', sessions: dialogueInput.sessions }).success,
    ).toBe(false);
  });

  it('raises SEQUENCE on every reschedule and on cancel, and refuses to touch a cancelled meeting', () => {
    const m0 = bookMeeting('mtg-1', newMeetingSchema.parse(dialogueInput), t0);
    const m1 = rescheduleMeeting(m0, [{ start: '2026-04-20T07:00:00Z', end: '2026-04-20T10:00:00Z' }], t0);
    const m2 = rescheduleMeeting(m1, [{ start: '2026-04-21T07:00:00Z', end: '2026-04-21T10:00:00Z' }], t0);
    const m3 = cancelMeeting(m2, t0, 'Ny tid önskas senare');
    expect([m0.sequence, m1.sequence, m2.sequence, m3.sequence]).toEqual([0, 1, 2, 3]);
    expect(m3.status).toBe('cancelled');
    expect(() => rescheduleMeeting(m3, m2.sessions, t0)).toThrow(InvalidTransitionError);
    expect(() => cancelMeeting(m3, t0)).toThrow('already cancelled');
  });

  it('accepts 1–20 participants with the five roles, each address once', () => {
    const p = (i: number) => ({ name: `Deltagare ${i}`, email: `d${i}@example.se`, role: 'teacher' });
    expect(participantsSchema.safeParse([p(1)]).success).toBe(true);
    expect(participantsSchema.safeParse(Array.from({ length: 20 }, (_, i) => p(i))).success).toBe(true);
    expect(participantsSchema.safeParse(Array.from({ length: 21 }, (_, i) => p(i))).error?.issues[0]?.message).toBe(
      'Ange högst 20 deltagare.',
    );
    expect(participantsSchema.safeParse([]).error?.issues[0]?.message).toBe('Ange minst en deltagare.');
    expect(participantsSchema.safeParse([p(1), { ...p(1), email: 'D1@example.se' }]).success).toBe(false);
    expect(participantsSchema.safeParse([{ ...p(1), role: 'mayor' }]).success).toBe(false);
    const m = bookMeeting('mtg-1', newMeetingSchema.parse(dialogueInput), t0);
    expect(() => nameParticipants(m, [], t0)).toThrow(ValidationError);
  });
});

describe('a meeting shared by several organisers', () => {
  const shared = bookMeeting('mtg-1', newMeetingSchema.parse(dialogueInput), t0);
  const person = (name: string, email: string) => ({ name, email, role: 'rektor' });

  it("keeps each organiser's participants apart: naming replaces only its own list", () => {
    // Prepare
    const a = nameParticipants(shared, [person('Ann Ek', 'ann@a.example.se')], t0, 'dlg-a');
    // Act
    const b = nameParticipants(a, [person('Bo Al', 'bo@b.example.se'), person('Bea Al', 'bea@b.example.se')], t0, 'dlg-b');
    const b2 = nameParticipants(b, [person('Bo Al', 'bo@b.example.se')], t0, 'dlg-b');
    // Assess
    expect(participantsOf(b, 'dlg-a').map((p) => p.email)).toEqual(['ann@a.example.se']);
    expect(participantsOf(b, 'dlg-b')).toHaveLength(2);
    expect(b2.participants.map((p) => p.email)).toEqual(['ann@a.example.se', 'bo@b.example.se']);
    expect(() => nameParticipants(shared, [person('X Y', 'x@c.example.se')], t0, 'dlg-c')).toThrow(InvalidTransitionError);
  });

  it('lets one organiser leave: its people go, SEQUENCE rises, the others stay; a second leave changes nothing', () => {
    // Prepare
    const named = nameParticipants(
      nameParticipants(shared, [person('Ann Ek', 'ann@a.example.se')], t0, 'dlg-a'),
      [person('Bo Al', 'bo@b.example.se')],
      t0,
      'dlg-b',
    );
    // Act
    const left = leaveMeeting(named, 'dlg-b', t0);
    // Assess
    expect(left).toMatchObject({ status: 'booked', dialogueIds: ['dlg-a'], sequence: 1 });
    expect(left?.participants.map((p) => p.email)).toEqual(['ann@a.example.se']);
    expect(left?.left).toEqual([
      {
        dialogueId: 'dlg-b',
        sequence: 1,
        participants: [{ ...person('Bo Al', 'bo@b.example.se'), dialogueId: 'dlg-b' }],
        at: t0.toISOString(),
      },
    ]);
    expect(leaveMeeting(left!, 'dlg-b', t0)).toBeUndefined();
    // The last organiser cannot leave (that is a cancellation), nor anyone leave a cancelled meeting
    expect(() => leaveMeeting(left!, 'dlg-a', t0)).toThrow(InvalidTransitionError);
    expect(() => leaveMeeting(cancelMeeting(named, t0), 'dlg-a', t0)).toThrow(InvalidTransitionError);
  });
});

describe('meeting notes', () => {
  const held = new Date('2026-04-16T08:00:00Z');
  const meeting = bookMeeting('mtg-1', newMeetingSchema.parse(dialogueInput), t0);

  it('registers what was discussed and which roles took part, marked public', () => {
    const m = registerNotes(meeting, notes, 'sv-anna', held);
    expect(m.notes).toEqual({ ...notes, registeredAt: held.toISOString(), registeredBy: 'sv-anna' });
  });

  it('has no field for assessing the organiser: any extra field is rejected, not dropped', () => {
    for (const extra of [{ assessment: 'svag' }, { grade: 3 }, { rating: 'god' }, { comment: 'bra huvudman' }]) {
      const r = meetingNotesSchema.safeParse({ ...notes, ...extra });
      expect(r.success).toBe(false);
      expect(r.error?.issues[0]?.code).toBe('unrecognized_keys');
    }
    expect(Object.keys(meetingNotesSchema.shape).sort()).toEqual(['discussed', 'public', 'rolesPresent']);
    expect(() => registerNotes(meeting, { ...notes, assessment: 'svag' }, 'sv-anna', held)).toThrow(ValidationError);
  });

  it('must be public, and only for a dialogue meeting that has been held, once', () => {
    expect(meetingNotesSchema.safeParse({ ...notes, public: false }).success).toBe(false);
    expect(() => registerNotes(meeting, notes, 'sv-anna', t0)).toThrow('först när mötet har hållits');
    const m = registerNotes(meeting, notes, 'sv-anna', held);
    expect(() => registerNotes(m, notes, 'sv-anna', held)).toThrow('redan registrerade');
    const intro = bookMeeting(
      'mtg-2',
      newMeetingSchema.parse({
        ...dialogueInput,
        kind: 'intro',
        sessions: dialogueInput.sessions.slice(0, 1),
        location: undefined,
        videoLink: 'https://v.example.se/a',
      }),
      t0,
    );
    expect(() => registerNotes(intro, notes, 'sv-anna', held)).toThrow('bara för dialogmöten');
  });
});
