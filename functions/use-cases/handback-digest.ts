/**
 * The coordinator's daily digest of hand-backs. A hand-back (an offer nobody booked, an invitation
 * nobody answered, a step that failed) is noted under its Stockholm day instead of being mailed on
 * its own; from DIGEST_AT the next morning the scheduler's tick sends that day's digest once: how
 * many of each kind, the organisers (with their org. numbers), and links to the console's list of
 * open hand-backs where each can be acted on, one or many at a time.
 */
import { addCalendarDays, stockholmDate, stockholmTime } from '#core/calendar.ts';
import type { Dialogue, PhaseMeetingKind } from '#core/dialogue.ts';
import { type HandbackKind, handbackKindLabels, handbackKinds } from '#core/handbacks.ts';
import { consoleLinks } from '#core/console-links.ts';
import { formatOrgNumber } from '#core/organiser.ts';
import { meetingKindRules } from '#core/scheduling.ts';
import { formatSwedishDate } from '#core/time.ts';
import type { Deps } from '#adapters/deps.ts';
import { stockholmInstant } from '#core/calendar.ts';
import { sendOnce } from './mail.ts';
import { type DigestEntry, handbacksOf } from '#adapters/handback-repository.ts';

/** The digest of a day goes out from this Stockholm time the next morning. */
export const DIGEST_AT = '07:00';
/** Days looked back for a digest not yet sent (a scheduler that was down catches up). */
const CATCH_UP_DAYS = 14;
/** Organisers named in the mail; the console lists them all. */
const LISTED = 30;
/** The mail log's key for the digests (they belong to no dialogue). */
export const DIGEST_LOG = 'coordinator-digest';

/** The console's list of open hand-backs (all, or one kind). */
export const handbackListUrl = (d: Deps, kind: HandbackKind | 'alla' = 'alla'): string =>
  `${d.env.PUBLIC_BASE_URL}/console?handback=${kind}`;

/** Notes a hand-back for its day's digest; `ref` names the event, so a retried step notes it once. */
export async function noteHandback(
  d: Deps,
  x: Pick<Dialogue, 'id' | 'organiserName' | 'orgNumber'>,
  kind: HandbackKind,
  ref: string,
  meetingKind?: PhaseMeetingKind,
): Promise<void> {
  const now = d.clock.now();
  await handbacksOf(d).noteForDigest(stockholmDate(now), ref, {
    dialogueId: x.id,
    organiserName: x.organiserName,
    ...(x.orgNumber ? { orgNumber: x.orgNumber } : {}),
    kind,
    ...(meetingKind ? { meetingName: meetingKindRules[meetingKind].name } : {}),
    at: now.toISOString(),
  });
}

/** The latest day whose digest is due at `now`: yesterday from DIGEST_AT, before it the day before. */
export function digestDueDay(now: Date): string {
  return addCalendarDays(stockholmDate(now), stockholmTime(now) >= DIGEST_AT ? -1 : -2);
}

/**
 * Sends the digest of each recent day that has hand-backs and none yet; returns how many went out.
 * One Query reads the last CATCH_UP_DAYS days (a scheduler that was down catches up); days up to
 * the shape's start are also read from their own partitions until the last of them is due.
 */
export async function sendDigests(d: Deps): Promise<number> {
  const now = d.clock.now();
  const today = stockholmDate(now);
  const lastDue = digestDueDay(now);
  const first = addCalendarDays(today, -CATCH_UP_DAYS);
  const handbacks = handbacksOf(d);
  const recent = await handbacks.recentDigests(first);
  const shape = recent.shape ?? (await handbacks.startDigestShape(today));
  let sent = 0;
  for (let day = first; day <= lastDue; day = addCalendarDays(day, 1)) {
    let { entries, sent: done } = recent.days.get(day) ?? { entries: [], sent: false };
    if (!done && !shape.earlierDone && day <= shape.since) {
      const before = await handbacks.digestDayBefore(day);
      entries = [...before.entries, ...entries];
      done = before.sent;
    }
    if (done || entries.length === 0) continue;
    await sendOnce(d, {
      dialogueId: DIGEST_LOG,
      step: `handbacks-${day}`,
      contactId: 'coordinator',
      email: d.env.COORDINATOR_EMAIL,
      render: () => d.templates.email('handback-digest', digestView(d, day, entries)),
    });
    await handbacks.markDigestSent(day, now.toISOString());
    sent++;
  }
  if (!shape.earlierDone && lastDue >= shape.since) await handbacks.endEarlierDigests();
  return sent;
}

function digestView(d: Deps, day: string, entries: readonly DigestEntry[]) {
  // One row per dialogue and kind (a dialogue handed back twice in a day is one thing to act on).
  const unique = [...new Map(entries.map((e) => [`${e.dialogueId}#${e.kind}`, e])).values()].sort(
    (a, b) => handbackKinds.indexOf(a.kind) - handbackKinds.indexOf(b.kind) || a.organiserName.localeCompare(b.organiserName, 'sv'),
  );
  const links = consoleLinks(d.env.PUBLIC_BASE_URL);
  // Each row links to where its next step is taken: the booking page, the contacts, the material page, the retry.
  const rowUrl = (e: DigestEntry): string =>
    e.kind === 'booking'
      ? links.book(e.dialogueId)
      : e.kind === 'failure'
        ? links.retry(e.dialogueId)
        : e.kind === 'material'
          ? links.material(e.dialogueId)
          : `${links.dialogue(e.dialogueId)}#kontakter`;
  return {
    day: formatSwedishDate(stockholmInstant(day, '12:00')),
    total: unique.length,
    kinds: handbackKinds
      .map((kind) => ({
        label: handbackKindLabels[kind],
        count: unique.filter((e) => e.kind === kind).length,
        url: handbackListUrl(d, kind),
      }))
      .filter((k) => k.count > 0),
    rows: unique.slice(0, LISTED).map((e) => ({
      organiserName: e.organiserName,
      orgNumber: formatOrgNumber(e.orgNumber),
      what: `${handbackKindLabels[e.kind]}${e.meetingName ? ` (${e.meetingName.toLowerCase()})` : ''}`,
      url: rowUrl(e),
    })),
    more: Math.max(0, unique.length - LISTED),
    listUrl: handbackListUrl(d),
  };
}
