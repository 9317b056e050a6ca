/**
 * HTTP responses and the one place domain errors become status codes. Nothing here ever returns
 * a stack trace; unexpected errors are logged with an id the person can quote.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  InvalidTransitionError,
  NoRecipientsError,
  NotFoundError,
  UnauthorizedError,
  ValidationError,
} from '#core/errors.ts';

export const logger = new Logger({ serviceName: 'kvalitetsdialog' });

export type HttpResult = APIGatewayProxyResultV2 & { statusCode: number; headers: Record<string, string>; body: string };

const securityHeaders = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

export const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', ...securityHeaders, ...headers },
  body: JSON.stringify(body),
});

/** `allowOwnScript`: the page may load scripts from this origin and fetch from it (no inline script, ever). */
export const html = (statusCode: number, body: string, options: { allowOwnScript?: boolean } = {}): HttpResult => ({
  statusCode,
  headers: {
    'content-type': 'text/html; charset=utf-8',
    ...securityHeaders,
    'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'${
      options.allowOwnScript ? "; script-src 'self'; connect-src 'self'" : ''
    }`,
    'x-frame-options': 'DENY',
    'x-robots-tag': 'noindex',
  },
  body,
});

const statusOf = (e: DomainError): number => {
  if (e instanceof ValidationError) return 400;
  if (e instanceof UnauthorizedError) return 401;
  if (e instanceof ForbiddenError) return 403;
  if (e instanceof NotFoundError) return 404;
  if (e instanceof ConflictError || e instanceof InvalidTransitionError) return 409;
  if (e instanceof NoRecipientsError) return 422;
  return 400;
};

export function errorResponse(e: unknown): HttpResult {
  if (e instanceof DomainError) {
    const headers: Record<string, string> = e instanceof UnauthorizedError ? { 'www-authenticate': 'Bearer' } : {};
    return json(statusOf(e), { error: e.code, message: e.message, ...(e instanceof ValidationError ? { issues: e.issues } : {}) }, headers);
  }
  const errorId = randomUUID();
  logger.error('unhandled error', { errorId, error: e as Error });
  return json(500, {
    error: 'internal',
    message: `Something went wrong on our side. Quote error id ${errorId} when you report it.`,
    errorId,
  });
}
