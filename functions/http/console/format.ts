/** How the console's pages show values: Stockholm times, Swedish numbers, form options, fresh form ids. */
import { randomBytes } from 'node:crypto';
import { formatSwedishDateTime } from '#core/time.ts';
import * as z from '#core/zod.ts';

/** An ISO instant as Stockholm date and time ('' when absent). */
export const when = (iso: string | undefined): string => (iso ? formatSwedishDateTime(new Date(iso)) : '');
/** A count with Swedish digit grouping (12 345). */
export const sv = (n: number): string => n.toLocaleString('sv-SE');
export const ownershipOf = (municipal: boolean): string => (municipal ? 'kommunal' : 'enskild');

/** One <option> of a select. */
export const option = (value: string, label: string, current: unknown) => ({ value, label, selected: value === current });
/** One checkbox of a group. */
export const check = (value: string, label: string, selected: boolean) => ({ value, label, checked: selected, id: value });

/** A non-negative page offset from the query string (anything else is the first page). */
export const offset = (v: string | undefined): number => (v && /^\d{1,7}$/.test(v) ? Number(v) : 0);

/** One id per rendered confirmation form: posting it twice finds the same job or campaign. */
export const newFormId = (): string => randomBytes(16).toString('base64url');
export const FORM_ID = /^[A-Za-z0-9_-]{16,40}$/;

/** Blank fields are "not given"; a decimal comma is accepted. */
export const blank = (v: unknown) => (typeof v === 'string' ? (v.trim() === '' ? undefined : v.trim().replace(',', '.')) : v);
/** zod classic's preprocess in zod/mini: blank → absent, then the schema (the outer optional keeps the key optional). */
export const blankOr = <T extends z.core.SomeType>(s: T) => z.optional(z.pipe(z.transform(blank), z.optional(s)));
