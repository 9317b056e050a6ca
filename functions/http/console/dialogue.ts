/**
 * One dialogue in the console (templates/pages/console/dialogue.eta): the organiser, recipients,
 * mails and their delivery, history, meetings and their notes, a banner for a clash with the
 * inspection calendar, the workflow's executions and the actions that fit the dialogue's state.
 */
import { legalFormLabels, reasonLabels, regionName, schoolFormLabels, stateLabels } from '#core/console-labels.ts';
import { consoleLinks } from '#core/console-links.ts';
import type { Dialogue } from '#core/dialogue.ts';
import { handbackKindLabels, handbackOf } from '#core/handbacks.ts';
import { formatOrgNumber } from '#core/swedish.ts';
import type { Meeting } from '#core/meetings.ts';
import { meetingKindRules } from '#core/scheduling.ts';
import { type StepsView, stepsOf } from '#core/dialogue-steps.ts';
import { html } from '#functions/http/respond.ts';
import { layoutData, type Page, requireConsoleRole } from './frame.ts';
import { consoleDialogue } from '#functions/use-cases/console.ts';
import { missingMaterial } from '#functions/use-cases/lifecycle/material.ts';
import { conflictView } from './conflict-view.ts';
import { contactRoleLabels } from './contact.ts';
import { actionsFor, executionsView, historyView, mailsView, meetingView, notesOf, whoIs } from './dialogue-view.ts';
import { ownershipOf, when } from './format.ts';

export { actionsFor, meetingView };

const basisLabels: Record<Dialogue['recipients'][number]['basis'], string> = {
  board: 'Nämnd eller styrelse',
  school_chief: 'Skolchef',
  principal_fallback: 'Rektor (ingen skolchef angiven)',
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

const flashes: Record<string, string> = {
  resend: 'Inbjudan skickades igen.',
  remind: 'Påminnelsen skickades.',
  close: 'Dialogen är avslutad.',
  retry: 'Ett nytt försök har startat.',
  already: 'Åtgärden var redan utförd; inget ändrades.',
  reschedule: 'Mötet är flyttat. Alla deltagare har fått en ny kalenderinbjudan.',
  cancel: 'Mötet är inställt. Alla deltagare har fått en avbokning.',
  reassign: 'Mötet har nya dialogutförare. Alla har fått en uppdaterad kalenderinbjudan och den som byttes ut en avbokning.',
  'conflict-keep': 'Beslutet är sparat: steget ligger kvar trots krocken.',
  'conflict-invitation': 'Inbjudan är uppskjuten till första dagen utan krock, och krocken är löst.',
  'conflict-offer': 'Mötet är avbokat för huvudmannen och nya förslag på tider utan krock har skickats. Krocken är löst.',
  book: 'Mötet är bokat. Huvudmannens kontakter och dialogutförarna har fått kalenderinbjudan.',
  newtimes: 'Nya förslag på tider skickas till huvudmannen.',
  contact: 'Kontaktuppgiften är rättad.',
  material: 'Dokumentet är tillagt i analysunderlaget.',
  'material-send': 'Beslutet är sparat; analysunderlaget skickas när introduktionen är hållen.',
  notes: 'Minnesanteckningarna är registrerade. Huvudmannen erbjuds tider för återkopplingsmötet.',
};

const path = (url: string): string => url.replace(/^https?:\/\/[^/]+/, '');

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
      ? `${x.answer.outcome === 'accepted' ? 'Tackade ja' : 'Tackade nej'} ${when(x.answer.answeredAt)} (${whoIs(x, x.answer.answeredBy, facilitators)})${
          x.answer.reason ? ` – ${reasonLabels[x.answer.reason]}` : ''
        }${x.answer.comment ? `: ”${x.answer.comment}”` : ''}`
      : undefined,
    actions: actionsFor(x),
    handback: (() => {
      const h = handbackOf(x);
      return h
        ? `${handbackKindLabels[h.kind]}${h.meetingKind ? ` (${meetingKindRules[h.meetingKind].name.toLowerCase()})` : ''}, sedan ${when(h.since)}`
        : undefined;
    })(),
    progress: stepsView(stepsOf(x, bookedStarts(meetings, x.id)), when),
    conflict: x.conflict ? { ...conflictView(x.conflict), href: path(consoleLinks('').conflict(x.id)) } : undefined,
    materialMissing:
      x.state === 'intro_held' && missingMaterial(x).length > 0 && !x.materialDecision ? path(consoleLinks('').material(x.id)) : undefined,
    meetings: meetings.map((m) => meetingView(m, x.id, facilitators, c.d.clock.now())),
    notes: notesOf(meetings),
    organiser: o,
    orgNumber: o ? formatOrgNumber(o.orgNumber) : undefined,
    legalFormLabel: legalFormLabels[x.legalForm],
    ownership: ownershipOf(x.municipal),
    regionName: regionName(x.region),
    schoolForms: o?.schoolForms.map((f) => schoolFormLabels[f] ?? f).join(', '),
    contacts: o?.contacts.map((k) => ({
      ...k,
      roleLabel: contactRoleLabels[k.role] ?? k.role,
      undeliverableAt: k.undeliverable ? when(k.undeliverable.at) : undefined,
      correctHref: path(consoleLinks('').contact(x.id, k.id)),
    })),
    recipients: x.recipients.map((r) => ({ ...r, basisLabel: basisLabels[r.basis] })),
    mails: mailsView(x, view.mails, meetings, facilitators),
    history: historyView(x, facilitators),
    executions: executionsView(view.executions),
    executionsError: view.executionsError,
  });
  return html(200, body);
};

export const dialogueRoutes: Record<string, Page> = { 'GET /console/dialogues/{id}': dialoguePage };
