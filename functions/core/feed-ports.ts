/**
 * The ports of the calendar feeds: the projected windows (planned dialogue dates for the
 * inspectorate, each facilitator's meetings), the facilitators' feed keys, and the inspectorate's
 * feed key (a secret). functions/adapters/feed-repository.ts and feed-secrets.ts implement them.
 */
import type { FacilitatorWindow, PlannedWindow } from './planned-dates.ts';
import type { Page } from './ports.ts';

export interface FeedRepository {
  /** The stored windows of one dialogue (one Query on its organiser's partition). */
  windowsOfDialogue(organiserId: string, dialogueId: string): Promise<PlannedWindow[]>;
  /** Every stored window of one organiser. */
  windowsOfOrganiser(organiserId: string): Promise<PlannedWindow[]>;
  /** Windows starting in [fromIso, toIso), by start, from the byKind index: a bounded page. */
  windowsStarting(fromIso: string, toIso: string, limit: number, cursor?: string): Promise<Page<PlannedWindow>>;
  putWindows(windows: readonly PlannedWindow[]): Promise<void>;
  facilitatorWindowsOfMeeting(facilitatorId: string, meetingId: string): Promise<FacilitatorWindow[]>;
  facilitatorWindows(facilitatorId: string): Promise<FacilitatorWindow[]>;
  putFacilitatorWindows(windows: readonly FacilitatorWindow[]): Promise<void>;
  /** The facilitator's current feed key, if one was made. */
  facilitatorKey(facilitatorId: string): Promise<{ key: string; createdAt: string } | undefined>;
  /**
   * Makes `key` the facilitator's feed key if the current one is still `previous` (undefined: none
   * yet); the old key stops working. False when someone changed it meanwhile.
   */
  replaceFacilitatorKey(facilitatorId: string, key: string, previous: string | undefined, now: Date): Promise<boolean>;
  /** The facilitator whose current feed key this is. */
  facilitatorOfKey(key: string): Promise<string | undefined>;
}

/** The inspectorate's feed key: Secrets Manager in the cloud, the environment (or a rotated copy) locally. */
export interface FeedSecrets {
  /** Undefined when no key is configured: the feed then answers 404 to every key. */
  inspectorateKey(): Promise<string | undefined>;
  /** A new random key; the old one stops working (within the secret cache's minute in the cloud). */
  rotateInspectorateKey(): Promise<string>;
}
