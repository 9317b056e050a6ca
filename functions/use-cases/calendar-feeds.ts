/**
 * The calendar subscriptions: the inspectorate's planned dialogue dates and each facilitator's own
 * calendar (meetings, group intro sessions, blocks), as iCalendar text for a key in the path; their
 * addresses for the console; and rotating a key (the old address stops working). A key that is
 * not the current one gets `undefined`, which the HTTP layer answers exactly like an unknown path.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import * as z from '#core/zod.ts';
import { addCalendarDays, stockholmDate } from '#core/calendar.ts';
import { buildFeed, type FeedEvent } from '#core/calendar-feed.ts';
import { regionName } from '#core/console-labels.ts';
import { NotFoundError } from '#core/errors.ts';
import { agencyNames } from '#core/facilitators.ts';
import { opaqueUid, type PlannedWindow } from '#core/planned-dates.ts';
import { regions } from '#core/regions.ts';
import { meetingKindRules } from '#core/scheduling.ts';
import type { Deps } from '#adapters/deps.ts';
import { newFeedKey } from '#adapters/feed-secrets.ts';
import { type Actor, audit } from './clash.ts';
import { allWindows } from './planned-dates.ts';
import { parseOrThrow } from './validate.ts';

/** The feeds show the past month and the next 13 months; a cancellation shows for a month after it. */
const PAST_DAYS = 30;
const AHEAD_DAYS = 400;
const CANCELLED_SHOWN_MS = 30 * 86_400_000;
/** How often clients are asked to fetch again, in minutes. */
export const FEED_REFRESH_MINUTES = 15;
/**
 * At most this many windows in one feed (about 650 bytes each: ~4 MB, well inside Lambda's 6 MB
 * answer): the nearest ones, from the past month on. A region's feed holds all of its own.
 */
export const FEED_MAX_EVENTS = 6000;

const digest = (s: string) => createHash('sha256').update(s).digest();
const sameKey = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b));
/** A short fingerprint of a key: the console's forms name the key they saw, never the key itself. */
export const fingerprint = (key: string): string => createHash('sha256').update(`fp:${key}`).digest('base64url').slice(0, 12);

const uidDomain = (d: Deps): string => /@([^>\s]+)>?\s*$/.exec(d.env.MAIL_FROM)?.[1] ?? 'kvalitetsdialog.local';

/** Shown while current: not past the window, and a cancellation only for a month after it happened. */
function shown(d: Deps, w: { end: string; status: string; updatedAt: string }): boolean {
  const now = d.clock.now().getTime();
  if (Date.parse(w.end) < now - PAST_DAYS * 86_400_000) return false;
  return w.status !== 'cancelled' || Date.parse(w.updatedAt) >= now - CANCELLED_SHOWN_MS;
}

const feedQuerySchema = z.strictObject({
  region: z.optional(
    z.enum(Object.keys(regions) as [string, ...string[]], { message: `region must be one of ${Object.keys(regions).join(', ')}` }),
  ),
});

function plannedEvent(d: Deps, w: PlannedWindow): FeedEvent {
  const rule = meetingKindRules[w.kind];
  const data = {
    status: w.status,
    meetingName: rule.name,
    organiserName: w.organiserName,
    orgNumber: `${w.orgNumber.slice(0, 6)}-${w.orgNumber.slice(6)}`,
    regionName: regionName(w.region),
    physical: rule.mode === 'physical',
  };
  return {
    uid: w.uid,
    sequence: w.sequence,
    status: w.status,
    start: w.start,
    end: w.end,
    stamp: w.updatedAt,
    summary: d.templates.text('calendar/planned-summary.eta', data),
    description: d.templates.text('calendar/planned-description.eta', data),
  };
}

