/**
 * The middy stack of every HTTP entry: observability (functions/adapters/observability.ts), the
 * one error middleware (functions/http/errors.ts) and the security headers every answer carries.
 * An entry is `httpEntry(handler)`; the handler returns a result or throws a domain error.
 */
import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { observed } from '#adapters/observability.ts';
import { errorResult } from './errors.ts';
import type { HttpResult } from './respond.ts';

type HttpMiddleware = MiddlewareObj<APIGatewayProxyEventV2, HttpResult>;

const everyResponse: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};
const everyPage: Record<string, string> = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'x-robots-tag': 'noindex',
};

/** Adds the headers a response lacks (a response that sets one, e.g. a script's cache-control, keeps its own). */
export function withSecurityHeaders<R extends { headers?: Record<string, string | number | boolean> }>(r: R): R {
  const isPage = String(r.headers?.['content-type'] ?? '').startsWith('text/html');
  r.headers = { ...everyResponse, ...(isPage ? everyPage : {}), ...(r.headers ?? {}) };
  return r;
}

export const securityHeaders = (): HttpMiddleware => {
  const add: NonNullable<HttpMiddleware['after']> = async (request) => {
    if (request.response) withSecurityHeaders(request.response);
  };
  return { after: add, onError: add };
};

/** Any error the handler throws becomes the JSON or Swedish page answer for the request's path. */
export const httpErrors = (): HttpMiddleware => ({
  onError: async (request) => {
    request.response = errorResult(request.error, request.event.rawPath ?? request.event.requestContext?.http?.path ?? '');
  },
});

/** A Lambda entry behind API Gateway: middlewares first, the handler last. */
export const httpEntry = (handler: (event: APIGatewayProxyEventV2) => Promise<HttpResult>) =>
  middy<APIGatewayProxyEventV2, HttpResult>()
    .use(observed<APIGatewayProxyEventV2, HttpResult>())
    .use(securityHeaders())
    .use(httpErrors())
    .handler(handler);
