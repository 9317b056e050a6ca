/**
 * A meeting phase's offer: propose and hold times (propose.ts), mail the organiser's contacts
 * signed links, wait for the booking (the task token), remind, hand the booking over to the
 * coordinator when nobody books, and "send us other times".
 */

import { addDays, type Dialogue, type OfferedSlot, type PhaseMeetingKind, type PhaseProgress } from '#core/dialogue.ts';
import { NotFoundError } from '#core/errors.ts';
import { NOTHING_OFFERED } from '#core/workflow-payload.ts';
import { meetingKindRules } from '#core/scheduling.ts';
import { stockholmDate, stockholmTime } from '#core/calendar.ts';
import { formatSwedishDateTime } from '#core/time.ts';
import type { Deps } from '#adapters/deps.ts';
import { recordMetric } from '#adapters/observability.ts';
import { syncPlannedDates } from '../calendar-sync.ts';
import { noteHandback } from '../handback-digest.ts';
import { sendStep } from '../mail.ts';
import { holdSlots, offerKey, releaseOffer, slotStatuses } from '../offer-holds.ts';
import { bookFirstFree } from './book-first.ts';
import { proposeAndHold } from './propose.ts';
import { kickPhase } from './phase.ts';

import { at, clearTimer, entry, move, noTimer, phaseStates, withTimer, beginPhase, bookingOutcome } from './phase.ts';
import { holdsOf } from '#adapters/hold-repository.ts';

// ---- the offer --------------------------------------------------------------------------------

/**
 * Step 1 of a meeting phase, and its wait for the booking (the `.waitForTaskToken` task of
 * workflows/meeting.ts): enter *_offered, propose times and store the task token in the same write,
 * mail the organiser's contacts signed links. A booking, "other times" or the hand-over completes
 * the wait with the stored token; the step completes it at once when the outcome is already decided
 * (a stale or retried execution, the coordinator booked first) or when there is nothing to offer.
 * A retried task has a new token, which replaces the one stored.
 */
export async function offerAndAwaitBookingStep(
  d: Deps,
  dialogueId: string,
  kind: PhaseMeetingKind,
  round: number,
  taskToken: string,
): Promise<{ waiting: boolean }> {
  const { offered, dialogue, bookedFirst } = await offerTimes(d, dialogueId, kind, round, taskToken);
  const outcome = bookedFirst ? 'booked' : (bookingOutcome(dialogue, kind, round) ?? (offered === 0 ? NOTHING_OFFERED : undefined));
  if (!outcome) return { waiting: true };
  await d.workflow.completeWait(taskToken, { outcome });
  return { waiting: false };
}

/**
 * Step 1 of a meeting phase on a definition from before the wait was folded into it (an execution
 * started then calls this, then awaitBookingStep): the offer alone.
 */
export async function offerMeetingStep(d: Deps, dialogueId: string, kind: PhaseMeetingKind, round: number): Promise<{ offered: number }> {
  return { offered: (await offerTimes(d, dialogueId, kind, round)).offered };
}

/**
 * Enters *_offered, proposes and holds times, mails the offer. `taskToken`: the booking wait's,
 * stored in the offer's write (or, when the offer is written already, in a write of its own before
 * the mail). Returns how many times are offered (-1: the execution is stale), the record as of the
 * token's write, and whether the coordinator's first free time was booked instead of mailing.
 */
