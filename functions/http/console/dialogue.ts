/**
 * One dialogue in the console (templates/pages/console/dialogue.eta): the organiser, recipients,
 * mails and their delivery, history, meetings, the workflow's executions and the actions that fit
 * the dialogue's state.
 */
import { historyLabels, legalFormLabels, reasonLabels, regionName, schoolFormLabels, stateLabels } from '#core/console-labels.ts';
import type { Dialogue } from '#core/dialogue.ts';
import { formatSwedishDateTime } from '#core/time.ts';
import { stockholmTime } from '#core/calendar.ts';
import type { Facilitator } from '#core/facilitators.ts';
import type { Meeting } from '#core/meetings.ts';
import { meetingKindRules } from '#core/scheduling.ts';
import { type StepsView, stepsOf } from '#core/dialogue-steps.ts';
import { eventLabel, executionStatusLabels, stateNameLabel } from '#core/workflow-words.ts';
import { html } from '#functions/http/respond.ts';
import { layoutData, type Page, requireConsoleRole } from './frame.ts';
import { consoleDialogue } from '#functions/use-cases/console.ts';
import { type MeetingAction, meetingActions } from '#functions/use-cases/console-meeting-actions.ts';
import { ownershipOf, when } from './format.ts';

const basisLabels: Record<Dialogue['recipients'][number]['basis'], string> = {
  board: 'Nämnd eller styrelse',
  school_chief: 'Skolchef',
  principal_fallback: 'Rektor (ingen skolchef angiven)',
};
const contactRoleLabels: Record<string, string> = { board: 'Nämnd/styrelse', school_chief: 'Skolchef', principal: 'Rektor' };
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
const dueLabels: Record<string, string> = {
  start: 'Start av arbetsflödet',
  reminder: 'Påminnelse',
  escalate: 'Larm till samordnaren',
  callback: 'Svar till arbetsflödet',
  phase_start: 'Start av nästa fas',
  offer_reminder: 'Påminnelse om tidsförslag',
  offer_escalate: 'Samordnaren tar över bokningen',
  held: 'Mötet är hållet',
  follow_up: 'Uppföljning erbjuds',
};

export function actionsFor(x: Dialogue): { href: string; label: string; danger?: boolean }[] {
  const base = `/console/dialogues/${x.id}`;
  const out: { href: string; label: string; danger?: boolean }[] = [];
  if (x.state === 'invited') out.push({ href: `${base}/resend`, label: 'Skicka inbjudan igen' });
  if (x.state === 'invited' && x.dueKind === 'reminder') out.push({ href: `${base}/remind`, label: 'Skicka påminnelse nu' });
  if (x.state === 'failed' || x.phase?.failure) out.push({ href: `${base}/retry`, label: 'Försök igen' });
  if (x.state === 'created' || x.state === 'invited' || x.state === 'failed')
    out.push({ href: `${base}/close`, label: 'Avsluta dialogen', danger: true });
  return out;
}

const flashes: Record<string, string> = {
  resend: 'Inbjudan skickades igen.',
  remind: 'Påminnelsen skickades.',
  close: 'Dialogen är avslutad.',
  retry: 'Ett nytt försök har startat.',
  already: 'Åtgärden var redan utförd; inget ändrades.',
  reschedule: 'Mötet är flyttat. Alla deltagare har fått en ny kalenderinbjudan.',
  cancel: 'Mötet är inställt. Alla deltagare har fått en avbokning.',
  reassign: 'Mötet har nya dialogutförare. Alla har fått en uppdaterad kalenderinbjudan och den som byttes ut en avbokning.',
};

const meetingStatusLabels: Record<Meeting['status'], string> = { booked: 'Bokat', cancelled: 'Inställt' };
const meetingActionLabels: Record<MeetingAction, string> = {
  reschedule: 'Flytta',
  reassign: 'Byt dialogutförare',
  cancel: 'Ställ in',
};

export function meetingView(m: Meeting, dialogueId: string, facilitators: readonly Facilitator[]) {
  const nameOf = (id: string) => facilitators.find((f) => f.id === id)?.name ?? id;
  return {
    id: m.id,
    name: meetingKindRules[m.kind].name,
    when: m.sessions.map((s) => `${formatSwedishDateTime(new Date(s.start))}–${stockholmTime(new Date(s.end))}`).join(', '),
    pairNames: `${nameOf(m.pair.skolverket)} (Skolverket), ${nameOf(m.pair.spsm)} (SPSM)`,
    statusLabel: meetingStatusLabels[m.status],
    sequence: m.sequence,
    actions:
      m.status === 'booked'
        ? meetingActions.map((a) => ({ href: `/console/dialogues/${dialogueId}/meetings/${m.id}/${a}`, label: meetingActionLabels[a] }))
        : [],
  };
}

