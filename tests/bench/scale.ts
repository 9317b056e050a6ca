/**
 * `npm run bench:scale [-- --organisers 2806 --cycles 10 --runs 10]` (not a test): the console at
 * ten cycles of dialogues. Loads a generated population into a fresh runtime and writes the
 * current cycle's dialogues (a mix of states in progress, with their mails, meetings, planned
 * dates, conflicts with imported inspections) and measures the busiest pages; then writes the
 * earlier cycles (finished dialogues, in the proportions of seed 004's table 2) and measures again.
 * Prints p50/p95 ms and DynamoDB read units per view for the dialogue list, each filter, the
 * statistics page, the inspectorate page and GET /api/conflicts, with the 1-cycle and the
 * N-cycle figures side by side, and writes .bench/scale.json.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Dialogue, DialogueState, HistoryEntry } from '#core/dialogue.ts';
import { factsOf } from '#core/facts.ts';
import { type Organiser, organiserInputSchema, toOrganiser } from '#core/organiser.ts';
import { generatePopulation } from '#core/population.ts';
import { batchWriteAll } from '#adapters/dynamo.ts';
import { DynamoFactsRebuild } from '#adapters/facts-rebuild.ts';
import { calendarKeys, indexKeys, keys } from '#adapters/table-model.ts';
import { startLocalRuntime } from '#infra/local/runtime.ts';
import { createCampaign } from '#functions/use-cases/campaigns.ts';
import { DynamoMeter } from './dynamo-meter.ts';

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
const { values } = parseArgs({ options: { organisers: { type: 'string' }, cycles: { type: 'string' }, runs: { type: 'string' } } });
const ORGANISERS = Number(values.organisers ?? 2806);
const CYCLES = Number(values.cycles ?? 10);
const RUNS = Number(values.runs ?? 10);
const CURRENT = 2026;
const ROOT = resolve(import.meta.dirname, '../..');

const started = performance.now();
const log = (s: string) => process.stderr.write(`[bench:scale ${((performance.now() - started) / 1000).toFixed(0)}s] ${s}\n`);
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)] ?? 0;

/** Deterministic choices. */
let seed = 20_261_204;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};
const pick = <T>(xs: readonly (readonly [T, number])[]): T => {
  let r = random() * xs.reduce((a, [, w]) => a + w, 0);
  for (const [x, w] of xs) {
    r -= w;
    if (r < 0) return x;
  }
  return xs[0]![0];
};

/** How a finished cycle ends (seed 004 table 2: about 68 % accept; about 1 in 10 stop after the intro). */
const finishedStates: [DialogueState, number][] = [
  ['closed', 58],
  ['declined', 20],
  ['no_answer', 11],
  ['stopped_after_intro', 7],
  ['cancelled', 3],
  ['failed', 1],
];
/** The current cycle, some months in. */
const currentStates: [DialogueState, number][] = [
  ['invited', 12],
  ['declined', 18],
  ['no_answer', 6],
  ['accepted', 3],
  ['intro_offered', 8],
  ['intro_booked', 10],
  ['material_sent', 6],
  ['premeeting_offered', 6],
  ['premeeting_booked', 8],
  ['dialogue_offered', 5],
  ['dialogue_booked', 8],
  ['notes_registered', 3],
  ['feedback_booked', 4],
  ['follow_up_due', 2],
  ['stopped_after_intro', 1],
];
/** The path every dialogue takes up to its state. */
const path: DialogueState[] = [
  'created',
  'invited',
  'accepted',
  'intro_offered',
  'intro_booked',
  'intro_held',
  'material_sent',
  'premeeting_offered',
  'premeeting_booked',
  'premeeting_held',
  'dialogue_offered',
  'dialogue_booked',
  'dialogue_held',
  'notes_registered',
  'feedback_offered',
  'feedback_booked',
  'feedback_held',
  'follow_up_due',
  'follow_up_offered',
  'follow_up_booked',
  'follow_up_held',
  'closed',
];
const DAY = 86_400_000;

interface Built {
  items: Record<string, unknown>[];
  dialogue: Dialogue;
}

