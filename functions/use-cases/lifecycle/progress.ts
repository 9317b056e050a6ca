/**
 * What moves a dialogue on after a booking: booked, moved and cancelled meetings (called by the
 * meeting use-cases), the held meeting and what follows it (analysis material, notes, feedback,
 * the follow-up about six months later), stopping after the introduction, and a failed phase and
 * its retry.
 */

import { addDays, type Dialogue, type HistoryEntry, type PhaseMeetingKind } from '#core/dialogue.ts';
import { type Meeting, meetingStep } from '#core/meetings.ts';
import { meetingKindRules } from '#core/scheduling.ts';
import { joinSwedish } from '#core/swedish.ts';
import { formatSwedishDate } from '#core/time.ts';
import { consoleLinks } from '#core/console-links.ts';
import type { Deps } from '#adapters/deps.ts';
import { recordMetric } from '#adapters/observability.ts';
import { clearConflictOfPastStep } from '../conflicts.ts';
import { mailIntroSessionToPairOrLater } from '../intro-session-mail.ts';
import { syncPlannedDates } from '../calendar-sync.ts';
import { sendStep } from '../mail.ts';
import { kickPhase } from './phase.ts';
import { releaseWait } from './offer.ts';
import { materialStep, sendMaterialIfReady } from './material.ts';
import { releaseOffer } from '../offer-holds.ts';

import {
  at,
  clearTimer,
  entry,
  move,
  noTimer,
  phaseStates,
  RETRY_MS,
  withTimer,
  beginPhase,
  kindBookedIn,
  FOLLOW_UP_OFFER_AFTER_DAYS,
} from './phase.ts';

// ---- booked, moved, cancelled (called by the meeting use-cases) -----------------------------

const lastEnd = (m: Pick<Meeting, 'sessions'>): Date => new Date(Math.max(...m.sessions.map((s) => Date.parse(s.end))));

/**
 * A meeting was booked: each of its dialogues offering that kind moves to *_booked; the wait ends.
 * `noted`: a history entry about the booking, written in the same change; `known`: records the
 * caller has just read or written. Returns the dialogues that moved (the others did not get
 * `noted`) and each dialogue's record as it is now.
 */
export async function onMeetingBooked(
  d: Deps,
  m: Meeting,
  noted?: HistoryEntry,
  known: readonly Dialogue[] = [],
): Promise<{ moved: Set<string>; dialogues: Dialogue[] }> {
  const kind = m.kind as PhaseMeetingKind;
  const moved = new Set<string>();
  const dialogues: Dialogue[] = [];
  for (const id of m.dialogueIds) {
    const { changed, dialogue } = await d.dialogues.mutate(
      id,
      (y) => {
        if (y.state !== phaseStates[kind].offered) return undefined;
        const entered = move(d, y, phaseStates[kind].booked, 'phase_changed', `${meetingKindRules[kind].name} bokat (${m.id})`);
        const moved = noted ? { ...entered, history: [...entered.history, noted] } : entered;
        const phase = y.phase?.kind === kind ? y.phase : { kind, round: 1 };
        return withTimer(
          {
            ...moved,
            pair: m.pair,
            phase: { ...phase, meetingId: m.id, ...(phase.offer ? { offer: { ...phase.offer, status: 'booked' as const } } : {}) },
          },
          'held',
          lastEnd(m),
        );
      },
      known.find((x) => x.id === id),
    );
    dialogues.push(dialogue);
    if (!changed) continue;
    moved.add(id);
    // Counted by the one write that moves the dialogue to *_booked: a repeated call changes nothing.
    recordMetric('MeetingsBooked', 1, { kind });
    await releaseWait(d, id, dialogue);
    // The offer's other times are free for other organisers again.
    await releaseOffer(d, dialogue);
  }
  return { moved, dialogues };
}

/** A booked meeting moved: the "held" timer follows its new end. */
export async function onMeetingMoved(d: Deps, m: Meeting): Promise<void> {
  for (const id of m.dialogueIds) {
    await d.dialogues.mutate(id, (y) =>
      y.phase?.meetingId === m.id && y.state === phaseStates[m.kind as PhaseMeetingKind].booked
        ? withTimer({ ...y, pair: m.pair }, 'held', lastEnd(m))
        : undefined,
    );
  }
}

