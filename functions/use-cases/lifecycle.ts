/**
 * The dialogue after acceptance: intro → analysis material → pre-meeting → dialogue meeting →
 * notes → feedback → follow-up about six months later → closed. The dialogue record is the source
 * of truth and every state change goes through the transitions table (`assertTransition`); the
 * meeting-phase workflow (workflows/meeting.ts) carries out one offer-and-book step, and the
 * scheduler's due-dates on the record move the process on between them:
 *
 *   phase_start     start (or re-kick) the phase's execution until its offer task runs
 *   offer_reminder  remind the organiser of the open offer
 *   offer_escalate  nobody booked: the coordinator takes over, the execution ends
 *   held            the booked meeting has ended: *_held, then what follows it
 *   follow_up       about six months after the feedback meeting: offer the follow-up
 *
 * Each function is idempotent: it reads the record, does only what is not yet done, and writes
 * with a version check, so a retry, a timer that fires twice or a restart repeats nothing visible.
 */
import { randomUUID } from 'node:crypto';
import * as z from '#core/zod.ts';
import {
  addDays,
  assertTransition,
  type Dialogue,
  type DialogueState,
  type HistoryEntry,
  isTerminal,
  type OfferedSlot,
  type PhaseMeetingKind,
  type PhaseProgress,
} from '#core/dialogue.ts';
import { ConflictError, NotFoundError, ValidationError } from '#core/errors.ts';
import type { Interval } from '#core/facilitators.ts';
import { sessionsToOffer } from '#core/intro-sessions.ts';
import { type Meeting, plannedKindOf } from '#core/meetings.ts';
import { type Organiser, schoolForms } from '#core/organiser.ts';
import { meetingKindRules, proposeSlots, sessionPlan } from '#core/scheduling.ts';
import { addCalendarDays, stockholmDate, stockholmInstant, stockholmTime } from '#core/calendar.ts';
import { formatSwedishDate, formatSwedishDateTime } from '#core/time.ts';
import type { Deps } from '#adapters/deps.ts';
import { clashesFor } from './clash.ts';
import { mailIntroSessionToPairOrLater } from './intro-session-mail.ts';
import { sendOnce } from './mail.ts';
import { busyOf } from './scheduling.ts';
import { singleLine } from '#core/fields.ts';
import { parseOrThrow } from './validate.ts';

/** The states of each meeting phase, and the states a new phase starts from. */
export const phaseStates: Readonly<
  Record<PhaseMeetingKind, { from: DialogueState; offered: DialogueState; booked: DialogueState; held: DialogueState }>
> = {
  intro: { from: 'accepted', offered: 'intro_offered', booked: 'intro_booked', held: 'intro_held' },
  pre_meeting: { from: 'material_sent', offered: 'premeeting_offered', booked: 'premeeting_booked', held: 'premeeting_held' },
  dialogue: { from: 'premeeting_held', offered: 'dialogue_offered', booked: 'dialogue_booked', held: 'dialogue_held' },
  feedback: { from: 'notes_registered', offered: 'feedback_offered', booked: 'feedback_booked', held: 'feedback_held' },
  follow_up: { from: 'follow_up_due', offered: 'follow_up_offered', booked: 'follow_up_booked', held: 'follow_up_held' },
};
const phaseKinds = Object.keys(phaseStates) as PhaseMeetingKind[];

/** The phase whose meeting is offered or booked in this state. */
export const kindBookedIn = (state: DialogueState): PhaseMeetingKind | undefined => phaseKinds.find((k) => phaseStates[k].booked === state);
export const kindOfferedIn = (state: DialogueState): PhaseMeetingKind | undefined =>
  phaseKinds.find((k) => phaseStates[k].offered === state);

/** Days from the feedback meeting until the follow-up is offered (its slots then fall ≈ 6 months after). */
export const FOLLOW_UP_OFFER_AFTER_DAYS = 150;
/** Retry pause of a timer whose work did not finish (the next tick tries again). */
const RETRY_MS = 5 * 60_000;

