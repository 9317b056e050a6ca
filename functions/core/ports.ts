/**
 * The ports the use-cases depend on. Adapters in functions/adapters implement them over the AWS
 * SDK; tests may implement them over anything.
 */
import type { DateRange } from './calendar.ts';
import type { OfferHold } from './holds.ts';
import type { Dialogue, DialogueState, OfferedSlot } from './dialogue.ts';
import type { DialogueFacts } from './facts.ts';
import type { DeliveryOutcome } from './delivery.ts';
import type { Facilitator } from './facilitators.ts';
import type { IntroSession } from './intro-sessions.ts';
import type { Meeting } from './meetings.ts';
import type { Organiser } from './organiser.ts';

export interface Page<T> {
  items: T[];
  cursor?: string;
}

export interface OrganiserRepository {
  /** Stores the organiser and keeps its words in the search index. */
  put(organiser: Organiser): Promise<void>;
  get(id: string): Promise<Organiser | undefined>;
  list(limit: number, cursor?: string): Promise<Page<Organiser>>;
}

export interface DialogueRepository {
  /** Creates the dialogue unless the organiser already has one in the cycle; returns the one that exists. */
  create(dialogue: Dialogue): Promise<{ created: boolean; dialogue: Dialogue }>;
  get(id: string): Promise<Dialogue | undefined>;
  /**
   * Applies `change` to the stored dialogue with optimistic locking, retrying on a concurrent
   * write. `change` returns undefined to leave the record as it is. `known`: a copy the caller
   * just read, tried first instead of reading again (a stale copy only costs the retry).
   */
  mutate(
    id: string,
    change: (current: Dialogue) => Dialogue | undefined,
    known?: Dialogue,
  ): Promise<{ dialogue: Dialogue; changed: boolean }>;
  list(filter: { state?: DialogueState }, limit: number, cursor?: string): Promise<Page<Dialogue>>;
  /** Several dialogues by id, in the order asked (ids without a dialogue are left out). */
  getMany(ids: readonly string[]): Promise<Dialogue[]>;
  /** The organiser's dialogues, one per cycle, newest cycle first. */
  ofOrganiser(organiserId: string): Promise<{ cycle: string; dialogueId: string }[]>;
  /** Dialogues whose timer is due at `now`, oldest first, a page at a time. */
  listDue(now: Date, limit: number, cursor?: string): Promise<Page<Dialogue>>;
}

/** What an organiser's link opens (functions/core/link-token.ts), as a page sees it. */
export interface AnswerLink {
  dialogueId: string;
  step: string;
  contactId: string;
  expiresAt: string;
  /** Only on a link stored by an earlier version, once it was used. */
  usedAt?: string;
}

/** The links earlier versions stored (new links are signed tokens that carry their target): read only. */
export interface LinkRepository {
  get(linkId: string): Promise<AnswerLink | undefined>;
}

export interface MailRecord {
  dialogueId: string;
  step: string;
  contactId: string;
  email: string;
  /** 'unconfirmed': a claim whose send attempt died; it is never re-sent (the reminder follows). */
  status: 'sending' | 'sent' | 'unconfirmed' | 'suppressed';
  /** When the mail's link expires (a later mail to the recipient may carry the same link). */
  linkExpiresAt?: string;
  claimedAt: string;
  sentAt?: string;
  providerMessageId?: string;
  /** What SES reported after the send (delivered, bounced, complained, rejected). */
  delivery?: { outcome: DeliveryOutcome; at: string; detail: string };
  /** Stored by an earlier version as an item of its own (read and updated there, never created). */
  legacy?: true;
}

