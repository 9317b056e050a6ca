/**
 * Bulk starts from the console: a confirmed selection becomes a job; its first few organisers
 * start within the confirming request, the scheduler's tick starts the rest (a Query on the sparse
 * open-job index, never a Scan), and the progress page only reads. Each organiser gets one dialogue
 * per cycle however often a step runs (creating a dialogue is idempotent per organiser and cycle).
 */
import * as z from '#core/zod.ts';
import { NotFoundError } from '#core/errors.ts';
import { resolveRecipients } from '#core/recipients.ts';
import { type BulkJob, isOpen } from '#adapters/bulk-repository.ts';
import type { Deps } from '#adapters/deps.ts';
import { createDialogue } from './dialogues.ts';
import { parseOrThrow } from './validate.ts';

/** An empty form field counts as absent (zod classic's preprocess; the outer optional keeps the key optional in the input type). */
const optional = <T extends z.core.SomeType>(s: T) =>
  z.optional(
    z.pipe(
      z.transform((v: unknown) => (v === '' ? undefined : v)),
      z.optional(s),
    ),
  );

/** At most this many dialogues are started by one confirmation (one request). */
export const MAX_BULK_START = 100;

export const bulkStartSchema = z.object({
  organiserIds: z
    .array(z.string().check(z.regex(/^[a-z0-9-]{3,64}$/, 'Ogiltigt id för huvudman.')))
    .check(z.minLength(1, 'Välj minst en huvudman.'), z.maxLength(MAX_BULK_START, `Välj högst ${MAX_BULK_START} huvudmän åt gången.`)),
  cycle: optional(z.string().check(z.regex(/^\d{4}$/, 'Omgången är ett årtal, t.ex. 2026.'))),
});

export const bulkJobSchema = z.extend(bulkStartSchema, {
  jobId: z.string().check(z.regex(/^[A-Za-z0-9_-]{16,40}$/, 'Formuläret saknar sitt id; gå tillbaka och välj igen.')),
});

/** Organisers started at once when a bulk start is confirmed: the progress page has something to show at once. */
export const BULK_STEP = 5;

export interface BulkProgress {
  job: BulkJob;
  total: number;
  started: number;
  existed: number;
  failed: number;
  pending: number;
  done: boolean;
}

export function progressOf(job: BulkJob): BulkProgress {
  const n = (o: string) => job.results.filter((r) => r.outcome === o).length;
  const total = job.organiserIds.length;
  return {
    job,
    total,
    started: n('started'),
    existed: n('existed'),
    failed: n('error'),
    pending: total - job.results.length,
    done: job.results.length >= total,
  };
}

/**
 * Records a confirmed bulk start. The job id comes from the confirmation form, so the same
 * confirmation posted twice finds the job it created and starts nothing twice.
 */
export async function createBulkJob(d: Deps, input: unknown, actor: string): Promise<{ job: BulkJob; created: boolean }> {
  const { organiserIds, cycle, jobId } = parseOrThrow(bulkJobSchema, input, 'selection');
  const at = d.clock.now().toISOString();
  const stored = await d.bulkJobs.create({
    id: jobId,
    cycle: cycle ?? String(d.clock.now().getUTCFullYear()),
    organiserIds: [...new Set(organiserIds)],
    results: [],
    createdBy: actor,
    createdAt: at,
    updatedAt: at,
    version: 1,
  });
  // The scheduler's work list, after the job: marked on a repeated confirmation too, so one whose
  // first attempt stopped before its marker gets it now.
  if (isOpen(stored.job)) await d.work.mark('BULK', stored.job.id, new Date(at));
  return stored;
}

/**
 * Starts the next few organisers of a job and records each result. Safe to run twice at once:
 * creating a dialogue is idempotent per (organiser, cycle), and a result is recorded once.
 */
