/**
 * Lambda: the console's pages that start dialogues in numbers, plan cycles and count them
 * (coordinators): campaigns from a selection with their preview, launch/pause/resume and
 * progress, bulk starts of a chosen few with their progress, the planning page, and the
 * statistics of a cycle or campaign with their CSV exports. A
 * function of its own, served through the console's session and CSRF check (`consoleRouter`),
 * so the console's bundle stays within its size budget. One module per screen in
 * functions/http/console/, named after its template.
 */
import { campaignRoutes } from '#functions/http/console/campaign.ts';
import { campaignConfirmRoutes } from '#functions/http/console/campaign-confirm.ts';
import { campaignNewRoutes } from '#functions/http/console/campaign-new.ts';
import { campaignsRoutes } from '#functions/http/console/campaigns.ts';
import { consoleRouter, type Page } from '#functions/http/console/frame.ts';
import { metricsRoutes } from '#functions/http/console/metrics.ts';
import { planningRoutes } from '#functions/http/console/planning.ts';
import { startRoutes } from '#functions/http/console/start.ts';
import { startResultRoutes } from '#functions/http/console/start-result.ts';
import { httpEntry } from '#functions/http/middleware.ts';

export const consoleCampaignPages: Record<string, Page> = {
  ...campaignsRoutes,
  ...campaignNewRoutes,
  ...campaignRoutes,
  ...campaignConfirmRoutes,
  ...planningRoutes,
  ...metricsRoutes,
  ...startRoutes,
  ...startResultRoutes,
};

/** Every route key this function serves (the route table in functions/http/routes.ts lists the same). */
export const consoleCampaignRouteKeys = Object.keys(consoleCampaignPages);

export const handler = httpEntry(consoleRouter(consoleCampaignPages));
