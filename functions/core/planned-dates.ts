/**
 * Planned dialogue dates as others' calendars see them: one window per meeting session (booked,
 * or cancelled) and per offered-but-unbooked time, for the inspectorate (the planned-dates API and
 * its iCalendar feed) and for each facilitator (their own feed). A window has a stable, opaque UID
 * and a SEQUENCE that rises whenever its time or status changes; a window that disappears (a
 * cancelled meeting, an offer that was answered) stays as `cancelled`, so subscribed calendars
 * remove it. Windows are recomputed from the dialogue record and its meetings and reconciled with
 * what is stored: the same input twice writes nothing. Pure; persistence lives in the adapters.
 */
import { createHash } from 'node:crypto';
import type { Dialogue, PhaseMeetingKind } from './dialogue.ts';
import type { Meeting } from './meetings.ts';
import type { MeetingKind } from './scheduling.ts';

export const windowStatuses = ['offered', 'booked', 'cancelled'] as const;
export type WindowStatus = (typeof windowStatuses)[number];

/** What every projected calendar entry carries: identity, time, status and its version. */
export interface CalendarWindow {
  /** Opaque and stable: the iCalendar UID's local part. Never a dialogue or meeting id. */
  uid: string;
  status: WindowStatus;
  /** UTC ISO instants. */
  start: string;
  end: string;
  /** iCalendar SEQUENCE: 0 when first seen, +1 on every change of time, status or text. */
  sequence: number;
  updatedAt: string;
}

/** One window of an organiser's dialogue, as the inspectorate may see it (plus the keys it is stored under). */
export interface PlannedWindow extends CalendarWindow {
  /** Where the window is stored and reconciled; never shown outside. */
  dialogueId: string;
  organiserId: string;
  orgNumber: string;
  organiserName: string;
  region: string;
  kind: MeetingKind;
}

/** The opaque, stable id of one thing in a feed: a hash of what identifies it. */
export const opaqueUid = (...parts: readonly (string | number)[]): string =>
  createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);

/** States in which a phase's offer is still open to the organiser. */
const offeredState: Readonly<Record<PhaseMeetingKind, Dialogue['state']>> = {
  intro: 'intro_offered',
  pre_meeting: 'premeeting_offered',
  dialogue: 'dialogue_offered',
  feedback: 'feedback_offered',
  follow_up: 'follow_up_offered',
};

export type WindowDraft<T extends CalendarWindow> = Omit<T, 'sequence' | 'updatedAt'>;

/**
 * The windows a dialogue should show now: every session of its meetings (booked while the meeting
 * is booked and the dialogue still takes part, else cancelled) and every session of the times it
 * is offered and has not answered yet.
 */
export function dialogueWindows(
  x: Pick<Dialogue, 'id' | 'organiserId' | 'organiserName' | 'region' | 'state' | 'phase'>,
  orgNumber: string,
  meetings: readonly Pick<Meeting, 'id' | 'kind' | 'sessions' | 'status' | 'dialogueIds'>[],
): WindowDraft<PlannedWindow>[] {
  const base = { dialogueId: x.id, organiserId: x.organiserId, orgNumber, organiserName: x.organiserName, region: x.region };
  const out: WindowDraft<PlannedWindow>[] = [];
  for (const m of meetings) {
    const status: WindowStatus = m.status === 'booked' && m.dialogueIds.includes(x.id) ? 'booked' : 'cancelled';
    m.sessions.forEach((s, i) => {
      out.push({ ...base, uid: opaqueUid('meeting', m.id, i, x.id), kind: m.kind, status, start: iso(s.start), end: iso(s.end) });
    });
  }
  const phase = x.phase;
  const offer = phase?.offer;
  if (phase && offer && ['open', 'escalated', 'booking'].includes(offer.status) && x.state === offeredState[phase.kind]) {
    offer.slots.forEach((slot, j) => {
      slot.sessions.forEach((s, i) => {
        out.push({
          ...base,
          uid: opaqueUid('offer', x.id, phase.kind, phase.round, offer.no, j, i),
          kind: phase.kind,
          status: 'offered',
          start: iso(s.start),
          end: iso(s.end),
        });
      });
    });
  }
  return out;
}

const iso = (t: string): string => new Date(t).toISOString();

/**
 * The stored booked windows of the dialogue's meetings other than `meetings`, as drafts: a sync
 * that recomputes only the offer's windows and those meetings' keeps them as they are (each
 * meeting's own change recomputes its windows). Cancelled ones need nothing: they stay.
 */
