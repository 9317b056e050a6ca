/**
 * iCalendar subscriptions (RFC 5545, METHOD:PUBLISH) for Outlook, Google and Apple calendars: the
 * whole calendar on every fetch, each entry with its stable UID and SEQUENCE, STATUS TENTATIVE
 * (offered), CONFIRMED (booked) or CANCELLED, times with TZID=Europe/Stockholm and the matching
 * VTIMEZONE, the calendar's name (X-WR-CALNAME) and how often clients should fetch it again.
 * Also a single meeting as a download (the organiser's overview page): no name, no refresh.
 * Written with the content-line helpers of ics-lines.ts; tests read every feed back with ical.js.
 */
import { STOCKHOLM } from './calendar.ts';
import { fold, STOCKHOLM_VTIMEZONE, stockholmLocal, text, utc } from './ics-lines.ts';
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

const statusOf: Record<WindowStatus, string> = { offered: 'TENTATIVE', booked: 'CONFIRMED', cancelled: 'CANCELLED' };

export function buildFeed(feed: Feed): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Skolverket och SPSM//Kvalitetsdialog//SV',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
  ];
  if (feed.name) lines.push(`X-WR-CALNAME:${text(feed.name)}`, `X-WR-TIMEZONE:${STOCKHOLM}`);
  if (feed.description) lines.push(`X-WR-CALDESC:${text(feed.description)}`);
  if (feed.refreshMinutes)
    lines.push(`REFRESH-INTERVAL;VALUE=DURATION:PT${feed.refreshMinutes}M`, `X-PUBLISHED-TTL:PT${feed.refreshMinutes}M`);
  lines.push(...STOCKHOLM_VTIMEZONE.split('\r\n'));
  for (const e of feed.events) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:${e.uid}@${feed.uidDomain}`,
      `SEQUENCE:${e.sequence}`,
      `DTSTAMP:${utc(e.stamp)}`,
      `LAST-MODIFIED:${utc(e.stamp)}`,
      `DTSTART;TZID=${STOCKHOLM}:${stockholmLocal(e.start)}`,
      `DTEND;TZID=${STOCKHOLM}:${stockholmLocal(e.end)}`,
      `SUMMARY:${text(e.summary)}`,
      `DESCRIPTION:${text(e.description)}`,
      ...(e.location ? [`LOCATION:${text(e.location)}`] : []),
      ...(e.url ? [`URL;VALUE=URI:${e.url}`] : []),
      `STATUS:${statusOf[e.status]}`,
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return `${lines.map(fold).join('\r\n')}\r\n`;
}
