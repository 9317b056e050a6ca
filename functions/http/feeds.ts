/**
 * The calendar subscriptions (/feeds/{feedKey}/…): the inspectorate's planned dialogue dates and a
 * facilitator's own calendar, as text/calendar. The key is the only credential, so a key that is
 * not the current one gets exactly the answer an unknown path gets (`unknownPath`, what API
 * Gateway itself answers): nothing tells a guess that the path exists. Answers may be cached for a
 * minute at most, so a changed booking shows within a minute.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { deps } from '#adapters/deps.ts';
import { facilitatorFeed, inspectorateFeed } from '#functions/use-cases/calendar-feeds.ts';
import { type HttpResult, unknownPath } from './respond.ts';

const calendar = (body: string, filename: string): HttpResult => ({
  statusCode: 200,
  headers: {
    'content-type': 'text/calendar; charset=utf-8',
    'content-disposition': `inline; filename="${filename}"`,
    'cache-control': 'private, max-age=60',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-robots-tag': 'noindex',
  },
  body,
});

export const feedRouteKeys = ['GET /feeds/{feedKey}/planned-dates.ics', 'GET /feeds/{feedKey}/calendar.ics'] as const;

export async function feedRoute(event: APIGatewayProxyEventV2): Promise<HttpResult> {
  const d = deps();
  const key = event.pathParameters?.feedKey ?? '';
  if (!/^[A-Za-z0-9_-]{16,128}$/.test(key)) return unknownPath();
  if (event.routeKey === 'GET /feeds/{feedKey}/planned-dates.ics') {
    const ics = await inspectorateFeed(d, key, event.queryStringParameters ?? {});
    return ics === undefined ? unknownPath() : calendar(ics, 'planerade-kvalitetsdialoger.ics');
  }
  if (event.routeKey === 'GET /feeds/{feedKey}/calendar.ics') {
    const ics = await facilitatorFeed(d, key);
    return ics === undefined ? unknownPath() : calendar(ics, 'kvalitetsdialog.ics');
  }
  return unknownPath();
}
