/** Reading API Gateway (HTTP API, payload v2) requests: bodies, forms, bearer roles. */
import { timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ForbiddenError, PayloadTooLargeError, UnauthorizedError, ValidationError } from '#core/errors.ts';
import { roleFromClaims } from '#core/auth-claims.ts';
import type { Secrets } from '#adapters/deps.ts';

export type Role = 'coordinator' | 'inspectorate';

/** The largest body a handler reads (forms and JSON; the API's inspection import takes files up to 1 MB in its own check). */
export const MAX_BODY_BYTES = 256 * 1024;

export function rawBody(event: APIGatewayProxyEventV2): string {
  if (!event.body) return '';
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw new PayloadTooLargeError(MAX_BODY_BYTES);
  return text;
}

export function jsonBody(event: APIGatewayProxyEventV2): unknown {
  const type = event.headers?.['content-type'] ?? '';
  if (!type.toLowerCase().startsWith('application/json')) {
    throw new ValidationError('Send the body as JSON with the header Content-Type: application/json');
  }
  const text = rawBody(event);
  if (!text) throw new ValidationError('The request body is empty; send a JSON object');
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError('The request body is not valid JSON');
  }
}

export function formBody(event: APIGatewayProxyEventV2): Record<string, string> {
  const params = new URLSearchParams(rawBody(event));
  const out: Record<string, string> = {};
  for (const [k, v] of params) if (!(k in out)) out[k] = v;
  return out;
}

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** The verified JWT claims API Gateway's JWT authorizer put on the event, if it ran. */
export function jwtClaimsOf(event: APIGatewayProxyEventV2): Record<string, unknown> | undefined {
  const ctx = event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } } | undefined;
  return ctx?.authorizer?.jwt?.claims;
}

/**
 * The caller's role. Behind the Cognito JWT authorizer (cloud) the role comes from the verified
 * claims' `cognito:groups`, and nothing else is accepted; without Cognito (the embedded runtime)
 * from the coordinator and inspectorate dev tokens.
 */
export function roleOf(event: APIGatewayProxyEventV2, secrets: Secrets, options: { cognito?: boolean } = {}): Role {
  const claims = jwtClaimsOf(event);
  if (claims) return roleFromClaims(claims);
  if (options.cognito) throw new UnauthorizedError('Sign in: send the header Authorization: Bearer <Cognito access or ID token>');
  const header = event.headers?.authorization ?? '';
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  if (!m?.[1]) throw new UnauthorizedError('Sign in: send the header Authorization: Bearer <token>');
  if (same(m[1], secrets.coordinatorToken)) return 'coordinator';
  if (same(m[1], secrets.inspectorateToken)) return 'inspectorate';
  throw new UnauthorizedError('The bearer token is not valid');
}

export function requireRole(role: Role, allowed: readonly Role[]): void {
  if (!allowed.includes(role)) throw new ForbiddenError(`This endpoint is for the ${allowed.join(' or ')} role`);
}
