/**
 * How the dialogue page shows a dialogue's parts in Swedish: the actions that fit its state, the
 * meetings (a meeting that has begun offers no action), their notes, the mail log, the history
 * (a contact's id as the contact's name) and the workflow executions.
 */
import { historyLabels } from '#core/console-labels.ts';
import { consoleLinks } from '#core/console-links.ts';
import type { Dialogue } from '#core/dialogue.ts';
import { executionLabel, mailStepLabel } from '#core/dialogue-labels.ts';
import { eventLabel, executionStatusLabels, stateNameLabel } from '#core/workflow-words.ts';
import { stockholmTime } from '#core/calendar.ts';
import type { Facilitator } from '#core/facilitators.ts';
import { hasBegun, hasEnded, type Meeting, type MeetingAction, meetingActions, participantRoleNames } from '#core/meetings.ts';
import type { ExecutionView, MailRecord } from '#core/ports.ts';
import { actionsForKind, handbackActionLabels, handbackOf } from '#core/handbacks.ts';
import { meetingKindRules } from '#core/scheduling.ts';
import { formatSwedishDateTime } from '#core/time.ts';
import { bookingKindOf } from '#functions/use-cases/lifecycle/phase.ts';
import { materialForms } from '#functions/use-cases/lifecycle/material.ts';
import { when } from './format.ts';

const path = (url: string): string => url.replace(/^https?:\/\/[^/]+/, '');
const links = consoleLinks('');

export function actionsFor(x: Dialogue): { href: string; label: string; danger?: boolean }[] {
  const base = `/console/dialogues/${x.id}`;
  const out: { href: string; label: string; danger?: boolean }[] = [];
  if (x.conflict) out.push({ href: path(links.conflict(x.id)), label: 'Besluta om krocken' });
  if (x.state === 'invited') out.push({ href: `${base}/resend`, label: 'Skicka inbjudan igen' });
  if (x.state === 'invited' && x.dueKind === 'reminder') out.push({ href: `${base}/remind`, label: 'Skicka påminnelse nu' });
  if (x.state === 'failed' || x.phase?.failure) out.push({ href: `${base}/retry`, label: 'Försök igen' });
  if (bookingKindOf(x)) out.push({ href: path(links.book(x.id)), label: 'Boka möte åt huvudmannen' });
  if (materialForms(x).length > 0 && ['accepted', 'intro_offered', 'intro_booked', 'intro_held'].includes(x.state))
    out.push({ href: path(links.material(x.id)), label: 'Analysunderlag' });
  if (x.state === 'created' || x.state === 'invited' || x.state === 'failed')
    out.push({ href: `${base}/close`, label: 'Avsluta dialogen', danger: true });
  // Handed back to the coordinator (a failed step has its retry and close above; booking one
  // dialogue at a chosen time has its own page above).
  const h = handbackOf(x);
  if (h && h.kind !== 'failure') {
    for (const action of actionsForKind[h.kind]) {
      if (action === 'book' && bookingKindOf(x)) continue;
      out.push({
        href: `/console/handbacks?action=${action}&id=${encodeURIComponent(x.id)}`,
        label: handbackActionLabels[action],
        ...(action === 'close' ? { danger: true } : {}),
      });
    }
  }
  return out;
}

const meetingStatusLabel = (m: Meeting, now: Date): string =>
  m.status === 'cancelled' ? 'Inställt' : hasEnded(m, now) ? 'Genomfört' : hasBegun(m, now) ? 'Pågår' : 'Bokat';
const meetingActionLabels: Record<MeetingAction, string> = {
  reschedule: 'Flytta',
  reassign: 'Byt dialogutförare',
  cancel: 'Ställ in',
};

