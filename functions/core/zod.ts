/**
 * zod for this service: the zod/mini functional API (`z.optional(x)`, `x.check(z.minLength(1))`, …),
 * which tree-shakes to the functions a bundle uses (zod classic's methods live on the schema
 * classes, so all of it, 94 KB, rode in every Lambda bundle). zod/mini registers no locale, so its
 * own messages would all read "Invalid input"; this module installs zod's English messages (3 KB)
 * before any schema parses, so every module imports zod through it: `import * as z from '#core/zod.ts'`
 * (a biome rule keeps it so). Import the locale file itself: `z.locales.en` pulls in every locale (260 KB).
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());

export * from 'zod/mini';
