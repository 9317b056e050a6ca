/**
 * `npm run bench:lifecycle [-- --dialogues 3]` (not a test): runs whole dialogues, invitation →
 * closed, on the embedded runtime (demo seed: facilitators and group intro sessions) with the local
 * clock advanced, and measures per dialogue:
 *   - transitions: the dialogue record's state changes (history entries that set a state),
 *   - stepFunctionsTransitions: StateEntered events over all of the dialogue's executions
 *     (the invitation and one per meeting phase) from the local runner's history,
 *   - rcu / wcu: DynamoDB consumed capacity (ReturnConsumedCapacity=TOTAL on the runtime's one
 *     client, the meter tests/bench/run.ts uses) from the dialogue's creation to `closed`,
 *     including the scheduler ticks that move it on, as DynamoDB would bill it: with the least
 *     charge per read request, refused conditional writes and the global secondary indexes' writes
 *     (`indexWcu`, part of `wcu`), which dynalite does not report. The benchmark's own reads of
 *     the record (to find the due-date to advance the clock past) go through a client of their own.
 * `benchLifecycle(opts)` is exported for the main bench table; run directly it prints JSON.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { executionName, phaseExecutionName } from '#adapters/workflow-client.ts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { buildDeps } from '#adapters/deps.ts';
import { tableModel } from '#adapters/table-model.ts';
import { digestDueDay } from '#functions/use-cases/handback-digest.ts';
import { startLocalRuntime } from '#infra/local/runtime.ts';
import { DynamoMeter } from './dynamo-meter.ts';

export interface LifecycleBenchOptions {
  /** Whole dialogues to run, one after the other (each needs a demo organiser with contacts). */
  dialogues?: number;
  log?: (line: string) => void;
  /** Every DynamoDB request in order, between the log lines (`--trace`). */
  trace?: (line: string) => void;
}

