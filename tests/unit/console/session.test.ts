import { describe, expect, it } from 'vitest';
import { checkCsrf, csrfToken, readCookie, SESSION_HOURS, signSession, verifySession } from '#core/session.ts';

const key = 'k'.repeat(40);
const now = new Date('2026-11-23T08:00:00Z');

describe('console sessions', () => {
  it('round-trips role and name until the expiry', () => {
    // Prepare
    const { value } = signSession(key, { role: 'coordinator', name: 'Åsa Öberg' }, now);

    // Act
    const s = verifySession(key, value, new Date(now.getTime() + SESSION_HOURS * 3_600_000 - 1000));

    // Assess
    expect(s).toMatchObject({ role: 'coordinator', name: 'Åsa Öberg' });
    expect(verifySession(key, value, new Date(now.getTime() + SESSION_HOURS * 3_600_000))).toBeUndefined();
  });

  it('rejects a forged role, another key and garbage', () => {
    const { value } = signSession(key, { role: 'inspectorate', name: 'Ivar' }, now);
    const [payload = '', sig] = value.split('.');
    const forged = Buffer.from(Buffer.from(payload, 'base64url').toString().replace('inspectorate', 'coordinator')).toString('base64url');
    expect(verifySession(key, `${forged}.${sig}`, now)).toBeUndefined();
    expect(verifySession('x'.repeat(40), value, now)).toBeUndefined();
    for (const bad of [undefined, '', 'a.b', 'a.b.c', `${value}.x`]) expect(verifySession(key, bad, now)).toBeUndefined();
  });

  it('binds the CSRF token to the session', () => {
    const a = signSession(key, { role: 'coordinator', name: 'A' }, now).session;
    const b = signSession(key, { role: 'coordinator', name: 'A' }, now).session;
    expect(checkCsrf(key, a, csrfToken(key, a))).toBe(true);
    expect(checkCsrf(key, a, csrfToken(key, b))).toBe(false);
    expect(checkCsrf(key, a, undefined)).toBe(false);
  });

  it('reads a cookie from a header or from API Gateway v2 cookies', () => {
    expect(readCookie('a=1; kd_session=x.y; b=2', 'kd_session')).toBe('x.y');
    expect(readCookie(['a=1', 'kd_session=x.y'], 'kd_session')).toBe('x.y');
    expect(readCookie(undefined, 'kd_session')).toBeUndefined();
  });
});
