/**
 * A meeting phase's offer: propose times (clash-free, facilitators free), mail the organiser's
 * contacts signed links, wait for the booking (the task token), remind, hand the booking over to the
 * coordinator when nobody books, and "send us other times".
 */

import { addDays, type Dialogue, type OfferedSlot, type PhaseMeetingKind, type PhaseProgress } from '#core/dialogue.ts';
import { NotFoundError } from '#core/errors.ts';
import type { Interval } from '#core/facilitators.ts';
import { sessionsToOffer } from '#core/intro-sessions.ts';
import { plannedKindOf } from '#core/meetings.ts';
import type { Organiser } from '#core/organiser.ts';
import { meetingKindRules, proposeSlots } from '#core/scheduling.ts';
import { addCalendarDays, stockholmDate, stockholmInstant, stockholmTime } from '#core/calendar.ts';
import { formatSwedishDate, formatSwedishDateTime } from '#core/time.ts';
import type { Deps } from '#adapters/deps.ts';
import { recordMetric } from '#adapters/observability.ts';
import { syncPlannedDates } from '../calendar-sync.ts';
import { clashesFor } from '../clash.ts';
import { sendOnce } from '../mail.ts';
import { busyOf } from '../scheduling.ts';
import { kickPhase } from './phase.ts';

import { at, clearTimer, entry, move, noTimer, phaseStates, withTimer, beginPhase, bookingOutcome } from './phase.ts';

// ---- the offer --------------------------------------------------------------------------------

export async function organiserOf(d: Deps, x: Dialogue): Promise<Organiser> {
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
  // The offered times show in the inspectorate's planned dates (a retry repairs a missed write).
  await syncPlannedDates(d, dialogueId);
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
      withOverview: true,
      render: (link, overview) =>
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
          overviewLink: overview,
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
  const { changed } = await d.dialogues.mutate(x.id, (y) =>
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
  // Counted by the one write that moves the timer on to the hand-over: a repeated timer changes nothing.
  if (changed && x.phase) recordMetric('RemindersSent', 1, { kind: x.phase.kind });
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
  // Counted by the one write that marks the offer escalated: a retried task changes nothing.
  if (changed) recordMetric('DialoguesEscalated', 1, { kind });
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
  await syncPlannedDates(d, dialogueId);
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
