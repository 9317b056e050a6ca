/**
 * The SES account's send rate shared by every campaign, on the embedded runtime: two campaigns
 * launched together and driven by two overlapping sender runs (as the tick and the one-minute
 * sender overlap in the cloud) send together at the account rate, not twice it, and each finishes
 * with exactly one invitation per recipient; parallel passes cannot spend the same reservation
 * twice. Send times are taken where the mail is handed to SES (the mailer), in real time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePopulation } from '#core/population.ts';
import { createBulkJob, driveBulkJobs } from '#functions/use-cases/bulk-start.ts';
import { driveCampaigns, sendCampaignsFor } from '#functions/use-cases/campaign-sender.ts';
import { Harness } from '../support/local.ts';

/** The account's rate in this test (SES_SEND_RATE), mails per second; the bucket holds one second of it. */
const RATE = 10;
const h = new Harness();
const generated = generatePopulation({ organisers: 45, seed: 61 }).filter((o) => (o.contacts ?? []).length > 0);
/** Invited before the campaigns, so they measure sending, not the runtime's first (cold) invitation. */
const warmUp = generated[0]!;
const population = generated.slice(1);
const byChildren = [...population].sort((a, b) => (a.children ?? 0) - (b.children ?? 0));
const median = byChildren[Math.floor(byChildren.length / 2)]!.children ?? 0;
/** Every mail handed to SES: to whom, and when (performance.now(), ms), and how long after its workflow started. */
const sent: { to: string; at: number; lag: number; dialogue?: string; step?: string }[] = [];
/** When each dialogue's invitation workflow was started (performance.now(), ms). */
const started = new Map<string, number>();
/** Every reservation taken from the shared bucket: how many mails, and when. */
const reserved: { mails: number; at: number }[] = [];
/** The most mails of `events` in any one-second window. */
const busiestSecond = (events: { at: number; n: number }[]) =>
  Math.max(...events.map((e) => events.filter((x) => x.at >= e.at && x.at < e.at + 1000).reduce((s, x) => s + x.n, 0)));

beforeAll(async () => {
  await h.start({ seed: false, sesSendRate: RATE });
  for (const o of generated) expect((await h.api('POST', '/api/organisers', o)).status).toBe(201);
  const bucket = h.runtime.deps.sendRate;
  const reserve = bucket.reserve.bind(bucket);
  bucket.reserve = async (...args) => {
    const at = performance.now();
    const r = await reserve(...args);
    if (r.mails > 0) reserved.push({ mails: r.mails, at });
    return r;
  };
  const workflow = h.runtime.deps.workflow;
  const startInvitation = workflow.startInvitation.bind(workflow);
  workflow.startInvitation = async (id, attempt) => {
    started.set(id, performance.now());
    return startInvitation(id, attempt);
  };
  const mailer = h.runtime.deps.mailer;
  h.runtime.deps.mailer = {
    send: async (mail) => {
      const r = await mailer.send(mail);
      const at = performance.now();
      sent.push({
        to: mail.to,
        at,
        lag: at - (started.get(mail.tags?.dialogue ?? '') ?? at),
        dialogue: mail.tags?.dialogue,
        step: mail.tags?.step,
      });
      return r;
    },
  };
});
afterAll(async () => {
  await h.close();
});

/** Waits until every dialogue's invitation workflow waits for its answer (its mails are sent). */
const everyWorkflowWaiting = () => h.invitationsWaiting();
const progress = async (id: string) => (await h.api('GET', `/api/campaigns/${id}`)).json;
const boardOf = (organiserId: string) => population.find((o) => o.id === organiserId)!.contacts!.find((c) => c.role === 'board')!.email;

