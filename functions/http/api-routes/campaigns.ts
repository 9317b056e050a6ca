/** Coordinator routes on campaigns: create (returns the preview), read, launch, pause, resume, delete a draft. */
import { deps } from '#adapters/deps.ts';
import {
  type CampaignAction,
  changeCampaign,
  createCampaign,
  deleteCampaign,
  getCampaign,
  listCampaigns,
} from '#functions/use-cases/campaigns.ts';
import { type Campaign, campaignSummary } from '#core/campaign.ts';
import { campaignRateShare } from '#core/send-rate.ts';
import { jsonBody, noBody, requireRole } from '../request.ts';
import { json } from '../respond.ts';
import type { ApiRoute, ApiRoutes } from './types.ts';

/**
 * The campaign with its progress: sent (invited), queued, failed, how often SES throttled its
 * invitations, and whether it is holding back right now (retrying after a throttle).
 */
export const campaignView = (
  { version, paceMails, ...c }: Campaign,
  now = deps().clock.now(),
  /** Every campaign (for the share of the account rate); the campaign alone when not given. */
  all: readonly Campaign[] = [],
) => ({
  ...c,
  /** In plain Swedish: how many organisers it mails out of how many there are. */
  summary: campaignSummary(c),
  /** Its share of the SES account's send rate: the effective rate, and whether other campaigns slow it down. */
  sharing: campaignRateShare(c, all, deps().env.SES_SEND_RATE),
  progress: {
    sent: c.sent,
    queued: c.total - c.position,
    failed: c.failed,
    total: c.total,
    throttled: c.throttled ?? 0,
    retrying: c.backoffUntil !== undefined && now.getTime() < Date.parse(c.backoffUntil),
  },
});

const action =
  (a: CampaignAction): ApiRoute =>
  async (event, role) => {
    requireRole(role, ['coordinator']);
    noBody(event);
    const campaign = await changeCampaign(deps(), event.pathParameters?.id ?? '', a);
    return json(200, campaignView(campaign, undefined, await listCampaigns(deps())));
  };

export const campaignRoutes: ApiRoutes = {
  'POST /api/campaigns': async (event, role) => {
    requireRole(role, ['coordinator']);
    const preview = await createCampaign(deps(), jsonBody(event));
    return json(201, { ...preview, campaign: campaignView(preview.campaign) }, { location: `/api/campaigns/${preview.campaign.id}` });
  },
  'GET /api/campaigns': async (_event, role) => {
    requireRole(role, ['coordinator']);
    const all = await listCampaigns(deps());
    return json(200, { items: all.map((c) => campaignView(c, undefined, all)) });
  },
  'GET /api/campaigns/{id}': async (event, role) => {
    requireRole(role, ['coordinator']);
    const campaign = await getCampaign(deps(), event.pathParameters?.id ?? '');
    return json(200, campaignView(campaign, undefined, await listCampaigns(deps())));
  },
  'POST /api/campaigns/{id}/launch': action('launch'),
  'POST /api/campaigns/{id}/pause': action('pause'),
  'POST /api/campaigns/{id}/resume': action('resume'),
  'DELETE /api/campaigns/{id}': async (event, role) => {
    requireRole(role, ['coordinator']);
    const id = event.pathParameters?.id ?? '';
    await deleteCampaign(deps(), id);
    return json(200, { deleted: id });
  },
};
