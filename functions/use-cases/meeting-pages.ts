/**
 * The organiser's meeting pages behind signed links (same rules as the answer page: GET shows and
 * changes nothing, POST commits, a link commits once). The link's step says what it is for:
 *
 *   offer:<kind>:<round>:<no>    pick one of the offered times (or intro sessions), or ask for others
 *   manage:<meetingId>:<seq>     name participants, reschedule, cancel a booked meeting
 *   stop                         stop after the introduction (from the analysis-material mail)
 */
import { ConflictError, ValidationError } from '#core/errors.ts';
import type { Dialogue, OfferedSlot, PhaseMeetingKind } from '#core/dialogue.ts';
import { joinIntroSession } from '#core/intro-sessions.ts';
import { verifyLinkToken } from '#core/link-token.ts';
import {
  bookMeeting,
  isShared,
  type Meeting,
  meetingPlanned,
  type ParticipantRole,
  participantRoleNames,
  participantsOf,
  plannedKindOf,
} from '#core/meetings.ts';
import type { AnswerLink } from '#core/ports.ts';
import { meetingKindRules, proposeSlots, sessionPlan } from '#core/scheduling.ts';
import { stockholmTime } from '#core/calendar.ts';
import { formatSwedishDateTime } from '#core/time.ts';
import type { Deps } from '#adapters/deps.ts';
import { isConditionFailure } from '#adapters/repositories.ts';
import { clashesFor, registerPlanned } from './clash.ts';
import { mailIntroSessionToPairOrLater } from './intro-session-mail.ts';
import { onMeetingBooked, phaseStates, requestOtherTimes, stopAfterIntro } from './lifecycle.ts';
import { cancelMeetingById, createMeeting, leaveSharedMeeting, mailMeeting, moveMeeting, setParticipants } from './meetings.ts';
import { busyOf } from './scheduling.ts';

export type PageView =
  | { kind: 'problem'; problem: 'invalid' | 'expired' }
  | { kind: 'notice'; status: number; title: string; heading: string; message: string; more?: string }
  | { kind: 'page'; status: number; template: string; title: string; data: Record<string, unknown> };

const notice = (heading: string, message: string, more?: string, status = 200): PageView => ({
  kind: 'notice',
  status,
  title: heading,
  heading,
  message,
  more,
});

export const isOrganiserPageStep = (step: string): boolean => step === 'stop' || step.startsWith('offer:') || step.startsWith('manage:');

type Opened = { problem: 'invalid' | 'expired' } | { link: AnswerLink; dialogue: Dialogue };

async function open(d: Deps, token: string): Promise<Opened> {
  const { linkSigningKey } = await d.secrets();
  const check = verifyLinkToken(linkSigningKey, token, d.clock.now());
  if (!check.ok) return { problem: check.reason === 'expired' ? 'expired' : 'invalid' };
  const link = await d.links.get(check.linkId);
  if (!link || !isOrganiserPageStep(link.step)) return { problem: 'invalid' };
  const dialogue = await d.dialogues.get(link.dialogueId);
  if (!dialogue) return { problem: 'invalid' };
  return { link, dialogue };
}

/** The step a verified token names, or undefined (the answer page handles it, or it is invalid). */
export async function linkStepOf(d: Deps, token: string): Promise<string | undefined> {
  const { linkSigningKey } = await d.secrets();
  const check = verifyLinkToken(linkSigningKey, token, d.clock.now());
  if (!check.ok) return undefined;
  return (await d.links.get(check.linkId))?.step;
}

const used = (_link: AnswerLink): PageView =>
  notice(
    'Länken är redan använd',
    'Den här länken har redan använts. Använd länken i det senaste mejlet från oss, eller svara på mejlet om något inte stämmer.',
  );

export async function viewPage(d: Deps, token: string, action: string): Promise<PageView> {
  const opened = await open(d, token);
  if ('problem' in opened) return { kind: 'problem', problem: opened.problem };
  const { link, dialogue } = opened;
  if (link.step === 'stop') return viewStop(dialogue, link, action);
  if (link.step.startsWith('offer:')) return viewOffer(d, dialogue, link, action);
  return viewManage(d, dialogue, link, action);
}

