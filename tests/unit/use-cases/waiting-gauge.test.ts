/**
 * The waiting gauge lists the waiting dialogues once per process and keeps the list from the facts
 * sweep's changes; a gap in them (or none) lists them again.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Dialogue, DialogueState } from '#core/dialogue.ts';
import { metrics } from '#adapters/observability.ts';
import { observeChanges, recordWaiting } from '#functions/use-cases/waiting-gauge.ts';

const stored: Record<string, string[]> = { invited: ['a', 'b'], intro_offered: ['c'], follow_up_offered: ['d'] };

function fakeDeps() {
  const idsInState = vi.fn(async (state: DialogueState) => stored[state] ?? []);
  return { idsInState, d: { queries: { idsInState } as never, clock: { now: () => new Date('2027-03-01T10:00:00.000Z') } as never } };
}

function gauge(record: () => Promise<void>): Promise<Record<string, number>> {
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  return record().then(() => {
    metrics.publishStoredMetrics();
    const lines = out.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('DialoguesWaiting'));
    out.mockRestore();
    return Object.fromEntries(lines.map((l) => JSON.parse(l)).map((p) => [p.phase, p.DialoguesWaiting]));
  });
}

const changed = (id: string, state: DialogueState) => ({ id, state }) as Dialogue;

describe('the waiting gauge', () => {
  it('lists once, then counts from the changes the sweep read', async () => {
    // Prepare
    const { d, idsInState } = fakeDeps();
    const first = await gauge(() => recordWaiting(d));

    // Act: a tick's sweep saw a answered, c booked, e invited and d offered again
    observeChanges(d, {
      from: '2027-03-01T09:55:00.000Z',
      to: '2027-03-01T10:05:00.000Z',
      dialogues: [changed('a', 'accepted'), changed('c', 'intro_booked'), changed('e', 'invited'), changed('d', 'follow_up_offered')],
    });
    const second = await gauge(() => recordWaiting(d));

    // Assess
    expect(first).toEqual({ invitation: 2, meeting: 2 });
    expect(second).toEqual({ invitation: 2, meeting: 1 });
    expect(idsInState).toHaveBeenCalledTimes(6);
  });

  it('lists again after a tick whose sweep read nothing, or not from where the list stands', async () => {
    // Prepare
    const { d, idsInState } = fakeDeps();
    await gauge(() => recordWaiting(d));

    // Act
    observeChanges(d, undefined);
    await gauge(() => recordWaiting(d));
    observeChanges(d, { from: '2027-03-01T10:30:00.000Z', to: '2027-03-01T10:35:00.000Z', dialogues: [] });
    const third = await gauge(() => recordWaiting(d));

    // Assess
    expect(idsInState).toHaveBeenCalledTimes(18);
    expect(third).toEqual({ invitation: 2, meeting: 2 });
  });
});
