/**
 * Composes the mail for a booked, moved or cancelled meeting: one message per recipient (the
 * facilitator pair and the participants the organiser named), each with the same iCalendar
 * invitation (every recipient is an ATTENDEE) as a text/calendar part and an attached .ics. The
 * Message-ID is stable per (meeting, sequence, recipient), so a retry is folded by mail clients;
 * sending goes through sendOnce with the step name from `meetingMailStep`.
 */
import type { TemplateRenderer } from '#adapters/templates.ts';
import { stockholmTime } from '#core/calendar.ts';
import type { Facilitator } from '#core/facilitators.ts';
import { buildInvite, type CalendarMethod, type CalendarPerson } from '#core/ics.ts';
import { type Meeting, meetingIntervals } from '#core/meetings.ts';
import type { OutgoingMail } from '#core/ports.ts';
import { meetingKindRules } from '#core/scheduling.ts';
import { formatSwedishDateTime } from '#core/time.ts';

/** What each meeting is for, as the invitation says it (Swedish). */
const purposes: Record<Meeting['kind'], string> = {
  intro: 'Vi berättar om kvalitetsdialogen och hur den går till, och ni får träffa era dialogutförare.',
  pre_meeting: 'Vi kommer tillsammans överens om vad dialogen ska handla om och vilka som ska delta.',
  dialogue: 'Dialogmötet hålls hos er. Vi samtalar utifrån analysunderlaget och det ni har valt att fokusera på.',
  feedback: 'Vi återkopplar och delar stödmaterial som passar det som kom upp i dialogen.',
  follow_up: 'Vi följer upp hur det har gått sedan återkopplingsmötet.',
};

/** The calendar entry's Swedish summary and description of a meeting (templates/calendar/). */
export function calendarTexts(
  templates: TemplateRenderer,
  meeting: Pick<Meeting, 'kind' | 'location'>,
  organiserNames: readonly string[],
  facilitatorNames: readonly string[],
): { summary: string; description: string } {
  const rule = meetingKindRules[meeting.kind];
  const data = {
    meetingName: rule.name,
    organiserNames: joinSwedish(organiserNames),
    purpose: purposes[meeting.kind],
    facilitatorNames: joinSwedish(facilitatorNames),
    physical: rule.mode === 'physical',
    location: meeting.location,
  };
  return { summary: templates.text('calendar/summary.eta', data), description: templates.text('calendar/description.eta', data) };
}

export interface MeetingMailInput {
  meeting: Meeting;
  method: CalendarMethod;
  organiserNames: readonly string[];
  /** The two facilitators of the meeting's pair. */
  facilitators: readonly Facilitator[];
  /** ORGANIZER of the invitation: the service's coordinator mailbox, where replies go. */
  organizer: CalendarPerson;
  uidDomain: string;
  now: Date;
  /** The organisers' own contacts (board, school chief): they get the invitation and a manage link. */
  organiserRecipients?: readonly { key: string; name: string; email: string; dialogueId?: string }[];
  /** False for a place in a group intro session: the pair's calendars hold the session already. */
  mailPair?: boolean;
  /** UID index of the first session (CANCEL of sessions dropped from a split meeting). */
  firstIndex?: number;
  /**
   * What changed in this version, when it was not the time: 'pair' (new facilitators) or 'left'
   * (an organiser of a shared meeting left it; `leftName` names it).
   */
  change?: 'pair' | 'left';
  leftName?: string;
  /** False: no overview link for the organiser's side (a mail that goes with another that has it). */
  overview?: boolean;
}

/** Stands in for an organiser recipient's signed manage link until the mail is sent (see mailMeeting). */
export const MANAGE_LINK_PLACEHOLDER = 'https://manage-link.invalid/placeholder';
/** Stands in for an organiser-side recipient's overview link until the mail is sent. */
export const OVERVIEW_LINK_PLACEHOLDER = 'https://overview-link.invalid/placeholder';

export interface MeetingMail extends OutgoingMail {
  /** Stable key of the recipient (facilitator id or participant address) for the send-once claim. */
  recipientKey: string;
  /** An organiser recipient: its text carries MANAGE_LINK_PLACEHOLDER for its own link. */
  manage?: boolean;
  /** The dialogue the recipient belongs to (an organiser's contact or participant), for its link and mail log. */
  dialogueId?: string;
  /** The organiser's side (a contact or a named participant): its text carries OVERVIEW_LINK_PLACEHOLDER. */
  organiserSide?: boolean;
}

