/**
 * `npm run bench [-- --organisers 500 | --full] [--answers 200] [--concurrency 16] [--seed 42] [--rate 14] [--init-runs 5]`
 *
 * The benchmark (not a test): bundles the Lambda entries as the CDK app does and times their cold
 * module init in fresh Node processes, then starts the embedded local runtime on free ports in a
 * temporary data folder, loads a generated population, invites every organiser through the API
 * and answers a sample of the invitations through their links, then offers the population two
 * more cycles through campaigns: one unthrottled, one paced to --rate mails/s, and two at once sharing --rate mails/s
 * (the SES account's rate, SES_SEND_RATE, which every campaign shares). Prints one table, writes the same
 * figures to .bench/<timestamp>.json and .bench/latest.json, and compares with the previous latest.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import * as z from '#core/zod.ts';
import { setTimeout as delay } from 'node:timers/promises';
import { organiserInputSchema, toOrganiser } from '#core/organiser.ts';
import { generatePopulation } from '#core/population.ts';
import { executionName } from '#adapters/workflow-client.ts';
import type { HistoryEvent } from '#infra/local/step-functions.ts';
import { startLocalRuntime } from '#infra/local/runtime.ts';
import { changeCampaign, createCampaign } from '#functions/use-cases/campaigns.ts';
import { DynamoMeter } from './dynamo-meter.ts';
import { benchCampaignKill, type CampaignKillFigures } from './campaign-kill.ts';
import { benchLifecycle } from './lifecycle.ts';
import { benchSearch, type SearchBenchResult } from './search.ts';
import { runNationalWave, type WaveFigures } from './national-wave.ts';

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

const ROOT = resolve(import.meta.dirname, '../..');
const BENCH_DIR = join(ROOT, '.bench');
const NATIONAL = 2806;
/** Organisers in the intro-offer wave (the issue's measure: the demo's facilitators, 300 at once). */
const WAVE = 300;

const argsSchema = z.object({
  organisers: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(20_000)), 500),
  full: z._default(z.boolean(), false),
  /** Also kill `npm start` mid-campaign and count invitations per recipient (always with --full). */
  kill: z._default(z.boolean(), false),
  answers: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(20_000)), 200),
  concurrency: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(256)), 16),
  seed: z._default(z.coerce.number().check(z.int(), z.gte(0)), 42),
  'init-runs': z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(50)), 5),
  /** Mails per second for the throttled campaign (SES's default production quota is 14). */
  rate: z._default(z.coerce.number().check(z.positive(), z.lte(1000)), 14),
});
const { values } = parseArgs({
  options: {
    organisers: { type: 'string' },
    full: { type: 'boolean' },
    kill: { type: 'boolean' },
    answers: { type: 'string' },
    concurrency: { type: 'string' },
    seed: { type: 'string' },
    'init-runs': { type: 'string' },
    rate: { type: 'string' },
  },
});
const parsedArgs = argsSchema.safeParse(values);
if (!parsedArgs.success) {
  console.error(`bench: ${parsedArgs.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}`);
  process.exit(2);
}
const args = parsedArgs.data;
const organiserCount = args.full ? NATIONAL : args.organisers;

// ---------------------------------------------------------------------------------------------
// Figures