export async function submitPage(d: Deps, token: string, body: Record<string, string>, action: string): Promise<PageView> {
  const opened = await open(d, token);
  if ('problem' in opened) return { kind: 'problem', problem: opened.problem };
  const { link, dialogue } = opened;
  if (link.step === 'stop') return submitStop(d, dialogue, link, body, action);
  if (link.step.startsWith('offer:')) return submitOffer(d, dialogue, link, body, action);
  return submitManage(d, dialogue, link, body, action);
}

// ---- stop after the introduction ---------------------------------------------------------------

function viewStop(x: Dialogue, link: AnswerLink, action: string): PageView {
  if (x.state === 'stopped_after_intro') {
    return notice('Redan meddelat', `${x.organiserName} har meddelat att ni avslutar kvalitetsdialogen efter introduktionen.`);
  }
  if (link.usedAt) return used(link);
  if (x.state !== 'material_sent' && x.state !== 'premeeting_offered') {
    return notice(
      'Dialogen har gått vidare',
      'Förmötet är redan bokat, så det här valet går inte längre att göra på sidan.',
      'Svara på något av mejlen från oss om ni vill avsluta, så hjälper vi er.',
    );
  }
  return {
    kind: 'page',
    status: 200,
    template: 'stop-confirm',
    title: 'Avsluta efter introduktionen',
    data: { organiserName: x.organiserName, action },
  };
}

async function submitStop(d: Deps, x: Dialogue, link: AnswerLink, body: Record<string, string>, action: string): Promise<PageView> {
  if (body.confirm !== 'stop') return viewStop(x, link, action);
  const { dialogue, changed } = await stopAfterIntro(d, x.id, link.contactId);
  if (!changed) return viewStop(dialogue, link, action);
  await d.links.markUsed(link.linkId, d.clock.now());
  return notice(
    'Tack för beskedet',
    `Vi har noterat att ${dialogue.organiserName} avslutar kvalitetsdialogen efter introduktionen.`,
    'Ni är välkomna att höra av er om ni vill fortsätta längre fram.',
  );
}

// ---- the offer: pick a time or ask for others ----------------------------------------------------

function parseOfferStep(step: string): { kind: PhaseMeetingKind; round: number; no: number } {
  const [, kind, round, no] = step.split(':');
  return { kind: kind as PhaseMeetingKind, round: Number(round), no: Number(no) };
}

const slotLabel = (slot: OfferedSlot, index: number) => {
  const sessions = slot.sessions.map((s, i) => ({
    number: i + 1,
    when: formatSwedishDateTime(new Date(s.start)),
    endTime: stockholmTime(new Date(s.end)),
  }));
  return { index, sessions, split: sessions.length > 1 };
};

/** Why the offer behind this link can no longer be answered, or undefined if it can. */
function offerClosed(x: Dialogue, link: AnswerLink): PageView | undefined {
  const { kind, round, no } = parseOfferStep(link.step);
  const name = meetingKindRules[kind]?.name ?? 'Mötet';
  const offer = x.phase?.offer;
  const current = x.phase?.kind === kind && x.phase.round === round && offer?.no === no;
  if (current && x.state === phaseStates[kind].offered && (offer.status === 'open' || offer.status === 'escalated')) {
    return link.usedAt ? used(link) : undefined;
  }
  if (current && offer?.status === 'booking' && x.state === phaseStates[kind].offered) {
    return notice(
      `${name} bokas just nu`,
      `En annan kontaktperson hos ${x.organiserName} bokar en tid just nu. Kalenderinbjudan kommer med e-post.`,
    );
  }
  if (current && offer?.status === 'other_times') {
    return notice('Nya förslag är på väg', 'Ni har bett om andra tider. Nya förslag kommer i ett nytt mejl.');
  }
  if (x.state === phaseStates[kind]?.booked || (x.phase?.kind === kind && x.phase.meetingId && x.state !== phaseStates[kind]?.offered)) {
    return notice(`${name} är redan bokat`, `${name} med ${x.organiserName} är redan bokat. Kalenderinbjudan har skickats med e-post.`);
  }
  return notice('Förslagen gäller inte längre', 'De här tidsförslagen har ersatts. Använd länken i det senaste mejlet från oss.');
}

