/**
 * `npm run bench:wave [-- --organisers 300] [--seed 42] [--hold-hours 72]` (not a test): a wave of
 * organisers accepting at the same moment, with the demo's facilitators (8, four at a time in a
 * pair) and group intro sessions, on the embedded runtime with the clock moved a day at a time.
 *
 * Every organiser is offered its intro times at once; then each behaves as a seeded draw decides:
 * most pick a time within the week, some after the reminder, some ask for other times first and
 * pick from the new offer, a few never answer and are handed back to the coordinator. An organiser
 * wants one of the times in its mail, opens the page at a random minute of the office day and
 * posts a few minutes later; other organisers' visits interleave (the pages are really fetched and
 * the forms really posted, in time order). A page that shows the wanted time taken makes the
 * organiser choose another free one; a post refused as taken ("Tiden är inte längre ledig") is
 * counted, and the organiser chooses again from the page it got back. Each morning the coordinator
 * reads the digest, if one came, and books the handed-back organisers' first free times from the
 * console's list in one selection.
 *
 * Measures: picks refused as taken (share of all time picks), pages that showed the wanted time
 * taken, days until every accepted organiser has its intro booked, the mails the coordinator got
 * (digests, one a day, against one per hand-back before) and how far out the last intro lies.
 * `runNationalWave` is exported for the main bench table, which runs it with the offer holds on and
 * off (OFFER_HOLD_HOURS=0: every offer made at the same moment proposes the same times).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Dialogue } from '#core/dialogue.ts';
import { signLinkToken } from '#core/link-token.ts';
import { organiserInputSchema, toOrganiser } from '#core/organiser.ts';
import { createRandom, generatePopulation } from '#core/population.ts';
import { startLocalRuntime } from '#infra/local/runtime.ts';
import { DIGEST_LOG } from '#functions/use-cases/handback-digest.ts';

export interface WaveOptions {
  organisers?: number;
  seed?: number;
  /** OFFER_HOLD_HOURS for the run (0: no holds). */
  holdHours?: number;
  /** Days simulated at most. */
  maxDays?: number;
  log?: (line: string) => void;
}

export interface WaveFigures {
  organisers: number;
  holdHours: number;
  /** Posts of a chosen time (a retry after a refusal counts again). */
  picks: number;
  /** Of those, refused because the time had been taken. */
  refused: number;
  refusedShare: number;
  /** Page views that showed the time the organiser wanted as taken already. */
  wantedShownTaken: number;
  pageViews: number;
  /** Organisers who asked for other times. */
  otherTimes: number;
  /** Offers handed back to the coordinator (nobody booked, or nothing to offer). */
  handedBack: number;
  /** Days from the wave until every accepted organiser had an intro booked (undefined: not within maxDays). */
  daysUntilAllBooked?: number;
  medianDaysToBooking: number;
  /** Mails to the coordinator's address during the wave, and how many of them were digests. */
  coordinatorMails: number;
  digests: number;
  /** Days from the wave to the latest booked intro meeting. */
  lastIntroInDays: number;
  seconds: number;
}

type Plan = { kind: 'pick'; day: number } | { kind: 'other'; day: number; pickAfter: number } | { kind: 'never' };

interface Visit {
  id: string;
  /** Minutes into the office day. */
  opens: number;
  posts: number;
  link?: string;
  choice?: number | 'other';
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? Number.NaN
    : s.length % 2
      ? (s[(s.length - 1) / 2] as number)
      : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};
const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

/** The radios of an offer page: each time's index and whether it can still be chosen. */
const choicesOf = (html: string) =>
  [...html.matchAll(/<input type="radio" name="choice" value="(\d+)" required( disabled)?>/g)].map((m) => ({
    index: Number(m[1]),
    free: !m[2],
  }));

