/**
 * The scheduler's tick (EventBridge Scheduler every five minutes in the cloud, the timer loop and
 * the clock endpoint locally): what it runs and when. Every tick fires the due timers (byDue) and
 * sweeps the facts (byKind), and reads the work list (the `WORK` partition, one Query,
 * work-markers.ts): campaigns, bulk starts and intro sessions' pair mails are read only when a
 * marker names them. A full check runs every listing instead (campaigns, open bulk starts, intro
 * sessions, the accepted dialogues' catch-up) and puts the markers of what it finds unmarked: once
 * an hour of the scheduler's own time (`at`/`next` on the `CHECK` item, real time even where the
 * local clock is moved on), and 15 minutes after a change of the work rules (WORK_RULES: which
 * work has markers; a version still running before it writes none). The hand-back digest is read
 * once a day per process, when the day it covers changes. Each part is isolated: a failure is
 * recorded in `failed` and the others go on; only the due timers' own read fails the tick.
 */
import type { Deps } from '#adapters/deps.ts';
import { logger, recordMetric } from '#adapters/observability.ts';
import { WORK_RULES, type WorkCheck, type WorkList, type WorkMarker } from '#adapters/work-markers.ts';
import { driveBulkJobs } from './bulk-start.ts';
import { type DriveResult, driveCampaigns } from './campaign-sender.ts';
import { sweepFacts } from './facts-upkeep.ts';
import { digestDueDay, sendDigests } from './handback-digest.ts';
import { retryPendingPairMails } from './intro-session-mail.ts';
import { catchUpAccepted } from './lifecycle/phase.ts';
import { fireDueTimers, type TickResult } from './timers.ts';
import { observeChanges, recordWaiting } from './waiting-gauge.ts';

/**
 * Which work the markers cover (work-markers.ts). When it changes, the first tick of the new
 * version runs a full check (and records it), and another one RULES_CHECK_MS later, when the
 * earlier version's invocations, which write no such markers, have ended.
 */
export { WORK_RULES };
/** How often the full check runs (real time). */
export const FULL_CHECK_MS = 3_600_000;
/** How long after a change of WORK_RULES the second full check runs. */
export const RULES_CHECK_MS = 15 * 60_000;
/** How long one tick spends on the console's bulk starts before leaving the rest to the next tick. */
export const BULK_START_BUDGET_MS = 20_000;

export interface RunTickResult extends TickResult {
  /** This tick ran the full check. */
  full: boolean;
  /** The campaign pass, when one ran (a campaign was marked, or the full check). */
  campaigns?: DriveResult;
  /** Organisers of bulk starts handled. */
  bulkStarted: number;
}

export interface RunTickOptions {
  /** Real time, for the full check's cadence (default: the system's; the scheduler's clock may be moved on locally). */
  wallNow?: () => Date;
  timerBudgetMs?: number;
  bulkBudgetMs?: number;
}

/** Per process (the deps' queries): the last day whose digest this process read. */
const digestRead = new WeakMap<object, string>();

/** Whether the full check is due, and when the one after it is. */
export function fullCheckPlan(check: WorkCheck | undefined, wall: Date): { due: boolean; next: Date } {
  const rulesChanged = !check || check.rules !== WORK_RULES;
  const due = rulesChanged || !(wall.getTime() < Date.parse(check.next));
  return { due, next: new Date(wall.getTime() + (rulesChanged ? RULES_CHECK_MS : FULL_CHECK_MS)) };
}

/** One scheduler tick; see the module comment. */
export async function runTick(d: Deps, options: RunTickOptions = {}): Promise<RunTickResult> {
  const wall = (options.wallNow ?? (() => new Date()))();
  const timers = await fireDueTimers(d, { budgetMs: options.timerBudgetMs });
  const result: RunTickResult = { ...timers, full: false, bulkStarted: 0 };
  const fail = (kind: string, e: unknown) => result.failed.push({ dialogueId: '-', kind, error: (e as Error)?.message ?? String(e) });
  const failedParts = () => result.failed.filter((f) => f.dialogueId === '-').length;

  let work: WorkList | undefined;
  try {
    work = await d.work.list();
  } catch (e) {
    fail('work_list', e);
  }
  // Without the list, every listing runs as it would in a full check (the check is not recorded).
  const plan = fullCheckPlan(work?.check, wall);
  const full = !work || plan.due;
  result.full = full;
  const markers = (kind: WorkMarker['kind']) => (work?.markers ?? []).filter((m) => m.kind === kind);
  const failedBeforeCheck = failedParts();

  if (full) {
    try {
      result.fired += await catchUpAccepted(d);
    } catch (e) {
      fail('accepted_catch_up', e);
    }
  }
  const intro = markers('INTRO');
  if (full || intro.length > 0) {
    try {
      const mails = await retryPendingPairMails(d, intro, full);
      result.fired += mails.sent;
      if (mails.failed > 0) fail('intro_session_pair_mail', new Error(`${mails.failed} still pending`));
    } catch (e) {
      fail('intro_session_pair_mail', e);
    }
  }
  const campaigns = markers('CAMPAIGN');
  if (full || campaigns.length > 0) {
    // Paced campaign sending: each tick invites what the send rate allows since the last one.
    try {
      result.campaigns = await driveCampaigns(d, undefined, campaigns);
    } catch (e) {
      fail('campaigns', e);
    }
  }
  const bulk = markers('BULK').map((m) => m.id);
  if (full || bulk.length > 0) {
    // The console's bulk starts: the organisers the confirming request left.
    try {
      let ids = bulk;
      if (full) {
        const open = await d.bulkJobs.listOpen(10);
        for (const id of open) if (!bulk.includes(id)) await d.work.mark('BULK', id, d.clock.now());
        ids = [...new Set([...open, ...bulk])];
      }
      result.bulkStarted = await driveBulkJobs(d, options.bulkBudgetMs ?? BULK_START_BUDGET_MS, undefined, ids);
    } catch (e) {
      fail('bulk_starts', e);
    }
  }
  // A full check is recorded only when all of it ran: otherwise the next tick runs it again.
  if (full && work && failedParts() === failedBeforeCheck) {
    try {
      await d.work.recordCheck({ at: wall.toISOString(), next: plan.next.toISOString(), rules: WORK_RULES });
    } catch (e) {
      fail('work_check', e);
    }
  }

  // The hand-back digest is daily: a process reads it once for each day it covers.
  const day = digestDueDay(d.clock.now());
  if (digestRead.get(d.queries) !== day) {
    try {
      result.fired += await sendDigests(d);
      digestRead.set(d.queries, day);
    } catch (e) {
      fail('handback_digest', e);
    }
  }
  try {
    observeChanges(d, (await sweepFacts(d)).seen);
  } catch (e) {
    observeChanges(d, undefined);
    fail('facts_sweep', e);
  }
  recordTick(result);
  await recordWaiting(d);
  return result;
}

/**
 * The tick's counts as metrics (flushed by the entry's metrics middleware): TimersFired,
 * TimersFailed (each failed timer backs off and is recorded on its dialogue) and TimersDeferred
 * (1 when the time budget left due timers for the next tick).
 */
export function recordTick(result: TickResult): void {
  if (result.failed.length > 0) logger.warn('some timers failed; each is retried after its back-off', { failed: result.failed });
  recordMetric('TimersFired', result.fired);
  recordMetric('TimersFailed', result.failed.length);
  recordMetric('TimersDeferred', result.deferred ? 1 : 0);
}