/** A meeting row; a meeting that has begun is history and offers no action (but its notes, when due). */
export function meetingView(m: Meeting, dialogueId: string, facilitators: readonly Facilitator[], now: Date) {
  const nameOf = (id: string) => facilitators.find((f) => f.id === id)?.name ?? id;
  const notesDue = m.kind === 'dialogue' && m.status === 'booked' && hasEnded(m, now) && !m.notes;
  return {
    id: m.id,
    name: meetingKindRules[m.kind].name,
    when: m.sessions.map((s) => `${formatSwedishDateTime(new Date(s.start))}–${stockholmTime(new Date(s.end))}`).join(', '),
    pairNames: `${nameOf(m.pair.skolverket)} (Skolverket), ${nameOf(m.pair.spsm)} (SPSM)`,
    statusLabel: meetingStatusLabel(m, now),
    sequence: m.sequence,
    actions: [
      ...(m.status === 'booked' && !hasBegun(m, now)
        ? meetingActions.map((a) => ({ href: `/console/dialogues/${dialogueId}/meetings/${m.id}/${a}`, label: meetingActionLabels[a] }))
        : []),
      ...(notesDue ? [{ href: path(links.notes(dialogueId, m.id)), label: 'Registrera minnesanteckningar' }] : []),
    ],
  };
}

/** The registered notes of the dialogue's meetings, newest first. */
export const notesOf = (meetings: readonly Meeting[]) =>
  meetings
    .filter((m) => m.notes)
    .map((m) => ({
      meetingName: meetingKindRules[m.kind].name,
      when: when(m.sessions[0]?.start),
      discussed: m.notes?.discussed ?? '',
      roles: (m.notes?.rolesPresent ?? []).map((r) => participantRoleNames[r]).join(', '),
      registered: `${when(m.notes?.registeredAt)} av ${m.notes?.registeredBy ?? ''}`,
    }))
    .reverse();

const mailStatusLabels: Record<string, string> = {
  sending: 'Skickas',
  sent: 'Skickat',
  unconfirmed: 'Obekräftat',
  suppressed: 'Spärrad adress – ej skickat',
};
/** What SES reported after the send, when it did. */
const deliveryLabels: Record<string, string> = {
  delivered: 'levererat',
  bounced: 'studsade',
  complained: 'anmält som skräppost',
  rejected: 'avvisat av SES',
};

/** Who a mail went to or an entry was made by: the recipient's name for a contact id, "Samordnaren" for the service's own mailbox. */
export function whoIs(x: Pick<Dialogue, 'recipients'>, id: string, facilitators: readonly Facilitator[]): string {
  if (id === 'coordinator') return 'Samordnarna';
  if (id === 'system') return 'Tjänsten';
  const r = x.recipients.find((y) => y.contactId === id);
  if (r) return r.name;
  return facilitators.find((f) => f.id === id)?.name ?? id;
}

export const mailsView = (
  x: Dialogue,
  mails: readonly MailRecord[],
  meetings: readonly Meeting[],
  facilitators: readonly Facilitator[],
) => {
  const kinds = Object.fromEntries(meetings.map((m) => [m.id, m.kind]));
  return mails.map((m) => ({
    step: mailStepLabel(m.step, kinds),
    to: `${whoIs(x, m.contactId, facilitators)} <${m.email}>`,
    statusLabel: [
      mailStatusLabels[m.status] ?? m.status,
      m.delivery ? `${deliveryLabels[m.delivery.outcome] ?? m.delivery.outcome} (${m.delivery.detail})` : '',
    ]
      .filter(Boolean)
      .join(', '),
    at: when(m.sentAt ?? m.claimedAt),
  }));
};

export const historyView = (x: Dialogue, facilitators: readonly Facilitator[]) =>
  x.history.map((h) => ({
    at: when(h.at),
    label: historyLabels[h.type] ?? h.type,
    by: h.by ? whoIs(x, h.by, facilitators) : '',
    detail: h.detail ?? '',
  }));

export const executionsView = (executions: readonly ExecutionView[]) =>
  executions.map((e) => ({
    ...e,
    label: executionLabel(e.name),
    statusLabel: executionStatusLabels[e.status] ?? 'Okänt läge',
    startedAt: when(e.startedAt),
    stoppedAt: when(e.stoppedAt),
    events: e.events.map((ev) => ({ at: when(ev.at), label: eventLabel(ev.type), state: stateNameLabel(ev.state), detail: ev.detail })),
  }));
