/**
 * Console metrics, computed from the dialogues' facts (functions/core/facts.ts, one per dialogue,
 * as the per-cycle facts index keeps them): offered / accepted / declined / no answer by legal form
 * (the shape of table 2 in seed 004), municipal vs private, region and size; decline reasons; days
 * spent in each phase; and the plain counts per legal form × state and per phase. Pure.
 */
import { phaseLabels, reasonLabels, regionName, table2Groups } from './console-labels.ts';
import { type DialoguePhase, type DialogueState, declineReasons, dialoguePhases, dialogueStates, phaseOfState } from './dialogue.ts';
import { type DialogueFacts, measuredPhases, sizeBands } from './facts.ts';
import { isMunicipal, type LegalForm, legalForms } from './organiser.ts';

export { sizeBands } from './facts.ts';
export const UNKNOWN_SIZE = 'Storlek okänd';
const sizeLabel = (band: number): string => sizeBands[band]?.label ?? UNKNOWN_SIZE;

export interface OutcomeRow {
  label: string;
  /** Invited: the invitation went out (an invitation_sent entry in the history). */
  offered: number;
  accepted: number;
  declined: number;
  noAnswer: number;
  /** Invited and still waiting for the answer. */
  waiting: number;
  /** accepted / offered in whole percent; undefined when nobody was offered. */
  acceptedPercent?: number;
  /** accepted / (accepted + declined): the share of those who answered; undefined when nobody answered. */
  answeredPercent?: number;
}

export interface ReasonRow {
  label: string;
  count: number;
  percent?: number;
}

export interface PhaseRow {
  label: string;
  /** Dialogues that completed the phase. */
  count: number;
  meanDays?: number;
  medianDays?: number;
}

export interface Metrics {
  total: OutcomeRow;
  byLegalForm: OutcomeRow[];
  byOwnership: OutcomeRow[];
  byRegion: OutcomeRow[];
  bySize: OutcomeRow[];
  declineReasons: ReasonRow[];
  phases: PhaseRow[];
}

const percent = (part: number, whole: number): number | undefined => (whole > 0 ? Math.round((part * 100) / whole) : undefined);

function outcome(label: string, xs: readonly DialogueFacts[]): OutcomeRow {
  const offered = xs.filter((x) => x.offered);
  const accepted = offered.filter((x) => x.accepted).length;
  return {
    label,
    offered: offered.length,
    accepted,
    declined: offered.filter((x) => x.state === 'declined').length,
    noAnswer: offered.filter((x) => x.state === 'no_answer').length,
    waiting: offered.filter((x) => x.state === 'invited').length,
    acceptedPercent: percent(accepted, offered.length),
    answeredPercent: percent(accepted, accepted + offered.filter((x) => x.state === 'declined').length),
  };
}

function groupBy<K>(xs: readonly DialogueFacts[], key: (x: DialogueFacts) => K): Map<K, DialogueFacts[]> {
  const out = new Map<K, DialogueFacts[]>();
  for (const x of xs) {
    const k = key(x);
    const list = out.get(k);
    if (list) list.push(x);
    else out.set(k, [x]);
  }
  return out;
}

const MINUTES_PER_DAY = 1440;
const round1 = (n: number): number => Math.round(n * 10) / 10;

function phase(label: string, minutes: number[]): PhaseRow {
  if (minutes.length === 0) return { label, count: 0 };
  const sorted = [...minutes].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return {
    label,
    count: minutes.length,
    meanDays: round1(minutes.reduce((a, b) => a + b, 0) / minutes.length / MINUTES_PER_DAY),
    medianDays: round1(median / MINUTES_PER_DAY),
  };
}

export function computeMetrics(all: readonly DialogueFacts[]): Metrics {
  const xs = [...all];
  const byGroup = groupBy(xs, (x) => table2Groups[x.legalForm] ?? 'Övriga');
  const byLegalForm = [...byGroup]
    .map(([label, group]) => outcome(label, group))
    .filter((r) => r.offered > 0)
    .sort((a, b) =>
      a.label === 'Övriga'
        ? 1
        : b.label === 'Övriga'
          ? -1
          : (b.acceptedPercent ?? -1) - (a.acceptedPercent ?? -1) || a.label.localeCompare(b.label, 'sv'),
    );
  const byOwnership = [
    outcome(
      'Kommunala huvudmän',
      xs.filter((x) => isMunicipal(x.legalForm)),
    ),
    outcome(
      'Enskilda huvudmän',
      xs.filter((x) => !isMunicipal(x.legalForm)),
    ),
  ];
  const byRegion = [...groupBy(xs, (x) => x.region)]
    .map(([id, group]) => outcome(regionName(id), group))
    .sort((a, b) => a.label.localeCompare(b.label, 'sv'));

  const bySizeGroups = groupBy(xs, (x) => x.sizeBand);
  const bySize = [...sizeBands.keys(), sizeBands.length]
    .filter((band) => bySizeGroups.has(band))
    .map((band) => outcome(sizeLabel(band), bySizeGroups.get(band) ?? []));

  const declined = xs.filter((x) => x.state === 'declined');
  const reasonCount = (r: string) => declined.filter((x) => (x.reason ?? 'other') === r).length;
  const declineReasonRows = declineReasons.map((r) => ({
    label: reasonLabels[r],
    count: reasonCount(r),
    percent: percent(reasonCount(r), declined.length),
  }));

  // minutes[0]: created → invited, [1]: invited → answer or escalation, then each measured phase.
  const column = (i: number) => xs.map((x) => x.minutes[i]).filter((m): m is number => m !== undefined);
  return {
    total: outcome('Totalt', xs),
    byLegalForm,
    byOwnership,
    byRegion,
    bySize,
    declineReasons: declineReasonRows,
    phases: [
      phase('Från skapad till inbjuden', column(0)),
      phase('Från inbjudan till svar eller larm', column(1)),
      ...measuredPhases.map((p, i) => phase(`Fas: ${phaseLabels[p]}`, column(2 + i))),
    ],
  };
}

