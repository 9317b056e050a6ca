/**
 * Lambda: the console's campaign, start and cycle-planning pages (coordinators): campaigns from a
 * selection with their preview, launch/pause/resume and progress, starting dialogues for a chosen
 * set of organisers, and the planning page. A
 * function of its own, served through the console's session and CSRF check (`consoleRouter`),
 * so the console's bundle stays within its size budget. One module per screen in
 * functions/http/console/, named after its template.
 */
import { campaignRoutes } from '#functions/http/console/campaign.ts';
import { campaignConfirmRoutes } from '#functions/http/console/campaign-confirm.ts';
import { campaignNewRoutes } from '#functions/http/console/campaign-new.ts';
import { campaignsRoutes } from '#functions/http/console/campaigns.ts';
import { consoleRouter, type Page } from '#functions/http/console/frame.ts';
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
  ...startRoutes,
  ...startResultRoutes,
};

/** Every route key this function serves (the route table in functions/http/routes.ts lists the same). */
export const consoleCampaignRouteKeys = Object.keys(consoleCampaignPages);

export const handler = httpEntry(consoleRouter(consoleCampaignPages));