const at = (d: Deps) => d.clock.now().toISOString();
const entry = (d: Deps, type: HistoryEntry['type'], state?: DialogueState, detail?: string): HistoryEntry => ({
  at: at(d),
  type,
  ...(state ? { state } : {}),
  ...(detail ? { detail } : {}),
});

/** Moves the record to `to` (checked against the transitions table) with a history entry. */
function move(d: Deps, x: Dialogue, to: DialogueState, type: HistoryEntry['type'], detail?: string): Dialogue {
  assertTransition(x.state, to);
  return { ...x, state: to, updatedAt: at(d), history: [...x.history, entry(d, type, to, detail)] };
}

const withTimer = (x: Dialogue, kind: Dialogue['dueKind'], dueAt: Date): Dialogue => ({
  ...x,
  dueKind: kind,
  dueAt: dueAt.toISOString(),
});
const noTimer = (x: Dialogue): Dialogue => ({ ...x, dueAt: undefined, dueKind: undefined });

/** A timer with nothing (left) to do is cleared, so the scheduler does not fire it again. */
async function clearTimer(d: Deps, dialogueId: string, kind: NonNullable<Dialogue['dueKind']>): Promise<void> {
  await d.dialogues.mutate(dialogueId, (y) => (y.dueKind === kind ? noTimer(y) : undefined));
}

/** Marks the record as starting round 1 of `kind`; the scheduler re-kicks the start until it runs. */
export function beginPhase(d: Deps, x: Dialogue, kind: PhaseMeetingKind, round = 1): Dialogue {
  const phase: PhaseProgress = { kind, round };
  return withTimer({ ...x, phase }, 'phase_start', new Date(d.clock.now().getTime() + RETRY_MS));
}

/** Starts the phase execution the record names (a repeated start is a no-op); the timer is the retry. */
export async function kickPhase(d: Deps, dialogueId: string): Promise<void> {
  const x = await d.dialogues.get(dialogueId);
  if (x?.dueKind !== 'phase_start') return;
  if (!x.phase || isTerminal(x.state)) return clearTimer(d, x.id, 'phase_start');
  let started: boolean;
  try {
    ({ started } = await d.workflow.startPhase(x.id, x.phase.kind, x.phase.round));
  } catch {
    return; // The 'phase_start' timer stays; the next tick tries again.
  }
  const { kind, round } = x.phase;
  await d.dialogues.mutate(dialogueId, (y) =>
    y.dueKind !== 'phase_start' || y.phase?.kind !== kind || y.phase.round !== round
      ? undefined
      : started
        ? withTimer(y, 'phase_start', new Date(d.clock.now().getTime() + RETRY_MS))
        : noTimer(y),
  );
}

/** Acceptance starts the intro phase (called once the invitation workflow has been told). */
export function startIntroOnAcceptance(d: Deps, x: Dialogue): Dialogue | undefined {
  if (x.state !== 'accepted' || x.phase) return undefined;
  return beginPhase(d, noTimer(x), 'intro');
}

/**
 * Dialogues accepted before the phases after acceptance existed sit in `accepted` with no phase and
 * no timer. The scheduler's tick gives each of them the intro phase (one bounded Query on the
 * byState index per tick; a dialogue with a pending timer, e.g. an answer not yet delivered to its
 * workflow, is left to that timer). Idempotent: the write is conditional on "no phase, no timer".
 */
export async function catchUpAccepted(d: Deps, limit = 25): Promise<number> {
  const page = await d.dialogues.list({ state: 'accepted' }, limit);
  let started = 0;
  for (const x of page.items) {
    if (x.phase || x.dueKind) continue;
    const { changed } = await d.dialogues.mutate(x.id, (y) => {
      const begun = y.dueKind ? undefined : startIntroOnAcceptance(d, y);
      return (
        begun && { ...begun, history: [...begun.history, entry(d, 'phase_changed', undefined, 'Introduktionsfasen startas i efterhand')] }
      );
    });
    if (!changed) continue;
    await kickPhase(d, x.id);
    started++;
  }
  return started;
}

