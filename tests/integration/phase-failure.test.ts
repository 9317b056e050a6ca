/**
 * A meeting phase's step fails (an injected fault in the intro-session register): the execution
 * fails, the dialogue shows the error and keeps its state, the coordinator gets one mail with the
 * cause, and the console's "Försök igen" starts a new round of the phase that offers times.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phaseExecutionName } from '#adapters/workflow-client.ts';
import { Harness, organiser } from '../support/local.ts';

const h = new Harness();
const COORDINATOR = 'samordnare@skolverket.example.se';
const BOARD = 'namnden@felvik.example.se';

beforeAll(async () => {
  await h.start();
  for (const f of [
    { id: 'sv-eva', name: 'Eva Ek', agency: 'skolverket', office: 'Solna', email: 'eva@skolverket.example.se' },
    { id: 'sp-ola', name: 'Ola Öst', agency: 'spsm', office: 'Solna', email: 'ola@spsm.example.se' },
  ]) {
    expect((await h.api('POST', '/api/facilitators', f)).status).toBe(201);
  }
});
afterAll(async () => {
  await h.close();
});

const settled = async (id: string, round: number) => {
  const arn = h.runtime.sfn.list().find((r) => r.name === phaseExecutionName(id, 'intro', round))?.executionArn;
  if (!arn) throw new Error(`no intro execution round ${round}`);
  return h.runtime.sfn.settled(arn);
};

async function consoleCookie(): Promise<string> {
  const r = await fetch(`${h.runtime.urls.app}/console/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ name: 'Sara Samordnare', token: h.runtime.tokens.coordinator }).toString(),
  });
  return r.headers.get('set-cookie')?.split(';')[0] as string;
}

describe('a failed meeting-phase step', () => {
  it('hands the failure to the coordinator in the next digest, shows the error, and a console retry restarts the phase', async () => {
    // Prepare: an accepted dialogue; the intro-session register fails when the offer is made
    const org = organiser({
      id: 'felviks-kommun',
      orgNumber: '212000-4001',
      contacts: [{ role: 'board', name: 'Nämnden', email: BOARD }],
    });
    expect((await h.api('POST', '/api/organisers', org)).status).toBe(201);
    const id = await h.invite('felviks-kommun');
    expect((await h.page(h.linkIn((await h.mailTo(BOARD))[0]!), { answer: 'accept' })).status).toBe(200);
    const sessions = h.runtime.deps.introSessions;
    const real = sessions.list;
    let failing = true;
    sessions.list = async (...args: Parameters<typeof real>) => {
      if (failing) throw new Error('injected: the intro-session register is unavailable');
      return real.apply(sessions, args);
    };

    // Act: the scheduler's next tick starts the intro phase the acceptance began; its offer step fails
    expect((await h.advance('PT1M')).status).toBe(200);
    const failed = await settled(id, 1);

    // Assess: the execution failed; the record shows why and keeps its state; it is in the coordinator's digest
    expect(failed.status).toBe('FAILED');
    expect(failed.events.map((e) => e.type)).toContain('ExecutionFailed');
    const d = await h.dialogue(id);
    expect(d.state).toBe('accepted');
    expect(d.phase.failure).toMatchObject({ error: 'Error', cause: expect.stringContaining('intro-session register is unavailable') });
    expect(d.history.at(-1)).toMatchObject({ type: 'failed', detail: expect.stringContaining('Introduktionsmöte') });
    expect(d.dueKind).toBeUndefined();
    expect(await h.mailTo(COORDINATOR)).toEqual([]);
    // Time passing repeats nothing: no re-kick of the failed round; one digest the next morning
    await h.advance('PT30M');
    await h.advance('P2D');
    const alerts = await h.mailTo(COORDINATOR);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.subject).toMatch(/^Att hantera: 1 dialog lämnades över till samordnaren /);
    expect(alerts[0]!.body.text).toContain('- Testviks kommun (212000-4001): Fel i ett steg (introduktionsmöte)');
    expect(alerts[0]!.body.text).toContain('/console?handback=alla');
    expect(alerts[0]!.body.text).not.toContain('/api/');
    expect(h.runtime.sfn.list().filter((r) => r.name.startsWith(`${id}-intro`))).toHaveLength(1);

    // Act: the cause is fixed; the coordinator retries from the console
    failing = false;
    const cookie = await consoleCookie();
    const shown = await (await fetch(`${h.runtime.urls.app}/console/dialogues/${id}`, { headers: { cookie } })).text();
    expect(shown).toContain('Ett steg i mötesfasen misslyckades:');
    expect(shown).toContain('intro-session register is unavailable');
    const page = await fetch(`${h.runtime.urls.app}/console/dialogues/${id}/retry`, { headers: { cookie } });
    expect(page.status).toBe(200);
    const fields = Object.fromEntries(
      [...(await page.text()).matchAll(/<input type="hidden" name="(csrf|n)" value="([^"]*)">/g)].map((m) => [m[1], m[2]]),
    );
    const post = () =>
      fetch(`${h.runtime.urls.app}/console/dialogues/${id}/retry`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: new URLSearchParams(fields).toString(),
      });
    const retried = await post();
    await h.runtime.sfn.waitForEvent(phaseExecutionName(id, 'intro', 2), (e) => e.type === 'TaskWaiting');

    // Assess: round 2 offers times to the contact; the failure is cleared; a second POST changes nothing
    expect(retried.headers.get('location')).toBe(`/console/dialogues/${id}?klart=retry`);
    const after = await h.dialogue(id);
    expect(after.state).toBe('intro_offered');
    expect(after.phase).toMatchObject({ kind: 'intro', round: 2 });
    expect(after.phase.failure).toBeUndefined();
    expect(after.phase.offer.slots.length).toBeGreaterThanOrEqual(1);
    expect(after.waitingForBooking).toBe(true);
    expect(after.history.map((x: { type: string }) => x.type)).toContain('retried');
    const shownAfter = await (await fetch(`${h.runtime.urls.app}/console/dialogues/${id}`, { headers: { cookie } })).text();
    expect(shownAfter).not.toContain('Ett steg i mötesfasen misslyckades:');
    expect((await h.mailTo(BOARD)).filter((m) => m.subject.startsWith('Välj tid för introduktionsmöte'))).toHaveLength(1);
    expect((await post()).headers.get('location')).toContain('klart=already');
    expect(h.runtime.sfn.list().filter((r) => r.name.startsWith(`${id}-intro`))).toHaveLength(2);
    expect(await h.mailTo(COORDINATOR)).toHaveLength(1);
  });
});
