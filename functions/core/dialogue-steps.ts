/**
 * The nine steps of a quality dialogue as people talk about them: invited → accepted → intro →
 * analysis material → pre-meeting → dialogue meeting → feedback → follow-up → closed. Which of
 * them a dialogue has reached (and when), which one is under way, and how a dialogue that ended
 * early ended: for the console's step indicator, the organiser's overview and the funnel of the
 * statistics. Derived from the step history; pure.
 */
import type { Dialogue, HistoryEntry } from './dialogue.ts';
import { type DialogueState, endedStates } from './dialogue-states.ts';

export const dialogueSteps = [
  'invited',
  'accepted',
  'intro',
  'material',
  'pre_meeting',
  'dialogue',
  'feedback',
  'follow_up',
  'closed',
] as const;
export type DialogueStep = (typeof dialogueSteps)[number];

export const stepLabels: Record<DialogueStep, string> = {
  invited: 'Inbjudan',
  accepted: 'Ja-svar',
  intro: 'Introduktion',
  material: 'Analysunderlag',
  pre_meeting: 'Förmöte',
  dialogue: 'Dialogmöte',
  feedback: 'Återkoppling',
  follow_up: 'Uppföljning',
  closed: 'Avslutad',
};

/** The state that completes each step (closed counts only after an acceptance). */
const completedBy: Readonly<Record<DialogueStep, readonly DialogueState[]>> = {
  invited: ['invited'],
  accepted: ['accepted'],
  intro: ['intro_held'],
  material: ['material_sent'],
  pre_meeting: ['premeeting_held'],
  dialogue: ['dialogue_held'],
  feedback: ['feedback_held'],
  follow_up: ['follow_up_held'],
  closed: ['closed'],
};

/** The step a state works on before it is complete (offered, booked, due). */
const underWay: Partial<Record<DialogueState, DialogueStep>> = {
  created: 'invited',
  intro_offered: 'intro',
  intro_booked: 'intro',
  premeeting_offered: 'pre_meeting',
  premeeting_booked: 'pre_meeting',
  dialogue_offered: 'dialogue',
  dialogue_booked: 'dialogue',
  notes_registered: 'feedback',
  feedback_offered: 'feedback',
  feedback_booked: 'feedback',
  follow_up_due: 'follow_up',
  follow_up_offered: 'follow_up',
  follow_up_booked: 'follow_up',
};

/** The meeting kind that belongs to a step, for its booked date. */
export const stepMeetingKind: Partial<Record<DialogueStep, string>> = {
  intro: 'intro',
  pre_meeting: 'pre_meeting',
  dialogue: 'dialogue',
  feedback: 'feedback',
  follow_up: 'follow_up',
};

/** How a dialogue that did not go the whole way ended, in Swedish. */
const endings: Partial<Record<DialogueState, string>> = {
  declined: 'Huvudmannen tackade nej.',
  no_answer: 'Inget svar kom på inbjudan.',
  failed: 'Inbjudan kunde inte skickas.',
  stopped_after_intro: 'Huvudmannen valde att avsluta efter introduktionen.',
  cancelled: 'Dialogen avbröts.',
};

type StepInput = Pick<Dialogue, 'state' | 'history'> & Partial<Pick<Dialogue, 'answer'>>;

/** When each step was completed (first time), from the history; closed only after an acceptance. */
export function reachedSteps(x: StepInput): Map<DialogueStep, string> {
  const out = new Map<DialogueStep, string>();
  const states = x.history.filter((h): h is HistoryEntry & { state: DialogueState } => Boolean(h.state));
  for (const step of dialogueSteps) {
    const hit = states.find((h) => completedBy[step].includes(h.state));
    if (hit) out.set(step, hit.at);
  }
  // An invitation that went out without a recorded state (older records): its mail entry.
  if (!out.has('invited')) {
    const sent = x.history.find((h) => h.type === 'invitation_sent');
    if (sent) out.set('invited', sent.at);
  }
  if (!out.has('accepted') && x.answer?.outcome === 'accepted') out.set('accepted', x.answer.answeredAt);
  if (out.has('closed') && !out.has('accepted')) out.delete('closed');
  return out;
}

