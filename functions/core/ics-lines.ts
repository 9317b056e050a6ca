/**
 * iCalendar content lines (RFC 5545) as the invitations (ics.ts) and the subscriptions
 * (calendar-feed.ts) write them: TEXT escaped, lines folded at 75 octets, UTC stamps, Stockholm
 * wall-clock times for TZID=Europe/Stockholm and its VTIMEZONE. Written out rather than with a
 * library: a feed holds thousands of entries (ical-generator's per-entry zone conversion took 5 s
 * for 6,000), and the library alone was an eighth of every mail-sending bundle.
 */
import { STOCKHOLM } from './calendar.ts';

/**
 * Europe/Stockholm under the EU summer-time rule (in force since 1996): CEST from the last Sunday
 * of March 02:00 to the last Sunday of October 03:00. Written out so every client, including ones
 * without a zone database, places the times right.
 */
export const STOCKHOLM_VTIMEZONE = [
  'BEGIN:VTIMEZONE',
  'TZID:Europe/Stockholm',
  'X-LIC-LOCATION:Europe/Stockholm',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'TZNAME:CEST',
  'DTSTART:19700329T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'TZNAME:CET',
  'DTSTART:19701025T030000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
].join('\r\n');

/** TEXT values: backslash, semicolon, comma and newlines escaped (RFC 5545 3.3.11). */
export const text = (s: string): string => s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');

/** A content line folded at 75 octets, never inside a UTF-8 character (RFC 5545 3.1). */
export function fold(line: string): string {
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

export const utc = (iso: string): string =>
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
