/**
 * The scheduler's work list on the embedded runtime: the markers of running campaigns, open bulk
 * starts and intro sessions' pending pair mails come and go with their work; an idle tick reads the
 * list, the due index and the facts sweep's changes only (3 requests); work without a marker (from
 * before the markers, or a crash between the work and its marker) is found by the hourly full check
 * and by the one 15 minutes after a change of the work rules; a marker left behind by a crash after
 * its work ended is removed by the next tick. The full check's cadence is real time: the test moves
 * its own wall clock and calls the tick directly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkList } from '#adapters/work-markers.ts';
import { TransientError } from '#adapters/transient.ts';
import { createBulkJob } from '#functions/use-cases/bulk-start.ts';
import { sendCampaignsFor } from '#functions/use-cases/campaign-sender.ts';
import { FULL_CHECK_MS, RULES_CHECK_MS, runTick, WORK_RULES } from '#functions/use-cases/scheduled-work.ts';
import { DynamoMeter } from '../bench/dynamo-meter.ts';
import { Harness, organiser } from '../support/local.ts';

const h = new Harness();
const meter = new DynamoMeter();
/** The test's real time (the full check's cadence): moved on by the test only. */
let wall = Date.now();
const tick = () => runTick(h.runtime.deps, { wallNow: () => new Date(wall) });
const work = (): Promise<WorkList> => h.runtime.deps.work.list();
const marked = async () => (await work()).markers.map((m) => `${m.kind}#${m.id}`).sort();
/** Moves the scheduler's clock on without a tick (markers older than a minute count as settled). */
const later = (ms: number) => h.runtime.clock.advance(ms);

let seq = 0;
async function addOrganiser(board: string): Promise<string> {
  seq++;
  const id = `arbete-${seq}`;
  const org = organiser({
    id,
    name: `Arbetets kommun ${seq}`,
    orgNumber: `212000-70${String(seq).padStart(2, '0')}`,
    countyCode: '25',
    contacts: [{ role: 'board', name: 'Nämnden', email: board }],
  });
  expect((await h.api('POST', '/api/organisers', org)).status).toBe(201);
  return id;
}

/** A draft campaign over one new organiser (cycle 2031, so no dialogue of the others is in the way). */
async function draft(name: string): Promise<string> {
  const organiserId = await addOrganiser(`namnden-${seq + 1}@arbete.example.se`);
  const r = await h.api('POST', '/api/campaigns', { name, cycle: '2031', selection: { organiserIds: [organiserId] } });
  expect(r.status, r.text).toBe(201);
  return r.json.campaign.id as string;
}
const campaign = async (id: string) => (await h.api('GET', `/api/campaigns/${id}`)).json;

beforeAll(async () => {
  await h.start({ seed: false });
  meter.install((h.runtime.deps.organisers as unknown as { doc: Parameters<DynamoMeter['install']>[0] }).doc);
  for (const f of [
    { id: 'sv-alva', name: 'Alva Berg', agency: 'skolverket', office: 'Luleå', email: 'alva@skolverket.example.se' },
    { id: 'sp-bo', name: 'Bo Ek', agency: 'spsm', office: 'Luleå', email: 'bo@spsm.example.se' },
  ]) {
    expect((await h.api('POST', '/api/facilitators', f)).status).toBe(201);
  }
  // The process's first tick: the full check (no check recorded yet) lists everything.
  expect(await tick()).toMatchObject({ full: true, failed: [] });
  // The first facts sweep of a version reads by state for 15 minutes (earlier versions may still write): past that.
  later(20 * 60_000);
});
afterAll(async () => {
  await h.close();
});