/** The send-once mail log: one record per (dialogue, step, recipient), kept per step. */
export interface MailLog {
  /**
   * Claims the step's slots of these recipients in one conditional write. Returns each one's
   * record: the new claim (`fresh`), or the one an earlier attempt (or version) made.
   */
  claim(dialogueId: string, step: string, records: readonly MailRecord[]): Promise<{ record: MailRecord; fresh: boolean }[]>;
  /**
   * Records a step's sends in one write: `sent` went out; `released` were claimed by this attempt
   * but nothing went out (the send was refused), so a retry claims them anew.
   */
  settle(
    dialogueId: string,
    step: string,
    outcome: { sent: readonly { record: MailRecord; providerMessageId: string }[]; released: readonly MailRecord[] },
    at: Date,
  ): Promise<void>;
  /** Moves stale 'sending' claims to 'unconfirmed'; returns how many were still 'sending'. */
  markUnconfirmed(records: readonly MailRecord[], at: Date): Promise<number>;
  /** Records SES's delivery outcome on the mail; false if it was already recorded (a redelivered event). */
  markDelivery(record: MailRecord, delivery: NonNullable<MailRecord['delivery']>): Promise<boolean>;
  /** Every mail of the dialogue, by step and recipient. */
  list(dialogueId: string): Promise<MailRecord[]>;
}

/** Addresses that bounced permanently or complained: never mailed again. */
export interface SuppressionList {
  isSuppressed(email: string): Promise<boolean>;
  /** Which of these addresses are suppressed, in one request. */
  suppressedAmong(emails: readonly string[]): Promise<Set<string>>;
  /** Returns true when the address was not suppressed before. */
  suppress(email: string, reason: string, at: Date): Promise<boolean>;
}

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Stable RFC 5322 Message-ID: the same for every retry of one (dialogue, step, recipient). */
  messageId: string;
  tags?: Record<string, string>;
  /** An iCalendar invitation: sent as a text/calendar alternative and as an attached .ics. */
  calendar?: { method: 'REQUEST' | 'CANCEL'; ics: string; filename?: string };
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<{ providerMessageId: string }>;
}

export interface WorkflowClient {
  /** `attempt` > 0 starts a retry under a new execution name (a coordinator's "retry"). */
  startInvitation(dialogueId: string, attempt?: number): Promise<{ started: boolean }>;
  completeWait(taskToken: string, output: Record<string, unknown>): Promise<'delivered' | 'closed'>;
  /** Starts round `round` of a meeting phase (deterministic name: a repeated start is a no-op). */
  startPhase(dialogueId: string, kind: string, round: number): Promise<{ started: boolean }>;
  /** The invitation execution of `attempt` with its state history; undefined if there is none. */
  describeInvitation(dialogueId: string, attempt?: number): Promise<ExecutionView | undefined>;
}

export interface ExecutionView {
  name: string;
  status: string;
  startedAt?: string;
  stoppedAt?: string;
  error?: string;
  cause?: string;
  /** Oldest first: every history event with the state it entered or exited, if any. */
  events: { at?: string; type: string; state?: string; detail?: string }[];
}

/** Read queries over the dialogues that no single dialogue answers; never a Scan. */
export interface DialogueQueries {
  /** The ids of the dialogues in the state, every cycle (a Query on the byState index). */
  idsInState(state: DialogueState): Promise<string[]>;
  /** Dialogues whose last change (updatedAt) lies in (from, to]: for the facts sweep (one Query on byKind). */
  changedBetween(from: string, to: string): Promise<Dialogue[]>;
  /**
   * The same over every state of byState (a Query each): also finds the changes an earlier version
   * wrote, whose byKind key is the creation time.
   */
  changedBetweenByState(from: string, to: string): Promise<Dialogue[]>;
}

/**
 * The per-cycle facts index: each dialogue's facts (functions/core/facts.ts), kept by the
 * dialogue repository on every change that alters them. Lists, counts and statistics of a cycle
 * read it; their cost does not grow with the number of cycles.
 */
