/**
 * A booked meeting (templates/pages/meeting-manage.eta): name the participants (any number of
 * times until the meeting), move it to one of the free times offered, or cancel it (leave it, if
 * the meeting is shared with other organisers).
 */
import { ConflictError, ValidationError } from '#core/errors.ts';
import type { Dialogue } from '#core/dialogue.ts';
import { isShared, type Meeting, type ParticipantRole, participantRoleNames, participantsOf } from '#core/meetings.ts';
import type { AnswerLink } from '#core/ports.ts';
import { meetingKindRules } from '#core/scheduling.ts';
import { stockholmTime } from '#core/calendar.ts';
import { formatSwedishDateTime } from '#core/time.ts';
import type { Deps } from '#adapters/deps.ts';
import { cancelMeetingById, leaveSharedMeeting, moveMeeting, setParticipants } from '#functions/use-cases/meetings.ts';
import { optionValue, parseManageStep, rescheduleOptions } from '#functions/use-cases/organiser-links.ts';
import { notice, type PageView, used } from './page-view.ts';

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

export async function viewManage(d: Deps, x: Dialogue, link: AnswerLink, action: string): Promise<PageView> {
  const { meeting, closed } = await manageState(d, link);
  if (closed || !meeting) return closed as PageView;
  return managePage(d, x, meeting, action);
}

export async function submitManage(
  d: Deps,
  x: Dialogue,
  link: AnswerLink,
  body: Record<string, string>,
  action: string,
): Promise<PageView> {
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
        return notice(
          `Ni har lämnat ${name.toLowerCase()}`,
          `${name} blir kvar för de andra huvudmännen. Era deltagare får en avbokning i kalendern.`,
          'Vi skickar nya förslag på tider till er med e-post.',
        );
      }
      await cancelMeetingById(d, meeting.id, { reason: 'Avbokat av huvudmannen.' });
      return notice(`${name} är avbokat`, `${name} är avbokat för alla deltagare.`, 'Vi skickar nya förslag på tider med e-post.');
    }
    default:
      return managePage(d, x, meeting, action, { error: 'Välj vad ni vill göra.' });
  }
}