export async function advanceBulkJob(d: Deps, id: string, step = BULK_STEP): Promise<BulkProgress> {
  const job = await d.bulkJobs.get(id);
  if (!job) throw new NotFoundError('Det finns ingen sådan start av dialoger.');
  const done = new Set(job.results.map((r) => r.organiserId));
  const next = job.organiserIds.filter((o) => !done.has(o)).slice(0, step);
  if (next.length === 0) return progressOf(job);
  const rows: BulkJob['results'] = [];
  for (const organiserId of next) {
    try {
      const { dialogue, created } = await createDialogue(d, { organiserId, cycle: job.cycle }, job.createdBy);
      rows.push({
        organiserId,
        name: dialogue.organiserName,
        ...(dialogue.orgNumber ? { orgNumber: dialogue.orgNumber } : {}),
        outcome: created ? 'started' : 'existed',
        dialogueId: dialogue.id,
      });
    } catch (e) {
      rows.push({ organiserId, name: organiserId, outcome: 'error', message: (e as Error).message });
    }
  }
  const { job: saved } = await d.bulkJobs.mutate(id, (cur) => {
    const have = new Set(cur.results.map((r) => r.organiserId));
    const fresh = rows.filter((r) => !have.has(r.organiserId));
    return fresh.length ? { ...cur, results: [...cur.results, ...fresh], updatedAt: d.clock.now().toISOString() } : undefined;
  });
  // The write that leaves no organiser removes the job's marker from the scheduler's work list.
  if (!isOpen(saved)) await d.work.unmark('BULK', id);
  return progressOf(saved);
}

/** The progress of a job as it stands (the progress page and its status only read). */
export async function bulkProgress(d: Deps, id: string): Promise<BulkProgress> {
  const job = await d.bulkJobs.get(id);
  if (!job) throw new NotFoundError('Det finns ingen sådan start av dialoger.');
  return progressOf(job);
}

/**
 * The scheduler tick's part: advances the open jobs (`ids`: those the work list marks; without
 * them, the open jobs listed on the sparse index, oldest first), until none is left or
 * `budgetMs` has passed (a job left over continues on the next tick). Returns how many organisers
 * it handled. Each step first reserves its invitations' mails from the SES account's shared send
 * rate (the bucket the campaigns draw from), so a bulk start and running campaigns together stay
 * within the account's rate; while the bucket is empty it waits for it to refill, within the budget.
 */
export async function driveBulkJobs(
  d: Deps,
  budgetMs: number,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((ok) => setTimeout(ok, ms)),
  ids?: readonly string[],
): Promise<number> {
  const until = Date.now() + budgetMs;
  let handled = 0;
  for (const id of ids ?? (await d.bulkJobs.listOpen(10))) {
    for (;;) {
      const step = await reserveBulkStep(d, id);
      if (step === undefined) {
        // The job is done (or gone): its marker goes, if the write that finished it left it (a crash).
        await d.work.unmark('BULK', id);
        break;
      }
      if (step === 0) {
        // The shared rate is spent for now: wait about long enough for one invitation's mails.
        const waitMs = Math.ceil((2 / d.env.SES_SEND_RATE) * 1000);
        if (Date.now() + waitMs >= until) break;
        await sleep(waitMs);
        continue;
      }
      const before = (await d.bulkJobs.get(id))?.results.length ?? 0;
      const p = await advanceBulkJob(d, id, step);
      handled += p.job.results.length - before;
      if (p.done || Date.now() >= until) break;
    }
    if (Date.now() >= until) break;
  }
  return handled;
}

/**
 * How many of the job's next organisers (at most BULK_STEP) may start now: as many, in order, as
 * the mails their invitations send (one per recipient) fit in what the shared bucket holds, which
 * are reserved. undefined: nothing is left. An organiser that cannot be invited (gone, no
 * contacts) costs no mail; its step records the error.
 */
async function reserveBulkStep(d: Deps, id: string): Promise<number | undefined> {
  const job = await d.bulkJobs.get(id);
  if (!job) return undefined;
  const done = new Set(job.results.map((r) => r.organiserId));
  const next = job.organiserIds.filter((o) => !done.has(o)).slice(0, BULK_STEP);
  if (next.length === 0) return undefined;
  const mails = await Promise.all(
    next.map(async (organiserId) => {
      const o = await d.organisers.get(organiserId);
      try {
        return o ? resolveRecipients(o).length : 0;
      } catch {
        return 0;
      }
    }),
  );
  const { plan } = await d.sendRate.reserve(d.env.SES_SEND_RATE, d.clock.now(), (available, _claims, full) => {
    let count = 0;
    let used = 0;
    while (count < mails.length && used + mails[count]! <= available) used += mails[count++]!;
    // A full bucket lends one invitation larger than it holds (a rate below two mails a second).
    if (count === 0 && full) return { mails: mails[0]!, plan: 1 };
    return { mails: used, plan: count };
  });
  return plan;
}
