/**
 * Console sessions: a signed cookie value `<payload>.<signature>` carrying the role, the person's
 * name (for the audit trail), an id and the expiry. The HMAC key is derived from the app's
 * link-signing key, so no extra secret is needed and rotating that key ends every session.
 * The signature says who the cookie is for; whether its session is still open (not logged out)
 * is recorded server-side (functions/use-cases/console-sessions.ts).
 * Forms carry a CSRF token bound to the session id (on top of SameSite=Strict).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import * as z from '#core/zod.ts';

export const consoleRoles = ['coordinator', 'inspectorate'] as const;
export type ConsoleRole = (typeof consoleRoles)[number];

export const SESSION_COOKIE = 'kd_session';
/** A working day: the console is used in office hours, a new login each morning is acceptable. */
export const SESSION_HOURS = 10;

const payloadSchema = z.object({
  r: z.enum(consoleRoles),
  n: z.string().check(z.minLength(1), z.maxLength(100)),
  i: z.string().check(z.regex(/^[A-Za-z0-9_-]{16}$/)),
  e: z.number().check(z.int()),
});

export interface Session {
  role: ConsoleRole;
  name: string;
  id: string;
  expiresAt: Date;
}

const sessionKey = (linkSigningKey: string): Buffer => createHmac('sha256', linkSigningKey).update('console-session-v1').digest();

const mac = (key: Buffer, data: string): string => createHmac('sha256', key).update(data).digest('base64url');

/** Constant-time string comparison (tokens, signatures). */
export const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export function signSession(
  linkSigningKey: string,
  s: { role: ConsoleRole; name: string },
  now: Date,
): { value: string; session: Session } {
  const session: Session = {
    role: s.role,
    name: s.name,
    id: randomBytes(12).toString('base64url'),
    expiresAt: new Date(now.getTime() + SESSION_HOURS * 3_600_000),
  };
  const payload = Buffer.from(
    JSON.stringify({ r: session.role, n: session.name, i: session.id, e: Math.floor(session.expiresAt.getTime() / 1000) }),
  ).toString('base64url');
  return { value: `${payload}.${mac(sessionKey(linkSigningKey), payload)}`, session };
}

export function verifySession(linkSigningKey: string, value: string | undefined, now: Date): Session | undefined {
  if (!value || value.length > 1000) return undefined;
  const [payload, sig, extra] = value.split('.');
  if (!payload || !sig || extra !== undefined) return undefined;
  if (!same(sig, mac(sessionKey(linkSigningKey), payload))) return undefined;
  let parsed: z.infer<typeof payloadSchema>;
  try {
    parsed = payloadSchema.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    return undefined;
  }
  const expiresAt = new Date(parsed.e * 1000);
  if (expiresAt.getTime() <= now.getTime()) return undefined;
  return { role: parsed.r, name: parsed.n, id: parsed.i, expiresAt };
}

export const csrfToken = (linkSigningKey: string, session: Session): string =>
  mac(sessionKey(linkSigningKey), `csrf:${session.id}`).slice(0, 32);

export const checkCsrf = (linkSigningKey: string, session: Session, given: string | undefined): boolean =>
  typeof given === 'string' && same(given, csrfToken(linkSigningKey, session));

/** Reads one cookie from a Cookie header (API Gateway v2 also passes them in event.cookies). */
export function readCookie(header: string | readonly string[] | undefined, name: string): string | undefined {
  const parts = Array.isArray(header) ? header : String(header ?? '').split(';');
  for (const part of parts) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/**
 * A short-lived signed value for one purpose (the sign-in's state, PKCE verifier and return path
 * between the redirect to the identity provider and its callback).
 */
export function sealValue(linkSigningKey: string, purpose: string, data: Record<string, string>, expiresAt: Date): string {
  const payload = Buffer.from(JSON.stringify({ ...data, _e: Math.floor(expiresAt.getTime() / 1000) })).toString('base64url');
  return `${payload}.${mac(sessionKey(linkSigningKey), `${purpose}:${payload}`)}`;
}

export function openValue(
  linkSigningKey: string,
  purpose: string,
  value: string | undefined,
  now: Date,
): Record<string, string> | undefined {
  if (!value || value.length > 2000) return undefined;
  const [payload, sig, extra] = value.split('.');
  if (!payload || !sig || extra !== undefined) return undefined;
  if (!same(sig, mac(sessionKey(linkSigningKey), `${purpose}:${payload}`))) return undefined;
  try {
    const parsed = z
      .record(z.string(), z.union([z.string(), z.number()]))
      .parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    if (typeof parsed._e !== 'number' || parsed._e * 1000 <= now.getTime()) return undefined;
    return Object.fromEntries(Object.entries(parsed).filter(([k, v]) => k !== '_e' && typeof v === 'string')) as Record<string, string>;
  } catch {
    return undefined;
  }
}
