/**
 * Holds of open offers. Every time an offer proposes is held for its dialogue for a while (a few
 * days by default), so organisers offered at the same moment are offered different times and the
 * time an organiser picks within the hold is still free. A hold is on one facilitator at one start
 * (`resource` = the facilitator's id, `slot` = the session's start), or on a place in a group intro
 * session (`resource` = `session:<id>`, `slot` = the dialogue's id). Holds steer the slot search
 * and the organiser's pick; bookings themselves are decided on the facilitators' calendars. Pure.
 */
import type { OfferedSlot } from './dialogue.ts';
import type { BusyInterval } from './facilitators.ts';

export interface OfferHold {
  resource: string;
  slot: string;
  /** The dialogue whose offer holds it. */
  holder: string;
  /** The offer (`<kind>:<round>:<no>`). */
  offer: string;
  /** A facilitator's held session (ISO instants); absent for a place in an intro session. */
  start?: string;
  end?: string;
  /** The hold lapses at this instant (ISO). */
  until: string;
}

export const SESSION_RESOURCE = 'session:';
export const sessionResource = (sessionId: string): string => `${SESSION_RESOURCE}${sessionId}`;

export const isActive = (h: Pick<OfferHold, 'until'>, now: Date): boolean => Date.parse(h.until) > now.getTime();

/** When a hold taken now lapses: `hours` from now, and never after the held time starts. */
export function holdUntil(now: Date, hours: number, start?: Date): Date {
  const until = now.getTime() + hours * 3_600_000;
  return new Date(start ? Math.min(until, start.getTime()) : until);
}

/**
 * The holds an offer's slots stand for: each facilitator of the pair at each session's start, or a
 * place in the group intro session; each lapses at `lapse` or when its time starts, if sooner.
 */
export function offerHolds(dialogueId: string, offer: string, slots: readonly OfferedSlot[], lapse: string): OfferHold[] {
  const until = (start?: string) => (start && Date.parse(start) < Date.parse(lapse) ? new Date(start).toISOString() : lapse);
  return slots.flatMap((slot): OfferHold[] => {
    if (slot.introSessionId) {
      const start = slot.sessions[0]?.start ?? new Date(0).toISOString();
      return [{ resource: sessionResource(slot.introSessionId), slot: dialogueId, holder: dialogueId, offer, until: until(start) }];
    }
    return slot.sessions.flatMap((s) =>
      [slot.pair.skolverket, slot.pair.spsm].map((resource) => ({
        resource,
        slot: s.start,
        holder: dialogueId,
        offer,
        start: s.start,
        end: s.end,
        until: until(s.start),
      })),
    );
  });
}

/** Other dialogues' active holds on facilitators, as busy time for the slot search. */
export function heldByOthers(holds: readonly OfferHold[], dialogueId: string, now: Date): BusyInterval[] {
  return holds
    .filter((h) => h.holder !== dialogueId && h.start && h.end && !h.resource.startsWith(SESSION_RESOURCE) && isActive(h, now))
    .map((h) => ({
      facilitatorId: h.resource,
      source: 'hold' as const,
      ref: `hold:${h.holder}`,
      start: new Date(h.start as string),
      end: new Date(h.end as string),
    }));
}

/** Places of an intro session other dialogues hold for their open offers. */
export const sessionPlacesHeldByOthers = (holds: readonly OfferHold[], sessionId: string, dialogueId: string, now: Date): number =>
  holds.filter((h) => h.resource === sessionResource(sessionId) && h.holder !== dialogueId && isActive(h, now)).length;