export interface FactsIndex {
  /** Stores a dialogue's facts unless the same or a later version is stored (idempotent). */
  put(cycle: string, facts: DialogueFacts): Promise<void>;
  /** The stored facts of these dialogues (of one cycle), by id. */
  stored(cycle: string, ids: readonly string[]): Promise<Map<string, DialogueFacts>>;
  /** Every dialogue's facts in the cycle. */
  cycle(cycle: string): Promise<DialogueFacts[]>;
  /** The cycles that have dialogues, ascending. */
  cycles(): Promise<string[]>;
  registerCycle(cycle: string): Promise<void>;
  /** Up to when the facts sweep has checked changed dialogues, if it ever ran (see SweepMark). */
  sweepMark(): Promise<SweepMark | undefined>;
  setSweepMark(mark: SweepMark): Promise<void>;
}

/** How far the facts sweep has checked (ISO times). */
export interface SweepMark {
  /** Every dialogue changed up to here has been checked. */
  at: string;
  /**
   * From here on every dialogue change is on the byKind index by its time (one Query); before it,
   * earlier versions may have written changes found only by state. Absent: set by an earlier version.
   */
  byChangeFrom?: string;
}

/** Rewriting the facts index whole: the rebuild only (not on a request path). */
export interface FactsRebuild {
  /** Replaces the cycle's facts with these. */
  replaceCycle(cycle: string, facts: readonly DialogueFacts[]): Promise<void>;
  /** The version of the definitions the indexes were last rebuilt with (facts-upkeep.ts INDEX_VERSION). */
  builtVersion(): Promise<number | undefined>;
  setBuiltVersion(version: number): Promise<void>;
}

export interface OrganiserMatch {
  organiserId: string;
  name: string;
  orgNumber: string;
}

/** Organisers by a normalised word prefix (functions/core/search.ts) or org. number prefix. */
export interface SearchIndex {
  /** Writes the organiser's words, removing those of `previous` it no longer has. */
  index(
    previous: Pick<Organiser, 'id' | 'name' | 'orgNumber'> | undefined,
    next: Pick<Organiser, 'id' | 'name' | 'orgNumber'>,
  ): Promise<void>;
  find(prefix: string, limit: number, cursor?: string): Promise<Page<OrganiserMatch>>;
}

/** A facilitator's own calendar as the system keeps it: bookings it made and blocks entered. */
export interface CalendarEntry {
  start: string;
  end: string;
  source: 'booking' | 'block';
  /** The meeting or intro session of a booking; a generated id for a block. */
  ref: string;
  reason?: string;
}

