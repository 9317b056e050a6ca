/**
 * A deploy while dialogues wait, on the embedded runtime. Definition N is what runs before the
 * deploy: the workflows as they were published before payloads carried a version
 * (tests/fixtures/workflows/definitions-v1.json). N+1 is today's builders plus extra states: one
 * at the start of each machine and one right after each wait for a person, so the history of an
 * execution resumed at its wait shows which definition carried it on. Dialogues
 * wait on N for an answer, for a booking, and (as a due-date, no execution) for the six-month
 * follow-up; the runtime is then restarted with N+1 — new definitions and the current code, as a
 * deploy does. Every execution started on N must finish on N, everything started after on N+1,
 * and no dialogue may be lost or mailed twice.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invitationExecutionName, phaseExecutionName } from '#adapters/workflow-client.ts';
import { PROJECT_ROOT } from '#infra/config.ts';
import type { ExecutionRecord } from '#infra/local/step-functions.ts';
import { type PhaseName, renderLocalDefinitions } from '#workflows/index.ts';
import { Harness, organiser } from '../support/local.ts';

type Definitions = Record<PhaseName, Record<string, unknown>>;

/** Definition N: the previous publication of both machines. */
const definitionsN: Definitions = JSON.parse(readFileSync(`${PROJECT_ROOT}/tests/fixtures/workflows/definitions-v1.json`, 'utf8'));

/** The states N+1 adds (names end so). */
const EXTRA = '(definition N+1)';

/** Definition N+1: today's definitions with a state in front and one after each wait for a person. */
function definitionsNext(): Definitions {
  const current = renderLocalDefinitions();
  const withExtraSteps = (d: Record<string, unknown>) => {
    const { StartAt, States } = d as { StartAt: string; States: Record<string, { Resource?: string; Next?: string }> };
    const states: Record<string, unknown> = { [`Start ${EXTRA}`]: { Type: 'Pass', Next: StartAt } };
    for (const [name, state] of Object.entries(States)) {
      if (!String(state.Resource).endsWith('.waitForTaskToken') || !state.Next) {
        states[name] = state;
        continue;
      }
      states[name] = { ...state, Next: `After ${name} ${EXTRA}` };
      states[`After ${name} ${EXTRA}`] = { Type: 'Pass', Next: state.Next };
    }
    return { ...d, StartAt: `Start ${EXTRA}`, States: states };
  };
  return { invitation: withExtraSteps(current.invitation), meeting: withExtraSteps(current.meeting) };
}

const h = new Harness();
const board = (n: string) => `styrelsen@${n}.example.se`;
const chief = (n: string) => `chef@${n}.example.se`;
let orgNo = 1;

async function addOrganiser(n: string) {
  const r = await h.api(
    'POST',
    '/api/organisers',
    organiser({
      id: n,
      orgNumber: `556100-${String(orgNo++).padStart(4, '0')}`,
      name: `Skolan ${n} AB`,
      legalForm: 'aktiebolag',
      countyCode: '12',
      contacts: [
        { role: 'board', name: `Styrelsen ${n}`, email: board(n) },
        { role: 'school_chief', name: 'Åsa Skolchef', email: chief(n) },
      ],
    }),
  );
  expect(r.status, r.text).toBe(201);
}

async function latest(address: string, prefix: string) {
  const mail = (await h.mailTo(address)).filter((m) => m.subject.startsWith(prefix)).at(-1);
  if (!mail) throw new Error(`no mail "${prefix}…" to ${address}`);
  return mail;
}

const execution = (name: string): ExecutionRecord | undefined => h.runtime.sfn.list().find((r) => r.name === name);
const waiting = (name: string, afterId = 0) => h.runtime.sfn.waitForEvent(name, (e) => e.type === 'TaskWaiting' && e.id > afterId);
const settled = async (name: string) => h.runtime.sfn.settled(execution(name)?.executionArn as string);
const extraStates = (r: ExecutionRecord | undefined) =>
  (r?.events ?? []).filter((e) => e.type === 'StateEntered' && e.state?.endsWith(EXTRA)).map((e) => e.state);

/** Books the first offered time still free (organisers offered the same pair's times race for them). */
async function book(link: string): Promise<void> {
  for (const choice of ['0', '1', '2', '3']) {
    const r = await h.page(link, { choice });
    if (r.status === 200) return;
    expect(r.html, `${r.status} ${/<h1[^>]*>([^<]*)/.exec(r.html)?.[1]} ${/<p[^>]*>([^<]*)/.exec(r.html)?.[1]}`).toContain(
      'Tiden är inte längre ledig',
    );
  }
  throw new Error('no offered time could be booked');
}

async function advancePast(isos: string[]): Promise<void> {
  const last = Math.max(...isos.map((x) => Date.parse(x)));
  const days = Math.max(1, Math.ceil((last - h.runtime.clock.now().getTime()) / 86_400_000) + 1);
  expect((await h.advance(`P${days}D`)).status).toBe(200);
}

