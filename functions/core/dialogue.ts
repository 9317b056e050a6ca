/**
 * The dialogue record: the step history, the answer an organiser gives, timers and the meeting step
 * under way. Its states and transitions are in dialogue-states.ts (re-exported here). Pure
 * functions; persistence lives in the adapters.
 */
import * as z from '#core/zod.ts';
import type { DialogueConflict } from './clash.ts';
import type { ContactRole, LegalForm, SchoolForm } from './organiser.ts';
import { type DialogueState, hasAccepted } from './dialogue-states.ts';

export * from './dialogue-states.ts';

export const declineReasons = ['time', 'resources', 'other'] as const;
export type DeclineReason = (typeof declineReasons)[number];

/** The organiser's answer as the form posts it. */
export const answerFormSchema = z.discriminatedUnion('answer', [
  z.object({
    answer: z.literal('accept'),
    comment: z.optional(z.string().check(z.trim(), z.maxLength(2000, 'Kommentaren får vara högst 2000 tecken.'))),
  }),
  z.object({
    answer: z.literal('decline'),
    reason: z.enum(declineReasons, { message: 'Välj ett skäl till att ni tackar nej.' }),
    comment: z.optional(z.string().check(z.trim(), z.maxLength(2000, 'Kommentaren får vara högst 2000 tecken.'))),
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
  | 'mail_bounced'
  | 'start_postponed'
  | 'conflict_flagged'
  | 'conflict_cleared'
  | 'conflict_decision'
  // The phases after acceptance.
  | 'phase_changed'
  | 'slots_proposed'
  | 'meeting_booked'
  | 'meeting_rescheduled'
  | 'meeting_cancelled'
  | 'meeting_left'
  | 'pair_reassigned'
  | 'material_sent'
  | 'notes_registered'
  | 'stopped'
  | 'closed'
  | 'retried'
  | 'invitation_resent'
  | 'reminder_requested'
  // The meeting phases (functions/use-cases/lifecycle.ts).
  | 'offer_reminder_sent'
  | 'other_times_requested'
  | 'handed_over'
  | 'handback_action'
  | 'documents_attached'
  | 'material_waiting'
  | 'material_decision'
  | 'contact_corrected'
  | 'notes_reminder_sent'
  // The scheduler (functions/core/timer-failure.ts).
  | 'timer_failed'
  | 'timer_recovered';

export interface HistoryEntry {
  at: string;
  type: HistoryType;
  state?: DialogueState;
  detail?: string;
  by?: string;
}

export type DueKind =
  | 'start'
  | 'reminder'
  | 'escalate'
  | 'callback'
  // The phases after acceptance (functions/use-cases/lifecycle.ts).
  | 'phase_start'
  | 'offer_reminder'
  | 'offer_escalate'
  | 'held'
  | 'follow_up'
  /** A second reminder to the pair to register the dialogue meeting's notes. */
  | 'notes_reminder';

/**
 * A due timer whose handler failed: retried later with back-off (functions/core/timer-failure.ts)
 * and shown to the coordinator until it fires.
 */
export interface TimerFailure {
  kind: DueKind;
  /** When the timer was first due. */
  dueAt: string;
  /** Failed attempts in a row. */
  failures: number;
  firstAt: string;
  lastAt: string;
  /** The last attempt's error (shortened). */
  error: string;
  /** When the next attempt is due (the timer's dueAt meanwhile). */
  retryAt: string;
}

/** The meeting kinds of the phases after acceptance, as the meeting rules name them. */
export type PhaseMeetingKind = 'intro' | 'pre_meeting' | 'dialogue' | 'feedback' | 'follow_up';

/** One proposed time: the pair and its sessions (ISO instants). */
export interface OfferedSlot {
  pair: { skolverket: string; spsm: string };
  sessions: { start: string; end: string }[];
  /** Set when the slot is a place in a group intro session. */
  introSessionId?: string;
}

/** The meeting step under way: which kind, which workflow round, the offer mailed to the organiser. */
export interface PhaseProgress {
  kind: PhaseMeetingKind;
  /** The execution round: +1 each time the phase starts anew (after a cancelled meeting). */
  round: number;
  offer?: {
    /** Offers within the round: +1 each time the organiser asks for other times. */
    no: number;
    slots: OfferedSlot[];
    sentAt: string;
    /** 'booking': a contact's pick is being booked (claimed, so two picks never book twice). */
    status: 'open' | 'other_times' | 'booking' | 'booked' | 'escalated';
    /** Days (Europe/Stockholm) and intro sessions already offered in this round. */
    offeredDays: string[];
    offeredSessions: string[];
  };
  meetingId?: string;
  /** The workflow task waiting for the booking (never shown by the API). */
  token?: string;
  /**
   * The coordinator books for the organiser instead of offering times: who asked, and the time
   * they chose (else the first free one).
   */
  bookFirst?: { by: string; slot?: OfferedSlot };
  /** A step of this round failed after its retries (the coordinator retries: a new round). */
  failure?: { at: string; error: string; cause: string };
}

/** An analysis-material document attached to the dialogue: metadata and a link, never the content. */
export interface AnalysisDocument {
  id: string;
  schoolForm: string;
  title: string;
  url: string;
  addedAt: string;
}

export interface Dialogue {
  id: string;
  organiserId: string;
  organiserName: string;
  /** The organiser's org. number (ten digits), copied when the dialogue is created: lists tell same-name organisers apart. */
  orgNumber?: string;
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
  /** Set while the timer fails: it is retried with back-off (never blocking the other timers). */
  timerFailure?: TimerFailure;
  error?: { code: string; message: string };
  /** Set while a planned date of this dialogue clashes with an inspection. */
  conflict?: DialogueConflict;
  /** The meeting step under way after acceptance. */
  phase?: PhaseProgress;
  /** The facilitator pair the organiser met (kept through its process where possible; set on booking and reassignment). */
  pair?: { skolverket: string; spsm: string };
  /** End of the last held meeting: the next step's minimum gap counts from it. */
  lastMeetingEnd?: string;
  /** The analysis material (links per school form). */
  documents?: AnalysisDocument[];
  /** The coordinator decided to send the material although a school form lacks a document. */
  materialDecision?: { by: string; at: string; reason: string };
  /** How the dialogue meeting is offered: 1 session (default) or split into 2–3 (a coordinator's choice). */
  meetingPlan?: { sessions: number; sessionMinutes?: number };
  /** The campaign that offered it: SES throttling its invitations slows that campaign down. */
  campaignId?: string;
  /** Copied from the organiser when the dialogue is created, for the console's filters and metrics. */
  schoolForms?: SchoolForm[];
  children?: number;
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
    reminderAfterDays: z._default(z.number().check(z.int(), z.gte(1), z.lte(21)), 7),
    maxReminders: z._default(z.number().check(z.int(), z.gte(0), z.lte(3)), 2),
    escalateAfterDays: z._default(z.number().check(z.int(), z.gte(1), z.lte(21)), 7),
    linkValidDays: z._default(z.number().check(z.int(), z.gte(7), z.lte(365)), 60),
  })
  .check(
    z.refine((s) => daysUntilEscalation(s) <= MAX_ESCALATION_DAYS, {
      message: `reminders and escalation must fit within ${MAX_ESCALATION_DAYS} days, so the workflow's safety-net time-out stays under 24 days`,
    }),
    z.refine((s) => s.linkValidDays > daysUntilEscalation(s), {
      message: 'answer links must stay valid until after the escalation',
    }),
  );
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

/**
 * When the answer period ends if the remaining timers fire on time from `now`: the escalation
 * after the reminders not yet sent. A link mailed now must stay valid at least until then.
 */
export const answerPeriodEnd = (remindersSent: number, now: Date, s: Timings): Date =>
  addDays(now, Math.max(0, s.maxReminders - remindersSent) * s.reminderAfterDays + s.escalateAfterDays);

export const isWaitingForAnswer = (d: Pick<Dialogue, 'state'>): boolean => d.state === 'invited';
export const isAnswered = (d: Pick<Dialogue, 'state'>): boolean => d.state === 'declined' || d.state === 'no_answer' || hasAccepted(d);
