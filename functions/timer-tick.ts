/**
 * Lambda: the scheduler's tick (EventBridge Scheduler, every few minutes). Fires due reminders,
 * escalations, workflow starts and answer callbacks recorded on the dialogues.
 */
import middy from '@middy/core';
import { deps } from '#adapters/deps.ts';
import { logger } from '#functions/http/respond.ts';
import { type DriveResult, driveCampaigns } from '#functions/use-cases/campaigns.ts';
import { type TickResult, tick } from '#functions/use-cases/timers.ts';

export const handler = middy<unknown, TickResult & { campaigns?: DriveResult }>().handler(async () => {
  const result = await tick(deps());
  if (result.failed.length > 0) logger.warn('some timers failed; they fire again on the next tick', { failed: result.failed });
  // Paced campaign sending: each tick invites what the send rate allows since the last one.
  const campaigns = await driveCampaigns(deps());
  return { ...result, campaigns };
});