function offerPage(d: Deps, x: Dialogue, link: AnswerLink, action: string, error?: string): PageView {
  const { kind } = parseOfferStep(link.step);
  const rule = meetingKindRules[kind];
  const slots = x.phase?.offer?.slots ?? [];
  // Times that have passed are not shown (their index stays, so a choice still names its slot).
  const now = d.clock.now().getTime();
  const open = slots.map(slotLabel).filter((_, i) => Date.parse(slots[i]?.sessions[0]?.start ?? '') > now);
  return {
    kind: 'page',
    status: error ? 409 : 200,
    template: 'meeting-offer',
    title: `Välj tid för ${rule.name.toLowerCase()}`,
    data: {
      meetingNameLower: rule.name.toLowerCase(),
      organiserName: x.organiserName,
      physical: rule.mode === 'physical',
      groupIntro: slots.some((s) => s.introSessionId),
      slots: open,
      noneLeft: open.length === 0,
      action,
      error,
    },
  };
}

function viewOffer(d: Deps, x: Dialogue, link: AnswerLink, action: string): PageView {
  return offerClosed(x, link) ?? offerPage(d, x, link, action);
}

async function submitOffer(d: Deps, x: Dialogue, link: AnswerLink, body: Record<string, string>, action: string): Promise<PageView> {
  const closed = offerClosed(x, link);
  if (closed) return closed;
  const { kind } = parseOfferStep(link.step);
  const rule = meetingKindRules[kind];
  const comment = body.comment?.trim().slice(0, 1000) || undefined;
  if (body.choice === 'other') {
    await requestOtherTimes(d, x.id, link.contactId, comment);
    await d.links.markUsed(link.linkId, d.clock.now());
    return notice('Vi skickar nya förslag', `Tack! Vi skickar nya förslag på tider för ${rule.name.toLowerCase()} i ett nytt mejl.`);
  }
  const index = body.choice === '' || body.choice === undefined ? Number.NaN : Number(body.choice);
  const slot = Number.isInteger(index) ? x.phase?.offer?.slots[index] : undefined;
  if (!slot) return offerPage(d, x, link, action, 'Välj en av tiderna, eller be om andra tider.');
  // Claim the offer first: two contacts picking at once must not book two meetings.
  const no = x.phase?.offer?.no;
  const claim = await d.dialogues.mutate(x.id, (y) => {
    const offer = y.phase?.offer;
    if (!y.phase || !offer || offer.no !== no || (offer.status !== 'open' && offer.status !== 'escalated')) return undefined;
    return { ...y, phase: { ...y.phase, offer: { ...offer, status: 'booking' } } };
  });
  if (!claim.changed) return offerClosed(claim.dialogue, link) ?? offerPage(d, claim.dialogue, link, action);
  const previous = x.phase?.offer?.status ?? 'open';
  try {
    if (slot.introSessionId) await joinIntro(d, x, slot);
    else await bookSlot(d, x, kind, slot);
  } catch (e) {
    await d.dialogues.mutate(x.id, (y) => {
      const offer = y.phase?.offer;
      if (!y.phase || !offer || offer.no !== no || offer.status !== 'booking') return undefined;
      return { ...y, phase: { ...y.phase, offer: { ...offer, status: previous } } };
    });
    if (e instanceof ConflictError || e instanceof ValidationError) {
      return offerPage(d, x, link, action, 'Tiden är inte längre ledig. Välj en annan tid eller be om andra tider.');
    }
    throw e;
  }
  await d.links.markUsed(link.linkId, d.clock.now());
  const when = formatSwedishDateTime(new Date(slot.sessions[0]?.start ?? 0));
  return notice(
    `${rule.name} är bokat`,
    `${rule.name} med ${x.organiserName} är bokat ${when}.`,
    'En kalenderinbjudan har skickats till huvudmannens kontaktpersoner och dialogutförarna. I mejlet finns en länk där ni kan ange vilka som deltar, boka om eller avboka.',
  );
}

