/**
 * Swedish names of the enum values the console shows (states, legal forms, decline reasons,
 * regions). One table, so the pages, the CSV export and the tests all use the same words.
 */
import type { DeclineReason, DialogueState, HistoryType } from './dialogue.ts';
import type { LegalForm, SchoolForm } from './organiser.ts';
import { regions } from './regions.ts';

export const stateLabels: Record<DialogueState, string> = {
  created: 'Skapad',
  invited: 'Inbjuden, väntar på svar',
  accepted: 'Tackat ja',
  declined: 'Tackat nej',
  no_answer: 'Inget svar',
  failed: 'Fel',
  closed: 'Avslutad av samordnare',
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
};

export const regionName = (id: string): string => regions[id as keyof typeof regions]?.name ?? id;
