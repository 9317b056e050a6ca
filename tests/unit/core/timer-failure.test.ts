import { describe, expect, it } from 'vitest';
import type { Dialogue } from '#core/dialogue.ts';
import {
  currentTimerFailure,
  TIMER_BACKOFF_FIRST_MS,
  TIMER_BACKOFF_MAX_MS,
  timerBackoffMs,
  withFailedTimer,
  withRecoveredTimer,
} from '#core/timer-failure.ts';

const due = '2026-03-02T08:00:00.000Z';
const dialogue = (over: Partial<Dialogue> = {}): Dialogue => ({
  id: 'dlg-1',
  organiserId: 'org-1',
  organiserName: 'Testviks kommun',
  cycle: '2026',
  region: 'vast',
  legalForm: 'kommun',
  municipal: true,
  state: 'invited',
  recipients: [],
  reminders: 0,
  history: [{ at: '2026-02-23T08:00:00.000Z', type: 'invitation_sent', state: 'invited' }],
  dueAt: due,
  dueKind: 'reminder',
  createdAt: '2026-02-23T08:00:00.000Z',
  updatedAt: '2026-02-23T08:00:00.000Z',
  version: 3,
  ...over,
});
const at = (iso: string) => new Date(iso);

describe('timer back-off', () => {
  it('waits 5 minutes after the first failure, doubling up to 6 hours', () => {
    expect([1, 2, 3, 4].map(timerBackoffMs)).toEqual([5, 10, 20, 40].map((m) => m * 60_000));
    expect(timerBackoffMs(7)).toBe(320 * 60_000);
    expect(timerBackoffMs(8)).toBe(TIMER_BACKOFF_MAX_MS);
    expect(timerBackoffMs(500)).toBe(TIMER_BACKOFF_MAX_MS);
    expect(timerBackoffMs(0)).toBe(TIMER_BACKOFF_FIRST_MS);
  });
});

describe('withFailedTimer', () => {
  it('moves the timer past its back-off, records the failure and one history entry', () => {
    // Prepare
    const x = dialogue();
    const now = at('2026-03-02T08:01:00.000Z');

    // Act
    const first = withFailedTimer(x, x, "Dialogue dlg-1 names organiser 'org-1', which does not exist", now) as Dialogue;

    // Assess
    expect(first.dueAt).toBe('2026-03-02T08:06:00.000Z');
    expect(first.dueKind).toBe('reminder');
    expect(first.timerFailure).toEqual({
      kind: 'reminder',
      dueAt: due,
      failures: 1,
      firstAt: now.toISOString(),
      lastAt: now.toISOString(),
      error: "Dialogue dlg-1 names organiser 'org-1', which does not exist",
      retryAt: '2026-03-02T08:06:00.000Z',
    });
    expect(first.history.at(-1)).toEqual({
      at: now.toISOString(),
      type: 'timer_failed',
      detail: "Påminnelse: Dialogue dlg-1 names organiser 'org-1', which does not exist",
    });
    expect(first.state).toBe('invited');
  });

  it('counts further failures without another history entry, keeping when it was first due', () => {
    // Prepare
    const first = withFailedTimer(dialogue(), dialogue(), 'boom', at('2026-03-02T08:01:00.000Z')) as Dialogue;

    // Act
    const second = withFailedTimer(first, first, 'boom again', at('2026-03-02T08:06:00.000Z')) as Dialogue;

    // Assess
    expect(second.timerFailure).toMatchObject({ failures: 2, dueAt: due, firstAt: '2026-03-02T08:01:00.000Z', error: 'boom again' });
    expect(second.dueAt).toBe('2026-03-02T08:16:00.000Z');
    expect(second.history.filter((h) => h.type === 'timer_failed')).toHaveLength(1);
  });

  it('leaves a timer alone that changed since the tick read it', () => {
    const read = dialogue();
    expect(withFailedTimer(dialogue({ dueKind: 'escalate' }), read, 'boom', at(due))).toBeUndefined();
    expect(withFailedTimer(dialogue({ dueAt: '2026-03-09T08:00:00.000Z' }), read, 'boom', at(due))).toBeUndefined();
    expect(withFailedTimer(dialogue({ dueAt: undefined, dueKind: undefined }), read, 'boom', at(due))).toBeUndefined();
  });

  it('starts counting anew for a different timer, and shortens a long error', () => {
    const old = withFailedTimer(dialogue(), dialogue(), 'boom', at(due)) as Dialogue;
    const next = dialogue({ ...old, dueKind: 'escalate', dueAt: '2026-03-09T08:00:00.000Z' });
    const failed = withFailedTimer(next, next, 'x'.repeat(2000), at('2026-03-09T08:00:00.000Z')) as Dialogue;
    expect(failed.timerFailure).toMatchObject({ kind: 'escalate', failures: 1, dueAt: '2026-03-09T08:00:00.000Z' });
    expect(failed.timerFailure?.error).toHaveLength(500);
    expect(failed.history.filter((h) => h.type === 'timer_failed')).toHaveLength(2);
  });
});

describe('withRecoveredTimer and currentTimerFailure', () => {
  it('clears the failure with a history entry once a timer fires', () => {
    // Prepare
    let x = withFailedTimer(dialogue(), dialogue(), 'boom', at(due)) as Dialogue;
    x = withFailedTimer(x, x, 'boom', at('2026-03-02T08:05:00.000Z')) as Dialogue;

    // Act
    const recovered = withRecoveredTimer(x, at('2026-03-02T08:15:00.000Z')) as Dialogue;

    // Assess
    expect(recovered.timerFailure).toBeUndefined();
    expect(recovered.history.at(-1)).toEqual({
      at: '2026-03-02T08:15:00.000Z',
      type: 'timer_recovered',
      detail: 'Påminnelse efter 2 misslyckade försök',
    });
    expect(withRecoveredTimer(dialogue(), at(due))).toBeUndefined();
  });

  it('shows the failure only while it describes the pending timer', () => {
    const failed = withFailedTimer(dialogue(), dialogue(), 'boom', at(due)) as Dialogue;
    expect(currentTimerFailure(failed)).toBe(failed.timerFailure);
    expect(currentTimerFailure({ ...failed, dueKind: 'callback', dueAt: due })).toBeUndefined();
    expect(currentTimerFailure({ ...failed, dueKind: undefined, dueAt: undefined })).toBeUndefined();
  });
});