/** A digital meeting's video link, or the physical meeting's place at the organiser. */
async function placeOf(d: Deps, x: Dialogue, kind: PhaseMeetingKind): Promise<{ location?: string; videoLink?: string }> {
  if (meetingKindRules[kind].mode === 'digital') {
    return { videoLink: `${d.env.MEETING_VIDEO_BASE_URL}/${x.id}-${kind}-${x.phase?.round ?? 1}` };
  }
  const o = await d.organisers.get(x.organiserId);
  return { location: `${x.organiserName}, ${o?.municipality ?? ''} (lokal enligt huvudmannens besked)`.replace(', (', ' (') };
}

async function bookSlot(d: Deps, x: Dialogue, kind: PhaseMeetingKind, slot: OfferedSlot): Promise<Meeting> {
  return createMeeting(d, {
    dialogueIds: [x.id],
    kind,
    sessions: slot.sessions,
    pair: slot.pair,
    ...(await placeOf(d, x, kind)),
    participants: [],
  });
}

/** A place in a group intro session: the session holds the pair's booking; the organiser gets its own invitation. */
async function joinIntro(d: Deps, x: Dialogue, slot: OfferedSlot): Promise<Meeting> {
  const sessionId = slot.introSessionId as string;
  const now = d.clock.now();
  const { session } = await d.introSessions.mutate(sessionId, (s) => joinIntroSession(s, x.id, now));
  if (!session.dialogueIds.includes(x.id)) throw new ConflictError('The intro session is full, cancelled or over');
  const meeting: Meeting = {
    ...bookMeeting(
      `mtg-${session.id}-${x.id.replace(/^dlg-/, '').slice(0, 12)}`,
      {
        dialogueIds: [x.id],
        kind: 'intro',
        sessions: [{ start: session.start, end: session.end }],
        pair: session.pair,
        videoLink: session.videoLink,
        participants: [],
      },
      now,
    ),
    introSessionId: session.id,
  };
  try {
    await d.meetings.create(meeting);
  } catch (e) {
    if (!isConditionFailure(e)) throw e; // created by an earlier attempt
  }
  await registerPlanned(d, meetingPlanned(meeting, x));
  await onMeetingBooked(d, meeting);
  await mailMeeting(d, meeting, 'REQUEST');
  await mailIntroSessionToPairOrLater(d, session);
  return meeting;
}

// ---- manage a booked meeting ---------------------------------------------------------------------

const roleWords: Record<string, ParticipantRole> = {
  ledamot: 'board_member',
  styrelseledamot: 'board_member',
  nämndledamot: 'board_member',
  skolchef: 'school_chief',
  rektor: 'rektor',
  lärare: 'teacher',
  annan: 'other',
};
const roleWordOf: Record<ParticipantRole, string> = {
  board_member: 'ledamot',
  school_chief: 'skolchef',
  rektor: 'rektor',
  teacher: 'lärare',
  other: 'annan',
};

/** "namn; e-post; roll" per line → participants (the schema then checks names, addresses and 1–20). */
export function parseParticipants(text: string): { name: string; email: string; role: string }[] {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.map((line, i) => {
    const [name = '', email = '', role = ''] = line.split(/\s*[;\t]\s*/);
    const mapped = roleWords[role.trim().toLowerCase()];
    if (!mapped) {
      throw new ValidationError(`Rad ${i + 1}: ange roll som ledamot, skolchef, rektor, lärare eller annan (namn; e-post; roll).`);
    }
    return { name, email, role: mapped };
  });
}

function parseManageStep(step: string): { meetingId: string; sequence: number } {
  const [, meetingId = '', sequence] = step.split(':');
  return { meetingId, sequence: Number(sequence) };
}

const optionValue = (s: { pair: { skolverket: string; spsm: string }; sessions: { start: Date; end: Date }[] }) =>
  `${s.pair.skolverket}|${s.pair.spsm}|${s.sessions.map((i) => `${i.start.toISOString()}/${i.end.toISOString()}`).join(',')}`;

