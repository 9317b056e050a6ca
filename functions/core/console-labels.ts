/**
 * Swedish names of the enum values the console shows (states, legal forms, decline reasons,
 * regions). One table, so the pages, the CSV export and the tests all use the same words.
 */
import type { DeclineReason, DialoguePhase, DialogueState, DueKind, HistoryType } from './dialogue.ts';
import type { InspectionKind, InspectionStatus } from './inspection.ts';
import type { LegalForm, SchoolForm } from './organiser.ts';
import { regions } from './regions.ts';

export const stateLabels: Record<DialogueState, string> = {
  created: 'Skapad',
  invited: 'Inbjuden, väntar på svar',
  accepted: 'Tackat ja',
  declined: 'Tackat nej',
  no_answer: 'Inget svar',
  failed: 'Fel',
  intro_offered: 'Introduktion erbjuden',
  intro_booked: 'Introduktion bokad',
  intro_held: 'Introduktion genomförd',
  stopped_after_intro: 'Avslutade efter introduktionen',
  material_sent: 'Analysunderlag skickat',
  premeeting_offered: 'Förmöte erbjudet',
  premeeting_booked: 'Förmöte bokat',
  premeeting_held: 'Förmöte genomfört',
  dialogue_offered: 'Dialogmöte erbjudet',
  dialogue_booked: 'Dialogmöte bokat',
  dialogue_held: 'Dialogmöte genomfört',
  notes_registered: 'Minnesanteckningar registrerade',
  feedback_offered: 'Återkopplingsmöte erbjudet',
  feedback_booked: 'Återkopplingsmöte bokat',
  feedback_held: 'Återkopplingsmöte genomfört',
  follow_up_due: 'Uppföljning väntar',
  follow_up_offered: 'Uppföljning erbjuden',
  follow_up_booked: 'Uppföljning bokad',
  follow_up_held: 'Uppföljning genomförd',
  closed: 'Avslutad',
  cancelled: 'Avbruten',
};

export const legalFormLabels: Record<LegalForm, string> = {
  kommun: 'Kommun',
  region: 'Region',
  aktiebolag: 'Aktiebolag',
  ekonomisk_forening: 'Ekonomisk förening',
  ideell_forening: 'Ideell förening',
  stiftelse: 'Stiftelse',
  trossamfund: 'Registrerat trossamfund',
  ovrig: 'Övrig',
};

/** The grouping of table 2 in seed 004 (Statskontoret): regions count among "Övriga". */
export const table2Groups: Record<LegalForm, string> = {
  kommun: 'Kommuner',
  stiftelse: 'Övriga stiftelser och fonder',
  aktiebolag: 'Aktiebolag',
  ideell_forening: 'Ideella föreningar',
  ekonomisk_forening: 'Ekonomiska föreningar',
  trossamfund: 'Registrerade trossamfund',
  region: 'Övriga',
  ovrig: 'Övriga',
};

export const schoolFormLabels: Record<SchoolForm, string> = {
  forskola: 'förskola',
  forskoleklass: 'förskoleklass',
  grundskola: 'grundskola',
  anpassad_grundskola: 'anpassad grundskola',
  sameskola: 'sameskola',
  specialskola: 'specialskola',
  gymnasieskola: 'gymnasieskola',
  anpassad_gymnasieskola: 'anpassad gymnasieskola',
  komvux: 'komvux',
  fritidshem: 'fritidshem',
};

export const reasonLabels: Record<DeclineReason, string> = {
  time: 'Brist på tid',
  resources: 'Brist på resurser',
  other: 'Annat skäl',
};

export const historyLabels: Record<HistoryType, string> = {
  created: 'Dialogen skapades',
  recipients_resolved: 'Mottagare valdes',
  invitation_sent: 'Inbjudan skickades',
  reminder_sent: 'Påminnelse skickades',
  answered: 'Svar mottaget',
  late_answer: 'Sent svar',
  escalated: 'Inget svar – samordnaren larmades',
  failed: 'Fel i arbetsflödet',
  workflow_started: 'Arbetsflödet startade',
  mail_unconfirmed: 'Utskick kunde inte bekräftas',
  closed: 'Avslutad av samordnare',
  retried: 'Nytt försök startat',
  invitation_resent: 'Inbjudan skickades igen',
  reminder_requested: 'Påminnelse skickad på begäran',
  mail_bounced: 'Mejl kom inte fram',
  start_postponed: 'Starten sköts upp (inspektion pågår)',
  conflict_flagged: 'Krock med inspektion',
  conflict_cleared: 'Krocken med inspektion är löst',
  conflict_decision: 'Beslut om krock med inspektion',
  phase_changed: 'Ny fas',
  slots_proposed: 'Tider föreslogs',
  meeting_booked: 'Möte bokat',
  meeting_rescheduled: 'Möte flyttat',
  meeting_cancelled: 'Möte avbokat',
  meeting_left: 'Lämnade ett gemensamt möte',
  pair_reassigned: 'Nya dialogutförare',
  material_sent: 'Analysunderlag skickat',
  notes_registered: 'Minnesanteckningar registrerade',
  stopped: 'Huvudmannen avslutade',
  offer_reminder_sent: 'Påminnelse om tidsförslag skickades',
  other_times_requested: 'Huvudmannen bad om andra tider',
  handed_over: 'Ingen tid bokad – samordnaren tar över',
  handback_action: 'Samordnarens åtgärd',
  documents_attached: 'Analysunderlag bifogat',
  material_waiting: 'Analysunderlaget väntar på dokument',
  material_decision: 'Beslut: analysunderlaget skickas utan komplett underlag',
  contact_corrected: 'Kontaktuppgift rättad',
  notes_reminder_sent: 'Påminnelse om minnesanteckningar skickad',
  timer_failed: 'Schemalagt steg misslyckades – nytt försök görs',
  timer_recovered: 'Schemalagt steg genomfört efter fel',
};

