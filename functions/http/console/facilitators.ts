/** The facilitators (templates/pages/console/facilitators.eta): everyone by agency, each linking to their page. */
import { agencyNames } from '#core/facilitators.ts';
import { html } from '#functions/http/respond.ts';
import { layoutData, type Page, requireConsoleRole } from './frame.ts';

const facilitatorsPage: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  const all = await c.d.facilitators.list();
  const body = c.d.templates.consolePage('facilitators', {
    ...layoutData(c, 'Dialogutförare', { facilitators: true }),
    rows: all.map((f) => ({
      id: f.id,
      name: f.name,
      agency: agencyNames[f.agency],
      office: f.office,
      active: f.active ? 'Ja' : 'Nej',
      bookings: f.calendar.filter((e) => e.source === 'booking').length,
    })),
  });
  return html(200, body);
};

export const facilitatorsRoutes: Record<string, Page> = { 'GET /console/facilitators': facilitatorsPage };