describe('one send rate shared by all campaigns', () => {
  it("refuses a campaign's own send rate above the account's, saying what the limit is", async () => {
    const r = await h.api('POST', '/api/campaigns', { name: 'För snabb', sendRate: RATE + 1 });
    expect(r.status).toBe(400);
    expect(r.json.message).toContain(`above the SES account's maximum send rate, ${RATE} mails/s`);
    expect(r.json.issues).toEqual([{ path: 'sendRate', message: `at most ${RATE} (the SES account's send rate)` }]);
    expect((await h.api('GET', '/api/campaigns')).json.items).toHaveLength(0);
  });

  it('two campaigns launched together send at the account rate together, fairly, each recipient once', { timeout: 60_000 }, async () => {
    // Prepare: a first invitation outside the campaigns (the runtime's cold start), then two drafts
    // over the two halves of the population, each at the account's full rate
    expect((await h.api('POST', '/api/dialogues', { organiserId: warmUp.id })).status).toBe(201);
    await everyWorkflowWaiting();
    expect(sent.map((m) => m.to)).toContain(warmUp.contacts!.find((c) => c.role === 'board')!.email);
    sent.length = 0;
    const small = await h.api('POST', '/api/campaigns', { name: 'Små huvudmän', selection: { maxChildren: median - 1 } });
    const large = await h.api('POST', '/api/campaigns', { name: 'Stora huvudmän', selection: { minChildren: median } });
    const ids = [small.json.campaign.id as string, large.json.campaign.id as string];
    expect(small.json.campaign.sendRate).toBe(RATE);
    const recipients = await Promise.all(ids.map((id) => h.runtime.deps.campaigns.recipients(id, 0, 1000)));
    expect(recipients.flat()).toHaveLength(population.length);
    const mails = recipients.flat().reduce((s, r) => s + r.mails, 0);
    const contactsOf = (organiserId: string) => population.find((o) => o.id === organiserId)!.contacts!.map((c) => c.email);
    const campaignOf = new Map(recipients.flatMap((rs, i) => rs.flatMap((r) => contactsOf(r.organiserId).map((e) => [e, i] as const))));

    // Act: launch both, then two overlapping sender runs (rounds every 100 and 170 ms) until both are done
    const t0 = performance.now();
    for (const id of ids) expect((await h.api('POST', `/api/campaigns/${id}/launch`)).json.state).toBe('running');
    const shared = await progress(ids[0]!);
    const runs = await Promise.all([
      sendCampaignsFor(h.runtime.deps, 45_000, undefined, 100),
      sendCampaignsFor(h.runtime.deps, 45_000, undefined, 170),
    ]);
    await everyWorkflowWaiting();

    // Assess: the coordinator saw that the campaign shares the rate
    expect(shared.sharing).toMatchObject({ accountRate: RATE, effectiveRate: RATE / 2, sharedWith: 1, waitingForSharedRate: true });
    expect(shared.sharing.note).toContain('Delar sändhastigheten med 1 annan kampanj');
    // … both completed, every recipient mailed exactly once
    for (const id of ids) expect((await progress(id)).progress).toMatchObject({ queued: 0, failed: 0 });
    // (only the campaigns' mails are counted: the warm-up's went out before)
    expect(sent.filter((m) => !campaignOf.has(m.to))).toEqual([]);
    const twice = sent.filter((m, i) => sent.findIndex((x) => x.to === m.to) !== i);
    expect(twice.map((m) => ({ ...m, first: sent.find((x) => x.to === m.to) }))).toEqual([]);
    expect(sent).toHaveLength(mails);
    for (const o of population)
      expect(
        sent.filter((m) => m.to === boardOf(o.id!)),
        o.id,
      ).toHaveLength(1);
    expect(runs[0].reserved + runs[1].reserved).toBeGreaterThanOrEqual(mails);
    // … together at the account rate: within 1.1 × N / rate, never more than rate + capacity in any second
    const seconds = (Math.max(...sent.map((m) => m.at)) - t0) / 1000;
    expect(seconds).toBeLessThanOrEqual((1.1 * mails) / RATE);
    expect(mails).toBeLessThanOrEqual(RATE + RATE * seconds);
    // The bucket bounds the reservations exactly: one second's capacity plus one second's refill.
    expect(busiestSecond(reserved.map((r) => ({ at: r.at, n: r.mails })))).toBeLessThanOrEqual(2 * RATE);
    // SES sees them shifted by how long each workflow takes from its start to its send step, which
    // varies (more on a loaded machine): a second at SES holds at most what was reserved in a second
    // plus that spread (and a fifth of a second for a pass to start its invitations).
    const lags = sent.map((m) => m.lag);
    const spread = (Math.max(...lags) - Math.min(...lags)) / 1000;
    expect(busiestSecond(sent.map((m) => ({ at: m.at, n: 1 })))).toBeLessThanOrEqual(2 * RATE + Math.ceil(RATE * (spread + 0.2)));
    // … and fairly: each campaign had about half of the first half of the mails
    const firstHalf = [...sent].sort((a, b) => a.at - b.at).slice(0, Math.floor(mails / 2));
    for (const i of [0, 1]) expect(firstHalf.filter((m) => campaignOf.get(m.to) === i).length).toBeGreaterThanOrEqual(mails / 2 / 3);
  });

  it('parallel passes cannot spend one reservation twice', { timeout: 60_000 }, async () => {
    // Prepare: a campaign for the next cycle over the ten smallest organisers or so; then a full
    // bucket (the local clock moved on, no pass made)
    const selection = { maxChildren: byChildren[9]!.children ?? 0 };
    const created = await h.api('POST', '/api/campaigns', { name: 'Nästa omgång', cycle: '2031', selection });
    const id = created.json.campaign.id as string;
    const boards = (await h.runtime.deps.campaigns.recipients(id, 0, 1000)).map((r) => boardOf(r.organiserId));
    await h.api('POST', `/api/campaigns/${id}/launch`);
    h.runtime.clock.advance(5000);
    const before = sent.length;

    // Act: four passes at once
    const t0 = performance.now();
    const passes = await Promise.all([1, 2, 3, 4].map(() => driveCampaigns(h.runtime.deps)));
    const elapsed = (performance.now() - t0) / 1000;

    // Assess: together no more than the bucket held plus what refilled meanwhile; the race did happen
    const taken = passes.reduce((s, p) => s + p.reserved, 0);
    expect(taken).toBeGreaterThan(0);
    expect(taken).toBeLessThanOrEqual(RATE + Math.ceil(RATE * elapsed));
    // One pass sent for the campaign; the others lost the race on the bucket or found it claimed.
    expect(passes.filter((p) => p.reserved > 0)).toHaveLength(1);
    expect(passes.reduce((s, p) => s + p.conflicts + p.busy, 0)).toBeGreaterThanOrEqual(3);
    await everyWorkflowWaiting();
    expect(sent.length - before).toBeLessThanOrEqual(taken);

    // … and the campaign still completes with one invitation per recipient
    await sendCampaignsFor(h.runtime.deps, 45_000, undefined, 100);
    await everyWorkflowWaiting();
    expect((await progress(id)).state).toBe('completed');
    for (const board of boards)
      expect(
        sent.slice(before).filter((m) => m.to === board),
        board,
      ).toHaveLength(1);
  });

  it("the tick's bulk starts draw from the same bucket as a campaign running meanwhile", { timeout: 60_000 }, async () => {
    // Prepare: for another cycle, a console bulk start of the smallest quarter of the organisers and
    // a campaign over the next quarter
    const quarter = Math.floor(byChildren.length / 4);
    const bulk = byChildren.slice(0, quarter).map((o) => o.id!);
    await createBulkJob(h.runtime.deps, { organiserIds: bulk, cycle: '2032', jobId: 'bulk-shared-rate-0001' }, 'Test (samordnare)');
    const selection = { minChildren: byChildren[quarter]!.children ?? 0, maxChildren: byChildren[2 * quarter]!.children ?? 0 };
    const created = await h.api('POST', '/api/campaigns', { name: 'Nästa kvartil', cycle: '2032', selection });
    const id = created.json.campaign.id as string;
    expect(created.json.campaign.total).toBeGreaterThan(0);
    h.runtime.clock.advance(5000);
    sent.length = 0;
    reserved.length = 0;

    // Act: the tick's bulk part and the campaign sender at once
    const t0 = performance.now();
    await h.api('POST', `/api/campaigns/${id}/launch`);
    const [started] = await Promise.all([driveBulkJobs(h.runtime.deps, 45_000), sendCampaignsFor(h.runtime.deps, 45_000, undefined, 100)]);
    await everyWorkflowWaiting();
    const seconds = (Math.max(...sent.map((m) => m.at)) - t0) / 1000;

    // Assess: everyone started, once, and together no faster than the account rate
    expect(started).toBe(bulk.length);
    expect((await progress(id)).state).toBe('completed');
    for (const o of byChildren.slice(0, quarter))
      expect(
        sent.filter((m) => m.to === boardOf(o.id!)),
        o.id,
      ).toHaveLength(1);
    const mails = sent.length;
    expect(reserved.reduce((s, r) => s + r.mails, 0)).toBeGreaterThanOrEqual(mails);
    expect(busiestSecond(reserved.map((r) => ({ at: r.at, n: r.mails })))).toBeLessThanOrEqual(2 * RATE);
    expect(mails).toBeLessThanOrEqual(RATE + RATE * seconds);
  });
});
