/**
 * Lambda: the scheduler's tick (EventBridge Scheduler, every few minutes). Fires due reminders,
 * escalations, workflow starts and answer callbacks recorded on the dialogues.
 */
import middy from '@middy/core';
import { deps } from '#adapters/deps.ts';
import { logger } from '#functions/http/respond.ts';
import { type TickResult, tick } from '#functions/use-cases/timers.ts';

export const handler = middy<unknown, TickResult>().handler(async () => {
  const result = await tick(deps());
  if (result.failed.length > 0) logger.warn('some timers failed; they fire again on the next tick', { failed: result.failed });
  return result;
});