/** The inspectorate's subscription (optionally one region), or undefined for a key that is not the current one. */
export async function inspectorateFeed(d: Deps, key: string, query: unknown): Promise<string | undefined> {
  const expected = await d.feedSecrets.inspectorateKey();
  if (!expected || !sameKey(key, expected)) return undefined;
  const q = parseOrThrow(feedQuerySchema, query ?? {}, 'query');
  const today = stockholmDate(d.clock.now());
  const { items } = await allWindows(d, {
    from: addCalendarDays(today, -PAST_DAYS),
    to: addCalendarDays(today, AHEAD_DAYS),
    region: q.region,
  });
  const name = `Planerade kvalitetsdialoger${q.region ? ` – ${regionName(q.region)}` : ''}`;
  return buildFeed({
    name,
    description:
      'Skolverkets och SPSM:s planerade och föreslagna mötestider i kvalitetsdialogerna med huvudmän, för Skolinspektionens planering. Innehåller inga kontaktuppgifter eller anteckningar.',
    uidDomain: `planerat.${uidDomain(d)}`,
    events: items.filter((w) => shown(d, w)).map((w) => plannedEvent(d, w)),
    refreshMinutes: FEED_REFRESH_MINUTES,
  });
}

/** A facilitator's own subscription, or undefined for a key that is not a facilitator's current one. */
export async function facilitatorFeed(d: Deps, key: string): Promise<string | undefined> {
  const id = await d.feeds.facilitatorOfKey(key);
  const f = id ? await d.facilitators.get(id) : undefined;
  if (!id || !f) return undefined;
  const text = (file: string, data: Record<string, unknown>) => d.templates.text(`calendar/facilitator-${file}.eta`, data);
  const meetings: FeedEvent[] = (await d.feeds.facilitatorWindows(id))
    .filter((w) => shown(d, w))
    .map((w) => {
      const data = { ...w, meetingName: meetingKindRules[w.kind].name, organiserNames: w.organiserNames.join(', ') };
      return {
        uid: w.uid,
        sequence: w.sequence,
        status: w.status,
        start: w.start,
        end: w.end,
        stamp: w.updatedAt,
        summary: text('summary', data),
        description: text('description', data),
        location: w.location ?? w.videoLink,
        url: w.videoLink,
      };
    });
  const sessions = await Promise.all(
    [...new Set(f.calendar.filter((c) => c.source === 'booking' && c.ref.startsWith('intro-')).map((c) => c.ref))].map((ref) =>
      d.introSessions.get(ref),
    ),
  );
  const people = new Map(
    (await d.facilitators.list()).map((p) => [p.id, `${p.name} (${p.agency === 'spsm' ? 'SPSM' : agencyNames[p.agency]})`]),
  );
  const intros: FeedEvent[] = sessions.flatMap((s) => {
    if (!s) return [];
    const partnerId = s.pair.skolverket === id ? s.pair.spsm : s.pair.skolverket;
    const data = {
      status: s.status === 'cancelled' ? 'cancelled' : 'booked',
      meetingName: 'Gruppintroduktion',
      organiserNames: `${s.dialogueIds.length} av ${s.capacity} platser bokade`,
      partner: people.get(partnerId),
      videoLink: s.videoLink,
      group: true,
      places: s.dialogueIds.length,
    };
    return [
      {
        uid: opaqueUid('intro-session', id, s.id),
        sequence: s.sequence,
        status: s.status === 'cancelled' ? 'cancelled' : 'booked',
        start: s.start,
        end: s.end,
        stamp: s.updatedAt,
        summary: text('summary', data),
        description: text('description', data),
        location: s.videoLink,
        url: s.videoLink,
      } satisfies FeedEvent,
    ];
  });
  const blocks: FeedEvent[] = f.calendar
    .filter((c) => c.source === 'block' && shown(d, { end: c.end, status: 'booked', updatedAt: f.updatedAt }))
    .map((c) => {
      const data = { block: true, reason: c.reason };
      return {
        uid: opaqueUid('block', id, c.ref),
        sequence: 0,
        status: 'booked',
        start: c.start,
        end: c.end,
        stamp: f.createdAt,
        summary: text('summary', data),
        description: text('description', data),
      };
    });
  return buildFeed({
    name: `Kvalitetsdialog – ${f.name}`,
    description: `Dina möten och blockerade tider i kvalitetsdialogerna (${agencyNames[f.agency]}).`,
    uidDomain: `kalender.${uidDomain(d)}`,
    events: [...meetings, ...intros.filter((e) => shown(d, { end: e.end, status: e.status, updatedAt: e.stamp })), ...blocks],
    refreshMinutes: FEED_REFRESH_MINUTES,
  });
}