export interface LifecycleBenchResult {
  dialogues: number;
  /** Means per dialogue. */
  transitions: number;
  stepFunctionsTransitions: number;
  rcu: number;
  wcu: number;
  /** Of `wcu`: the global secondary indexes' writes. */
  indexWcu: number;
  /**
   * Scheduler ticks during a dialogue's run (in `rcu`/`wcu`), and of them those that reached a new
   * digest day (the clock moved past a day: the tick also reads that day's hand-back digest).
   */
  ticks: number;
  dayTicks: number;
  /** What a tick costs with no dialogue due: on the same digest day, and on a new one (`day`). */
  tick: { rcu: number; wcu: number };
  dayTick: { rcu: number; wcu: number };
  /** Per dialogue: executions, DynamoDB requests by command, mails sent, and the same figures. */
  perDialogue: {
    id: string;
    organiserId: string;
    transitions: number;
    stepFunctionsTransitions: number;
    executions: number;
    rcu: number;
    wcu: number;
    indexWcu: number;
    ticks: number;
    dayTicks: number;
    requests: Record<string, number>;
    /** Requests and units by command and the item kind or index it touched. */
    byKind: Record<string, { requests: number; units: number }>;
    mails: number;
  }[];
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const phaseKinds = ['intro', 'pre_meeting', 'dialogue', 'feedback', 'follow_up'] as const;

export async function benchLifecycle(opts: LifecycleBenchOptions = {}): Promise<LifecycleBenchResult> {
  const log = opts.log ?? (() => undefined);
  const dataDir = mkdtempSync(join(tmpdir(), 'kd-bench-lifecycle-'));
  const runtime = await startLocalRuntime({
    dataDir,
    port: 0,
    sesPort: 0,
    demo: true,
    tickMs: 3_600_000, // timers fire through the clock endpoint only
    // No campaign runs here: the local one-second campaign pass (the cloud's sender runs once a
    // minute) would only add a work-list read per second of the run's wall time.
    campaignPassMs: 3_600_000,
    coordinatorToken: 'bench-coordinator-token-0001',
    inspectorateToken: 'bench-inspectorate-token-0001',
  });
  try {
    const meter = new DynamoMeter();
    meter.install((runtime.deps.organisers as unknown as { doc: Parameters<DynamoMeter['install']>[0] }).doc);
    meter.trace = opts.trace;
    const unmetered = buildDeps(runtime.deps.env, runtime.clock);
    const reader = new DynamoDBClient({
      region: runtime.deps.env.AWS_REGION,
      endpoint: runtime.urls.dynamodb,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    meter.countIndexWrites(reader, runtime.deps.env.TABLE_NAME, tableModel.indexes);
    /** The record as it is now, read outside the meter (the benchmark's own look, not the system's). */
    const record = (id: string) => unmetered.dialogues.get(id);
    const headers = { authorization: `Bearer ${runtime.tokens.coordinator}`, 'content-type': 'application/json' };
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${runtime.urls.app}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = (await res.json()) as any;
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${json?.message}`);
      return json;
    };
    let ticks = 0;
    let dayTicks = 0;
    let digestDay = digestDueDay(runtime.clock.now());
    /** Moves the clock on; the clock endpoint makes one scheduler tick (counted apart when it reaches a new digest day). */
    const advance = async (advance: string) => {
      const res = await api('POST', '/api/dev/clock', { advance });
      ticks++;
      const day = digestDueDay(runtime.clock.now());
      if (day !== digestDay) dayTicks++;
      digestDay = day;
      return res;
    };
    const advancePast = async (iso: string | undefined) => {
      if (!iso) throw new Error('the dialogue has no due-date to advance past');
      const days = Math.max(1, Math.ceil((Date.parse(iso) - runtime.clock.now().getTime()) / 86_400_000) + 1);
      await advance(`P${days}D`);
    };
    const mailsTo = async (address: string) =>
      (
        (await (await fetch(`${runtime.urls.mailbox}/store`)).json()) as {
          emails: { subject: string; destination: { to: string[] }; body: { text?: string } }[];
        }
      ).emails.filter((m) => m.destination.to.includes(address));
    const linkIn = (text: string | undefined) => {
      const link = /https?:\/\/\S+\/r\/[A-Za-z0-9._-]+/.exec(text ?? '')?.[0];
      if (!link) throw new Error('no link in the mail');
      return link;
    };
    const post = async (url: string, form: Record<string, string>) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      });
      await res.text();
      if (res.status !== 200) throw new Error(`POST ${url}: ${res.status}`);
    };

    const organisers = (await runtime.deps.organisers.list(100)).items.filter((o) => o.contacts.some((c) => c.role === 'board'));
    const count = Math.min(opts.dialogues ?? 1, organisers.length);
    // What a tick costs when no dialogue is due: the work list, the due index and the facts sweep;
    // after the clock moved past a day, also that day's digest. A process's first tick also runs the
    // full check, lists the waiting dialogues and reads the digest: that one goes first, unmeasured.
    await advance('PT1M');
    const idleCost = async (by: string) => {
      const before = meter.snapshot();
      await advance(by);
      const after = meter.snapshot();
      return { rcu: round1(after.readUnits - before.readUnits), wcu: round1(after.writeUnits - before.writeUnits) };
    };
    const tick = await idleCost('PT1M');
    const dayTick = await idleCost('P1D');
    const perDialogue: LifecycleBenchResult['perDialogue'] = [];
    for (const o of organisers.slice(0, count)) {
      const board = o.contacts.find((c) => c.role === 'board')?.email as string;
      const before = meter.snapshot();
      const ticksBefore = ticks;
      const dayTicksBefore = dayTicks;
      const { id } = (await api('POST', '/api/dialogues', { organiserId: o.id })) as { id: string };
      log(`${o.id}: ${id}`);
      await runtime.sfn.waitForEvent(executionName(id, 'invitation'), (e) => e.type === 'TaskWaiting');
      const [invitation] = await mailsTo(board);
      await post(linkIn(invitation?.body.text), { answer: 'accept' });
      await advance('PT10M'); // the scheduler starts the intro phase

      for (const kind of phaseKinds) {
        if (kind === 'follow_up') await advancePast((await record(id))?.dueAt);
        await runtime.sfn.waitForEvent(phaseExecutionName(id, kind, 1), (e) => e.type === 'TaskWaiting');
        const offer = (await mailsTo(board)).filter((m) => m.subject.startsWith('Välj tid för')).at(-1);
        await post(linkIn(offer?.body.text), { choice: '0' });
        if (kind === 'intro') {
          // The material goes after the intro once every school form has a document.
          for (const schoolForm of o.schoolForms.filter((f) => f !== 'fritidshem')) {
            await api('POST', `/api/dialogues/${id}/documents`, {
              schoolForm,
              title: `Underlag ${schoolForm}`,
              url: `https://underlag.example.se/${schoolForm}.pdf`,
            });
          }
        }
        await advancePast((await record(id))?.dueAt); // held → what follows
        if (kind === 'dialogue') {
          const meetingId = (await record(id))?.phase?.meetingId;
          await api('POST', `/api/meetings/${meetingId}/notes`, {
            discussed: 'Huvudmannens systematiska kvalitetsarbete.',
            rolesPresent: ['school_chief'],
            public: true,
          });
        }
        log(`${o.id}: ${kind} done (${(await record(id))?.state})`);
      }
      const x = await runtime.deps.dialogues.get(id);
      if (x?.state !== 'closed') throw new Error(`${id} ended in ${x?.state}, not closed`);
      const cost = meter.snapshot();
      const requests: Record<string, number> = {};
      for (const [k, v] of Object.entries(cost.requests)) if (v - (before.requests[k] ?? 0)) requests[k] = v - (before.requests[k] ?? 0);
      const byKind: Record<string, { requests: number; units: number }> = {};
      for (const [k, v] of Object.entries(cost.byKind)) {
        const n = v.requests - (before.byKind[k]?.requests ?? 0);
        if (n) byKind[k] = { requests: n, units: round1(v.units - (before.byKind[k]?.units ?? 0)) };
      }
      const executions = runtime.sfn.list().filter((r) => r.name.startsWith(`${id}-`));
      for (const r of executions) await runtime.sfn.settled(r.executionArn);
      perDialogue.push({
        id,
        organiserId: o.id,
        transitions: x.history.filter((h) => h.state).length,
        stepFunctionsTransitions: executions.reduce((n, r) => n + r.events.filter((e) => e.type === 'StateEntered').length, 0),
        executions: executions.length,
        rcu: round1(cost.readUnits - before.readUnits),
        wcu: round1(cost.writeUnits - before.writeUnits),
        indexWcu: round1(cost.indexWriteUnits - before.indexWriteUnits),
        ticks: ticks - ticksBefore,
        dayTicks: dayTicks - dayTicksBefore,
        requests,
        byKind,
        mails: (await runtime.deps.mailLog.list(id)).filter((m) => m.status === 'sent').length,
      });
    }
    const mean = (f: (r: (typeof perDialogue)[number]) => number) => round1(perDialogue.reduce((n, r) => n + f(r), 0) / perDialogue.length);
    return {
      dialogues: perDialogue.length,
      transitions: mean((r) => r.transitions),
      stepFunctionsTransitions: mean((r) => r.stepFunctionsTransitions),
      rcu: mean((r) => r.rcu),
      wcu: mean((r) => r.wcu),
      indexWcu: mean((r) => r.indexWcu),
      ticks: mean((r) => r.ticks),
      dayTicks: mean((r) => r.dayTicks),
      tick,
      dayTick,
      perDialogue,
    };
  } finally {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const { values } = parseArgs({ options: { dialogues: { type: 'string', default: '1' }, trace: { type: 'boolean', default: false } } });
  const result = await benchLifecycle({
    dialogues: Number(values.dialogues),
    log: (line) => process.stderr.write(`[bench:lifecycle] ${line}\n`),
    trace: values.trace ? (line) => process.stderr.write(`  ${line}\n`) : undefined,
  });
  console.log(JSON.stringify({ ...result, perDialogue: result.perDialogue.map(({ byKind: _, ...r }) => r) }, null, 2));
  const totals: Record<string, { requests: number; units: number }> = {};
  for (const r of result.perDialogue)
    for (const [k, v] of Object.entries(r.byKind)) {
      const t = totals[k] ?? { requests: 0, units: 0 };
      t.requests += v.requests / result.perDialogue.length;
      t.units += v.units / result.perDialogue.length;
      totals[k] = t;
    }
  console.log('\nper dialogue by request and item kind (mean): units, requests');
  for (const [k, v] of Object.entries(totals).sort((a, b) => b[1].units - a[1].units))
    console.log(`  ${k.padEnd(44)} ${String(round1(v.units)).padStart(7)} ${String(round1(v.requests)).padStart(6)}`);
  const ok = result.stepFunctionsTransitions <= 60;
  console.log(
    `\nper dialogue (invitation → closed, mean of ${result.dialogues}): ${result.transitions} state changes on the record, ` +
      `${result.stepFunctionsTransitions} Step Functions state transitions (target ≤ 60: ${ok ? 'met' : 'missed'}), ` +
      `${result.rcu} RCU, ${result.wcu} WCU (of which ${result.indexWcu} the indexes')`,
  );
  // The ticks' own cost (shared by every dialogue in the cloud) at what a tick costs with no dialogue due.
  const sameDay = result.ticks - result.dayTicks;
  const ticksCost = {
    rcu: round1(sameDay * result.tick.rcu + result.dayTicks * result.dayTick.rcu),
    wcu: round1(sameDay * result.tick.wcu + result.dayTicks * result.dayTick.wcu),
  };
  console.log(
    `the scheduler's ${result.ticks} ticks in it cost ${ticksCost.rcu} RCU and ${ticksCost.wcu} WCU with no dialogue due ` +
      `(${sameDay} on the same day at ${result.tick.rcu} RCU / ${result.tick.wcu} WCU, ${result.dayTicks} after the clock moved ` +
      `past a day at ${result.dayTick.rcu} RCU / ${result.dayTick.wcu} WCU: that day's digest; shared by every dialogue in the cloud); ` +
      `without them: ${round1(result.rcu - ticksCost.rcu)} RCU, ${round1(result.wcu - ticksCost.wcu)} WCU`,
  );
}
