/**
 * iCalendar subscriptions (RFC 5545, METHOD:PUBLISH) for Outlook, Google and Apple calendars: the
 * whole calendar on every fetch, each entry with its stable UID and SEQUENCE, STATUS TENTATIVE
 * (offered), CONFIRMED (booked) or CANCELLED, times with TZID=Europe/Stockholm and the matching
 * VTIMEZONE, the calendar's name (X-WR-CALNAME) and how often clients should fetch it again.
 * Also a single meeting as a download (the organiser's overview page): no name, no refresh. Built
 * with ical-generator.
 */
import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import dayjs from 'dayjs';
import { STOCKHOLM } from './calendar.ts';
import { STOCKHOLM_VTIMEZONE } from './ics.ts';
import type { WindowStatus } from './planned-dates.ts';

export interface FeedEvent {
  /** The UID's local part; the feed adds @uidDomain. */
  uid: string;
  sequence: number;
  status: WindowStatus;
  start: string;
  end: string;
  /** When this version was made (DTSTAMP and LAST-MODIFIED). */
  stamp: string;
  summary: string;
  description: string;
  location?: string;
  url?: string;
}

export interface Feed {
  /** X-WR-CALNAME: what the calendar is called in the client's list (a subscription; not for a single download). */
  name?: string;
  description?: string;
  uidDomain: string;
  events: readonly FeedEvent[];
  /** Suggested refresh interval of a subscription (REFRESH-INTERVAL and X-PUBLISHED-TTL), in minutes. */
  refreshMinutes?: number;
}

const statusOf: Record<WindowStatus, ICalEventStatus> = {
  offered: ICalEventStatus.TENTATIVE,
  booked: ICalEventStatus.CONFIRMED,
  cancelled: ICalEventStatus.CANCELLED,
};

export function buildFeed(feed: Feed): string {
  const cal = ical({
    prodId: { company: 'Skolverket och SPSM', product: 'Kvalitetsdialog', language: 'SV' },
    method: ICalCalendarMethod.PUBLISH,
    ...(feed.name ? { name: feed.name } : {}),
    ...(feed.description ? { description: feed.description } : {}),
    ...(feed.refreshMinutes ? { ttl: feed.refreshMinutes * 60 } : {}),
    // Each event names its TZID; the generator adds the VTIMEZONE once (see ics.ts).
    timezone: { name: null, generator: (tz) => (tz === STOCKHOLM ? STOCKHOLM_VTIMEZONE : null) },
  });
  for (const e of feed.events) {
    cal.createEvent({
      id: `${e.uid}@${feed.uidDomain}`,
      sequence: e.sequence,
      stamp: new Date(e.stamp),
      lastModified: new Date(e.stamp),
      start: dayjs(e.start).tz(STOCKHOLM),
      end: dayjs(e.end).tz(STOCKHOLM),
      timezone: STOCKHOLM,
      summary: e.summary,
      description: e.description,
      location: e.location ?? null,
      url: e.url ?? null,
      status: statusOf[e.status],
    });
  }
  return cal.toString();
}
