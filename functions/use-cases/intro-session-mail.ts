/**
 * The facilitator pair's own invitation to a group intro session: one calendar event per session
 * (UID from the session id) whose description lists the organisers booked into it. Mailed when a
 * coordinator creates the session (SEQUENCE 0) and as an update whenever an organiser takes or
 * gives up a place (the session's `sequence` is raised with each change). Each version goes once
 * to each facilitator (sendStep keyed by the session id, the version and the facilitator); the
 * organisers' own invitations (meetings.ts) leave the pair out, so the pair gets one event per session.
 */
import { stockholmTime } from '#core/calendar.ts';
import type { Dialogue } from '#core/dialogue.ts';
import { buildInvite } from '#core/ics.ts';
import type { IntroSession } from '#core/intro-sessions.ts';
import type { StoredFacilitator } from '#core/ports.ts';
import { formatSwedishDateTime } from '#core/time.ts';
import type { Deps } from '#adapters/deps.ts';
import { logger } from '#adapters/observability.ts';
import { settled, type WorkMarker } from '#adapters/work-markers.ts';
import { sendStep } from './mail.ts';

const domainOf = (address: string): string => /@([^>\s]+)>?\s*$/.exec(address)?.[1] ?? 'kvalitetsdialog.local';
const addressOf = (address: string): string => /<([^>]+)>/.exec(address)?.[1] ?? address.trim();

/** The mail-log step of one version of the session's invitation. */
export const introSessionMailStep = (s: Pick<IntroSession, 'sequence'>): string => `intro-session-${s.sequence}-request`;

/**
 * Mails this version of the session to both facilitators (already mailed: skipped). Returns how
 * many went out. `known`: dialogue records the caller has just read or written; `facilitators`:
 * those the caller read in this step (not read again).
 */
export async function mailIntroSessionToPair(
  d: Deps,
  session: IntroSession,
  known: readonly Dialogue[] = [],
  facilitators: readonly StoredFacilitator[] = [],
): Promise<number> {
  if (session.status !== 'open') return 0;
  const pair = await Promise.all(
    [session.pair.skolverket, session.pair.spsm].map((id) => facilitators.find((f) => f.id === id) ?? d.facilitators.get(id)),
  );
  const people = pair.filter((f) => f !== undefined);
  const dialogues = await Promise.all(session.dialogueIds.map(async (id) => known.find((x) => x.id === id) ?? d.dialogues.get(id)));
  const organisers = dialogues.flatMap((x) => (x ? [x.organiserName] : []));
  const start = new Date(session.start);
  const end = new Date(session.end);
  const data = {
    when: formatSwedishDateTime(start),
    endTime: stockholmTime(end),
    videoLink: session.videoLink,
    facilitatorNames: people.map((f) => f.name).join(' och '),
    organisers,
    count: organisers.length,
    capacity: session.capacity,
  };
  const ics = buildInvite({
    method: 'REQUEST',
    meetingId: session.id,
    uidDomain: domainOf(d.env.MAIL_FROM),
    sequence: session.sequence,
    sessions: [{ start, end }],
    summary: `Introduktionsmöte i grupp (${organisers.length} av ${session.capacity} huvudmän)`,
    description: [
      'Introduktionsmöte i kvalitetsdialogen, digitalt, i grupp.',
      `Bokade huvudmän: ${organisers.length > 0 ? organisers.join(', ') : 'inga ännu'}.`,
    ].join('\n'),
    videoLink: session.videoLink,
    organizer: { name: 'Kvalitetsdialog – Skolverket och SPSM', email: addressOf(d.env.MAIL_REPLY_TO) },
    attendees: people.map((f) => ({ name: f.name, email: f.email })),
    stamp: d.clock.now(),
  });
  // An update only to someone who got an earlier version: a session created without mailing the pair
  // (the demo seed) sends its first mail as the invitation, not as an "updated" one.
  const earlier = (await d.mailLog.list(session.id)).filter(
    (m) => m.step.startsWith('intro-session-') && m.step !== introSessionMailStep(session) && m.status === 'sent',
  );
  const results = await sendStep(
    d,
    session.id,
    introSessionMailStep(session),
    people.map((f) => ({
      contactId: f.id,
      email: f.email,
      render: () => ({
        ...d.templates.email('intro-session-pair', { ...data, update: earlier.some((m) => m.contactId === f.id), recipientName: f.name }),
        calendar: { method: 'REQUEST' as const, ics, filename: 'kallelse.ics' },
      }),
    })),
  );
  return results.filter((r) => r.sent).length;
}