async function offerTimes(
  d: Deps,
  dialogueId: string,
  kind: PhaseMeetingKind,
  round: number,
  taskToken?: string,
): Promise<{ offered: number; dialogue: Dialogue; bookedFirst?: boolean }> {
  let x = await d.dialogues.get(dialogueId);
  if (!x) throw new NotFoundError(`No dialogue with id '${dialogueId}'`);
  // A stale execution (the record moved on): its wait ends at once.
  if (bookingOutcome(x, kind, round) === 'closed' || bookingOutcome(x, kind, round) === 'booked') return { offered: -1, dialogue: x };
  const previous = x.phase?.offer;
  if (!previous || previous.status === 'other_times') {
    const exclude = { days: previous?.offeredDays ?? [], sessions: previous?.offeredSessions ?? [] };
    const no = (previous?.no ?? 0) + 1;
    if (previous) await releaseOffer(d, x);
    const y = x;
    const slots = await holdsOf(d).exclusive(() => proposeAndHold(d, y, kind, exclude, offerKey(kind, round, no)));
    const now = d.clock.now();
    const states = phaseStates[kind];
    ({ dialogue: x } = await d.dialogues.mutate(
      dialogueId,
      (y) => {
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
          phase: { ...(base.phase as PhaseProgress), offer, ...(taskToken ? { token: taskToken } : {}) },
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
      },
      x,
    ));
    // Another run of this step wrote its own offer first: what is held is that offer's times, or nothing.
    const recorded = x.phase?.offer;
    const key = offerKey(kind, round, no);
    if (recorded?.no !== no || recorded.status !== 'open') await holdsOf(d).release(x.id, key, []);
    else if (JSON.stringify(recorded.slots) !== JSON.stringify(slots)) {
      await holdsOf(d).exclusive(() => holdSlots(d, dialogueId, key, recorded.slots));
    }
  }
  // The offer was written before (a retried task) or by another run: the new token gets a write of its own.
  if (taskToken && x.phase?.token !== taskToken && !bookingOutcome(x, kind, round))
    x = await storeBookingToken(d, x, kind, round, taskToken);
  // The offered times show in the inspectorate's planned dates (a retry repairs a missed write); the meetings' stay as they are.
  await syncPlannedDates(d, dialogueId, x, [], { othersAsStored: true });
  const offer = x.phase?.offer;
  if (offer?.status !== 'open') return { offered: offer?.slots.length ?? 0, dialogue: x };
  if (offer.slots.length === 0) return { offered: 0, dialogue: x };
  // The coordinator books for the organiser: the calendar invitation is the mail.
  if (x.phase?.bookFirst && (await bookFirstFree(d, x, kind))) return { offered: offer.slots.length, dialogue: x, bookedFirst: true };
  await mailOffer(d, x, offer.no, 'offer');
  return { offered: offer.slots.length, dialogue: x };
}

/** Stores the booking wait's task token on the phase (`known`: the record as last read); returns the record as written. */
async function storeBookingToken(d: Deps, known: Dialogue, kind: PhaseMeetingKind, round: number, taskToken: string): Promise<Dialogue> {
  const { dialogue } = await d.dialogues.mutate(
    known.id,
    (x) =>
      x.phase?.kind !== kind || x.phase.round !== round || x.phase.token === taskToken
        ? undefined
        : { ...x, phase: { ...x.phase, token: taskToken } },
    known,
  );
  return dialogue;
}

function slotView(slot: OfferedSlot, index: number) {
  const sessions = slot.sessions.map((s, i) => ({
    number: i + 1,
    when: formatSwedishDateTime(new Date(s.start)),
    endTime: stockholmTime(new Date(s.end)),
  }));
  return { index, number: index + 1, sessions, split: sessions.length > 1, group: Boolean(slot.introSessionId) };
}

/**
 * The offer mail (or its reminder) to each of the organiser's contacts, each with a signed link.
 * `listed`: the slots the mail names (a reminder names only the times still free).
 */
