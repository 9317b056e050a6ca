/** Reading API Gateway (HTTP API, payload v2) requests: bodies, forms, bearer roles. */
import { timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ForbiddenError, PayloadTooLargeError, UnauthorizedError, ValidationError } from '#core/errors.ts';
import { roleFromClaims } from '#core/auth-claims.ts';
import { isSingleLine, MAX_ID_LENGTH } from '#core/fields.ts';
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

/** The media type of a Content-Type header, lower-case and without parameters ("application/json; charset=utf-8" → "application/json"). */
export const mediaTypeOf = (header: string | undefined): string => (header ?? '').split(';', 1)[0]!.trim().toLowerCase();

export function jsonBody(event: APIGatewayProxyEventV2): unknown {
  if (mediaTypeOf(event.headers?.['content-type']) !== 'application/json') {
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

const sentTwice = (name: string) =>
  new ValidationError(`Fältet ”${name.slice(0, 40)}” skickades mer än en gång. Ladda om sidan och skicka formuläret igen.`, [
    { path: name, message: 'sent more than once' },
  ]);

/**
 * A posted form's fields (forms are filled in by people: the messages are Swedish). A field sent
 * twice (`answer=accept&answer=decline`) is refused, since which one counts would be a guess; the
 * fields a form sends several of (its checkboxes) are named in `lists` and come back in `all`.
 * With `allowed`, a field the form does not have is refused too (a selection with a misspelt
 * field would otherwise select more than asked for).
 */
export function formFields(
  event: APIGatewayProxyEventV2,
  options: { lists?: readonly string[]; allowed?: readonly string[] } = {},
): { fields: Record<string, string>; all: Record<string, string[]> } {
  const lists = options.lists ?? [];
  const fields: Record<string, string> = {};
  const all: Record<string, string[]> = {};
  for (const [k, v] of new URLSearchParams(rawBody(event))) {
    if (options.allowed && k !== 'csrf' && !options.allowed.includes(k) && !lists.includes(k)) {
      throw new ValidationError(`Formuläret har ett fält som det inte ska ha: ”${k.slice(0, 40)}”. Ladda om sidan och fyll i det igen.`, [
        { path: k, message: 'unknown field' },
      ]);
    }
    if (lists.includes(k)) all[k] = [...(all[k] ?? []), v];
    else if (Object.hasOwn(fields, k)) throw sentTwice(k);
    else fields[k] = v;
  }
  return { fields, all };
}

/**
 * A request that takes no body: none, an empty one or `{}` is fine; anything else is refused
 * rather than ignored (a caller who sends settings should learn that none are read).
 */
export function noBody(event: APIGatewayProxyEventV2): void {
  const text = rawBody(event).trim();
  if (text === '' || text === '{}') return;
  throw new ValidationError('This request takes no body: send none (or {})', [{ path: '(body)', message: 'no body expected' }]);
}

/** A posted form's fields, each at most once (see formFields). */
export const formBody = (event: APIGatewayProxyEventV2): Record<string, string> => formFields(event).fields;

/**
 * Path parameters are ids (a dialogue's, a meeting's, a campaign's …): bounded here, before any
 * table read, so a 2,100-character id is a 400 and never reaches DynamoDB's 2,048-byte key limit.
 */
export function checkPathParameters(event: APIGatewayProxyEventV2): void {
  for (const [name, value] of Object.entries(event.pathParameters ?? {})) {
    if (value === undefined) continue;
    if (value.length > MAX_ID_LENGTH) {
      throw new ValidationError(`${name} is too long (at most ${MAX_ID_LENGTH} characters): pass an id as this service gave it`, [
        { path: name, message: `at most ${MAX_ID_LENGTH} characters` },
      ]);
    }
    if (!isSingleLine(value))
      throw new ValidationError(`${name} must not contain control characters`, [{ path: name, message: 'control characters' }]);
  }
}

/**
 * A header's text. HTTP carries header values as bytes, which Node and API Gateway hand over one
 * byte per character (Latin-1): a UTF-8 value such as "Åsa Öberg" arrives as "Ã…sa Ã–berg". When
 * the bytes are valid UTF-8 they are read as such; anything else is taken as it came.
 */
export function headerText(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const raw = event.headers?.[name];
  if (raw === undefined) return undefined;
  const codes = [...raw].map((c) => c.codePointAt(0) ?? 0);
  if (!codes.some((c) => c > 0x7f) || codes.some((c) => c > 0xff)) return raw;
  const decoded = new TextDecoder('utf-8').decode(Buffer.from(raw, 'latin1'));
  return decoded.includes('\uFFFD') ? raw : decoded;
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
