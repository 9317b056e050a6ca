/**
 * Offers that do not collide: the times an offer proposes are held for its dialogue for
 * OFFER_HOLD_HOURS (functions/core/holds.ts), so the slot search gives organisers offered at the
 * same moment different times, and each organiser's page shows which of its times are still free.
 * What one offer holds is one item, written while no other offer searches (the searches take turns
 * under a short lease), so two offers made at once cannot both hold the same time. Holds are given
 * back when the offer is booked, replaced or closed (one write), and lapse by themselves.
 */
import type { Dialogue, OfferedSlot } from '#core/dialogue.ts';
import { type BusyInterval, busyOf, type Interval } from '#core/facilitators.ts';
import { heldByOthers, holdUntil, type OfferHold, offerHolds, sessionPlacesHeldByOthers } from '#core/holds.ts';
import type { IntroSession } from '#core/intro-sessions.ts';
import type { StoredFacilitator } from '#core/ports.ts';
import { type MeetingKind, slotStillFree } from '#core/scheduling.ts';
import type { Deps } from '#adapters/deps.ts';
import { holdsOf } from '#adapters/hold-repository.ts';

export const offerKey = (kind: string, round: number, no: number): string => `${kind}:${round}:${no}`;

/** What a slot search or an availability check for one dialogue sees. */
export interface Availability {
  facilitators: StoredFacilitator[];
  /** The facilitators' bookings and blocks, plus what other dialogues' open offers hold. */
  busy: BusyInterval[];
  holds: OfferHold[];
}

export async function availabilityFor(d: Deps, dialogueId: string): Promise<Availability> {
  const now = d.clock.now();
  const [facilitators, holds] = await Promise.all([
    d.facilitators.list(),
    d.scheduling.holdHours > 0 ? holdsOf(d).active(now) : Promise.resolve([]),
  ]);
  return { facilitators, holds, busy: [...busyOf(facilitators), ...heldByOthers(holds, dialogueId, now)] };
}

/** Places of a session this dialogue may still take: free places not held for another dialogue's offer. */
export function placesLeftFor(s: IntroSession, dialogueId: string, holds: readonly OfferHold[], now: Date): number {
  if (s.dialogueIds.includes(dialogueId)) return 1;
  return s.capacity - s.dialogueIds.length - sessionPlacesHeldByOthers(holds, s.id, dialogueId, now);
}

/**
 * Holds every slot of an offer for the dialogue, in place of what it held before (an empty list
 * gives everything back). Run it inside `holdsOf(d).exclusive`, after the search or check that
 * saw the other offers' holds: the hold itself takes no per-time condition.
 */
export async function holdSlots(d: Deps, dialogueId: string, offer: string, slots: readonly OfferedSlot[]): Promise<void> {
  if (d.scheduling.holdHours <= 0) return;
  if (slots.length === 0) return holdsOf(d).release(dialogueId, offer, []);
  await holdsOf(d).hold(dialogueId, offer, slots, holdUntil(d.clock.now(), d.scheduling.holdHours).toISOString());
}

/** Gives back what the dialogue's offer holds (a booked, replaced or closed offer): one write. */
export async function releaseOffer(d: Deps, x: Pick<Dialogue, 'id' | 'phase'>, offer = x.phase?.offer): Promise<void> {
  if (d.scheduling.holdHours <= 0 || !x.phase || !offer) return;
  const key = offerKey(x.phase.kind, x.phase.round, offer.no);
  await holdsOf(d).release(x.id, key, offerHolds(x.id, key, offer.slots, ''));
}

export type SlotStatus = 'free' | 'taken';

/**
 * Whether each slot of the dialogue's offer can still be booked by it now: in the future, the pair
 * free (its calendars, and no other dialogue's offer holding the time), or a place left in the
 * group session. Reads the facilitators, the holds and the offered sessions once.
 */
export async function slotStatuses(
  d: Deps,
  x: Dialogue,
  kind: MeetingKind,
  slots: readonly OfferedSlot[],
  /** What the caller read for this dialogue just now (not read again). */
  known?: Availability,
): Promise<SlotStatus[]> {
  const now = d.clock.now();
  const { facilitators, busy, holds } = known ?? (await availabilityFor(d, x.id));
  const sessions = new Map<string, IntroSession | undefined>();
  for (const id of new Set(slots.flatMap((s) => (s.introSessionId ? [s.introSessionId] : [])))) {
    sessions.set(id, await d.introSessions.get(id));
  }
  const ctx = { facilitators, busy, calendar: d.scheduling.calendar, settings: d.scheduling.settings };
  return slots.map((slot) => {
    if (Date.parse(slot.sessions[0]?.start ?? '') <= now.getTime()) return 'taken';
    if (slot.introSessionId) {
      const s = sessions.get(slot.introSessionId);
      if (s?.status !== 'open') return 'taken';
      return placesLeftFor(s, x.id, holds, now) > 0 ? 'free' : 'taken';
    }
    const proposal = {
      pair: slot.pair,
      sessions: slot.sessions.map((i): Interval => ({ start: new Date(i.start), end: new Date(i.end) })),
    };
    return slotStillFree(ctx, kind, proposal) ? 'taken' : 'free';
  });
}