/** One dialogue of `cycle` for `o`, ending in `state`, with its guard, mails, meetings and planned dates. */
function build(o: Organiser, cycle: number, state: DialogueState, facilitators: string[], campaignId: string): Built {
  const start = Date.UTC(cycle, 8, 1) + Math.floor(random() * 20) * DAY;
  const id = `dlg-${randomUUID()}`;
  const steps: DialogueState[] = (() => {
    if (state === 'declined' || state === 'no_answer') return ['created', 'invited', state];
    if (state === 'failed') return ['created', 'failed'];
    if (state === 'stopped_after_intro') return [...path.slice(0, path.indexOf('intro_held') + 1), state];
    if (state === 'cancelled') return [...path.slice(0, path.indexOf('premeeting_offered') + 1), state];
    return path.slice(0, path.indexOf(state) + 1);
  })();
  let t = start;
  const history: HistoryEntry[] = steps.map((s, i) => {
    t += i === 0 ? 0 : (2 + Math.floor(random() * 12)) * DAY;
    return { at: new Date(t).toISOString(), type: s === 'invited' ? 'invitation_sent' : i === 2 ? 'answered' : 'phase_changed', state: s };
  });
  const contacts = o.contacts.slice(0, 3);
  const accepted = steps.includes('accepted');
  const pair = accepted
    ? { skolverket: facilitators[Math.floor(random() * 10)]!, spsm: facilitators[10 + Math.floor(random() * 10)]! }
    : undefined;
  const at = history.at(-1)!.at;
  const dialogue: Dialogue = {
    id,
    organiserId: o.id,
    organiserName: o.name,
    cycle: String(cycle),
    region: o.region,
    legalForm: o.legalForm,
    municipal: o.municipal,
    state,
    recipients: contacts.map((c) => ({ contactId: c.id, role: c.role, name: c.name, email: c.email, basis: 'board' as const })),
    reminders: Math.floor(random() * 2),
    history,
    answer:
      accepted || state === 'declined'
        ? {
            outcome: accepted ? 'accepted' : 'declined',
            reason:
              state === 'declined'
                ? pick<'time' | 'resources' | 'other'>([
                    ['time', 2],
                    ['resources', 1],
                    ['other', 1],
                  ])
                : undefined,
            answeredAt: at,
            answeredBy: contacts[0]?.id ?? 'x',
          }
        : undefined,
    ...(pair ? { pair } : {}),
    campaignId,
    schoolForms: o.schoolForms,
    children: o.children,
    createdAt: history[0]!.at,
    updatedAt: at,
    version: steps.length + 1,
  };
  const items: Record<string, unknown>[] = [
    { ...dialogue, ...keys.dialogue(id), ...indexKeys.dialogueKind(at, dialogue.createdAt), ...indexKeys.dialogueState(state, at) },
    { ...keys.organiserCycle(o.id, String(cycle)), dialogueId: id, createdAt: dialogue.createdAt },
  ];
  // Mails: the invitation, and per phase reached an offer and a booking to each contact (facilitators too).
  const mailSteps = ['invitation', ...steps.filter((s) => s.endsWith('_offered') || s.endsWith('_booked') || s === 'material_sent')];
  for (const step of mailSteps) {
    for (const c of contacts) {
      items.push({
        ...keys.mail(id, step, c.id),
        dialogueId: id,
        step,
        contactId: c.id,
        email: c.email,
        status: 'sent',
        messageId: `<${id}.${step}.${c.id}@skolverket.example.se>`,
        claimedAt: at,
        sentAt: at,
        providerMessageId: `0100${randomUUID().replaceAll('-', '')}-000000`,
      });
    }
  }
  for (const s of steps.filter((x) => x.endsWith('_booked'))) {
    const meetingId = `mtg-${randomUUID()}`;
    const startAt = new Date(Date.parse(history[steps.indexOf(s)]!.at) + 7 * DAY).toISOString();
    const endAt = new Date(Date.parse(startAt) + 2 * 3_600_000).toISOString();
    const kind = s.replace('_booked', '').replace('premeeting', 'pre_meeting');
    items.push(
      {
        ...keys.meeting(meetingId),
        id: meetingId,
        dialogueIds: [id],
        kind,
        sessions: [{ start: startAt, end: endAt }],
        pair: pair ?? { skolverket: facilitators[0], spsm: facilitators[10] },
        participants: [],
        sequence: 0,
        status: 'booked',
        createdAt: at,
        updatedAt: at,
        version: 1,
      },
      { ...keys.dialogueMeeting(id, meetingId), meetingId, kind },
      {
        ...calendarKeys.planned(o.id, id, `meeting:${meetingId}`),
        organiserId: o.id,
        dialogueId: id,
        step: `meeting:${meetingId}`,
        kind: 'digital_meeting',
        start: startAt,
        end: endAt,
        region: o.region,
        organiserName: o.name,
        registeredAt: at,
      },
    );
  }
  return { items, dialogue };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kd-bench-scale-'));
  const runtime = await startLocalRuntime({ dataDir, port: 0, sesPort: 0, seed: false, tickMs: 3_600_000, campaignPassMs: 3_600_000 });
  const doc = (runtime.deps.organisers as unknown as { doc: Parameters<DynamoMeter['install']>[0] & Parameters<typeof batchWriteAll>[0] })
    .doc;
  const table = runtime.deps.env.TABLE_NAME;
  const results: Record<string, Record<string, { p50Ms: number; p95Ms: number; rcu: number }>> = {};
  const loadStart = loadavg()[0] ?? 0;
  try {
    log(`loading ${ORGANISERS} organisers and 20 facilitators`);
    const organisers = generatePopulation({ organisers: ORGANISERS, seed: 42 }).map((o) =>
      toOrganiser(organiserInputSchema.parse(o), runtime.clock.now()),
    );
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < organisers.length) await runtime.deps.organisers.put(organisers[next++]!);
      }),
    );
    const facilitators = Array.from({ length: 20 }, (_, i) => (i < 10 ? `sv-bench-${i}` : `sp-bench-${i}`));
    for (const [i, id] of facilitators.entries()) {
      await runtime.deps.facilitators.upsert(
        { id, name: `Utförare ${i}`, agency: i < 10 ? 'skolverket' : 'spsm', office: 'Solna', email: `${id}@example.se`, active: true },
        runtime.clock.now(),
      );
    }
    const rebuild = new DynamoFactsRebuild(doc, table);
    const writeCycle = async (cycle: number, states: [DialogueState, number][]) => {
      const { campaign } = await createCampaign(runtime.deps, {
        name: `Omgång ${cycle}`,
        cycle: String(cycle),
        selection: { notYetOfferedThisCycle: false },
      });
      const built = organisers.map((o) => build(o, cycle, pick(states), facilitators, campaign.id));
      await batchWriteAll(
        doc,
        table,
        built.flatMap((b) => b.items).map((Item) => ({ PutRequest: { Item } })),
        `cycle ${cycle}`,
      );
      await rebuild.replaceCycle(
        String(cycle),
        built.map((b) => factsOf(b.dialogue)),
      );
      return built;
    };

    // The current cycle, with inspections imported over some booked meetings (conflicts).
    log(`writing cycle ${CURRENT}`);
    const current = await writeCycle(CURRENT, currentStates);
    const booked = current.filter((b) => b.dialogue.state.endsWith('_booked')).slice(0, 120);
    const inspectorate = { authorization: `Bearer ${runtime.tokens.inspectorate}`, 'content-type': 'application/json' };
    for (const [i, b] of booked.entries()) {
      const planned = b.items.find((x) => String(x.sk).startsWith('PLAN#')) as { start: string } | undefined;
      if (!planned) continue;
      const day = planned.start.slice(0, 10);
      const o = organisers.find((x) => x.id === b.dialogue.organiserId)!;
      const r = await fetch(`${runtime.urls.app}/api/inspections/bench-${i}`, {
        method: 'PUT',
        headers: inspectorate,
        body: JSON.stringify({ orgNumber: o.orgNumber, kind: 'regular_supervision', start: day, end: day }),
      });
      if (r.status >= 300) throw new Error(`inspection ${i}: ${r.status} ${await r.text()}`);
    }

    const meter = new DynamoMeter();
    meter.install(doc);
    const login = async (role: string) =>
      (
        await fetch(`${runtime.urls.app}/console/login`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ name: 'Bench', role }).toString(),
        })
      ).headers
        .get('set-cookie')
        ?.split(';')[0] as string;
    const [coordinator, inspector] = [await login('coordinator'), await login('inspectorate')];
    const campaignOf = current[0]!.dialogue.campaignId!;
    const pages: [string, string, Record<string, string>][] = [
      ['list, unfiltered', '/console', { cookie: coordinator }],
      ['list, next page', '/console?sort=aldst&limit=25&cursor=', { cookie: coordinator }],
      ['filter: state', '/console?state=intro_booked', { cookie: coordinator }],
      ['filter: phase', '/console?phase=premeeting', { cookie: coordinator }],
      ['filter: region', '/console?region=syd', { cookie: coordinator }],
      ['filter: legal form', '/console?legalForm=trossamfund', { cookie: coordinator }],
      ['filter: municipal/private', '/console?ownership=kommunal', { cookie: coordinator }],
      ['filter: school form', '/console?schoolForm=komvux', { cookie: coordinator }],
      ['filter: facilitator', `/console?facilitator=${facilitators[3]}`, { cookie: coordinator }],
      ['filter: campaign', `/console?campaign=${campaignOf}`, { cookie: coordinator }],
      ['filter: conflict', '/console?conflict=ja', { cookie: coordinator }],
      ['filter: only problems', '/console?failed=ja', { cookie: coordinator }],
      ['filter: waiting > 14 days', '/console?waitingDays=14', { cookie: coordinator }],
      ['search', '/console?q=forskola', { cookie: coordinator }],
      ['statistics page', '/console/metrics', { cookie: coordinator }],
      ['inspectorate page', '/console/inspection', { cookie: inspector }],
      ['GET /api/conflicts', '/api/conflicts', { authorization: `Bearer ${runtime.tokens.coordinator}` }],
    ];
    const measure = async (column: string) => {
      // A cursor for "next page": the first page's own.
      const first = await (await fetch(`${runtime.urls.app}/console?sort=aldst&limit=25`, { headers: { cookie: coordinator } })).text();
      const cursor = /href="[^"]*cursor=([^"&]+)[^"]*" rel="next"/.exec(first)?.[1] ?? '';
      results[column] = {};
      for (const [label, path, headers] of pages) {
        const url = `${runtime.urls.app}${path.endsWith('cursor=') ? path + cursor : path}`;
        await (await fetch(url, { headers })).text(); // warm
        const times: number[] = [];
        const before = meter.readUnits;
        for (let i = 0; i < RUNS; i++) {
          const t = performance.now();
          const res = await fetch(url, { headers });
          await res.text();
          if (res.status !== 200) throw new Error(`${label}: ${res.status}`);
          times.push(performance.now() - t);
        }
        results[column][label] = {
          p50Ms: round(percentile(times, 50)),
          p95Ms: round(percentile(times, 95)),
          rcu: round((meter.readUnits - before) / RUNS, 1),
        };
        log(`${column} ${label}: p95 ${results[column][label]!.p95Ms} ms, ${results[column][label]!.rcu} RCU`);
      }
    };
    await measure('1 cycle');
    for (let c = 1; c < CYCLES; c++) {
      log(`writing cycle ${CURRENT - c}`);
      await writeCycle(CURRENT - c, finishedStates);
    }
    await measure(`${CYCLES} cycles`);
    const t = performance.now();
    const before = meter.readUnits;
    await (await fetch(`${runtime.urls.app}/console/metrics?cycle=alla`, { headers: { cookie: coordinator } })).text();
    const everyCycle = { ms: round(performance.now() - t), rcu: round(meter.readUnits - before) };

    const columns = Object.keys(results);
    const rows = pages.map(([label]) => [label, ...columns.map((c) => results[c]?.[label])]);
    const widest = Math.max(...pages.map(([l]) => l.length));
    console.log(
      `\nconsole at ${ORGANISERS} organisers: 1 cycle (${ORGANISERS} dialogues) vs ${CYCLES} cycles (${ORGANISERS * CYCLES}), ${RUNS} loads each; load average ${round(loadStart, 2)} → ${round(loadavg()[0] ?? 0, 2)}`,
    );
    console.log(`${'page'.padEnd(widest)}  ${columns.map((c) => `${c}: p50 / p95 ms, RCU`.padEnd(34)).join('')}`);
    for (const [label, ...cells] of rows) {
      console.log(
        `${String(label).padEnd(widest)}  ${cells.map((x) => (x && typeof x === 'object' ? `${x.p50Ms} / ${x.p95Ms} ms, ${x.rcu}`.padEnd(34) : '')).join('')}`,
      );
    }
    const worst = Math.max(...columns.flatMap((c) => Object.values(results[c] ?? {}).map((x) => x.p95Ms)));
    const stats = columns.map((c) => results[c]?.['statistics page']?.rcu ?? Number.NaN);
    console.log(`\nevery page p95 ≤ 300 ms: ${worst <= 300 ? 'met' : 'missed'} (worst ${worst} ms)`);
    console.log(
      `statistics page ≤ 50 RCU per view, whatever the number of cycles: ${stats.every((r) => r <= 50) ? 'met' : 'missed'} (${stats.join(' vs ')})`,
    );
    console.log(`(for comparison, the statistics of all ${CYCLES} cycles at once: ${everyCycle.ms} ms, ${everyCycle.rcu} RCU)`);
    mkdirSync(join(ROOT, '.bench'), { recursive: true });
    writeFileSync(
      join(ROOT, '.bench/scale.json'),
      JSON.stringify(
        { at: new Date().toISOString(), organisers: ORGANISERS, cycles: CYCLES, runs: RUNS, results, allCycleStatistics: everyCycle },
        null,
        2,
      ),
    );
  } finally {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