// ---- the offer --------------------------------------------------------------------------------

async function organiserOf(d: Deps, x: Dialogue): Promise<Organiser> {
  const o = await d.organisers.get(x.organiserId);
  if (!o) throw new NotFoundError(`Dialogue ${x.id} names organiser '${x.organiserId}', which does not exist`);
  return o;
}

const toSlot = (pair: OfferedSlot['pair'], sessions: readonly Interval[], introSessionId?: string): OfferedSlot => ({
  pair,
  sessions: sessions.map((s) => ({ start: s.start.toISOString(), end: s.end.toISOString() })),
  ...(introSessionId ? { introSessionId } : {}),
});

/** Proposes times for the phase: places in fitting group intro sessions first, else 3 free slots of the pair. */
export async function proposeFor(
  d: Deps,
  x: Dialogue,
  kind: PhaseMeetingKind,
  exclude: { days: readonly string[]; sessions: readonly string[] },
): Promise<OfferedSlot[]> {
  const now = d.clock.now();
  const organiser = await organiserOf(d, x);
  if (kind === 'intro') {
    const profile = {
      region: x.region,
      municipal: x.municipal,
      preschoolOnly: organiser.schoolForms.length === 1 && organiser.schoolForms[0] === 'forskola',
    };
    const sessions = sessionsToOffer(await d.introSessions.list(x.region), profile, now).filter(
      (s) => !exclude.sessions.includes(s.id) && new Date(s.start).getTime() >= addDays(now, 2).getTime(),
    );
    if (sessions.length > 0) {
      return sessions.slice(0, 5).map((s) => toSlot(s.pair, [{ start: new Date(s.start), end: new Date(s.end) }], s.id));
    }
  }
  const facilitators = await d.facilitators.list();
  const clashes = await clashesFor(d, [x.organiserId], plannedKindOf(kind));
  const lastDay = exclude.days.toSorted().at(-1);
  try {
    const slots = proposeSlots(
      { facilitators, busy: busyOf(facilitators), calendar: d.scheduling.calendar, settings: d.scheduling.settings },
      {
        kind,
        now,
        previousMeetingEnd: x.lastMeetingEnd ? new Date(x.lastMeetingEnd) : undefined,
        count: 3,
        ...(kind === 'dialogue' && x.meetingPlan ? { sessions: x.meetingPlan.sessions, sessionMinutes: x.meetingPlan.sessionMinutes } : {}),
        prefs: { previous: x.pair },
        clashCheck: (sessions) => clashes(sessions).length > 0,
        notBefore: lastDay ? stockholmInstant(addCalendarDays(lastDay, 1), '00:00') : undefined,
      },
    );
    return slots.map((s) => toSlot(s.pair, s.sessions));
  } catch (e) {
    if (e instanceof RangeError) return [];
    throw e;
  }
}

/** The outcome a waiting booking task is completed with, from the record; undefined: still waiting. */
export function bookingOutcome(x: Pick<Dialogue, 'state' | 'phase'>, kind: string, round: number): string | undefined {
  if (isTerminal(x.state)) return 'closed';
  if (x.phase?.kind !== kind || x.phase.round !== round) return 'closed';
  const states = phaseStates[kind as PhaseMeetingKind];
  if (x.state !== states.offered && x.state !== states.from) return 'booked';
  if (x.phase.offer?.status === 'other_times') return 'other_times';
  if (x.phase.offer?.status === 'escalated') return 'escalated';
  return undefined;
}

