/**
 * The dialogue record: its states, every allowed transition (in one table), the step history and
 * the answer an organiser gives. Pure functions; persistence lives in the adapters.
 */
import { z } from 'zod';
import { InvalidTransitionError } from './errors.ts';
import type { ContactRole, LegalForm } from './organiser.ts';

export const dialogueStates = ['created', 'invited', 'accepted', 'declined', 'no_answer', 'failed', 'closed'] as const;
export type DialogueState = (typeof dialogueStates)[number];

/** Every allowed transition. Later phases extend this table; nothing else decides what may follow what. */
export const transitions: Readonly<Record<DialogueState, readonly DialogueState[]>> = {
  created: ['invited', 'failed', 'closed'],
  invited: ['accepted', 'declined', 'no_answer', 'failed', 'closed'],
  accepted: [],
  declined: [],
  no_answer: [],
  /** A coordinator may retry a failed dialogue (its invitation workflow starts anew) or close it. */
  failed: ['created', 'closed'],
  /** Closed by a coordinator (console): final. */
  closed: [],
};

export function assertTransition(from: DialogueState, to: DialogueState): void {
  if (!transitions[from].includes(to)) {
    throw new InvalidTransitionError(`A dialogue in state '${from}' cannot move to '${to}'`, { from, to });
  }
}

export const declineReasons = ['time', 'resources', 'other'] as const;
export type DeclineReason = (typeof declineReasons)[number];

/** The organiser's answer as the form posts it. */
export const answerFormSchema = z.discriminatedUnion('answer', [
  z.object({
    answer: z.literal('accept'),
    comment: z.string().trim().max(2000, 'Kommentaren får vara högst 2000 tecken.').optional(),
  }),
  z.object({
    answer: z.literal('decline'),
    reason: z.enum(declineReasons, { message: 'Välj ett skäl till att ni tackar nej.' }),
    comment: z.string().trim().max(2000, 'Kommentaren får vara högst 2000 tecken.').optional(),
  }),
]);
export type AnswerForm = z.infer<typeof answerFormSchema>;

export interface Answer {
  outcome: 'accepted' | 'declined';
  reason?: DeclineReason;
  comment?: string;
  answeredAt: string;
  answeredBy: string;
}

export interface Recipient {
  contactId: string;
  role: ContactRole;
  name: string;
  email: string;
  /** Why this contact is invited: the board and school chief by rule, the rektor as fallback. */
  basis: 'board' | 'school_chief' | 'principal_fallback';
}

export type HistoryType =
  | 'created'
  | 'recipients_resolved'
  | 'invitation_sent'
  | 'reminder_sent'
  | 'answered'
  | 'late_answer'
  | 'escalated'
  | 'failed'
  | 'workflow_started'
  | 'mail_unconfirmed'
  | 'closed'
  | 'retried'
  | 'invitation_resent'
  | 'reminder_requested';

export interface HistoryEntry {
  at: string;
  type: HistoryType;
  state?: DialogueState;
  detail?: string;
  by?: string;
}

export type DueKind = 'start' | 'reminder' | 'escalate' | 'callback';

export interface Dialogue {
  id: string;
  organiserId: string;
  organiserName: string;
  cycle: string;
  region: string;
  legalForm: LegalForm;
  municipal: boolean;
  state: DialogueState;
  recipients: Recipient[];
  answer?: Answer;
  reminders: number;
  history: HistoryEntry[];
  /** The workflow task waiting for this dialogue's answer (a Step Functions task token). */
  waitToken?: string;
  /** The next timer the scheduler fires for this dialogue. */
  dueAt?: string;
  dueKind?: DueKind;
  error?: { code: string; message: string };
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** The local state-machine runner's timers overflow past 2^31-1 ms (~24.8 days). */
const MAX_ESCALATION_DAYS = 22;
const DAY_MS = 86_400_000;
export const addDays = (d: Date, days: number): Date => new Date(d.getTime() + days * DAY_MS);

interface Timings {
  reminderAfterDays: number;
  maxReminders: number;
  escalateAfterDays: number;
}

/** Days from the invitation until the coordinator is alerted when nobody answers. */
export const daysUntilEscalation = (s: Timings): number => s.maxReminders * s.reminderAfterDays + s.escalateAfterDays;

/**
 * Process timings for the invitation phase: reminder i goes out i × reminderAfterDays after the
 * invitation; the coordinator is alerted escalateAfterDays after the last reminder.
 */
export const invitationSettingsSchema = z
  .object({
    reminderAfterDays: z.number().int().min(1).max(21).default(7),
    maxReminders: z.number().int().min(0).max(3).default(2),
    escalateAfterDays: z.number().int().min(1).max(21).default(7),
    linkValidDays: z.number().int().min(7).max(365).default(60),
  })
  .refine((s) => daysUntilEscalation(s) <= MAX_ESCALATION_DAYS, {
    message: `reminders and escalation must fit within ${MAX_ESCALATION_DAYS} days, so the workflow's safety-net time-out stays under 24 days`,
  })
  .refine((s) => s.linkValidDays > daysUntilEscalation(s), {
    message: 'answer links must stay valid until after the escalation',
  });
export type InvitationSettings = z.output<typeof invitationSettingsSchema>;

/**
 * The workflow's own time-out on the human wait: a safety net after the scheduler's escalation,
 * so a lost timer never leaves an execution waiting for a year.
 */
export const answerWaitTimeoutSeconds = (s: Timings): number => (daysUntilEscalation(s) + 2) * 86_400;

/** What the scheduler does next, given how many reminders went out and when the last mail was sent. */
export function nextTimerAfter(remindersSent: number, lastSentAt: Date, s: Timings): { kind: DueKind; at: Date } {
  if (remindersSent < s.maxReminders) return { kind: 'reminder', at: addDays(lastSentAt, s.reminderAfterDays) };
  return { kind: 'escalate', at: addDays(lastSentAt, s.escalateAfterDays) };
}

export const isWaitingForAnswer = (d: Pick<Dialogue, 'state'>): boolean => d.state === 'invited';
export const isAnswered = (d: Pick<Dialogue, 'state'>): boolean =>
  d.state === 'accepted' || d.state === 'declined' || d.state === 'no_answer';
