/**
 * zod for this service: the zod/mini functional API (`z.optional(x)`, `x.check(z.minLength(1))`, …),
 * which tree-shakes to the functions a bundle uses (zod classic's methods live on the schema
 * classes, so all of it, 94 KB, rode in every Lambda bundle). zod/mini registers no locale, so its
 * own messages would all read "Invalid input"; this module installs zod's English messages (3 KB)
 * before any schema parses, so every module imports zod through it: `import * as z from '#core/zod.ts'`
 * (a biome rule keeps it so). Import the locale file itself: `z.locales.en` pulls in every locale (260 KB).
 *
 * From zod classic: `.trim().min(1).max(9)` → `.check(z.trim(), z.minLength(1), z.maxLength(9))` (numbers:
 * `z.gte`/`z.lte`, `.int()` → `z.int()`), `.regex(re, msg)` → `.check(z.regex(re, msg))`, `.refine(f, p)` /
 * `.superRefine(f)` → `.check(z.refine(f, p))` / `.check(z.superRefine(f))`, `.optional()` → `z.optional(x)`,
 * `.default(v)` → `z._default(x, v)`, `.prefault(v)` → `z.prefault(x, v)`, `.object({…}).strict()` →
 * `z.strictObject({…})`, `.loose()` → `z.looseObject`, `.extend(s)` → `z.extend(x, s)`, `.transform(f)` →
 * `z.pipe(x, z.transform(f))` (report problems with `ctx.issues.push({ code: 'custom', input, message })`),
 * `.pipe(y)` → `z.pipe(x, y)`, `z.preprocess(f, x)` → `z.pipe(z.transform(f), x)`.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());

export * from 'zod/mini';