/** Step 1 of a meeting phase: enter *_offered, propose times, mail the organiser's contacts signed links. */
export async function offerMeetingStep(d: Deps, dialogueId: string, kind: PhaseMeetingKind, round: number): Promise<{ offered: number }> {
  let x = await d.dialogues.get(dialogueId);
  if (!x) throw new NotFoundError(`No dialogue with id '${dialogueId}'`);
  // A stale execution (the record moved on): the wait that follows ends at once.
  if (bookingOutcome(x, kind, round) === 'closed' || bookingOutcome(x, kind, round) === 'booked') return { offered: -1 };
  const previous = x.phase?.offer;
  if (!previous || previous.status === 'other_times') {
    const exclude = { days: previous?.offeredDays ?? [], sessions: previous?.offeredSessions ?? [] };
    const slots = await proposeFor(d, x, kind, exclude);
    const no = (previous?.no ?? 0) + 1;
    const now = d.clock.now();
    const states = phaseStates[kind];
    ({ dialogue: x } = await d.dialogues.mutate(dialogueId, (y) => {
      if (y.phase?.kind !== kind || y.phase.round !== round || (y.phase.offer?.no ?? 0) !== no - 1) return undefined;
      if (y.phase.offer && y.phase.offer.status !== 'other_times') return undefined;
      const base = y.state === states.from ? move(d, y, states.offered, 'phase_changed', meetingKindRules[kind].name) : y;
      const offer = {
        no,
        slots,
        sentAt: now.toISOString(),
        status: 'open' as const,
        offeredDays: [...exclude.days, ...slots.flatMap((s) => s.sessions.map((i) => stockholmDate(new Date(i.start))))],
        offeredSessions: [...exclude.sessions, ...slots.flatMap((s) => (s.introSessionId ? [s.introSessionId] : []))],
      };
      const next: Dialogue = {
        ...base,
        phase: { ...(base.phase as PhaseProgress), offer },
        updatedAt: now.toISOString(),
        history: [
          ...base.history,
          entry(
            d,
            'slots_proposed',
            states.offered,
            slots.length > 0
              ? `${meetingKindRules[kind].name}: ${slots.map((s) => formatSwedishDateTime(new Date(s.sessions[0]?.start ?? 0))).join(', ')}`
              : `${meetingKindRules[kind].name}: inga lediga tider hittades`,
          ),
        ],
      };
      return slots.length > 0 ? withTimer(next, 'offer_reminder', addDays(now, d.settings.reminderAfterDays)) : noTimer(next);
    }));
  }
  const offer = x.phase?.offer;
  if (offer?.status !== 'open') return { offered: offer?.slots.length ?? 0 };
  if (offer.slots.length === 0) return { offered: 0 };
  await mailOffer(d, x, offer.no, 'offer');
  return { offered: offer.slots.length };
}

function slotView(slot: OfferedSlot, index: number) {
  const sessions = slot.sessions.map((s, i) => ({
    number: i + 1,
    when: formatSwedishDateTime(new Date(s.start)),
    endTime: stockholmTime(new Date(s.end)),
  }));
  return { index, number: index + 1, sessions, split: sessions.length > 1, group: Boolean(slot.introSessionId) };
}

/** The offer mail (or its reminder) to each of the organiser's contacts, each with a signed link. */
async function mailOffer(d: Deps, x: Dialogue, no: number, what: 'offer' | 'reminder'): Promise<void> {
  // A reminder's link lasts until the offer is handed over (escalateAfterDays after the reminder).
  const linkValidUntil = what === 'reminder' ? addDays(d.clock.now(), d.settings.escalateAfterDays) : undefined;
  const phase = x.phase as PhaseProgress;
  const offer = phase.offer;
  if (!offer) return;
  const step = `offer-${phase.kind}-${phase.round}-${no}`;
  const mails = what === 'offer' ? [] : (await d.mailLog.list(x.id)).filter((m) => m.step === step);
  const rule = meetingKindRules[phase.kind];
  for (const r of x.recipients) {
    const first = mails.find((m) => m.contactId === r.contactId);
    await sendOnce(d, {
      dialogueId: x.id,
      step: what === 'offer' ? step : `${step}-reminder`,
      contactId: r.contactId,
      email: r.email,
      link: first?.linkId && first.linkExpiresAt ? { linkId: first.linkId, expiresAt: first.linkExpiresAt } : undefined,
      withLink: !first?.linkId,
      linkValidUntil,
      linkStep: `offer:${phase.kind}:${phase.round}:${no}`,
      render: (link) =>
        d.templates.email('meeting-offer', {
          recipientName: r.name,
          organiserName: x.organiserName,
          meetingName: rule.name,
          meetingNameLower: rule.name.toLowerCase(),
          physical: rule.mode === 'physical',
          groupIntro: offer.slots.some((s) => s.introSessionId),
          reminder: what === 'reminder',
          slots: offer.slots.map(slotView),
          link,
        }),
    });
  }
}

