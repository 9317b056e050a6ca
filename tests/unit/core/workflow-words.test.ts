import { describe, expect, it } from 'vitest';
import { eventLabel, executionStatusLabels, stateNameLabel } from '#core/workflow-words.ts';
import { renderLocalDefinitions } from '#workflows/index.ts';

/** Every state name of a definition, nested ones included. */
function stateNames(definition: Record<string, unknown>): string[] {
  const states = (definition.States ?? {}) as Record<string, Record<string, unknown>>;
  return Object.entries(states).flatMap(([name, state]) => [
    name,
    ...((state.Branches as Record<string, unknown>[] | undefined) ?? []).flatMap(stateNames),
    ...(state.ItemProcessor ? stateNames(state.ItemProcessor as Record<string, unknown>) : []),
  ]);
}

describe('workflow words in Swedish', () => {
  it('names every state of our state machines in Swedish', () => {
    const names = Object.values(renderLocalDefinitions()).flatMap(stateNames);
    expect(names.length).toBeGreaterThan(10);
    const untranslated = names.filter((n) => stateNameLabel(n) === n);
    expect(untranslated).toEqual([]);
  });

  it('never shows the English event types or statuses', () => {
    for (const type of [
      'ExecutionStarted',
      'StateEntered',
      'StateExited',
      'TaskWaiting',
      'TaskStateEntered',
      'MapRunStarted',
      'ParallelStateExited',
      'LambdaFunctionFailed',
      'SomethingNew',
    ]) {
      expect(eventLabel(type), type).not.toMatch(/[A-Z][a-z]+[A-Z]/);
      expect(eventLabel(type), type).not.toContain(type);
    }
    expect(eventLabel('ExecutionStarted')).toBe('Arbetsflödet startade');
    expect(Object.keys(executionStatusLabels).sort()).toEqual([
      'ABORTED',
      'FAILED',
      'PENDING_REDRIVE',
      'RUNNING',
      'SUCCEEDED',
      'TIMED_OUT',
    ]);
    expect(executionStatusLabels.RUNNING).toBe('Pågår');
  });
});