describe('the markers follow their work', () => {
  it('a campaign is marked from its launch until its pause, and again from its resume until it completes', async () => {
    // Prepare
    const id = await draft('Markerad');
    expect(await marked()).not.toContain(`CAMPAIGN#${id}`);

    // Act + Assess: launch marks, pause unmarks, resume marks, completion unmarks
    expect((await h.api('POST', `/api/campaigns/${id}/launch`)).status).toBe(200);
    expect(await marked()).toContain(`CAMPAIGN#${id}`);
    expect((await h.api('POST', `/api/campaigns/${id}/pause`)).status).toBe(200);
    expect(await marked()).not.toContain(`CAMPAIGN#${id}`);
    expect((await h.api('POST', `/api/campaigns/${id}/resume`)).status).toBe(200);
    expect(await marked()).toContain(`CAMPAIGN#${id}`);
    const run = await tick();
    expect(run).toMatchObject({ full: false, failed: [] });
    expect(run.campaigns).toMatchObject({ campaigns: 1, invited: 1 });
    expect(await campaign(id)).toMatchObject({ state: 'completed', sent: 1 });
    expect(await marked()).not.toContain(`CAMPAIGN#${id}`);
  });

  it('a bulk start is marked while organisers are left, and the tick that starts the last one removes it', async () => {
    // Prepare
    const ids = [await addOrganiser('namnden-b1@arbete.example.se'), await addOrganiser('namnden-b2@arbete.example.se')];

    // Act: the console's confirmation records the job (no organiser started yet)
    const { job } = await createBulkJob(h.runtime.deps, { organiserIds: ids, cycle: '2031', jobId: 'bulk-arbete-000001' }, 'test');

    // Assess: marked; the tick starts both and the marker goes
    expect(await marked()).toContain(`BULK#${job.id}`);
    const run = await tick();
    expect(run).toMatchObject({ full: false, failed: [], bulkStarted: 2 });
    expect((await h.runtime.deps.bulkJobs.get(job.id))?.results).toHaveLength(2);
    expect(await marked()).not.toContain(`BULK#${job.id}`);
  });

  it("an intro session is marked while the pair's mail is pending, and the tick that sends it removes it", async () => {
    // Prepare: SES refuses every mail for now
    const region = (await h.api('GET', `/api/organisers/${await addOrganiser('namnden-i@arbete.example.se')}`)).json.region as string;
    const mailer = h.runtime.deps.mailer;
    let refusing = true;
    h.runtime.deps.mailer = {
      send: async (mail) => {
        if (refusing) throw new TransientError('SES did not accept the mail (ServiceUnavailable); will retry');
        return mailer.send(mail);
      },
    };
    const slot = (await h.api('GET', '/api/slot-proposals?kind=intro')).json.items[0];

    // Act: the session is created while SES refuses; a tick while it still refuses; one after
    const created = await h.api('POST', '/api/intro-sessions', {
      region,
      start: slot.sessions[0].start,
      minutes: 90,
      videoLink: 'https://video.example.se/intro-arbete',
      capacity: 4,
      audience: 'municipal',
      pair: { skolverket: 'sv-alva', spsm: 'sp-bo' },
    });
    expect(created.status, created.text).toBe(201);
    const id = created.json.id as string;
    const whilePending = await marked();
    const refused = await tick();
    const stillMarked = await marked();
    refusing = false;
    const sent = await tick();
    h.runtime.deps.mailer = mailer;

    // Assess
    expect(whilePending).toContain(`INTRO#${id}`);
    expect(refused.failed).toMatchObject([{ kind: 'intro_session_pair_mail' }]);
    expect(stillMarked).toContain(`INTRO#${id}`);
    expect(sent).toMatchObject({ failed: [], fired: 1 });
    expect(await marked()).not.toContain(`INTRO#${id}`);
    expect((await h.runtime.deps.introSessions.get(id))?.pairMailPending).toBeUndefined();
  });
});