/** New times for a booked meeting: the same pair first, the same number and length of sessions. */
async function rescheduleOptions(d: Deps, x: Dialogue, m: Meeting) {
  if (m.introSessionId) return [];
  const facilitators = await d.facilitators.list();
  const busy = busyOf(facilitators).filter((b) => b.ref !== m.id);
  const clashes = await clashesFor(d, [...new Set([x.organiserId])], plannedKindOf(m.kind));
  const minutes = Math.round((Date.parse(m.sessions[0]?.end ?? '') - Date.parse(m.sessions[0]?.start ?? '')) / 60_000);
  try {
    sessionPlan(m.kind, m.sessions.length, minutes);
    return proposeSlots(
      { facilitators, busy, calendar: d.scheduling.calendar, settings: d.scheduling.settings },
      {
        kind: m.kind,
        now: d.clock.now(),
        previousMeetingEnd: x.lastMeetingEnd ? new Date(x.lastMeetingEnd) : undefined,
        sessions: m.sessions.length,
        sessionMinutes: minutes,
        count: 3,
        prefs: { previous: m.pair },
        clashCheck: (sessions) => clashes(sessions).length > 0,
      },
    ).filter(
      (s) =>
        optionValue(s) !==
        optionValue({ pair: m.pair, sessions: m.sessions.map((i) => ({ start: new Date(i.start), end: new Date(i.end) })) }),
    );
  } catch (e) {
    if (e instanceof RangeError) return [];
    throw e;
  }
}

async function manageState(d: Deps, link: AnswerLink): Promise<{ meeting?: Meeting; closed?: PageView }> {
  const { meetingId, sequence } = parseManageStep(link.step);
  const m = await d.meetings.get(meetingId);
  if (!m) return { closed: { kind: 'problem', problem: 'invalid' } };
  const name = meetingKindRules[m.kind].name;
  if (m.status === 'cancelled')
    return { closed: notice(`${name} är avbokat`, `${name} är avbokat. Nya förslag på tider kommer med e-post.`) };
  if (m.sequence !== sequence) {
    return {
      closed: notice('Mötet har ändrats', `${name} har ändrats sedan mejlet skickades. Använd länken i det senaste mejlet från oss.`),
    };
  }
  if (Date.parse(m.sessions[0]?.start ?? '') <= d.clock.now().getTime()) {
    return {
      closed: notice(`${name} har redan börjat`, `${name} har redan hållits eller pågår. Svara på mejlet om något behöver ändras.`),
    };
  }
  if (link.usedAt) return { closed: used(link) };
  return { meeting: m };
}

async function managePage(
  d: Deps,
  x: Dialogue,
  m: Meeting,
  action: string,
  extra: { error?: string; notice?: string; participants?: string } = {},
): Promise<PageView> {
  const rule = meetingKindRules[m.kind];
  const facilitators = await Promise.all([m.pair.skolverket, m.pair.spsm].map((id) => d.facilitators.get(id)));
  // A shared meeting is not moved from one organiser's link: it can name its people or leave.
  const shared = isShared(m);
  const options = shared ? [] : await rescheduleOptions(d, x, m);
  const organisers = await Promise.all(m.dialogueIds.map((id) => d.dialogues.get(id)));
  return {
    kind: 'page',
    status: extra.error ? 400 : 200,
    template: 'meeting-manage',
    title: rule.name,
    data: {
      meetingName: rule.name,
      organiserNames: organisers
        .map((o) => o?.organiserName)
        .filter(Boolean)
        .join(', '),
      sessions: m.sessions.map((s, i) => ({
        number: i + 1,
        when: formatSwedishDateTime(new Date(s.start)),
        endTime: stockholmTime(new Date(s.end)),
      })),
      split: m.sessions.length > 1,
      physical: rule.mode === 'physical',
      place: m.location ?? m.videoLink,
      facilitatorNames: facilitators
        .map((f) => f?.name)
        .filter(Boolean)
        .join(' och '),
      participants:
        extra.participants ??
        participantsOf(m, x.id)
          .map((p) => `${p.name}; ${p.email}; ${roleWordOf[p.role]}`)
          .join('\n'),
      shared,
      otherOrganisers: organisers
        .filter((o) => o && o.id !== x.id)
        .map((o) => o?.organiserName)
        .join(', '),
      roleNames: participantRoleNames,
      options: options.map((o) => ({
        value: optionValue(o),
        split: o.sessions.length > 1,
        sessions: o.sessions.map((s, i) => ({ number: i + 1, when: formatSwedishDateTime(s.start), endTime: stockholmTime(s.end) })),
      })),
      introSession: Boolean(m.introSessionId),
      action,
      error: extra.error,
      notice: extra.notice,
    },
  };
}

