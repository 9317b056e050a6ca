/**
 * Step Functions over the SDK: starts a phase execution under a deterministic name (so a retried
 * start is a no-op), through the ARN it is given (the machine's `live` alias, so a deploy can shift
 * new executions between versions), and completes a waiting task. A task that is already closed is reported as
 * 'closed', not thrown: the answer is saved regardless and the caller reconciles.
 */
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  InvalidToken,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import type { ExecutionView, WorkflowClient } from '#core/ports.ts';
import { TransientError } from './transient.ts';

/** Execution names are unique per state machine for 90 days and must stay ASCII. */
export const executionName = (dialogueId: string, phase: string): string =>
  `${dialogueId}-${phase}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80);

/** The invitation phase's execution name; a coordinator's retry n runs as `<id>-invitation-r<n>`. */
export const invitationExecutionName = (dialogueId: string, attempt = 0): string =>
  executionName(dialogueId, attempt > 0 ? `invitation-r${attempt}` : 'invitation');

/** A meeting phase's execution name: `<id>-<kind>-<round>`. */
export const phaseExecutionName = (dialogueId: string, kind: string, round: number): string =>
  executionName(dialogueId, `${kind}-${round}`);

/**
 * arn:aws:states:<region>:<account>:stateMachine:<machine>[:<version or alias>] → …:execution:<machine>:<name>
 * (an execution's ARN names the machine only, whichever version or alias started it).
 */
export const executionArn = (stateMachineArn: string, name: string): string =>
  `${stateMachineArn.replace(/(:stateMachine:[^:]+):[^:]+$/, '$1').replace(':stateMachine:', ':execution:')}:${name}`;

const iso = (d: Date | undefined): string | undefined => (d ? d.toISOString() : undefined);

/** The readable part of one history event: the state, and an error with its cause if it carries one. */
function eventView(e: HistoryEvent): ExecutionView['events'][number] {
  const details = Object.entries(e).find(([k, v]) => k.endsWith('EventDetails') && v && typeof v === 'object')?.[1] as
    | { name?: string; error?: string; cause?: string }
    | undefined;
  const detail = details?.error ? `${details.error}${details.cause ? `: ${details.cause}` : ''}` : undefined;
  return { at: iso(e.timestamp), type: e.type ?? 'Unknown', state: details?.name, detail: detail?.slice(0, 2000) };
}

export class SfnWorkflowClient implements WorkflowClient {
  constructor(
    private readonly sfn: SFNClient,
    private readonly invitationArn: string,
    private readonly meetingArn?: string,
  ) {}

  async startPhase(dialogueId: string, kind: string, round: number): Promise<{ started: boolean }> {
    if (!this.meetingArn) throw new TransientError('MEETING_STATE_MACHINE_ARN is not set: the meeting phases cannot start');
    try {
      await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.meetingArn,
          name: phaseExecutionName(dialogueId, kind, round),
          input: JSON.stringify({ dialogueId, kind, round }),
        }),
      );
      return { started: true };
    } catch (e) {
      if (e instanceof ExecutionAlreadyExists || (e as Error).name === 'ExecutionAlreadyExists') return { started: false };
      throw new TransientError(`could not start the ${kind} phase: ${(e as Error).name}`, { cause: e });
    }
  }

  async startInvitation(dialogueId: string, attempt = 0): Promise<{ started: boolean }> {
    try {
      await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.invitationArn,
          name: invitationExecutionName(dialogueId, attempt),
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

  async describeInvitation(dialogueId: string, attempt = 0): Promise<ExecutionView | undefined> {
    const name = invitationExecutionName(dialogueId, attempt);
    const arn = executionArn(this.invitationArn, name);
    try {
      const x = await this.sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
      const h = await this.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 500, includeExecutionData: false }));
      return {
        name,
        status: x.status ?? 'UNKNOWN',
        startedAt: iso(x.startDate),
        stoppedAt: iso(x.stopDate),
        error: x.error,
        cause: x.cause,
        events: (h.events ?? []).map(eventView),
      };
    } catch (e) {
      if (e instanceof ExecutionDoesNotExist || (e as Error).name === 'ExecutionDoesNotExist') return undefined;
      throw new TransientError(`could not read the invitation workflow: ${(e as Error).name}`, { cause: e });
    }
  }
}