export type StepStatus = 'done' | 'current' | 'upcoming' | 'not_reached';

export interface StepView {
  step: DialogueStep;
  number: number;
  label: string;
  status: StepStatus;
  /** Completed at (done), or the booked meeting's start (current or upcoming). */
  at?: string;
  /** Swedish: what happens in a step under way ("Tider erbjudna", "Bokat"). */
  detail?: string;
}

export interface StepsView {
  steps: StepView[];
  /** The step under way, if any. */
  current?: DialogueStep;
  /** Set when the dialogue ended before the last step (Swedish). */
  ending?: string;
}

const stateDetail: Partial<Record<DialogueState, string>> = {
  created: 'Inbjudan förbereds',
  invited: 'Väntar på svar',
  intro_offered: 'Tider är föreslagna',
  intro_booked: 'Mötet är bokat',
  premeeting_offered: 'Tider är föreslagna',
  premeeting_booked: 'Mötet är bokat',
  dialogue_offered: 'Tider är föreslagna',
  dialogue_booked: 'Mötet är bokat',
  notes_registered: 'Minnesanteckningarna är klara',
  feedback_offered: 'Tider är föreslagna',
  feedback_booked: 'Mötet är bokat',
  follow_up_due: 'Erbjuds ungefär sex månader efter återkopplingen',
  follow_up_offered: 'Tider är föreslagna',
  follow_up_booked: 'Mötet är bokat',
};

/**
 * Every step with its status: done (with the date), the one under way (current), those still to
 * come, and, for a dialogue that ended early, those it did not reach. `booked`: the start of each
 * booked meeting by meeting kind, shown on the step it belongs to.
 */
export function stepsOf(x: StepInput, booked: ReadonlyMap<string, string> = new Map()): StepsView {
  const reached = reachedSteps(x);
  const finished = endedStates.includes(x.state);
  let current: DialogueStep | undefined;
  if (!finished) {
    current =
      underWay[x.state] ??
      (x.state === 'invited'
        ? 'invited'
        : dialogueSteps.find((s, i) => !reached.has(s) && i > 0 && reached.has(dialogueSteps[i - 1] as DialogueStep)));
  }
  const steps = dialogueSteps.map((step, i): StepView => {
    const base = { step, number: i + 1, label: stepLabels[step] };
    const done = reached.get(step);
    if (done && step !== current) return { ...base, status: 'done', at: done };
    const kind = stepMeetingKind[step];
    const at = kind ? booked.get(kind) : undefined;
    if (step === current) return { ...base, status: 'current', ...(at ? { at } : {}), detail: stateDetail[x.state] };
    if (finished) return { ...base, status: 'not_reached' };
    return { ...base, status: 'upcoming', ...(at ? { at } : {}) };
  });
  let ending = endings[x.state];
  if (x.state === 'closed' && !reached.has('accepted')) ending = 'Dialogen avslutades innan huvudmannen tackade ja.';
  else if (x.state === 'closed' && !reached.has('follow_up')) ending = 'Dialogen avslutades före uppföljningen.';
  return { steps, current, ending };
}

/** How many dialogues completed each step (the statistics' funnel): each counted once per step it reached. */
export function funnel(xs: readonly StepInput[]): { step: DialogueStep; label: string; count: number }[] {
  const counts = new Map<DialogueStep, number>(dialogueSteps.map((s) => [s, 0]));
  for (const x of xs) for (const step of reachedSteps(x).keys()) counts.set(step, (counts.get(step) ?? 0) + 1);
  return dialogueSteps.map((step) => ({ step, label: stepLabels[step], count: counts.get(step) ?? 0 }));
}
