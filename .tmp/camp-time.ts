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
for (let k = 0; k < 3; k++) {
  const t = performance.now();
  const p = await createCampaign(rt.deps, { name: `n${k}` });
  console.log('create', Math.round(performance.now() - t), 'ms', p.campaign.total);
}
await rt.stop();
process.exit(0);
