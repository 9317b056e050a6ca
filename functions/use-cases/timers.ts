/**
 * The scheduler's due timers: fires every timer that is due on a dialogue (workflow start,
 * reminder, escalation, answer callback, the meeting phases' timers). Bounded Queries on the sparse
 * due index, a page at a time; no Scan. A timer that fails backs off and is recorded on its
 * dialogue; it never holds up the others. The rest of the tick (the work list, the facts sweep,
 * campaigns, bulk starts, the full check) is scheduled-work.ts.
 */
import { withFailedTimer, withRecoveredTimer } from '#core/timer-failure.ts';
import type { Dialogue } from '#core/dialogue.ts';
import type { Deps } from '#adapters/deps.ts';
import { answerDeliveredBeforePhase, deliverOutcome } from './answers.ts';
import { postponeStartIfInspection } from './clash.ts';
import { escalate, sendReminder } from './invitation.ts';
import { escalateOffer, remindOffer } from './lifecycle/offer.ts';
import { startDuePhase } from './lifecycle/phase.ts';
import { followUpDue, meetingHeld, remindNotesAgain } from './lifecycle/progress.ts';

export interface TickResult {
  fired: number;
  /** Timers that failed in this tick; each dialogue timer is due again at `retryAt` (its back-off). */
  failed: { dialogueId: string; kind: string; error: string; failures?: number; retryAt?: string }[];
  /** Due timers were left for the next tick: the time budget ran out. */
  deferred: boolean;
}

/** Due timers read per page of the due index. */
export const TIMER_PAGE_SIZE = 100;
/** How long one tick fires timers before leaving the rest to the next (the function may run 2 minutes). */
export const TIMER_BUDGET_MS = 45_000;

/** Runs what a due timer stands for. */
async function fire(d: Deps, dialogue: Dialogue, now: Date): Promise<void> {
  switch (dialogue.dueKind) {
    case 'start': {
      if (await postponeStartIfInspection(d, dialogue, now)) return;
      const { started } = await d.workflow.startInvitation(dialogue.id);
      await d.dialogues.mutate(dialogue.id, (x) =>
        x.dueKind !== 'start'
          ? undefined
          : started
            ? { ...x, dueAt: new Date(now.getTime() + 5 * 60_000).toISOString() }
            : { ...x, dueAt: undefined, dueKind: undefined },
      );
      return;
    }
    case 'reminder':
      return sendReminder(d, dialogue.id);
    case 'escalate':
      return escalate(d, dialogue.id);
    case 'callback':
      await deliverOutcome(d, dialogue);
      return;
    case 'phase_start':
      // An acceptance's intro phase starts once its answer has reached the invitation workflow.
      if (!(await answerDeliveredBeforePhase(d, dialogue, now))) return;
      return startDuePhase(d, dialogue);
    case 'offer_reminder':
      return remindOffer(d, dialogue);
    case 'offer_escalate':
      return escalateOffer(d, dialogue);
    case 'held':
      return meetingHeld(d, dialogue);
    case 'follow_up':
      return followUpDue(d, dialogue);
    case 'notes_reminder':
      return remindNotesAgain(d, dialogue);
    default:
      return;
  }
}

/** Fires one timer; a failure moves it later (back-off) and is recorded on the dialogue. */
async function fireOne(d: Deps, dialogue: Dialogue, now: Date, result: TickResult): Promise<void> {
  try {
    await fire(d, dialogue, now);
    result.fired++;
  } catch (e) {
    const error = (e as Error)?.message ?? String(e);
    const failed: TickResult['failed'][number] = { dialogueId: dialogue.id, kind: String(dialogue.dueKind), error };
    result.failed.push(failed);
    try {
      const { dialogue: after, changed } = await d.dialogues.mutate(dialogue.id, (x) => withFailedTimer(x, dialogue, error, now));
      if (changed) Object.assign(failed, { failures: after.timerFailure?.failures, retryAt: after.timerFailure?.retryAt });
    } catch {
      // The back-off could not be written (the table itself failing): the timer stays due and the
      // next tick tries it again; this tick still goes on to the others.
    }
    return;
  }
  if (dialogue.timerFailure) {
    await d.dialogues.mutate(dialogue.id, (x) => withRecoveredTimer(x, now)).catch(() => undefined);
  }
}

/**
 * Fires every due timer, oldest first, page by page until none is left or the time budget is
 * spent. The pages follow the index's cursor, so timers that stay due (failing, or not moved by
 * their handler) are passed over in this tick rather than read again.
 */
export async function fireDueTimers(d: Deps, options: { pageSize?: number; budgetMs?: number } = {}): Promise<TickResult> {
  const now = d.clock.now();
  const until = Date.now() + (options.budgetMs ?? TIMER_BUDGET_MS);
  const result: TickResult = { fired: 0, failed: [], deferred: false };
  // A handler may set a new due time that is still due now: it fires at the next tick, not twice in this one.
  const seen = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await d.dialogues.listDue(now, options.pageSize ?? TIMER_PAGE_SIZE, cursor);
    for (const dialogue of page.items) {
      if (Date.now() >= until) {
        result.deferred = true;
        break;
      }
      if (seen.has(dialogue.id)) continue;
      seen.add(dialogue.id);
      await fireOne(d, dialogue, now, result);
    }
    cursor = page.cursor;
  } while (cursor && !result.deferred);
  return result;
}
