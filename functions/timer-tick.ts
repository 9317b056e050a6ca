/**
 * Lambda: the scheduler's tick (EventBridge Scheduler, every few minutes). Fires due reminders,
 * escalations, workflow starts and answer callbacks recorded on the dialogues, and continues the
 * console's bulk starts. A second schedule
 * calls it every minute with `{"job": "campaigns"}`: the paced campaign sender, which runs for
 * most of that minute. `{"job": "campaign-pass"}` is one pass of it (the local runtime's loop).
 */
import middy from '@middy/core';
import { deps } from '#adapters/deps.ts';
import { logger, observed, recordMetric } from '#adapters/observability.ts';
import { driveBulkJobs } from '#functions/use-cases/bulk-start.ts';
import { type DriveResult, driveCampaigns, sendCampaignsFor } from '#functions/use-cases/campaigns.ts';
import { type TickResult, tick } from '#functions/use-cases/timers.ts';
import { recordWaiting } from '#functions/use-cases/waiting-gauge.ts';

/**
 * How long one campaign-sender run paces (the schedule fires every 60 s; the function may run
 * 120 s). A little over the minute, so the next run starts before this one ends and no second goes
 * without a pass: the shared send-rate bucket holds only one second, so a gap between runs would
 * be sending time lost. The overlap is safe: both runs reserve from the same bucket.
 */
export const CAMPAIGN_SENDER_BUDGET_MS = 65_000;
/** How long one tick spends on the console's bulk starts before leaving the rest to the next tick. */
export const BULK_START_BUDGET_MS = 20_000;

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

export const handler = middy<unknown, (TickResult & { campaigns?: DriveResult; bulkStarted?: number }) | DriveResult>()
  .use(observed())
  .handler(async (event) => {
    if ((event as { job?: unknown } | null)?.job === 'campaigns') return sendCampaignsFor(deps(), CAMPAIGN_SENDER_BUDGET_MS);
    // One pass of the campaign sender (the local runtime's one-second campaign loop): a run of one pass.
    if ((event as { job?: unknown } | null)?.job === 'campaign-pass') return sendCampaignsFor(deps(), 0);
    const result = await tick(deps());
    recordTick(result);
    await recordWaiting(deps());
    // Paced campaign sending: each tick invites what the send rate allows since the last one.
    const campaigns = await driveCampaigns(deps());
    // The console's bulk starts: the organisers the confirming request left.
    const bulkStarted = await driveBulkJobs(deps(), BULK_START_BUDGET_MS);
    return { ...result, campaigns, bulkStarted };
  });
