/**
 * The dialogue after acceptance and its phases: intro → analysis material → pre-meeting →
 * dialogue meeting → notes → feedback → follow-up about six months later → closed. This module
 * holds the phases' states and the helpers every phase step shares. The dialogue record is the source
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

import {
  assertTransition,
  type Dialogue,
  type DialogueState,
  type HistoryEntry,
  isTerminal,
  type PhaseMeetingKind,
  type PhaseProgress,
} from '#core/dialogue.ts';
import type { Deps } from '#adapters/deps.ts';

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

/** The phase's meeting waits for a booking: the dialogue is in its *_offered state. */
export const bookingKindOf = (x: Pick<Dialogue, 'state' | 'phase'>): PhaseMeetingKind | undefined =>
  x.phase && x.state === phaseStates[x.phase.kind].offered ? x.phase.kind : undefined;

/** Days from the feedback meeting until the follow-up is offered (its slots then fall ≈ 6 months after). */
export const FOLLOW_UP_OFFER_AFTER_DAYS = 150;
/** Retry pause of a timer whose work did not finish (the next tick tries again). */
export const RETRY_MS = 5 * 60_000;

export const at = (d: Deps) => d.clock.now().toISOString();
export const entry = (d: Deps, type: HistoryEntry['type'], state?: DialogueState, detail?: string): HistoryEntry => ({
  at: at(d),
  type,
  ...(state ? { state } : {}),
  ...(detail ? { detail } : {}),
});

/** Moves the record to `to` (checked against the transitions table) with a history entry. */
export function move(d: Deps, x: Dialogue, to: DialogueState, type: HistoryEntry['type'], detail?: string): Dialogue {
  assertTransition(x.state, to);
  return { ...x, state: to, updatedAt: at(d), history: [...x.history, entry(d, type, to, detail)] };
}

export const withTimer = (x: Dialogue, kind: Dialogue['dueKind'], dueAt: Date): Dialogue => ({
  ...x,
  dueKind: kind,
  dueAt: dueAt.toISOString(),
});
export const noTimer = (x: Dialogue): Dialogue => ({ ...x, dueAt: undefined, dueKind: undefined });

/** A timer with nothing (left) to do is cleared, so the scheduler does not fire it again. */
export async function clearTimer(d: Deps, dialogueId: string, kind: NonNullable<Dialogue['dueKind']>): Promise<void> {
  await d.dialogues.mutate(dialogueId, (y) => (y.dueKind === kind ? noTimer(y) : undefined));
}

/** Marks the record as starting round 1 of `kind`; the scheduler re-kicks the start until it runs. */
export function beginPhase(d: Deps, x: Dialogue, kind: PhaseMeetingKind, round = 1): Dialogue {
  const phase: PhaseProgress = { kind, round };
  return withTimer({ ...x, phase }, 'phase_start', new Date(d.clock.now().getTime() + RETRY_MS));
}

/**
 * Starts the phase execution the record names (a repeated start is a no-op); the 'phase_start'
 * timer is the retry. `known`: the record as the caller just read or wrote it. A start writes
 * nothing: the execution's first step (the offer's write) replaces the timer, and an execution
 * that already existed clears it. A start that fails leaves the timer to fire again.
 */
export async function kickPhase(d: Deps, dialogueId: string, known?: Dialogue): Promise<void> {
  const x = known?.id === dialogueId ? known : await d.dialogues.get(dialogueId);
  if (x) await startDuePhase(d, x, { keepTimerOnFailure: true });
}

/**
 * The scheduler's due 'phase_start' timer (and `kickPhase`): starts the execution the record names,
 * without writing the record first. The execution's name is the phase and round, so a second tick,
 * or a retry after a crash between the start and the offer's write, starts nothing new (Step
 * Functions answers a start of the running execution as started). The offer's write moves the
 * timer on to the offer's reminder; an execution that already ended clears it (conditional on the
 * same phase and round). A start that fails throws, so the tick backs the timer off
 * (`keepTimerOnFailure`: returns instead, the timer as it is being the retry).
 */
export async function startDuePhase(d: Deps, x: Dialogue, options: { keepTimerOnFailure?: boolean } = {}): Promise<void> {
  if (x.dueKind !== 'phase_start') return;
  if (!x.phase || isTerminal(x.state)) return clearTimer(d, x.id, 'phase_start');
  const { kind, round } = x.phase;
  let started: boolean;
  try {
    ({ started } = await d.workflow.startPhase(x.id, kind, round));
  } catch (e) {
    if (options.keepTimerOnFailure) return; // The 'phase_start' timer stays; it fires again.
    throw e;
  }
  if (started) return;
  const same = (y: Dialogue) => y.dueKind === 'phase_start' && y.phase?.kind === kind && y.phase.round === round;
  await d.dialogues.mutate(x.id, (y) => (same(y) ? noTimer(y) : undefined), x);
}

/** Acceptance starts the intro phase (called once the invitation workflow has been told). */
export function startIntroOnAcceptance(d: Deps, x: Dialogue): Dialogue | undefined {
  if (x.state !== 'accepted' || x.phase) return undefined;
  return beginPhase(d, noTimer(x), 'intro');
}

/**
 * The acceptance's own write begins the intro phase: round 1, its 'phase_start' timer due at once,
 * so the scheduler's next tick starts the execution (after the answer has reached the invitation
 * workflow: answers.ts).
 */
export function beginIntroNow(d: Deps, x: Dialogue): Dialogue {
  return withTimer({ ...x, phase: { kind: 'intro', round: 1 } }, 'phase_start', d.clock.now());
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
