/**
 * The console's statistics for one cycle (the latest by default), one campaign, or all cycles,
 * from the facts index (one read of the cycle's facts; what keeps them exact is in facts-upkeep.ts):
 * counts per legal form × state and per phase, the metrics tables (core/metrics.ts), the funnel
 * over the nine steps and, for a campaign, its progress over time. The cost of a cycle's or a
 * campaign's statistics does not grow with the number of cycles; all cycles at once read each.
 */
import * as z from '#core/zod.ts';
import { dialogueSteps, stepLabels } from '#core/dialogue-steps.ts';
import { type DialogueFacts, shortHash } from '#core/facts.ts';
import { computeMetrics, countStates, type Metrics, type StateCounts } from '#core/metrics.ts';
import { type ProgressSeries, progressOfFacts } from '#core/progress.ts';
import type { Deps } from '#adapters/deps.ts';
import { parseOrThrow } from './validate.ts';

/** 'alla': every cycle (the cost grows with the number of cycles; the default is the latest one). */
export const ALL_CYCLES = 'alla';

const blankIsAbsent = <T extends z.core.SomeType>(s: T) =>
  z.optional(
    z.pipe(
      z.transform((v: unknown) => (v === '' ? undefined : v)),
      z.optional(s),
    ),
  );

export const statisticsQuerySchema = z.strictObject({
  /** A cycle, or 'alla'; the latest cycle when absent. */
  omgang: blankIsAbsent(z.string().check(z.regex(/^[0-9A-Za-z_-]{1,40}$/, 'Välj en omgång i listan.'))),
  /** A campaign (its cycle is the one shown). */
  kampanj: blankIsAbsent(z.string().check(z.regex(/^[0-9A-Za-z_-]{1,80}$/, 'Välj en kampanj i listan.'))),
});
export type StatisticsQuery = z.output<typeof statisticsQuerySchema>;

export interface CycleFacts {
  /** Every cycle with dialogues, ascending. */
  cycles: string[];
  /** The cycle read; undefined for all cycles (or when there are none). */
  cycle?: string;
  facts: DialogueFacts[];
}

/** The facts of one cycle (the latest when none is named) or of all cycles ('alla'). */
export async function readCycleFacts(d: Deps, cycle?: string): Promise<CycleFacts> {
  const cycles = await d.facts.cycles();
  if (cycle === ALL_CYCLES) return { cycles, facts: (await Promise.all(cycles.map((c) => d.facts.cycle(c)))).flat() };
  const chosen = cycle ?? cycles.at(-1);
  if (!chosen) return { cycles, facts: [] };
  return { cycles, cycle: chosen, facts: await d.facts.cycle(chosen) };
}

export interface Statistics {
  query: StatisticsQuery;
  /** The cycle shown; undefined for all cycles. */
  cycle?: string;
  /** Every cycle with dialogues, newest first. */
  cycles: string[];
  /** Every campaign, newest first. */
  campaigns: { id: string; name: string; cycle: string }[];
  /** The campaign shown, if the statistics are of one. */
  campaign?: { id: string; name: string; cycle: string };
  /** Per legal form × state, per state and per phase. */
  counts: StateCounts;
  /** The outcome tables, decline reasons and time per phase. */
  metrics: Metrics;
  /** How many completed each of the nine steps. */
  funnel: { step: (typeof dialogueSteps)[number]; label: string; count: number }[];
  /** Set when one campaign is chosen. */
  progress?: ProgressSeries;
}

export async function statistics(d: Deps, raw: unknown = {}): Promise<Statistics> {
  const query = parseOrThrow(statisticsQuerySchema, raw, 'filter');
  const all = await d.campaigns.list();
  // A campaign shows its own cycle; an unknown campaign or cycle shows no dialogues.
  const chosen = query.kampanj ? all.find((c) => c.id === query.kampanj) : undefined;
  const { cycles, cycle, facts } = await readCycleFacts(d, chosen?.cycle ?? query.omgang);
  const hash = query.kampanj ? shortHash(query.kampanj) : undefined;
  const shown = hash ? facts.filter((f) => f.campaign === hash) : facts;
  return {
    query,
    cycle,
    cycles: [...cycles].reverse(),
    campaigns: all.map((c) => ({ id: c.id, name: c.name, cycle: c.cycle })),
    campaign: chosen ? { id: chosen.id, name: chosen.name, cycle: chosen.cycle } : undefined,
    counts: countStates(shown),
    metrics: computeMetrics(shown),
    funnel: dialogueSteps.map((step) => ({ step, label: stepLabels[step], count: shown.filter((f) => f.steps.includes(step)).length })),
    ...(query.kampanj ? { progress: progressOfFacts(shown, d.clock.now()) } : {}),
  };
}
