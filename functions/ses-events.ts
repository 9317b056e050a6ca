/**
 * Lambda: SES configuration-set events (delivered, bounced, complained, rejected) arriving through
 * EventBridge. Records each on its mail, suppresses bad addresses and falls back to the rektor.
 * Failures are thrown so EventBridge retries and finally parks the event in the DLQ.
 */
import middy from '@middy/core';
import { sesEventSchema, toDeliveryEvents } from '#core/delivery.ts';
import { deps } from '#adapters/deps.ts';
import { logger, observed } from '#adapters/observability.ts';
import { type DeliveryResult, recordDelivery } from '#functions/use-cases/delivery.ts';

export const handler = middy<unknown, DeliveryResult[]>()
  .use(observed())
  .handler(async (event) => {
    const parsed = sesEventSchema.safeParse(event);
    if (!parsed.success) {
      // Not one of ours (no dialogue/step tags): nothing to do, and nothing to retry.
      logger.warn('ignored an SES event without our tags', { issues: parsed.error.issues.length });
      return [];
    }
    const d = deps();
    const results: DeliveryResult[] = [];
    for (const e of toDeliveryEvents(parsed.data)) results.push(await recordDelivery(d, e));
    return results;
  });
