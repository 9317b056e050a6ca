/**
 * Keeps the calendar feeds in step with the dialogues: after a meeting is booked, moved,
 * reassigned, left or cancelled, and after an offer is made or answered, the windows of the
 * dialogues (the inspectorate's planned dates) and of the meeting's facilitators are recomputed
 * from the records and only what changed is written (core/planned-dates.ts). Idempotent, so the
 * retry of a step that failed half-way repairs the feeds as well.
 */
import type { Dialogue } from '#core/dialogue.ts';
import type { Meeting } from '#core/meetings.ts';
import type { StoredFacilitator } from '#core/ports.ts';
import { agencyNames } from '#core/facilitators.ts';
import {
  dialogueWindows,
  type FacilitatorWindow,
  facilitatorWindows,
  otherMeetingWindows,
  type PlannedWindow,
  reconcileWindows,
} from '#core/planned-dates.ts';
import type { Deps } from '#adapters/deps.ts';

/**
 * Recomputes one dialogue's planned windows (from `known` when the caller just read or wrote it,
 * and `meetings` it holds, each as it is now); returns how many were written. Every other meeting
 * of the dialogue is read, or with `othersAsStored` its windows are kept as stored: for a step that
 * changed only the offer or the meetings it passes (each meeting's change syncs with it passed).
 */
export async function syncPlannedDates(
  d: Deps,
  dialogueId: string,
  known?: Dialogue,
  meetings: readonly Meeting[] = [],
  opts: { othersAsStored?: boolean } = {},
): Promise<number> {
  const x = known?.id === dialogueId ? known : await d.dialogues.get(dialogueId);
  if (!x) return 0;
  const [organiser, all, stored] = await Promise.all([
    // The record's copy of the org. number (the windows name the organiser as the record does); older records lack it.
    x.orgNumber ? undefined : d.organisers.get(x.organiserId),
    opts.othersAsStored ? meetings : d.meetings.listForDialogue(x.id, meetings),
    d.feeds.windowsOfDialogue(x.organiserId, x.id),
  ]);
  const desired = dialogueWindows(x, x.orgNumber ?? organiser?.orgNumber ?? '', all);
  if (opts.othersAsStored) desired.push(...otherMeetingWindows(stored, x.id, meetings));
  const writes = reconcileWindows<PlannedWindow>(stored, desired, d.clock.now());
  if (writes.length > 0) await d.feeds.putWindows(writes);
  return writes.length;
}

/**
 * Recomputes a meeting's windows in the calendars of its pair and of `former` facilitators (taken
 * off it). A place in a group intro session has none of its own: the session is the pair's entry.
 * `facilitators`: those the caller holds (not read again); `created`: the meeting was created in
 * this step under a new id, so no calendar holds a window of it yet (none is read).
 */
export async function syncMeetingCalendars(
  d: Deps,
  m: Meeting,
  former: readonly string[] = [],
  known?: readonly (Dialogue | undefined)[],
  facilitators: readonly StoredFacilitator[] = [],
  created = false,
): Promise<number> {
  if (m.introSessionId) return 0;
  const ids = [...new Set([m.pair.skolverket, m.pair.spsm, ...former])];
  const [people, dialogues] = await Promise.all([
    Promise.all(ids.map((id) => facilitators.find((f) => f.id === id) ?? d.facilitators.get(id))),
    known ?? Promise.all(m.dialogueIds.map((id) => d.dialogues.get(id))),
  ]);
  const organiserNames = dialogues.flatMap((x) => (x ? [x.organiserName] : []));
  const nameOf = (id: string) => {
    const f = people.find((p) => p?.id === id);
    return f ? `${f.name} (${f.agency === 'spsm' ? 'SPSM' : agencyNames[f.agency]})` : undefined;
  };
  let written = 0;
  for (const id of ids) {
    const partnerId = m.pair.skolverket === id ? m.pair.spsm : m.pair.spsm === id ? m.pair.skolverket : undefined;
    const desired = facilitatorWindows(id, m, { organiserNames, partner: partnerId ? nameOf(partnerId) : undefined });
    const stored = created ? [] : await d.feeds.facilitatorWindowsOfMeeting(id, m.id);
    const writes = reconcileWindows<FacilitatorWindow>(stored, desired, d.clock.now());
    if (writes.length > 0) await d.feeds.putFacilitatorWindows(writes);
    written += writes.length;
  }
  return written;
}

/**
 * Both: the meeting in its facilitators' calendars and every dialogue it touched. `known`: records
 * the caller holds; `facilitators`: those the caller holds as they are now (the pair it just
 * booked), not read again; `created`: the caller has just created the meeting under a new id (its
 * facilitators' windows of it are not read: there are none).
 */
export async function publishMeeting(
  d: Deps,
  m: Meeting,
  opts: {
    dialogueIds?: readonly string[];
    former?: readonly string[];
    known?: readonly Dialogue[];
    facilitators?: readonly StoredFacilitator[];
    created?: boolean;
  } = {},
) {
  // The meeting's dialogues are read once for both.
  const dialogues = await Promise.all(m.dialogueIds.map(async (id) => opts.known?.find((x) => x.id === id) ?? d.dialogues.get(id)));
  await syncMeetingCalendars(d, m, opts.former, dialogues, opts.facilitators, opts.created);
  for (const id of new Set([...m.dialogueIds, ...(opts.dialogueIds ?? [])])) {
    await syncPlannedDates(
      d,
      id,
      dialogues.find((x) => x?.id === id),
      [m],
      { othersAsStored: true },
    );
  }
}
