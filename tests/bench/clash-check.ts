/**
 * Clash-check benchmark at national scale: starts the embedded runtime in a temp folder, seeds
 * 20,000 inspections for 2,800 organisers with BatchWriteItem, runs 2,000 clash checks for random
 * organisers, kinds and days, and prints latency p50/p95 and DynamoDB requests per check (counted
 * by an SDK middleware). Every answer is compared with a brute-force check over the whole
 * calendar in memory. Figures go to .bench/clash-check.json.
 *
 *   npm run bench:clash        (BENCH_ORGANISERS, BENCH_INSPECTIONS, BENCH_CHECKS override the sizes)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { evaluateClash, type PlannedKind, plannedKinds } from '#core/clash.ts';
import { addCalendarDays, type Inspection, stockholmTime } from '#core/inspection.ts';
import { DynamoCalendarRepository } from '#adapters/calendar-repository.ts';
import { checkClash } from '#functions/use-cases/clash.ts';
import { startLocalRuntime } from '#infra/local/runtime.ts';
import { generateCalendar, prng, scaleOrganiserId, seedCalendar } from '../support/calendar-seed.ts';
import { countingDocClient } from '../support/counting-client.ts';

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

const ORGANISERS = Number(process.env.BENCH_ORGANISERS ?? 2800);
const INSPECTIONS = Number(process.env.BENCH_INSPECTIONS ?? 20_000);
const CHECKS = Number(process.env.BENCH_CHECKS ?? 2000);

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
const round = (n: number) => Math.round(n * 100) / 100;

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'kd-bench-'));
  const runtime = await startLocalRuntime({
    dataDir,
    port: 0,
    sesPort: 0,
    seed: false,
    tickMs: 3_600_000,
    coordinatorToken: 'bench-coordinator-token-01',
    inspectorateToken: 'bench-inspectorate-token-01',
  });
  const counting = countingDocClient(runtime.urls.dynamodb);
  try {
    const table = runtime.deps.env.TABLE_NAME;
    const calendar = generateCalendar(ORGANISERS, INSPECTIONS);
    const seedStart = performance.now();
    await seedCalendar(counting.doc, table, calendar, ORGANISERS);
    const seedMs = performance.now() - seedStart;

    const byOrganiser = new Map<string, Inspection[]>();
    for (const i of calendar) byOrganiser.set(i.organiserId, [...(byOrganiser.get(i.organiserId) ?? []), i]);
    const d = { calendar: new DynamoCalendarRepository(counting.doc, table), clashRules: runtime.deps.clashRules };
    const rand = prng(42);
    const slot = () => {
      const organiserId = scaleOrganiserId(Math.floor(rand() * ORGANISERS));
      const kind = plannedKinds[Math.floor(rand() * plannedKinds.length)] as PlannedKind;
      const day = addCalendarDays('2026-01-05', Math.floor(rand() * 720));
      return { organiserId, kind, start: stockholmTime(day, 9).toISOString(), end: stockholmTime(day, 12).toISOString() };
    };
    for (let i = 0; i < 50; i++) await checkClash(d, slot()); // warm-up

    const latencies: number[] = [];
    let maxRequests = 0;
    let clashes = 0;
    let mismatches = 0;
    const before = counting.counter.requests;
    for (let i = 0; i < CHECKS; i++) {
      const s = slot();
      const r0 = counting.counter.requests;
      const t0 = performance.now();
      const result = await checkClash(d, s);
      latencies.push(performance.now() - t0);
      maxRequests = Math.max(maxRequests, counting.counter.requests - r0);
      if (!result.ok) clashes++;
      if (result.ok !== evaluateClash(d.clashRules, s, byOrganiser.get(s.organiserId) ?? []).ok) mismatches++;
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const figures = {
      at: new Date().toISOString(),
      organisers: ORGANISERS,
      inspections: INSPECTIONS,
      checks: CHECKS,
      seedSeconds: round(seedMs / 1000),
      latencyMs: {
        p50: round(percentile(sorted, 50)),
        p95: round(percentile(sorted, 95)),
        p99: round(percentile(sorted, 99)),
        max: round(sorted.at(-1) ?? 0),
      },
      dynamoRequestsPerCheck: { mean: round((counting.counter.requests - before) / CHECKS), max: maxRequests },
      clashingSlots: clashes,
      mismatchesAgainstBruteForce: mismatches,
      store: 'dynalite (local)',
    };
    mkdirSync('.bench', { recursive: true });
    writeFileSync(join('.bench', 'clash-check.json'), `${JSON.stringify(figures, null, 2)}\n`);
    console.log(`clash check: ${INSPECTIONS} inspections, ${ORGANISERS} organisers, ${CHECKS} checks (seeded in ${figures.seedSeconds} s)`);
    console.log(`  latency p50 ${figures.latencyMs.p50} ms, p95 ${figures.latencyMs.p95} ms, p99 ${figures.latencyMs.p99} ms`);
    console.log(`  DynamoDB requests per check: mean ${figures.dynamoRequestsPerCheck.mean}, max ${figures.dynamoRequestsPerCheck.max}`);
    console.log(`  ${clashes} slots clashed; ${mismatches} answers differed from a brute-force check`);
    console.log('  written to .bench/clash-check.json');
    if (mismatches > 0 || maxRequests > 2) process.exitCode = 1;
  } finally {
    counting.destroy();
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
