/**
 * Lambda: the scheduler's tick (EventBridge Scheduler, every five minutes): runTick
 * (use-cases/scheduled-work.ts) fires the due timers and runs the work the work list names. A
 * second schedule calls it every minute with `{"job": "campaigns"}`: the paced campaign sender,
 * which runs for most of that minute while a campaign runs. `{"job": "campaign-pass"}` is one pass
 * of it (the local runtime's loop).
 */
import middy from '@middy/core';
import { deps } from '#adapters/deps.ts';
import { observed } from '#adapters/observability.ts';
import { sendCampaignsFor } from '#functions/use-cases/campaign-sender.ts';
import { runTick } from '#functions/use-cases/scheduled-work.ts';

/**
 * How long one campaign-sender run paces (the schedule fires every 60 s; the function may run
 * 120 s). A little over the minute, so the next run starts before this one ends and no second goes
 * without a pass: the shared send-rate bucket holds only one second, so a gap between runs would
 * be sending time lost. The overlap is safe: both runs reserve from the same bucket.
 */
export const CAMPAIGN_SENDER_BUDGET_MS = 65_000;

export const handler = middy<unknown, unknown>()
  .use(observed())
  .handler(async (event) => {
    const job = (event as { job?: unknown } | null)?.job;
    if (job === 'campaigns') return sendCampaignsFor(deps(), CAMPAIGN_SENDER_BUDGET_MS);
    // One pass of the campaign sender (the local runtime's one-second campaign loop): a run of one pass.
    if (job === 'campaign-pass') return sendCampaignsFor(deps(), 0);
    return runTick(deps());
  });