/** The task token of the booking wait; completes it at once if the booking is already decided. */
export async function awaitBookingStep(
  d: Deps,
  dialogueId: string,
  kind: PhaseMeetingKind,
  round: number,
  taskToken: string,
): Promise<{ waiting: boolean }> {
  const { dialogue } = await d.dialogues.mutate(dialogueId, (x) =>
    x.phase?.kind !== kind || x.phase.round !== round || x.phase.token === taskToken
      ? undefined
      : { ...x, phase: { ...x.phase, token: taskToken } },
  );
  const outcome = bookingOutcome(dialogue, kind, round);
  if (outcome) {
    await d.workflow.completeWait(taskToken, { outcome });
    return { waiting: false };
  }
  return { waiting: true };
}

/** Tells a waiting booking task what the record says now; a lost call ends at the wait's safety time-out. */
export async function releaseWait(d: Deps, dialogueId: string): Promise<'delivered' | 'closed' | 'none'> {
  const x = await d.dialogues.get(dialogueId);
  const token = x?.phase?.token;
  if (!x?.phase || !token) return 'none';
  const outcome = bookingOutcome(x, x.phase.kind, x.phase.round);
  if (!outcome) return 'none';
  try {
    return await d.workflow.completeWait(token, { outcome });
  } catch {
    return 'none';
  }
}

/** The scheduler's reminder of an open offer; then, after escalateAfterDays, the hand-over. */
export async function remindOffer(d: Deps, dialogue: Dialogue): Promise<void> {
  const x = dialogue;
  if (x.dueKind !== 'offer_reminder') return;
  const offer = x.phase?.offer;
  if (offer?.status !== 'open') return clearTimer(d, x.id, 'offer_reminder');
  const no = offer.no;
  await mailOffer(d, x, no, 'reminder');
  await d.dialogues.mutate(x.id, (y) =>
    y.dueKind !== 'offer_reminder' || y.phase?.offer?.no !== no
      ? undefined
      : withTimer(
          {
            ...y,
            updatedAt: at(d),
            history: [...y.history, entry(d, 'offer_reminder_sent', undefined, meetingKindRules[y.phase.kind].name)],
          },
          'offer_escalate',
          addDays(d.clock.now(), d.settings.escalateAfterDays),
        ),
  );
}

/** Nobody booked (or nothing fits): the coordinator is told and takes over; the execution ends. */
export async function handOverOffer(d: Deps, dialogueId: string, kind: PhaseMeetingKind, round: number): Promise<void> {
  const { dialogue: x, changed } = await d.dialogues.mutate(dialogueId, (y) => {
    if (y.phase?.kind !== kind || y.phase.round !== round || !y.phase.offer || y.phase.offer.status !== 'open') return undefined;
    if (y.state !== phaseStates[kind].offered) return undefined;
    const empty = y.phase.offer.slots.length === 0;
    return noTimer({
      ...y,
      phase: { ...y.phase, offer: { ...y.phase.offer, status: 'escalated' } },
      updatedAt: at(d),
      history: [
        ...y.history,
        entry(d, 'handed_over', undefined, empty ? 'Inga lediga tider att föreslå' : 'Ingen tid bokades efter påminnelsen'),
      ],
    });
  });
  if (!changed && x.phase?.offer?.status !== 'escalated') return;
  const offer = x.phase?.offer;
  await sendOnce(d, {
    dialogueId,
    step: `handover-${kind}-${round}-${offer?.no ?? 0}`,
    contactId: 'coordinator',
    email: d.env.COORDINATOR_EMAIL,
    render: () =>
      d.templates.email('offer-handover', {
        organiserName: x.organiserName,
        meetingName: meetingKindRules[kind].name,
        noSlots: (offer?.slots.length ?? 0) === 0,
        offeredOn: offer ? formatSwedishDate(new Date(offer.sentAt)) : '',
        dialogueUrl: `${d.env.PUBLIC_BASE_URL}/api/dialogues/${dialogueId}`,
      }),
  });
}

