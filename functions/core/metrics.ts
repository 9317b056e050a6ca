/**
 * Console metrics, computed from the raw dialogue records only (so they can be checked against
 * them): offered / accepted / declined / no answer by legal form (the shape of table 2 in seed
 * 004), municipal vs private and region; decline reasons; days spent in each phase. Pure.
 */
import { phaseLabels, reasonLabels, regionName, table2Groups } from './console-labels.ts';
import { type DeclineReason, type Dialogue, dialoguePhases, declineReasons, hasAccepted, timeline } from './dialogue.ts';

export type MetricsDialogue = Pick<Dialogue, 'state' | 'legalForm' | 'municipal' | 'region' | 'answer' | 'history' | 'createdAt'> &
  Partial<Pick<Dialogue, 'children'>>;

/** Size bands by the organiser's number of children and pupils (copied onto the dialogue when it is created). */
export const sizeBands = [
  { label: 'Under 50 barn och elever', max: 49 },
  { label: '50–499 barn och elever', max: 499 },
  { label: '500–4 999 barn och elever', max: 4999 },
  { label: '5 000 barn och elever eller fler', max: Number.POSITIVE_INFINITY },
] as const;
export const UNKNOWN_SIZE = 'Storlek okänd';
export const sizeBandOf = (children: number | undefined): string =>
  children === undefined ? UNKNOWN_SIZE : (sizeBands.find((b) => children <= b.max)?.label ?? UNKNOWN_SIZE);

/** Accepted: the organiser said yes (the dialogue may have moved on to later phases since). */
export const wasAccepted = (x: MetricsDialogue): boolean => x.state === 'accepted' || (x.answer?.outcome === 'accepted' && hasAccepted(x));

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

const wasOffered = (x: MetricsDialogue): boolean => x.history.some((h) => h.type === 'invitation_sent');

function outcome(label: string, xs: MetricsDialogue[]): OutcomeRow {
  const offered = xs.filter(wasOffered);
  const accepted = offered.filter(wasAccepted).length;
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

function groupBy(xs: MetricsDialogue[], key: (x: MetricsDialogue) => string): Map<string, MetricsDialogue[]> {
  const out = new Map<string, MetricsDialogue[]>();
  for (const x of xs) {
    const k = key(x);
    const list = out.get(k);
    if (list) list.push(x);
    else out.set(k, [x]);
  }
  return out;
}

const DAY_MS = 86_400_000;
const round1 = (n: number): number => Math.round(n * 10) / 10;

function phase(label: string, spans: number[]): PhaseRow {
  if (spans.length === 0) return { label, count: 0 };
  const sorted = [...spans].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return {
    label,
    count: spans.length,
    meanDays: round1(spans.reduce((a, b) => a + b, 0) / spans.length / DAY_MS),
    medianDays: round1(median / DAY_MS),
  };
}

const at = (x: MetricsDialogue, ...types: string[]): number | undefined => {
  const h = x.history.find((e) => types.includes(e.type));
  return h ? new Date(h.at).getTime() : undefined;
};

export function computeMetrics(all: readonly MetricsDialogue[]): Metrics {
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
      xs.filter((x) => x.municipal),
    ),
    outcome(
      'Enskilda huvudmän',
      xs.filter((x) => !x.municipal),
    ),
  ];
  const byRegion = [...groupBy(xs, (x) => x.region)]
    .map(([id, group]) => outcome(regionName(id), group))
    .sort((a, b) => a.label.localeCompare(b.label, 'sv'));

  const bySizeGroups = groupBy(xs, (x) => sizeBandOf(x.children));
  const bySize = [...sizeBands.map((b) => b.label), UNKNOWN_SIZE]
    .filter((label) => bySizeGroups.has(label))
    .map((label) => outcome(label, bySizeGroups.get(label) ?? []));

  const declined = xs.filter((x) => x.state === 'declined');
  const reasonCount = (r: DeclineReason) => declined.filter((x) => (x.answer?.reason ?? 'other') === r).length;
  const declineReasonRows = declineReasons.map((r) => ({
    label: reasonLabels[r],
    count: reasonCount(r),
    percent: percent(reasonCount(r), declined.length),
  }));

  const toInvite: number[] = [];
  const toAnswer: number[] = [];
  for (const x of xs) {
    const created = new Date(x.createdAt).getTime();
    const invited = at(x, 'invitation_sent');
    if (invited !== undefined) toInvite.push(invited - created);
    const answered = at(x, 'answered', 'escalated');
    if (invited !== undefined && answered !== undefined) toAnswer.push(answered - invited);
  }

  // Time in each phase of the process: from entering the phase to entering the next one, for the
  // dialogues that have left it (from the states recorded in the history).
  const inPhase = new Map<string, number[]>();
  for (const x of xs) {
    for (const row of timeline(x)) {
      if (row.phase === 'end' || !row.leftAt) continue;
      const list = inPhase.get(row.phase) ?? [];
      list.push(new Date(row.leftAt).getTime() - new Date(row.enteredAt).getTime());
      inPhase.set(row.phase, list);
    }
  }
  const phaseRows = dialoguePhases.filter((p) => p !== 'end').map((p) => phase(`Fas: ${phaseLabels[p]}`, inPhase.get(p) ?? []));

  return {
    total: outcome('Totalt', xs),
    byLegalForm,
    byOwnership,
    byRegion,
    bySize,
    declineReasons: declineReasonRows,
    phases: [phase('Från skapad till inbjuden', toInvite), phase('Från inbjudan till svar eller larm', toAnswer), ...phaseRows],
  };
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
