/**
 * What the organiser's overview ("Er kvalitetsdialog") shows of one dialogue: the nine steps with
 * their dates, the meetings (booked, moved, cancelled), the analysis material once it is sent, the
 * public notes once registered, and whom to contact; and one meeting as an .ics download. Only the
 * dialogue's own facts: never the organiser's contacts, the people named for meetings, other
 * organisers sharing a meeting, or who registered the notes.
 */
import { buildFeed } from '#core/calendar-feed.ts';
import type { Dialogue } from '#core/dialogue.ts';
import { reachedSteps, stepsOf, type StepsView } from '#core/dialogue-steps.ts';
import type { Facilitator } from '#core/facilitators.ts';
import { sessionUid } from '#core/ics.ts';
import type { Meeting } from '#core/meetings.ts';
import { meetingKindRules } from '#core/scheduling.ts';
import type { Deps } from '#adapters/deps.ts';
import { calendarTexts } from './meeting-mail.ts';

export interface OverviewMeeting {
  id: string;
  kind: Meeting['kind'];
  sessions: Meeting['sessions'];
  /** Booked; or cancelled (also when this organiser left a shared meeting). */
  status: 'booked' | 'cancelled';
  location?: string;
  videoLink?: string;
  /** How many other organisers share it (their names are not shown). */
  sharedWith: number;
  facilitators: string[];
  /** The public notes of a held dialogue meeting: what was discussed and which roles took part. */
  notes?: { discussed: string; rolesPresent: string[]; registeredAt: string };
}

export interface Overview {
  dialogue: Pick<Dialogue, 'organiserName' | 'cycle' | 'state'>;
  steps: StepsView;
  meetings: OverviewMeeting[];
  /** The analysis material, once it has been sent. */
  documents?: NonNullable<Dialogue['documents']>;
  /** The times offered and not yet answered, if any (the link to choose is in the mail). */
  openOffer?: { meetingName: string; times: number };
  contact: { facilitators: { name: string; agency: Facilitator['agency'] }[]; mailbox: string };
}

const addressOf = (address: string): string => /<([^>]+)>/.exec(address)?.[1] ?? address.trim();

const sessionsOf = (m: Meeting, dialogueId: string): OverviewMeeting['status'] =>
  m.status === 'booked' && m.dialogueIds.includes(dialogueId) ? 'booked' : 'cancelled';

export async function organiserOverview(d: Deps, x: Dialogue): Promise<Overview> {
  const [meetings, people] = await Promise.all([d.meetings.listForDialogue(x.id), d.facilitators.list()]);
  const byId = new Map(people.map((f) => [f.id, f]));
  const nameOf = (id: string) => byId.get(id)?.name ?? '';
  const booked = new Map(
    meetings.filter((m) => sessionsOf(m, x.id) === 'booked').map((m) => [m.kind as string, m.sessions[0]?.start ?? '']),
  );
  const pair = x.pair ?? meetings.find((m) => sessionsOf(m, x.id) === 'booked')?.pair;
  const offer = x.phase?.offer;
  return {
    dialogue: { organiserName: x.organiserName, cycle: x.cycle, state: x.state },
    steps: stepsOf(x, booked),
    meetings: meetings.map((m) => ({
      id: m.id,
      kind: m.kind,
      sessions: m.sessions,
      status: sessionsOf(m, x.id),
      ...(m.location ? { location: m.location } : {}),
      ...(m.videoLink ? { videoLink: m.videoLink } : {}),
      sharedWith: m.dialogueIds.filter((id) => id !== x.id).length,
      facilitators: [nameOf(m.pair.skolverket), nameOf(m.pair.spsm)].filter(Boolean),
      ...(m.notes
        ? { notes: { discussed: m.notes.discussed, rolesPresent: m.notes.rolesPresent, registeredAt: m.notes.registeredAt } }
        : {}),
    })),
    ...(reachedSteps(x).has('material') ? { documents: x.documents ?? [] } : {}),
    ...(x.phase &&
    offer &&
    (offer.status === 'open' || offer.status === 'escalated') &&
    x.state.endsWith('_offered') &&
    offer.slots.length > 0
      ? { openOffer: { meetingName: meetingKindRules[x.phase.kind].name, times: offer.slots.length } }
      : {}),
    contact: {
      facilitators: pair
        ? [pair.skolverket, pair.spsm].flatMap((id) => {
            const f = byId.get(id);
            return f ? [{ name: f.name, agency: f.agency }] : [];
          })
        : [],
      mailbox: addressOf(d.env.MAIL_REPLY_TO),
    },
  };
}

/**
 * One meeting of the dialogue as an .ics to import (METHOD:PUBLISH, no attendees): the same UIDs and
 * SEQUENCE as the mailed invitation, so importing it updates that entry instead of adding another.
 * Undefined when the meeting is not this dialogue's.
 */
export async function overviewMeetingIcs(d: Deps, x: Dialogue, meetingId: string): Promise<string | undefined> {
  const m = await d.meetings.get(meetingId);
  if (!m || !(m.dialogueIds.includes(x.id) || m.left?.some((l) => l.dialogueId === x.id))) return undefined;
  const names = await Promise.all([m.pair.skolverket, m.pair.spsm].map(async (id) => (await d.facilitators.get(id))?.name ?? ''));
  const texts = calendarTexts(d.templates, m, [x.organiserName], names.filter(Boolean));
  const domain = /@([^>\s]+)>?\s*$/.exec(d.env.MAIL_FROM)?.[1] ?? 'kvalitetsdialog.local';
  const status = sessionsOf(m, x.id);
  const total = m.sessions.length;
  return buildFeed({
    uidDomain: domain,
    events: m.sessions.map((s, i) => ({
      uid: sessionUid(m.id, i, domain).replace(`@${domain}`, ''),
      sequence: m.sequence,
      status,
      start: s.start,
      end: s.end,
      stamp: m.updatedAt,
      summary: total > 1 ? `${texts.summary} (del ${i + 1} av ${total})` : texts.summary,
      description: m.videoLink ? `${texts.description}\n\nLänk till mötet: ${m.videoLink}` : texts.description,
      ...((m.location ?? m.videoLink) ? { location: m.location ?? m.videoLink } : {}),
      ...(m.videoLink ? { url: m.videoLink } : {}),
    })),
  });
}
