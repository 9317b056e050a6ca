/**
 * Cycle planning (seed 004's recommendation): rank organisers for the next cycle by where the
 * children are, school forms at risk of being overlooked, whether they already had a dialogue and
 * whether they get other support; offer small organisers group dialogues (by shared school chief,
 * else by region); and show what the plan covers per facilitator hour. Pure: no I/O.
 */
import * as z from '#core/zod.ts';
import { schoolFormLabels } from './console-labels.ts';
import type { Organiser, SchoolForm } from './organiser.ts';

/** School forms the evaluation found easily overlooked in dialogues. */
export const overlookedForms: readonly SchoolForm[] = ['komvux', 'anpassad_grundskola', 'anpassad_gymnasieskola', 'fritidshem'];

const weight = (fallback: number) => z._default(z.number().check(z.gte(0), z.lte(100)), fallback);

export const planRequestSchema = z.strictObject({
  /** The previous cycles whose dialogues count as "already had a dialogue". */
  previousCycles: z._default(z.array(z.string().check(z.regex(/^\d{4}$/, 'a cycle is a year like "2025"'))).check(z.maxLength(10)), []),
  /** Organisers known to receive other support from Skolverket/SPSM (e.g. Samverkan för bästa skola). */
  otherSupport: z._default(z.array(z.string().check(z.maxLength(64))).check(z.maxLength(5000)), []),
  weights: z._default(
    z.strictObject({
      children: weight(3),
      overlookedForms: weight(1),
      noPreviousDialogue: weight(2),
      noOtherSupport: weight(1),
    }),
    { children: 3, overlookedForms: 1, noPreviousDialogue: 2, noOtherSupport: 1 },
  ),
  /** Below this many children an organiser is offered a group dialogue. */
  smallBelowChildren: z._default(z.number().check(z.int(), z.gte(0)), 50),
  groupSize: z._default(z.number().check(z.int(), z.gte(2), z.lte(20)), 6),
  /** Facilitator hours per individual dialogue and per group dialogue. */
  hoursPerDialogue: z._default(z.number().check(z.positive(), z.lte(200)), 6),
  hoursPerGroup: z._default(z.number().check(z.positive(), z.lte(200)), 8),
  /** Facilitator hours available in the cycle; the plan takes the best-ranked until they are used. */
  budgetHours: z._default(z.number().check(z.positive(), z.lte(1_000_000)), 2000),
  /** How many ranked organisers to list in the answer. */
  list: z._default(z.number().check(z.int(), z.gte(0), z.lte(5000)), 100),
});
export type PlanRequest = z.output<typeof planRequestSchema>;

export interface PlanCandidate {
  organiser: Pick<Organiser, 'id' | 'name' | 'legalForm' | 'region' | 'children' | 'schoolForms' | 'contacts'>;
  hadDialogue: boolean;
  otherSupport: boolean;
}

export interface RankedOrganiser {
  organiserId: string;
  name: string;
  children: number;
  score: number;
  reasons: string[];
}

export interface PlannedDialogue {
  kind: 'individual' | 'group';
  /** For groups: what the members share. */
  basis?: string;
  organiserIds: string[];
  children: number;
  hours: number;
  score: number;
}

export interface Plan {
  ranked: RankedOrganiser[];
  dialogues: PlannedDialogue[];
  coverage: {
    organisers: number;
    children: number;
    childrenTotal: number;
    shareOfChildren: number;
    hours: number;
    /** Share of all children reached per facilitator hour, in percentage points. */
    percentOfChildrenPerHour: number;
    groupDialogues: number;
  };
}

