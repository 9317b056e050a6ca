import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { organiserInputSchema, toOrganiser } from '#core/organiser.ts';
import { generatePopulation } from '#core/population.ts';
import { startLocalRuntime } from '#infra/local/runtime.ts';
import { createCampaign } from '#functions/use-cases/campaigns.ts';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
const rt = await startLocalRuntime({
  dataDir: mkdtempSync(join(tmpdir(), 'kd-ct-')),
  port: 0,
  sesPort: 0,
  seed: false,
  tickMs: 3_600_000,
  campaignPassMs: 3_600_000,
});
const now = rt.clock.now();
const os = generatePopulation({ organisers: 2806, seed: 42 }).map((o) => toOrganiser(organiserInputSchema.parse(o), now));
for (let i = 0; i < os.length; i += 100) await Promise.all(os.slice(i, i + 100).map((o) => rt.deps.organisers.put(o)));
const d = rt.deps as any;
const wrap = (obj: any, name: string, label: string) => {
  const f = obj[name].bind(obj);
  let ms = 0;
  obj[name] = async (...a: any[]) => {
    const t = performance.now();
    try {
      return await f(...a);
    } finally {
      ms += performance.now() - t;
    }
  };
  return () => `${label} ${Math.round(ms)}`;
};
const r1 = wrap(d.organisers, 'list', 'list');
const r2 = wrap(d.campaigns, 'hasDialogue', 'hasDialogue(sum)');
const r3 = wrap(d.calendar, 'inspectionsOf', 'insp');
const r4 = wrap(d.campaigns, 'create', 'create');
console.log(Object.getOwnPropertyNames(Object.getPrototypeOf(d.calendar)).join(','));
const t = performance.now();
await createCampaign(rt.deps, { name: 'x' });
console.log('total', Math.round(performance.now() - t), r1(), r2(), r3(), r4());
await rt.stop();
process.exit(0);
