/**
 * A meeting phase's step that failed after its retries, and the coordinator's retry: the failure
 * is kept on the dialogue's phase (GET /api/dialogues/{id} and the console show it), it is handed
 * back to the coordinator in the day's digest (linking to the console's list of hand-backs), and
 * "Försök igen" starts a new round of the phase.
 */
import { type Dialogue, isTerminal, type PhaseMeetingKind } from '#core/dialogue.ts';
import { meetingKindRules } from '#core/scheduling.ts';
import type { Deps } from '#adapters/deps.ts';
import { recordMetric } from '#adapters/observability.ts';
import { noteHandback } from '../handback-digest.ts';
import { at, beginPhase, entry, kickPhase, noTimer, phaseStates } from './phase.ts';

/**
 * A phase step failed after its retries: the record keeps the failure on its phase (shown by
 * GET /api/dialogues/{id}) and it is handed back to the coordinator in the day's digest (the
 * machine's ExecutionsFailed alarm fires too). The dialogue keeps its state (the organiser has done nothing
 * wrong); the coordinator retries (`retryPhase`, the console's "Försök igen") or books by API.
 */
export async function recordPhaseFailure(
  d: Deps,
  dialogueId: string,
  kind: PhaseMeetingKind,
  failure: { Error?: string; Cause?: string } | undefined,
  round?: number,
): Promise<void> {
  const error = (failure?.Error ?? 'Error').slice(0, 100);
  const cause = (failure?.Cause ?? '').slice(0, 500);
  const detail = `${meetingKindRules[kind].name}: ${error}: ${cause}`;
  const { dialogue: x, changed } = await d.dialogues.mutate(dialogueId, (y) => {
    const same = y.phase?.kind === kind && (round === undefined || y.phase.round === round);
    if (same && y.phase?.failure) return undefined; // recorded already (a retried task)
    return {
      ...(same && y.dueKind === 'phase_start' ? noTimer(y) : y),
      ...(same && y.phase ? { phase: { ...y.phase, failure: { at: at(d), error, cause } } } : {}),
      updatedAt: at(d),
      history: [...y.history, entry(d, 'failed', undefined, detail)],
    };
  });
  // Counted by the one write that records the failure on its phase (a retried task changes nothing);
  // a stale execution's failure, for a phase the dialogue has left, is only noted in the history.
  if (changed && x.phase?.kind === kind && x.phase.round === (round ?? x.phase.round)) recordMetric('PhaseFailures', 1, { kind });
  await noteHandback(d, x, 'failure', `failure-${kind}-${round ?? x.phase?.round ?? 0}`, kind);
}

/**
 * The coordinator's retry of a failed phase step: a new round of the same phase (a new execution;
 * its offer and links are new, mail of the failed round is not repeated). Idempotent per failure.
 */
export async function retryPhase(d: Deps, dialogueId: string, by: string): Promise<{ dialogue: Dialogue; changed: boolean }> {
  const result = await d.dialogues.mutate(dialogueId, (y) => {
    if (!y.phase?.failure || isTerminal(y.state)) return undefined;
    if (y.state !== phaseStates[y.phase.kind].from && y.state !== phaseStates[y.phase.kind].offered) return undefined;
    const { kind, round, failure } = y.phase;
    const next = beginPhase(d, y, kind, round + 1);
    return {
      ...next,
      updatedAt: at(d),
      history: [
        ...next.history,
        { ...entry(d, 'retried', undefined, `${meetingKindRules[kind].name}: nytt försök efter ${failure.error}`), by },
      ],
    };
  });
  if (result.changed) await kickPhase(d, dialogueId);
  return { ...result, dialogue: (await d.dialogues.get(dialogueId)) ?? result.dialogue };
}
