/**
 * Timers that keep failing do not hold up the others: 150 dialogues whose reminder cannot be sent
 * (their organiser record is gone) are due before a real dialogue's reminder, more than one page of
 * the due index. One tick still sends the real reminder; each failing timer backs off (5 minutes,
 * then 10, …), is counted in the tick's result and shows on its dialogue (history, timerFailure)
 * until it fires, which clears it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dialogue } from '#core/dialogue.ts';
import { Harness, organiser } from '../support/local.ts';

const h = new Harness();
const BOARD = 'namnden@levande.example.se';
const FAILING = 150;
const failingIds: string[] = [];
let realId: string;

/** A dialogue invited a day ago whose reminder is due now, naming an organiser that does not exist. */
function orphan(i: number, now: Date): Dialogue {
  const n = String(i).padStart(3, '0');
  const invited = new Date(now.getTime() - 86_400_000).toISOString();
  return {
    id: `dlg-forlorad-${n}`,
    organiserId: `raderad-${n}`,
    organiserName: `Raderad huvudman ${n}`,
    cycle: '2026',
    region: 'vast',
    legalForm: 'kommun',
    municipal: true,
    state: 'invited',
    recipients: [{ contactId: `board-${n}`, role: 'board', name: 'Nämnden', email: `namnden@raderad-${n}.example.se`, basis: 'board' }],
    reminders: 0,
    history: [{ at: invited, type: 'invitation_sent', state: 'invited' }],
    // Older than the real reminder, in the order they were invited: the first page of the due index is all theirs.
    dueAt: new Date(now.getTime() - 3_600_000 + i * 1000).toISOString(),
    dueKind: 'reminder',
    createdAt: invited,
    updatedAt: invited,
    version: 1,
  };
}

/** Minutes from the tick (the clock endpoint's `now`) to `iso`; the local clock also runs in real time. */
const minutesAfter = (tickedAt: string, iso: string) => (Date.parse(iso) - Date.parse(tickedAt)) / 60_000;

beforeAll(async () => {
  await h.start({ seed: false });
  const r = await h.api(
    'POST',
    '/api/organisers',
    organiser({ id: 'levande-kommun', orgNumber: '212000-6001', contacts: [{ role: 'board', name: 'Nämnden', email: BOARD }] }),
  );
  expect(r.status).toBe(201);
  realId = await h.invite('levande-kommun');
  const now = h.runtime.clock.now();
  for (let i = 0; i < FAILING; i++) {
    const { created, dialogue } = await h.runtime.deps.dialogues.create(orphan(i, now));
    expect(created).toBe(true);
    failingIds.push(dialogue.id);
  }
});
afterAll(async () => {
  await h.close();
});

describe('failing timers', () => {
  it('150 failing timers do not stop a due reminder; each backs off and shows on its dialogue', async () => {
    // Act: a week later, one tick
    const r = await h.advance('P8D');

    // Assess: the real reminder went out
    expect(r.status).toBe(200);
    const reminders = (await h.mailTo(BOARD)).filter((m) => m.subject.startsWith('Påminnelse'));
    expect(reminders).toHaveLength(1);
    expect((await h.dialogue(realId)).reminders).toBe(1);
    // … every failing timer was tried once, counted and moved 5 minutes on
    const failed = r.json.timers.failed as { dialogueId: string; failures: number; retryAt: string }[];
    expect(failed.map((f) => f.dialogueId).sort()).toEqual([...failingIds].sort());
    expect(new Set(failed.map((f) => f.failures))).toEqual(new Set([1]));
    expect(r.json.timers.deferred).toBe(false);
    const sample = await h.dialogue(failingIds[0] as string);
    expect(sample.state).toBe('invited');
    expect(minutesAfter(r.json.now, sample.dueAt)).toBeCloseTo(5, 1);
    expect(sample.timerFailure).toMatchObject({ kind: 'reminder', failures: 1, retryAt: sample.dueAt });
    expect(sample.timerFailure.error).toContain("names organiser 'raderad-000', which does not exist");
    expect(sample.history.at(-1)).toMatchObject({ type: 'timer_failed', detail: expect.stringMatching(/^Påminnelse: /) });
  });

  it('a timer that fails again waits twice as long, without another history entry', async () => {
    // Act: past the first back-off
    const r = await h.advance('PT6M');

    // Assess
    expect((r.json.timers.failed as unknown[]).length).toBe(FAILING);
    const sample = await h.dialogue(failingIds[1] as string);
    expect(sample.timerFailure.failures).toBe(2);
    expect(minutesAfter(r.json.now, sample.dueAt)).toBeCloseTo(10, 1);
    expect(sample.history.filter((e: { type: string }) => e.type === 'timer_failed')).toHaveLength(1);
    // Within the back-off nothing is tried
    expect((await h.advance('PT5M')).json.timers.failed).toEqual([]);
  });

  it('fires once its cause is fixed, and the dialogue shows it recovered', async () => {
    // Prepare: the organiser of the first one is back
    const back = await h.api(
      'POST',
      '/api/organisers',
      organiser({
        id: 'raderad-000',
        orgNumber: '212000-6002',
        name: 'Raderad huvudman 000',
        contacts: [{ role: 'board', name: 'Nämnden', email: 'namnden@raderad-000.example.se' }],
      }),
    );
    expect(back.status).toBe(201);

    // Act: past the second back-off
    const r = await h.advance('PT6M');

    // Assess
    expect((r.json.timers.failed as { dialogueId: string }[]).map((f) => f.dialogueId)).not.toContain(failingIds[0]);
    expect(await h.mailTo('namnden@raderad-000.example.se')).toHaveLength(1);
    const recovered = await h.dialogue(failingIds[0] as string);
    expect(recovered.timerFailure).toBeUndefined();
    expect(recovered.reminders).toBe(1);
    expect(recovered.history.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['timer_failed', 'timer_recovered']));
    expect(recovered.history.find((e: { type: string }) => e.type === 'timer_recovered').detail).toBe(
      'Påminnelse efter 2 misslyckade försök',
    );
  });
});
