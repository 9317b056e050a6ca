/**
 * Step Functions over the SDK: starts a phase execution under a deterministic name (so a retried
 * start is a no-op) and completes a waiting task. A task that is already closed is reported as
 * 'closed', not thrown: the answer is saved regardless and the caller reconciles.
 */
import {
  ExecutionAlreadyExists,
  InvalidToken,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import type { WorkflowClient } from '#core/ports.ts';
import { TransientError } from './transient.ts';

/** Execution names are unique per state machine for 90 days and must stay ASCII. */
export const executionName = (dialogueId: string, phase: string): string =>
  `${dialogueId}-${phase}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80);

export class SfnWorkflowClient implements WorkflowClient {
  constructor(
    private readonly sfn: SFNClient,
    private readonly invitationArn: string,
  ) {}

  async startInvitation(dialogueId: string): Promise<{ started: boolean }> {
    try {
      await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.invitationArn,
          name: executionName(dialogueId, 'invitation'),
          input: JSON.stringify({ dialogueId }),
        }),
      );
      return { started: true };
    } catch (e) {
      if (e instanceof ExecutionAlreadyExists || (e as Error).name === 'ExecutionAlreadyExists') return { started: false };
      throw new TransientError(`could not start the invitation workflow: ${(e as Error).name}`, { cause: e });
    }
  }

  async completeWait(taskToken: string, output: Record<string, unknown>): Promise<'delivered' | 'closed'> {
    try {
      await this.sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
      return 'delivered';
    } catch (e) {
      const name = (e as Error).name;
      if (e instanceof TaskDoesNotExist || e instanceof TaskTimedOut || e instanceof InvalidToken) return 'closed';
      if (name === 'TaskDoesNotExist' || name === 'TaskTimedOut' || name === 'InvalidToken') return 'closed';
      throw new TransientError(`could not complete the waiting workflow task: ${name}`, { cause: e });
    }
  }
}
