/**
 * The start of a meeting phase from its 'phase_start' timer, on the real local runtime (dynalite,
 * the local Step Functions runner): an acceptance's own write begins the intro phase with the timer
 * due at once, and the next tick starts the execution without writing the record first (the
 * offer's write moves the timer on). A second tick, or a retry after a start that died, starts
 * nothing twice; an answer that did not reach its workflow is delivered before the phase starts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dialogue } from '#core/dialogue.ts';
import { executionName, phaseExecutionName } from '#adapters/workflow-client.ts';
import { Harness, organiser } from '../support/local.ts';

const h = new Harness();

beforeAll(async () => {
  await h.start();
  for (const f of [
    { id: 'sv-ina', name: 'Ina Berg', agency: 'skolverket', office: 'Solna', email: 'ina@skolverket.example.se' },
    { id: 'sp-max', name: 'Max Dal', agency: 'spsm', office: 'Solna', email: 'max@spsm.example.se' },
  ]) {
    expect((await h.api('POST', '/api/facilitators', f)).status).toBe(201);
  }
});
afterAll(async () => {
  await h.close();
});

/** An invited dialogue of a new organiser with one board contact; returns its id and the board's address. */
async function invited(n: number): Promise<{ id: string; board: string }> {
  const board = `namnden@fasstart${n}.example.se`;
  const org = organiser({
    id: `fasstart-${n}`,
    orgNumber: `212000-70${String(n).padStart(2, '0')}`,
    contacts: [{ role: 'board', name: 'Nämnden', email: board }],
  });
  expect((await h.api('POST', '/api/organisers', org)).status).toBe(201);
  return { id: await h.invite(`fasstart-${n}`), board };
}

const record = async (id: string) => (await h.runtime.deps.dialogues.get(id)) as Dialogue;
const introExecutions = (id: string) => h.runtime.sfn.list().filter((r) => r.name.startsWith(`${id}-intro`));
const introOffers = async (board: string) => (await h.mailTo(board)).filter((m) => m.subject.startsWith('Välj tid för introduktionsmöte'));

/** Holds every offer step at the intro-session register (its query by region) until `open()` is called. */
function holdOffers() {
  const sessions = h.runtime.deps.introSessions;
  const real = sessions.list;
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  let reached = 0;
  sessions.list = async (...args: Parameters<typeof real>) => {
    if (args[0] !== undefined) {
      reached++;
      await gate;
    }
    return real.apply(sessions, args);
  };
  return {
    reached: () => reached,
    open: () => {
      open();
      sessions.list = real;
    },
  };
}

