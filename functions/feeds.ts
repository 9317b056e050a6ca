/**
 * Lambda: the calendar subscriptions (functions/http/feeds.ts), public routes whose key in the
 * path is the credential. It reads the table and the inspectorate's feed-key secret only. No
 * security-header middleware: an unknown key must look exactly like an unknown path; the
 * calendar answers carry their own headers.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { observed } from '#adapters/observability.ts';
import { feedRoute } from '#functions/http/feeds.ts';
import { httpErrors } from '#functions/http/middleware.ts';
import type { HttpResult } from '#functions/http/respond.ts';

export const handler = middy<APIGatewayProxyEventV2, HttpResult>()
  .use(observed<APIGatewayProxyEventV2, HttpResult>())
  .use(httpErrors())
  .handler(feedRoute);
