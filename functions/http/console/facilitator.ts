/**
 * One facilitator (templates/pages/console/facilitator.eta): who they are, their coming meetings
 * and blocks, and the address of their own calendar subscription, made and replaced here (the old
 * address stops working at once). The form names the address it replaces, so a repeat changes
 * nothing.
 */
import { stockholmTime } from '#core/calendar.ts';
import { agencyNames } from '#core/facilitators.ts';
import { ValidationError } from '#core/errors.ts';
import { formBody } from '#functions/http/request.ts';
import { html } from '#functions/http/respond.ts';
import {
  FEED_REFRESH_MINUTES,
  facilitatorFeedAddress,
  facilitatorSchedule,
  rotateFacilitatorFeed,
} from '#functions/use-cases/calendar-feeds.ts';
import { layoutData, type Page, redirect, requireConsoleRole } from './frame.ts';
import { when } from './format.ts';

const flashes: Record<string, string> = {
  skapad: 'Kalenderadressen är skapad. Skicka den till dialogutföraren.',
  'ny-adress': 'En ny kalenderadress är skapad; den gamla fungerar inte längre. Skicka den nya till dialogutföraren.',
  'redan-ny': 'Adressen var redan bytt; inget ändrades. Här är den adress som gäller nu.',
};

const facilitatorPage: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  const id = c.event.pathParameters?.id ?? '';
  const { facilitator: f, entries } = await facilitatorSchedule(c.d, id);
  const feed = await facilitatorFeedAddress(c.d, id);
  const body = c.d.templates.consolePage('facilitator', {
    ...layoutData(c, f.name, { facilitators: true }),
    flash: flashes[c.event.queryStringParameters?.klart ?? ''],
    f: { ...f, agencyName: agencyNames[f.agency], activeLabel: f.active ? 'Ja' : 'Nej' },
    feed: feed && { ...feed, createdAt: when(feed.createdAt) },
    seen: feed?.fingerprint ?? 'none',
    refreshMinutes: FEED_REFRESH_MINUTES,
    entries: entries.map((e) => ({ ...e, when: `${when(e.start)}–${stockholmTime(new Date(e.end))}` })),
  });
  return html(200, body);
};

const newFeedAddress: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  const id = c.event.pathParameters?.id ?? '';
  const seen = formBody(c.event).adress ?? '';
  if (!/^[A-Za-z0-9_-]{1,20}$/.test(seen)) throw new ValidationError('Ladda om sidan och försök igen.');
  const { changed } = await rotateFacilitatorFeed(c.d, id, seen, { role: c.session.role, name: c.session.name });
  const outcome = !changed ? 'redan-ny' : seen === 'none' ? 'skapad' : 'ny-adress';
  return redirect(`/console/facilitators/${encodeURIComponent(id)}?klart=${outcome}#kalender`);
};

export const facilitatorRoutes: Record<string, Page> = {
  'GET /console/facilitators/{id}': facilitatorPage,
  'POST /console/facilitators/{id}/feed': newFeedAddress,
};
