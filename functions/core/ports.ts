/**
 * The ports the use-cases depend on. Adapters in functions/adapters implement them over the AWS
 * SDK; tests may implement them over anything.
 */
import type { Dialogue, DialogueState } from './dialogue.ts';
import type { Organiser } from './organiser.ts';

export interface Page<T> {
  items: T[];
  cursor?: string;
}

export interface OrganiserRepository {
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
   * write. `change` returns undefined to leave the record as it is.
   */
  mutate(id: string, change: (current: Dialogue) => Dialogue | undefined): Promise<{ dialogue: Dialogue; changed: boolean }>;
  list(filter: { state?: DialogueState }, limit: number, cursor?: string): Promise<Page<Dialogue>>;
  listDue(now: Date, limit: number): Promise<Dialogue[]>;
}

export interface AnswerLink {
  linkId: string;
  dialogueId: string;
  step: string;
  contactId: string;
  expiresAt: string;
  usedAt?: string;
}

export interface LinkRepository {
  put(link: AnswerLink): Promise<void>;
  get(linkId: string): Promise<AnswerLink | undefined>;
  markUsed(linkId: string, at: Date): Promise<void>;
}

export interface MailRecord {
  dialogueId: string;
  step: string;
  contactId: string;
  email: string;
  status: 'sending' | 'sent';
  messageId: string;
  linkId?: string;
  linkExpiresAt?: string;
  claimedAt: string;
  sentAt?: string;
  providerMessageId?: string;
}

export interface MailLog {
  /** Claims the (dialogue, step, contact) slot; returns the stored record, new or earlier. */
  claim(record: MailRecord): Promise<{ record: MailRecord; fresh: boolean }>;
  markSent(record: MailRecord, providerMessageId: string, at: Date): Promise<void>;
  list(dialogueId: string): Promise<MailRecord[]>;
}

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Stable RFC 5322 Message-ID: the same for every retry of one (dialogue, step, recipient). */
  messageId: string;
  tags?: Record<string, string>;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<{ providerMessageId: string }>;
}

export interface WorkflowClient {
  startInvitation(dialogueId: string): Promise<{ started: boolean }>;
  completeWait(taskToken: string, output: Record<string, unknown>): Promise<'delivered' | 'closed'>;
}

// Campaigns (issue 6).
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
  hasDialogue(organiserId: string, cycle: string): Promise<boolean>;
}
