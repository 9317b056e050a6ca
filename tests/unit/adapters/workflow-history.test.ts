/** The console's view of an execution, from Step Functions' own shapes (as the cloud returns them). */
import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { executionArn, invitationExecutionName, SfnWorkflowClient } from '#adapters/workflow-client.ts';

const sfn = mockClient(SFNClient);
afterEach(() => sfn.reset());
const machine = 'arn:aws:states:eu-north-1:1:stateMachine:kd-invitation';
const client = () => new SfnWorkflowClient(new SFNClient({ region: 'eu-north-1', maxAttempts: 1 }), machine);

describe('SfnWorkflowClient execution history', () => {
  it('names a retry apart from the first run, and derives the execution ARN', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x' });
    await client().startInvitation('dlg-1', 2);
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, { name: 'dlg-1-invitation-r2' });
    expect(invitationExecutionName('dlg-1')).toBe('dlg-1-invitation');
    expect(executionArn(machine, 'dlg-1-invitation')).toBe('arn:aws:states:eu-north-1:1:execution:kd-invitation:dlg-1-invitation');
    // Started through the live alias or a version: the execution ARN still names the machine only.
    for (const qualified of [`${machine}:live`, `${machine}:7`])
      expect(executionArn(qualified, 'dlg-1-invitation')).toBe('arn:aws:states:eu-north-1:1:execution:kd-invitation:dlg-1-invitation');
  });

  it('maps states entered and failures with their cause', async () => {
    // Prepare
    const t = new Date('2026-11-23T08:00:00Z');
    sfn
      .on(DescribeExecutionCommand)
      .resolves({ status: 'FAILED', startDate: t, stopDate: t, error: 'NoRecipientsError', cause: 'no contact' });
    sfn.on(GetExecutionHistoryCommand).resolves({
      events: [
        { id: 1, timestamp: t, type: 'ExecutionStarted', executionStartedEventDetails: {} },
        { id: 2, timestamp: t, type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Resolve recipients' } },
        {
          id: 3,
          timestamp: t,
          type: 'LambdaFunctionFailed',
          lambdaFunctionFailedEventDetails: { error: 'NoRecipientsError', cause: 'no contact' },
        },
      ],
    });

    // Act
    const view = await client().describeInvitation('dlg-1');

    // Assess
    expect(sfn).toHaveReceivedCommandWith(GetExecutionHistoryCommand, {
      executionArn: 'arn:aws:states:eu-north-1:1:execution:kd-invitation:dlg-1-invitation',
    });
    expect(view).toMatchObject({ name: 'dlg-1-invitation', status: 'FAILED', error: 'NoRecipientsError', cause: 'no contact' });
    expect(view?.events).toEqual([
      { at: t.toISOString(), type: 'ExecutionStarted', state: undefined, detail: undefined },
      { at: t.toISOString(), type: 'TaskStateEntered', state: 'Resolve recipients', detail: undefined },
      { at: t.toISOString(), type: 'LambdaFunctionFailed', state: undefined, detail: 'NoRecipientsError: no contact' },
    ]);
  });

  it('returns nothing for an execution that does not exist', async () => {
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'no', $metadata: {} }));
    expect(await client().describeInvitation('dlg-1', 1)).toBeUndefined();
  });
});
