/**
 * The port the calendar use-cases depend on: inspections, planned dialogue dates, open conflicts
 * and the audit trail. functions/adapters/calendar-repository.ts implements it over DynamoDB.
 */
import type { ClashReason, DialogueConflict, PlannedItem } from './clash.ts';
import type { Inspection } from './inspection.ts';
import type { Page } from './ports.ts';

/** One open conflict as the conflict view lists it. */
export interface ConflictRecord extends Omit<DialogueConflict, 'reason'> {
  dialogueId: string;
  organiserId: string;
  organiserName: string;
  orgNumber: string;
  region: string;
  reason: ClashReason['message'];
}

export interface AuditEntry {
  at: string;
  actor: string;
  role: string;
  action:
    | 'inspection.created'
    | 'inspection.updated'
    | 'inspection.deleted'
    | 'inspection.imported'
    | 'conflict.flagged'
    | 'conflict.cleared'
    | 'conflict.decision'
    | 'feed.rotated';
  subject: string;
  detail?: Record<string, unknown>;
}

export interface CalendarRepository {
  putOrgNumber(orgNumber: string, organiserId: string): Promise<void>;
  /** Org. number → organiser id for every number that is known (batched). */
  resolveOrgNumbers(orgNumbers: readonly string[]): Promise<Map<string, string>>;
  getInspection(externalId: string): Promise<Inspection | undefined>;
  getInspections(externalIds: readonly string[]): Promise<Map<string, Inspection>>;
  /** Writes the inspection and its per-organiser copy; moves the copy when the organiser changed. */
  saveInspection(next: Inspection, previous?: Inspection): Promise<void>;
  deleteInspection(inspection: Inspection): Promise<void>;
  /** Every inspection of one organiser: one Query on its partition. */
  inspectionsOf(organiserId: string): Promise<Inspection[]>;
  /** Inspections starting in [fromDay, toDay] (start-day order), a bounded page. */
  inspectionsStarting(fromDay: string, toDay: string, budget: number, cursor?: string): Promise<Page<Inspection>>;
  putPlanned(item: PlannedItem): Promise<void>;
  deletePlanned(organiserId: string, dialogueId: string, step: string): Promise<void>;
  plannedOf(organiserId: string): Promise<PlannedItem[]>;
  putConflict(record: ConflictRecord): Promise<void>;
  deleteConflict(plannedDay: string, dialogueId: string): Promise<void>;
  listConflicts(fromDay: string, toDay: string, limit: number, cursor?: string): Promise<Page<ConflictRecord>>;
  audit(entry: AuditEntry): Promise<void>;
  listAudit(day: string, limit: number, cursor?: string): Promise<Page<AuditEntry>>;
}