/** Subscription addresses: https for copying, webcal for one click in Outlook and Apple Calendar. */
export function feedAddresses(d: Pick<Deps, 'env'>, key: string, file: 'planned-dates.ics' | 'calendar.ics') {
  const https = `${d.env.PUBLIC_BASE_URL}/feeds/${key}/${file}`;
  return { https, webcal: https.replace(/^https?:/, 'webcal:') };
}

/** The inspectorate's address and the fingerprint a rotation form names; undefined when no key is configured. */
export async function inspectorateFeedAddress(d: Deps) {
  const key = await d.feedSecrets.inspectorateKey();
  return key ? { ...feedAddresses(d, key, 'planned-dates.ics'), fingerprint: fingerprint(key) } : undefined;
}

/**
 * A new inspectorate key if the current one is still the one the person saw (a repeated form
 * changes nothing); recorded in the calendar's audit trail.
 */
export async function rotateInspectorateFeed(d: Deps, seen: string, by: Actor): Promise<{ changed: boolean }> {
  const key = await d.feedSecrets.inspectorateKey();
  if (key && fingerprint(key) !== seen) return { changed: false };
  await d.feedSecrets.rotateInspectorateKey();
  await audit(d, by, 'feed.rotated', 'inspectorate');
  return { changed: true };
}

export async function facilitatorFeedAddress(d: Deps, facilitatorId: string) {
  const current = await d.feeds.facilitatorKey(facilitatorId);
  return current
    ? { ...feedAddresses(d, current.key, 'calendar.ics'), fingerprint: fingerprint(current.key), createdAt: current.createdAt }
    : undefined;
}

/** Makes the facilitator's first feed key, or replaces the one the coordinator saw ('none' before the first). */
export async function rotateFacilitatorFeed(d: Deps, facilitatorId: string, seen: string, by: Actor): Promise<{ changed: boolean }> {
  if (!(await d.facilitators.get(facilitatorId))) throw new NotFoundError('Dialogutföraren finns inte.');
  const current = await d.feeds.facilitatorKey(facilitatorId);
  if ((current ? fingerprint(current.key) : 'none') !== seen) return { changed: false };
  const changed = await d.feeds.replaceFacilitatorKey(facilitatorId, newFeedKey(), current?.key, d.clock.now());
  if (changed) await audit(d, by, 'feed.rotated', `facilitator:${facilitatorId}`);
  return { changed };
}

export interface ScheduleEntry {
  start: string;
  end: string;
  what: string;
  with: string;
  place?: string;
}

/** A facilitator's coming meetings, group intro sessions and blocks, by start (the console's facilitator page). */
export async function facilitatorSchedule(d: Deps, facilitatorId: string) {
  const f = await d.facilitators.get(facilitatorId);
  if (!f) throw new NotFoundError('Dialogutföraren finns inte.');
  const now = d.clock.now().toISOString();
  const meetings: ScheduleEntry[] = (await d.feeds.facilitatorWindows(facilitatorId))
    .filter((w) => w.status === 'booked' && w.end >= now)
    .map((w) => ({
      start: w.start,
      end: w.end,
      what: meetingKindRules[w.kind].name,
      with: [w.organiserNames.join(', '), w.partner ? `med ${w.partner}` : ''].filter(Boolean).join(' '),
      place: w.location ?? w.videoLink,
    }));
  const intros: ScheduleEntry[] = (
    await Promise.all(
      f.calendar.filter((c) => c.source === 'booking' && c.ref.startsWith('intro-') && c.end >= now).map((c) => d.introSessions.get(c.ref)),
    )
  ).flatMap((s) =>
    s && s.status !== 'cancelled'
      ? [
          {
            start: s.start,
            end: s.end,
            what: 'Gruppintroduktion',
            with: `${s.dialogueIds.length} av ${s.capacity} platser bokade`,
            place: s.videoLink,
          },
        ]
      : [],
  );
  const blocks: ScheduleEntry[] = f.calendar
    .filter((c) => c.source === 'block' && c.end >= now)
    .map((c) => ({ start: c.start, end: c.end, what: 'Blockerad tid', with: c.reason ?? '' }));
  return { facilitator: f, entries: [...meetings, ...intros, ...blocks].sort((a, b) => a.start.localeCompare(b.start)) };
}
