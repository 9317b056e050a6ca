/**
 * The dialogue's states, every allowed transition (in one table), the phases they belong to and the
 * timeline of phases a history makes. Pure, and free of schemas, so what only needs the states
 * (the facts index, every bundle) does not carry the dialogue's zod schemas.
 */
import type { Dialogue } from './dialogue.ts';
import { InvalidTransitionError } from './errors.ts';

export const dialogueStates = [
  'created',
  'invited',
  'accepted',
  'declined',
  'no_answer',
  'failed',
  // The phases after acceptance (seed 004, chapter 4), in process order.
  'intro_offered',
  'intro_booked',
  'intro_held',
  'stopped_after_intro',
  'material_sent',
  'premeeting_offered',
  'premeeting_booked',
  'premeeting_held',
  'dialogue_offered',
  'dialogue_booked',
  'dialogue_held',
  'notes_registered',
  'feedback_offered',
  'feedback_booked',
  'feedback_held',
  'follow_up_due',
  'follow_up_offered',
  'follow_up_booked',
  'follow_up_held',
  'closed',
  'cancelled',
] as const;
export type DialogueState = (typeof dialogueStates)[number];

/** Every allowed transition. Later phases extend this table; nothing else decides what may follow what. */
export const transitions: Readonly<Record<DialogueState, readonly DialogueState[]>> = {
  // A coordinator may close a dialogue that has not been answered (console).
  created: ['invited', 'failed', 'closed'],
  invited: ['accepted', 'declined', 'no_answer', 'failed', 'closed'],
  accepted: ['intro_offered', 'cancelled'],
  declined: [],
  /** Handed back to the coordinator, who may invite again or register the answer given another way. */
  no_answer: ['invited', 'accepted', 'declined'],
  /** A coordinator may retry a failed dialogue (its invitation workflow starts anew) or close it. */
  failed: ['created', 'closed'],
  // *_offered: slots were proposed; asking for other times stays in the state. *_booked: a meeting
  // is booked; a reschedule stays in the state, a cancelled meeting goes back to *_offered.
  intro_offered: ['intro_booked', 'cancelled'],
  intro_booked: ['intro_held', 'intro_offered', 'cancelled'],
  intro_held: ['material_sent', 'stopped_after_intro', 'cancelled'],
  // About 1 in 10 stops after the introduction; that is recorded, not an error.
  stopped_after_intro: [],
  material_sent: ['premeeting_offered', 'stopped_after_intro', 'cancelled'],
  // The stop link in the material mail stays valid while the pre-meeting is being offered.
  premeeting_offered: ['premeeting_booked', 'stopped_after_intro', 'cancelled'],
  premeeting_booked: ['premeeting_held', 'premeeting_offered', 'cancelled'],
  premeeting_held: ['dialogue_offered', 'cancelled'],
  dialogue_offered: ['dialogue_booked', 'cancelled'],
  // A split dialogue meeting is held when its last session has ended.
  dialogue_booked: ['dialogue_held', 'dialogue_offered', 'cancelled'],
  dialogue_held: ['notes_registered', 'cancelled'],
  notes_registered: ['feedback_offered', 'cancelled'],
  feedback_offered: ['feedback_booked', 'cancelled'],
  feedback_booked: ['feedback_held', 'feedback_offered', 'cancelled'],
  // The follow-up about six months later is a due-date on the record, not a wait in a workflow.
  feedback_held: ['follow_up_due', 'closed'],
  follow_up_due: ['follow_up_offered', 'closed'],
  follow_up_offered: ['follow_up_booked', 'closed'],
  follow_up_booked: ['follow_up_held', 'follow_up_offered', 'closed'],
  follow_up_held: ['closed'],
  closed: [],
  cancelled: [],
};

/** The phase each state belongs to, for the timeline of GET /api/dialogues/{id}. */
export const dialoguePhases = ['invitation', 'intro', 'material', 'premeeting', 'dialogue', 'feedback', 'follow_up', 'end'] as const;
export type DialoguePhase = (typeof dialoguePhases)[number];

export const phaseOfState: Readonly<Record<DialogueState, DialoguePhase>> = {
  created: 'invitation',
  invited: 'invitation',
  accepted: 'invitation',
  declined: 'end',
  no_answer: 'end',
  failed: 'end',
  intro_offered: 'intro',
  intro_booked: 'intro',
  intro_held: 'intro',
  stopped_after_intro: 'end',
  material_sent: 'material',
  premeeting_offered: 'premeeting',
  premeeting_booked: 'premeeting',
  premeeting_held: 'premeeting',
  dialogue_offered: 'dialogue',
  dialogue_booked: 'dialogue',
  dialogue_held: 'dialogue',
  notes_registered: 'dialogue',
  feedback_offered: 'feedback',
  feedback_booked: 'feedback',
  feedback_held: 'feedback',
  follow_up_due: 'follow_up',
  follow_up_offered: 'follow_up',
  follow_up_booked: 'follow_up',
  follow_up_held: 'follow_up',
  closed: 'end',
  cancelled: 'end',
};

export const isTerminal = (state: DialogueState): boolean => transitions[state].length === 0;

/**
 * The states that end a dialogue: those with no transition out, and `no_answer` (ended, though the
 * coordinator may reopen it by inviting again or registering an answer given another way). A list,
 * for what must not carry the whole transitions table (a unit test holds the two together).
 */
export const endedStates: readonly DialogueState[] = ['declined', 'no_answer', 'stopped_after_intro', 'closed', 'cancelled'];

/**
 * A dialogue under way: created (its invitation planned) up to the follow-up, whatever meeting is
 * offered or booked. Not a failed one (it waits for a coordinator) and not one that has ended.
 */
export const isOngoing = (state: DialogueState): boolean => !endedStates.includes(state) && state !== 'failed';

/** States after the organiser accepted (the invitation phase is over). */
export const hasAccepted = (d: Pick<Dialogue, 'state'>): boolean =>
  d.state === 'accepted' || (phaseOfState[d.state] !== 'invitation' && !['declined', 'no_answer', 'failed'].includes(d.state));

export interface TimelineEntry {
  phase: DialoguePhase;
  /** When the dialogue first entered the phase and, if it moved on, when it left it. */
  enteredAt: string;
  leftAt?: string;
  states: { state: DialogueState; at: string }[];
}

/**
 * The timeline of all phases, derived from the step history (every entry that records a state):
 * one row per phase in the order the dialogue went through them.
 */
export function timeline(d: Pick<Dialogue, 'history'>): TimelineEntry[] {
  const rows: TimelineEntry[] = [];
  for (const h of d.history) {
    if (!h.state) continue;
    const phase = phaseOfState[h.state];
    let row = rows.at(-1);
    if (row?.states.at(-1)?.state === h.state) continue;
    if (!row || row.phase !== phase) {
      if (row) row.leftAt = h.at;
      row = { phase, enteredAt: h.at, states: [] };
      rows.push(row);
    }
    row.states.push({ state: h.state, at: h.at });
  }
  return rows;
}

export function assertTransition(from: DialogueState, to: DialogueState): void {
  if (!transitions[from].includes(to)) {
    throw new InvalidTransitionError(`A dialogue in state '${from}' cannot move to '${to}'`, { from, to });
  }
}
