/**
 * A due timer whose handler fails is moved later with exponential back-off (5 minutes, doubling,
 * at most 6 hours), so it leaves the due index until then and never holds up the timers behind
 * it. The dialogue carries the failure (`timerFailure`) and one history entry when it starts and
 * one when the timer finally fires, so a coordinator sees it without reading logs. Pure.
 */
import { dueKindLabels } from './console-labels.ts';
import type { Dialogue, TimerFailure } from './dialogue.ts';

export const TIMER_BACKOFF_FIRST_MS = 5 * 60_000;
export const TIMER_BACKOFF_MAX_MS = 6 * 3_600_000;
const MAX_ERROR_LENGTH = 500;

/** The pause after the `failures`-th failure in a row. */
export const timerBackoffMs = (failures: number): number =>
  Math.min(TIMER_BACKOFF_FIRST_MS * 2 ** Math.max(0, failures - 1), TIMER_BACKOFF_MAX_MS);

/** The timer as the tick read it. */
export type FiredTimer = Pick<Dialogue, 'dueKind' | 'dueAt'>;

/**
 * The dialogue with its failed timer due again after the back-off, the failure counted; undefined
 * when the timer has changed since the tick read it (someone else moved on, nothing to back off).
 */
export function withFailedTimer(x: Dialogue, fired: FiredTimer, error: string, now: Date): Dialogue | undefined {
  if (!x.dueKind || !x.dueAt || x.dueKind !== fired.dueKind || x.dueAt !== fired.dueAt) return undefined;
  const ongoing = x.timerFailure?.kind === x.dueKind ? x.timerFailure : undefined;
  const failures = (ongoing?.failures ?? 0) + 1;
  const at = now.toISOString();
  const retryAt = new Date(now.getTime() + timerBackoffMs(failures)).toISOString();
  const message = error.length > MAX_ERROR_LENGTH ? `${error.slice(0, MAX_ERROR_LENGTH - 1)}…` : error;
  return {
    ...x,
    dueAt: retryAt,
    timerFailure: {
      kind: x.dueKind,
      dueAt: ongoing?.dueAt ?? x.dueAt,
      failures,
      firstAt: ongoing?.firstAt ?? at,
      lastAt: at,
      error: message,
      retryAt,
    },
    history: ongoing ? x.history : [...x.history, { at, type: 'timer_failed', detail: `${dueKindLabels[x.dueKind]}: ${message}` }],
  };
}

/** The dialogue without its timer failure, once one of its timers has fired; undefined if there is none. */
export function withRecoveredTimer(x: Dialogue, now: Date): Dialogue | undefined {
  const failure = x.timerFailure;
  if (!failure) return undefined;
  const { timerFailure: _, ...rest } = x;
  return {
    ...rest,
    history: [
      ...x.history,
      {
        at: now.toISOString(),
        type: 'timer_recovered',
        detail: `${dueKindLabels[failure.kind]} efter ${failure.failures} misslyckade försök`,
      },
    ],
  };
}

/** The failure while it still describes the pending timer (not one another step has since replaced). */
export const currentTimerFailure = (x: Pick<Dialogue, 'timerFailure' | 'dueKind' | 'dueAt'>): TimerFailure | undefined =>
  x.timerFailure && x.timerFailure.kind === x.dueKind && x.timerFailure.retryAt === x.dueAt ? x.timerFailure : undefined;
