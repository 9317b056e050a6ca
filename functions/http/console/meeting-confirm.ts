/**
 * The actions on a booked meeting (reschedule, reassign, cancel) as two steps
 * (templates/pages/console/meeting-confirm.eta), through the same confirmation flow as the dialogue actions.
 */
import type { Facilitator } from '#core/facilitators.ts';
import { hasBegun, type Meeting, meetingStep } from '#core/meetings.ts';
import { conflictView } from './conflict-view.ts';
import { refuseIfBegun } from '#functions/use-cases/meetings.ts';
import { type HttpResult, html } from '#functions/http/respond.ts';
import { actionParam, type Ctx, layoutData, type Page, requireConsoleRole } from './frame.ts';
import { consoleDialogue } from '#functions/use-cases/console.ts';
import {
  type MeetingAction,
  meetingActions,
  meetingOfDialogue,
  runMeetingAction,
  sessionFields,
} from '#functions/use-cases/console-meeting-actions.ts';

import { option } from './format.ts';
import { confirmed } from './confirm.ts';
import { meetingView } from './dialogue.ts';

const meetingTexts: Record<MeetingAction, { heading: string; explanation: string; confirmLabel: string; danger?: boolean }> = {
  reschedule: {
    heading: 'Flytta mötet',
    explanation:
      'Välj den nya tiden. Tiden kontrolleras mot Skolinspektionens kalender och dialogutförarnas kalendrar. Alla deltagare får en ny kalenderinbjudan som ersätter den gamla.',
    confirmLabel: 'Flytta mötet',
  },
  cancel: {
    heading: 'Ställ in mötet',
    explanation: 'Mötet ställs in och tas bort ur allas kalendrar. Dialogutförarna blir lediga den tiden. Det går inte att ångra.',
    confirmLabel: 'Ställ in mötet',
    danger: true,
  },
  reassign: {
    heading: 'Byt dialogutförare',
    explanation:
      'Välj en dialogutförare från Skolverket och en från SPSM. Båda måste vara lediga vid mötets tid. Alla får en uppdaterad kalenderinbjudan; den som byts ut får en avbokning.',
    confirmLabel: 'Byt dialogutförare',
  },
};

/** Why a meeting that has begun cannot be changed (the use-case's own Swedish reason). */
function beganReason(c: Ctx, m: Meeting): string {
  try {
    refuseIfBegun(c.d, m, 'ändras');
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}

const meetingActionOf = (c: Ctx): MeetingAction => actionParam(c, meetingActions);

async function meetingConfirmPage(c: Ctx, error?: string, form: Record<string, string> = {}): Promise<HttpResult> {
  requireConsoleRole(c, ['coordinator']);
  const action = meetingActionOf(c);
  const id = c.event.pathParameters?.id ?? '';
  const { dialogue: x } = await consoleDialogue(c.d, id);
  const [m, facilitators] = await Promise.all([
    meetingOfDialogue(c.d, id, c.event.pathParameters?.meetingId ?? ''),
    c.d.facilitators.list(),
  ]);
  const texts = meetingTexts[action];
  const layout = layoutData(c, texts.heading, { dialogues: true });
  const refusal = m.status !== 'booked' ? 'Mötet är inställt.' : hasBegun(m, c.d.clock.now()) ? beganReason(c, m) : undefined;
  if (refusal && !error) {
    return html(
      409,
      c.d.templates.consolePage('error', { ...layout, heading: texts.heading, message: refusal, back: `/console/dialogues/${id}` }),
    );
  }
  const pick = (agency: Facilitator['agency'], current: string) =>
    facilitators
      .filter((f) => f.agency === agency && (f.active || f.id === current))
      .sort((a, b) => a.name.localeCompare(b.name, 'sv'))
      .map((f) => option(f.id, `${f.name} (${f.office})`, form[agency] ?? current));
  const body = c.d.templates.consolePage('meeting-confirm', {
    ...layout,
    ...texts,
    id,
    organiserName: x.organiserName,
    action,
    error,
    meeting: meetingView(m, id, facilitators, c.d.clock.now()),
    conflict: x.conflict?.step === meetingStep(m.id) ? conflictView(x.conflict) : undefined,
    split: m.sessions.length > 1,
    sessions:
      action === 'reschedule'
        ? m.sessions.map((s, i) => ({
            index: i,
            number: i + 1,
            ...sessionFields(s),
            ...(form[`date-${i}`] ? { date: form[`date-${i}`], start: form[`start-${i}`], end: form[`end-${i}`] } : {}),
          }))
        : undefined,
    askReason: action === 'cancel',
    reason: form.reason ?? '',
    pairOptions: action === 'reassign' ? { skolverket: pick('skolverket', m.pair.skolverket), spsm: pick('spsm', m.pair.spsm) } : undefined,
  });
  return html(error ? 400 : 200, body);
}

const meetingActionPost: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  const action = meetingActionOf(c);
  const id = c.event.pathParameters?.id ?? '';
  const meetingId = c.event.pathParameters?.meetingId ?? '';
  return confirmed(
    c,
    action,
    (form, actor) => runMeetingAction(c.d, id, meetingId, action, form, actor),
    (message, form) => meetingConfirmPage(c, message, form),
  );
};

export const meetingConfirmRoutes: Record<string, Page> = {
  'GET /console/dialogues/{id}/meetings/{meetingId}/{action}': (c) => meetingConfirmPage(c),
  'POST /console/dialogues/{id}/meetings/{meetingId}/{action}': meetingActionPost,
};