export function otherMeetingWindows(
  stored: readonly PlannedWindow[],
  dialogueId: string,
  meetings: readonly Pick<Meeting, 'id'>[],
): WindowDraft<PlannedWindow>[] {
  // A meeting has fewer sessions than the stored windows: its windows' uids are among these.
  const theirs = new Set(meetings.flatMap((m) => stored.map((_, i) => opaqueUid('meeting', m.id, i, dialogueId))));
  return stored.filter((s) => s.status === 'booked' && !theirs.has(s.uid)).map((s) => withoutVersion(s));
}

/**
 * The writes that bring `stored` in line with `desired`: new windows at SEQUENCE 0, changed ones
 * (any field `same` compares) one SEQUENCE up, and stored windows no longer desired cancelled (one
 * SEQUENCE up, once). Nothing when they already agree.
 */
export function reconcileWindows<T extends CalendarWindow>(
  stored: readonly T[],
  desired: readonly WindowDraft<T>[],
  now: Date,
  same: (a: WindowDraft<T>, b: WindowDraft<T>) => boolean = sameWindow,
): T[] {
  const at = now.toISOString();
  const byUid = new Map(stored.map((s) => [s.uid, s]));
  const wanted = new Set<string>();
  const out: T[] = [];
  for (const d of desired) {
    if (wanted.has(d.uid)) continue;
    wanted.add(d.uid);
    const s = byUid.get(d.uid);
    if (!s) out.push({ ...d, sequence: 0, updatedAt: at } as T);
    else if (!same(withoutVersion(s), d)) out.push({ ...d, sequence: s.sequence + 1, updatedAt: at } as T);
  }
  for (const s of stored) {
    if (wanted.has(s.uid) || s.status === 'cancelled') continue;
    out.push({ ...s, status: 'cancelled', sequence: s.sequence + 1, updatedAt: at });
  }
  return out;
}

function withoutVersion<T extends CalendarWindow>(w: T): WindowDraft<T> {
  const { sequence, updatedAt, ...rest } = w;
  return rest as unknown as WindowDraft<T>;
}

/** Same time, status and names: a calendar would show nothing new. */
export function sameWindow(a: WindowDraft<CalendarWindow>, b: WindowDraft<CalendarWindow>): boolean {
  return JSON.stringify(sortedEntries(a)) === JSON.stringify(sortedEntries(b));
}
const sortedEntries = (o: object) =>
  Object.entries(o)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => a.localeCompare(b));

/** A window as the planned-dates API shows it: no contacts, notes, answers or dialogue ids. */
export interface PublicWindow {
  uid: string;
  orgNumber: string;
  organiserName: string;
  region: string;
  kind: MeetingKind;
  start: string;
  end: string;
  status: WindowStatus;
  sequence: number;
  updatedAt: string;
}

export const publicWindow = (w: PlannedWindow): PublicWindow => ({
  uid: w.uid,
  orgNumber: `${w.orgNumber.slice(0, 6)}-${w.orgNumber.slice(6)}`,
  organiserName: w.organiserName,
  region: w.region,
  kind: w.kind,
  start: w.start,
  end: w.end,
  status: w.status,
  sequence: w.sequence,
  updatedAt: w.updatedAt,
});

/** A facilitator's meeting session in their own feed: who they meet with, where, and with whom. */
export interface FacilitatorWindow extends CalendarWindow {
  facilitatorId: string;
  meetingId: string;
  kind: MeetingKind;
  organiserNames: string[];
  /** The other facilitator of the pair, by name and agency. */
  partner?: string;
  location?: string;
  videoLink?: string;
}

/**
 * The windows a meeting gives one facilitator: its sessions, booked while the facilitator is on
 * the pair and the meeting is booked, otherwise cancelled.
 */
export function facilitatorWindows(
  facilitatorId: string,
  m: Pick<Meeting, 'id' | 'kind' | 'sessions' | 'status' | 'pair' | 'location' | 'videoLink'>,
  context: { organiserNames: string[]; partner?: string },
): WindowDraft<FacilitatorWindow>[] {
  const onPair = m.pair.skolverket === facilitatorId || m.pair.spsm === facilitatorId;
  const status: WindowStatus = onPair && m.status === 'booked' ? 'booked' : 'cancelled';
  return m.sessions.map((s, i) => ({
    uid: opaqueUid('facilitator', facilitatorId, m.id, i),
    facilitatorId,
    meetingId: m.id,
    kind: m.kind,
    status,
    start: iso(s.start),
    end: iso(s.end),
    organiserNames: [...context.organiserNames],
    ...(context.partner ? { partner: context.partner } : {}),
    ...(m.location ? { location: m.location } : {}),
    ...(m.videoLink ? { videoLink: m.videoLink } : {}),
  }));
}
