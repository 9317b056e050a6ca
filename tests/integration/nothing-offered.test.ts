/**
 * An offer that finds no time to offer (no facilitators at all): the offer step, which is also the
 * booking wait, completes its own wait with `nothing_offered`, and the phase is handed over to the
 * coordinator; no offer mail goes out.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { phaseExecutionName } from '#adapters/workflow-client.ts';
import { Harness, organiser } from '../support/local.ts';

const h = new Harness();
const BOARD = 'namnden@tom.example.se';

beforeAll(async () => {
  await h.start({ seed: false });
  const r = await h.api(
    'POST',
    '/api/organisers',
    organiser({ id: 'tom-kommun', orgNumber: '212000-5002', contacts: [{ role: 'board', name: 'Nämnden', email: BOARD }] }),
  );
  expect(r.status).toBe(201);
});
afterAll(async () => {
  await h.close();
});

it('hands the phase over when nothing can be offered, the offer step ending its own wait', async () => {
  // Prepare: invited and accepted
  const id = await h.invite('tom-kommun');
  const link = h.linkIn((await h.mailTo(BOARD)).find((m) => m.subject.startsWith('Erbjudande'))!);
  expect((await h.page(link, { answer: 'accept' })).status).toBe(200);

  // Act: the tick starts the intro phase
  expect((await h.advance('PT10M')).status).toBe(200);
  const name = phaseExecutionName(id, 'intro', 1);
  await h.runtime.sfn.waitForEvent(name, (e) => e.type === 'ExecutionSucceeded' || e.type === 'ExecutionFailed');

  // Assess
  const execution = h.runtime.sfn.list().find((r) => r.name === name);
  expect(execution?.status).toBe('SUCCEEDED');
  expect(execution?.events.filter((e) => e.type === 'StateEntered').map((e) => e.state)).toEqual([
    'Offer times and await booking',
    'Route booking',
    'Hand over to coordinator',
    'Coordinator takes over',
  ]);
  const d = await h.dialogue(id);
  expect(d.state).toBe('intro_offered');
  expect(d.phase.offer).toMatchObject({ status: 'escalated', slots: [] });
  expect(d.history.at(-1)).toMatchObject({ type: 'handed_over', detail: 'Inga lediga tider att föreslå' });
  expect((await h.mailTo(BOARD)).filter((m) => m.subject.startsWith('Välj tid'))).toEqual([]);
});