/**
 * As mailIntroSessionToPair, after the change it reports is committed: when the mail cannot go now
 * (SES refuses, a dropped connection), the session is marked `pairMailPending` and the scheduler's
 * tick sends it later (`retryPendingPairMails`), so the caller's answer reflects what was done
 * (the session exists, the place is booked) and the pair's invitation is not lost.
 */
export async function mailIntroSessionToPairOrLater(
  d: Deps,
  session: IntroSession,
  known: readonly Dialogue[] = [],
  facilitators: readonly StoredFacilitator[] = [],
): Promise<{ pending: boolean }> {
  try {
    await mailIntroSessionToPair(d, session, known, facilitators);
    return { pending: false };
  } catch (e) {
    logger.warn('intro session mail to the pair failed; the tick retries it', { sessionId: session.id, error: (e as Error).message });
    await d.introSessions.mutate(session.id, (s) => (s.pairMailPending ? undefined : { ...s, pairMailPending: true }));
    // The scheduler's work list: the tick reads this session only while the marker is there.
    await d.work.mark('INTRO', session.id, d.clock.now());
    return { pending: true };
  }
}

/**
 * The tick: sends the pair's invitation of every session still marked pending (its latest
 * version). `marked`: the sessions the work list names (each read by its key); with `listAll`
 * (the scheduler's full check) every session is listed too (one Query on the byKind index; they
 * are a handful per region and cycle) and a pending one without a marker gets one. A marker whose
 * session has nothing pending any more is removed.
 */
export async function retryPendingPairMails(
  d: Deps,
  marked: readonly WorkMarker[] = [],
  listAll = false,
): Promise<{ sent: number; failed: number }> {
  let sent = 0;
  let failed = 0;
  const markers = new Map(marked.filter((m) => m.kind === 'INTRO').map((m) => [m.id, m]));
  const sessions = listAll
    ? await d.introSessions.list()
    : (await Promise.all([...markers.keys()].map((id) => d.introSessions.get(id)))).filter((s) => s !== undefined);
  const pending = sessions.filter((x) => x.pairMailPending);
  // The reads are eventually consistent: a young marker may stand for a pending mark they do not show yet, and stays.
  const stale = [...markers.values()].filter((m) => !pending.some((s) => s.id === m.id) && settled(m, d.clock.now()));
  for (const m of stale) await d.work.unmark('INTRO', m.id, m.token);
  for (const s of pending) {
    const marker = markers.get(s.id);
    if (!marker) await d.work.mark('INTRO', s.id, d.clock.now());
    try {
      await mailIntroSessionToPair(d, s);
      // Cleared only for the version just mailed: a newer one keeps the mark until it is sent.
      const { changed } = await d.introSessions.mutate(s.id, (x) =>
        x.sequence === s.sequence && x.pairMailPending ? { ...x, pairMailPending: undefined } : undefined,
      );
      // The marker as read (one put after this read, for a newer pending version, stays); one put just now goes.
      if (changed) await d.work.unmark('INTRO', s.id, marker?.token);
      sent++;
    } catch (e) {
      failed++;
      logger.warn('intro session mail to the pair failed again; next tick', { sessionId: s.id, error: (e as Error).message });
    }
  }
  return { sent, failed };
}
