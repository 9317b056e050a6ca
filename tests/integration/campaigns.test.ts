/**
 * Campaigns end to end on the embedded runtime: preview over a generated population, paced
 * sending driven by the scheduler tick, pause, a restart with a crash-window duplicate, resume,
 * and exactly one invitation per recipient at the end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePopulation } from '#core/population.ts';
import { TransientError } from '#adapters/transient.ts';
import { sendCampaignsFor } from '#functions/use-cases/campaign-sender.ts';
import { Harness } from '../support/local.ts';

const h = new Harness();
// Two organisers without any contact, so the preview has someone to leave out for that reason.
const population = generatePopulation({ organisers: 40, seed: 6 }).map((o, i) => (i % 20 === 5 ? { ...o, contacts: [] } : o));
const withContacts = population.filter((o) => (o.contacts ?? []).length > 0);

beforeAll(async () => {
  await h.start({ seed: false });
  for (const o of population) expect((await h.api('POST', '/api/organisers', o)).status).toBe(201);
});
afterAll(async () => {
  await h.close();
});

const listDialogues = async () => {
  const dialogues: { id: string; organiserId: string }[] = [];
  let cursor: string | undefined;
  do {
    const page = (await h.api('GET', `/api/dialogues?limit=100${cursor ? `&cursor=${cursor}` : ''}`)).json;
    dialogues.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return dialogues;
};
const progress = async (id: string) => (await h.api('GET', `/api/campaigns/${id}`)).json;

describe('campaigns', () => {
  let campaignId = '';
  let total = 0;
  const alreadyInvited = withContacts[0]!;
  const inspected = withContacts[1]!;
  const invitable = withContacts.filter((o) => o !== inspected);

  it('previews who would be invited and why the others would not', async () => {
    // Prepare: one organiser already has a dialogue this cycle
    expect((await h.api('POST', '/api/dialogues', { organiserId: alreadyInvited.id })).status).toBe(201);
    // … and another one has the Schools Inspectorate at the door this week
    const today = h.runtime.clock.now().toISOString().slice(0, 10);
    const inWeek = new Date(h.runtime.clock.now().getTime() + 6 * 86_400_000).toISOString().slice(0, 10);
    const inspection = { orgNumber: inspected.orgNumber, kind: 'regular_supervision', start: today, end: inWeek, status: 'confirmed' };
    expect((await h.api('PUT', '/api/inspections/SI-CAMPAIGN-1', inspection, h.runtime.tokens.inspectorate)).status).toBe(201);

    // Act
    const r = await h.api('POST', '/api/campaigns', { name: 'Hösten 2026, alla huvudmän', sendRate: 4 });

    // Assess
    expect(r.status).toBe(201);
    const noContacts = population.length - withContacts.length;
    expect(noContacts).toBeGreaterThan(0);
    expect(r.json.campaign.state).toBe('draft');
    expect(r.json.campaign.excluded).toEqual({ missing_contacts: noContacts, inspection_under_way: 1, already_in_dialogue: 1 });
    expect(r.json.campaign.progress).toEqual({
      sent: 0,
      queued: withContacts.length - 2,
      failed: 0,
      total: withContacts.length - 2,
      throttled: 0,
      retrying: false,
    });
    // Each with its org. number: the generated register has many organisers of the same name.
    const orgNumber = (o: { orgNumber: string }) => o.orgNumber.replace('-', '');
    expect(r.json.excluded).toContainEqual({
      organiserId: alreadyInvited.id,
      name: alreadyInvited.name,
      orgNumber: orgNumber(alreadyInvited),
      reason: 'already_in_dialogue',
    });
    expect(r.json.excluded).toContainEqual({
      organiserId: inspected.id,
      name: inspected.name,
      orgNumber: orgNumber(inspected),
      reason: 'inspection_under_way',
    });
    expect(r.json.recipients.every((x: { mails: number }) => x.mails >= 1)).toBe(true);
    campaignId = r.json.campaign.id;
    total = r.json.campaign.total;
  });

  it('rejects an invalid selection with a readable message and stores nothing', async () => {
    const before = (await h.api('GET', '/api/campaigns')).json.items.length;
    const r = await h.api('POST', '/api/campaigns', { name: 'x', selection: { regions: ['atlantis'] } });
    expect(r.status).toBe(400);
    expect(r.json.message).toContain('region must be one of');
    expect((await h.api('GET', '/api/campaigns')).json.items).toHaveLength(before);
  });

  it('sends no faster than the send rate once launched', async () => {
    expect((await h.api('POST', `/api/campaigns/${campaignId}/launch`)).json.state).toBe('running');

    await h.advance('PT2S');

    const c = await progress(campaignId);
    // 4 mails/s for ≥ 2 s plus a 1 s burst, 1–2 mails per invitation; the real seconds the test takes add a little.
    expect(c.progress.sent).toBeGreaterThan(0);
    expect(c.progress.sent).toBeLessThanOrEqual(12);
    expect(c.progress.queued).toBe(total - c.progress.sent);
  });

  it('pauses, survives a restart and a crash-window duplicate, and resumes to exactly one invitation each', async () => {
    expect((await h.api('POST', `/api/campaigns/${campaignId}/pause`)).json.state).toBe('paused');
    const paused = await progress(campaignId);
    await h.advance('PT1M');
    expect((await progress(campaignId)).progress).toEqual(paused.progress);
    // A crash after inviting the next recipient but before recording it: the dialogue exists already.
    const [next] = await h.runtime.deps.campaigns.recipients(campaignId, paused.position, 1);
    const crashed = await h.api('POST', '/api/dialogues', { organiserId: next!.organiserId });
    expect(crashed.status).toBe(201);
    // Stop only once the workflows started so far are waiting, as a person would with Ctrl-C.
    await h.invitationsWaiting();
    await h.restart();

    expect((await h.api('POST', `/api/campaigns/${campaignId}/resume`)).json.state).toBe('running');
    // Moving the clock on gives no burst: at most one second of the send rate per pass, so a pass a second.
    for (let i = 0; i < 90 && (await progress(campaignId)).state !== 'completed'; i++) await h.advance('PT1S');

    const done = await progress(campaignId);
    expect(done.state).toBe('completed');
    expect(done.progress).toEqual({ sent: total, queued: 0, failed: 0, total, throttled: 0, retrying: false });
    // The list is read once no workflow writes any more: it orders by last change.
    await h.invitationsWaiting();
    const dialogues = await listDialogues();
    expect(dialogues).toHaveLength(invitable.length);
    expect(new Set(dialogues.map((d) => d.organiserId))).toEqual(new Set(invitable.map((o) => o.id)));
    const mails = await h.mailbox();
    for (const o of invitable) {
      const board = o.contacts!.find((c) => c.role === 'board')!.email;
      expect(mails.filter((m) => m.destination.to.includes(board))).toHaveLength(1);
    }
  });

  it("takes a list of organisers (a plan's) and refuses unknown ones, writing nothing", async () => {
    // Prepare
    const before = (await h.api('GET', '/api/campaigns')).json.items.length;
    // (the first two are already invited and under inspection: see above)
    const [, , a, b] = withContacts;
    // Act
    const bad = await h.api('POST', '/api/campaigns', { name: 'Fel', cycle: '2031', selection: { organiserIds: [a!.id, 'finns-inte-1'] } });
    const twice = await h.api('POST', '/api/campaigns', { name: 'Fel', cycle: '2031', selection: { organiserIds: [a!.id, a!.id] } });
    const ok = await h.api('POST', '/api/campaigns', { name: 'Två', cycle: '2031', selection: { organiserIds: [b!.id, a!.id] } });
    // Assess
    expect(bad.status).toBe(400);
    expect(bad.json.message).toContain('not registered organisers: finns-inte-1');
    expect(twice.status).toBe(400);
    expect(ok.status).toBe(201);
    expect(ok.json.campaign.total).toBe(2);
    const order = (await h.runtime.deps.campaigns.recipients(ok.json.campaign.id, 0, 10)).map((r) => r.organiserId);
    expect(order).toEqual([b!.id, a!.id]);
    expect((await h.api('GET', '/api/campaigns')).json.items.length).toBe(before + 1);
  });

  it('deletes a draft with its recipients, once; a launched campaign cannot be deleted', async () => {
    // Prepare: a draft over two organisers
    const [, , a, b] = withContacts;
    const draft = (await h.api('POST', '/api/campaigns', { name: 'Fel urval', cycle: '2033', selection: { organiserIds: [a!.id, b!.id] } }))
      .json;
    const id = draft.campaign.id as string;
    expect(await h.runtime.deps.campaigns.recipients(id, 0, 10)).toHaveLength(2);

    // Act
    const first = await h.api('DELETE', `/api/campaigns/${id}`);
    const second = await h.api('DELETE', `/api/campaigns/${id}`);
    const launched = await h.api('DELETE', `/api/campaigns/${campaignId}`);

    // Assess
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ deleted: id });
    expect(second.status).toBe(404);
    expect((await h.api('GET', `/api/campaigns/${id}`)).status).toBe(404);
    expect(await h.runtime.deps.campaigns.recipients(id, 0, 10)).toEqual([]);
    expect(launched.status).toBe(409);
    expect(launched.json.message).toContain('has been launched');
    expect((await h.api('GET', `/api/campaigns/${campaignId}`)).status).toBe(200);
  });

  it('refuses to launch a campaign that is not a draft', async () => {
    const r = await h.api('POST', `/api/campaigns/${campaignId}/launch`);
    expect(r.status).toBe(409);
    expect(r.json.message).toContain('it is completed');
  });

  it('backs off when SES throttles, shows it in the progress, and still invites everyone exactly once', async () => {
    // Prepare: a fresh mailbox and SES refusing every fourth call; the workflow retries quickly
    await h.restart({ seed: false, retryIntervalOverrides: { 'Send invitations and await answer': 10 }, sesSendRate: 1000 });
    await h.clearMailbox();
    const mailer = h.runtime.deps.mailer;
    let calls = 0;
    h.runtime.deps.mailer = {
      send: async (mail) => {
        // As SesMailer reports SES's refusal: a TransientError (the workflow retries) caused by the throttle.
        const refusal = Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'TooManyRequestsException' });
        if (++calls % 4 === 0)
          throw new TransientError('SES did not accept the mail (TooManyRequestsException); will retry', { cause: refusal });
        return mailer.send(mail);
      },
    };
    const created = await h.api('POST', '/api/campaigns', { name: 'Våren 2027', cycle: '2027', sendRate: 1000 });
    const id = created.json.campaign.id;

    // Act: the back-off doubles while throttled batches follow each other (1 s, 2 s, 4 s … up to
    // 5 min), so local time runs up to 10 minutes; the loop ends as soon as the campaign completes.
    await h.api('POST', `/api/campaigns/${id}/launch`);
    for (let i = 0; i < 120 && (await progress(id)).state !== 'completed'; i++) await h.advance('PT5S');
    // The list is read once no workflow writes any more: it orders by last change, so a dialogue
    // its workflow is writing meanwhile can be missing from it.
    await h.invitationsWaiting();
    const next = (await listDialogues()).filter((x) => (x as { cycle?: string }).cycle === '2027');

    // Assess
    const done = await progress(id);
    expect(done.state).toBe('completed');
    expect(done.progress).toMatchObject({ sent: created.json.campaign.total, queued: 0, failed: 0 });
    expect(done.progress.throttled).toBeGreaterThan(0);
    expect(done.lastThrottledAt).toBeDefined();
    expect(next).toHaveLength(created.json.campaign.total);
    const mails = await h.mailbox();
    for (const x of next) {
      const o = population.find((p) => p.id === x.organiserId)!;
      const board = o.contacts!.find((c) => c.role === 'board')!.email;
      expect(
        mails.filter((m) => m.destination.to.includes(board)),
        board,
      ).toHaveLength(1);
    }
  });
});

describe('the cloud sender loop', () => {
  it('drives a running campaign about once per interval, at its send rate, and stops when none runs', async () => {
    // Prepare: a campaign for another cycle at 4 mails/s (two mails an invitation)
    const created = await h.api('POST', '/api/campaigns', { name: 'Hösten 2028', cycle: '2028', sendRate: 4 });
    const id = created.json.campaign.id;
    await h.api('POST', `/api/campaigns/${id}/launch`);

    // Act: a 2.5 s run with a round every 500 ms (the cloud runs 50 s with a round a second)
    const t0 = Date.now();
    const run = await sendCampaignsFor(h.runtime.deps, 2500, undefined, 500);
    const seconds = (Date.now() - t0) / 1000;
    await h.api('POST', `/api/campaigns/${id}/pause`);
    const idle = await sendCampaignsFor(h.runtime.deps, 2500, undefined, 500);

    // Assess
    expect(run.rounds).toBeGreaterThanOrEqual(3);
    expect(run.invited).toBeGreaterThan(0);
    // 4 mails/s for the seconds it ran plus a one-second burst, at least one mail per invitation
    expect(run.invited).toBeLessThanOrEqual(Math.ceil(4 * seconds + 4));
    expect((await progress(id)).progress.sent).toBe(run.invited);
    // … and with no campaign marked running, a run reads the work list only: no round
    expect(idle).toMatchObject({ rounds: 0, campaigns: 0, invited: 0 });
  });
});

describe('a send rate below one invitation a second', () => {
  it('still sends: an invitation of two mails at one mail a second goes alone, about every two seconds', async () => {
    // Prepare: one mail a second (the SES sandbox's rate) and invitations of two mails each
    const created = await h.api('POST', '/api/campaigns', { name: 'Sandlådan', cycle: '2029', sendRate: 1 });
    const id = created.json.campaign.id;
    const first = await h.runtime.deps.campaigns.recipients(id, 0, 3);
    expect(first.map((r) => r.mails)).toEqual([2, 2, 2]);
    await h.api('POST', `/api/campaigns/${id}/launch`);

    // Act: a 2.5 s run with a round every 500 ms
    const run = await sendCampaignsFor(h.runtime.deps, 2500, undefined, 500);
    await h.api('POST', `/api/campaigns/${id}/pause`);

    // Assess: one invitation at once (the full bucket lends), the next only once it is paid back
    expect(run.invited).toBeGreaterThanOrEqual(1);
    expect(run.invited).toBeLessThanOrEqual(2);
  });
});

describe('cycle planning', () => {
  // Everyone with contacts got a dialogue through the campaign above, except the one under inspection.
  const hadDialogue = withContacts.filter((o) => o !== withContacts[1]);

  it('ranks the stored organisers, knows who had a dialogue this cycle and reports coverage', async () => {
    const cycle = String(new Date((await h.api('GET', '/api/dev/clock')).json.now).getUTCFullYear());

    const r = await h.api('POST', '/api/plans', { previousCycles: [cycle], budgetHours: 60, list: 1000 });

    expect(r.status).toBe(200);
    expect(r.json.ranked).toHaveLength(population.length);
    const invited = r.json.ranked.filter((x: { reasons: string[] }) => !x.reasons.includes('ingen tidigare kvalitetsdialog'));
    expect(invited).toHaveLength(hadDialogue.length);
    expect(r.json.coverage.hours).toBeLessThanOrEqual(60);
    expect(r.json.coverage.shareOfChildren).toBeGreaterThan(0);
    expect((await h.api('POST', '/api/plans', { weights: { children: -1 } })).status).toBe(400);
  });
});
