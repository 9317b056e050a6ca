/**
 * The console's statistics, for all dialogues or one cycle or one campaign: the metrics tables
 * (core/metrics.ts), the funnel over the nine steps, and, for a campaign, its progress over time.
 * Read from the dialogue records (every state's dialogues from the byState index, never a Scan).
 */
import * as z from '#core/zod.ts';
import { type Dialogue, dialogueStates } from '#core/dialogue.ts';
import { funnel } from '#core/dialogue-steps.ts';
import { computeMetrics, type Metrics } from '#core/metrics.ts';
import { progressOverTime, type ProgressSeries } from '#core/progress.ts';
import type { Deps } from '#adapters/deps.ts';
import { parseOrThrow } from './validate.ts';

const blankIsAbsent = <T extends z.core.SomeType>(s: T) =>
  z.optional(
    z.pipe(
      z.transform((v: unknown) => (v === '' ? undefined : v)),
      z.optional(s),
    ),
  );

export const statisticsQuerySchema = z.object({
  omgang: blankIsAbsent(z.string().check(z.regex(/^[0-9A-Za-z_-]{1,40}$/, 'Välj en omgång i listan.'))),
  kampanj: blankIsAbsent(z.string().check(z.regex(/^[0-9A-Za-z_-]{1,80}$/, 'Välj en kampanj i listan.'))),
});
export type StatisticsQuery = z.output<typeof statisticsQuerySchema>;

export interface Statistics {
  query: StatisticsQuery;
  metrics: Metrics;
  funnel: ReturnType<typeof funnel>;
  /** Set when one campaign is chosen. */
  progress?: ProgressSeries;
  cycles: string[];
  campaigns: { id: string; name: string }[];
}

/** Every dialogue (paged internally by state from the byState index; never a Scan). */
async function allDialogues(d: Deps): Promise<Dialogue[]> {
  return (await Promise.all(dialogueStates.map((s) => d.queries.allInState(s)))).flat();
}

export async function statistics(d: Deps, raw: unknown): Promise<Statistics> {
  const query = parseOrThrow(statisticsQuerySchema, raw, 'filter');
  const [all, campaigns] = await Promise.all([allDialogues(d), d.campaigns.list()]);
  const chosen = all.filter((x) => (!query.omgang || x.cycle === query.omgang) && (!query.kampanj || x.campaignId === query.kampanj));
  return {
    query,
    metrics: computeMetrics(chosen),
    funnel: funnel(chosen),
    ...(query.kampanj ? { progress: progressOverTime(chosen, d.clock.now()) } : {}),
    cycles: [...new Set(all.map((x) => x.cycle))].sort().reverse(),
    campaigns: campaigns.map((c) => ({ id: c.id, name: c.name })),
  };
}
