/**
 * iCalendar invitations for booked meetings (RFC 5545/5546 iTIP), written line by line (ics-lines.ts):
 * METHOD:REQUEST to book or move a meeting, METHOD:CANCEL to cancel it; a stable UID per meeting
 * (one per session of a split meeting) and a SEQUENCE that rises on every change, so calendar
 * clients update the entry they already have instead of adding a new one. Times are written with
 * TZID=Europe/Stockholm and the matching VTIMEZONE. The Swedish texts come from templates/.
 */
import { STOCKHOLM } from './calendar.ts';
import { fold, STOCKHOLM_VTIMEZONE, stockholmLocal, text, utc } from './ics-lines.ts';
import type { Interval } from './facilitators.ts';

export type CalendarMethod = 'REQUEST' | 'CANCEL';

export interface CalendarPerson {
  name: string;
  email: string;
}

export interface CalendarInvite {
  method: CalendarMethod;
  /** The meeting's id; UIDs derive from it and never change. */
  meetingId: string;
  /** Domain part of the UIDs, e.g. the mail domain. */
  uidDomain: string;
  sequence: number;
  sessions: readonly Interval[];
  /** Swedish texts, rendered from templates/calendar/. */
  summary: string;
  description: string;
  /** An address for a physical meeting. */
  location?: string;
  /** The video link of a digital meeting (also LOCATION, where clients show it). */
  videoLink?: string;
  organizer: CalendarPerson;
  attendees: readonly CalendarPerson[];
  /** DTSTAMP: when this version was produced. */
  stamp: Date;
  /** Index of the first session (its UID): sessions dropped from a split meeting keep their UIDs. */
  firstIndex?: number;
}

/** UID of session `index` (0-based): the first session carries the meeting's own UID. */
export const sessionUid = (meetingId: string, index: number, domain: string): string =>
  index === 0 ? `${meetingId}@${domain}` : `${meetingId}-${index + 1}@${domain}`;

/** A CN parameter value: quoted, without the characters a quoted parameter cannot hold. */
const cn = (name: string): string => `"${name.replace(/["\r\n]/g, ' ')}"`;

export function buildInvite(invite: CalendarInvite): string {
  const method = invite.method === 'CANCEL' ? 'CANCEL' : 'REQUEST';
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Skolverket och SPSM//Kvalitetsdialog//SV',
    'CALSCALE:GREGORIAN',
    `METHOD:${method}`,
    ...STOCKHOLM_VTIMEZONE.split('\r\n'),
  ];
  const total = invite.sessions.length;
  const stamp = utc(invite.stamp.toISOString());
  invite.sessions.forEach((session, i) => {
    const summary =
      invite.firstIndex !== undefined
        ? `${invite.summary} (del ${i + 1 + invite.firstIndex})`
        : total > 1
          ? `${invite.summary} (del ${i + 1} av ${total})`
          : invite.summary;
    const location = invite.location ?? invite.videoLink;
    lines.push(
      'BEGIN:VEVENT',
      `UID:${sessionUid(invite.meetingId, i + (invite.firstIndex ?? 0), invite.uidDomain)}`,
      `SEQUENCE:${invite.sequence}`,
      `DTSTAMP:${stamp}`,
      `DTSTART;TZID=${STOCKHOLM}:${stockholmLocal(session.start.toISOString())}`,
      `DTEND;TZID=${STOCKHOLM}:${stockholmLocal(session.end.toISOString())}`,
      `SUMMARY:${text(summary)}`,
      `DESCRIPTION:${text(invite.videoLink ? `${invite.description}\n\nLänk till mötet: ${invite.videoLink}` : invite.description)}`,
      ...(location ? [`LOCATION:${text(location)}`] : []),
      ...(invite.videoLink ? [`URL;VALUE=URI:${invite.videoLink}`] : []),
      `STATUS:${method === 'CANCEL' ? 'CANCELLED' : 'CONFIRMED'}`,
      `ORGANIZER;CN=${cn(invite.organizer.name)}:mailto:${invite.organizer.email}`,
      ...invite.attendees.map(
        (a) =>
          `ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION${method === 'REQUEST' ? ';RSVP=TRUE' : ''};CN=${cn(a.name)}:mailto:${a.email}`,
      ),
      'END:VEVENT',
    );
  });
  lines.push('END:VCALENDAR');
  return `${lines.map(fold).join('\r\n')}\r\n`;
}