async function mailOffer(d: Deps, x: Dialogue, no: number, what: 'offer' | 'reminder', listed?: readonly OfferedSlot[]): Promise<void> {
  // A reminder's link lasts until the offer is handed over (escalateAfterDays after the reminder).
  const linkValidUntil = what === 'reminder' ? addDays(d.clock.now(), d.settings.escalateAfterDays) : undefined;
  const phase = x.phase as PhaseProgress;
  const offer = phase.offer;
  if (!offer) return;
  const step = `offer-${phase.kind}-${phase.round}-${no}`;
  const mails = what === 'offer' ? [] : (await d.mailLog.list(x.id)).filter((m) => m.step === step);
  const rule = meetingKindRules[phase.kind];
  await sendStep(
    d,
    x.id,
    what === 'offer' ? step : `${step}-reminder`,
    x.recipients.map((r) => {
      const first = mails.find((m) => m.contactId === r.contactId);
      return {
        contactId: r.contactId,
        email: r.email,
        link: first?.linkExpiresAt ? { expiresAt: first.linkExpiresAt } : undefined,
        withLink: true,
        linkValidUntil,
        linkStep: `offer:${phase.kind}:${phase.round}:${no}`,
        withOverview: true,
        render: (link: string | undefined, overview?: string) =>
          d.templates.email('meeting-offer', {
            recipientName: r.name,
            organiserName: x.organiserName,
            meetingName: rule.name,
            meetingNameLower: rule.name.toLowerCase(),
            physical: rule.mode === 'physical',
            groupIntro: offer.slots.some((s) => s.introSessionId),
            reminder: what === 'reminder',
            slots: (listed ?? offer.slots).map(slotView),
            link,
            overviewLink: overview,
          }),
      };
    }),
  );
}

/**
 * The booking wait on a definition from before it was folded into the offer (offerMeetingStep
 * ran first): stores the task token; completes the wait at once if the booking is already decided.
 */
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

/**
 * Tells a waiting booking task what the record says now (`known`: the record as the caller just
 * wrote it); a lost call ends at the wait's safety time-out.
 */
export async function releaseWait(d: Deps, dialogueId: string, known?: Dialogue): Promise<'delivered' | 'closed' | 'none'> {
  const x = known?.id === dialogueId ? known : await d.dialogues.get(dialogueId);
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

/**
 * The scheduler's reminder of an open offer; then, after escalateAfterDays, the hand-over. The
 * reminder names the offered times that are still free and holds them again; when none is, the
 * organiser is offered new times instead.
 */
export async function remindOffer(d: Deps, dialogue: Dialogue): Promise<void> {
  const x = dialogue;
  if (x.dueKind !== 'offer_reminder') return;
  const offer = x.phase?.offer;
  if (offer?.status !== 'open' || !x.phase) return clearTimer(d, x.id, 'offer_reminder');
  const no = offer.no;
  const { kind, round } = x.phase;
  // The check and the new hold run while no other offer searches, so no other offer takes the times between them.
  const listed = await holdsOf(d).exclusive(async () => {
    const statuses = await slotStatuses(d, x, kind, offer.slots);
    const free = offer.slots.filter((_, i) => statuses[i] === 'free');
    await holdSlots(d, x.id, offerKey(kind, round, no), free);
    return free;
  });
  if (listed.length === 0) {
    await requestOtherTimes(d, x.id, 'system', undefined, 'De erbjudna tiderna är inte längre lediga; nya tider erbjuds');
    return;
  }
  await mailOffer(d, x, no, 'reminder', listed);
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

/** Nobody booked (or nothing fits): handed back to the coordinator (the day's digest); the execution ends. */
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
  await noteHandback(d, x, 'booking', `booking-${kind}-${round}-${x.phase?.offer?.no ?? 0}`, kind);
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
export async function requestOtherTimes(
  d: Deps,
  dialogueId: string,
  by: string,
  comment?: string,
  detail = comment ? `Kommentar: ${comment}` : undefined,
): Promise<Dialogue> {
  const { dialogue, changed } = await d.dialogues.mutate(dialogueId, (y) => {
    const offer = y.phase?.offer;
    if (!y.phase || !offer || (offer.status !== 'open' && offer.status !== 'escalated')) return undefined;
    if (y.state !== phaseStates[y.phase.kind].offered) return undefined;
    return noTimer({
      ...y,
      phase: { ...y.phase, offer: { ...offer, status: 'other_times' } },
      updatedAt: at(d),
      history: [...y.history, { ...entry(d, 'other_times_requested', undefined, detail), by }],
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