describe('an idle tick', () => {
  it('reads the work list, the due index and the changes since the last sweep: 3 requests', async () => {
    // Prepare: nothing marked, and a tick just ran (the process has read the digest and listed the waiting dialogues)
    expect(await marked()).toEqual([]);
    await tick();

    // Act
    const before = meter.snapshot();
    const run = await tick();
    const after = meter.snapshot();

    // Assess
    expect(run).toMatchObject({ full: false, fired: 0, failed: [], bulkStarted: 0 });
    expect(run.campaigns).toBeUndefined();
    const requests = Object.entries(after.byKind)
      .map(([k, v]) => [k, v.requests - (before.byKind[k]?.requests ?? 0)] as const)
      .filter(([, n]) => n > 0);
    expect(Object.fromEntries(requests)).toEqual({ 'Query WORK (query)': 1, 'Query byDue': 1, 'Query byKind': 1 });
    expect(after.readUnits - before.readUnits).toBe(1.5);
    expect(after.writeUnits - before.writeUnits).toBe(0);
  });

  it('the campaign sender reads only the work list while no campaign is marked', async () => {
    const before = meter.snapshot();
    const run = await sendCampaignsFor(h.runtime.deps, 60_000);
    const after = meter.snapshot();
    expect(run).toMatchObject({ rounds: 0, campaigns: 0 });
    expect(after.readUnits - before.readUnits).toBe(0.5);
    expect(Object.values(after.requests).reduce((a, b) => a + b, 0) - Object.values(before.requests).reduce((a, b) => a + b, 0)).toBe(1);
  });
});

describe('work without a marker', () => {
  it('a running campaign launched before the markers is found by the hourly full check, and marked', async () => {
    // Prepare: launched, then its marker taken away (as a launch before the markers existed left it)
    const id = await draft('Omarkerad');
    expect((await h.api('POST', `/api/campaigns/${id}/launch`)).status).toBe(200);
    await h.runtime.deps.work.unmark('CAMPAIGN', id);
    const check = (await work()).check!;

    // Act: ticks within the hour, and the sender, pass it by; the first tick of the next hour finds it
    const within = await tick();
    const sender = await sendCampaignsFor(h.runtime.deps, 0);
    const untouched = await campaign(id);
    wall = Date.parse(check.next);
    const hourly = await tick();

    // Assess
    expect(within.full).toBe(false);
    expect(sender.rounds).toBe(0);
    expect(untouched).toMatchObject({ state: 'running', sent: 0 });
    expect(hourly).toMatchObject({ full: true, failed: [] });
    expect(hourly.campaigns).toMatchObject({ campaigns: 1, invited: 1 });
    expect(await campaign(id)).toMatchObject({ state: 'completed', sent: 1 });
    expect((await work()).check).toEqual({
      at: new Date(wall).toISOString(),
      next: new Date(wall + FULL_CHECK_MS).toISOString(),
      rules: WORK_RULES,
    });
  });

  it('until a full check has run under the current rules (just deployed), the sender lists the campaigns itself', async () => {
    // Prepare: a running campaign without a marker, and the check as the version before recorded it
    const id = await draft('Före första kontrollen');
    expect((await h.api('POST', `/api/campaigns/${id}/launch`)).status).toBe(200);
    await h.runtime.deps.work.unmark('CAMPAIGN', id);
    const check = (await work()).check!;
    await h.runtime.deps.work.recordCheck({ ...check, rules: WORK_RULES - 1 });

    // Act
    const run = await sendCampaignsFor(h.runtime.deps, 0);

    // Assess: a pass that invited it
    expect(run).toMatchObject({ rounds: 1, campaigns: 1, invited: 1 });
    expect(await campaign(id)).toMatchObject({ state: 'completed', sent: 1 });
    expect(await marked()).not.toContain(`CAMPAIGN#${id}`);
  });

  it('a change of the work rules runs a full check at once and another 15 minutes later', async () => {
    // Prepare: the check as an earlier version of the rules recorded it, due only in a day
    const at = new Date(wall).toISOString();
    await h.runtime.deps.work.recordCheck({ at, next: new Date(wall + 86_400_000).toISOString(), rules: WORK_RULES - 1 });

    // Act: a tick now; then a campaign launched by the earlier version (no marker); ticks at 14 and 15 minutes
    const first = await tick();
    const id = await draft('Tidigare version');
    expect((await h.api('POST', `/api/campaigns/${id}/launch`)).status).toBe(200);
    await h.runtime.deps.work.unmark('CAMPAIGN', id);
    const start = wall;
    wall = start + RULES_CHECK_MS - 60_000;
    const before = await tick();
    wall = start + RULES_CHECK_MS;
    const second = await tick();

    // Assess
    expect(first.full).toBe(true);
    expect(before.full).toBe(false);
    expect(second).toMatchObject({ full: true, failed: [] });
    expect(second.campaigns).toMatchObject({ invited: 1 });
    expect(await campaign(id)).toMatchObject({ state: 'completed', sent: 1 });
    expect((await work()).check).toMatchObject({ rules: WORK_RULES, next: new Date(wall + FULL_CHECK_MS).toISOString() });
  });
});

