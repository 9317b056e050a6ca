/** The workflow-task entry maps errors to the names the state machines' Retry and Catch match. */
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { type Deps, setDeps } from '#adapters/deps.ts';
import { handler } from '#functions/workflow-task.ts';

describe('the workflow-task entry', () => {
  afterEach(() => setDeps(undefined));

  it('lets a DynamoDB throttle leave as TransientError (the name the state machines retry)', async () => {
    // Prepare: the dialogue table throttles the write that stores the task token
    const throttled = new ProvisionedThroughputExceededException({ message: 'Throughput exceeded', $metadata: {} });
    setDeps({
      dialogues: {
        mutate: async () => {
          throw throttled;
        },
      },
    } as unknown as Deps);

    // Act
    const run = handler({ task: 'awaitAnswer', dialogueId: 'dlg-1', taskToken: 'token-1' }, {} as Context);

    // Assess
    await expect(run).rejects.toMatchObject({ name: 'TransientError', cause: throttled });
  });

  it('keeps a domain error as it is (the Catch routes it to the failure path)', async () => {
    // Prepare
    setDeps({} as unknown as Deps);

    // Act
    const run = handler({ task: 'nope' } as never, {} as Context);

    // Assess
    await expect(run).rejects.toMatchObject({ name: 'ValidationError' });
  });
});
