import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type LinkTarget, signLinkToken, verifyLinkToken } from '#core/link-token.ts';

const key = 'k'.repeat(40);
const now = new Date('2026-05-01T10:00:00Z');
const exp = new Date('2026-06-01T10:00:00Z');
const target: LinkTarget = {
  dialogueId: 'dlg-0f8b1c3a-b353-43eb-a500-74da87983464',
  step: 'manage:mtg-7d1e2f30-1234-4abc-8def-0123456789ab:3',
  contactId: 'school-chief-asa-oberg-norrvik-example-se',
};

/** A token as earlier versions signed it: `<linkId>.<expiry>.<signature>`, naming a stored link. */
function storedToken(linkId: string, expiresAt: Date): string {
  const e = Math.floor(expiresAt.getTime() / 1000).toString(36);
  return `${linkId}.${e}.${createHmac('sha256', key).update(`${linkId}.${e}`).digest().subarray(0, 16).toString('base64url')}`;
}

/** The token with one bit of byte `i` flipped, re-encoded. */
const flip = (token: string, i: number): string => {
  const bytes = Buffer.from(token, 'base64url');
  bytes[i] = (bytes[i] ?? 0) ^ 1;
  return bytes.toString('base64url');
};

describe('link tokens', () => {
  it('carry their target and expiry, verified until they expire', () => {
    const token = signLinkToken(key, target, exp);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(token.length).toBeLessThanOrEqual(160);
    expect(verifyLinkToken(key, token, now)).toEqual({ ok: true, target, expiresAt: exp });
    expect(verifyLinkToken(key, token, exp)).toEqual({ ok: false, reason: 'expired' });
    // The same target and expiry give the same token (a reminder carries the invitation's link).
    expect(signLinkToken(key, { ...target }, new Date(exp))).toBe(token);
  });

  it('keep any text, UUIDs or not', () => {
    for (const t of [
      { dialogueId: 'dlg-1', step: 'answer', contactId: 'board-å-ä-ö' },
      { dialogueId: 'intro-DLG-0F8B1C3A-B353-43EB-A500-74DA87983464', step: 'offer:intro:1:2', contactId: '' },
    ]) {
      expect(verifyLinkToken(key, signLinkToken(key, t, exp), now)).toEqual({ ok: true, target: t, expiresAt: exp });
    }
  });

  it('refuse another key, any altered byte (target, expiry or signature) and garbage', () => {
    const token = signLinkToken(key, target, exp);
    expect(verifyLinkToken('x'.repeat(40), token, now)).toEqual({ ok: false, reason: 'bad_signature' });
    const length = Buffer.from(token, 'base64url').length;
    for (let i = 0; i < length; i++) expect(verifyLinkToken(key, flip(token, i), now)).toMatchObject({ ok: false });
    for (const field of ['dialogueId', 'step', 'contactId'] as const) {
      const other = signLinkToken(key, { ...target, [field]: `${target[field]}x` }, exp);
      const spliced = Buffer.concat([Buffer.from(other, 'base64url').subarray(0, -16), Buffer.from(token, 'base64url').subarray(-16)]);
      expect(verifyLinkToken(key, spliced.toString('base64url'), now)).toEqual({ ok: false, reason: 'bad_signature' });
    }
    const stretched = Buffer.from(token, 'base64url');
    stretched.writeUInt32BE(stretched.readUInt32BE(1) + 86_400, 1);
    expect(verifyLinkToken(key, stretched.toString('base64url'), now)).toEqual({ ok: false, reason: 'bad_signature' });
    for (const bad of ['', 'abc', `${token}.x`, `${token}=`, token.slice(0, -1), '../../etc/passwd', 'A'.repeat(40)]) {
      expect(verifyLinkToken(key, bad, now)).toMatchObject({ ok: false });
    }
    expect(() => signLinkToken(key, { ...target, contactId: 'a\u0000b' }, exp)).toThrow(RangeError);
  });

  it('still verify the tokens earlier versions mailed (they name a stored link)', () => {
    const linkId = randomBytes(16).toString('base64url');
    const token = storedToken(linkId, exp);
    expect(verifyLinkToken(key, token, now)).toEqual({ ok: true, linkId, expiresAt: exp });
    expect(verifyLinkToken(key, token, exp)).toEqual({ ok: false, reason: 'expired' });
    const [, e, sig] = token.split('.');
    expect(verifyLinkToken('x'.repeat(40), token, now)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyLinkToken(key, `${randomBytes(16).toString('base64url')}.${e}.${sig}`, now)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verifyLinkToken(key, `${linkId}.zzzzzz.${sig}`, now)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyLinkToken(key, token.replace('.', '/'), now)).toEqual({ ok: false, reason: 'malformed' });
  });
});