async function accept(n: string) {
  expect((await h.page(h.linkIn(await latest(board(n), 'Erbjudande')), { answer: 'accept' })).status).toBe(200);
}

beforeAll(async () => {
  await h.start({ definitions: definitionsN });
  for (const f of [
    { id: 'sv-ulla', name: 'Ulla Berg', agency: 'skolverket', office: 'Malmö', email: 'ulla@skolverket.example.se' },
    { id: 'sv-per', name: 'Per Holm', agency: 'skolverket', office: 'Örebro', email: 'per@skolverket.example.se' },
    { id: 'sp-gun', name: 'Gun Ås', agency: 'spsm', office: 'Malmö', email: 'gun@spsm.example.se' },
    { id: 'sp-ola', name: 'Ola Ström', agency: 'spsm', office: 'Örebro', email: 'ola@spsm.example.se' },
  ]) {
    expect((await h.api('POST', '/api/facilitators', f)).status).toBe(201);
  }
});
afterAll(async () => {
  await h.close();
});

describe('a deploy while dialogues wait', () => {
  const awaitingAnswer = ['svar-a', 'svar-b'];
  const awaitingBooking = ['bokning-a', 'bokning-b'];
  const awaitingFollowUp = ['uppfoljning-a'];
  const startedAfter = ['ny-a', 'ny-b'];
  const ids: Record<string, string> = {};
  const old = [...awaitingAnswer, ...awaitingBooking, ...awaitingFollowUp];

  it('has dialogues waiting on definition N: for an answer, for a booking, for the six-month follow-up', async () => {
    // The follow-up first: it takes the clock through a whole dialogue.
    for (const n of old) await addOrganiser(n);
    for (const n of awaitingFollowUp) {
      ids[n] = await h.invite(n);
      await accept(n);
      expect((await h.advance('PT10M')).status).toBe(200);
      for (const [kind, subject] of [
        ['intro', 'Välj tid för introduktionsmöte'],
        ['pre_meeting', 'Välj tid för förmöte'],
        ['dialogue', 'Välj tid för dialogmöte'],
      ] as const) {
        await waiting(phaseExecutionName(ids[n]!, kind, 1));
        await book(h.linkIn(await latest(board(n), subject)));
        // The material goes after the intro once every school form has a document.
        if (kind === 'intro') await h.attachMaterial(ids[n]!);
        await advancePast([(await h.dialogue(ids[n]!)).dueAt]);
      }
      const meetingId = (await h.dialogue(ids[n]!)).phase.meetingId;
      const notes = await h.api('POST', `/api/meetings/${meetingId}/notes`, {
        discussed: 'Uppföljning av resultat.',
        rolesPresent: ['school_chief'],
        public: true,
      });
      expect(notes.status, `${notes.text} ${(await h.dialogue(ids[n]!)).state}`).toBe(201);
      await waiting(phaseExecutionName(ids[n]!, 'feedback', 1));
      await book(h.linkIn(await latest(board(n), 'Välj tid för återkopplingsmöte')));
      await advancePast([(await h.dialogue(ids[n]!)).dueAt]);
      expect((await h.dialogue(ids[n]!)).state).toBe('follow_up_due');
    }
    for (const n of awaitingAnswer) ids[n] = await h.invite(n);
    for (const n of awaitingBooking) {
      ids[n] = await h.invite(n);
      await accept(n);
    }
    expect((await h.advance('PT10M')).status).toBe(200);
    for (const n of awaitingBooking) await waiting(phaseExecutionName(ids[n]!, 'intro', 1));

    // Assess: all of it on version 1 (N)
    expect(h.runtime.sfn.registry.versions('invitation')).toEqual([1]);
    expect(h.runtime.sfn.registry.versions('meeting')).toEqual([1]);
    for (const n of old) expect(execution(invitationExecutionName(ids[n]!))?.version).toBe(1);
    for (const n of awaitingBooking)
      expect(execution(phaseExecutionName(ids[n]!, 'intro', 1))).toMatchObject({ status: 'RUNNING', version: 1 });
    for (const n of awaitingAnswer) expect(execution(invitationExecutionName(ids[n]!))?.status).toBe('RUNNING');
  });

  it('deploys N+1: a new version of each machine, live moved to it; running executions stay on N', async () => {
    // Act: new definitions and new code, as a deploy replaces both
    await h.restart({ definitions: definitionsNext() });

    // Assess
    expect(h.runtime.resumed).toBe(awaitingAnswer.length + awaitingBooking.length);
    for (const machine of ['invitation', 'meeting'] as const) {
      expect(h.runtime.sfn.registry.versions(machine)).toEqual([1, 2]);
      expect(h.runtime.sfn.registry.resolve(h.runtime.sfn.registry.aliasArn(machine)).version).toBe(2);
    }
    for (const n of awaitingAnswer)
      await waiting(
        invitationExecutionName(ids[n]!),
        execution(invitationExecutionName(ids[n]!))?.events.find((e) => e.type === 'ExecutionResumed')?.id,
      );
    for (const n of awaitingBooking) {
      const name = phaseExecutionName(ids[n]!, 'intro', 1);
      await waiting(name, execution(name)?.events.find((e) => e.type === 'ExecutionResumed')?.id);
      expect(execution(name)).toMatchObject({ status: 'RUNNING', version: 1 });
    }
  });

  it('finishes every old execution on N, runs everything started after the deploy on N+1, and loses or repeats nothing', async () => {
    // Act: answers and bookings for the old executions; new dialogues; the follow-up comes due
    for (const n of startedAfter) {
      await addOrganiser(n);
      ids[n] = await h.invite(n);
    }
    for (const n of awaitingBooking) await book(h.linkIn(await latest(board(n), 'Välj tid för introduktionsmöte')));
    // One at a time: organisers offered at the same tick are offered the same free times.
    for (const n of [...awaitingAnswer, ...startedAfter]) {
      await accept(n);
      expect((await h.advance('PT10M')).status).toBe(200);
      await waiting(phaseExecutionName(ids[n]!, 'intro', 1));
      await book(h.linkIn(await latest(board(n), 'Välj tid för introduktionsmöte')));
    }
    const followUp = ids[awaitingFollowUp[0]!]!;
    await advancePast([(await h.dialogue(followUp)).dueAt]);
    await waiting(phaseExecutionName(followUp, 'follow_up', 1));
    await book(h.linkIn(await latest(board(awaitingFollowUp[0]!), 'Välj tid för uppföljningsmöte')));
    await advancePast([(await h.dialogue(followUp)).dueAt]);

    // Assess: which definition ran what
    const startedOnN = h.runtime.sfn.list().filter((r) => (r.version ?? 1) === 1);
    const startedOnNext = h.runtime.sfn.list().filter((r) => r.version === 2);
    const resumedAtAWait = startedOnN.filter((r) => r.events.some((e) => e.type === 'ExecutionResumed'));
    expect(resumedAtAWait).toHaveLength(awaitingAnswer.length + awaitingBooking.length);
    for (const r of startedOnN) {
      expect((await h.runtime.sfn.settled(r.executionArn)).status, r.name).toBe('SUCCEEDED');
      expect(extraStates(r), r.name).toEqual([]);
    }
    for (const r of startedOnNext) expect(extraStates(r)[0], r.name).toBe(`Start ${EXTRA}`);
    // A new execution answered or booked went through N+1's state after the wait.
    for (const n of startedAfter)
      expect(extraStates(execution(invitationExecutionName(ids[n]!)))).toContain(`After Send invitations and await answer ${EXTRA}`);
    for (const n of startedAfter) expect((await settled(invitationExecutionName(ids[n]!))).version).toBe(2);
    for (const n of [...awaitingAnswer, ...startedAfter]) expect(execution(phaseExecutionName(ids[n]!, 'intro', 1))?.version).toBe(2);
    expect(execution(phaseExecutionName(followUp, 'follow_up', 1))?.version).toBe(2);
    expect(startedOnNext.filter((r) => r.status === 'FAILED')).toEqual([]);

    // Assess: every old dialogue finished what it waited for
    const done: Record<string, boolean> = {};
    for (const n of [...awaitingAnswer, ...awaitingBooking]) {
      const d = await h.dialogue(ids[n]!);
      done[n] =
        d.history.some((e: { state?: string }) => e.state === 'intro_booked') &&
        execution(invitationExecutionName(ids[n]!))?.status === 'SUCCEEDED';
    }
    done[awaitingFollowUp[0]!] = (await h.dialogue(followUp)).state === 'closed';

    // Assess: nobody got a mail twice (one record per step and address, and the mailbox agrees)
    let mailedTwice = 0;
    for (const n of [...old, ...startedAfter]) {
      const records = (await h.dialogue(ids[n]!)).mails.filter((m: { status: string }) => m.status === 'sent');
      const keys = records.map((m: { step: string; email: string }) => `${m.step} ${m.email}`);
      mailedTwice += keys.length - new Set(keys).size;
      for (const address of [board(n), chief(n)]) {
        const delivered = (await h.mailTo(address)).length;
        const recorded = records.filter((m: { email: string }) => m.email === address).length;
        mailedTwice += Math.max(0, delivered - recorded);
      }
    }
    const completed = Object.values(done).filter(Boolean).length;
    console.log(
      `upgrade: ${old.length} dialogues started on the old definition, ${completed} completed, ${old.length - completed} lost, ${mailedTwice} mailed twice`,
    );
    expect(done).toEqual(Object.fromEntries(old.map((n) => [n, true])));
    expect(mailedTwice).toBe(0);
  });
});
