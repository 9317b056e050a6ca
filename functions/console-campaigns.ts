/**
 * Lambda: the console's campaign and cycle-planning pages (coordinators): campaigns from a
 * selection with their preview, launch/pause/resume and progress, and the planning page. A
 * function of its own, served through the console's session, CSRF and error pages
 * (`consoleRouter`), so the console's bundle stays within its size budget.
 */
import { consoleCampaignPages } from '#functions/http/console-campaigns.ts';
import { consoleRouter } from '#functions/http/console/frame.ts';
import { httpEntry } from '#functions/http/middleware.ts';

/** Every route key this function serves (the route table in functions/http/routes.ts lists the same). */
export const consoleCampaignRouteKeys = Object.keys(consoleCampaignPages);

export const handler = httpEntry(consoleRouter(consoleCampaignPages));
