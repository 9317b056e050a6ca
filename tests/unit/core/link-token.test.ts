import { describe, expect, it } from 'vitest';
import { newLinkId, signLinkToken, verifyLinkToken } from '#core/link-token.ts';

const key = 'k'.repeat(40);
const now = new Date('2026-05-01T10:00:00Z');
const exp = new Date('2026-06-01T10:00:00Z');

describe('link tokens', () => {
  it('verifies a token it signed, until it expires', () => {
    const id = newLinkId();
    const token = signLinkToken(key, id, exp);
    expect(token.length).toBeLessThan(64);
    expect(verifyLinkToken(key, token, now)).toEqual({ ok: true, linkId: id, expiresAt: exp });
    expect(verifyLinkToken(key, token, exp)).toEqual({ ok: false, reason: 'expired', linkId: id });
  });

  it('rejects another key, a changed id, a stretched expiry and garbage', () => {
    const id = newLinkId();
    const token = signLinkToken(key, id, exp);
    const [, e, sig] = token.split('.');
    expect(verifyLinkToken('x'.repeat(40), token, now)).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(verifyLinkToken(key, `${newLinkId()}.${e}.${sig}`, now)).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(verifyLinkToken(key, `${id}.zzzzzz.${sig}`, now)).toMatchObject({ ok: false, reason: 'bad_signature' });
    for (const bad of ['', 'abc', `${token}.x`, token.replace('.', '/'), '../../etc/passwd']) {
      expect(verifyLinkToken(key, bad, now)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('gives every link a fresh random id', () => {
    expect(new Set(Array.from({ length: 100 }, newLinkId)).size).toBe(100);
  });
});
