/**
 * Hand-backs: dialogues the process gives to the coordinator because it cannot go on by itself,
 * read from the record (nothing is stored twice): an offer nobody booked, or with nothing to offer
 * (`booking`); an invitation nobody answered (`no_answer`); analysis material that waits for
 * documents after the introduction (`material`); a step that failed after its retries (`failure`). Each kind has the actions a coordinator can take on it, one dialogue or many at once.
 * Pure.
 */
import type { Dialogue, HistoryEntry, PhaseMeetingKind } from './dialogue.ts';
import { isTerminal } from './dialogue-states.ts';

export const handbackKinds = ['booking', 'no_answer', 'material', 'failure'] as const;
export type HandbackKind = (typeof handbackKinds)[number];

export interface Handback {
  kind: HandbackKind;
  /** When it was handed back. */
  since: string;
  /** The meeting nobody booked, or whose step failed. */
  meetingKind?: PhaseMeetingKind;
}

/** What a coordinator can do with hand-backs (`answer` and `book` with a chosen time: one dialogue at a time). */
export const handbackActions = ['offer', 'book', 'reinvite', 'answer', 'retry', 'close'] as const;
export type HandbackAction = (typeof handbackActions)[number];

/** Which actions fit which kind. */
export const actionsForKind: Readonly<Record<HandbackKind, readonly HandbackAction[]>> = {
  booking: ['offer', 'book', 'close'],
  no_answer: ['reinvite', 'answer', 'close'],
  // Taken on the dialogue's material page: attach the missing documents, or send it as it is.
  material: [],
  failure: ['retry', 'close'],
};

const offeredStates: Readonly<Record<string, PhaseMeetingKind>> = {
  intro_offered: 'intro',
  premeeting_offered: 'pre_meeting',
  dialogue_offered: 'dialogue',
  feedback_offered: 'feedback',
  follow_up_offered: 'follow_up',
};

const lastOf = (x: Pick<Dialogue, 'history'>, type: HistoryEntry['type']) => x.history.findLast((h) => h.type === type);

/** The dialogue's open hand-back, or undefined. */
export function handbackOf(x: Pick<Dialogue, 'state' | 'phase' | 'history' | 'updatedAt' | 'error'>): Handback | undefined {
  if (x.state === 'failed') return { kind: 'failure', since: lastOf(x, 'failed')?.at ?? x.updatedAt };
  if (x.phase?.failure && !isTerminal(x.state)) return { kind: 'failure', since: x.phase.failure.at, meetingKind: x.phase.kind };
  if (x.state === 'no_answer') {
    const escalated = lastOf(x, 'escalated');
    const settled = lastOf(x, 'closed');
    if (settled && (!escalated || settled.at >= escalated.at)) return undefined;
    return { kind: 'no_answer', since: escalated?.at ?? x.updatedAt };
  }
  // The introduction is held and the analysis material waits for documents (lifecycle/material.ts).
  if (x.state === 'intro_held' && x.history.some((h) => h.type === 'material_waiting')) {
    return { kind: 'material', since: lastOf(x, 'material_waiting')?.at ?? x.updatedAt };
  }
  const kind = offeredStates[x.state];
  if (kind && x.phase?.kind === kind && x.phase.offer?.status === 'escalated') {
    return { kind: 'booking', since: lastOf(x, 'handed_over')?.at ?? x.updatedAt, meetingKind: kind };
  }
  return undefined;
}

/** The filter values of the console's list ("alla" is every kind). */
export const handbackFilters = ['alla', ...handbackKinds] as const;
export type HandbackFilter = (typeof handbackFilters)[number];
export const matchesHandback = (x: Parameters<typeof handbackOf>[0], filter: HandbackFilter): boolean => {
  const h = handbackOf(x);
  return Boolean(h) && (filter === 'alla' || h?.kind === filter);
};

/** Swedish, as the console and the digest name them. */
export const handbackKindLabels: Record<HandbackKind, string> = {
  booking: 'Ingen tid bokad',
  no_answer: 'Inget svar på inbjudan',
  material: 'Analysunderlag saknas',
  failure: 'Fel i ett steg',
};
export const handbackActionLabels: Record<HandbackAction, string> = {
  offer: 'Erbjud nya tider',
  book: 'Boka åt huvudmannen',
  reinvite: 'Skicka inbjudan igen',
  answer: 'Registrera svar',
  retry: 'Försök igen',
  close: 'Avsluta med skäl',
};