/** A booked meeting was cancelled: back to *_offered, and a new round of the phase offers new times. */
export async function onMeetingCancelled(d: Deps, m: Meeting): Promise<void> {
  const kind = m.kind as PhaseMeetingKind;
  for (const id of m.dialogueIds) {
    const { changed, dialogue } = await d.dialogues.mutate(id, (y) => {
      if (y.phase?.meetingId !== m.id || y.state !== phaseStates[kind].booked) return undefined;
      const moved = move(d, y, phaseStates[kind].offered, 'phase_changed', `${meetingKindRules[kind].name} avbokat; nya tider erbjuds`);
      return beginPhase(d, moved, kind, y.phase.round + 1);
    });
    if (changed) await kickPhase(d, id, dialogue);
  }
  if (m.introSessionId) {
    const sessionId = m.introSessionId;
    const { session } = await d.introSessions.mutate(sessionId, (s) =>
      m.dialogueIds.some((id) => s.dialogueIds.includes(id))
        ? { ...s, dialogueIds: s.dialogueIds.filter((id) => !m.dialogueIds.includes(id)), sequence: s.sequence + 1, updatedAt: at(d) }
        : undefined,
    );
    await mailIntroSessionToPairOrLater(d, session);
  }
}

// ---- held, material, notes, follow-up, closed -------------------------------------------------

/**
 * The scheduler's "held" timer: the booked meeting has ended. Resumable: each call finishes what
 * the last one left (the timer stays, a few minutes ahead, until the step that follows is set).
 * What follows is written in the same change as the held meeting: without mail (the next phase
 * begun, the follow-up's due-date, closing), and with mail (the analysis material after the intro,
 * the pair's notes reminder after the dialogue meeting) once the mail has gone: sent first, once
 * (the mail log), so a call that dies before the write mails nothing again when the timer retries.
 */
export async function meetingHeld(d: Deps, dialogue: Dialogue): Promise<void> {
  if (dialogue.dueKind !== 'held') return;
  const now = d.clock.now();
  const kind = kindBookedIn(dialogue.state);
  if (kind) {
    const meetingId = dialogue.phase?.meetingId;
    const meeting = meetingId ? await d.meetings.get(meetingId) : undefined;
    const end = meeting ? lastEnd(meeting) : now;
    if (end.getTime() > now.getTime()) {
      await d.dialogues.mutate(dialogue.id, (y) => (y.dueKind === 'held' ? withTimer(y, 'held', end) : undefined));
      return;
    }
    const mailed = await mailFollowingHeld(d, dialogue, kind, meeting);
    const held = await d.dialogues.mutate(
      dialogue.id,
      (y) => {
        if (y.state !== phaseStates[kind].booked) return undefined;
        const moved = {
          ...move(d, y, phaseStates[kind].held, 'phase_changed', `${meetingKindRules[kind].name} hållet`),
          lastMeetingEnd: end.toISOString(),
        };
        return mailed(moved) ?? followingHeld(d, moved) ?? withTimer(moved, 'held', new Date(now.getTime() + RETRY_MS));
      },
      dialogue,
    );
    if (meetingId) await clearConflictOfPastStep(d, dialogue, meetingStep(meetingId));
    // The record as this step wrote it, unless clearing a conflict changed it since.
    if (!held.dialogue.conflict) return afterHeld(d, dialogue.id, held.dialogue, meeting);
  }
  await afterHeld(d, dialogue.id);
}

/**
 * The mail that follows a held meeting of `kind`, sent before the write that records the meeting
 * held; returns the change that notes it on the held record (undefined: nothing to note).
 */
async function mailFollowingHeld(
  d: Deps,
  x: Dialogue,
  kind: PhaseMeetingKind,
  meeting?: Meeting,
): Promise<(y: Dialogue) => Dialogue | undefined> {
  switch (kind) {
    case 'intro':
      // Sent when there is a document for every school form the organiser runs, or the coordinator decides.
      return materialStep(d, x);
    case 'dialogue':
      return notesReminded(d, x, meeting);
    default:
      return () => undefined;
  }
}

/**
 * The pair is reminded of the notes of a held dialogue meeting (mailed now), and the record waits
 * for them: the second reminder is due a week later if the notes are still missing.
 */
async function notesReminded(d: Deps, x: Dialogue, meeting?: Meeting): Promise<(y: Dialogue) => Dialogue | undefined> {
  const reminded = await remindPairOfNotes(d, x, 1, meeting);
  const now = d.clock.now();
  return (y) => {
    const noted = reminded(y);
    const z = noted ?? y;
    return z.dueKind === 'held' && z.state === 'dialogue_held'
      ? withTimer(z, 'notes_reminder', addDays(now, NOTES_REMINDER_AFTER_DAYS))
      : noted;
  };
}

