/**
 * What moves a dialogue on after a booking: booked, moved and cancelled meetings (called by the
 * meeting use-cases), the held meeting and what follows it (analysis material, notes, feedback,
 * the follow-up about six months later), stopping after the introduction, and a failed phase and
 * its retry.
 */

import { addDays, type Dialogue, type HistoryEntry, isTerminal, type PhaseMeetingKind } from '#core/dialogue.ts';
import type { Meeting } from '#core/meetings.ts';
import { meetingKindRules } from '#core/scheduling.ts';
import { formatSwedishDate, formatSwedishDateTime } from '#core/time.ts';
import type { Deps } from '#adapters/deps.ts';
import { recordMetric } from '#adapters/observability.ts';
import { mailIntroSessionToPairOrLater } from '../intro-session-mail.ts';
import { syncPlannedDates } from '../calendar-sync.ts';
import { sendOnce } from '../mail.ts';
import { kickPhase } from './phase.ts';
import { releaseWait } from './offer.ts';

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

/** A meeting was booked: each of its dialogues offering that kind moves to *_booked; the wait ends. */
export async function onMeetingBooked(d: Deps, m: Meeting): Promise<void> {
  const kind = m.kind as PhaseMeetingKind;
  for (const id of m.dialogueIds) {
    const { changed } = await d.dialogues.mutate(id, (y) => {
      if (y.state !== phaseStates[kind].offered) return undefined;
      const moved = move(d, y, phaseStates[kind].booked, 'phase_changed', `${meetingKindRules[kind].name} bokat (${m.id})`);
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
    });
    // Counted by the one write that moves the dialogue to *_booked: a repeated call changes nothing.
    if (changed) recordMetric('MeetingsBooked', 1, { kind });
    if (changed) await releaseWait(d, id);
  }
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
    const { changed } = await d.dialogues.mutate(id, (y) => {
      if (y.phase?.meetingId !== m.id || y.state !== phaseStates[kind].booked) return undefined;
      const moved = move(d, y, phaseStates[kind].offered, 'phase_changed', `${meetingKindRules[kind].name} avbokat; nya tider erbjuds`);
      return beginPhase(d, moved, kind, y.phase.round + 1);
    });
    if (changed) await kickPhase(d, id);
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
    await d.dialogues.mutate(dialogue.id, (y) =>
      y.state !== phaseStates[kind].booked
        ? undefined
        : withTimer(
            {
              ...move(d, y, phaseStates[kind].held, 'phase_changed', `${meetingKindRules[kind].name} hållet`),
              lastMeetingEnd: end.toISOString(),
            },
            'held',
            new Date(now.getTime() + RETRY_MS),
          ),
    );
  }
  await afterHeld(d, dialogue.id);
}

/** What follows a held meeting. */
async function afterHeld(d: Deps, dialogueId: string): Promise<void> {
  const x = await d.dialogues.get(dialogueId);
  if (!x) return;
  const now = d.clock.now();
  switch (x.state) {
    case 'intro_held':
      await sendMaterial(d, x);
      break;
    case 'premeeting_held':
      await d.dialogues.mutate(x.id, (y) =>
        y.state === 'premeeting_held' && y.phase?.kind !== 'dialogue' ? beginPhase(d, y, 'dialogue') : undefined,
      );
      await kickPhase(d, x.id);
      break;
    case 'dialogue_held':
      // The pair registers the notes (POST /api/meetings/{id}/notes); that moves the dialogue on.
      await d.dialogues.mutate(x.id, (y) => (y.dueKind === 'held' ? noTimer(y) : undefined));
      break;
    case 'feedback_held': {
      const base = x.lastMeetingEnd ? new Date(x.lastMeetingEnd) : now;
      await d.dialogues.mutate(x.id, (y) =>
        y.state !== 'feedback_held'
          ? undefined
          : withTimer(
              move(
                d,
                y,
                'follow_up_due',
                'phase_changed',
                `Uppföljning om ungefär sex månader (${formatSwedishDate(addDays(base, FOLLOW_UP_OFFER_AFTER_DAYS))})`,
              ),
              'follow_up',
              addDays(base, FOLLOW_UP_OFFER_AFTER_DAYS),
            ),
      );
      break;
    }
    case 'follow_up_held':
      await d.dialogues.mutate(x.id, (y) =>
        y.state !== 'follow_up_held' ? undefined : noTimer(move(d, y, 'closed', 'closed', 'Kvalitetsdialogen är genomförd')),
      );
      break;
    default:
      await d.dialogues.mutate(x.id, (y) => (y.dueKind === 'held' ? noTimer(y) : undefined));
  }
}

/** The analysis material: one mail per contact with the documents and a signed "we stop here" link. */
async function sendMaterial(d: Deps, x: Dialogue): Promise<void> {
  const documents = (x.documents ?? []).map((doc) => ({ ...doc, schoolFormName: schoolFormNames[doc.schoolForm] ?? doc.schoolForm }));
  for (const r of x.recipients) {
    await sendOnce(d, {
      dialogueId: x.id,
      step: 'material',
      contactId: r.contactId,
      email: r.email,
      withLink: true,
      linkStep: 'stop',
      withOverview: true,
      render: (link, overview) =>
        d.templates.email('material', {
          recipientName: r.name,
          organiserName: x.organiserName,
          documents,
          hasDocuments: documents.length > 0,
          link,
          overviewLink: overview,
        }),
    });
  }
  await d.dialogues.mutate(x.id, (y) =>
    y.state !== 'intro_held'
      ? undefined
      : beginPhase(
          d,
          move(d, y, 'material_sent', 'material_sent', `${documents.length} dokument till ${y.recipients.map((r) => r.email).join(', ')}`),
          'pre_meeting',
        ),
  );
  await kickPhase(d, x.id);
}

