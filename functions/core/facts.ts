/**
 * A dialogue's facts: the few values the console filters on and the statistics count (state,
 * outcome, legal form, region, size band, school forms, campaign, facilitators, flags, times and
 * the time spent in each phase), derived from the record alone, and their compact text form (about
 * 100 characters) as the per-cycle facts index stores it. Pure.
 */
import { createHash } from 'node:crypto';
import type { Dialogue } from './dialogue.ts';
import { type HandbackKind, handbackOf } from './handbacks.ts';
import { type DialoguePhase, type DialogueState, dialoguePhases, hasAccepted, timeline } from './dialogue-states.ts';
import type { LegalForm, SchoolForm } from './organiser.ts';
import { type DialogueStep, reachedSteps } from './dialogue-steps.ts';

/** The phases whose time is measured (the end is not a phase one leaves). */
export const measuredPhases = dialoguePhases.filter((p) => p !== 'end') as Exclude<DialoguePhase, 'end'>[];

/** Size bands by the organiser's number of children and pupils (copied onto the dialogue when it is created). */
export const sizeBands = [
  { label: 'Under 50 barn och elever', max: 49 },
  { label: '50–499 barn och elever', max: 499 },
  { label: '500–4 999 barn och elever', max: 4999 },
  { label: '5 000 barn och elever eller fler', max: Number.POSITIVE_INFINITY },
] as const;
/** Index of the band, or `sizeBands.length` when the size is unknown. */
export const sizeBandIndex = (children: number | undefined): number =>
  children === undefined ? sizeBands.length : sizeBands.findIndex((b) => children <= b.max);

export interface DialogueFacts {
  id: string;
  /** The record's version the facts were derived from (a later version replaces them, an earlier one never). */
  version: number;
  state: DialogueState;
  legalForm: LegalForm;
  region: string;
  /** Index into `sizeBands`; `sizeBands.length` when unknown. */
  sizeBand: number;
  /** The invitation went out (an invitation_sent entry in the history). */
  offered: boolean;
  /** The organiser said yes (the dialogue may have moved on since). */
  accepted: boolean;
  /** Why it declined (only in state 'declined'). */
  reason?: 'time' | 'resources' | 'other';
  conflict: boolean;
  /** A failed workflow step, or a mail that bounced or was reported as spam. */
  problem: boolean;
  /** Handed back to the coordinator (functions/core/handbacks.ts), and why. */
  handback?: HandbackKind;
  schoolForms: SchoolForm[];
  /** Short hash of the campaign id (`shortHash`), if a campaign offered it. */
  campaign?: string;
  /** Short hashes of the facilitator pair's ids, if a pair is assigned. */
  facilitators: string[];
  createdAt: number;
  /** When the dialogue entered its current state (epoch ms). */
  stateSince: number;
  /** Minutes: [created → invited, invited → answer or escalation, then each measured phase]; undefined while not completed. */
  minutes: (number | undefined)[];
  /** The steps of the nine (functions/core/dialogue-steps.ts) the dialogue has completed. */
  steps: DialogueStep[];
}

/** 5 characters of a SHA-1 in base 36: how the facts name a campaign or a facilitator. */
export const shortHash = (s: string): string =>
  Number.parseInt(createHash('sha1').update(s).digest('hex').slice(0, 8), 16).toString(36).padStart(7, '0').slice(-5);

/** A failed workflow step (the invitation's or a meeting phase's), or a mail that bounced or was reported as spam. */
export const hasProblem = (x: Pick<Dialogue, 'state' | 'error' | 'phase' | 'history'>): boolean =>
  x.state === 'failed' || Boolean(x.error) || Boolean(x.phase?.failure) || x.history.some((h) => h.type === 'mail_bounced');

/** Accepted: the organiser said yes (the dialogue may have moved on to later phases since). */
export const wasAccepted = (x: Pick<Dialogue, 'state' | 'answer'>): boolean =>
  x.state === 'accepted' || (x.answer?.outcome === 'accepted' && hasAccepted(x));

