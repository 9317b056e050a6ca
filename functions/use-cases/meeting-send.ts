/**
 * Sends the mail of one meeting version: the calendar invitation (REQUEST) or cancellation
 * (CANCEL) to the pair and the organisers' people, each through the send-once mail log, with a
 * signed link to manage the meeting for the organisers' people. Composition is meeting-mail.ts.
 */
import { consoleLinks } from '#core/console-links.ts';
import type { CalendarMethod } from '#core/ics.ts';
import type { Dialogue } from '#core/dialogue.ts';
import type { Meeting, MeetingSession } from '#core/meetings.ts';
import type { StoredFacilitator } from '#core/ports.ts';
import type { Deps } from '#adapters/deps.ts';
import { sendStep } from './mail.ts';
import { composeMeetingMails, MANAGE_LINK_PLACEHOLDER, meetingMailStep, OVERVIEW_LINK_PLACEHOLDER } from './meeting-mail.ts';

const domainOf = (address: string): string => /@([^>\s]+)>?\s*$/.exec(address)?.[1] ?? 'kvalitetsdialog.local';
const addressOf = (address: string): string => /<([^>]+)>/.exec(address)?.[1] ?? address.trim();

/** What a caller already holds of a meeting's people (not read again): its dialogues, its pair. */
export interface MeetingPeople {
  dialogues?: readonly Dialogue[];
  facilitators?: readonly StoredFacilitator[];
}

/** Who and what every mail about meeting `m` names: the organisers, the pair, the sender, the UID domain. */
export async function mailContext(d: Deps, m: Meeting, known: MeetingPeople = {}) {
  const facilitators = await Promise.all(
    [m.pair.skolverket, m.pair.spsm].map((id) => known.facilitators?.find((f) => f.id === id) ?? d.facilitators.get(id)),
  );
  const organisers = await Promise.all(m.dialogueIds.map((id) => known.dialogues?.find((x) => x.id === id) ?? d.dialogues.get(id)));
  return {
    organiserNames: organisers.map((o) => o?.organiserName ?? ''),
    facilitators: facilitators.filter((f) => f !== undefined),
    organizer: { name: 'Kvalitetsdialog – Skolverket och SPSM', email: addressOf(d.env.MAIL_REPLY_TO) },
    uidDomain: domainOf(d.env.MAIL_FROM),
    now: d.clock.now(),
    organiserRecipients: organisers.flatMap((o) =>
      (o?.recipients ?? []).map((r) => ({ key: r.contactId, name: r.name, email: r.email, dialogueId: o?.id })),
    ),
    mailPair: !m.introSessionId,
    consoleUrl: m.dialogueIds[0] ? consoleLinks(d.env.PUBLIC_BASE_URL).dialogue(m.dialogueIds[0]) : undefined,
  };
}

/**
 * Mails every recipient of this meeting version; recipients already mailed are skipped (send-once).
 * The organisers' contacts get it too, with a signed link to manage the meeting (REQUEST only).
 * `dropped`: sessions a reschedule removed from a split meeting, each cancelled under its own UID.
 * `change`: what changed in this version when it was not the time ('pair': new facilitators).
 */
export async function mailMeeting(
  d: Deps,
  m: Meeting,
  method: CalendarMethod,
  opts: {
    dropped?: readonly MeetingSession[];
    change?: 'pair' | 'left';
    leftName?: string;
    /** Leave the pair out (a CANCEL to an organiser that left a shared meeting). */
    organisersOnly?: boolean;
    /** Addresses not to mail (people who stay in the meeting through another organiser). */
    except?: ReadonlySet<string>;
    /** What the caller holds of the meeting's dialogues (their names and contacts) and pair. */
    known?: MeetingPeople;
  } = {},
): Promise<number> {
  const dropped = opts.dropped ?? [];
  const context = await mailContext(d, m, opts.known);
  const common = {
    ...context,
    change: opts.change,
    leftName: opts.leftName,
    mailPair: context.mailPair && !opts.organisersOnly,
  };
  const mails = composeMeetingMails(d.templates, { ...common, meeting: m, method });
  const step = meetingMailStep(m, method);
  // An organiser's people get links bound to their own dialogue (a shared meeting has several):
  // the mails are logged under the dialogue they belong to, one step record each.
  const byDialogue = new Map<string, typeof mails>();
  for (const mail of mails) {
    if (opts.except?.has(mail.to.toLowerCase())) continue;
    const dialogueId = mail.dialogueId ?? (m.dialogueIds[0] as string);
    byDialogue.set(dialogueId, [...(byDialogue.get(dialogueId) ?? []), mail]);
  }
  let sent = 0;
  for (const [dialogueId, group] of byDialogue) {
    const results = await sendStep(
      d,
      dialogueId,
      step,
      group.map((mail) => ({
        contactId: mail.recipientKey,
        email: mail.to,
        withLink: mail.manage,
        linkStep: mail.manage ? `manage:${m.id}:${m.sequence}` : undefined,
        linkValidUntil: new Date(Math.max(...m.sessions.map((s) => Date.parse(s.end)))),
        withOverview: mail.organiserSide,
        render: (link: string | undefined, overview?: string) => {
          const fill = (text: string) => {
            let out = mail.manage && link ? text.replaceAll(MANAGE_LINK_PLACEHOLDER, link) : text;
            if (overview) out = out.replaceAll(OVERVIEW_LINK_PLACEHOLDER, overview);
            return out;
          };
          return { subject: mail.subject, text: fill(mail.text), html: fill(mail.html), calendar: mail.calendar };
        },
      })),
    );
    sent += results.filter((r) => r.sent).length;
  }
  if (dropped.length > 0) {
    // The dropped sessions keep their UIDs (the tail of the old list): a CANCEL removes each.
    const cancelled = { ...m, sessions: [...dropped] };
    const cancels = composeMeetingMails(d.templates, {
      ...common,
      meeting: cancelled,
      method: 'CANCEL',
      firstIndex: m.sessions.length,
      overview: false,
    });
    // The REQUEST of the same change carries the overview link; this CANCEL goes without it.
    await sendStep(
      d,
      m.dialogueIds[0] as string,
      `${meetingMailStep(m, 'CANCEL')}-dropped`,
      cancels.map((mail) => ({
        contactId: mail.recipientKey,
        email: mail.to,
        render: () => ({ subject: mail.subject, text: mail.text, html: mail.html, calendar: mail.calendar }),
      })),
    );
  }
  return sent;
}
