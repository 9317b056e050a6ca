/**
 * Swedish names, for the console's dialogue page, of what the service itself names by id: the
 * steps of the mail log ("offer-intro-1-1") and the workflow executions ("dlg-…-invitation-r1").
 * The workflows' statuses, events and states are core/workflow-words.ts.
 */
import type { MeetingKind } from './scheduling.ts';

const meetingNames: Record<string, string> = {
  intro: 'introduktionsmöte',
  pre_meeting: 'förmöte',
  dialogue: 'dialogmöte',
  feedback: 'återkopplingsmöte',
  follow_up: 'uppföljningsmöte',
};

const roundText = (round: number, no = 1): string =>
  [round > 1 ? `omgång ${round}` : '', no > 1 ? `förslag ${no}` : ''].filter(Boolean).join(', ');

const withDetail = (label: string, detail: string): string => (detail ? `${label} (${detail})` : label);

/**
 * One step of the mail log in Swedish. `meetingKinds` names the kind of each meeting id, for the
 * calendar mail of a meeting (its step names the meeting only by id).
 */
export function mailStepLabel(step: string, meetingKinds: Readonly<Record<string, MeetingKind>> = {}): string {
  for (const [re, label] of mailSteps) {
    const m = re.exec(step);
    if (m) return label(m.slice(1) as string[], meetingKinds);
  }
  return step;
}

const nameOf = (kind: string | undefined): string => meetingNames[kind ?? ''] ?? kind ?? 'möte';

/** The mail log's step names (one pattern each) and their Swedish labels. */
const mailSteps: [RegExp, (m: string[], kinds: Readonly<Record<string, MeetingKind>>) => string][] = [
  [/^invitation$/, () => 'Inbjudan'],
  [/^invitation-resend-(\d+)$/, ([n]) => `Inbjudan skickad igen (${n})`],
  [/^invitation-contact-(.+)$/, () => 'Inbjudan till rättad adress'],
  [/^reminder-(\d+)$/, ([n]) => `Påminnelse ${n} om inbjudan`],
  [/^escalation$/, () => 'Till samordnaren: inget svar'],
  [/^undeliverable-/, () => 'Till samordnaren: mejl kom inte fram'],
  [/^conflict-/, () => 'Till samordnaren: krock med inspektion'],
  [
    /^offer-(\w+?)-(\d+)-(\d+)(-reminder)?$/,
    ([kind, round, no, reminder]) =>
      withDetail(`${reminder ? 'Påminnelse om tidsförslag' : 'Tidsförslag'}: ${nameOf(kind)}`, roundText(Number(round), Number(no))),
  ],
  [
    /^handover-(\w+?)-(\d+)-(\d+)$/,
    ([kind, round]) => withDetail(`Till samordnaren: ingen tid bokad för ${nameOf(kind)}`, roundText(Number(round))),
  ],
  [/^phase-failed-(\w+?)-(\d+)$/, ([kind]) => `Till samordnaren: fel i arbetsflödet (${nameOf(kind)})`],
  [/^material$/, () => 'Analysunderlag'],
  [/^material-missing$/, () => 'Till samordnaren: analysunderlag saknas'],
  [/^notes-reminder-.+-(\d+)$/, ([n]) => `Påminnelse ${n} om minnesanteckningar`],
  [
    /^meeting-(.+)-(\d+)-(request|cancel)(-dropped)?$/,
    ([id, seq, method, dropped], kinds) => {
      const name = nameOf(kinds[id ?? '']);
      if (dropped) return `Avbokning av borttagna delar: ${name}`;
      if (method === 'cancel') return `Avbokning: ${name}`;
      return Number(seq) === 0 ? `Kallelse: ${name}` : `Uppdaterad kallelse: ${name} (version ${seq})`;
    },
  ],
  [/^intro-session-(\d+)-request$/, ([seq]) => `Kallelse till introduktionsmöte i grupp (version ${seq})`],
];

/** An execution's name ("dlg-…-invitation-r1") as the dialogue page heads it. */
export function executionLabel(name: string): string {
  const retry = /-r(\d+)$/.exec(name)?.[1];
  if (/-invitation(-r\d+)?$/.test(name)) return retry ? `Inbjudan, försök ${Number(retry) + 1}` : 'Inbjudan';
  const m = /-(intro|pre_meeting|dialogue|feedback|follow_up)-(\d+)$/.exec(name);
  if (m) return `Tidsbokning: ${meetingNames[m[1] ?? '']}${Number(m[2]) > 1 ? `, omgång ${m[2]}` : ''}`;
  return name;
}
