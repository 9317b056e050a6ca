/**
 * `npm run bench:kill [-- --organisers 2806] [--seed 42] [--kill-at 0.5]`, and a phase of `npm run bench -- --full`.
 *
 * The crash check at full size: the real `npm start` (infra/local/start.ts, its own process
 * and data folder) gets the generated population, a campaign over all of it is launched, and the
 * process is killed with SIGKILL once about half is invited. A new `npm start` on the same data
 * folder carries on by itself (the scheduler loop drives running campaigns). Counted afterwards,
 * from the dialogues' mail logs and the SES stand-in's mailboxes: recipients, invitations recorded
 * per recipient (exactly one wanted), and anyone mailed both before and after the kill.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as z from '#core/zod.ts';
import { generatePopulation } from '#core/population.ts';
import { START_COORDINATOR_TOKEN, type StartedApp, spawnNpmStart } from '../support/npm-start.ts';

export interface CampaignKillFigures {
  organisers: number;
  recipients: number;
  /** Mails in the SES mailbox when it was killed, and the campaign's invitations. */
  mailsAtKill: number;
  total: number;
  /** Recipients with exactly one invitation in the mail log, with none, and with more than one. */
  exactlyOnce: number;
  missing: number;
  duplicated: number;
  /** Addresses in the SES mailbox both before the kill and after the restart (mailed twice). */
  mailedAgain: number;
  /** Wall clock: the whole campaign including the kill and the restart. */
  seconds: number;
}

type Mail = { destination: { to: string[] } };
type DialogueView = {
  id: string;
  recipients: { contactId: string; email: string }[];
  mails: { step: string; contactId: string; status: string }[];
};

const client = (app: StartedApp) => async (method: string, path: string, body?: unknown) => {
  const r = await fetch(`${app.base}${path}`, {
    method,
    headers: { authorization: `Bearer ${START_COORDINATOR_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await r.json()) as any;
  if (r.status >= 400) throw new Error(`${method} ${path}: ${r.status} ${json?.message ?? ''}`);
  return json;
};

async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

export async function benchCampaignKill(opts: { organisers: number; seed: number; killAt?: number; log?: (s: string) => void }) {
  const log = opts.log ?? (() => {});
  const dataDir = mkdtempSync(join(tmpdir(), 'kd-bench-kill-'));
  // The sender paces to SES_SEND_RATE: high here, so the figure is about the crash, not the pacing.
  // A send attempt killed between its claim and SES is retried once its lease (real time) is over.
  const env = { SES_SEND_RATE: '1000', SEND_LEASE_SECONDS: '20' };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  let app: StartedApp | undefined;
  try {
    app = await spawnNpmStart(dataDir);
    let call = client(app);
    const population = generatePopulation({ organisers: opts.organisers, seed: opts.seed });
    log(`loading ${population.length} organisers into npm start`);
    await pool(population, 8, async (o) => void (await call('POST', '/api/organisers', o)));
    const created = await call('POST', '/api/campaigns', { name: 'Benchmark: avbruten kampanj' });
    const id: string = created.campaign.id;
    const total: number = created.campaign.total;

    const started = performance.now();
    await call('POST', `/api/campaigns/${id}/launch`);
    // Progress moves once per batch, so the kill is timed on the mailbox: mid-batch, as a crash would be.
    let mailed = 0;
    while (mailed < total * (opts.killAt ?? 0.5)) {
      await delay(100);
      mailed = ((await (await fetch(`${app.ses}/store`)).json()) as { emails: Mail[] }).emails.length;
    }
    const before = ((await (await fetch(`${app.ses}/store`)).json()) as { emails: Mail[] }).emails;
    await app.kill();
    const sent = before.length;
    log(`killed npm start with ${sent} mails sent for ${total} invitations; starting it again`);

    app = await spawnNpmStart(dataDir);
    call = client(app);
    let progress: { sent: number; failed: number; queued: number } = { sent: 0, failed: 0, queued: total };
    for (;;) {
      const c = await call('GET', `/api/campaigns/${id}`);
      progress = c.progress;
      if (c.state === 'completed') break;
      await delay(500);
    }
    log(`campaign completed after the restart: ${JSON.stringify(progress)}`);
    // Attempts killed between claim and SES wait for their lease; wait until none is left sending.
    const dialogues: DialogueView[] = [];
    let cursor: string | undefined;
    do {
      const page = await call('GET', `/api/dialogues?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      for (const item of page.items as { id: string }[]) dialogues.push({ id: item.id } as DialogueView);
      cursor = page.cursor;
    } while (cursor);
    const full = new Map<string, DialogueView>();
    for (let attempt = 0; ; attempt++) {
      await pool(dialogues, 8, async (d) => void full.set(d.id, await call('GET', `/api/dialogues/${d.id}`)));
      const sending = [...full.values()].some((d) => d.mails.some((m) => m.step === 'invitation' && m.status === 'sending'));
      if (!sending || attempt >= 10) break;
      await delay(5000);
    }
    const seconds = (performance.now() - started) / 1000;
    const after = ((await (await fetch(`${app.ses}/store`)).json()) as { emails: Mail[] }).emails;

    let recipients = 0;
    let exactlyOnce = 0;
    let missing = 0;
    let duplicated = 0;
    let mailedAgain = 0;
    const count = (mails: Mail[], email: string) => mails.filter((m) => m.destination.to.includes(email)).length;
    for (const d of full.values()) {
      for (const r of d.recipients) {
        recipients++;
        const n = d.mails.filter((m) => m.step === 'invitation' && m.contactId === r.contactId && m.status !== 'sending').length;
        if (n === 1) exactlyOnce++;
        else if (n === 0) {
          missing++;
          log(
            `missing: ${d.id} ${r.contactId} ${JSON.stringify(d.mails.filter((m) => m.contactId === r.contactId))} ${JSON.stringify((d as any).state)}`,
          );
        } else duplicated++;
        if (count(before, r.email) > 0 && count(after, r.email) > 0) mailedAgain++;
      }
    }
    const figures: CampaignKillFigures = {
      organisers: population.length,
      recipients,
      mailsAtKill: sent,
      total,
      exactlyOnce,
      missing,
      duplicated,
      mailedAgain,
      seconds: Math.round(seconds * 10) / 10,
    };
    return figures;
  } finally {
    await app?.kill();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = z
    .object({
      organisers: z._default(z.coerce.number().check(z.int(), z.gte(10), z.lte(20_000)), 2806),
      seed: z._default(z.coerce.number().check(z.int(), z.gte(0)), 42),
      'kill-at': z._default(z.coerce.number().check(z.gt(0), z.lt(1)), 0.5),
    })
    .parse(parseArgs({ options: { organisers: { type: 'string' }, seed: { type: 'string' }, 'kill-at': { type: 'string' } } }).values);
  const f = await benchCampaignKill({
    organisers: args.organisers,
    seed: args.seed,
    killAt: args['kill-at'],
    log: (s) => console.error(`[bench:kill] ${s}`),
  });
  console.log(JSON.stringify(f, null, 2));
  console.log(
    f.exactlyOnce === f.recipients && f.mailedAgain === 0
      ? `exactly one invitation for each of ${f.recipients} recipients after SIGKILL with ${f.mailsAtKill} mails out for ${f.total} invitations`
      : `NOT exactly once: ${f.missing} missing, ${f.duplicated} duplicated, ${f.mailedAgain} mailed again`,
  );
}