describe("an acceptance's write begins the intro phase", () => {
  it('with its timer due at once: the next tick starts the phase, without writing the record first', async () => {
    // Prepare: an invited dialogue
    const { id, board } = await invited(1);

    // Act: the organiser accepts
    expect((await h.page(h.linkIn((await h.mailTo(board))[0]!), { answer: 'accept' })).status).toBe(200);

    // Assess: the answer's write began the intro phase, due now; the workflow was told and its token dropped
    const accepted = await record(id);
    expect(accepted).toMatchObject({ state: 'accepted', phase: { kind: 'intro', round: 1 }, dueKind: 'phase_start' });
    expect(Date.parse(accepted.dueAt ?? '')).toBeLessThanOrEqual(h.runtime.clock.now().getTime());
    expect(accepted.waitToken).toBeUndefined();
    expect(accepted.history.at(-1)).toMatchObject({ type: 'answered', state: 'accepted' });
    expect((await h.execution(id)).status).toBe('SUCCEEDED');
    expect(introExecutions(id)).toHaveLength(0);

    // Act: the next tick
    const tick = await h.advance('PT1M');
    expect(tick.status).toBe(200);
    expect(tick.json.timers.failed).toEqual([]);
    await h.runtime.sfn.waitForEvent(phaseExecutionName(id, 'intro', 1), (e) => e.type === 'TaskWaiting');

    // Assess: one execution; the record's only write since the acceptance is the offer's, which moved the timer on
    const offered = await record(id);
    expect(offered).toMatchObject({ state: 'intro_offered', dueKind: 'offer_reminder', phase: { kind: 'intro', round: 1 } });
    expect(offered.version).toBe((accepted.version ?? 0) + 1);
    expect(introExecutions(id)).toHaveLength(1);
    expect(await introOffers(board)).toHaveLength(1);
  });

  it('whose answer did not reach the workflow: a tick after the grace tells it, then starts the phase', async () => {
    // Prepare: an invited dialogue; telling the workflow fails in the answer's request
    const { id, board } = await invited(2);
    const workflow = h.runtime.deps.workflow;
    const real = workflow.completeWait;
    let failing = true;
    workflow.completeWait = async (...args: Parameters<typeof real>) => {
      if (failing) throw new Error('injected: Step Functions is unavailable');
      return real.apply(workflow, args);
    };
    try {
      expect((await h.page(h.linkIn((await h.mailTo(board))[0]!), { answer: 'accept' })).status).toBe(200);
      const saved = await record(id);
      expect(saved).toMatchObject({ state: 'accepted', dueKind: 'phase_start', phase: { kind: 'intro', round: 1 } });
      expect(saved.waitToken).toBeTruthy();
      failing = false;

      // Act: a tick within the grace the answer's request has, then one after it
      expect((await h.advance('PT20S')).status).toBe(200);
      const early = await record(id);
      expect(early).toMatchObject({ dueKind: 'phase_start', waitToken: saved.waitToken });
      expect(introExecutions(id)).toHaveLength(0);
      expect((await h.advance('PT1M')).status).toBe(200);
      await h.runtime.sfn.waitForEvent(phaseExecutionName(id, 'intro', 1), (e) => e.type === 'TaskWaiting');

      // Assess: the invitation workflow was told the acceptance before the intro phase began; the token is gone
      const invitation = await h.execution(id);
      expect(invitation.status).toBe('SUCCEEDED');
      expect(invitation.events.map((e) => e.type)).toContain('ExecutionSucceeded');
      const after = await record(id);
      expect(after.waitToken).toBeUndefined();
      expect(after.state).toBe('intro_offered');
      expect(after.history.map((x) => x.type)).not.toContain('late_answer');
      expect(introExecutions(id)).toHaveLength(1);
      expect(await introOffers(board)).toHaveLength(1);
    } finally {
      workflow.completeWait = real;
    }
    expect(h.runtime.sfn.list().filter((r) => r.name === executionName(id, 'invitation'))).toHaveLength(1);
  });
});

describe('an acceptance an earlier version saved with its callback timer', () => {
  it('begins the intro phase when the tick delivers it, due at once; the next tick starts it', async () => {
    // Prepare: an accepted dialogue set back to the earlier shape: no phase, a due callback timer
    const { id, board } = await invited(6);
    expect((await h.page(h.linkIn((await h.mailTo(board))[0]!), { answer: 'accept' })).status).toBe(200);
    const due = h.runtime.clock.now().toISOString();
    await h.runtime.deps.dialogues.mutate(id, (x) => ({ ...x, phase: undefined, dueKind: 'callback', dueAt: due }));

    // Act: the tick that fires the callback
    expect((await h.advance('PT1M')).json.timers.failed).toEqual([]);

    // Assess: the intro phase begun, its start due; the next tick starts it once
    const delivered = await record(id);
    expect(delivered).toMatchObject({ state: 'accepted', phase: { kind: 'intro', round: 1 }, dueKind: 'phase_start' });
    expect(Date.parse(delivered.dueAt ?? '')).toBeLessThanOrEqual(h.runtime.clock.now().getTime());
    expect(introExecutions(id)).toHaveLength(0);
    expect((await h.advance('PT1M')).json.timers.failed).toEqual([]);
    await h.runtime.sfn.waitForEvent(phaseExecutionName(id, 'intro', 1), (e) => e.type === 'TaskWaiting');
    expect(introExecutions(id)).toHaveLength(1);
    expect(await introOffers(board)).toHaveLength(1);
  });
});

