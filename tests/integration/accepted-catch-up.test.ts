/**
 * Dialogues accepted before the phases after acceptance existed (state `accepted`, no phase, no
 * timer) get their intro phase from the scheduler's full check (hourly), once; a dialogue whose
 * answer an earlier version saved with a callback timer, not yet delivered to its workflow, is left
 * to that timer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dialogue } from '#core/dialogue.ts';
import { phaseExecutionName } from '#adapters/workflow-client.ts';
import { WORK_RULES } from '#functions/use-cases/scheduled-work.ts';
import { Harness, organiser } from '../support/local.ts';

const h = new Harness();
const BOARD = 'namnden@gamla.example.se';

beforeAll(async () => {
  await h.start();
  for (const f of [
    { id: 'sv-kim', name: 'Kim Ås', agency: 'skolverket', office: 'Solna', email: 'kim@skolverket.example.se' },
    { id: 'sp-lo', name: 'Lo Älv', agency: 'spsm', office: 'Solna', email: 'lo@spsm.example.se' },
  ]) {
    expect((await h.api('POST', '/api/facilitators', f)).status).toBe(201);
  }
});
afterAll(async () => {
  await h.close();
});

/** The next tick runs the full check (as the first tick of an hour does). */
const fullCheckDue = () => {
  const past = new Date(Date.now() - 60_000).toISOString();
  return h.runtime.deps.work.recordCheck({ at: past, next: past, rules: WORK_RULES });
};

/** The record as an acceptance before this release left it: no phase, no timer. */
const asBeforeTheRelease = (x: Dialogue): Dialogue => ({ ...x, phase: undefined, dueAt: undefined, dueKind: undefined });

describe('dialogues accepted before the phases after acceptance', () => {
  it('get the intro phase at the next tick, once', async () => {
    // Prepare: an accepted dialogue whose record is rolled back to the pre-release shape
    const org = organiser({ id: 'gamla-kommun', orgNumber: '212000-6001', contacts: [{ role: 'board', name: 'Nämnden', email: BOARD }] });
    expect((await h.api('POST', '/api/organisers', org)).status).toBe(201);
    const id = await h.invite('gamla-kommun');
    expect((await h.page(h.linkIn((await h.mailTo(BOARD))[0]!), { answer: 'accept' })).status).toBe(200);
    await h.runtime.deps.dialogues.mutate(id, asBeforeTheRelease);
    const before = await h.dialogue(id);
    expect(before).toMatchObject({ state: 'accepted' });
    expect(before.phase).toBeUndefined();
    expect(before.dueKind).toBeUndefined();

    // Act: two ticks, the first a full check
    await fullCheckDue();
    const first = await h.advance('PT1M');
    expect(first.status).toBe(200);
    expect(first.json.timers.full).toBe(true);
    await fullCheckDue();
    await h.runtime.sfn.waitForEvent(phaseExecutionName(id, 'intro', 1), (e) => e.type === 'TaskWaiting');
    expect((await h.advance('PT10M')).status).toBe(200);

    // Assess: one intro execution, an open offer, one offer mail, and the catch-up in the history
    const after = await h.dialogue(id);
    expect(after.state).toBe('intro_offered');
    expect(after.phase).toMatchObject({ kind: 'intro', round: 1, offer: { status: 'open' } });
    expect(after.history.map((x: { detail?: string }) => x.detail)).toContain('Introduktionsfasen startas i efterhand');
    expect(h.runtime.sfn.list().filter((r) => r.name.startsWith(`${id}-intro`))).toHaveLength(1);
    expect((await h.mailTo(BOARD)).filter((m) => m.subject.startsWith('Välj tid för introduktionsmöte'))).toHaveLength(1);
  });

  it('leaves an accepted dialogue with a pending timer to that timer', async () => {
    // Prepare: accepted, but the answer's callback timer is still pending (far ahead)
    const org = organiser({
      id: 'vanta-kommun',
      orgNumber: '212000-6002',
      contacts: [{ role: 'board', name: 'Nämnden', email: 'namnden@vanta.example.se' }],
    });
    expect((await h.api('POST', '/api/organisers', org)).status).toBe(201);
    const id = await h.invite('vanta-kommun');
    expect((await h.page(h.linkIn((await h.mailTo('namnden@vanta.example.se'))[0]!), { answer: 'accept' })).status).toBe(200);
    const far = new Date(h.runtime.clock.now().getTime() + 30 * 86_400_000).toISOString();
    await h.runtime.deps.dialogues.mutate(id, (x) => ({ ...asBeforeTheRelease(x), dueKind: 'callback', dueAt: far }));

    // Act: a full check
    await fullCheckDue();
    const tick = await h.advance('PT1M');
    expect(tick.status).toBe(200);
    expect(tick.json.timers.full).toBe(true);

    // Assess: untouched
    const after = await h.dialogue(id);
    expect(after.state).toBe('accepted');
    expect(after.phase).toBeUndefined();
    expect(after.dueKind).toBe('callback');
    expect(h.runtime.sfn.list().filter((r) => r.name.startsWith(`${id}-intro`))).toHaveLength(0);
  });
});
