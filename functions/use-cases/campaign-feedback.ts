/**
 * What a campaign learns from the workflows sending its invitations: SES throttling. Kept apart
 * from campaigns.ts so the workflow-task Lambda does not carry the campaign use-cases.
 */
import { throttledCampaign } from '#core/campaign.ts';
import type { Deps } from '#adapters/deps.ts';

const THROTTLES = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TransientError',
]);

/** Is this error SES (or DynamoDB) asking us to slow down? */
export const isThrottle = (e: unknown): boolean => THROTTLES.has((e as Error)?.name ?? '');

/** Feedback from a workflow: SES throttled one of the campaign's invitations. */
export async function noteCampaignThrottled(d: Deps, campaignId: string): Promise<void> {
  const now = d.clock.now();
  await d.campaigns.mutate(campaignId, (c) => (c.state === 'running' || c.state === 'paused' ? throttledCampaign(c, now) : undefined));
}
