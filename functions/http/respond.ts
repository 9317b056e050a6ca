/**
 * Building HTTP responses (API Gateway HTTP API, payload v2): JSON, HTML pages with their content
 * security policy, redirects. The headers every response carries are added by the
 * `securityHeaders` middleware (functions/http/middleware.ts), errors by functions/http/errors.ts.
 */
import type { APIGatewayProxyResultV2 } from 'aws-lambda';

export type HttpResult = APIGatewayProxyResultV2 & { statusCode: number; headers: Record<string, string>; body: string };

export const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(body),
});

/** `allowOwnScript`: the page may load scripts from this origin and fetch from it (no inline script, ever). */
export const html = (statusCode: number, body: string, options: { allowOwnScript?: boolean } = {}): HttpResult => ({
  statusCode,
  headers: {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'${
      options.allowOwnScript ? "; script-src 'self'; connect-src 'self'" : ''
    }`,
  },
  body,
});

export const redirect = (location: string, headers: Record<string, string> = {}): HttpResult => ({
  statusCode: 303,
  headers: { location, 'content-type': 'text/plain; charset=utf-8', ...headers },
  body: '',
});

/** API Gateway's own answer to a path no route matches; the local server and the feeds (for an unknown key) answer the same. */
export const unknownPath = (): HttpResult => ({
  statusCode: 404,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ message: 'Not Found' }),
});
