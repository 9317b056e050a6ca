/**
 * The one place an error becomes an HTTP answer: typed domain errors map to their 4xx, anything
 * else to a 500 with an id the person can quote (logged with the stack, never shown). The JSON API
 * answers JSON; the console and the organiser pages answer a Swedish page in their own layout.
 */
import { randomUUID } from 'node:crypto';
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  InvalidTransitionError,
  NoRecipientsError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
  ValidationError,
} from '#core/errors.ts';
import { deps } from '#adapters/deps.ts';
import { logger } from '#adapters/observability.ts';
import { type HttpResult, html, json } from './respond.ts';

const statusOf = (e: DomainError): number => {
  if (e instanceof ValidationError) return 400;
  if (e instanceof UnauthorizedError) return 401;
  if (e instanceof ForbiddenError) return 403;
  if (e instanceof NotFoundError) return 404;
  if (e instanceof ConflictError || e instanceof InvalidTransitionError) return 409;
  if (e instanceof PayloadTooLargeError) return 413;
  if (e instanceof NoRecipientsError) return 422;
  return 400;
};

/** The JSON API's error body: `{ error, message }` (and the field issues of a validation error). */
export function apiError(e: unknown): HttpResult {
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

/** A console error page (templates/pages/console/error.eta) with a way back. */
export function problem(status: number, heading: string, message: string): HttpResult {
  return html(status, deps().templates.consolePage('error', { title: heading, heading, message, back: '/console' }));
}

const TOO_LARGE = 'Det ni skickade är för stort för att tas emot. Korta texten, eller dela upp den, och försök igen.';

function consoleError(e: unknown): HttpResult {
  if (e instanceof ForbiddenError) return problem(403, 'Ingen behörighet', e.message);
  if (e instanceof NotFoundError) return problem(404, 'Hittades inte', e.message);
  if (e instanceof PayloadTooLargeError) return problem(413, 'För stort', TOO_LARGE);
  const r = apiError(e);
  const message = (JSON.parse(r.body) as { message?: string }).message ?? '';
  if (r.statusCode >= 500) return problem(500, 'Något gick fel', `Försök igen om en stund. ${message}`);
  return problem(r.statusCode, 'Det gick inte', message);
}

/** An organiser page (templates/pages/link-problem.eta): the organiser never sees JSON. */
function organiserError(e: unknown): HttpResult {
  const page = (status: number, heading: string, message: string) =>
    html(status, deps().templates.page('link-problem', { title: heading, heading, message }));
  if (e instanceof PayloadTooLargeError) return page(413, 'Svaret är för stort', TOO_LARGE);
  const r = apiError(e);
  if (r.statusCode >= 500) return page(500, 'Något gick fel', 'Ditt svar kunde inte sparas just nu. Försök igen om en stund.');
  return page(r.statusCode, 'Det gick inte', (JSON.parse(r.body) as { message?: string }).message ?? '');
}

/** Which audience a path serves: the JSON API, the console, or the organisers' link pages. */
export type Surface = 'api' | 'console' | 'organiser';
export const surfaceOf = (path: string): Surface =>
  path.startsWith('/console') ? 'console' : path.startsWith('/r/') ? 'organiser' : 'api';

/** The answer to `e` for a request to `path`, in that surface's form. */
export function errorResult(e: unknown, path: string): HttpResult {
  const surface = surfaceOf(path);
  if (surface === 'api') return apiError(e);
  try {
    return surface === 'console' ? consoleError(e) : organiserError(e);
  } catch (renderFailure) {
    // A page that cannot even render its error page (templates missing) still answers, in JSON.
    logger.error('error page failed to render', { error: renderFailure as Error });
    return apiError(e);
  }
}