/** The scheduler's hand-over timer: the coordinator is told and the waiting execution ends. */
export async function escalateOffer(d: Deps, dialogue: Dialogue): Promise<void> {
  if (dialogue.dueKind !== 'offer_escalate') return;
  if (!dialogue.phase) return clearTimer(d, dialogue.id, 'offer_escalate');
  await handOverOffer(d, dialogue.id, dialogue.phase.kind, dialogue.phase.round);
  await d.dialogues.mutate(dialogue.id, (y) => (y.dueKind === 'offer_escalate' ? noTimer(y) : undefined));
  await releaseWait(d, dialogue.id);
}

/** The organiser asks for other times: a new offer (the workflow loops), or a new round if it ended. */
export async function requestOtherTimes(d: Deps, dialogueId: string, by: string, comment?: string): Promise<Dialogue> {
  const { dialogue, changed } = await d.dialogues.mutate(dialogueId, (y) => {
    const offer = y.phase?.offer;
    if (!y.phase || !offer || (offer.status !== 'open' && offer.status !== 'escalated')) return undefined;
    if (y.state !== phaseStates[y.phase.kind].offered) return undefined;
    return noTimer({
      ...y,
      phase: { ...y.phase, offer: { ...offer, status: 'other_times' } },
      updatedAt: at(d),
      history: [...y.history, { ...entry(d, 'other_times_requested', undefined, comment ? `Kommentar: ${comment}` : undefined), by }],
    });
  });
  if (!changed) return dialogue;
  const released = await releaseWait(d, dialogueId);
  if (released !== 'delivered') {
    // The execution had ended (handed over): a new round offers new times, not the ones offered before.
    await d.dialogues.mutate(dialogueId, (y) => {
      const offer = y.phase?.offer;
      if (!y.phase || offer?.status !== 'other_times') return undefined;
      const round = y.phase.round + 1;
      return { ...beginPhase(d, y, y.phase.kind, round), phase: { kind: y.phase.kind, round, offer } };
    });
    await kickPhase(d, dialogueId);
  }
  return (await d.dialogues.get(dialogueId)) as Dialogue;
}

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
      render: (link) =>
        d.templates.email('material', {
          recipientName: r.name,
          organiserName: x.organiserName,
          documents,
          hasDocuments: documents.length > 0,
          link,
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
  const { dialogue: x } = await d.dialogues.mutate(dialogueId, (y) => {
    const same = y.phase?.kind === kind && (round === undefined || y.phase.round === round);
    if (same && y.phase?.failure) return undefined; // recorded already (a retried task)
    return {
      ...(same && y.dueKind === 'phase_start' ? noTimer(y) : y),
      ...(same && y.phase ? { phase: { ...y.phase, failure: { at: at(d), error, cause } } } : {}),
      updatedAt: at(d),
      history: [...y.history, entry(d, 'failed', undefined, detail)],
    };
  });
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

// ---- analysis material (coordinator) -----------------------------------------------------------

export const documentInputSchema = z.strictObject({
  schoolForm: z.enum(schoolForms, { message: `schoolForm must be one of ${schoolForms.join(', ')}` }),
  title: singleLine(2, 200, 'title'),
  url: z.url({ protocol: /^https$/, message: 'url must be an https link to the document' }),
});

/** Attaches a document link to the dialogue's analysis material (metadata and URL only). */
export async function attachDocument(d: Deps, dialogueId: string, body: unknown): Promise<Dialogue> {
  const input = parseOrThrow(documentInputSchema, body, 'document');
  if (!(await d.dialogues.get(dialogueId))) throw new NotFoundError(`No dialogue with id '${dialogueId}'`);
  const { dialogue } = await d.dialogues.mutate(dialogueId, (y) => {
    if (isTerminal(y.state)) throw new ConflictError(`The dialogue is ${y.state}; documents can no longer be attached`);
    if ((y.documents ?? []).length >= 20) throw new ValidationError('A dialogue has at most 20 documents');
    const doc = { id: `doc-${randomUUID()}`, ...input, addedAt: at(d) };
    return {
      ...y,
      documents: [...(y.documents ?? []), doc],
      updatedAt: at(d),
      history: [...y.history, entry(d, 'documents_attached', undefined, `${schoolFormNames[input.schoolForm]}: ${input.title}`)],
    };
  });
  return dialogue;
}

// ---- the dialogue meeting's plan and shared meetings (coordinator) -----------------------------

export const meetingPlanSchema = z
  .strictObject({
    sessions: z.number().check(z.int(), z.gte(1), z.lte(3)),
    sessionMinutes: z.optional(z.number().check(z.int(), z.gte(60), z.lte(210))),
  })
  .check(
    z.superRefine((p, ctx) => {
      try {
        sessionPlan('dialogue', p.sessions, p.sessionMinutes);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message, path: ['sessionMinutes'] });
      }
    }),
  );