async function viewManage(d: Deps, x: Dialogue, link: AnswerLink, action: string): Promise<PageView> {
  const { meeting, closed } = await manageState(d, link);
  if (closed || !meeting) return closed as PageView;
  return managePage(d, x, meeting, action);
}

async function submitManage(d: Deps, x: Dialogue, link: AnswerLink, body: Record<string, string>, action: string): Promise<PageView> {
  const { meeting, closed } = await manageState(d, link);
  if (closed || !meeting) return closed as PageView;
  const name = meetingKindRules[meeting.kind].name;
  switch (body.action) {
    case 'participants': {
      // Naming participants does not use the link up: the list may be corrected until the meeting.
      try {
        const participants = parseParticipants(body.participants ?? '');
        const updated = await setParticipants(d, meeting.id, { participants }, x.id);
        return managePage(d, x, updated, action, {
          notice: `Deltagarna är sparade (${participantsOf(updated, x.id).length}). De får kalenderinbjudan med e-post.`,
        });
      } catch (e) {
        if (e instanceof ValidationError) return managePage(d, x, meeting, action, { error: e.message, participants: body.participants });
        throw e;
      }
    }
    case 'reschedule': {
      if (isShared(meeting))
        return managePage(d, x, meeting, action, { error: 'Mötet delas med andra huvudmän och kan inte flyttas härifrån.' });
      const chosen = (await rescheduleOptions(d, x, meeting)).find((o) => optionValue(o) === body.slot);
      if (!chosen) return managePage(d, x, meeting, action, { error: 'Tiden är inte längre ledig. Välj en av tiderna nedan.' });
      try {
        const moved = await moveMeeting(d, meeting.id, {
          sessions: chosen.sessions.map((s) => ({ start: s.start.toISOString(), end: s.end.toISOString() })),
          pair: chosen.pair,
        });
        await d.links.markUsed(link.linkId, d.clock.now());
        return notice(
          `${name} är ombokat`,
          `${name} är flyttat till ${formatSwedishDateTime(new Date(moved.sessions[0]?.start ?? 0))}.`,
          'Alla deltagare får en uppdaterad kalenderinbjudan som ersätter den tidigare.',
        );
      } catch (e) {
        if (e instanceof ConflictError || e instanceof ValidationError) {
          return managePage(d, x, meeting, action, { error: 'Tiden är inte längre ledig. Välj en av tiderna nedan.' });
        }
        throw e;
      }
    }
    case 'cancel': {
      if (isShared(meeting)) {
        await leaveSharedMeeting(d, meeting.id, x.id);
        await d.links.markUsed(link.linkId, d.clock.now());
        return notice(
          `Ni har lämnat ${name.toLowerCase()}`,
          `${name} blir kvar för de andra huvudmännen. Era deltagare får en avbokning i kalendern.`,
          'Vi skickar nya förslag på tider till er med e-post.',
        );
      }
      await cancelMeetingById(d, meeting.id, { reason: 'Avbokat av huvudmannen.' });
      await d.links.markUsed(link.linkId, d.clock.now());
      return notice(`${name} är avbokat`, `${name} är avbokat för alla deltagare.`, 'Vi skickar nya förslag på tider med e-post.');
    }
    default:
      return managePage(d, x, meeting, action, { error: 'Välj vad du vill göra.' });
  }
}
