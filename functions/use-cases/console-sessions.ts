/**
 * Console sessions: the signed cookie says who it is (role, name, session id, expiry), the
 * session store says whether that session is still open. Signing in records the session, every
 * console request checks it, logging out ends it, so an old cookie opens nothing once its
 * person has logged out (in the cloud as locally: the store is the table).
 */
import { type ConsoleRole, type Session, signSession, verifySession } from '#core/session.ts';
import type { Deps } from '#adapters/deps.ts';

/** A new session for a person who has just signed in: the cookie's value, recorded as open. */
export async function startSession(
  d: Pick<Deps, 'clock' | 'sessions'>,
  linkSigningKey: string,
  person: { role: ConsoleRole; name: string },
): Promise<{ value: string; session: Session }> {
  const now = d.clock.now();
  const signed = signSession(linkSigningKey, person, now);
  await d.sessions.open(signed.session, now);
  return signed;
}

/** The session a cookie stands for, if its signature holds, it has not expired and it has not been ended. */
export async function resumeSession(
  d: Pick<Deps, 'clock' | 'sessions'>,
  linkSigningKey: string,
  cookie: string | undefined,
): Promise<Session | undefined> {
  const now = d.clock.now();
  const session = verifySession(linkSigningKey, cookie, now);
  if (!session) return undefined;
  return (await d.sessions.isOpen(session.id, now)) ? session : undefined;
}

/** Logging out: the session opens nothing more, whoever still holds its cookie. */
export async function endSession(d: Pick<Deps, 'clock' | 'sessions'>, session: Session): Promise<void> {
  await d.sessions.end(session.id, d.clock.now());
}