export interface StoredFacilitator extends Facilitator {
  calendar: CalendarEntry[];
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** The holds of open offers (functions/core/holds.ts): what one dialogue's open offer holds is one entry. */
export interface HoldRepository {
  /** Every hold that has not lapsed at `now` (those of facilitators and of intro-session places). */
  active(now: Date): Promise<OfferHold[]>;
  /**
   * Holds the slots for the dialogue's offer until `lapse` (each at most until its time starts), in
   * place of whatever the dialogue held before. Takes no per-time condition: call it inside
   * `exclusive`, after a search that saw the other offers' holds.
   */
  hold(holder: string, offer: string, slots: readonly OfferedSlot[], lapse: string): Promise<void>;
  /**
   * Gives back what the dialogue holds for this offer (nothing if a newer offer of it holds times);
   * `legacy`: the offer's holds as written one item per time before, given back when that is how it was held.
   */
  release(holder: string, offer: string, legacy: readonly Pick<OfferHold, 'resource' | 'slot'>[]): Promise<void>;
  /**
   * Runs `search` while no other offer searches (a short lease, so a crashed holder blocks nobody
   * for long): offers made at the same moment then each see what the others just held. Throws a
   * TransientError when the lease stays taken for `maxWaitMs` (the workflow retries the step).
   */
  exclusive<T>(search: () => Promise<T>, maxWaitMs?: number): Promise<T>;
}

export interface FacilitatorRepository {
  /** Creates or updates the profile; the calendar is kept. */
  upsert(f: Facilitator, now: Date): Promise<{ facilitator: StoredFacilitator; created: boolean }>;
  get(id: string): Promise<StoredFacilitator | undefined>;
  /** Every facilitator (a few hundred at most), by agency and name. */
  list(): Promise<StoredFacilitator[]>;
  /**
   * Optimistic-locked change of one facilitator; `change` returns undefined to leave it. `known`:
   * a copy the caller just read (from `list`), tried first instead of a read.
   */
  mutate(
    id: string,
    change: (current: StoredFacilitator) => StoredFacilitator | undefined,
    known?: StoredFacilitator,
  ): Promise<{ facilitator: StoredFacilitator; changed: boolean }>;
}

export interface IntroSessionRepository {
  create(s: IntroSession): Promise<void>;
  get(id: string): Promise<IntroSession | undefined>;
  /** Sessions of one region (or all), by start time. */
  list(region?: string): Promise<IntroSession[]>;
  mutate(id: string, change: (current: IntroSession) => IntroSession | undefined): Promise<{ session: IntroSession; changed: boolean }>;
}

export interface MeetingRepository {
  /** Stores a new meeting and its pointer under each of its dialogues. */
  create(m: Meeting): Promise<void>;
  get(id: string): Promise<Meeting | undefined>;
  /** The dialogue's meetings by start; `known`: meetings the caller holds (not read again). */
  listForDialogue(dialogueId: string, known?: readonly Meeting[]): Promise<Meeting[]>;
  mutate(id: string, change: (current: Meeting) => Meeting | undefined): Promise<{ meeting: Meeting; changed: boolean }>;
}

/** One year's school holidays as a coordinator set them (the defaults apply to a year with none). */
export interface StoredSchoolHolidays {
  year: number;
  ranges: DateRange[];
  updatedAt: string;
  updatedBy: string;
}

export interface SchoolHolidayRepository {
  get(year: number): Promise<StoredSchoolHolidays | undefined>;
  put(value: StoredSchoolHolidays): Promise<void>;
  /** Back to the defaults. */
  delete(year: number): Promise<void>;
}

// Campaigns.
import type { Campaign, CampaignRecipient } from './campaign.ts';

export interface CampaignRepository {
  /** Writes the campaign and its recipients (one item each, recipients first); fails if the id exists. */
  create(campaign: Campaign, recipients: CampaignRecipient[]): Promise<void>;
  get(id: string): Promise<Campaign | undefined>;
  /** Every campaign, newest first (one bounded Query; campaigns are few). */
  list(): Promise<Campaign[]>;
  /** Optimistic update like DialogueRepository.mutate. */
  mutate(id: string, change: (current: Campaign) => Campaign | undefined): Promise<{ campaign: Campaign; changed: boolean }>;
  /** Recipients from position `from` on, in order. */
  recipients(id: string, from: number, limit: number): Promise<CampaignRecipient[]>;
  putRecipient(recipient: CampaignRecipient): Promise<void>;
  putRecipients(recipients: readonly CampaignRecipient[]): Promise<void>;
  hasDialogue(organiserId: string, cycle: string): Promise<boolean>;
  /** Deletes a never-launched campaign's record (false: there is none); ConflictError once launched. */
  deleteUnlaunched(id: string): Promise<boolean>;
  /** Deletes the items under the campaign (recipients and the console's records); returns how many. */
  deleteChildren(id: string): Promise<number>;
}

/**
 * The console's sessions, server-side: a signed cookie opens a page only while its session is
 * recorded here and not ended, so logging out (or an administrator) ends it at once.
 */
export interface SessionStore {
  open(session: { id: string; role: string; name: string; expiresAt: Date }, at: Date): Promise<void>;
  /** Whether the session is recorded, not ended and not expired at `now`. */
  isOpen(id: string, now: Date): Promise<boolean>;
  end(id: string, at: Date): Promise<void>;
}
