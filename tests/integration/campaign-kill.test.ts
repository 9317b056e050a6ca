/**
 * A campaign under way when `npm start` is killed (SIGKILL, no clean-up): a new start carries on
 * where the campaign record and the execution journal left off, and every organiser ends up with
 * exactly one dialogue and one invitation record per recipient; nobody mailed before the kill is
 * mailed again.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { generatePopulation } from '#core/population.ts';
import { Harness } from '../support/local.ts';
import { START_COORDINATOR_TOKEN, type StartedApp, spawnNpmStart } from '../support/npm-start.ts';

const h = new Harness();
let child: StartedApp | undefined;
afterAll(async () => {
  await child?.kill();
  await h.close();
});

const population = generatePopulation({ organisers: 30, seed: 11 }).filter((o) => (o.contacts ?? []).length > 0);
type Mail = { destination: { to: string[] }; subject: string };

describe('a campaign killed mid-way', () => {
  it('resumes after SIGKILL of `npm start` to exactly one invitation per recipient', { timeout: 120_000 }, async () => {
    // Prepare: `npm start` on a fresh data folder (three seeded demo organisers) plus 30 generated ones
    child = await spawnNpmStart(h.dataDir);
    const base = child.base;
    const headers = { authorization: `Bearer ${START_COORDINATOR_TOKEN}`, 'content-type': 'application/json' };
    const call = async (method: string, path: string, body?: unknown): Promise<any> =>
      (await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })).json();
    for (const o of population) await call('POST', '/api/organisers', o);
    // 8 mails a second, two mails an invitation: the 33 invitations take about eight seconds.
    const created = await call('POST', '/api/campaigns', { name: 'Avbruten kampanj', sendRate: 8 });
    const id: string = created.campaign.id;
    const total: number = created.campaign.total;
    expect(total).toBeGreaterThan(25);

    // Act: launch, kill the process once some (not all) are invited, start again
    await call('POST', `/api/campaigns/${id}/launch`);
    const deadline = Date.now() + 30_000;
    let sent = 0;
    while (sent < 6 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      sent = (await call('GET', `/api/campaigns/${id}`)).progress.sent;
    }
    const before = ((await (await fetch(`${child.ses}/store`)).json()) as { emails: Mail[] }).emails;
    await child.kill();
    expect(sent).toBeGreaterThanOrEqual(6);
    expect(sent).toBeLessThan(total);

    await h.start();
    // An attempt killed between its claim and SES stays 'sending' until the lease runs out (clock time).
    h.runtime.deps.sendLeaseMs = 1000;
    for (let i = 0; i < 30 && (await h.api('GET', `/api/campaigns/${id}`)).json.state !== 'completed'; i++) await h.advance('PT3M');
    // The list is read once no workflow writes any more (it orders by last change).
    await h.invitationsWaiting();
    const dialogues: { id: string; organiserId: string }[] = (await h.api('GET', '/api/dialogues?limit=100')).json.items;

    // Assess
    const done = (await h.api('GET', `/api/campaigns/${id}`)).json;
    expect(done.state).toBe('completed');
    expect(done.progress).toMatchObject({ sent: total, queued: 0, failed: 0 });
    expect(dialogues).toHaveLength(total);
    expect(new Set(dialogues.map((d) => d.organiserId)).size).toBe(total);
    const after = (await h.mailbox()) as Mail[];
    for (const d of dialogues) {
      const full = await h.dialogue(d.id);
      const invitations = full.mails.filter((m: { step: string }) => m.step === 'invitation');
      expect(invitations.map((m: { contactId: string }) => m.contactId).sort()).toEqual(
        full.recipients.map((r: { contactId: string }) => r.contactId).sort(),
      );
      for (const m of invitations) expect(['sent', 'unconfirmed']).toContain(m.status);
      // Nobody mailed before the kill is mailed again after it.
      for (const r of full.recipients) {
        const mailedBefore = before.filter((m) => m.destination.to.includes(r.email)).length;
        const mailedAfter = after.filter((m) => m.destination.to.includes(r.email)).length;
        expect(mailedBefore + mailedAfter, r.email).toBeLessThanOrEqual(1);
      }
    }
  });
});
