/**
 * How a set of dialogues (a campaign's) moved over time: day by day (week by week over a long
 * span), how many had been invited, had accepted and had declined by then. Cumulative counts from
 * the step history; pure.
 */
import type { Dialogue } from './dialogue.ts';
import type { DialogueFacts } from './facts.ts';
import { stockholmDate, addCalendarDays } from './calendar.ts';

export interface ProgressSeries {
  /** Stockholm dates (YYYY-MM-DD), one per point. */
  days: string[];
  invited: number[];
  accepted: number[];
  declined: number[];
}

/** At most this many points: longer spans are shown week by week. */
const MAX_POINTS = 60;

type ProgressInput = Pick<Dialogue, 'history'> & Partial<Pick<Dialogue, 'answer'>>;
type ProgressEvent = { day: string; what: 'invited' | 'accepted' | 'declined' };

export function progressOverTime(xs: readonly ProgressInput[], now: Date): ProgressSeries {
  const events: ProgressEvent[] = [];
  for (const x of xs) {
    const invited = x.history.find((h) => h.type === 'invitation_sent' || h.state === 'invited');
    if (invited) events.push({ day: stockholmDate(new Date(invited.at)), what: 'invited' });
    const accepted = x.history.find((h) => h.state === 'accepted');
    if (accepted) events.push({ day: stockholmDate(new Date(accepted.at)), what: 'accepted' });
    const declined = x.history.find((h) => h.state === 'declined');
    if (declined) events.push({ day: stockholmDate(new Date(declined.at)), what: 'declined' });
  }
  return seriesOf(events, now);
}

/** The same series from the dialogues' facts (invited at creation + its minutes to the invitation, answered that many minutes later). */
export function progressOfFacts(
  xs: readonly Pick<DialogueFacts, 'createdAt' | 'minutes' | 'accepted' | 'state'>[],
  now: Date,
): ProgressSeries {
  const events: ProgressEvent[] = [];
  const MINUTE = 60_000;
  for (const x of xs) {
    const [toInvite, toAnswer] = x.minutes;
    if (toInvite === undefined) continue;
    const invitedAt = x.createdAt + toInvite * MINUTE;
    events.push({ day: stockholmDate(new Date(invitedAt)), what: 'invited' });
    if (toAnswer === undefined) continue;
    const answeredDay = stockholmDate(new Date(invitedAt + toAnswer * MINUTE));
    if (x.accepted) events.push({ day: answeredDay, what: 'accepted' });
    else if (x.state === 'declined') events.push({ day: answeredDay, what: 'declined' });
  }
  return seriesOf(events, now);
}

function seriesOf(events: readonly ProgressEvent[], now: Date): ProgressSeries {
  if (events.length === 0) return { days: [], invited: [], accepted: [], declined: [] };
  const first = events.map((e) => e.day).sort()[0] as string;
  const today = stockholmDate(now);
  const last = [today, ...events.map((e) => e.day)].sort().at(-1) as string;
  const span = Math.round((Date.parse(`${last}T12:00:00Z`) - Date.parse(`${first}T12:00:00Z`)) / 86_400_000);
  const step = Math.max(1, Math.ceil((span + 1) / MAX_POINTS));
  const days: string[] = [];
  for (let d = first; d < last; d = addCalendarDays(d, step)) days.push(d);
  days.push(last);
  const upTo = (what: string, day: string) => events.filter((e) => e.what === what && e.day <= day).length;
  return {
    days,
    invited: days.map((d) => upTo('invited', d)),
    accepted: days.map((d) => upTo('accepted', d)),
    declined: days.map((d) => upTo('declined', d)),
  };
}
