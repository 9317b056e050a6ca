/** Turns a zod failure into a ValidationError whose message a person can act on. */
import * as z from '#core/zod.ts';
import { ValidationError } from '#core/errors.ts';

export function parseOrThrow<S extends z.core.$ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = z.safeParse(schema, value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
  const summary = issues
    .slice(0, 5)
    .map((i) => `${i.path}: ${i.message}`)
    .join('; ');
  throw new ValidationError(`Invalid ${what}: ${summary}`, issues);
}
