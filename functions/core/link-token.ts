/**
 * Answer-link tokens: `<linkId>.<expiry>.<signature>`. The link id is random and maps to a stored
 * link (dialogue, step, recipient); the HMAC binds the id to its expiry so neither can be forged
 * or stretched. Task tokens never appear in URLs.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type TokenCheck =
  | { ok: true; linkId: string; expiresAt: Date }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired'; linkId?: string };

const TOKEN_RE = /^([A-Za-z0-9_-]{22})\.([0-9a-z]{1,10})\.([A-Za-z0-9_-]{22})$/;

export const newLinkId = (): string => randomBytes(16).toString('base64url');

function sign(key: string, linkId: string, exp: string): string {
  return createHmac('sha256', key).update(`${linkId}.${exp}`).digest().subarray(0, 16).toString('base64url');
}

export function signLinkToken(key: string, linkId: string, expiresAt: Date): string {
  const exp = Math.floor(expiresAt.getTime() / 1000).toString(36);
  return `${linkId}.${exp}.${sign(key, linkId, exp)}`;
}

export function verifyLinkToken(key: string, token: string, now: Date): TokenCheck {
  const m = TOKEN_RE.exec(token);
  if (!m) return { ok: false, reason: 'malformed' };
  const [, linkId = '', exp = '', sig = ''] = m;
  const expected = Buffer.from(sign(key, linkId, exp));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'bad_signature' };
  const expiresAt = new Date(Number.parseInt(exp, 36) * 1000);
  if (expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired', linkId };
  return { ok: true, linkId, expiresAt };
}
