/**
 * iCalendar invitations for booked meetings (RFC 5545/5546 iTIP), built with ical-generator:
 * METHOD:REQUEST to book or move a meeting, METHOD:CANCEL to cancel it; a stable UID per meeting
 * (one per session of a split meeting) and a SEQUENCE that rises on every change, so calendar
 * clients update the entry they already have instead of adding a new one. Times are written with
 * TZID=Europe/Stockholm and the matching VTIMEZONE. The Swedish texts come from templates/.
 */
import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import dayjs from 'dayjs';
import { STOCKHOLM } from './calendar.ts';
import type { Interval } from './facilitators.ts';

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

export function buildInvite(invite: CalendarInvite): string {
  const cal = ical({
    prodId: { company: 'Skolverket och SPSM', product: 'Kvalitetsdialog', language: 'SV' },
    method: invite.method === 'CANCEL' ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
    // No calendar-wide zone (it would also write DTSTAMP as local time); each event names its TZID
    // and the generator adds the VTIMEZONE for it.
    timezone: { name: null, generator: (tz) => (tz === STOCKHOLM ? STOCKHOLM_VTIMEZONE : null) },
  });
  const total = invite.sessions.length;
  invite.sessions.forEach((session, i) => {
    cal.createEvent({
      id: sessionUid(invite.meetingId, i + (invite.firstIndex ?? 0), invite.uidDomain),
      sequence: invite.sequence,
      stamp: invite.stamp,
      // dayjs values in the Stockholm zone (calendar.ts loads the utc and timezone plugins):
      // ical-generator writes native Dates in UTC or the process zone, not the event's TZID.
      start: dayjs(session.start).tz(STOCKHOLM),
      end: dayjs(session.end).tz(STOCKHOLM),
      timezone: STOCKHOLM,
      summary:
        invite.firstIndex !== undefined
          ? `${invite.summary} (del ${i + 1 + invite.firstIndex})`
          : total > 1
            ? `${invite.summary} (del ${i + 1} av ${total})`
            : invite.summary,
      description: invite.videoLink ? `${invite.description}\n\nLänk till mötet: ${invite.videoLink}` : invite.description,
      location: invite.location ?? invite.videoLink ?? null,
      url: invite.videoLink ?? null,
      status: invite.method === 'CANCEL' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
      organizer: { name: invite.organizer.name, email: invite.organizer.email },
      attendees: invite.attendees.map((a) => ({
        name: a.name,
        email: a.email,
        role: ICalAttendeeRole.REQ,
        status: ICalAttendeeStatus.NEEDSACTION,
        rsvp: invite.method === 'REQUEST',
      })),
    });
  });
  return cal.toString();
}