/** What a due timer does, as a coordinator reads it. */
export const dueKindLabels: Record<DueKind, string> = {
  start: 'Start av inbjudan',
  reminder: 'Påminnelse',
  escalate: 'Larm när svar saknas',
  callback: 'Svaret till arbetsflödet',
  phase_start: 'Start av mötesfas',
  offer_reminder: 'Påminnelse om tidsförslag',
  offer_escalate: 'Överlämning till samordnaren',
  held: 'Möte genomfört',
  follow_up: 'Uppföljning',
  notes_reminder: 'Påminnelse om minnesanteckningar',
};

export const regionName = (id: string): string => regions[id as keyof typeof regions]?.name ?? id;

export const phaseLabels: Record<DialoguePhase, string> = {
  invitation: 'Inbjudan',
  intro: 'Introduktion',
  material: 'Analysunderlag',
  premeeting: 'Förmöte',
  dialogue: 'Dialogmöte',
  feedback: 'Återkoppling',
  follow_up: 'Uppföljning',
  end: 'Avslutade',
};

export const inspectionKindLabels: Record<InspectionKind, string> = {
  regular_supervision: 'Regelbunden tillsyn',
  quality_review: 'Kvalitetsgranskning',
  targeted_supervision: 'Riktad tillsyn',
  other: 'Övrigt',
};

export const inspectionStatusLabels: Record<InspectionStatus, string> = {
  planned: 'Planerad',
  confirmed: 'Bekräftad',
  cancelled: 'Inställd',
};

const importFieldNames: Record<string, string> = {
  externalId: 'Id',
  orgNumber: 'Organisationsnummer',
  schoolUnitCode: 'Skolenhetskod',
  kind: 'Typ',
  start: 'Start',
  end: 'Slut',
  status: 'Status',
};

/** The import's row errors (English, as the API gives them) in Swedish for the console; unknown ones pass unchanged. */
const importReasons: [RegExp, (...m: string[]) => string][] = [
  [/^no organiser with org\. number (\d+).*$/, (n) => `ingen huvudman har organisationsnummer ${n}; samordnarna lägger in huvudmän`],
  [/^externalId (\S+) appears again \(first on line (\d+)\)$/, (id, line) => `id ${id} finns redan på rad ${line}`],
  [/^"(.*)" is not a date: .*$/, (v) => `”${v}” är inte ett datum: skriv 2026-03-05, 5 mars 2026 eller 5/3/2026`],
  [
    /^"(.*)" is not a known kind: .*$/,
    (v) => `”${v}” är ingen känd typ: regelbunden tillsyn, kvalitetsgranskning, riktad tillsyn eller övrigt`,
  ],
  [/^"(.*)" is not a known status: .*$/, (v) => `”${v}” är ingen känd status: planerad, bekräftad eller inställd`],
  [/^must be a Swedish organisation number.*$/, () => 'ska vara ett organisationsnummer som 212000-0142'],
  [/^end is before start$/, () => 'slutdatumet ligger före startdatumet'],
  [/^an inspection spans at most a year$/, () => 'en inspektion pågår högst ett år'],
  [/^the file is empty.*$/, () => 'filen är tom: första raden ska namnge kolumnerna'],
  [
    /^the header lacks (.*); expected columns like (.*)$/,
    (cols, example) =>
      `rubrikraden saknar ${(cols ?? '').includes(',') ? 'kolumnerna' : 'kolumnen'} ${(cols ?? '').replace(/, ([^,]*)$/, ' och $1')}; en rubrikrad kan se ut så här: ${example}`,
  ],
  [/^not an iCalendar feed.*$/, () => 'inte en iCalendar-fil: första raden ska vara BEGIN:VCALENDAR'],
  [/^the VEVENT has no END:VEVENT$/, () => 'händelsen (VEVENT) saknar END:VEVENT'],
  [/^the (CSV|VEVENT) cannot be read: (.*)$/, (what, why) => `${what === 'CSV' ? 'filen' : 'händelsen'} kan inte läsas: ${why}`],
  [/^Required$|^Invalid input.*$/, () => 'saknas eller är ogiltigt'],
];

function translateReason(part: string): string | undefined {
  const field = /^(\w+(?:\.\w+)*): (.*)$/s.exec(part);
  const known = field?.[1] !== undefined && field[1] in importFieldNames;
  const name = known ? importFieldNames[field?.[1] as string] : undefined;
  const text = known ? (field?.[2] ?? '') : part;
  const hit = importReasons.find(([re]) => re.test(text));
  if (!hit) return undefined;
  const swedish = hit[1](...(hit[0].exec(text) ?? []).slice(1));
  return name ? `${name}: ${swedish}` : swedish;
}

export function swedishImportReason(reason: string): string {
  return (
    translateReason(reason) ??
    reason
      .split('; ')
      .map((part) => translateReason(part) ?? part)
      .join('; ')
  );
}

/** Campaign states and the reasons a campaign's preview leaves an organiser out. */
export const campaignStateLabels: Record<'draft' | 'running' | 'paused' | 'completed', string> = {
  draft: 'Utkast, inte startad',
  running: 'Skickar',
  paused: 'Pausad',
  completed: 'Klar',
};

export const exclusionReasonLabels: Record<'missing_contacts' | 'inspection_under_way' | 'already_in_dialogue', string> = {
  missing_contacts: 'Saknar kontaktuppgifter: ingen nämnd, styrelse, skolchef eller rektor med e-postadress',
  inspection_under_way: 'Skolinspektionen granskar huvudmannen just nu',
  already_in_dialogue: 'Har redan en dialog i omgången',
};
