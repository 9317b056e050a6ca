/**
 * Field schemas every edge shares: text a person typed (one line, or a free text), calendar days
 * that exist, and the bounds on ids and cursors. A schema that takes a body, a filter, a selection
 * or a setting is a strict object: an unknown key (a typo) is refused, never ignored.
 */
import * as z from '#core/zod.ts';

/** Control characters other than tab, line feed and carriage return. */
const CONTROL = /(?![\t\n\r])\p{Cc}/u;
/** Any control character, line breaks included, plus the Unicode line and paragraph separators. */
const CONTROL_OR_BREAK = /[\p{Cc}\u2028\u2029]/u;

/** True when a string is one line of printable text (what a name, a title or a header value must be). */
export const isSingleLine = (s: string): boolean => !CONTROL_OR_BREAK.test(s);

/** A check for `.check(...)`: one line of printable text (no line breaks, no control characters). */
export const oneLine = (what = 'the text') =>
  z.refine<string>((s) => isSingleLine(s), `${what} must be one line, without line breaks or control characters`);

/** A check for `.check(...)`: free text may break lines and hold tabs, but no other control characters. */
export const printable = (what = 'the text') => z.refine<string>((s) => !CONTROL.test(s), `${what} must not contain control characters`);

/**
 * One line of text (a name, a title, a municipality): trimmed, between `min` and `max` characters,
 * no line breaks or control characters. A name with CR/LF would otherwise break the mail it ends
 * up in, long after the request that stored it was answered 201.
 */
export const singleLine = (min: number, max: number, what = 'the text') =>
  z.string().check(z.trim(), z.minLength(min), z.maxLength(max), oneLine(what));

/** Free text (a comment, notes): line breaks and tabs are fine, other control characters are not. */
export const freeText = (max: number, what = 'the text') => z.string().check(z.trim(), z.maxLength(max), printable(what));

/** A calendar day 'YYYY-MM-DD' that exists (2026-02-30 and 2026-13-01 are refused, leap days checked). */
export const isoDay = (message = 'use a date that exists, like 2026-03-05') => z.iso.date({ message });

/**
 * The longest id a path or a body may carry. DynamoDB refuses a key over 2,048 bytes (a 500 if it
 * got that far); no id this service issues or stores is longer than ~80 characters.
 */
export const MAX_ID_LENGTH = 200;

/** A page cursor as the API hands it out (base64url of the last key read). */
export const cursorSchema = z
  .string()
  .check(z.maxLength(2000, 'cursor is too long'), z.regex(/^[A-Za-z0-9_-]+$/, 'cursor is not valid: pass the cursor value unchanged'));