interface Figures {
  at: string;
  commit?: string;
  node: string;
  organisers: number;
  /** os.loadavg() at the start and the end: other work on the machine slows every wall-clock figure. */
  loadAverage: { start: number; end: number; cores: number };
  invitation: {
    organisers: number;
    invited: number;
    failed: number;
    seconds: number;
    invitationsPerSecond: number;
    emails: number;
    emailsPerSecond: number;
  };
  answer: { samples: number; p50Ms: number; p95Ms: number; p99Ms: number; postP50Ms: number };
  transitions: { stateEnteredMean: number; stateEnteredMax: number; dialogueHistoryMean: number };
  dynamodb: {
    capacityReported: boolean;
    perLifecycle: { readUnits: number; writeUnits: number; requests: number; byCommand: Record<string, number> };
  };
  bundles: Record<string, { minifiedBytes: number; initMsMedian: number; initMsMax: number }>;
  clashCheck: string;
  /** Whole dialogues, invitation → closed through every phase (tests/bench/lifecycle.ts). */
  fullLifecycle?: { dialogues: number; transitions: number; stepFunctionsTransitions: number; rcu: number; wcu: number };
  /** A wave of organisers offered intro times at once (tests/bench/national-wave.ts), with offer holds and without. */
  wave?: { held: WaveFigures; unheld: WaveFigures };
  /** A campaign over the population with `npm start` killed (SIGKILL) mid-way and restarted (tests/bench/campaign-kill.ts). */
  campaignKill?: CampaignKillFigures;
  /** GET /api/dialogues?q= over 2,806 generated organisers (tests/bench/search.ts). */
  search?: SearchBenchResult;
  campaign: {
    unthrottled: {
      invitations: number;
      mails: number;
      seconds: number;
      invitationsPerSecond: number;
      emailsPerSecond: number;
      /** CPU time per invitation: the main thread alone, and the whole process (with dynalite's worker). */
      mainThreadCpuMs: number;
      processCpuMs: number;
      /** 1000 / mainThreadCpuMs: the rate the main thread could sustain with a core of its own. */
      mainThreadBoundPerSecond: number;
    };
    throttled: { invitations: number; mails: number; sendRate: number; seconds: number; idealSeconds: number; ratio: number };
    /** Two campaigns launched together, sharing the account's send rate (SES_SEND_RATE = --rate). */
    shared?: {
      campaigns: number;
      invitations: number;
      mails: number;
      sendRate: number;
      seconds: number;
      idealSeconds: number;
      ratio: number;
      /** When each campaign completed, seconds after the launch: close together when the rate is shared fairly. */
      completedSeconds: number[];
    };
  };
}

const percentile = (xs: number[], p: number): number => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};
const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

