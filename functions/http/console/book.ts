/**
 * Booking the phase's meeting for the organiser (templates/pages/console/book.eta), where the
 * hand-over mail leads: clash-free proposals of a free pair to choose from, with the video link or
 * the address, or instead new times sent to the organiser.
 */
import { stateLabels } from '#core/console-labels.ts';
import { stockholmTime } from '#core/calendar.ts';
import { NotFoundError } from '#core/errors.ts';
import { meetingKindRules } from '#core/scheduling.ts';
import { formatSwedishDateTime } from '#core/time.ts';
import { bookForOrganiser, bookingOptions, offerNewTimes, slotValue } from '#functions/use-cases/console-booking.ts';
import { formBody } from '../request.ts';
import { type HttpResult, html } from '../respond.ts';
import { confirmed } from './confirm.ts';
import { type Ctx, layoutData, type Page, requireConsoleRole } from './frame.ts';

async function bookPage(c: Ctx, error?: string, form: Record<string, string> = {}): Promise<HttpResult> {
  requireConsoleRole(c, ['coordinator']);
  const id = c.event.pathParameters?.id ?? '';
  const { dialogue: x, kind, physical, slots } = await bookingOptions(c.d, id);
  const facilitators = new Map((await c.d.facilitators.list()).map((f) => [f.id, f.name]));
  const rule = kind ? meetingKindRules[kind] : undefined;
  const offer = x.phase?.offer;
  return html(
    error ? 400 : 200,
    c.d.templates.consolePage('book', {
      ...layoutData(c, rule ? `Boka ${rule.name.toLowerCase()}: ${x.organiserName}` : `Boka möte: ${x.organiserName}`, { dialogues: true }),
      id,
      organiserName: x.organiserName,
      stateLabel: stateLabels[x.state],
      waiting: Boolean(kind),
      meetingName: rule?.name,
      meetingNameLower: rule?.name.toLowerCase(),
      physical,
      handedOver: offer?.status === 'escalated',
      offeredOn: offer ? formatSwedishDateTime(new Date(offer.sentAt)) : undefined,
      slots: slots.map((s, i) => {
        const value = slotValue(s);
        return {
          value,
          id: `tid-${i}`,
          checked: form.choice === value || (!form.choice && i === 0),
          when: s.sessions.map((x) => `${formatSwedishDateTime(new Date(x.start))}–${stockholmTime(new Date(x.end))}`).join('; '),
          pair: `${facilitators.get(s.pair.skolverket) ?? s.pair.skolverket} (Skolverket) och ${facilitators.get(s.pair.spsm) ?? s.pair.spsm} (SPSM)`,
        };
      }),
      location: form.location ?? '',
      videoLink: form.videoLink ?? '',
      error,
    }),
  );
}

const bookPost: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  const id = c.event.pathParameters?.id ?? '';
  const what = formBody(c.event).do;
  if (what !== 'book' && what !== 'offer') throw new NotFoundError('Åtgärden finns inte.');
  return confirmed(
    c,
    what === 'book' ? 'book' : 'newtimes',
    (form, actor) => (what === 'book' ? bookForOrganiser(c.d, id, form, actor) : offerNewTimes(c.d, id, actor)),
    (message, form) => bookPage(c, message, form),
  );
};

export const bookRoutes: Record<string, Page> = {
  'GET /console/dialogues/{id}/book': (c) => bookPage(c),
  'POST /console/dialogues/{id}/book': bookPost,
};
