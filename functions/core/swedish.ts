/**
 * Swedish words and dates inside sentences: a count with the right singular or plural form, and
 * calendar days written out ("5 mars 2026", "5–7 mars 2026") instead of ISO dates.
 */

const grouping = new Intl.NumberFormat('sv-SE');

/** "1 krock", "2 krockar", "1 234 dialoger". */
export const count = (n: number, one: string, many: string): string => `${grouping.format(n)} ${n === 1 ? one : many}`;

const dayFormat = new Intl.DateTimeFormat('sv-SE', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' });

/** A calendar day 'YYYY-MM-DD' as "5 mars 2026" (the day as written: no time zone shift). */
export const swedishDay = (day: string): string => dayFormat.format(new Date(`${day.slice(0, 10)}T12:00:00Z`));

/**
 * A span of calendar days: "5 mars 2026", "5–7 mars 2026", "28 februari – 3 mars 2026",
 * "30 december 2026 – 2 januari 2027".
 */
export function swedishDaySpan(from: string, to: string): string {
  const end = swedishDay(to);
  if (to <= from) return swedishDay(from);
  if (from.slice(0, 7) === to.slice(0, 7)) return `${Number(from.slice(8, 10))}–${end}`;
  const start = swedishDay(from);
  return `${from.slice(0, 4) === to.slice(0, 4) ? start.slice(0, -5) : start} – ${end}`;
}

/** An org. number as people write it: NNNNNN-NNNN (stored without the dash). */
export const formatOrgNumber = (n: string | undefined): string => (n && /^\d{10}$/.test(n) ? `${n.slice(0, 6)}-${n.slice(6)}` : (n ?? ''));

/** "A", "A och B", "A, B och C". */
export const joinSwedish = (xs: readonly string[]): string =>
  xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} och ${xs.at(-1) as string}`;
