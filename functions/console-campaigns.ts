/**
 * Lambda: the console's campaign and cycle-planning pages (coordinators): campaigns from a
 * selection with their preview, launch/pause/resume and progress, and the planning page. A
 * function of its own, served through the console's session, CSRF and error pages
 * (`consoleHandler`), so the console's bundle stays within its size budget.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { consoleCampaignPages } from '#functions/http/console-campaigns.ts';
import { consoleHandler } from '#functions/http/console-frame.ts';
import type { HttpResult } from '#functions/http/respond.ts';

/** Every route key this function serves (the route table in functions/http/routes.ts lists the same). */
export const consoleCampaignRouteKeys = Object.keys(consoleCampaignPages);

export const handler = middy<APIGatewayProxyEventV2, HttpResult>().handler(consoleHandler(consoleCampaignPages));