/** The sendOnce step of a meeting mail: one per meeting version and method. */
export const meetingMailStep = (m: Pick<Meeting, 'id' | 'sequence'>, method: CalendarMethod): string =>
  `meeting-${m.id}-${m.sequence}-${method.toLowerCase()}`;

const joinSwedish = (xs: readonly string[]): string =>
  xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} och ${xs.at(-1) as string}`;

export function composeMeetingMails(templates: TemplateRenderer, input: MeetingMailInput): MeetingMail[] {
  const { meeting, method } = input;
  const rule = meetingKindRules[meeting.kind];
  const pair = [meeting.pair.skolverket, meeting.pair.spsm].map((id) => {
    const f = input.facilitators.find((x) => x.id === id);
    if (!f) throw new Error(`facilitator ${id} of meeting ${meeting.id} is missing`);
    return f;
  });
  const intervals = meetingIntervals(meeting);
  const data = {
    meetingName: rule.name,
    meetingNameLower: rule.name.toLowerCase(),
    organiserNames: joinSwedish(input.organiserNames),
    purpose: purposes[meeting.kind],
    facilitatorNames: joinSwedish(pair.map((f) => f.name)),
    physical: rule.mode === 'physical',
    location: meeting.location,
    videoLink: meeting.videoLink,
    split: intervals.length > 1,
    sessions: intervals.map((s, i) => ({ number: i + 1, when: formatSwedishDateTime(s.start), endTime: stockholmTime(s.end) })),
    firstWhen: formatSwedishDateTime(intervals[0]?.start ?? input.now),
    rescheduled: meeting.sequence > 0 && method === 'REQUEST',
    reassigned: input.change === 'pair' && method === 'REQUEST',
    left: input.change === 'left' && method === 'REQUEST',
    leftName: input.leftName,
    reason: meeting.cancelledReason,
  };
  const base: { key: string; name: string; email: string; manage: boolean; dialogueId?: string; organiserSide: boolean }[] = [
    ...(input.mailPair === false
      ? []
      : pair.map((f) => ({ key: f.id, name: f.name, email: f.email, manage: false, organiserSide: false }))),
    ...(input.organiserRecipients ?? []).map((r) => ({ ...r, manage: method === 'REQUEST', organiserSide: true })),
    ...meeting.participants.map((p) => ({
      key: p.email,
      name: p.name,
      email: p.email,
      manage: false,
      dialogueId: p.dialogueId,
      organiserSide: true,
    })),
  ];
  // One mail per address (a named participant may also be a contact of the organiser).
  const seen = new Set<string>();
  const recipients = base.filter((r) => !seen.has(r.email.toLowerCase()) && seen.add(r.email.toLowerCase()));
  const ics = buildInvite({
    method,
    meetingId: meeting.id,
    uidDomain: input.uidDomain,
    sequence: meeting.sequence,
    sessions: intervals,
    summary: templates.text('calendar/summary.eta', data),
    description: templates.text('calendar/description.eta', data),
    location: rule.mode === 'physical' ? meeting.location : undefined,
    videoLink: rule.mode === 'digital' ? meeting.videoLink : undefined,
    organizer: input.organizer,
    attendees: recipients.map((r) => ({ name: r.name, email: r.email })),
    stamp: input.now,
    firstIndex: input.firstIndex,
  });
  const template = method === 'CANCEL' ? 'meeting-cancelled' : 'meeting-booked';
  return recipients.map((r) => {
    const rendered = templates.email(template, {
      ...data,
      recipientName: r.name,
      manageLink: r.manage ? MANAGE_LINK_PLACEHOLDER : undefined,
      overviewLink: r.organiserSide && input.overview !== false ? OVERVIEW_LINK_PLACEHOLDER : undefined,
      introSession: Boolean(meeting.introSessionId),
    });
    const step = meetingMailStep(meeting, method);
    return {
      recipientKey: r.key,
      manage: r.manage,
      dialogueId: r.dialogueId,
      organiserSide: r.organiserSide && input.overview !== false,
      to: r.email,
      ...rendered,
      messageId: `<${step}.${r.key.replace(/[^A-Za-z0-9._-]/g, '_')}@${input.uidDomain}>`,
      calendar: { method, ics, filename: method === 'CANCEL' ? 'installt.ics' : 'kallelse.ics' },
    };
  });
}
