/**
 * What a campaign learns from the workflows sending its invitations: SES throttling. Kept apart
 * from campaigns.ts so the workflow-task Lambda does not carry the campaign use-cases.
 */
import { throttledCampaign } from '#core/campaign.ts';
import type { Deps } from '#adapters/deps.ts';
import { isThrottling } from '#adapters/transient.ts';

/**
 * Is this error SES (or DynamoDB) asking us to slow down? Followed through `cause`: the mailer wraps
 * SES's refusal in a TransientError (the workflows' Retry matches that name). Other transient
 * errors are not throttling — a send claim another attempt still holds (after a crash, until its
 * lease runs out) or a workflow that could not start must not hold the campaign back.
 */
export const isThrottle = (e: unknown): boolean => isThrottling(e);

/** Feedback from a workflow: SES throttled one of the campaign's invitations. */
export async function noteCampaignThrottled(d: Deps, campaignId: string): Promise<void> {
  const now = d.clock.now();
  await d.campaigns.mutate(campaignId, (c) => (c.state === 'running' || c.state === 'paused' ? throttledCampaign(c, now) : undefined));
}
