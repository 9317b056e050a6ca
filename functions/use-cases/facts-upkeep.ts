/**
 * What keeps the facts index (statistics.ts, console-list.ts) exact: the sweep on every scheduler
 * tick that re-checks the dialogues changed since the last one (a crash between a change and its
 * facts write is repaired within a tick), and the rebuild that recomputes every cycle and the
 * organisers' search words from the records (`npm run rebuild`).
 */
import { type DialogueFacts, encodeFacts, factsOf } from '#core/facts.ts';
import type { Dialogue } from '#core/dialogue.ts';
import type { FactsRebuild } from '#core/ports.ts';
import type { Deps } from '#adapters/deps.ts';

/** Changes younger than this are left to their own write; the sweep checks them at the next tick. */
const SWEEP_SETTLE_MS = 60_000;
/** A first sweep (no mark stored) looks back this far. */
const SWEEP_FIRST_LOOKBACK_MS = 24 * 3_600_000;
/** How long after this version's first sweep an earlier version may still write (its invocations end). */
const EARLIER_WRITERS_MS = 15 * 60_000;

/**
 * Re-checks the facts of every dialogue changed since the last sweep (the byKind index by last
 * change: one Query; while earlier versions may still write, the byState index by updatedAt, 27
 * Queries) against the index and writes the ones whose facts differ: a crash between a dialogue's
 * change and its facts write is repaired here. Runs on each scheduler tick.
 */
type IndexDeps = Pick<Deps, 'clock' | 'facts' | 'search' | 'dialogues' | 'organisers' | 'queries'>;

/** What the facts and the search words are built by; a store built by an older version is rebuilt. */
export const INDEX_VERSION = 4;

/** What a sweep read: every dialogue whose last change lies in (from, to], as it stands. */
export interface SweptChanges {
  from: string;
  to: string;
  dialogues: Dialogue[];
}

export async function sweepFacts(
  d: Pick<Deps, 'clock' | 'facts' | 'queries'>,
): Promise<{ checked: number; repaired: number; seen?: SweptChanges }> {
  const now = d.clock.now();
  const until = new Date(now.getTime() - SWEEP_SETTLE_MS).toISOString();
  const mark = await d.facts.sweepMark();
  const from = mark?.at ?? new Date(Date.parse(until) - SWEEP_FIRST_LOOKBACK_MS).toISOString();
  if (from >= until) return { checked: 0, repaired: 0 };
  // The first sweep of this version: earlier versions may go on writing for a while (their byKind key is the creation time).
  const byChangeFrom = mark?.byChangeFrom ?? new Date(now.getTime() + EARLIER_WRITERS_MS).toISOString();
  const byState = from < byChangeFrom;
  // Read up to now (the waiting gauge keeps itself from them); the facts of the last minute's changes are left to their writers.
  const to = now.toISOString();
  const seen = byState ? await d.queries.changedBetweenByState(from, to) : await d.queries.changedBetween(from, to);
  const changed = seen.filter((x) => x.updatedAt <= until);
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
      // Stored from this version or a later one, or only the version differs (the writer leaves those).
      if (s && (s.version >= f.version || encodeFacts({ ...s, version: f.version }) === encodeFacts(f))) continue;
      await d.facts.put(cycle, f);
      repaired++;
    }
  }
  if (changed.length > 0 || mark?.byChangeFrom === undefined || byState) await d.facts.setSweepMark({ at: until, byChangeFrom });
  return { checked: changed.length, repaired, seen: { from, to, dialogues: seen } };
}

/**
 * Recomputes the facts index of every cycle and the organisers' search words from the records
 * (`npm run rebuild`): after a change of the facts' definition, or to prove the index right. Reads
 * every dialogue and organiser once (byKind index, page by page).
 */
export async function rebuildIndexes(
  d: IndexDeps,
  rebuild: FactsRebuild,
  log: (line: string) => void = () => undefined,
): Promise<{ dialogues: number; cycles: string[]; organisers: number }> {
  const startedAt = d.clock.now().toISOString();
  // By id: the index lists dialogues by their last change, so one changed while this reads is read again (the later wins).
  const perCycle = new Map<string, Map<string, DialogueFacts>>();
  const ids = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await d.dialogues.list({}, 500, cursor);
    for (const x of page.items) {
      const facts = perCycle.get(x.cycle) ?? new Map<string, DialogueFacts>();
      facts.set(x.id, factsOf(x));
      perCycle.set(x.cycle, facts);
      ids.add(x.id);
    }
    cursor = page.cursor;
  } while (cursor);
  const dialogues = ids.size;
  for (const cycle of await d.facts.cycles()) if (!perCycle.has(cycle)) perCycle.set(cycle, new Map());
  for (const [cycle, facts] of [...perCycle].sort(([a], [b]) => a.localeCompare(b))) {
    await rebuild.replaceCycle(cycle, [...facts.values()]);
    log(`cycle ${cycle}: ${facts.size} dialogues`);
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
  await d.facts.setSweepMark({ at: startedAt, byChangeFrom: (await d.facts.sweepMark())?.byChangeFrom ?? startedAt });
  await sweepFacts(d);
  await rebuild.setBuiltVersion(INDEX_VERSION);
  return { dialogues, cycles: [...perCycle.keys()].sort(), organisers };
}
