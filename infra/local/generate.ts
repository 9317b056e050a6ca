/**
 * `npm run generate -- --organisers 2806 --seed 42 [--out .data/population.json] [--load http://127.0.0.1:3000 --token <coordinator>]`
 *
 * Writes a synthetic national population (see functions/core/population.ts) as JSON, and/or loads
 * it into a running local runtime through `POST /api/organisers` (idempotent: an upsert per
 * organiser). Fictional names and example.se addresses only.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import * as z from '#core/zod.ts';
import { generatePopulation } from '#core/population.ts';

const argsSchema = z.object({
  organisers: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100_000)), 2806),
  seed: z._default(z.coerce.number().check(z.int(), z.gte(0)), 42),
  out: z.optional(z.string()),
  load: z.optional(z.url()),
  token: z.optional(z.string()),
  concurrency: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(64)), 8),
});

const { values } = parseArgs({
  options: {
    organisers: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    load: { type: 'string' },
    token: { type: 'string' },
    concurrency: { type: 'string' },
  },
});
const parsed = argsSchema.safeParse(values);
if (!parsed.success) {
  console.error(`generate: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}`);
  process.exit(2);
}
const args = parsed.data;
const token = args.token ?? process.env.COORDINATOR_TOKEN;
if (args.load && !token) {
  console.error('generate: --load needs the coordinator token (--token or COORDINATOR_TOKEN)');
  process.exit(2);
}

const population = generatePopulation({ organisers: args.organisers, seed: args.seed });
const out = args.out ?? (args.load ? undefined : '.data/population.json');
if (out) {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(population, null, 1)}\n`);
  console.log(`wrote ${population.length} organisers (seed ${args.seed}) to ${out}`);
}

if (args.load) {
  const started = Date.now();
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < population.length) {
      const o = population[next++]!;
      const res = await fetch(`${args.load}/api/organisers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(o),
      });
      if (res.status !== 200 && res.status !== 201) {
        failed++;
        console.error(`${o.id}: ${res.status} ${await res.text()}`);
      }
    }
  };
  await Promise.all(Array.from({ length: args.concurrency }, worker));
  console.log(`loaded ${population.length - failed} organisers into ${args.load} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (failed > 0) process.exit(1);
}
