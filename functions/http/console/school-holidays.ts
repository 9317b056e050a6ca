/**
 * The school holidays no meeting is offered in (templates/pages/console/school-holidays.eta), one
 * year at a time: the default weeks (sportlov by county, påsklov, sommarlov, höstlov, jullov) until a
 * coordinator changes them. Blank dates remove a holiday; one more can be added; "Återställ"
 * brings the defaults back.
 */
import { countiesText } from '#core/school-holidays.ts';
import { swedishDaySpan } from '#core/swedish.ts';
import { DomainError, ValidationError } from '#core/errors.ts';
import { logger } from '#adapters/observability.ts';
import { holidaysOfYear as holidaysOf, resetHolidays, saveHolidays } from '#functions/use-cases/school-holidays.ts';
import { formBody } from '../request.ts';
import { type HttpResult, html } from '../respond.ts';
import { actorOf, type Ctx, layoutData, type Page, qs, redirect, requireConsoleRole } from './frame.ts';
import { when } from './format.ts';

const yearOf = (c: Ctx, form: Record<string, string> = {}): number => {
  const raw = form.year ?? c.event.queryStringParameters?.year;
  const y = raw && /^\d{4}$/.test(raw) ? Number(raw) : c.d.clock.now().getUTCFullYear();
  return Math.min(2100, Math.max(2000, y));
};

const flashes: Record<string, string> = {
  sparat: 'Skolloven är sparade. Nya tidsförslag tar hänsyn till dem inom en minut.',
  aterstallt: 'Standardveckorna gäller igen för året.',
};

async function holidaysPage(c: Ctx, error?: string, form: Record<string, string> = {}): Promise<HttpResult> {
  requireConsoleRole(c, ['coordinator']);
  const year = yearOf(c, form);
  const h = await holidaysOf(c.d, year);
  const now = c.d.clock.now().getUTCFullYear();
  return html(
    error ? 400 : 200,
    c.d.templates.consolePage('school-holidays', {
      ...layoutData(c, `Skollov ${year}`, { holidays: true }),
      year,
      flash: flashes[c.event.queryStringParameters?.klart ?? ''],
      years: [now - 1, now, now + 1, now + 2].map((y) => ({
        year: y,
        href: `/console/school-holidays${qs({ year: y })}`,
        current: y === year,
      })),
      custom: h.custom ? `Ändrade av ${h.custom.updatedBy} ${when(h.custom.updatedAt)}.` : undefined,
      rows: h.ranges.map((r, i) => ({
        i,
        name: r.name ?? 'skollov',
        counties: (r.counties ?? []).join(','),
        where: countiesText(r),
        span: swedishDaySpan(r.from, r.to),
        from: form[`from-${i}`] ?? r.from,
        to: form[`to-${i}`] ?? r.to,
      })),
      count: h.ranges.length,
      fixed: c.d.scheduling.calendar.schoolHolidays.map((r) => ({ name: r.name ?? 'skollov', span: swedishDaySpan(r.from, r.to) })),
      newName: form['name-new'] ?? '',
      newFrom: form['from-new'] ?? '',
      newTo: form['to-new'] ?? '',
      error,
    }),
  );
}

/** The rows as the form posts them: blank dates remove one, the extra row adds one. */
function rangesOf(form: Record<string, string>): { from: string; to: string; name?: string; counties?: string[] }[] {
  const n = Math.min(100, Number(form.count ?? 0) || 0);
  const out: { from: string; to: string; name?: string; counties?: string[] }[] = [];
  const row = (key: string) => {
    const from = (form[`from-${key}`] ?? '').trim();
    const to = (form[`to-${key}`] ?? '').trim() || from;
    if (!from) return;
    const name = (form[`name-${key}`] ?? '').trim() || 'skollov';
    const counties = (form[`counties-${key}`] ?? '').split(',').filter(Boolean);
    out.push({ from, to, name, ...(counties.length ? { counties } : {}) });
  };
  for (let i = 0; i < n; i++) row(String(i));
  row('new');
  return out;
}

const holidaysPost: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  const form = formBody(c.event);
  const year = yearOf(c, form);
  try {
    if (form.do === 'reset') {
      await resetHolidays(c.d, year);
      logger.info('school holidays reset', { year, by: actorOf(c) });
      return redirect(`/console/school-holidays${qs({ year, klart: 'aterstallt' })}`);
    }
    await saveHolidays(c.d, { year, ranges: rangesOf(form) }, actorOf(c));
    logger.info('school holidays saved', { year, by: actorOf(c) });
    return redirect(`/console/school-holidays${qs({ year, klart: 'sparat' })}`);
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    const message =
      e instanceof ValidationError && e.issues.length
        ? e.issues.map((i) => (/date|datum|YYYY/.test(i.message) ? 'Skriv datum som ÅÅÅÅ-MM-DD, t.ex. 2027-02-22.' : i.message)).join(' ')
        : e.message;
    return holidaysPage(c, [...new Set(message.split(/(?<=\.) /))].join(' '), form);
  }
};

export const schoolHolidayRoutes: Record<string, Page> = {
  'GET /console/school-holidays': (c) => holidaysPage(c),
  'POST /console/school-holidays': holidaysPost,
};
