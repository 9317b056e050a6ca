/** Turns a zod failure into a ValidationError whose message a person can act on. */
import * as z from '#core/zod.ts';
import { ValidationError } from '#core/errors.ts';

type Def = {
  type?: string;
  shape?: Record<string, z.core.$ZodType>;
  in?: z.core.$ZodType;
  innerType?: z.core.$ZodType;
  element?: z.core.$ZodType;
};
const defOf = (s: z.core.$ZodType | undefined): Def => ((s as { _zod?: { def?: Def } } | undefined)?._zod?.def ?? {}) as Def;

/** The field names the object schema at `path` takes (through pipes, optionals, defaults and arrays). */
function keysAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
  let s: z.core.$ZodType | undefined = schema;
  let i = 0;
  for (let guard = 0; s && guard < 50; guard++) {
    const def = defOf(s);
    if (def.type === 'pipe') s = def.in;
    else if (def.innerType) s = def.innerType;
    else if (def.type === 'array') {
      s = def.element;
      i++;
    } else if (def.type === 'object') {
      if (i === path.length) return Object.keys(def.shape ?? {});
      s = def.shape?.[String(path[i++])];
    } else return [];
  }
  return [];
}

/** Edit distance, for "did you mean": a typo is one or two letters off. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

function unknownKeyMessage(key: string, allowed: string[]): string {
  const near = allowed.map((k) => ({ k, d: distance(key, k) })).sort((a, b) => a.d - b.d)[0];
  if (near && near.d <= Math.max(2, Math.floor(key.length / 3))) return `unknown field; did you mean "${near.k}"?`;
  return allowed.length ? `unknown field; the fields here are ${allowed.join(', ')}` : 'unknown field';
}

export function parseOrThrow<S extends z.core.$ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = z.safeParse(schema, value);
  if (r.success) return r.data;
  const issues = r.error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((key) => ({ path: [...i.path, key].join('.'), message: unknownKeyMessage(key, keysAt(schema, i.path)) }))
      : [{ path: i.path.join('.') || '(body)', message: i.message }],
  );
  const summary = issues
    .slice(0, 5)
    .map((i) => `${i.path}: ${i.message}`)
    .join('; ');
  throw new ValidationError(`Invalid ${what}: ${summary}`, issues);
}