const MINUTE = 60_000;
const span = (from: string | undefined, to: string | undefined): number | undefined =>
  from && to ? Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / MINUTE)) : undefined;

export function factsOf(x: Dialogue): DialogueFacts {
  const firstAt = (...types: string[]) => x.history.find((h) => types.includes(h.type))?.at;
  const invitedAt = firstAt('invitation_sent');
  const answeredAt = firstAt('answered', 'escalated');
  const rows = timeline(x);
  const phaseMinutes = measuredPhases.map((p) => {
    const row = rows.find((r) => r.phase === p && r.leftAt);
    return row ? span(row.enteredAt, row.leftAt) : undefined;
  });
  const lastState = [...x.history].reverse().find((h) => h.state);
  return {
    id: x.id,
    version: x.version,
    state: x.state,
    legalForm: x.legalForm,
    region: x.region,
    sizeBand: sizeBandIndex(x.children),
    offered: invitedAt !== undefined,
    accepted: wasAccepted(x),
    reason: x.state === 'declined' ? (x.answer?.reason ?? 'other') : undefined,
    conflict: Boolean(x.conflict),
    problem: hasProblem(x),
    handback: handbackOf(x)?.kind,
    schoolForms: x.schoolForms ?? [],
    campaign: x.campaignId ? shortHash(x.campaignId) : undefined,
    facilitators: x.pair ? [shortHash(x.pair.skolverket), shortHash(x.pair.spsm)] : [],
    createdAt: Date.parse(x.createdAt),
    stateSince: Date.parse(lastState?.state === x.state ? lastState.at : x.updatedAt),
    minutes: [span(x.createdAt, invitedAt), invitedAt ? span(invitedAt, answeredAt) : undefined, ...phaseMinutes],
    steps: [...reachedSteps(x).keys()],
  };
}

// ---- the stored text form -------------------------------------------------------------------

/**
 * Stored codes, fixed once given (a new state, legal form or school form gets a new code; the
 * compiler asks for one): reordering the domain's lists never changes what stored facts mean.
 */
const stateCodes: Record<DialogueState, string> = {
  created: 'a',
  invited: 'b',
  accepted: 'c',
  declined: 'd',
  no_answer: 'e',
  failed: 'f',
  intro_offered: 'g',
  intro_booked: 'h',
  intro_held: 'i',
  stopped_after_intro: 'j',
  material_sent: 'k',
  premeeting_offered: 'l',
  premeeting_booked: 'm',
  premeeting_held: 'n',
  dialogue_offered: 'o',
  dialogue_booked: 'p',
  dialogue_held: 'q',
  notes_registered: 'r',
  feedback_offered: 's',
  feedback_booked: 't',
  feedback_held: 'u',
  follow_up_due: 'v',
  follow_up_offered: 'w',
  follow_up_booked: 'x',
  follow_up_held: 'y',
  closed: 'z',
  cancelled: 'A',
};
const legalFormCodes: Record<LegalForm, string> = {
  kommun: 'k',
  region: 'r',
  aktiebolag: 'a',
  ekonomisk_forening: 'e',
  ideell_forening: 'i',
  stiftelse: 's',
  trossamfund: 't',
  ovrig: 'o',
};
/** Bit of each school form in the stored mask. */
const schoolFormBits: Record<SchoolForm, number> = {
  forskola: 0,
  forskoleklass: 1,
  grundskola: 2,
  anpassad_grundskola: 3,
  sameskola: 4,
  specialskola: 5,
  gymnasieskola: 6,
  anpassad_gymnasieskola: 7,
  komvux: 8,
  fritidshem: 9,
};
/** Bit of each completed step in the stored mask. */
const stepBits: Record<DialogueStep, number> = {
  invited: 0,
  accepted: 1,
  intro: 2,
  material: 3,
  pre_meeting: 4,
  dialogue: 5,
  feedback: 6,
  follow_up: 7,
  closed: 8,
};
const invert = <K extends string>(codes: Record<K, string>) => new Map(Object.entries(codes).map(([k, c]) => [c as string, k as K]));
const stateOfCode = invert(stateCodes);
const legalFormOfCode = invert(legalFormCodes);

