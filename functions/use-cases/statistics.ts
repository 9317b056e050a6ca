/**
 * Statistics per cycle (and per campaign) from the facts index: counts per legal form × state and
 * per phase, and the console's outcome tables. Also what keeps the index exact: the sweep that
 * re-checks recently changed dialogues (a crash between a change and its facts write is repaired
 * within one scheduler tick) and the rebuild that recomputes every cycle from the records.
 */
import * as z from '#core/zod.ts';
import { type DialogueFacts, factsOf, shortHash } from '#core/facts.ts';
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

// ---- keeping the index exact --------------------------------------------------------------------

/** Changes younger than this are left to their own write; the sweep checks them at the next tick. */
const SWEEP_SETTLE_MS = 60_000;
/** A first sweep (no mark stored) looks back this far. */
const SWEEP_FIRST_LOOKBACK_MS = 24 * 3_600_000;

/**
 * Re-checks the facts of every dialogue changed since the last sweep (the byState index by
 * updatedAt, 27 Queries) against the index and writes the ones that differ: a crash between a
 * dialogue's change and its facts write is repaired here. Runs on each scheduler tick.
 */
type IndexDeps = Pick<Deps, 'clock' | 'facts' | 'search' | 'dialogues' | 'organisers' | 'queries'>;

/** What the facts and the search words are built by; a store built by an older version is rebuilt. */
export const INDEX_VERSION = 1;

export async function sweepFacts(d: Pick<Deps, 'clock' | 'facts' | 'queries'>): Promise<{ checked: number; repaired: number }> {
  const until = new Date(d.clock.now().getTime() - SWEEP_SETTLE_MS).toISOString();
  const mark = await d.facts.sweepMark();
  const from = mark ?? new Date(Date.parse(until) - SWEEP_FIRST_LOOKBACK_MS).toISOString();
  if (from >= until) return { checked: 0, repaired: 0 };
  const changed = await d.queries.changedBetween(from, until);
  let repaired = 0;
  const byCycle = new Map<string, typeof changed>();
  for (const x of changed) byCycle.set(x.cycle, [...(byCycle.get(x.cycle) ?? []), x]);
  for (const [cycle, xs] of byCycle) {
    const stored = await d.facts.stored(
      cycle,
      xs.map((x) => x.id),
    );
    for (const x of xs) {
      const f = factsOf(x);
      const s = stored.get(x.id);
      if (s && s.version >= f.version) continue;
      await d.facts.put(cycle, f);
      repaired++;
    }
  }
  if (changed.length > 0 || mark === undefined) await d.facts.setSweepMark(until);
  return { checked: changed.length, repaired };
}

/**
 * Recomputes the facts index of every cycle and the organisers' search words from the records
 * (`npm run rebuild`): after a change of the facts' definition, or to prove the index right. Reads
 * every dialogue and organiser once (byKind index, page by page).
 */
export async function rebuildIndexes(
  d: IndexDeps,
  log: (line: string) => void = () => undefined,
): Promise<{ dialogues: number; cycles: string[]; organisers: number }> {
  const startedAt = d.clock.now().toISOString();
  const perCycle = new Map<string, DialogueFacts[]>();
  let dialogues = 0;
  let cursor: string | undefined;
  do {
    const page = await d.dialogues.list({}, 500, cursor);
    for (const x of page.items) {
      perCycle.set(x.cycle, [...(perCycle.get(x.cycle) ?? []), factsOf(x)]);
      dialogues++;
    }
    cursor = page.cursor;
  } while (cursor);
  for (const cycle of await d.facts.cycles()) if (!perCycle.has(cycle)) perCycle.set(cycle, []);
  for (const [cycle, facts] of [...perCycle].sort(([a], [b]) => a.localeCompare(b))) {
    await d.facts.replaceCycle(cycle, facts);
    log(`cycle ${cycle}: ${facts.length} dialogues`);
  }
  let organisers = 0;
  cursor = undefined;
  do {
    const page = await d.organisers.list(500, cursor);
    for (const o of page.items) {
      await d.search.index(undefined, o);
      organisers++;
    }
    cursor = page.cursor;
  } while (cursor);
  log(`search words of ${organisers} organisers`);
  // Dialogues that changed while the rebuild ran are checked again (a live write may have raced it).
  await d.facts.setSweepMark(startedAt);
  await sweepFacts(d);
  await d.facts.setBuiltVersion(INDEX_VERSION);
  return { dialogues, cycles: [...perCycle.keys()].sort(), organisers };
}
