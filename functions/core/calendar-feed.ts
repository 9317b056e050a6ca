/**
 * iCalendar subscriptions (RFC 5545, METHOD:PUBLISH) for Outlook, Google and Apple calendars: the
 * whole calendar on every fetch, each entry with its stable UID and SEQUENCE, STATUS TENTATIVE
 * (offered), CONFIRMED (booked) or CANCELLED, times with TZID=Europe/Stockholm and the matching
 * VTIMEZONE, the calendar's name (X-WR-CALNAME) and how often clients should fetch it again.
 * Also a single meeting as a download (the organiser's overview page): no name, no refresh.
 *
 * Written out here rather than with ical-generator (which the invitations use): a feed holds
 * thousands of entries, and ical-generator's per-entry time-zone conversion took 5 s for 6,000;
 * this takes a few milliseconds. Text is escaped and lines are folded at 75 octets as RFC 5545
 * requires; tests read every feed back with ical.js.
 */
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

const statusOf: Record<WindowStatus, string> = { offered: 'TENTATIVE', booked: 'CONFIRMED', cancelled: 'CANCELLED' };

/** TEXT values: backslash, semicolon, comma and newlines escaped (RFC 5545 3.3.11). */
const text = (s: string): string => s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');

/** A content line folded at 75 octets, never inside a UTF-8 character (RFC 5545 3.1). */
function fold(line: string): string {
  if (Buffer.byteLength(line) <= 75) return line;
  const parts: string[] = [];
  let current = '';
  let bytes = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch);
    // The first line holds 75 octets; continuation lines 74 after their leading space.
    if (bytes + size > (parts.length === 0 ? 75 : 74)) {
      parts.push(current);
      current = '';
      bytes = 0;
    }
    current += ch;
    bytes += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

const utc = (iso: string): string =>
  new Date(iso)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

const stockholmParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: STOCKHOLM,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** The instant as Stockholm wall-clock time, YYYYMMDDTHHMMSS (for TZID=Europe/Stockholm). */
export function stockholmLocal(iso: string): string {
  const p = Object.fromEntries(stockholmParts.formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
  return `${p.year}${p.month}${p.day}T${p.hour}${p.minute}${p.second}`;
}

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