/** Plain counts: per legal form × state (every pair that occurs) and per phase (all phases, in process order). */
export interface StateCounts {
  byLegalFormState: { legalForm: LegalForm; state: DialogueState; count: number }[];
  byState: { state: DialogueState; count: number }[];
  byPhase: { phase: DialoguePhase; count: number }[];
  total: number;
}

export function countStates(xs: readonly DialogueFacts[]): StateCounts {
  const pairs = new Map<string, number>();
  for (const x of xs) pairs.set(`${x.legalForm}|${x.state}`, (pairs.get(`${x.legalForm}|${x.state}`) ?? 0) + 1);
  const byLegalFormState = legalForms.flatMap((legalForm) =>
    dialogueStates.flatMap((state) => {
      const count = pairs.get(`${legalForm}|${state}`) ?? 0;
      return count > 0 ? [{ legalForm, state, count }] : [];
    }),
  );
  const byState = dialogueStates.map((state) => ({ state, count: xs.filter((x) => x.state === state).length }));
  const byPhase = dialoguePhases.map((p) => ({
    phase: p,
    count: byState.filter((c) => phaseOfState[c.state] === p).reduce((n, c) => n + c.count, 0),
  }));
  return { byLegalFormState, byState, byPhase, total: xs.length };
}

/** A number as Swedish readers and Swedish Excel expect it: a decimal comma (2,5), no digit grouping. */
export const decimalComma = (v: string | number | undefined): string | undefined =>
  typeof v === 'number' ? String(v).replace('.', ',') : v;

/**
 * RFC 4180 CSV with a BOM (so Excel reads å/ä/ö as UTF-8), semicolons (Swedish Excel's separator)
 * and decimal commas.
 */
export function toCsv(header: readonly string[], rows: readonly (readonly (string | number | undefined)[])[]): string {
  const cell = (v: string | number | undefined): string => {
    const s = v === undefined ? '' : (decimalComma(v) as string);
    return /[";\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `\uFEFF${[header, ...rows].map((r) => r.map(cell).join(';')).join('\r\n')}\r\n`;
}

export const outcomeHeader = [
  'Grupp',
  'Antal inbjudna',
  'Tackat ja',
  'Tackat nej',
  'Inget svar',
  'Väntar på svar',
  'Andel ja av inbjudna (%)',
  'Andel ja av dem som svarade (%)',
] as const;
export const outcomeCells = (r: OutcomeRow) => [
  r.label,
  r.offered,
  r.accepted,
  r.declined,
  r.noAnswer,
  r.waiting,
  r.acceptedPercent,
  r.answeredPercent,
];

/** Every table of the metrics page, by the name its CSV export uses. */
export function metricsTables(
  m: Metrics,
): Record<string, { title: string; header: readonly string[]; rows: (string | number | undefined)[][] }> {
  return {
    'juridisk-form': { title: 'Per juridisk form', header: outcomeHeader, rows: [...m.byLegalForm, m.total].map(outcomeCells) },
    huvudmannatyp: { title: 'Kommunala och enskilda huvudmän', header: outcomeHeader, rows: [...m.byOwnership, m.total].map(outcomeCells) },
    region: { title: 'Per region', header: outcomeHeader, rows: [...m.byRegion, m.total].map(outcomeCells) },
    storlek: { title: 'Per storlek (antal barn och elever)', header: outcomeHeader, rows: [...m.bySize, m.total].map(outcomeCells) },
    'skal-till-nej': {
      title: 'Skäl till nej',
      header: ['Skäl', 'Antal', 'Andel (%)'],
      rows: m.declineReasons.map((r) => [r.label, r.count, r.percent]),
    },
    'tid-per-fas': {
      title: 'Tid per fas',
      header: ['Fas', 'Antal', 'Medel (dagar)', 'Median (dagar)'],
      rows: m.phases.map((p) => [p.label, p.count, p.meanDays, p.medianDays]),
    },
  };
}
