/**
 * `npx tsx tests/bench/search.ts [-- --organisers 2806 --searches 300]` (not a test): loads a
 * generated population (one dialogue each) into a fresh runtime and times `GET /api/dialogues?q=`
 * as a coordinator would search: org. numbers with and without the dash, the start of a word of a
 * name typed without å/ä/ö, two words, and dialogue ids. Prints p50/p95 and the DynamoDB read units
 * per search. `benchSearch(opts)` is exported for the main bench table.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { organiserInputSchema, toOrganiser } from '#core/organiser.ts';
import { generatePopulation } from '#core/population.ts';
import { normalise } from '#core/search.ts';
import { startLocalRuntime } from '#infra/local/runtime.ts';
import { DynamoMeter } from './dynamo-meter.ts';

export interface SearchBenchResult {
  organisers: number;
  searches: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** DynamoDB read units per search (mean). */
  rcu: number;
  /** Searches that did not find the organiser they were made from (must be 0). */
  missed: number;
  /** A word most names share ("förskola"): every organiser found, sorted and counted. */
  commonWord: { q: string; organisers: number; p95Ms: number; rcu: number };
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)] ?? 0;

export async function benchSearch(
  opts: { organisers?: number; searches?: number; seed?: number; log?: (s: string) => void } = {},
): Promise<SearchBenchResult> {
  const log = opts.log ?? (() => undefined);
  const dataDir = mkdtempSync(join(tmpdir(), 'kd-bench-search-'));
  const runtime = await startLocalRuntime({ dataDir, port: 0, sesPort: 0, seed: false, tickMs: 3_600_000, campaignPassMs: 3_600_000 });
  try {
    const population = generatePopulation({ organisers: opts.organisers ?? 2806, seed: opts.seed ?? 42 }).map((o) =>
      toOrganiser(organiserInputSchema.parse(o), runtime.clock.now()),
    );
    log(`search: loading ${population.length} organisers with a dialogue each`);
    const at = runtime.clock.now().toISOString();
    const dialogueOf = new Map<string, string>();
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < population.length) {
          const o = population[next++]!;
          await runtime.deps.organisers.put(o);
          const id = `dlg-${randomUUID()}`;
          dialogueOf.set(o.id, id);
          await runtime.deps.dialogues.create({
            id,
            organiserId: o.id,
            organiserName: o.name,
            cycle: '2026',
            region: o.region,
            legalForm: o.legalForm,
            municipal: o.municipal,
            state: 'invited',
            recipients: [],
            reminders: 0,
            history: [{ at, type: 'created', state: 'created' }],
            schoolForms: o.schoolForms,
            children: o.children,
            createdAt: at,
            updatedAt: at,
            version: 1,
          });
        }
      }),
    );

    // What coordinators type, each made from one organiser it must find.
    let seed = opts.seed ?? 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const queries: { q: string; organiserId: string }[] = [];
    const count = opts.searches ?? 300;
    for (let i = 0; i < count; i++) {
      const o = population[Math.floor(random() * population.length)]!;
      // The name's own first word (as "Ekbäckens" in "Ekbäckens förskola AB"), typed in part and without å/ä/ö.
      const words = normalise(o.name)
        .split(/[^a-z0-9]+/)
        .filter((w) => w.length >= 2);
      const first = words[0] ?? o.orgNumber;
      const kinds = [
        o.orgNumber,
        `${o.orgNumber.slice(0, 6)}-${o.orgNumber.slice(6)}`,
        first.slice(0, Math.max(3, Math.ceil(first.length * 0.6))),
        words.slice(0, 2).join(' '),
        dialogueOf.get(o.id)!,
      ];
      queries.push({ q: kinds[i % kinds.length]!, organiserId: o.id });
    }

    const meter = new DynamoMeter();
    meter.install((runtime.deps.organisers as unknown as { doc: Parameters<DynamoMeter['install']>[0] }).doc);
    const headers = { authorization: `Bearer ${runtime.tokens.coordinator}` };
    const times: number[] = [];
    const byKind = new Map<number, number[]>();
    let readUnits = 0;
    let missed = 0;
    for (const [i, { q, organiserId }] of queries.entries()) {
      // One request is the measured search (its first page of 25 organisers); later pages only check
      // that the organiser it was made from is among the results.
      let cursor: string | undefined;
      let found = false;
      for (let pages = 0; pages < 200 && !found; pages++) {
        const before = meter.readUnits;
        const t = performance.now();
        const res = await fetch(`${runtime.urls.app}/api/dialogues?${new URLSearchParams({ q, ...(cursor ? { cursor } : {}) })}`, {
          headers,
        });
        const body = (await res.json()) as { items: { organiserId: string }[]; organisers?: { organiserId: string }[]; cursor?: string };
        if (res.status !== 200) throw new Error(`search ${q}: ${res.status}`);
        if (pages === 0) {
          const ms = performance.now() - t;
          times.push(ms);
          byKind.set(i % 5, [...(byKind.get(i % 5) ?? []), ms]);
          readUnits += meter.readUnits - before;
        }
        found =
          body.items.some((x) => x.organiserId === organiserId) || Boolean(body.organisers?.some((x) => x.organiserId === organiserId));
        cursor = body.cursor;
        if (!cursor) break;
      }
      if (!found) missed++;
    }
    log(
      `search p95 by kind (org. number, with dash, word prefix, two words, dialogue id): ${[...byKind.keys()]
        .sort()
        .map((k) => round(percentile(byKind.get(k) ?? [], 95)))
        .join(' / ')} ms`,
    );
    const common: number[] = [];
    const commonBefore = meter.readUnits;
    let commonTotal = 0;
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      const res = await fetch(`${runtime.urls.app}/api/dialogues?${new URLSearchParams({ q: 'forskola' })}`, { headers });
      commonTotal = ((await res.json()) as { total: number }).total;
      common.push(performance.now() - t);
    }
    return {
      commonWord: {
        q: 'forskola',
        organisers: commonTotal,
        p95Ms: round(percentile(common, 95)),
        rcu: round((meter.readUnits - commonBefore) / 20, 2),
      },
      organisers: population.length,
      searches: times.length,
      p50Ms: round(percentile(times, 50)),
      p95Ms: round(percentile(times, 95)),
      maxMs: round(Math.max(...times)),
      rcu: round(readUnits / times.length, 2),
      missed,
    };
  } finally {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const { values } = parseArgs({ options: { organisers: { type: 'string' }, searches: { type: 'string' } } });
  const r = await benchSearch({
    organisers: values.organisers ? Number(values.organisers) : undefined,
    searches: values.searches ? Number(values.searches) : undefined,
    log: (s) => process.stderr.write(`[bench:search] ${s}\n`),
  });
  console.log(JSON.stringify(r, null, 2));
  console.log(
    `\nsearch at ${r.organisers} organisers: p50 ${r.p50Ms} ms, p95 ${r.p95Ms} ms (target ≤ 100 ms: ${r.p95Ms <= 100 ? 'met' : 'missed'}), ${r.rcu} RCU per search, ${r.missed} missed; ` +
      `"${r.commonWord.q}" (${r.commonWord.organisers} organisers): p95 ${r.commonWord.p95Ms} ms, ${r.commonWord.rcu} RCU`,
  );
}