/** Sets how the dialogue meeting will be offered (split into 2–3 sessions, or one); before it is booked. */
export async function setMeetingPlan(d: Deps, dialogueId: string, body: unknown): Promise<Dialogue> {
  const plan = parseOrThrow(meetingPlanSchema, body, 'meeting plan');
  if (!(await d.dialogues.get(dialogueId))) throw new NotFoundError(`No dialogue with id '${dialogueId}'`);
  const { dialogue } = await d.dialogues.mutate(dialogueId, (y) => {
    const order: DialogueState[] = ['dialogue_booked', 'dialogue_held', 'notes_registered'];
    if (isTerminal(y.state) || order.includes(y.state) || y.state.startsWith('feedback') || y.state.startsWith('follow_up')) {
      throw new ConflictError(`The dialogue meeting can no longer be planned (the dialogue is ${y.state})`);
    }
    return { ...y, meetingPlan: plan, updatedAt: at(d) };
  });
  return dialogue;
}

/**
 * Dialogues of other organisers that share this dialogue's school chief and wait for the same
 * meeting step: candidates for one shared meeting. Bounded: reads at most `budget` dialogues of
 * that state from the byState index.
 */
export async function sharedChiefCandidates(d: Deps, dialogueId: string, budget = 500): Promise<Dialogue[]> {
  const x = await d.dialogues.get(dialogueId);
  if (!x) throw new NotFoundError(`No dialogue with id '${dialogueId}'`);
  const chiefs = new Set(x.recipients.filter((r) => r.basis === 'school_chief').map((r) => r.email.toLowerCase()));
  if (chiefs.size === 0) return [];
  const found: Dialogue[] = [];
  let cursor: string | undefined;
  let read = 0;
  do {
    const page = await d.dialogues.list({ state: x.state }, 100, cursor);
    read += page.items.length;
    for (const y of page.items) {
      if (y.id === x.id || y.organiserId === x.organiserId) continue;
      if (y.recipients.some((r) => r.basis === 'school_chief' && chiefs.has(r.email.toLowerCase()))) found.push(y);
    }
    cursor = page.cursor;
  } while (cursor && read < budget);
  return found;
}