describe('a due phase_start', () => {
  it('starts its phase once, however many ticks fire it before the offer is written', async () => {
    // Prepare: an accepted dialogue whose offer step is held, so its timer stays due
    const { id, board } = await invited(3);
    expect((await h.page(h.linkIn((await h.mailTo(board))[0]!), { answer: 'accept' })).status).toBe(200);
    const held = holdOffers();
    try {
      // Act: three ticks while the execution's offer step waits
      for (let t = 0; t < 3; t++) {
        const tick = await h.advance('PT1M');
        expect(tick.json.timers.failed).toEqual([]);
        expect((await record(id)).dueKind).toBe('phase_start');
      }
      expect(held.reached()).toBeGreaterThanOrEqual(1);
    } finally {
      held.open();
    }
    await h.runtime.sfn.waitForEvent(phaseExecutionName(id, 'intro', 1), (e) => e.type === 'TaskWaiting');
    expect((await h.advance('PT10M')).status).toBe(200);

    // Assess: one execution, one offer, one offer mail
    expect(introExecutions(id)).toHaveLength(1);
    const after = await record(id);
    expect(after).toMatchObject({ state: 'intro_offered', dueKind: 'offer_reminder', phase: { offer: { no: 1, status: 'open' } } });
    expect(after.history.filter((x) => x.type === 'slots_proposed')).toHaveLength(1);
    expect(await introOffers(board)).toHaveLength(1);
  });

  it('that died after starting the execution is retried by a later tick, which starts nothing new', async () => {
    // Prepare: an accepted dialogue; the offer step is held, and the first start dies after Step Functions took it
    const { id, board } = await invited(4);
    expect((await h.page(h.linkIn((await h.mailTo(board))[0]!), { answer: 'accept' })).status).toBe(200);
    const workflow = h.runtime.deps.workflow;
    const real = workflow.startPhase;
    let starts = 0;
    workflow.startPhase = async (...args: Parameters<typeof real>) => {
      const result = await real.apply(workflow, args);
      if (++starts === 1) throw new Error('injected: the tick died after the start');
      return result;
    };
    const held = holdOffers();
    try {
      // Act: the tick whose start dies, then a tick after its back-off
      const first = await h.advance('PT1M');
      expect(first.json.timers.failed).toMatchObject([{ dialogueId: id, kind: 'phase_start' }]);
      expect(introExecutions(id)).toHaveLength(1);
      const backedOff = await record(id);
      expect(backedOff.dueKind).toBe('phase_start');
      expect(Date.parse(backedOff.dueAt ?? '')).toBeGreaterThan(h.runtime.clock.now().getTime());
      const second = await h.advance('PT10M');
      expect(second.json.timers.failed).toEqual([]);
      expect(starts).toBe(2);
    } finally {
      held.open();
      workflow.startPhase = real;
    }
    await h.runtime.sfn.waitForEvent(phaseExecutionName(id, 'intro', 1), (e) => e.type === 'TaskWaiting');
    expect((await h.advance('PT10M')).status).toBe(200);

    // Assess: one execution, one offer mail; the timer moved on to the offer's reminder
    expect(introExecutions(id)).toHaveLength(1);
    const after = await record(id);
    expect(after).toMatchObject({ state: 'intro_offered', dueKind: 'offer_reminder' });
    expect(after.history.filter((x) => x.type === 'slots_proposed')).toHaveLength(1);
    expect(await introOffers(board)).toHaveLength(1);
  });

  it('of an execution that already ended is cleared, and starts nothing', async () => {
    // Prepare: a dialogue in its intro offer; its record is set back to a due start of the same round
    const { id, board } = await invited(5);
    expect((await h.page(h.linkIn((await h.mailTo(board))[0]!), { answer: 'accept' })).status).toBe(200);
    await h.advance('PT1M');
    await h.runtime.sfn.waitForEvent(phaseExecutionName(id, 'intro', 1), (e) => e.type === 'TaskWaiting');
    const arn = introExecutions(id)[0]?.executionArn as string;
    await h.runtime.deps.workflow.completeWait((await record(id)).phase?.token as string, { outcome: 'closed' });
    await h.runtime.sfn.settled(arn);
    const due = h.runtime.clock.now().toISOString();
    await h.runtime.deps.dialogues.mutate(id, (x) => ({ ...x, dueKind: 'phase_start', dueAt: due }));

    // Act
    const tick = await h.advance('PT1M');

    // Assess: no second execution; the timer is gone
    expect(tick.json.timers.failed).toEqual([]);
    expect(introExecutions(id)).toHaveLength(1);
    expect((await record(id)).dueKind).toBeUndefined();
    expect(await introOffers(board)).toHaveLength(1);
  });
});