/** The change that follows a held meeting without sending anything, or undefined (none, or mail first). */
function followingHeld(d: Deps, y: Dialogue): Dialogue | undefined {
  const now = d.clock.now();
  switch (y.state) {
    case 'premeeting_held':
      return y.phase?.kind !== 'dialogue' ? beginPhase(d, y, 'dialogue') : undefined;
    case 'feedback_held': {
      const base = y.lastMeetingEnd ? new Date(y.lastMeetingEnd) : now;
      const due = addDays(base, FOLLOW_UP_OFFER_AFTER_DAYS);
      return withTimer(
        move(d, y, 'follow_up_due', 'phase_changed', `Uppföljning om ungefär sex månader (${formatSwedishDate(due)})`),
        'follow_up',
        due,
      );
    }
    case 'follow_up_held':
      return noTimer(move(d, y, 'closed', 'closed', 'Kvalitetsdialogen är genomförd'));
    default:
      return undefined;
  }
}

/**
 * What follows a held meeting, once it is recorded held (`known`: the record as the caller just
 * wrote it; `meeting`: the held meeting, as just read). A record still on its "held" timer has its
 * step left to do (a call that died, or a record written by an earlier version); the others only
 * start what the held write began.
 */
async function afterHeld(d: Deps, dialogueId: string, known?: Dialogue, meeting?: Meeting): Promise<void> {
  const x = known ?? (await d.dialogues.get(dialogueId));
  if (!x) return;
  switch (x.state) {
    case 'intro_held':
      // Sends the material if it is ready; otherwise hands the dialogue back to the coordinator.
      await sendMaterialIfReady(d, x.id, x);
      break;
    case 'material_sent':
      await kickPhase(d, x.id, x);
      break;
    case 'premeeting_held': {
      const { dialogue } = await d.dialogues.mutate(x.id, (y) => (y.state === 'premeeting_held' ? followingHeld(d, y) : undefined), x);
      await kickPhase(d, x.id, dialogue);
      break;
    }
    case 'dialogue_held':
      // The pair registers the notes (the console, or POST /api/meetings/{id}/notes); that moves the
      // dialogue on. They are reminded when it is held, and once more a week later if the notes are still missing.
      if (x.dueKind === 'held') await d.dialogues.mutate(x.id, await notesReminded(d, x, meeting), x);
      break;
    case 'feedback_held':
    case 'follow_up_held':
      await d.dialogues.mutate(x.id, (y) => (y.state === x.state ? followingHeld(d, y) : undefined), x);
      break;
    default:
      await d.dialogues.mutate(x.id, (y) => (y.dueKind === 'held' ? noTimer(y) : undefined), x);
  }
}

/** Days after the dialogue meeting until the pair is reminded a second time of its notes. */
export const NOTES_REMINDER_AFTER_DAYS = 7;

/**
 * Reminds the meeting's facilitator pair to register the notes of a held dialogue meeting, with a
 * link to the console's notes form; the second reminder goes to the coordinator too. Once per
 * meeting and reminder (a shared meeting's dialogues remind once between them). Returns the change
 * that notes the reminder in the history (undefined when noted already or nothing was due), for
 * the caller's write.
 */
