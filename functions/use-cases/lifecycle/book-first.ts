/**
 * The coordinator books for the organiser: a round of a meeting phase marked `bookFirst` proposes
 * times as every offer does (free pairs, held, clash-checked) and books the first that can still be
 * booked instead of mailing the offer; the organiser's contacts and the pair get the calendar
 * invitation, whose link lets the organiser move or cancel it. The offer is claimed first, as an
 * organiser's pick claims it, so a retried step books once. When none of the times can be booked
 * any more, the offer is mailed after all.
 */
import { ConflictError, ValidationError } from '#core/errors.ts';
import type { Dialogue, PhaseMeetingKind } from '#core/dialogue.ts';
import type { Deps } from '#adapters/deps.ts';
import { bookSlotFor } from '../organiser-links.ts';

export async function bookFirstFree(d: Deps, x: Dialogue, kind: PhaseMeetingKind): Promise<boolean> {
  const offer = x.phase?.offer;
  if (offer?.status !== 'open') return false;
  const claim = await d.dialogues.mutate(x.id, (y) =>
    y.phase?.offer?.no === offer.no && y.phase.offer.status === 'open'
      ? { ...y, phase: { ...y.phase, offer: { ...y.phase.offer, status: 'booking' } } }
      : undefined,
  );
  if (!claim.changed) return claim.dialogue.phase?.offer?.status === 'booked';
  // The time the coordinator chose first (it was free when the console showed it), then the offer's.
  const chosen = x.phase?.bookFirst?.slot;
  for (const slot of chosen ? [chosen, ...offer.slots] : offer.slots) {
    try {
      await bookSlotFor(d, claim.dialogue, kind, slot);
      return true;
    } catch (e) {
      if (!(e instanceof ConflictError || e instanceof ValidationError)) throw e;
    }
  }
  await d.dialogues.mutate(x.id, (y) =>
    y.phase?.offer?.no === offer.no && y.phase.offer.status === 'booking'
      ? { ...y, phase: { ...y.phase, offer: { ...y.phase.offer, status: 'open' } } }
      : undefined,
  );
  return false;
}
