/** Parses an .ics back with ical.js (an independent implementation) so tests check what clients read. */
import ICAL from 'ical.js';

export interface ParsedEvent {
  uid: string;
  sequence: number;
  status: string | undefined;
  tzid: string | undefined;
  start: Date;
  end: Date;
  summary: string;
  description: string;
  location: string | undefined;
  organizer: string | undefined;
  attendees: string[];
}

export interface ParsedCalendar {
  method: string;
  timezones: string[];
  events: ParsedEvent[];
}

export function parseIcs(text: string): ParsedCalendar {
  const root = new ICAL.Component(ICAL.parse(text));
  const timezones = root.getAllSubcomponents('vtimezone');
  for (const tz of timezones) ICAL.TimezoneService.register(tz);
  const events = root.getAllSubcomponents('vevent').map((c) => {
    const ev = new ICAL.Event(c);
    const dtstart = c.getFirstProperty('dtstart');
    return {
      uid: ev.uid,
      sequence: ev.sequence,
      status: (c.getFirstPropertyValue('status') as string | null) ?? undefined,
      tzid: (dtstart?.getParameter('tzid') as string | undefined) ?? undefined,
      start: ev.startDate.toJSDate(),
      end: ev.endDate.toJSDate(),
      summary: ev.summary,
      description: ev.description,
      location: ev.location ?? undefined,
      organizer: (c.getFirstPropertyValue('organizer') as string | null) ?? undefined,
      attendees: c.getAllProperties('attendee').map((p) => String(p.getFirstValue()).toLowerCase()),
    };
  });
  return {
    method: String(root.getFirstPropertyValue('method')),
    timezones: timezones.map((t) => String(t.getFirstPropertyValue('tzid'))),
    events,
  };
}
