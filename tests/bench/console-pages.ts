/**
 * Console page timings at national scale: starts the embedded runtime in a temp folder, writes
 * 2,800 dialogue records (a deterministic mix of states, regions, legal forms, sizes and pairs),
 * signs in and loads the busiest pages several times each: the list (unfiltered, a facilitator,
 * a state), the metrics page and a CSV, and the inspectorate page.
 * Prints p50/max per page. Not a test.
 *
 *   npx tsx tests/bench/console-pages.ts      (BENCH_DIALOGUES, BENCH_RUNS override the sizes)
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type Dialogue, dialogueStates } from '#core/dialogue.ts';
import { isMunicipal, legalForms } from '#core/organiser.ts';
import { regions } from '#core/regions.ts';
import { startLocalRuntime } from '#infra/local/runtime.ts';

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
const N = Number(process.env.BENCH_DIALOGUES ?? 2800);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'kd-bench-console-'));
  const runtime = await startLocalRuntime({ dataDir, port: 0, sesPort: 0, seed: false, tickMs: 3_600_000 });
  try {
    const regionIds = Object.keys(regions);
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < N; i++) {
      const state = dialogueStates[(i * 7) % dialogueStates.length] as Dialogue['state'];
      const legalForm = legalForms[(i * 3) % legalForms.length] as Dialogue['legalForm'];
      const at = new Date(t0 + i * 60_000).toISOString();
      writes.push(
        runtime.deps.dialogues.create({
          id: `dlg-${randomUUID()}`,
          organiserId: `org-${i}`,
          organiserName: `Huvudman ${i}`,
          cycle: '2026',
          region: regionIds[i % regionIds.length] as string,
          legalForm,
          municipal: isMunicipal(legalForm),
          state,
          recipients: [],
          reminders: 0,
          history: [
            { at, type: 'created', state: 'created' },
            { at, type: 'invitation_sent', state: 'invited' },
          ],
          schoolForms: i % 2 ? ['forskola'] : ['grundskola', 'fritidshem'],
          children: (i * 37) % 5000,
          ...(i % 3 === 0 ? { pair: { skolverket: `sv-${i % 20}`, spsm: `sp-${i % 17}` } } : {}),
          createdAt: at,
          updatedAt: at,
          version: 1,
        }),
      );
      if (writes.length >= 50) await Promise.all(writes.splice(0));
    }
    await Promise.all(writes);
    const login = async (role: string) => {
      const r = await fetch(`${runtime.urls.app}/console/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ name: 'Bench', role }).toString(),
      });
      return (r.headers.get('set-cookie') ?? '').split(';')[0] as string;
    };
    const [coordinator, inspectorate] = [await login('coordinator'), await login('inspectorate')];
    const pages: [string, string, string][] = [
      ['list, unfiltered', '/console', coordinator],
      ['list, facilitator filter', '/console?facilitator=sp-3', coordinator],
      ['list, one state', '/console?state=invited', coordinator],
      ['metrics page', '/console/metrics', coordinator],
      ['metrics CSV (size bands)', '/console/metrics/storlek.csv', coordinator],
      ['inspectorate page', '/console/inspection', inspectorate],
    ];
    console.log(`console pages over ${N} dialogues, ${RUNS} loads each (ms)`);
    for (const [name, path, cookie] of pages) {
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const start = performance.now();
        const r = await fetch(`${runtime.urls.app}${path}`, { headers: { cookie } });
        await r.text();
        if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
        times.push(performance.now() - start);
      }
      times.sort((a, b) => a - b);
      console.log(`${name.padEnd(46)} p50 ${Math.round(times[Math.floor(times.length / 2)] ?? 0)}  max ${Math.round(times.at(-1) ?? 0)}`);
    }
  } finally {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