export const schoolFormNames: Record<string, string> = {
  forskola: 'Förskola',
  forskoleklass: 'Förskoleklass',
  grundskola: 'Grundskola',
  anpassad_grundskola: 'Anpassad grundskola',
  sameskola: 'Sameskola',
  specialskola: 'Specialskola',
  gymnasieskola: 'Gymnasieskola',
  anpassad_gymnasieskola: 'Anpassad gymnasieskola',
  komvux: 'Komvux',
  fritidshem: 'Fritidshem',
};

/** Notes registered for a held dialogue meeting: notes_registered, and the feedback phase starts. */
export async function onNotesRegistered(d: Deps, m: Meeting): Promise<void> {
  for (const id of m.dialogueIds) {
    const x = await d.dialogues.get(id);
    // The notes may come before the scheduler's "held" tick: hold the meeting first.
    if (x?.state === 'dialogue_booked' && x.phase?.meetingId === m.id) await meetingHeld(d, { ...x, dueKind: 'held' });
    const { changed } = await d.dialogues.mutate(id, (y) =>
      y.state !== 'dialogue_held'
        ? undefined
        : beginPhase(d, move(d, y, 'notes_registered', 'notes_registered', `Minnesanteckningar (${m.id})`), 'feedback'),
    );
    if (changed) await kickPhase(d, id);
  }
}

/** The follow-up's due-date (≈ six months after the feedback meeting): the follow-up phase starts. */
export async function followUpDue(d: Deps, dialogue: Dialogue): Promise<void> {
  if (dialogue.dueKind !== 'follow_up') return;
  if (dialogue.state !== 'follow_up_due') return clearTimer(d, dialogue.id, 'follow_up');
  await d.dialogues.mutate(dialogue.id, (y) =>
    y.state === 'follow_up_due' && y.dueKind === 'follow_up' ? beginPhase(d, y, 'follow_up') : undefined,
  );
  await kickPhase(d, dialogue.id);
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

/**
 * A phase step failed after its retries: the record keeps the failure on its phase (shown by
 * GET /api/dialogues/{id}) and the coordinator gets one mail with the cause (the machine's
 * ExecutionsFailed alarm fires too). The dialogue keeps its state (the organiser has done nothing
 * wrong); the coordinator retries (`retryPhase`, the console's "Försök igen") or books by API.
 */
export async function recordPhaseFailure(
  d: Deps,
  dialogueId: string,
  kind: PhaseMeetingKind,
  failure: { Error?: string; Cause?: string } | undefined,
  round?: number,
): Promise<void> {
  const error = (failure?.Error ?? 'Error').slice(0, 100);
  const cause = (failure?.Cause ?? '').slice(0, 500);
  const detail = `${meetingKindRules[kind].name}: ${error}: ${cause}`;
  const { dialogue: x, changed } = await d.dialogues.mutate(dialogueId, (y) => {
    const same = y.phase?.kind === kind && (round === undefined || y.phase.round === round);
    if (same && y.phase?.failure) return undefined; // recorded already (a retried task)
    return {
      ...(same && y.dueKind === 'phase_start' ? noTimer(y) : y),
      ...(same && y.phase ? { phase: { ...y.phase, failure: { at: at(d), error, cause } } } : {}),
      updatedAt: at(d),
      history: [...y.history, entry(d, 'failed', undefined, detail)],
    };
  });
  // Counted by the one write that records the failure on its phase (a retried task changes nothing);
  // a stale execution's failure, for a phase the dialogue has left, is only noted in the history.
  if (changed && x.phase?.kind === kind && x.phase.round === (round ?? x.phase.round)) recordMetric('PhaseFailures', 1, { kind });
  const failedAt = x.phase?.failure?.at ?? at(d);
  await sendOnce(d, {
    dialogueId,
    step: `phase-failed-${kind}-${round ?? x.phase?.round ?? 0}`,
    contactId: 'coordinator',
    email: d.env.COORDINATOR_EMAIL,
    render: () =>
      d.templates.email('phase-failed', {
        organiserName: x.organiserName,
        meetingName: meetingKindRules[kind].name.toLowerCase(),
        failedAt: formatSwedishDateTime(new Date(failedAt)),
        error,
        cause,
        dialogueUrl: `${d.env.PUBLIC_BASE_URL}/api/dialogues/${dialogueId}`,
        consoleUrl: `${d.env.PUBLIC_BASE_URL}/console/dialogues/${dialogueId}`,
      }),
  });
}

/**
 * The coordinator's retry of a failed phase step: a new round of the same phase (a new execution;
 * its offer and links are new, mail of the failed round is not repeated). Idempotent per failure.
 */
export async function retryPhase(d: Deps, dialogueId: string, by: string): Promise<{ dialogue: Dialogue; changed: boolean }> {
  const result = await d.dialogues.mutate(dialogueId, (y) => {
    if (!y.phase?.failure || isTerminal(y.state)) return undefined;
    if (y.state !== phaseStates[y.phase.kind].from && y.state !== phaseStates[y.phase.kind].offered) return undefined;
    const { kind, round, failure } = y.phase;
    const next = beginPhase(d, y, kind, round + 1);
    return {
      ...next,
      updatedAt: at(d),
      history: [
        ...next.history,
        { ...entry(d, 'retried', undefined, `${meetingKindRules[kind].name}: nytt försök efter ${failure.error}`), by },
      ],
    };
  });
  if (result.changed) await kickPhase(d, dialogueId);
  return { ...result, dialogue: (await d.dialogues.get(dialogueId)) ?? result.dialogue };
}