async function remindPairOfNotes(d: Deps, x: Dialogue, n: 1 | 2, known?: Meeting): Promise<(y: Dialogue) => Dialogue | undefined> {
  const id = x.phase?.meetingId;
  const meeting = known?.id === id ? known : id ? await d.meetings.get(id) : undefined;
  if (meeting?.kind !== 'dialogue' || meeting.notes) return () => undefined;
  const facilitators = (await Promise.all([meeting.pair.skolverket, meeting.pair.spsm].map((f) => d.facilitators.get(f)))).filter(
    (f) => f !== undefined,
  );
  const recipients = [
    ...facilitators.map((f) => ({ key: f.id, name: f.name, email: f.email })),
    ...(n === 2 ? [{ key: 'coordinator', name: '', email: d.env.COORDINATOR_EMAIL }] : []),
  ];
  const names = await Promise.all(
    meeting.dialogueIds.map(async (id) => (id === x.id ? x : await d.dialogues.get(id))?.organiserName ?? ''),
  );
  const heldOn = formatSwedishDate(lastEnd(meeting));
  const notesUrl = consoleLinks(d.env.PUBLIC_BASE_URL).notes(x.id, meeting.id);
  await sendStep(
    d,
    meeting.dialogueIds[0] ?? x.id,
    `notes-reminder-${meeting.id}-${n}`,
    recipients.map((r) => ({
      contactId: r.key,
      email: r.email,
      render: () =>
        d.templates.email('notes-reminder', {
          recipientName: r.name,
          organiserNames: joinSwedish(names.filter(Boolean)),
          heldOn,
          second: n === 2,
          facilitatorNames: joinSwedish(facilitators.map((f) => f.name)),
          notesUrl,
        }),
    })),
  );
  return (y) =>
    y.history.some((h) => h.type === 'notes_reminder_sent' && h.detail?.startsWith(`Påminnelse ${n} `))
      ? undefined
      : {
          ...y,
          history: [
            ...y.history,
            entry(d, 'notes_reminder_sent', undefined, `Påminnelse ${n} till ${recipients.map((r) => r.email).join(', ')}`),
          ],
        };
}

/** The scheduler's second reminder of the notes, a week after the dialogue meeting: noted and the timer cleared in one write. */
export async function remindNotesAgain(d: Deps, dialogue: Dialogue): Promise<void> {
  if (dialogue.dueKind !== 'notes_reminder') return;
  const reminded = dialogue.state === 'dialogue_held' ? await remindPairOfNotes(d, dialogue, 2) : () => undefined;
  await d.dialogues.mutate(dialogue.id, (y) => {
    const noted = reminded(y);
    const z = noted ?? y;
    return z.dueKind === 'notes_reminder' ? noTimer(z) : noted;
  });
}

/**
 * Notes registered for a held dialogue meeting: each of its dialogues notes them (`noted`) and,
 * held, moves to notes_registered with the feedback phase begun, in one write.
 */
export async function onNotesRegistered(d: Deps, m: Meeting, noted: HistoryEntry): Promise<void> {
  for (const id of m.dialogueIds) {
    let x = await d.dialogues.get(id);
    // The notes may come before the scheduler's "held" tick: hold the meeting first.
    if (x?.state === 'dialogue_booked' && x.phase?.meetingId === m.id) {
      await meetingHeld(d, { ...x, dueKind: 'held' });
      x = undefined;
    }
    let moved = false;
    const { dialogue } = await d.dialogues.mutate(
      id,
      (y) => {
        const z = { ...y, history: [...y.history, noted], updatedAt: noted.at };
        moved = y.state === 'dialogue_held';
        return moved ? beginPhase(d, move(d, z, 'notes_registered', 'notes_registered', `Minnesanteckningar (${m.id})`), 'feedback') : z;
      },
      x,
    );
    if (moved) await kickPhase(d, id, dialogue);
  }
}

/** The follow-up's due-date (≈ six months after the feedback meeting): the follow-up phase starts. */
export async function followUpDue(d: Deps, dialogue: Dialogue): Promise<void> {
  if (dialogue.dueKind !== 'follow_up') return;
  if (dialogue.state !== 'follow_up_due') return clearTimer(d, dialogue.id, 'follow_up');
  const { changed, dialogue: begun } = await d.dialogues.mutate(
    dialogue.id,
    (y) => (y.state === 'follow_up_due' && y.dueKind === 'follow_up' ? beginPhase(d, y, 'follow_up') : undefined),
    dialogue,
  );
  await kickPhase(d, dialogue.id, changed ? begun : undefined);
}

/** The organiser stops after the introduction (the link in the material mail): recorded, not an error. */
export async function stopAfterIntro(d: Deps, dialogueId: string, by: string): Promise<{ dialogue: Dialogue; changed: boolean }> {
  const result = await d.dialogues.mutate(dialogueId, (y) => {
    if (y.state !== 'material_sent' && y.state !== 'premeeting_offered') return undefined;
    const moved = move(d, y, 'stopped_after_intro', 'stopped', 'Huvudmannen avslutar efter introduktionen');
    return noTimer({ ...moved, history: [...moved.history.slice(0, -1), { ...(moved.history.at(-1) as HistoryEntry), by }] });
  });
  if (result.changed) await releaseWait(d, dialogueId);
  await syncPlannedDates(d, dialogueId);
  return result;
}
