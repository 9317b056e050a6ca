/**
 * Calendar-feed benchmark: starts the embedded runtime in a temp folder, writes planned dialogue
 * dates for 2,806 organisers (BENCH_WINDOWS windows, by default the feed's cap of 6,000) and times
 * the inspectorate's subscription over HTTP (size, p50 and max of BENCH_RUNS fetches) and a page of
 * 500 from GET /api/planned-dates. Every fetched feed is parsed back with ical.js and must hold
 * every window. Figures go to .bench/feeds.json.
 *
 *   npm run bench:feeds
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { opaqueUid, type PlannedWindow } from '#core/planned-dates.ts';
import { startLocalRuntime } from '#infra/local/runtime.ts';
import { parseIcs } from '../support/ics.ts';

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

const WINDOWS = Number(process.env.BENCH_WINDOWS ?? 6000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const ORGANISERS = 2806;
const KEY = 'bench-feed-key-bench-feed-key-0000001';
const regions = [
  'norrbotten',
  'vasterbotten',
  'mitt',
  'gavleborg-dalarna',
  'stockholm',
  'mellersta-sverige',
  'vast',
  'varmland',
  'ostra-gotaland',
  'syd',
];

const timed = async (n: number, f: () => Promise<unknown>) => {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await f();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { p50: Math.round(ms[Math.floor(ms.length / 2)] ?? 0), max: Math.round(ms.at(-1) ?? 0) };
};

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'kd-bench-'));
  const runtime = await startLocalRuntime({
    dataDir,
    port: 0,
    sesPort: 0,
    seed: false,
    tickMs: 3_600_000,
    campaignPassMs: 3_600_000,
    inspectorateFeedKey: KEY,
  });
  try {
    const now = runtime.clock.now().getTime();
    const windows: PlannedWindow[] = Array.from({ length: WINDOWS }, (_, i) => {
      const start = new Date(now + (1 + (i % 360)) * 86_400_000 + 7 * 3_600_000).toISOString();
      const o = i % ORGANISERS;
      return {
        uid: opaqueUid('bench', i),
        dialogueId: `dlg-bench-${o}`,
        organiserId: `org-bench-${o}`,
        orgNumber: String(2120000000 + o),
        organiserName: `Huvudman ${o} i Norrvik`,
        region: regions[o % regions.length] as string,
        kind: (['intro', 'pre_meeting', 'dialogue', 'feedback', 'follow_up'] as const)[i % 5] as PlannedWindow['kind'],
        status: i % 7 === 0 ? 'offered' : 'booked',
        start,
        end: new Date(Date.parse(start) + 2 * 3_600_000).toISOString(),
        sequence: i % 3,
        updatedAt: new Date(now).toISOString(),
      };
    });
    await runtime.deps.feeds.putWindows(windows);
    let text = '';
    const feed = await timed(RUNS, async () => {
      text = await (await fetch(`${runtime.urls.app}/feeds/${KEY}/planned-dates.ics`)).text();
    });
    const bytes = Buffer.byteLength(text);
    // Checked once, outside the timing (ical.js takes longer to read it than the service to write it).
    const events = parseIcs(text).events.length;
    if (events !== Math.min(WINDOWS, 6000)) throw new Error(`the feed holds ${events} of ${WINDOWS} windows`);
    const api = await timed(RUNS, () =>
      fetch(`${runtime.urls.app}/api/planned-dates?limit=500`, {
        headers: { authorization: `Bearer ${runtime.tokens.inspectorate}` },
      }).then((r) => r.text()),
    );
    const figures = { windows: WINDOWS, organisers: ORGANISERS, feedBytes: bytes, feedMs: feed, apiPage500Ms: api };
    console.log(
      `inspectorate feed with ${WINDOWS} windows: ${(bytes / 1024 / 1024).toFixed(2)} MB, p50 ${feed.p50} ms (max ${feed.max}); API page of 500: p50 ${api.p50} ms (max ${api.max})`,
    );
    mkdirSync('.bench', { recursive: true });
    writeFileSync(join('.bench', 'feeds.json'), `${JSON.stringify(figures, null, 2)}\n`);
    console.log('  written to .bench/feeds.json');
  } finally {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
