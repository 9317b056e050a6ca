import { ExecutionAlreadyExists, SendTaskSuccessCommand, SFNClient, StartExecutionCommand, TaskTimedOut } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { TransientError } from '#adapters/transient.ts';
import { executionName, SfnWorkflowClient } from '#adapters/workflow-client.ts';

const sfn = mockClient(SFNClient);
afterEach(() => sfn.reset());
const client = () =>
  new SfnWorkflowClient(new SFNClient({ region: 'eu-north-1', maxAttempts: 1 }), 'arn:aws:states:eu-north-1:1:stateMachine:invitation');

describe('SfnWorkflowClient', () => {
  it('starts the invitation under a deterministic ASCII name', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x' });
    expect(await client().startInvitation('dlg-åäö-1')).toEqual({ started: true });
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, { name: 'dlg-___-1-invitation', input: '{"dialogueId":"dlg-åäö-1"}' });
    expect(executionName('x'.repeat(200), 'invitation')).toHaveLength(80);
  });

  it('treats an existing execution as already started', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    expect(await client().startInvitation('dlg-1')).toEqual({ started: false });
  });

  it('reports a closed task instead of throwing, and retries other failures', async () => {
    sfn
      .on(SendTaskSuccessCommand)
      .rejectsOnce(new TaskTimedOut({ message: 'timed out', $metadata: {} }))
      .rejectsOnce(Object.assign(new Error('boom'), { name: 'ServiceUnavailable' }));
    expect(await client().completeWait('token', { outcome: 'accepted' })).toBe('closed');
    await expect(client().completeWait('token', { outcome: 'accepted' })).rejects.toBeInstanceOf(TransientError);
  });
});