/** When each booked meeting of the dialogue starts, by meeting kind (the step indicator shows it). */
export const bookedStarts = (meetings: readonly Meeting[], dialogueId: string): Map<string, string> =>
  new Map(
    meetings
      .filter((m) => m.status === 'booked' && m.dialogueIds.includes(dialogueId))
      .map((m) => [m.kind, m.sessions[0]?.start ?? ''] as [string, string]),
  );

const stepStatusLabels: Record<StepsView['steps'][number]['status'], string> = {
  done: 'klart',
  current: 'pågår',
  upcoming: 'kommer',
  not_reached: 'inte aktuellt',
};

/** The step indicator's view: each of the nine steps with its status in words and its date. */
export function stepsView(v: StepsView, day: (iso: string) => string) {
  return {
    ending: v.ending,
    steps: v.steps.map((s) => ({
      ...s,
      statusLabel: stepStatusLabels[s.status],
      when: s.at ? day(s.at) : '',
    })),
  };
}

const dialoguePage: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  const view = await consoleDialogue(c.d, c.event.pathParameters?.id ?? '');
  const x = view.dialogue;
  const o = view.organiser;
  const [meetings, facilitators] = await Promise.all([c.d.meetings.listForDialogue(x.id), c.d.facilitators.list()]);
  const body = c.d.templates.consolePage('dialogue', {
    ...layoutData(c, x.organiserName, { dialogues: true }),
    d: x,
    flash: flashes[c.event.queryStringParameters?.klart ?? ''],
    stateLabel: stateLabels[x.state],
    createdAt: when(x.createdAt),
    updatedAt: when(x.updatedAt),
    nextTimer: x.dueAt && x.dueKind ? `${dueLabels[x.dueKind] ?? x.dueKind} ${when(x.dueAt)}` : undefined,
    answer: x.answer
      ? `${x.answer.outcome === 'accepted' ? 'Tackade ja' : 'Tackade nej'} ${when(x.answer.answeredAt)}${
          x.answer.reason ? ` – ${reasonLabels[x.answer.reason]}` : ''
        }${x.answer.comment ? `: ”${x.answer.comment}”` : ''}`
      : undefined,
    actions: actionsFor(x),
    progress: stepsView(stepsOf(x, bookedStarts(meetings, x.id)), when),
    meetings: meetings.map((m) => meetingView(m, x.id, facilitators)),
    organiser: o,
    orgNumber: o ? `${o.orgNumber.slice(0, 6)}-${o.orgNumber.slice(6)}` : undefined,
    legalFormLabel: legalFormLabels[x.legalForm],
    ownership: ownershipOf(x.municipal),
    regionName: regionName(x.region),
    schoolForms: o?.schoolForms.map((f) => schoolFormLabels[f] ?? f).join(', '),
    contacts: o?.contacts.map((k) => ({ ...k, roleLabel: contactRoleLabels[k.role] ?? k.role })),
    recipients: x.recipients.map((r) => ({ ...r, basisLabel: basisLabels[r.basis] })),
    mails: view.mails.map((m) => ({
      step: m.step,
      email: m.email,
      statusLabel: [
        mailStatusLabels[m.status] ?? m.status,
        m.delivery ? `${deliveryLabels[m.delivery.outcome] ?? m.delivery.outcome} (${m.delivery.detail})` : '',
      ]
        .filter(Boolean)
        .join(', '),
      at: when(m.sentAt ?? m.claimedAt),
    })),
    history: x.history.map((h) => ({ at: when(h.at), label: historyLabels[h.type] ?? h.type, by: h.by ?? '', detail: h.detail ?? '' })),
    executions: view.executions.map((e) => ({
      ...e,
      statusLabel: executionStatusLabels[e.status] ?? 'Okänt läge',
      startedAt: when(e.startedAt),
      stoppedAt: when(e.stoppedAt),
      events: e.events.map((ev) => ({ at: when(ev.at), label: eventLabel(ev.type), state: stateNameLabel(ev.state), detail: ev.detail })),
    })),
    executionsError: view.executionsError,
  });
  return html(200, body);
};

export const dialogueRoutes: Record<string, Page> = { 'GET /console/dialogues/{id}': dialoguePage };