export function scoreCandidate(c: PlanCandidate, w: PlanRequest['weights'], maxChildren: number): RankedOrganiser {
  const o = c.organiser;
  const size = maxChildren > 0 ? Math.log1p(o.children) / Math.log1p(maxChildren) : 0;
  const overlooked = o.schoolForms.filter((f) => overlookedForms.includes(f));
  const parts: [number, string | undefined][] = [
    [w.children * size, `${o.children} barn`],
    [
      w.overlookedForms * (overlooked.length / overlookedForms.length),
      overlooked.length ? `skolformer som riskerar att förbises: ${overlooked.map((f) => schoolFormLabels[f]).join(', ')}` : undefined,
    ],
    [w.noPreviousDialogue * (c.hadDialogue ? 0 : 1), c.hadDialogue ? undefined : 'ingen tidigare kvalitetsdialog'],
    [w.noOtherSupport * (c.otherSupport ? 0 : 1), c.otherSupport ? undefined : 'får inget annat stöd'],
  ];
  return {
    organiserId: o.id,
    name: o.name,
    children: o.children,
    score: Math.round(parts.reduce((a, [s]) => a + s, 0) * 1000) / 1000,
    reasons: parts.flatMap(([, r]) => (r ? [r] : [])),
  };
}

const chiefOf = (o: PlanCandidate['organiser']): string | undefined =>
  o.contacts.find((c) => c.role === 'school_chief')?.email.toLowerCase();

export function buildPlan(candidates: PlanCandidate[], req: PlanRequest): Plan {
  const maxChildren = Math.max(0, ...candidates.map((c) => c.organiser.children));
  const byId = new Map(candidates.map((c) => [c.organiser.id, c]));
  const ranked = candidates
    .map((c) => scoreCandidate(c, req.weights, maxChildren))
    .sort((a, b) => b.score - a.score || b.children - a.children || a.organiserId.localeCompare(b.organiserId));

  // Small organisers go into groups: first those sharing a school chief, then by region.
  const small = ranked.filter((r) => r.children < req.smallBelowChildren);
  const grouped = new Set<string>();
  const groups: PlannedDialogue[] = [];
  const addGroups = (key: (r: RankedOrganiser) => string | undefined, label: string) => {
    const buckets = new Map<string, RankedOrganiser[]>();
    for (const r of small) {
      if (grouped.has(r.organiserId)) continue;
      const k = key(r);
      if (k) buckets.set(k, [...(buckets.get(k) ?? []), r]);
    }
    for (const [k, members] of buckets) {
      if (members.length < 2) continue;
      for (let i = 0; i < members.length; i += req.groupSize) {
        const chunk = members.slice(i, i + req.groupSize);
        if (chunk.length < 2) continue;
        for (const m of chunk) grouped.add(m.organiserId);
        groups.push({
          kind: 'group',
          basis: `${label} ${k}`,
          organiserIds: chunk.map((m) => m.organiserId),
          children: chunk.reduce((a, m) => a + m.children, 0),
          hours: req.hoursPerGroup,
          score: Math.max(...chunk.map((m) => m.score)),
        });
      }
    }
  };
  addGroups((r) => chiefOf(byId.get(r.organiserId)!.organiser), 'samma skolchef');
  addGroups((r) => byId.get(r.organiserId)!.organiser.region, 'region');

  const individual: PlannedDialogue[] = ranked
    .filter((r) => !grouped.has(r.organiserId))
    .map((r) => ({ kind: 'individual', organiserIds: [r.organiserId], children: r.children, hours: req.hoursPerDialogue, score: r.score }));
  const all = [...individual, ...groups].sort((a, b) => b.score - a.score || b.children - a.children);

  const dialogues: PlannedDialogue[] = [];
  let hours = 0;
  for (const d of all) {
    if (hours + d.hours > req.budgetHours) continue;
    dialogues.push(d);
    hours += d.hours;
  }
  const childrenTotal = candidates.reduce((a, c) => a + c.organiser.children, 0);
  const children = dialogues.reduce((a, d) => a + d.children, 0);
  const share = childrenTotal > 0 ? children / childrenTotal : 0;
  return {
    ranked: ranked.slice(0, req.list),
    dialogues,
    coverage: {
      organisers: dialogues.reduce((a, d) => a + d.organiserIds.length, 0),
      children,
      childrenTotal,
      shareOfChildren: Math.round(share * 10_000) / 10_000,
      hours,
      percentOfChildrenPerHour: hours > 0 ? Math.round(((share * 100) / hours) * 10_000) / 10_000 : 0,
      groupDialogues: dialogues.filter((d) => d.kind === 'group').length,
    },
  };
}