/** Flag bit of each kind of hand-back (one at most). */
const handbackBits: Record<HandbackKind, number> = { booking: 16, no_answer: 32, failure: 64, material: 128 };
const handbackKinds = Object.keys(handbackBits) as HandbackKind[];

const b36 = (n: number): string => n.toString(36);
const reasonCodes = { time: 't', resources: 'r', other: 'o' } as const;
const reasonOf: Record<string, DialogueFacts['reason']> = { t: 'time', r: 'resources', o: 'other' };
/** The version is written fixed-width first, so a stored text compares (as a string) before a later version's. */
const VERSION_WIDTH = 7;

/** `v|state|legalForm|region|size|reason|flags|schoolForms|campaign|facilitators|created|stateSince|minutes|steps`. */
export function encodeFacts(f: DialogueFacts): string {
  const flags =
    (f.conflict ? 1 : 0) | (f.problem ? 2 : 0) | (f.offered ? 4 : 0) | (f.accepted ? 8 : 0) | (f.handback ? handbackBits[f.handback] : 0);
  const forms = f.schoolForms.reduce((mask, s) => mask | (1 << schoolFormBits[s]), 0);
  return [
    b36(f.version).padStart(VERSION_WIDTH, '0'),
    stateCodes[f.state],
    legalFormCodes[f.legalForm],
    f.region,
    b36(f.sizeBand),
    f.reason ? reasonCodes[f.reason] : '',
    b36(flags),
    b36(forms),
    f.campaign ?? '',
    f.facilitators.join('.'),
    b36(f.createdAt),
    b36(f.stateSince),
    f.minutes.map((m) => (m === undefined ? '' : b36(m))).join('.'),
    b36(f.steps.reduce((mask, step) => mask | (1 << stepBits[step]), 0)),
  ].join('|');
}

export function decodeFacts(id: string, text: string): DialogueFacts | undefined {
  const p = text.split('|');
  if (p.length !== 14) return undefined;
  const [v, s, lf, region, size, reason, flagText, forms, campaign, facilitators, created, since, minutes, stepText] = p as [
    string,
    ...string[],
  ];
  const state = stateOfCode.get(s as string);
  const legalForm = legalFormOfCode.get(lf as string);
  if (!state || !legalForm) return undefined;
  const flags = Number.parseInt(flagText as string, 36);
  const formMask = Number.parseInt(forms as string, 36);
  return {
    id,
    version: Number.parseInt(v, 36),
    state,
    legalForm,
    region: region as string,
    sizeBand: Number.parseInt(size as string, 36),
    offered: (flags & 4) !== 0,
    accepted: (flags & 8) !== 0,
    reason: reasonOf[reason as string],
    conflict: (flags & 1) !== 0,
    problem: (flags & 2) !== 0,
    handback: handbackKinds.find((k) => (flags & handbackBits[k]) !== 0),
    schoolForms: (Object.keys(schoolFormBits) as SchoolForm[]).filter((k) => (formMask & (1 << schoolFormBits[k])) !== 0),
    campaign: campaign || undefined,
    facilitators: facilitators ? (facilitators as string).split('.') : [],
    createdAt: Number.parseInt(created as string, 36),
    stateSince: Number.parseInt(since as string, 36),
    minutes: (minutes as string).split('.').map((m) => (m === '' ? undefined : Number.parseInt(m, 36))),
    steps: (Object.keys(stepBits) as DialogueStep[]).filter((k) => (Number.parseInt(stepText as string, 36) & (1 << stepBits[k])) !== 0),
  };
}
