/**
 * Statistics per cycle (and per campaign) from the facts index: counts per legal form × state and
 * per phase, and the console's outcome tables. What keeps the index exact is in facts-upkeep.ts.
 */
import * as z from '#core/zod.ts';
import { type DialogueFacts, shortHash } from '#core/facts.ts';
import { computeMetrics, countStates, type Metrics, type StateCounts } from '#core/metrics.ts';
import { ValidationError } from '#core/errors.ts';
import type { Deps } from '#adapters/deps.ts';
import { parseOrThrow } from './validate.ts';

/** 'alla': every cycle (the cost grows with the number of cycles; the default is the latest one). */
export const ALL_CYCLES = 'alla';

const emptyIsAbsent = <T extends z.core.SomeType>(s: T) =>
  z.optional(
    z.pipe(
      z.transform((v: unknown) => (v === '' ? undefined : v)),
      z.optional(s),
    ),
  );

export const statisticsQuerySchema = z.object({
  cycle: emptyIsAbsent(z.union([z.string().check(z.regex(/^\d{4}$/, 'Välj en omgång (ett år).')), z.literal(ALL_CYCLES)])),
  campaign: emptyIsAbsent(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,80}$/, 'Välj en kampanj i listan.'))),
});
export type StatisticsQuery = z.output<typeof statisticsQuerySchema>;

export interface CampaignChoice {
  id: string;
  name: string;
  cycle: string;
}

export interface CycleFacts {
  /** Every cycle with dialogues, ascending. */
  cycles: string[];
  /** The cycle read; undefined for all cycles (or when there are none). */
  cycle?: string;
  facts: DialogueFacts[];
}

/** The facts of one cycle (the latest when none is named) or of all cycles. */
export async function readCycleFacts(d: Deps, cycle?: string): Promise<CycleFacts> {
  const cycles = await d.facts.cycles();
  if (cycle === ALL_CYCLES) return { cycles, facts: (await Promise.all(cycles.map((c) => d.facts.cycle(c)))).flat() };
  const chosen = cycle ?? cycles.at(-1);
  if (!chosen) return { cycles, facts: [] };
  return { cycles, cycle: chosen, facts: await d.facts.cycle(chosen) };
}

export interface CycleStatistics {
  cycles: string[];
  /** The cycle shown; undefined for all cycles. */
  cycle?: string;
  /** The campaigns of the cycle shown (of every cycle for all). */
  campaigns: CampaignChoice[];
  /** The campaign shown, if the statistics are of one campaign. */
  campaign?: CampaignChoice;
  /** Per legal form × state, per state and per phase. */
  counts: StateCounts;
  /** The outcome tables, decline reasons and time per phase. */
  metrics: Metrics;
}

/**
 * The statistics of one cycle (default: the latest), optionally of one campaign in it. Reads the
 * cycle's facts (8 Queries) and the campaign list; its cost does not depend on how many cycles exist.
 */
export async function cycleStatistics(d: Deps, raw: unknown = {}): Promise<CycleStatistics> {
  const q = parseOrThrow(statisticsQuerySchema, raw, 'filter');
  const all = await d.campaigns.list();
  const chosenCampaign = q.campaign ? all.find((c) => c.id === q.campaign) : undefined;
  if (q.campaign && !chosenCampaign) throw new ValidationError('Kampanjen finns inte.');
  const { cycles, cycle, facts } = await readCycleFacts(d, chosenCampaign?.cycle ?? q.cycle);
  const campaigns = all.filter((c) => cycle === undefined || c.cycle === cycle).map((c) => ({ id: c.id, name: c.name, cycle: c.cycle }));
  const hash = chosenCampaign ? shortHash(chosenCampaign.id) : undefined;
  const shown = hash ? facts.filter((f) => f.campaign === hash) : facts;
  return {
    cycles,
    cycle,
    campaigns,
    campaign: chosenCampaign ? { id: chosenCampaign.id, name: chosenCampaign.name, cycle: chosenCampaign.cycle } : undefined,
    counts: countStates(shown),
    metrics: computeMetrics(shown),
  };
}