export async function runNationalWave(opts: WaveOptions = {}): Promise<WaveFigures> {
  const log = opts.log ?? (() => undefined);
  const n = opts.organisers ?? 300;
  const holdHours = opts.holdHours ?? 72;
  const maxDays = opts.maxDays ?? 45;
  const random = createRandom(opts.seed ?? 42);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const started = performance.now();

  const dataDir = mkdtempSync(join(tmpdir(), 'kd-bench-wave-'));
  const previousHold = process.env.OFFER_HOLD_HOURS;
  process.env.OFFER_HOLD_HOURS = String(holdHours);
  const runtime = await startLocalRuntime({
    dataDir,
    port: 0,
    sesPort: 0,
    demo: true,
    tickMs: 3_600_000, // the clock endpoint fires the timers, a day at a time
    campaignPassMs: 3_600_000,
    coordinatorToken: 'bench-coordinator-token-0001',
    inspectorateToken: 'bench-inspectorate-token-0001',
  });
  try {
    const d = runtime.deps;
    const app = runtime.urls.app;
    const { linkSigningKey } = await d.secrets();
    const coordinator = d.env.COORDINATOR_EMAIL;
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${app}${path}`, {
        method,
        headers: { authorization: `Bearer ${runtime.tokens.coordinator}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const form = async (url: string, fields?: Record<string, string> | URLSearchParams, cookie?: string) => {
      const r = await fetch(url, {
        method: fields ? 'POST' : 'GET',
        redirect: 'manual',
        headers: { ...(fields ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...(cookie ? { cookie } : {}) },
        body: fields ? new URLSearchParams(fields).toString() : undefined,
      });
      return { status: r.status, location: r.headers.get('location') ?? '', html: await r.text() };
    };
    /** The link of the latest mail of a step to the dialogue's first recipient. */
    const linkOf = async (dialogueId: string, step: (s: string) => boolean): Promise<string | undefined> => {
      const x = await d.dialogues.get(dialogueId);
      const mail = (await d.mailLog.list(dialogueId))
        .filter((m) => step(m.step) && m.contactId === x?.recipients[0]?.contactId && m.linkExpiresAt)
        .sort((a, b) => a.claimedAt.localeCompare(b.claimedAt))
        .at(-1);
      if (!mail?.linkExpiresAt) return undefined;
      // What the link opens: the answer page for the invitation, the offer for an offer mail (or its reminder).
      const linkStep = mail.step === 'invitation' ? 'answer' : mail.step.replace(/^offer-(\w+)-(\d+)-(\d+)(-reminder)?$/, 'offer:$1:$2:$3');
      const token = signLinkToken(linkSigningKey, { dialogueId, step: linkStep, contactId: mail.contactId }, new Date(mail.linkExpiresAt));
      return `${app}/r/${token}`;
    };

    // The wave: organisers with contacts, invited, all accepting at once.
    const population = generatePopulation({ organisers: Math.ceil(n * 1.6), seed: opts.seed ?? 42 })
      .filter((o) => (o.contacts ?? []).length > 0)
      .slice(0, n);
    const now = runtime.clock.now();
    await pool(population, 16, (o) => d.organisers.put(toOrganiser(organiserInputSchema.parse(o), now)));
    log(`wave: inviting ${population.length} organisers (offer holds ${holdHours} h)`);
    const ids: string[] = [];
    await pool(population, 8, async (o) => {
      const r = await api('POST', '/api/dialogues', { organiserId: o.id });
      if (r.status !== 201) throw new Error(`POST /api/dialogues: ${r.status} ${await r.text()}`);
      ids.push(((await r.json()) as { id: string }).id);
    });
    const waitFor = async (what: string, done: (x: Dialogue) => boolean, seconds = 300) => {
      for (const until = Date.now() + seconds * 1000; ; ) {
        const xs = await Promise.all(ids.map((id) => d.dialogues.get(id)));
        if (xs.every((x) => x && done(x))) return;
        if (Date.now() > until) throw new Error(`wave: ${xs.filter((x) => !x || !done(x)).length} dialogues never ${what}`);
        await new Promise((ok) => setTimeout(ok, 500));
      }
    };
    await waitFor('invited', (x) => x.state === 'invited' && Boolean(x.waitToken));
    await pool(ids, 8, async (id) => {
      const link = await linkOf(id, (s) => s === 'invitation');
      const r = await form(link as string, { answer: 'accept' });
      if (r.status !== 200) throw new Error(`accepting ${id}: ${r.status}`);
    });
    const waveStart = runtime.clock.now().getTime();
    await api('POST', '/api/dev/clock', { advance: 'PT10M' });
    await waitFor('offered their intro', (x) => x.state !== 'accepted' && (x.phase?.offer !== undefined || x.state !== 'intro_offered'));
    log(`wave: ${ids.length} intro offers made in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    // How each organiser behaves, drawn once.
    const plans = new Map<string, Plan>();
    for (const id of ids) {
      const u = random();
      plans.set(
        id,
        u < 0.7
          ? { kind: 'pick', day: int(0, 6) }
          : u < 0.85
            ? { kind: 'pick', day: int(7, 12) }
            : u < 0.95
              ? { kind: 'other', day: int(1, 5), pickAfter: int(1, 3) }
              : { kind: 'never' },
      );
    }
    const wanted = new Map<string, { offer: string; index: number }>();
    const bookedOn = new Map<string, number>();
    const figures = { picks: 0, refused: 0, wantedShownTaken: 0, pageViews: 0, otherTimes: 0 };
    const login = async (): Promise<string> => {
      const r = await fetch(`${app}/console/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ name: 'Bench Samordnare', token: runtime.tokens.coordinator }).toString(),
      });
      return (r.headers.get('set-cookie') ?? '').split(';')[0] as string;
    };

    /** Opens the organiser's offer page: which times it shows free, and what the organiser chooses. */
    const look = async (v: Visit): Promise<void> => {
      const x = await d.dialogues.get(v.id);
      if (x?.state !== 'intro_offered' || !x.phase?.offer) return;
      const offerKey = `${x.phase.round}:${x.phase.offer.no}`;
      v.link = await linkOf(v.id, (s) => s === `offer-intro-${x.phase?.round}-${x.phase?.offer?.no}`);
      if (!v.link) return;
      const choices = choicesOf((await form(v.link)).html);
      figures.pageViews++;
      // What the organiser decided on from the mail: one of its times.
      if (wanted.get(v.id)?.offer !== offerKey && choices.length > 0) {
        wanted.set(v.id, { offer: offerKey, index: (choices[int(0, choices.length - 1)] as { index: number }).index });
      }
      const want = wanted.get(v.id)?.index;
      const free = choices.filter((c) => c.free);
      let choice = free.find((c) => c.index === want);
      if (!choice && want !== undefined) figures.wantedShownTaken++;
      choice ??= free[int(0, Math.max(0, free.length - 1))];
      v.choice = choice ? choice.index : 'other';
    };

    /** Posts the choice a few minutes after the page was opened; after a refusal, chooses again from the page it got back. */
    const post = async (v: Visit, day: number): Promise<void> => {
      if (!v.link || v.choice === undefined) return;
      let choice: number | 'other' = v.choice;
      for (let attempt = 0; attempt < 4; attempt++) {
        if (choice === 'other') {
          figures.otherTimes++;
          await form(v.link, { choice: 'other' });
          plans.set(v.id, { kind: 'pick', day: day + int(1, 3) });
          return;
        }
        figures.picks++;
        const r = await form(v.link, { choice: String(choice) });
        if (r.status === 200) {
          bookedOn.set(v.id, day);
          return;
        }
        if (!r.html.includes('Tiden är inte längre ledig')) return; // the offer moved on meanwhile
        figures.refused++;
        const free = choicesOf(r.html).filter((c) => c.free);
        choice = free.length > 0 ? (free[int(0, free.length - 1)] as { index: number }).index : 'other';
      }
    };

    const digestsSeen = new Set<string>();
    let handedBack = 0;
    let day = 0;
    for (; day <= maxDays; day++) {
      // Today's visits: each organiser opens its page at a random minute of the office day and posts
      // 2–10 minutes later; every page view and post of the day runs in time order, so organisers
      // whose visits overlap see the same times free.
      const visits: Visit[] = [];
      for (const id of ids) {
        if (bookedOn.has(id)) continue;
        const plan = plans.get(id) as Plan;
        if (plan.kind === 'pick' && plan.day === day) visits.push({ id, opens: int(0, 470), posts: 0 });
        if (plan.kind === 'other' && plan.day === day) {
          const link = await linkOf(id, (s) => s.startsWith('offer-intro-'));
          if (link) {
            await form(link, { choice: 'other' });
            figures.otherTimes++;
          }
          plans.set(id, { kind: 'pick', day: day + plan.pickAfter });
        }
      }
      for (const v of visits) v.posts = v.opens + int(2, 10);
      const events = [
        ...visits.map((v) => ({ at: v.opens, v, step: 'look' as const })),
        ...visits.map((v) => ({ at: v.posts, v, step: 'post' as const })),
      ];
      events.sort((a, b) => a.at - b.at || (a.step === 'look' ? -1 : 1));
      for (const e of events) await (e.step === 'look' ? look(e.v) : post(e.v, day));

      // The next morning: timers (reminders, hand-overs, the digest) fire as the clock moves on.
      await api('POST', '/api/dev/clock', { advance: 'P1D' });
      const digests = (await d.mailLog.list(DIGEST_LOG)).filter((m) => !digestsSeen.has(m.step));
      for (const m of digests) digestsSeen.add(m.step);
      if (digests.length > 0) {
        // The coordinator books the first free time for every offer handed back (one selection per 100).
        const jar = await login();
        for (;;) {
          const list = await form(`${app}/console?handback=booking&limit=100`, undefined, jar);
          const chosen = [...list.html.matchAll(/name="dialogueIds" value="([^"]+)"/g)].map((m) => m[1] as string);
          if (chosen.length === 0) break;
          handedBack += chosen.length;
          const csrf = /name="csrf" value="([^"]+)"/.exec(list.html)?.[1] as string;
          const selection = new URLSearchParams({ csrf, step: 'confirm', action: 'book' });
          for (const id of chosen) selection.append('dialogueIds', id);
          const confirm = await form(`${app}/console/handbacks`, selection, jar);
          const run = new URLSearchParams({ csrf, step: 'run', action: 'book' });
          run.set('formId', /name="formId" value="([^"]+)"/.exec(confirm.html)?.[1] as string);
          for (const id of chosen) run.append('dialogueIds', id);
          await form(`${app}/console/handbacks`, run, jar);
          // The rounds book in their workflows; wait until they have.
          for (let waited = 0; waited < 120; waited++) {
            const xs = await Promise.all(chosen.map((id) => d.dialogues.get(id)));
            if (xs.every((x) => x?.state !== 'intro_offered' || x.phase?.offer?.status === 'escalated')) break;
            await new Promise((ok) => setTimeout(ok, 250));
          }
          const still = (await Promise.all(chosen.map((id) => d.dialogues.get(id)))).filter((x) => x?.state === 'intro_offered');
          if (still.length === chosen.length) break; // nothing could be booked: they stay handed back
        }
      }
      // Whoever is booked now (by a pick, or by the coordinator this morning) counts from this day.
      for (const id of ids) {
        if (bookedOn.has(id)) continue;
        const x = await d.dialogues.get(id);
        if (x && x.state !== 'intro_offered') bookedOn.set(id, day + (digests.length > 0 ? 1 : 0));
      }
      if (bookedOn.size === ids.length) break;
    }

    // Mails to the coordinator's address (the mailbox, once at the end), and the latest intro.
    const store = (await (await fetch(`${runtime.urls.mailbox}/store`)).json()) as {
      emails: { destination: { to: string[] }; subject: string }[];
    };
    const toCoordinator = store.emails.filter((m) => m.destination.to.includes(coordinator));
    const meetings = (await Promise.all(ids.map((id) => d.meetings.listForDialogue(id)))).flat();
    const lastIntro = Math.max(...meetings.filter((m) => m.kind === 'intro').map((m) => Date.parse(m.sessions[0]?.start ?? '')));
    const days = [...bookedOn.values()];
    return {
      organisers: ids.length,
      holdHours,
      picks: figures.picks,
      refused: figures.refused,
      refusedShare: round(figures.picks ? figures.refused / figures.picks : 0),
      wantedShownTaken: figures.wantedShownTaken,
      pageViews: figures.pageViews,
      otherTimes: figures.otherTimes,
      handedBack,
      daysUntilAllBooked: bookedOn.size === ids.length ? Math.max(...days) : undefined,
      medianDaysToBooking: median(days),
      coordinatorMails: toCoordinator.length,
      digests: toCoordinator.filter((m) => m.subject.startsWith('Att hantera')).length,
      lastIntroInDays: Math.round((lastIntro - waveStart) / 86_400_000),
      seconds: round((performance.now() - started) / 1000, 1),
    };
  } finally {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (previousHold === undefined) delete process.env.OFFER_HOLD_HOURS;
    else process.env.OFFER_HOLD_HOURS = previousHold;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const { values } = parseArgs({ options: { organisers: { type: 'string' }, seed: { type: 'string' }, 'hold-hours': { type: 'string' } } });
  const log = (s: string) => process.stderr.write(`[wave] ${s}\n`);
  const runs = values['hold-hours'] !== undefined ? [Number(values['hold-hours'])] : [72, 0];
  const results: WaveFigures[] = [];
  for (const holdHours of runs) {
    results.push(await runNationalWave({ organisers: Number(values.organisers ?? 300), seed: Number(values.seed ?? 42), holdHours, log }));
  }
  console.log(JSON.stringify(results, null, 2));
  process.exit(0);
}