async function withTimeout<T>(p: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<T>((_, fail) => {
        timer = setTimeout(() => fail(new Error(message())), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

// ---------------------------------------------------------------------------------------------
// 1. Bundles: the same esbuild settings as infra/constructs/service-function.ts

/** Same banner as ESM_REQUIRE_BANNER in infra/constructs/service-function.ts. */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __kdCreateRequire } from 'node:module'; const require = __kdCreateRequire(import.meta.url);";
const ENTRIES = [
  'functions/api.ts',
  'functions/answer-page.ts',
  'functions/console.ts',
  'functions/workflow-task.ts',
  'functions/timer-tick.ts',
  'functions/ses-events.ts',
  'functions/inspection-import.ts',
  'functions/console-campaigns.ts',
  'functions/console-meetings.ts',
];
/** Same as LAMBDA_EXTERNAL_MODULES: the Lambda runtime provides AWS SDK v3. */
const EXTERNAL = ['@aws-sdk/*'];

async function measureBundles(): Promise<Figures['bundles']> {
  // Inside the project, so the cold init resolves the (external) AWS SDK from node_modules as a
  // Lambda resolves it from the runtime's: the init time includes loading the SDK clients.
  mkdirSync(join(ROOT, '.bench'), { recursive: true });
  const out = mkdtempSync(join(ROOT, '.bench', 'bundles-'));
  const result: Figures['bundles'] = {};
  try {
    for (const entry of ENTRIES) {
      const name = entry.replace(/^functions\//, '').replace(/\.ts$/, '');
      const file = join(out, `${name}.mjs`);
      await build({
        entryPoints: [join(ROOT, entry)],
        outfile: file,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node24',
        mainFields: ['module', 'main'],
        banner: { js: ESM_REQUIRE_BANNER },
        external: EXTERNAL,
        minify: true,
        sourcemap: false,
        logLevel: 'silent',
      });
      const times: number[] = [];
      for (let i = 0; i < args['init-runs']; i++) {
        const run = spawnSync(
          process.execPath,
          [
            '--input-type=module',
            '-e',
            'const t = performance.now(); await import(process.env.KD_BUNDLE); process.stdout.write(String(performance.now() - t));',
          ],
          { env: { ...process.env, ...lambdaLikeEnv, KD_BUNDLE: pathToFileURL(file).href }, encoding: 'utf8' },
        );
        if (run.status !== 0) throw new Error(`importing the ${name} bundle failed: ${run.stderr}`);
        times.push(Number(run.stdout));
      }
      result[name] = {
        minifiedBytes: statSync(file).size,
        initMsMedian: round(percentile(times, 50)),
        initMsMax: round(Math.max(...times)),
      };
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  return result;
}

/** What a cloud function is given (no endpoints), so module init runs as it would in Lambda. */
const lambdaLikeEnv = {
  AWS_REGION: 'eu-north-1',
  TABLE_NAME: 'kvalitetsdialog',
  INVITATION_STATE_MACHINE_ARN: 'arn:aws:states:eu-north-1:123456789012:stateMachine:invitation',
  PUBLIC_BASE_URL: 'https://dialog.example.se',
  MAIL_FROM: 'Kvalitetsdialog <noreply@example.se>',
  MAIL_REPLY_TO: 'kvalitetsdialog@example.se',
  COORDINATOR_EMAIL: 'samordnare@example.se',
  APP_SECRET_ARN: 'arn:aws:secretsmanager:eu-north-1:123456789012:secret:kvalitetsdialog',
  TEMPLATES_DIR: join(ROOT, 'templates'),
  POWERTOOLS_LOG_LEVEL: 'SILENT',
};

// ---------------------------------------------------------------------------------------------
// 2. DynamoDB meter: a middleware on the runtime's one DynamoDB client

const diff = (a: ReturnType<DynamoMeter['snapshot']>, b: ReturnType<DynamoMeter['snapshot']>) => {
  const requests: Record<string, number> = {};
  for (const k of new Set([...Object.keys(a.requests), ...Object.keys(b.requests)])) {
    const d = (b.requests[k] ?? 0) - (a.requests[k] ?? 0);
    if (d) requests[k] = d;
  }
  return { requests, readUnits: b.readUnits - a.readUnits, writeUnits: b.writeUnits - a.writeUnits };
};

// ---------------------------------------------------------------------------------------------
// 3. The run

async function main(): Promise<void> {
  const started = performance.now();
  const log = (s: string) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(1)}s] ${s}\n`);

  const loadStart = loadavg()[0]!;
  log('bundling the Lambda entries and timing cold module init');
  const bundles = await measureBundles();

  const dataDir = mkdtempSync(join(tmpdir(), 'kd-bench-'));
  const runtime = await startLocalRuntime({
    dataDir,
    port: 0,
    sesPort: 0,
    seed: false,
    tickMs: 3_600_000,
    campaignPassMs: 3_600_000, // the campaigns below are driven by explicit ticks
    sesSendRate: 1000, // the unthrottled campaign; the throttled ones lower it to --rate
    coordinatorToken: 'bench-coordinator-token-0001',
    inspectorateToken: 'bench-inspectorate-token-0001',
  });
  let measured: Figures;
  try {
    const meter = new DynamoMeter();
    // Every repository shares one DocumentClient, whose middleware stack is the DynamoDB client's.
    meter.install((runtime.deps.organisers as unknown as { doc: Parameters<DynamoMeter['install']>[0] }).doc);

    // Population straight into the table (loading is not what is measured).
    const population = generatePopulation({ organisers: organiserCount, seed: args.seed });
    log(`loading ${population.length} generated organisers`);
    const now = runtime.clock.now();
    await pool(population, args.concurrency, (o) => runtime.deps.organisers.put(toOrganiser(organiserInputSchema.parse(o), now)));

    // Follow every execution through the journal's events.
    const entered = new Map<string, number>();
    const outcome = new Map<string, 'invited' | 'failed'>();
    const finished = new Map<string, (e: HistoryEvent) => void>();
    let allSettled: () => void = () => undefined;
    const settled = new Promise<void>((ok) => {
      allSettled = ok;
    });
    runtime.sfn.events.on('event', (name: string, e: HistoryEvent) => {
      if (e.type === 'StateEntered') entered.set(name, (entered.get(name) ?? 0) + 1);
      if (!outcome.has(name) && (e.type === 'TaskWaiting' || e.type === 'ExecutionFailed')) {
        outcome.set(name, e.type === 'TaskWaiting' ? 'invited' : 'failed');
        if (outcome.size === population.length) allSettled();
      }
      if (e.type.startsWith('Execution')) finished.get(name)?.(e);
    });

    // Invitations: one POST /api/dialogues per organiser, until every workflow waits for its answer.
    log(`inviting ${population.length} organisers (${args.concurrency} concurrent requests)`);
    const api = `${runtime.urls.app}/api/dialogues`;
    const headers = { authorization: `Bearer ${runtime.tokens.coordinator}`, 'content-type': 'application/json' };
    const dialogueOf = new Map<string, string>();
    const beforeInvite = meter.snapshot();
    const t0 = performance.now();
    await pool(population, args.concurrency, async (o) => {
      const res = await fetch(api, { method: 'POST', headers, body: JSON.stringify({ organiserId: o.id }) });
      const body = (await res.json()) as { id?: string; message?: string };
      if (res.status !== 201 || !body.id) throw new Error(`POST /api/dialogues for ${o.id}: ${res.status} ${body.message}`);
      dialogueOf.set(o.id!, body.id);
    });
    await settled;
    const inviteSeconds = (performance.now() - t0) / 1000;
    const inviteCost = diff(beforeInvite, meter.snapshot());
    const mails = (
      (await (await fetch(`${runtime.urls.mailbox}/store`)).json()) as {
        emails: { destination: { to: string[] }; body: { text?: string } }[];
      }
    ).emails;
    const invited = [...outcome.values()].filter((v) => v === 'invited').length;
    log(`${invited} invited, ${population.length - invited} failed (no contacts), ${mails.length} mails in ${inviteSeconds.toFixed(1)} s`);

    // Answers: POST the form behind the board's link, time until the execution reaches its end state.
    const boardEmail = new Map(population.map((o) => [o.contacts?.find((c) => c.role === 'board')?.email, o.id!]));
    const linkOf = new Map<string, string>();
    for (const m of mails) {
      const organiserId = boardEmail.get(m.destination.to[0]);
      const link = /https?:\/\/\S+\/r\/[A-Za-z0-9._-]+/.exec(m.body.text ?? '')?.[0];
      if (organiserId && link && !linkOf.has(organiserId)) linkOf.set(organiserId, link);
    }
    const sample = population.filter((o) => linkOf.has(o.id!)).slice(0, args.answers);
    log(`answering ${sample.length} invitations one at a time`);
    const latencies: number[] = [];
    const postTimes: number[] = [];
    const beforeAnswers = meter.snapshot();
    for (const o of sample) {
      const name = executionName(dialogueOf.get(o.id!)!, 'invitation');
      const done = new Promise<HistoryEvent>((ok) => finished.set(name, ok));
      const t = performance.now();
      const res = await fetch(linkOf.get(o.id!)!, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ answer: 'accept' }).toString(),
      });
      await res.text();
      postTimes.push(performance.now() - t);
      if (res.status !== 200) throw new Error(`answer for ${o.id}: ${res.status}`);
      const end = await withTimeout(done, 10_000, () => `${name} did not end within 10 s after its answer`);
      latencies.push(performance.now() - t);
      if (end.type !== 'ExecutionSucceeded') throw new Error(`${name} ended with ${end.type}`);
    }
    const answerCost = diff(beforeAnswers, meter.snapshot());

    // State transitions and dialogue history of the answered dialogues (a whole lifecycle).
    const transitions = sample.map((o) => entered.get(executionName(dialogueOf.get(o.id!)!, 'invitation')) ?? 0);
    const histories = await Promise.all(
      sample.map(async (o) => (await runtime.deps.dialogues.get(dialogueOf.get(o.id!)!))?.history.length ?? 0),
    );

    const perLifecycle = (k: 'readUnits' | 'writeUnits') => round(inviteCost[k] / population.length + answerCost[k] / sample.length, 2);
    const byCommand: Record<string, number> = {};
    for (const k of new Set([...Object.keys(inviteCost.requests), ...Object.keys(answerCost.requests)])) {
      byCommand[k] = round((inviteCost.requests[k] ?? 0) / population.length + (answerCost.requests[k] ?? 0) / sample.length, 2);
    }

    // Campaigns: the same population offered for the next cycles through the paced sender.
    const mailbox = async () => ((await (await fetch(`${runtime.urls.mailbox}/store`)).json()) as { emails: unknown[] }).emails.length;
    /** Runs campaigns launched together (one per selection, same cycle) to completion, driven like the scheduler. */
    const runCampaigns = async (cycle: string, selections: Record<string, unknown>[], sendRate?: number) => {
      const campaigns = [];
      for (const [i, selection] of selections.entries()) {
        campaigns.push((await createCampaign(runtime.deps, { name: `bench ${cycle} ${i + 1}`, cycle, selection, sendRate })).campaign);
      }
      const c = { total: campaigns.reduce((a, x) => a + x.total, 0) };
      const recipients = (await Promise.all(campaigns.map((x) => runtime.deps.campaigns.recipients(x.id, 0, x.total)))).flat();
      const mailsPlanned = recipients.reduce((a, r) => a + r.mails, 0);
      const before = outcome.size;
      const mailsBefore = await mailbox();
      let allDone: () => void = () => undefined;
      const done = new Promise<void>((ok) => {
        allDone = ok;
      });
      const check = () => {
        if (outcome.size - before >= c.total) allDone();
      };
      runtime.sfn.events.on('event', check);
      const cpu0 = { thread: process.threadCpuUsage(), process: process.cpuUsage() };
      const t = performance.now();
      for (const x of campaigns) await changeCampaign(runtime.deps, x.id, 'launch');
      // The scheduler's cadence: a tick every 100 ms, as the local loop does every tickMs.
      const completedSeconds = new Map<string, number>();
      while (completedSeconds.size < campaigns.length) {
        await runtime.tick();
        for (const x of campaigns) {
          if (!completedSeconds.has(x.id) && (await runtime.deps.campaigns.get(x.id))?.state === 'completed') {
            completedSeconds.set(x.id, (performance.now() - t) / 1000);
          }
        }
        await delay(100);
      }
      await withTimeout(done, 120_000, () => `campaign ${cycle}: not every workflow reached its wait`);
      runtime.sfn.events.off('event', check);
      const seconds = (performance.now() - t) / 1000;
      const ms = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
      const mainThreadCpuMs = (ms(process.threadCpuUsage()) - ms(cpu0.thread)) / c.total;
      const processCpuMs = (ms(process.cpuUsage()) - ms(cpu0.process)) / c.total;
      return {
        invitations: c.total,
        mails: (await mailbox()) - mailsBefore,
        mailsPlanned,
        seconds,
        sendRate: sendRate ?? runtime.deps.env.SES_SEND_RATE,
        mainThreadCpuMs,
        processCpuMs,
        completedSeconds: campaigns.map((x) => round(completedSeconds.get(x.id) ?? Number.NaN, 2)),
      };
    };
    const runCampaign = (cycle: string, selection: Record<string, unknown>, sendRate?: number) =>
      runCampaigns(cycle, [selection], sendRate);
    log('campaign over the whole population, unthrottled');
    const free = await runCampaign('2031', {}, 1000);
    // From here on the SES account's rate is --rate: every campaign shares it (the runtime started at 1000/s).
    runtime.deps.env.SES_SEND_RATE = args.rate;
    // A fifth of the population or so: kommuner, stiftelser, trossamfund and övriga.
    const subset = { legalForms: ['kommun', 'stiftelse', 'trossamfund', 'ovrig'] };
    log(`campaign over kommuner, stiftelser, trossamfund and övriga, throttled to ${args.rate} mails/s`);
    const paced = await runCampaign('2032', subset, args.rate);
    // Two campaigns of about the same size launched together, both at the account's rate: they share it.
    log(`two campaigns at once (kommuner and stiftelser; ideella föreningar, trossamfund and övriga), sharing ${args.rate} mails/s`);
    const shared = await runCampaigns('2033', [
      { legalForms: ['kommun', 'stiftelse'] },
      { legalForms: ['ideell_forening', 'trossamfund', 'ovrig'] },
    ]);

    const figures: Figures = {
      at: new Date().toISOString(),
      commit: gitCommit(),
      node: process.version,
      organisers: population.length,
      loadAverage: { start: round(loadStart, 2), end: round(loadavg()[0]!, 2), cores: availableParallelism() },
      invitation: {
        organisers: population.length,
        invited,
        failed: population.length - invited,
        seconds: round(inviteSeconds, 2),
        invitationsPerSecond: round(population.length / inviteSeconds),
        emails: mails.length,
        emailsPerSecond: round(mails.length / inviteSeconds),
      },
      answer: {
        samples: latencies.length,
        p50Ms: round(percentile(latencies, 50)),
        p95Ms: round(percentile(latencies, 95)),
        p99Ms: round(percentile(latencies, 99)),
        postP50Ms: round(percentile(postTimes, 50)),
      },
      transitions: {
        stateEnteredMean: round(transitions.reduce((a, b) => a + b, 0) / transitions.length),
        stateEnteredMax: Math.max(...transitions),
        dialogueHistoryMean: round(histories.reduce((a, b) => a + b, 0) / histories.length),
      },
      dynamodb: {
        capacityReported: meter.reported,
        perLifecycle: {
          readUnits: perLifecycle('readUnits'),
          writeUnits: perLifecycle('writeUnits'),
          requests: round(
            Object.values(byCommand).reduce((a, b) => a + b, 0),
            2,
          ),
          byCommand,
        },
      },
      bundles,
      clashCheck: 'not measured on this branch (bench:clash)',
      campaign: {
        unthrottled: {
          invitations: free.invitations,
          mails: free.mails,
          seconds: round(free.seconds, 2),
          invitationsPerSecond: round(free.invitations / free.seconds),
          emailsPerSecond: round(free.mails / free.seconds),
          mainThreadCpuMs: round(free.mainThreadCpuMs, 2),
          processCpuMs: round(free.processCpuMs, 2),
          mainThreadBoundPerSecond: round(1000 / free.mainThreadCpuMs),
        },
        throttled: {
          invitations: paced.invitations,
          mails: paced.mails,
          sendRate: paced.sendRate,
          seconds: round(paced.seconds, 2),
          idealSeconds: round(paced.mailsPlanned / paced.sendRate, 2),
          ratio: round(paced.seconds / (paced.mailsPlanned / paced.sendRate), 3),
        },
        shared: {
          campaigns: shared.completedSeconds.length,
          invitations: shared.invitations,
          mails: shared.mails,
          sendRate: shared.sendRate,
          seconds: round(shared.seconds, 2),
          idealSeconds: round(shared.mailsPlanned / shared.sendRate, 2),
          ratio: round(shared.seconds / (shared.mailsPlanned / shared.sendRate), 3),
          completedSeconds: shared.completedSeconds,
        },
      },
    };
    measured = figures;
  } finally {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  // A runtime of its own (one at a time per process): whole dialogues through every phase.
  log('running whole dialogues, invitation → closed');
  const { dialogues, transitions, stepFunctionsTransitions, rcu, wcu } = await benchLifecycle({ dialogues: 3, log });
  log(`searching among ${NATIONAL} organisers`);
  const search = await benchSearch({ organisers: NATIONAL, seed: args.seed, log });
  log(`a wave of ${WAVE} organisers offered intro times at once, with offer holds and without`);
  const wave = {
    held: await runNationalWave({ organisers: WAVE, seed: args.seed }),
    unheld: await runNationalWave({ organisers: WAVE, seed: args.seed, holdHours: 0 }),
  };
  let campaignKill: CampaignKillFigures | undefined;
  if (args.full || args.kill) {
    log(`campaign over ${organiserCount} organisers with npm start killed mid-way`);
    campaignKill = await benchCampaignKill({ organisers: organiserCount, seed: args.seed, log });
  }
  report({ ...measured, fullLifecycle: { dialogues, transitions, stepFunctionsTransitions, rcu, wcu }, campaignKill, search, wave });
  log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// 4. Output

/** A share as a percentage with one decimal (0.017 → "1.7 %"). */
const pct = (share: number): string => `${(share * 100).toFixed(1)} %`;

function report(f: Figures): void {
  const latestFile = join(BENCH_DIR, 'latest.json');
  const previous: Figures | undefined = existsSync(latestFile) ? JSON.parse(readFileSync(latestFile, 'utf8')) : undefined;
  const get = (x: Figures | undefined, path: string): unknown => path.split('.').reduce<any>((o, k) => o?.[k], x);

  type Row = [label: string, path: string | undefined, value: string, target: string, ok?: boolean];
  const rows: Row[] = [
    // One HTTP request per organiser (the API path, for comparison); the ≥ 50/s target is the campaign's, below.
    [
      `invitations/s via POST /api/dialogues (${f.invitation.organisers})`,
      'invitation.invitationsPerSecond',
      String(f.invitation.invitationsPerSecond),
      '',
      undefined,
    ],
    ['emails/s via POST /api/dialogues', 'invitation.emailsPerSecond', String(f.invitation.emailsPerSecond), '', undefined],
    ['invited / failed (no contacts)', undefined, `${f.invitation.invited} / ${f.invitation.failed}`, '', undefined],
    [
      `campaign invitations/s (${f.campaign.unthrottled.invitations}, unthrottled)`,
      'campaign.unthrottled.invitationsPerSecond',
      String(f.campaign.unthrottled.invitationsPerSecond),
      '≥ 50',
      f.campaign.unthrottled.invitationsPerSecond >= 50,
    ],
    [
      'campaign CPU ms per invitation: main thread / whole process',
      'campaign.unthrottled.mainThreadCpuMs',
      `${f.campaign.unthrottled.mainThreadCpuMs} / ${f.campaign.unthrottled.processCpuMs}`,
      '',
      undefined,
    ],
    [
      'campaign invitations/s the main thread sustains (1000 / its CPU ms)',
      'campaign.unthrottled.mainThreadBoundPerSecond',
      String(f.campaign.unthrottled.mainThreadBoundPerSecond),
      '≥ 50',
      f.campaign.unthrottled.mainThreadBoundPerSecond >= 50,
    ],
    [
      'campaign emails/s (unthrottled)',
      'campaign.unthrottled.emailsPerSecond',
      String(f.campaign.unthrottled.emailsPerSecond),
      '',
      undefined,
    ],
    [
      `campaign duration / (mails / rate), ${f.campaign.throttled.mails} mails at ${f.campaign.throttled.sendRate}/s`,
      'campaign.throttled.ratio',
      `${f.campaign.throttled.ratio} (${f.campaign.throttled.seconds} s / ${f.campaign.throttled.idealSeconds} s)`,
      '≤ 1.1',
      f.campaign.throttled.ratio <= 1.1,
    ],
    ...(f.campaign.shared
      ? ([
          [
            `${f.campaign.shared.campaigns} campaigns at once: combined duration / (mails / rate), ${f.campaign.shared.mails} mails sharing ${f.campaign.shared.sendRate}/s`,
            'campaign.shared.ratio',
            `${f.campaign.shared.ratio} (${f.campaign.shared.seconds} s / ${f.campaign.shared.idealSeconds} s; each done at ${f.campaign.shared.completedSeconds.join(' / ')} s)`,
            '≤ 1.1',
            f.campaign.shared.ratio <= 1.1,
          ],
        ] as Row[])
      : []),
    [`answer POST → workflow end p50 (${f.answer.samples} answers)`, 'answer.p50Ms', `${f.answer.p50Ms} ms`, '', undefined],
    ['answer POST → workflow end p95', 'answer.p95Ms', `${f.answer.p95Ms} ms`, '< 300 ms', f.answer.p95Ms < 300],
    ['answer POST → workflow end p99', 'answer.p99Ms', `${f.answer.p99Ms} ms`, '', undefined],
    ['answer POST response p50', 'answer.postP50Ms', `${f.answer.postP50Ms} ms`, '', undefined],
    ['clash check p50 / p95, requests per check', undefined, f.clashCheck, '≤ 2 req, p95 < 20 ms', undefined],
    ...(f.campaignKill
      ? ([
          [
            `campaign killed (SIGKILL of npm start at ${f.campaignKill.mailsAtKill} mails) and restarted: recipients with exactly one invitation`,
            'campaignKill.exactlyOnce',
            `${f.campaignKill.exactlyOnce} of ${f.campaignKill.recipients} (${f.campaignKill.missing} missing, ${f.campaignKill.duplicated} twice, ${f.campaignKill.mailedAgain} mailed again; ${f.campaignKill.seconds} s)`,
            'all, once',
            f.campaignKill.exactlyOnce === f.campaignKill.recipients && f.campaignKill.mailedAgain === 0,
          ],
        ] as Row[])
      : []),
    ...(f.search
      ? ([
          [
            `search GET /api/dialogues?q= at ${f.search.organisers} organisers: p50 / p95 (${f.search.searches} searches, ${f.search.missed} missed)`,
            'search.p95Ms',
            `${f.search.p50Ms} / ${f.search.p95Ms} ms, ${f.search.rcu} RCU`,
            'p95 ≤ 100 ms',
            f.search.p95Ms <= 100 && f.search.missed === 0,
          ],
          [
            `search for a word most names share ("${f.search.commonWord.q}", ${f.search.commonWord.organisers} organisers) p95`,
            'search.commonWord.p95Ms',
            `${f.search.commonWord.p95Ms} ms, ${f.search.commonWord.rcu} RCU`,
            '',
            undefined,
          ],
        ] as Row[])
      : []),
    ...(f.wave
      ? ([
          [
            `wave of ${f.wave.held.organisers} offered intro times at once: time picks refused as taken, with holds / without`,
            'wave.held.refusedShare',
            `${pct(f.wave.held.refusedShare)} / ${pct(f.wave.unheld.refusedShare)} (pages showing the wanted time taken: ${f.wave.held.wantedShownTaken} / ${f.wave.unheld.wantedShownTaken})`,
            '',
            undefined,
          ],
          [
            'wave: days until every accepted organiser has its intro booked, with holds / without',
            'wave.held.daysUntilAllBooked',
            `${f.wave.held.daysUntilAllBooked ?? '> 45'} / ${f.wave.unheld.daysUntilAllBooked ?? '> 45'} (median ${f.wave.held.medianDaysToBooking} / ${f.wave.unheld.medianDaysToBooking}; handed back ${f.wave.held.handedBack} / ${f.wave.unheld.handedBack})`,
            '',
            undefined,
          ],
          [
            'wave: mails to the coordinator (digests), with holds / without',
            'wave.held.coordinatorMails',
            `${f.wave.held.coordinatorMails} (${f.wave.held.digests}) / ${f.wave.unheld.coordinatorMails} (${f.wave.unheld.digests})`,
            '≤ 1 a day',
            f.wave.held.coordinatorMails === f.wave.held.digests,
          ],
        ] as Row[])
      : []),
    ...(f.fullLifecycle
      ? ([
          [
            `whole dialogue invitation → closed (${f.fullLifecycle.dialogues} runs): Step Functions transitions`,
            'fullLifecycle.stepFunctionsTransitions',
            String(f.fullLifecycle.stepFunctionsTransitions),
            '≤ 60',
            f.fullLifecycle.stepFunctionsTransitions <= 60,
          ],
          ['whole dialogue: state changes of the record', 'fullLifecycle.transitions', String(f.fullLifecycle.transitions), '', undefined],
          [
            'whole dialogue: DynamoDB read / write units',
            'fullLifecycle.wcu',
            `${f.fullLifecycle.rcu} / ${f.fullLifecycle.wcu}`,
            '',
            undefined,
          ],
        ] as Row[])
      : []),
    [
      'invitation phase: state transitions per dialogue (StateEntered, mean / max)',
      'transitions.stateEnteredMean',
      `${f.transitions.stateEnteredMean} / ${f.transitions.stateEnteredMax}`,
      '≤ 60',
      f.transitions.stateEnteredMax <= 60,
    ],
    [
      'dialogue history entries per dialogue (mean)',
      'transitions.dialogueHistoryMean',
      String(f.transitions.dialogueHistoryMean),
      '',
      undefined,
    ],
    [
      `invitation → answer: DynamoDB read units${f.dynamodb.capacityReported ? '' : ' (not reported)'}`,
      'dynamodb.perLifecycle.readUnits',
      String(f.dynamodb.perLifecycle.readUnits),
      '',
      undefined,
    ],
    [
      'invitation → answer: DynamoDB write units',
      'dynamodb.perLifecycle.writeUnits',
      String(f.dynamodb.perLifecycle.writeUnits),
      '',
      undefined,
    ],
    [
      'invitation → answer: DynamoDB requests',
      'dynamodb.perLifecycle.requests',
      `${f.dynamodb.perLifecycle.requests} (${Object.entries(f.dynamodb.perLifecycle.byCommand)
        .map(([k, v]) => `${k.replace(/Command$/, '')} ${v}`)
        .join(', ')})`,
      '',
      undefined,
    ],
    ...Object.entries(f.bundles).flatMap(([name, b]): Row[] => [
      [
        `bundle ${name}: minified size`,
        `bundles.${name}.minifiedBytes`,
        `${round(b.minifiedBytes / 1024)} KB`,
        '≤ 300 KB',
        b.minifiedBytes <= 300 * 1024,
      ],
      [
        `bundle ${name}: cold module init (median / max)`,
        `bundles.${name}.initMsMedian`,
        `${b.initMsMedian} / ${b.initMsMax} ms`,
        '',
        undefined,
      ],
    ]),
  ];

  const cells = rows.map(([label, path, value, target, ok]) => {
    const before = path ? get(previous, path) : undefined;
    const now = path ? get(f, path) : undefined;
    const change =
      typeof before === 'number' && typeof now === 'number' && before !== 0
        ? `${now >= before ? '+' : ''}${round(((now - before) / before) * 100)} %`
        : '';
    return [label, value, target, ok === undefined ? '' : ok ? 'ok' : 'MISSED', change];
  });
  const header = ['metric', 'value', 'target', '', previous ? `vs ${previous.commit ?? previous.at}` : 'vs previous'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(
    [
      `Benchmark ${f.at} (commit ${f.commit ?? '?'}, Node ${f.node}, ${f.organisers} generated organisers, local runtime; load average ${f.loadAverage.start} → ${f.loadAverage.end} on ${f.loadAverage.cores} cores)`,
      line(header),
      `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
      ...cells.map(line),
    ].join('\n'),
  );

  mkdirSync(BENCH_DIR, { recursive: true });
  const json = `${JSON.stringify(f, null, 2)}\n`;
  const file = join(BENCH_DIR, `${f.at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, json);
  writeFileSync(latestFile, json);
  console.log(`\nfigures written to ${file} and ${latestFile}`);
}

await main();