describe('a crash between work and its marker', () => {
  it('before the marker: the bulk start is marked when the form is sent again, and found by the full check', async () => {
    // Prepare: the marker's write fails once (the function dies after the job's write)
    const ids = [await addOrganiser('namnden-k1@arbete.example.se')];
    const markers = h.runtime.deps.work;
    const mark = markers.mark.bind(markers);
    markers.mark = async () => {
      markers.mark = mark;
      throw new Error('the function was stopped');
    };
    const input = { organiserIds: ids, cycle: '2031', jobId: 'bulk-arbete-000002' };

    // Act: the crash; the same confirmation again (the console's retry) marks it
    await expect(createBulkJob(h.runtime.deps, input, 'test')).rejects.toThrow('the function was stopped');
    const unmarked = await marked();
    const again = await createBulkJob(h.runtime.deps, input, 'test');

    // Assess
    expect(unmarked).not.toContain('BULK#bulk-arbete-000002');
    expect(again.created).toBe(false);
    expect(await marked()).toContain('BULK#bulk-arbete-000002');

    // Act: no retry this time: the marker is gone, and only the full check finds the open job
    await h.runtime.deps.work.unmark('BULK', 'bulk-arbete-000002');
    const within = await tick();
    wall = Date.parse((await work()).check!.next);
    const hourly = await tick();

    // Assess
    expect(within.bulkStarted).toBe(0);
    expect(hourly).toMatchObject({ full: true, bulkStarted: 1, failed: [] });
    expect(await marked()).not.toContain('BULK#bulk-arbete-000002');
  });

  it('after the work: a marker left for finished work is removed by the next tick, once it has settled', async () => {
    // Prepare: markers for a completed campaign, a finished bulk start and a session with nothing pending (their removal never ran)
    const [completed] = (await h.runtime.deps.campaigns.list()).filter((c) => c.state === 'completed');
    const [session] = await h.runtime.deps.introSessions.list();
    const now = h.runtime.clock.now();
    await h.runtime.deps.work.mark('CAMPAIGN', completed!.id, now);
    await h.runtime.deps.work.mark('BULK', 'bulk-arbete-000001', now);
    await h.runtime.deps.work.mark('INTRO', session!.id, now);

    // Act: a tick at once (the markers may stand for a change the listings do not show yet), then one two minutes on
    const young = await tick();
    const kept = await marked();
    later(2 * 60_000);
    const settled = await tick();
    const sender = await sendCampaignsFor(h.runtime.deps, 0);

    // Assess: nothing sent again; the finished bulk start's marker goes at once (its job is read
    // consistently and never opens again), the others once settled
    expect(young).toMatchObject({ failed: [], bulkStarted: 0, fired: 0 });
    expect(kept).toEqual([`CAMPAIGN#${completed!.id}`, `INTRO#${session!.id}`].sort());
    expect(settled).toMatchObject({ failed: [], bulkStarted: 0, fired: 0 });
    expect(settled.campaigns).toMatchObject({ campaigns: 0, invited: 0 });
    expect(await marked()).toEqual([]);
    expect(sender.rounds).toBe(0);
  });
});
